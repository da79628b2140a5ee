package snapshot

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/floelake/floe/storage"
)

func TestEncodeDuration(t *testing.T) {
	cases := []struct {
		d    time.Duration
		want string
	}{
		{0, "0.0"},
		{24 * time.Hour, "86400.000000000"},
		{time.Second, "1.000000000"},
		{1500 * time.Millisecond, "1.500000000"},
		{time.Millisecond, "0.001000000"},
		{time.Microsecond, "0.000001000"},
		{1500 * time.Nanosecond, "0.000001500"},
		{999 * time.Nanosecond, "9.99E-7"},
		{500 * time.Nanosecond, "5.00E-7"},
		{10 * time.Nanosecond, "1.0E-8"},
		{time.Nanosecond, "1E-9"},
		{1<<63 - 1, "9223372036.854775807"},
	}
	for _, c := range cases {
		if got := encodeDuration(c.d); got != c.want {
			t.Errorf("encodeDuration(%v) = %s, want %s", c.d, got, c.want)
		}
		back, err := decodeDuration([]byte(c.want))
		if err != nil || *back != c.d {
			t.Errorf("decodeDuration(%s) = %v, %v", c.want, back, err)
		}
	}
	for _, in := range []string{`86400`, `"86400.5"`, `8.64E4`, `-1.5`} {
		if _, err := decodeDuration([]byte(in)); err != nil {
			t.Errorf("decodeDuration(%s): %v", in, err)
		}
	}
	for _, in := range []string{`"PT24H"`, `1e999999999`, `1/3`, `0x10`, `1.0000000001`, `99999999999999`, `{}`, `[1]`} {
		if d, err := decodeDuration([]byte(in)); err == nil {
			t.Errorf("decodeDuration(%s) = %v, want error", in, *d)
		}
	}
}

func TestLocalDateTime(t *testing.T) {
	cases := []struct {
		t    time.Time
		want []int
	}{
		{time.Date(2024, 6, 1, 13, 5, 0, 0, time.UTC), []int{2024, 6, 1, 13, 5}},
		{time.Date(2024, 6, 1, 13, 5, 7, 0, time.UTC), []int{2024, 6, 1, 13, 5, 7}},
		{time.Date(2024, 6, 1, 13, 5, 0, 123, time.UTC), []int{2024, 6, 1, 13, 5, 0, 123}},
		{time.Date(2024, 6, 1, 0, 0, 7, 123456789, time.UTC), []int{2024, 6, 1, 0, 0, 7, 123456789}},
	}
	for _, c := range cases {
		got := encodeLocalDateTime(c.t)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("encode %v = %v, want %v", c.t, got, c.want)
		}
	}
	for _, in := range []string{`[2024,6,1,13,5]`, `"2024-06-01T13:05:07.5"`, `"2024-06-01T13:05"`, `null`} {
		if _, err := decodeLocalDateTime([]byte(in)); err != nil {
			t.Errorf("decode %s: %v", in, err)
		}
	}
	for _, in := range []string{`[2024,2,30,1,1]`, `[2024,6,1]`, `[2024,6,1,25,0]`, `[2024,6,1,1,1,1,1000000000]`, `"yesterday"`, `{}`} {
		if _, err := decodeLocalDateTime([]byte(in)); err == nil {
			t.Errorf("decode %s: no error", in)
		}
	}
}

