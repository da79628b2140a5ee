package snapshot

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestDecodeFixtures(t *testing.T) {
	for _, f := range fixtureSnapshots(t) {
		s, err := Decode(f.name, readFile(t, f.path))
		if err != nil {
			t.Errorf("%s: %v", f.name, err)
			continue
		}
		if f.id != 0 && s.ID != f.id {
			t.Errorf("%s: id %d", f.name, s.ID)
		}
		if s.CommitUser == "" || s.BaseManifestList == "" || s.DeltaManifestList == "" || s.TimeMillis == 0 {
			t.Errorf("%s: missing required fields: %+v", f.name, s)
		}
	}
}

func TestRoundTripFixtures(t *testing.T) {
	for _, f := range fixtureSnapshots(t) {
		s, err := Decode(f.name, readFile(t, f.path))
		if err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
		b, err := s.Encode()
		if err != nil {
			t.Fatalf("%s: encode: %v", f.name, err)
		}
		if strings.Contains(string(b), "logOffsets") || strings.Contains(string(b), "null") {
			t.Errorf("%s: encoded form has logOffsets or null:\n%s", f.name, b)
		}
		s2, err := Decode(f.name, b)
		if err != nil {
			t.Fatalf("%s: decode again: %v\n%s", f.name, err, b)
		}
		want := *s
		want.LogOffsets = nil // read but never written
		if !reflect.DeepEqual(&want, s2) {
			t.Errorf("%s: round trip differs:\n%+v\n%+v", f.name, want, *s2)
		}
	}
}

// Files written by Paimon 1.4/2.x re-encode byte for byte.
func TestGoldenBytes(t *testing.T) {
	n := 0
	for _, f := range fixtureSnapshots(t) {
		if !f.golden {
			continue
		}
		in := readFile(t, f.path)
		s, err := Decode(f.name, in)
		if err != nil {
			t.Fatal(err)
		}
		out, err := s.Encode()
		if err != nil {
			t.Fatal(err)
		}
		if string(out) != string(in) {
			t.Errorf("%s: re-encoded bytes differ:\n%s\nwant:\n%s", f.name, out, in)
		}
		n++
	}
	if n < 10 {
		t.Fatalf("only %d golden snapshots", n)
	}
}

// The example of the format reference §2.1.
const example21 = `{
  "version" : 3,
  "id" : 1,
  "schemaId" : 0,
  "baseManifestList" : "manifest-list-fc40d98d-57e5-4aec-9cc5-7c647c40eb30-0",
  "baseManifestListSize" : 1006,
  "deltaManifestList" : "manifest-list-fc40d98d-57e5-4aec-9cc5-7c647c40eb30-1",
  "deltaManifestListSize" : 1107,
  "commitUser" : "64391684-70f7-478d-bfce-5ce8ce8a45a6",
  "commitIdentifier" : 9223372036854775807,
  "commitKind" : "APPEND",
  "timeMillis" : 1784213019480,
  "totalRecordCount" : 2,
  "deltaRecordCount" : 2,
  "nextRowId" : 0
}`

func TestEncodeExample(t *testing.T) {
	s, err := Decode("example", []byte(example21))
	if err != nil {
		t.Fatal(err)
	}
	if s.CommitIdentifier != 1<<63-1 || s.CommitKind != KindAppend || *s.BaseManifestListSize != 1006 || *s.NextRowID != 0 {
		t.Fatalf("decoded %+v", s)
	}
	b, err := s.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != example21 {
		t.Fatalf("got\n%s\nwant\n%s", b, example21)
	}
}

// Every optional field, in the documented order.
func TestEncodeAllFields(t *testing.T) {
	s := testSnapshot(7, "u", 3, KindOverwrite)
	s.UUID = ptr("11111111-2222-3333-4444-555555555555")
	s.ChangelogManifestList = ptr("manifest-list-a-2")
	s.ChangelogManifestListSize = ptr[int64](300)
	s.IndexManifest = ptr("index-manifest-b-0")
	s.WriterVersion = ptr("2.1")
	s.LogOffsets = map[int32]int64{0: 5}
	s.ChangelogRecordCount = ptr[int64](4)
	s.Watermark = ptr[int64](-9223372036854775808)
	s.Statistics = ptr("stat-c-0")
	s.Properties = map[string]string{"k": "v"}
	s.TotalFileSize = ptr[int64](1234)
	s.TotalDataFiles = ptr[int64](3)
	s.Operation = ptr("WRITE")
	b, err := s.Encode()
	if err != nil {
		t.Fatal(err)
	}
	want := `{
  "version" : 3,
  "uuid" : "11111111-2222-3333-4444-555555555555",
  "id" : 7,
  "schemaId" : 0,
  "baseManifestList" : "manifest-list-a-0",
  "baseManifestListSize" : 100,
  "deltaManifestList" : "manifest-list-a-1",
  "deltaManifestListSize" : 200,
  "changelogManifestList" : "manifest-list-a-2",
  "changelogManifestListSize" : 300,
  "indexManifest" : "index-manifest-b-0",
  "commitUser" : "u",
  "writerVersion" : "2.1",
  "commitIdentifier" : 3,
  "commitKind" : "OVERWRITE",
  "timeMillis" : 1700000007000,
  "totalRecordCount" : 70,
  "deltaRecordCount" : 10,
  "changelogRecordCount" : 4,
  "watermark" : -9223372036854775808,
  "statistics" : "stat-c-0",
  "properties" : {
    "k" : "v"
  },
  "nextRowId" : 0,
  "totalFileSize" : 1234,
  "totalDataFiles" : 3,
  "operation" : "WRITE"
}`
	if string(b) != want {
		t.Fatalf("got\n%s\nwant\n%s", b, want)
	}
	s2, err := Decode("x", b)
	if err != nil {
		t.Fatal(err)
	}
	s.LogOffsets = nil
	if !reflect.DeepEqual(s, s2) {
		t.Fatalf("round trip:\n%+v\n%+v", s, s2)
	}
}

