package table

import (
	"errors"
	"reflect"
	"testing"

	"github.com/floelake/floe/manifest"
)

func fullDataFile(name string) manifest.DataFile {
	i64 := func(v int64) *int64 { return &v }
	i32 := func(v int32) *int32 { return &v }
	s := func(v string) *string { return &v }
	row := partRow(nil, 7)
	return manifest.DataFile{
		FileName: name, FileSize: 123, RowCount: 45,
		MinKey: row, MaxKey: partRow(nil, 9),
		KeyStats:          manifest.SimpleStats{Min: row, Max: row, NullCounts: []*int64{i64(0)}},
		ValueStats:        manifest.SimpleStats{Min: row, Max: row, NullCounts: []*int64{nil}},
		MinSequenceNumber: 3, MaxSequenceNumber: 99, SchemaID: 2, Level: 4,
		ExtraFiles: []string{name + ".index"}, CreationTime: i64(1700000000000), DeleteRowCount: i64(6),
		EmbeddedIndex: []byte{1, 2, 3}, FileSource: i32(manifest.FileSourceCompact),
		ValueStatsCols: []string{"k"}, ExternalPath: s("s3://b/" + name), FirstRowID: i64(1000),
		WriteCols: []string{"k", "v"},
	}
}

func TestCommitMessageRoundTrip(t *testing.T) {
	card := int64(2)
	ext := "x"
	m := CommitMessage{
		Partition: partRow(t, 3), Bucket: 2, TotalBuckets: 8,
		NewFiles:       []manifest.DataFile{fullDataFile("n1"), fullDataFile("n2")},
		DeletedFiles:   []manifest.DataFile{fullDataFile("d1")},
		CompactBefore:  []manifest.DataFile{fullDataFile("b1")},
		CompactAfter:   []manifest.DataFile{fullDataFile("a1")},
		ChangelogFiles: []manifest.DataFile{fullDataFile("c1")},
		NewIndexFiles: []manifest.IndexEntry{{Partition: partRow(t, 3), Bucket: 2, IndexType: manifest.IndexDeletionVectors,
			FileName: "index-1", FileSize: 31, RowCount: 1, DVRanges: []manifest.DVRange{{DataFile: "n1", Offset: 1, Length: 20, Cardinality: &card}},
			ExternalPath: &ext}},
		DeletedIndexFiles: []manifest.IndexEntry{{Partition: partRow(t, 3), Bucket: 2, IndexType: "btree",
			FileName: "index-0", FileSize: 8, RowCount: 2, GlobalIndex: &manifest.GlobalIndexMeta{RowRangeStart: 1, RowRangeEnd: 5, IndexFieldID: 3, ExtraFieldIDs: []int32{4}, IndexMeta: []byte{9}}}},
	}
	b, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var got CommitMessage
	if err := got.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, m) {
		t.Fatalf("round trip differs:\n got %+v\nwant %+v", got, m)
	}
	if b[4] != messageVersion {
		t.Errorf("version %d without a lookup base, want %d (readable by older floe)", b[4], messageVersion)
	}
	// A lookup compaction's base makes a version 2 message.
	m.LookupBase = []string{"data-a-0.parquet", "data-b-1.parquet"}
	if b, err = m.MarshalBinary(); err != nil {
		t.Fatal(err)
	}
	got = CommitMessage{}
	if err := got.UnmarshalBinary(b); err != nil || !reflect.DeepEqual(got, m) || b[4] != messageV2 {
		t.Fatalf("with a lookup base: version %d, %+v, %v", b[4], got.LookupBase, err)
	}
	// Compaction changelog makes a version 3 message, with or without a
	// lookup base.
	for _, base := range [][]string{nil, {"data-a-0.parquet"}} {
		m.LookupBase, m.CompactChangelog = base, []manifest.DataFile{fullDataFile("cc1"), fullDataFile("cc2")}
		if b, err = m.MarshalBinary(); err != nil {
			t.Fatal(err)
		}
		got = CommitMessage{}
		if err := got.UnmarshalBinary(b); err != nil || !reflect.DeepEqual(got, m) || b[4] != messageV3 {
			t.Fatalf("with compaction changelog, base %v: version %d, %+v, %v", base, b[4], got, err)
		}
	}
	// Empty message.
	var e, e2 CommitMessage
	if b, err = e.MarshalBinary(); err != nil {
		t.Fatal(err)
	}
	if err := e2.UnmarshalBinary(b); err != nil || !reflect.DeepEqual(e, e2) {
		t.Fatalf("empty: %+v %v", e2, err)
	}
	// Bad input never panics.
	full, _ := m.MarshalBinary()
	for i := 0; i < len(full); i += 7 {
		var x CommitMessage
		if err := x.UnmarshalBinary(full[:i]); err == nil {
			t.Fatalf("truncated at %d decoded", i)
		} else if !errors.Is(err, ErrBadMessage) {
			t.Fatalf("truncated at %d: %v", i, err)
		}
	}
	bad := append([]byte(nil), full...)
	bad[4] = 99
	if err := new(CommitMessage).UnmarshalBinary(bad); !errors.Is(err, ErrBadMessage) {
		t.Fatalf("version: %v", err)
	}
}

func FuzzDecodeCommitMessage(f *testing.F) {
	m := CommitMessage{Partition: partRow(f, 1), NewFiles: []manifest.DataFile{fullDataFile("a")}}
	b, _ := m.MarshalBinary()
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		var m CommitMessage
		_ = m.UnmarshalBinary(b)
	})
}
