package table

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"sort"
	"testing"

	"github.com/floelake/floe/internal/fixtures"
	"github.com/floelake/floe/manifest"
	"github.com/floelake/floe/snapshot"
)

func (e *commitEnv) dropModel(match func(p []byte) bool) {
	for k, en := range e.model {
		if match(en.Partition) {
			delete(e.model, k)
		}
	}
}

func TestCommitOverwriteTruncateDrop(t *testing.T) {
	e := newCommitEnv(t, false)
	ctx := context.Background()
	var msgs []CommitMessage
	for p := int32(1); p <= 3; p++ {
		m := msgFor(t, p, 0)
		m.NewFiles = []manifest.DataFile{e.file(0, 0, 0, 10)}
		msgs = append(msgs, m)
	}
	e.commit(e.tbl, msgs, CommitOptions{})

	// Static overwrite of p=2.
	m := msgFor(t, 2, 1)
	m.NewFiles = []manifest.DataFile{e.file(0, 0, 0, 7)}
	p2 := string(partRow(t, 2))
	e.dropModel(func(p []byte) bool { return string(p) == p2 })
	res := e.commit(e.tbl, []CommitMessage{m}, CommitOptions{Overwrite: true, OverwritePartition: map[string]string{"p": "2"}})
	if s := res.Snapshots[0]; s.CommitKind != snapshot.KindOverwrite || s.DeltaRecordCount != -3 {
		t.Fatalf("static overwrite: %+v", s)
	}
	e.check(e.tbl)

	// New files outside the static partition are refused.
	bad := msgFor(t, 3, 0)
	bad.NewFiles = []manifest.DataFile{e.file(0, 0, 0, 1)}
	if _, err := e.tbl.Commit(ctx, []CommitMessage{bad}, CommitOptions{Overwrite: true, OverwritePartition: map[string]string{"p": "2"}}); !errors.Is(err, ErrInvalidCommit) {
		t.Fatalf("want ErrInvalidCommit, got %v", err)
	}

	// Dynamic overwrite of the partitions written (p=3).
	m = msgFor(t, 3, 0)
	m.NewFiles = []manifest.DataFile{e.file(0, 0, 0, 4)}
	p3 := string(partRow(t, 3))
	e.dropModel(func(p []byte) bool { return string(p) == p3 })
	e.commit(e.tbl, []CommitMessage{m}, CommitOptions{Overwrite: true, DynamicOverwrite: true})
	e.check(e.tbl)

	// Drop partition p=1; a non-partition column is refused.
	if _, err := e.tbl.DropPartitions(ctx, []map[string]string{{"k": "1"}}, CommitOptions{}); !errors.Is(err, ErrInvalidCommit) {
		t.Fatalf("want ErrInvalidCommit, got %v", err)
	}
	p1 := string(partRow(t, 1))
	if _, err := e.tbl.DropPartitions(ctx, []map[string]string{{"p": "1"}}, CommitOptions{}); err != nil {
		t.Fatal(err)
	}
	e.dropModel(func(p []byte) bool { return string(p) == p1 })
	e.check(e.tbl)

	// Full overwrite, then truncate.
	m = msgFor(t, 5, 0)
	m.NewFiles = []manifest.DataFile{e.file(0, 0, 0, 1)}
	e.dropModel(func([]byte) bool { return true })
	e.commit(e.tbl, []CommitMessage{m}, CommitOptions{Overwrite: true})
	e.check(e.tbl)
	if _, err := e.tbl.Truncate(ctx, CommitOptions{}); err != nil {
		t.Fatal(err)
	}
	e.dropModel(func([]byte) bool { return true })
	e.check(e.tbl)
	s, _ := e.tbl.Snapshot(ctx, 0)
	if s.TotalRecordCount != 0 || s.CommitKind != snapshot.KindOverwrite {
		t.Fatalf("after truncate: %+v", s)
	}
}

// Index changes: a new HASH file replaces the old one of its bucket; an
// overwrite drops the index files of the cleared partitions.
func TestCommitIndexManifest(t *testing.T) {
	e := newCommitEnv(t, true)
	ctx := context.Background()
	idx := func(p, b int32, name string) manifest.IndexEntry {
		return manifest.IndexEntry{Partition: partRow(t, p), Bucket: b, IndexType: manifest.IndexHash, FileName: name, FileSize: 4, RowCount: 1}
	}
	m1 := msgFor(t, 1, 0)
	m1.NewFiles = []manifest.DataFile{e.file(0, 1, 1, 1)}
	m1.NewIndexFiles = []manifest.IndexEntry{idx(1, 0, "index-a")}
	m2 := msgFor(t, 2, 0)
	m2.NewFiles = []manifest.DataFile{e.file(0, 1, 1, 1)}
	m2.NewIndexFiles = []manifest.IndexEntry{idx(2, 0, "index-b")}
	e.commit(e.tbl, []CommitMessage{m1, m2}, CommitOptions{})
	m3 := msgFor(t, 1, 0)
	m3.NewFiles = []manifest.DataFile{e.file(0, 2, 2, 1)}
	m3.NewIndexFiles = []manifest.IndexEntry{idx(1, 0, "index-c")}
	res := e.commit(e.tbl, []CommitMessage{m3}, CommitOptions{})
	if res.Snapshots[0].CommitKind != snapshot.KindAppend {
		t.Fatalf("hash index changes are APPEND, got %s", res.Snapshots[0].CommitKind)
	}
	names := func() []string {
		s, _ := e.tbl.Snapshot(ctx, 0)
		if s.IndexManifest == nil {
			return nil
		}
		ents, err := manifest.ReadIndexManifest(ctx, e.tbl.Store(), *s.IndexManifest)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, en := range ents {
			out = append(out, en.FileName)
		}
		sort.Strings(out)
		return out
	}
	if got := names(); len(got) != 2 || got[0] != "index-b" || got[1] != "index-c" {
		t.Fatalf("index files %v", got)
	}
	// A data-only commit reuses the index manifest.
	before, _ := e.tbl.Snapshot(ctx, 0)
	m4 := msgFor(t, 2, 0)
	m4.NewFiles = []manifest.DataFile{e.file(0, 3, 3, 1)}
	res = e.commit(e.tbl, []CommitMessage{m4}, CommitOptions{})
	if *res.Snapshots[0].IndexManifest != *before.IndexManifest {
		t.Fatal("index manifest not reused")
	}
	if _, err := e.tbl.DropPartitions(ctx, []map[string]string{{"p": "2"}}, CommitOptions{}); err != nil {
		t.Fatal(err)
	}
	p2 := string(partRow(t, 2))
	e.dropModel(func(p []byte) bool { return string(p) == p2 })
	if got := names(); len(got) != 1 || got[0] != "index-c" {
		t.Fatalf("after drop: index files %v", got)
	}
	e.check(e.tbl)
}