func TestDecodeShapes(t *testing.T) {
	base := `"id" : 4, "schemaId" : 1, "baseManifestList" : "b", "deltaManifestList" : "d",
	  "commitUser" : "u", "commitIdentifier" : 9, "commitKind" : "COMPACT", "timeMillis" : 5,
	  "totalRecordCount" : 1, "deltaRecordCount" : -1`
	ok := []string{
		`{"version" : 3, ` + base + `}`,
		`{"version" : 3, ` + base + `, "changelogManifestList" : null, "watermark" : null, "properties" : null, "logOffsets" : { }}`,
		`{"version" : 3, ` + base + `, "logOffsets" : {"1" : 7}, "properties" : { }, "changelogRecordCount" : 0}`,
		`{"version" : 3, ` + base + `, "someFutureField" : {"a" : [1, 2, {"b" : null}]}, "another" : "x"}`,
		"\n\t {\"version\":3," + base + "}\n",
	}
	for _, in := range ok {
		s, err := Decode("snapshot-4", []byte(in))
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if s.ID != 4 || s.CommitKind != KindCompact || s.DeltaRecordCount != -1 || s.ChangelogManifestList != nil || s.Properties != nil {
			t.Errorf("%s: %+v", in, s)
		}
	}
	// Keys are case-sensitive, as in Jackson.
	s, err := Decode("snapshot-4", []byte(`{"version" : 3, `+base+`, "ID" : 9, "CommitUser" : "x"}`))
	if err != nil || s.ID != 4 || s.CommitUser != "u" {
		t.Errorf("case-insensitive match: %+v %v", s, err)
	}
	if _, err := Decode("snapshot-4", []byte(`{"Version" : 3, `+base+`}`)); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Version: %v", err)
	}
	s, _ = Decode("snapshot-4", []byte(ok[2]))
	if s.LogOffsets[1] != 7 || s.ChangelogRecordCount == nil || *s.ChangelogRecordCount != 0 {
		t.Errorf("logOffsets/changelogRecordCount: %+v", s)
	}

	bad := []struct {
		in   string
		want error
	}{
		{``, ErrCorrupt},
		{`   `, ErrCorrupt},
		{`null`, ErrCorrupt},
		{`[1]`, ErrCorrupt},
		{`"x"`, ErrCorrupt},
		{`{`, ErrCorrupt},
		{`{}`, ErrCorrupt},
		{`{"version" : 3, ` + base, ErrCorrupt},
		{`{"version" : 3, ` + base + `} x`, ErrCorrupt},
		{`{"version" : "3", ` + base + `}`, ErrCorrupt},
		{`{"version" : 3, ` + base + `, "id" : "4"}`, ErrCorrupt},
		{`{"version" : 3, ` + base + `, "id" : 1.5}`, ErrCorrupt},
		{`{"version" : 3, ` + base + `, "id" : 99999999999999999999}`, ErrCorrupt},
		{`{"version" : 3, ` + base + `, "commitKind" : "MERGE"}`, ErrCorrupt},
		{strings.Replace(`{"version" : 3, `+base+`}`, `"COMPACT"`, `null`, 1), ErrCorrupt},
		{`{"version" : 3, ` + base + `, "properties" : {"a" : 1}}`, ErrCorrupt},
		{`{"version" : 2, ` + base + `}`, ErrUnsupportedVersion},
		{`{"version" : 4, ` + base + `}`, ErrUnsupportedVersion},
		{`{"version" : 0, ` + base + `}`, ErrUnsupportedVersion},
	}
	for _, c := range bad {
		_, err := Decode("snapshot/snapshot-4", []byte(c.in))
		if !errors.Is(err, c.want) {
			t.Errorf("%q: got %v, want %v", c.in, err, c.want)
			continue
		}
		if !strings.Contains(err.Error(), "snapshot/snapshot-4") {
			t.Errorf("%q: error does not name the file: %v", c.in, err)
		}
	}
}

func TestParseID(t *testing.T) {
	cases := []struct {
		name string
		id   int64
		ok   bool
	}{
		{"snapshot-1", 1, true},
		{"snapshot-9223372036854775807", 1<<63 - 1, true},
		{"snapshot-9223372036854775808", 0, false},
		{"snapshot-0", 0, false},
		{"snapshot-01", 0, false},
		{"snapshot--1", 0, false},
		{"snapshot-+1", 0, false},
		{"snapshot-", 0, false},
		{"snapshot-1x", 0, false},
		{"snapshot-1.tmp", 0, false},
		{".snapshot-1.abc.tmp", 0, false},
		{"LATEST", 0, false},
		{"snapshot", 0, false},
		{"xsnapshot-1", 0, false},
	}
	for _, c := range cases {
		id, ok := ParseID(SnapshotPrefix, c.name)
		if id != c.id || ok != c.ok {
			t.Errorf("ParseID(%q) = %d, %v; want %d, %v", c.name, id, ok, c.id, c.ok)
		}
	}
	if SnapshotPath(12) != "snapshot/snapshot-12" || ChangelogPath(3) != "changelog/changelog-3" ||
		TagPath("t1") != "tag/tag-t1" || ConsumerPath("c") != "consumer/consumer-c" {
		t.Fatal("paths")
	}
}
