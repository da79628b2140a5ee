package manifest

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckListed(t *testing.T) {
	i32 := func(v int32) *int32 { return &v }
	entries := sampleEntries(10) // buckets 0..3, levels 0..5, schema 1, two DELETEs
	good := func() FileMeta {
		return FileMeta{FileName: "manifest-a-0", NumAddedFiles: 8, NumDeletedFiles: 2, SchemaID: 1,
			MinBucket: i32(0), MaxBucket: i32(3), MinLevel: i32(0), MaxLevel: i32(5)}
	}
	m := good()
	if err := CheckListed(&m, entries); err != nil {
		t.Fatal(err)
	}
	m.MinBucket, m.MaxBucket, m.MinLevel, m.MaxLevel = nil, nil, nil, nil // <= 1.0 and pypaimon
	if err := CheckListed(&m, entries); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		mod  func(m *FileMeta)
		want string
	}{
		{"adds", func(m *FileMeta) { m.NumAddedFiles = 9 }, "_NUM_ADDED_FILES"},
		{"deletes", func(m *FileMeta) { m.NumDeletedFiles = 1 }, "_NUM_DELETED_FILES"},
		{"schema", func(m *FileMeta) { m.SchemaID = 0 }, "_SCHEMA_ID"},
		{"bucket", func(m *FileMeta) { m.MaxBucket = i32(2) }, "_MAX_BUCKET"},
		{"level", func(m *FileMeta) { m.MinLevel = i32(1) }, "_MIN_LEVEL"},
	} {
		m := good()
		c.mod(&m)
		err := CheckListed(&m, entries)
		if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "manifest-a-0") {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}