// Manifest merging keeps the live set and reduces the number of manifests.
func TestCommitManifestMerge(t *testing.T) {
	e := newCommitEnv(t, true, "manifest.merge-min-count", "5")
	ctx := context.Background()
	var prev manifest.DataFile
	for i := 0; i < 20; i++ {
		m := msgFor(t, int32(i%3), 0)
		f := e.file(0, int32(i), int32(i), 2)
		m.NewFiles = []manifest.DataFile{f}
		if i%4 == 3 {
			// Delete the file written by the previous round too.
			pm := msgFor(t, int32((i-1)%3), 0)
			pm.DeletedFiles = []manifest.DataFile{prev}
			e.commit(e.tbl, []CommitMessage{m, pm}, CommitOptions{})
		} else {
			e.commit(e.tbl, []CommitMessage{m}, CommitOptions{})
		}
		prev = f
		e.check(e.tbl)
		s, _ := e.tbl.Snapshot(ctx, 0)
		base, err := manifest.ReadList(ctx, e.tbl.Store(), s.BaseManifestList)
		if err != nil {
			t.Fatal(err)
		}
		if len(base) >= 6 {
			t.Fatalf("snapshot %d: %d base manifests, merging should keep fewer than 6", s.ID, len(base))
		}
	}
	// Full compaction (threshold 1 byte) drops every DELETE.
	e2 := newCommitEnv(t, false, "manifest.full-compaction-threshold-size", "1 b")
	for i := 0; i < 6; i++ {
		m := msgFor(t, 1, 0)
		f := e2.file(0, 0, 0, 1)
		m.NewFiles = []manifest.DataFile{f}
		e2.commit(e2.tbl, []CommitMessage{m}, CommitOptions{})
		d := msgFor(t, 1, 0)
		d.DeletedFiles = []manifest.DataFile{f}
		e2.commit(e2.tbl, []CommitMessage{d}, CommitOptions{})
		e2.check(e2.tbl)
	}
	s, _ := e2.tbl.Snapshot(ctx, 0)
	base, _ := manifest.ReadList(ctx, e2.tbl.Store(), s.BaseManifestList)
	for _, m := range base {
		if m.NumDeletedFiles > 0 {
			t.Fatalf("full compaction left deletes in %s", m.FileName)
		}
	}
}

// Our snapshots carry the keys a Java 1.x writer writes (minus the ones
// Paimon 1.4 dropped), in the same order.
func TestCommitSnapshotFieldsLikeJava(t *testing.T) {
	b, err := os.ReadFile(fixtures.Path(t, "paimon-cpp", "tables", "parquet", "pk_table_scan_and_read_dv.db", "pk_table_scan_and_read_dv", "snapshot", "snapshot-5"))
	if err != nil {
		t.Fatal(err)
	}
	javaKeys := jsonKeys(t, b)
	e := newCommitEnv(t, false)
	m := msgFor(t, 1, 0)
	m.NewFiles = []manifest.DataFile{e.file(0, 0, 0, 3)}
	m.NewIndexFiles = []manifest.IndexEntry{{Partition: partRow(t, 1), IndexType: manifest.IndexHash, FileName: "index-x", FileSize: 4, RowCount: 1}}
	e.commit(e.tbl, []CommitMessage{m}, CommitOptions{})
	ours, err := e.tbl.Store().Read(context.Background(), snapshot.SnapshotPath(1))
	if err != nil {
		t.Fatal(err)
	}
	ourKeys := jsonKeys(t, ours)
	// Java 1.0–1.3 also wrote logOffsets and explicit nulls/zero for the
	// changelog; 1.4 omits them.
	var want []string
	for _, k := range javaKeys {
		switch k {
		case "logOffsets", "changelogManifestList", "changelogRecordCount":
			continue
		}
		want = append(want, k)
	}
	got := ourKeys
	if len(got) != len(want) {
		t.Fatalf("keys %v, Java %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("keys %v, Java %v", got, want)
		}
	}
}

func jsonKeys(t *testing.T, b []byte) []string {
	dec := json.NewDecoder(bytesReader(b))
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