func TestTagBytes(t *testing.T) {
	ct := time.Date(2024, 6, 1, 13, 5, 7, 123456789, time.UTC)
	ret := 24 * time.Hour
	tag := &Tag{Snapshot: *testSnapshot(3, "u", 2, KindAppend), Name: "t", CreateTime: &ct, TimeRetained: &ret}
	b, err := tag.Encode()
	if err != nil {
		t.Fatal(err)
	}
	want := `{
  "version" : 3,
  "id" : 3,
  "schemaId" : 0,
  "baseManifestList" : "manifest-list-a-0",
  "baseManifestListSize" : 100,
  "deltaManifestList" : "manifest-list-a-1",
  "deltaManifestListSize" : 200,
  "commitUser" : "u",
  "commitIdentifier" : 2,
  "commitKind" : "APPEND",
  "timeMillis" : 1700000003000,
  "totalRecordCount" : 30,
  "deltaRecordCount" : 10,
  "nextRowId" : 0,
  "tagCreateTime" : [ 2024, 6, 1, 13, 5, 7, 123456789 ],
  "tagTimeRetained" : 86400.000000000
}`
	if string(b) != want {
		t.Fatalf("got\n%s\nwant\n%s", b, want)
	}
	back, err := DecodeTag("tag-t", b)
	if err != nil {
		t.Fatal(err)
	}
	back.Name = "t"
	if !reflect.DeepEqual(back, tag) {
		t.Fatalf("round trip\n%+v\n%+v", back, tag)
	}
	// Without the optional keys, a tag is its snapshot's JSON.
	plain := &Tag{Snapshot: *testSnapshot(3, "u", 2, KindAppend)}
	pb, _ := plain.Encode()
	sb, _ := testSnapshot(3, "u", 2, KindAppend).Encode()
	if string(pb) != string(sb) {
		t.Fatalf("plain tag\n%s", pb)
	}
	// Old snapshot-style tag with explicit nulls decodes.
	old := `{"version" : 3, "id" : 1, "schemaId" : 0, "baseManifestList" : "b", "deltaManifestList" : "d",
	  "changelogManifestList" : null, "commitUser" : "u", "commitIdentifier" : 1, "commitKind" : "APPEND",
	  "timeMillis" : 1, "logOffsets" : { }, "totalRecordCount" : 1, "deltaRecordCount" : 1,
	  "changelogRecordCount" : 0, "tagCreateTime" : null, "tagTimeRetained" : null}`
	ot, err := DecodeTag("tag-old", []byte(old))
	if err != nil || ot.CreateTime != nil || ot.TimeRetained != nil {
		t.Fatalf("old tag %+v %v", ot, err)
	}
	for _, bad := range []string{
		`{"version" : 3, "id" : 1, "commitKind" : "APPEND", "tagCreateTime" : "x"}`,
		`{"version" : 3, "id" : 1, "commitKind" : "APPEND", "tagTimeRetained" : "x"}`,
		`{"version" : 3, "id" : 1, "commitKind" : "APPEND", "tagTimeRetained" : [1]}`,
	} {
		if _, err := DecodeTag("tag-bad", []byte(bad)); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

func TestTagsInStore(t *testing.T) {
	ctx := context.Background()
	store := memStore(t)
	ret := time.Hour
	ct := time.Date(2025, 1, 2, 3, 4, 5, 0, time.Local)
	t1, err := CreateTag(ctx, store, "daily-2025-01-02", testSnapshot(5, "u", 5, KindAppend), TagOptions{TimeRetained: &ret, CreateTime: ct})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := CreateTag(ctx, store, "a-first", testSnapshot(2, "u", 2, KindAppend), TagOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := CreateTag(ctx, store, "b-second", testSnapshot(2, "u", 2, KindAppend), TagOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := CreateTag(ctx, store, "a-first", testSnapshot(9, "u", 9, KindAppend), TagOptions{}); !errors.Is(err, ErrTagExists) {
		t.Fatalf("duplicate: %v", err)
	}
	if _, err := CreateTag(ctx, store, "a-first", testSnapshot(1, "u", 1, KindAppend), TagOptions{Replace: true}); err != nil {
		t.Fatal(err)
	}
	if err := store.Write(ctx, "tag/.tag-x.tmp", []byte("junk")); err != nil {
		t.Fatal(err)
	}
	got, err := ReadTag(ctx, store, "daily-2025-01-02")
	if err != nil || !reflect.DeepEqual(got, t1) {
		t.Fatalf("ReadTag = %+v, %v\nwant %+v", got, err, t1)
	}
	if got.CreateTime.Hour() != 3 || *got.TimeRetained != time.Hour {
		t.Fatalf("tag fields %+v", got)
	}
	all, err := Tags(ctx, store)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tg := range all {
		names = append(names, tg.Name)
	}
	if !reflect.DeepEqual(names, []string{"a-first", "b-second", "daily-2025-01-02"}) || all[0].ID != 1 {
		t.Fatalf("Tags = %v", names)
	}
	if err := DeleteTag(ctx, store, "b-second"); err != nil {
		t.Fatal(err)
	}
	if err := DeleteTag(ctx, store, "b-second"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	if _, err := ReadTag(ctx, store, "b-second"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("read deleted: %v", err)
	}
	// A create whose answer is lost but which landed succeeds.
	var f storage.Faults
	f.Add(storage.Fault{Op: storage.OpCreate, Phase: storage.After, Times: 1})
	if _, err := CreateTag(ctx, storage.WithFaults(store, &f), "lost-answer", testSnapshot(3, "u", 3, KindAppend), TagOptions{}); err != nil {
		t.Fatalf("ambiguous create: %v", err)
	}
	// One that did not land reports the error.
	f.Add(storage.Fault{Op: storage.OpCreate, Phase: storage.Before, Times: 1})
	if _, err := CreateTag(ctx, storage.WithFaults(store, &f), "failed", testSnapshot(3, "u", 3, KindAppend), TagOptions{}); !errors.Is(err, storage.ErrInjected) {
		t.Fatalf("failed create: %v", err)
	}
	neg := -time.Second
	if _, err := CreateTag(ctx, store, "neg", testSnapshot(3, "u", 3, KindAppend), TagOptions{TimeRetained: &neg}); err == nil {
		t.Fatal("negative retention accepted")
	}
}

func TestNameValidation(t *testing.T) {
	for _, name := range []string{"", " ", "\t", ".hidden", "a/b", `a\b`, "a\x00b", "a\nb", "\x7f", "a\u0085b", "\xff"} {
		err := ValidateTagName(name)
		var ne *NameError
		if !errors.Is(err, ErrInvalidName) || !errors.As(err, &ne) || ne.Name != name {
			t.Errorf("ValidateTagName(%q) = %v", name, err)
		}
		if _, err := CreateTag(context.Background(), memStore(t), name, testSnapshot(1, "u", 1, KindAppend), TagOptions{}); !errors.Is(err, ErrInvalidName) {
			t.Errorf("CreateTag(%q) = %v", name, err)
		}
		if err := ValidateConsumerID(name); !errors.Is(err, ErrInvalidName) {
			t.Errorf("ValidateConsumerID(%q) = %v", name, err)
		}
	}
	for _, name := range []string{"t1", "2024-06-01", "2024-06-01 13", "tag with spaces", "ünïcødé", "123", "a.b"} {
		if err := ValidateTagName(name); err != nil {
			t.Errorf("ValidateTagName(%q) = %v", name, err)
		}
	}
}

func TestConsumers(t *testing.T) {
	ctx := context.Background()
	store := memStore(t)
	b, _ := Consumer{NextSnapshot: 12}.Encode()
	if string(b) != "{\n  \"nextSnapshot\" : 12\n}" {
		t.Fatalf("bytes %q", b)
	}
	for id, n := range map[string]int64{"job-a": 5, "job-b": 9} {
		if err := WriteConsumer(ctx, store, id, Consumer{NextSnapshot: n}); err != nil {
			t.Fatal(err)
		}
	}
	if err := WriteConsumer(ctx, store, "job-a", Consumer{NextSnapshot: 6}); err != nil { // overwrite
		t.Fatal(err)
	}
	if err := store.Write(ctx, "consumer/.consumer-job-c.tmp", []byte("junk")); err != nil {
		t.Fatal(err)
	}
	all, err := Consumers(ctx, store)
	if err != nil || !reflect.DeepEqual(all, map[string]Consumer{"job-a": {6}, "job-b": {9}}) {
		t.Fatalf("Consumers = %v, %v", all, err)
	}
	c, err := ReadConsumer(ctx, store, "job-b")
	if err != nil || c.NextSnapshot != 9 {
		t.Fatalf("ReadConsumer = %v, %v", c, err)
	}
	if err := DeleteConsumer(ctx, store, "job-b"); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadConsumer(ctx, store, "job-b"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted: %v", err)
	}
	if err := DeleteConsumer(ctx, store, "job-b"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("delete twice: %v", err)
	}
	for _, in := range []string{`{"nextSnapshot":7}`, `{"nextSnapshot" : 7, "extra" : true}`, "{\n  \"nextSnapshot\" : 7\n}"} {
		if c, err := DecodeConsumer("c", []byte(in)); err != nil || c.NextSnapshot != 7 {
			t.Errorf("%s: %v %v", in, c, err)
		}
	}
	for _, in := range []string{``, `7`, `{"nextSnapshot" : "7"}`, `{"nextSnapshot" : 7`, `null`} {
		if _, err := DecodeConsumer("consumer/consumer-x", []byte(in)); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%q: %v", in, err)
		}
	}
}
