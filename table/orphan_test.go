package table

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/google/uuid"

	"github.com/floelake/floe/internal/binrow"
	"github.com/floelake/floe/manifest"
	"github.com/floelake/floe/snapshot"
	"github.com/floelake/floe/storage"
)

// orphanSpecs are the tables the orphan tests run on: a partitioned
// primary-key table with deletion vectors (index files in the bucket
// directories) and lookup changelog, and a dynamic-bucket table (hash
// index files in index/) with input changelog.
var orphanSpecs = map[string]Spec{
	"partitioned-dv": {
		Columns:       []Column{{Name: "p", Type: "INT NOT NULL"}, {Name: "id", Type: "INT NOT NULL"}, {Name: "v", Type: "STRING"}},
		PartitionKeys: []string{"p"}, PrimaryKeys: []string{"p", "id"},
		Options: []Option{{"bucket", "2"}, {"changelog-producer", "lookup"}, {"deletion-vectors.enabled", "true"},
			{"index-file-in-data-file-dir", "true"}},
	},
	"dynamic-bucket": {
		Columns:     []Column{{Name: "p", Type: "INT NOT NULL"}, {Name: "id", Type: "INT NOT NULL"}, {Name: "v", Type: "STRING"}},
		PrimaryKeys: []string{"id"},
		Options:     []Option{{"bucket", "-1"}, {"changelog-producer", "input"}},
	},
}

// orphanScenario is a table with commits, compactions, a tag, a branch
// and a long-lived changelog, some of whose snapshot files were deleted
// by hand (as an expiry or a rollback would) so that the files only they
// referenced are orphans, with more orphans and decoys planted, and every
// file aged two days except the young decoys.
type orphanScenario struct {
	e   *castEnv
	tb  *Table
	dir string
	// files are the table's files (relative path → size) before cleanup;
	// orphans those a cleanup with the default threshold must delete.
	files   map[string]int64
	orphans []string
	// reads are the rows of every snapshot and tag that remains.
	reads map[string]string
}

func newOrphanScenario(t *testing.T, spec Spec) *orphanScenario {
	ctx := context.Background()
	e := newCastEnv(t, spec)
	for c := range 8 {
		e.writeKinds(fmt.Sprintf(`[{"p":%d,"id":%d,"v":"a%d"},{"p":%d,"id":%d,"v":"b%d"},{"p":1,"id":%d,"v":"c%d"}]`,
			c%2, c%3, c, 1+c%2, 10+c%4, c, 20+c, c))
		if c == 3 {
			e.writeKinds(`[{"p":0,"id":0,"v":null,"_ROW_KIND":"-D"},{"p":2,"id":10,"v":"u","_ROW_KIND":"+U"}]`)
		}
		if c == 4 {
			e.compact(CompactOptions{Full: true})
		}
	}
	tb := e.open()
	s := &orphanScenario{e: e, tb: tb, dir: tableDir(t, tb), reads: map[string]string{}}
	st := tb.Store()
	ids, err := snapshot.List(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	n := ids[len(ids)-1]
	if len(ids) < 8 || ids[0] != 1 {
		t.Fatalf("snapshots %v", ids)
	}
	// Every file is referenced before the manual changes.
	before := reachableFiles(t, tb)
	for _, f := range slices.Sorted(maps.Keys(dirFiles(t, s.dir))) {
		if !before[f] && !isMetadataFile(f) {
			t.Fatalf("%s is not referenced before the test made orphans", f)
		}
	}

	snap2, err := snapshot.Read(ctx, st, 2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := snapshot.CreateTag(ctx, st, "t2", snap2, snapshot.TagOptions{}); err != nil {
		t.Fatal(err)
	}
	for id := int64(5); id < n; id++ {
		s.reads[fmt.Sprint("snapshot ", id)] = s.mustRead(t, ScanOptions{SnapshotID: id})
	}
	s.reads["tag t2"] = s.mustRead(t, ScanOptions{SnapshotID: 2})
	copyKey := func(from, to string) {
		b, err := st.Read(ctx, from)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Write(ctx, to, b); err != nil {
			t.Fatal(err)
		}
	}
	// A long-lived changelog of snapshot 1, a branch from snapshot 4.
	copyKey(snapshot.SnapshotPath(1), snapshot.ChangelogPath(1))
	copyKey("schema/schema-0", "branch/branch-b/schema/schema-0")
	copyKey(snapshot.SnapshotPath(4), "branch/branch-b/"+snapshot.SnapshotPath(4))
	for _, id := range []int64{1, 2, 3, 4, n} {
		if err := st.Delete(ctx, snapshot.SnapshotPath(id)); err != nil {
			t.Fatal(err)
		}
	}
	// Paimon's expiry deletes the base list of a snapshot it keeps as a
	// long-lived changelog.
	snap1, err := snapshot.ReadChangelog(ctx, st, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Delete(ctx, manifest.Key(snap1.BaseManifestList)); err != nil {
		t.Fatal(err)
	}
	delete(before, manifest.Key(snap1.BaseManifestList))
	after := reachableFiles(t, tb)
	for f := range before {
		if !after[f] {
			s.orphans = append(s.orphans, f)
		}
	}
	if len(s.orphans) == 0 {
		t.Fatal("deleting snapshots made no orphans")
	}

	plant := func(p string) {
		f := filepath.Join(s.dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(f), 0o777); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, []byte("orphan "+p), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	id := func() string { return uuid.NewString() }
	bucket := "bucket-0"
	if len(spec.PartitionKeys) > 0 {
		bucket = "p=1/bucket-0"
	}
	orphans := []string{
		bucket + "/data-" + id() + "-0.parquet",
		bucket + "/data-" + id() + "-0.parquet.index",
		bucket + "/changelog-" + id() + "-0.parquet",
		bucket + "/index/index-" + id() + "-0",
		"manifest/manifest-" + id() + "-0",
		"manifest/manifest-list-" + id() + "-1",
		"manifest/index-manifest-" + id() + "-0",
		"index/index-" + id() + "-0",
		"statistics/stat-" + id() + "-0",
		bucket + "/.floe-" + id() + ".tmp",
		"manifest/.floe-" + id() + ".tmp",
		"snapshot/.floe-" + id() + ".tmp",
		"schema/.floe-" + id() + ".tmp",
		"branch/branch-b/tag/.floe-" + id() + ".tmp",
		"p=9/bucket-3/.floe-" + id() + ".tmp", // alone in its directory
		"snapshot/.snapshot-99." + id() + ".tmp",
		"schema/.schema-1." + id() + ".tmp",
		"tag/.tag-t2." + id() + ".tmp",
		"consumer/.consumer-c." + id() + ".tmp",
		"branch/branch-b/snapshot/.snapshot-5." + id() + ".tmp",
		"snapshot/junk",
		"changelog/junk",
	}
	for _, p := range orphans {
		plant(p)
	}
	s.orphans = append(s.orphans, orphans...)
	slices.Sort(s.orphans)
	// Decoys where orphans never are.
	for _, p := range []string{"schema/notes", "tag/notes", "README", "other/data-x.parquet", bucket + "/sub/data-x.parquet",
		"x/bucket-0/data-x.parquet", "consumer/consumer-c"} {
		plant(p)
	}
	// The table is two days old, then young decoys: orphans too recent.
	ageFiles(t, s.dir, 48*time.Hour)
	for _, p := range []string{bucket + "/data-" + id() + "-0.parquet", "manifest/manifest-" + id() + "-0",
		"snapshot/.floe-" + id() + ".tmp", "snapshot/young-junk"} {
		plant(p)
	}
	s.files = dirFiles(t, s.dir)
	return s
}

func (s *orphanScenario) mustRead(t *testing.T, so ScanOptions) string {
	t.Helper()
	rows, _, err := s.e.read(so)
	if err != nil {
		t.Fatalf("read %+v: %v", so, err)
	}
	return rows
}

// check: exactly the orphans are gone (want lists the paths deleted),
// every file a snapshot, tag, branch or changelog references is there,
// and every remaining snapshot and the tag read as before.
func (s *orphanScenario) check(t *testing.T, want []string) {
	t.Helper()
	got := dirFiles(t, s.dir)
	wantFiles := maps.Clone(s.files)
	for _, p := range want {
		delete(wantFiles, p)
	}
	if !maps.Equal(got, wantFiles) {
		var gone, extra []string
		for p := range wantFiles {
			if _, ok := got[p]; !ok {
				gone = append(gone, p)
			}
		}
		for p := range got {
			if _, ok := wantFiles[p]; !ok {
				extra = append(extra, p)
			}
		}
		slices.Sort(gone)
		slices.Sort(extra)
		t.Fatalf("files deleted that should be kept: %q\nfiles kept that should be deleted: %q", gone, extra)
	}
	for f := range reachableFiles(t, s.tb) {
		if _, ok := got[f]; !ok {
			t.Errorf("referenced file %s is gone", f)
		}
	}
	for what, rows := range s.reads {
		so := ScanOptions{Tag: "t2"}
		if id, ok := strings.CutPrefix(what, "snapshot "); ok {
			so = ScanOptions{}
			fmt.Sscan(id, &so.SnapshotID)
		}
		if got := s.mustRead(t, so); got != rows {
			t.Errorf("%s reads\n%s\nwant\n%s", what, got, rows)
		}
	}
}

func resultPaths(r *RemoveOrphansResult) []string {
	var out []string
	for _, f := range r.Files {
		out = append(out, f.Path)
	}
	return out
}

// dirFiles returns every regular file below dir (relative, slash
// separated) with its size, hidden files included.
func dirFiles(t *testing.T, dir string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil // deleted meanwhile (concurrent tests)
		}
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = fi.Size()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// ageFiles sets the modification time of every file below dir to age ago.
func ageFiles(t *testing.T, dir string, age time.Duration) {
	t.Helper()
	old := time.Now().Add(-age)
	for f := range dirFiles(t, dir) {
		if err := os.Chtimes(filepath.Join(dir, filepath.FromSlash(f)), old, old); err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Fatal(err)
		}
	}
}

// isMetadataFile: files no snapshot references by name (snapshots, tags,
// schemas, hints, consumers, changelog records, branches).
func isMetadataFile(p string) bool {
	for _, d := range []string{"snapshot/", "schema/", "tag/", "consumer/", "changelog/", "branch/"} {
		if strings.HasPrefix(p, d) {
			return true
		}
	}
	return false
}

// reachableFiles returns the paths of the files the snapshots, tags and
// long-lived changelogs of every branch reference, found the way readers
// find them (partition and bucket paths, index file locations), not by
// name. A long-lived changelog may have lost its base and delta lists.
func reachableFiles(t *testing.T, tb *Table) map[string]bool {
	t.Helper()
	out, err := reachable(context.Background(), tb, nil)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// reachable is reachableFiles over the sources that skip (if not nil)
// does not reject (by path relative to the table root).
func reachable(ctx context.Context, tb *Table, skip func(path string) bool) (map[string]bool, error) {
	root := tb.Store()
	out := map[string]bool{}
	visit := func(s *snapshot.Snapshot, record bool) error {
		lists := []string{s.BaseManifestList, s.DeltaManifestList}
		if s.ChangelogManifestList != nil {
			lists = append(lists, *s.ChangelogManifestList)
		}
		for _, l := range lists {
			metas, err := manifest.ReadList(ctx, root, l)
			if record && errors.Is(err, storage.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			out[manifest.Key(l)] = true
			for _, m := range metas {
				out[manifest.Key(m.FileName)] = true
				es, err := manifest.ReadManifest(ctx, root, m.FileName)
				if err != nil {
					return err
				}
				for _, e := range es {
					dir, err := tb.BucketPath(e.Partition, e.Bucket)
					if err != nil {
						return err
					}
					for _, f := range append([]string{e.File.FileName}, e.File.ExtraFiles...) {
						out[path.Join(dir, f)] = true
					}
				}
			}
		}
		if s.IndexManifest != nil {
			es, err := manifest.ReadIndexManifest(ctx, root, *s.IndexManifest)
			if record && errors.Is(err, storage.ErrNotFound) {
				return nil
			}
			if err != nil {
				return err
			}
			out[manifest.Key(*s.IndexManifest)] = true
			for _, e := range es {
				out[tb.indexKey(e.Partition, e.Bucket, e.FileName)] = true
			}
		}
		if s.Statistics != nil {
			out["statistics/"+*s.Statistics] = true
		}
		return nil
	}
	branches, err := root.ListDir(ctx, "branch")
	if err != nil {
		return nil, err
	}
	for _, b := range append([]string{""}, branches...) {
		prefix := strings.TrimSuffix("branch/"+b, "branch/")
		st := root.Sub(prefix)
		use := func(p string) bool { return skip == nil || !skip(prefix+p) }
		ids, err := snapshot.List(ctx, st)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if !use(snapshot.SnapshotPath(id)) {
				continue
			}
			s, err := snapshot.Read(ctx, st, id)
			if err == nil {
				err = visit(s, false)
			}
			if err != nil {
				return nil, err
			}
		}
		tags, err := snapshot.Tags(ctx, st)
		if err != nil {
			return nil, err
		}
		for _, tag := range tags {
			if !use(snapshot.TagPath(tag.Name)) {
				continue
			}
			if err := visit(&tag.Snapshot, false); err != nil {
				return nil, err
			}
		}
		ids, err = snapshot.ListChangelogs(ctx, st)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if !use(snapshot.ChangelogPath(id)) {
				continue
			}
			s, err := snapshot.ReadChangelog(ctx, st, id)
			if err == nil {
				err = visit(s, true)
			}
			if err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// TestRemoveOrphanFiles: on tables with commits, compactions, a tag, a
// branch, a long-lived changelog and snapshot files deleted by hand, a dry
// run lists exactly the orphans (the files only the deleted snapshots
// referenced, and the planted ones: uncommitted data, index and
// manifest files, temporary files of floe and Paimon, junk in snapshot/
// and changelog/) and deletes nothing; the cleanup then deletes exactly
// them, every remaining snapshot, tag, branch and changelog still reads,
// and a second cleanup finds nothing.
func TestRemoveOrphanFiles(t *testing.T) {
	for name, spec := range orphanSpecs {
		t.Run(name, func(t *testing.T) {
			s := newOrphanScenario(t, spec)
			ctx := context.Background()
			res, err := s.tb.RemoveOrphanFiles(ctx, RemoveOrphansOptions{DryRun: true})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%d candidates, %d sources, %d names referenced; orphans:\n%s", res.Candidates, res.Sources, res.Referenced, strings.Join(s.orphans, "\n"))
			if got := resultPaths(res); !slices.Equal(got, s.orphans) {
				t.Fatalf("dry run lists\n%q\nwant\n%q", got, s.orphans)
			}
			if !res.DryRun || res.Sources == 0 || res.Referenced == 0 || res.Candidates <= len(s.orphans) {
				t.Errorf("dry run result %+v", res)
			}
			var bytes int64
			for _, f := range res.Files {
				bytes += s.files[f.Path]
				if f.Size != s.files[f.Path] || f.Temp != strings.Contains(f.Path, "/.floe-") || time.Since(f.ModTime) < 47*time.Hour {
					t.Errorf("dry run lists %+v", f)
				}
			}
			if res.Bytes != bytes {
				t.Errorf("dry run: %d bytes, want %d", res.Bytes, bytes)
			}
			s.check(t, nil)

			res, err = s.tb.RemoveOrphanFiles(ctx, RemoveOrphansOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := resultPaths(res); !slices.Equal(got, s.orphans) || res.Bytes != bytes || res.DryRun {
				t.Fatalf("deleted %q (%d bytes)\nwant %q (%d bytes)", got, res.Bytes, s.orphans, bytes)
			}
			s.check(t, s.orphans)

			res, err = s.tb.RemoveOrphanFiles(ctx, RemoveOrphansOptions{})
			if err != nil || len(res.Files) != 0 {
				t.Fatalf("second run: %+v, %v", res, err)
			}
		})
	}
}

// fastRefsRetries makes the reference collection look for missing files
// again without waiting long.
func fastRefsRetries(t *testing.T) {
	old := refsRetryWait
	refsRetryWait = time.Millisecond
	t.Cleanup(func() { refsRetryWait = old })
}

// synthFile is data-file metadata for a file that need not exist.
func synthFile(name string, extra ...string) manifest.DataFile {
	empty := binrow.Serialize(0, binrow.EmptyRow())
	return manifest.DataFile{FileName: name, FileSize: 1, RowCount: 1, MinKey: empty, MaxKey: empty,
		KeyStats:   manifest.SimpleStats{Min: empty, Max: empty, NullCounts: []*int64{}},
		ValueStats: manifest.SimpleStats{Min: empty, Max: empty, NullCounts: []*int64{}},
		ExtraFiles: append([]string{}, extra...)}
}

// writeSynthSnapshot writes manifests of entries (one manifest per
// slice) listed by one base list, an index manifest naming indexFiles,
// and snapshot id with a statistics file, into st.
func writeSynthSnapshot(t *testing.T, st *storage.Store, id int64, manifests [][]manifest.Entry, indexFiles []string) *snapshot.Snapshot {
	t.Helper()
	ctx := context.Background()
	empty := binrow.Serialize(0, binrow.EmptyRow())
	var metas []manifest.FileMeta
	for i, es := range manifests {
		name := fmt.Sprintf("manifest-s%d-%d", id, i)
		size, err := manifest.WriteManifest(ctx, st, name, es, manifest.EncodeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		m := manifest.FileMeta{FileName: name, FileSize: size, PartitionStats: manifest.SimpleStats{Min: empty, Max: empty, NullCounts: []*int64{}}}
		for _, e := range es {
			if e.Kind == manifest.Add {
				m.NumAddedFiles++
			} else {
				m.NumDeletedFiles++
			}
		}
		metas = append(metas, m)
	}
	base, delta, index := fmt.Sprintf("manifest-list-s%d-0", id), fmt.Sprintf("manifest-list-s%d-1", id), fmt.Sprintf("index-manifest-s%d-0", id)
	for _, l := range []struct {
		name  string
		metas []manifest.FileMeta
	}{{base, metas}, {delta, nil}} {
		if _, err := manifest.WriteList(ctx, st, l.name, l.metas, manifest.EncodeOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	var ies []manifest.IndexEntry
	for _, f := range indexFiles {
		ies = append(ies, manifest.IndexEntry{Kind: manifest.Add, Partition: empty, IndexType: manifest.IndexHash, FileName: f, FileSize: 1, RowCount: 1})
	}
	if _, err := manifest.WriteIndexManifest(ctx, st, index, ies, manifest.EncodeOptions{}); err != nil {
		t.Fatal(err)
	}
	stats := fmt.Sprintf("stat-s%d-0", id)
	s := &snapshot.Snapshot{Version: snapshot.CurrentVersion, ID: id, BaseManifestList: base, DeltaManifestList: delta,
		IndexManifest: &index, Statistics: &stats, CommitUser: "u", CommitKind: snapshot.KindAppend, TimeMillis: 1}
	b, err := s.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Write(ctx, snapshot.SnapshotPath(id), b); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestCollectRefs: the names collected are the lists, manifests, data
// files of ADD and DELETE entries with their extra files, index manifest,
// index files and statistics file of every snapshot, and nothing else. A
// manifest that cannot be read for a moment is read again; one that a
// snapshot still needs and stays missing fails the collection (naming
// both), unless that snapshot is gone (expired) by the next listing.
func TestCollectRefs(t *testing.T) {
	fastRefsRetries(t)
	ctx := context.Background()
	st, err := storage.Open(ctx, "mem://")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	add := func(f manifest.DataFile) manifest.Entry {
		return manifest.Entry{Kind: manifest.Add, Partition: binrow.Serialize(0, binrow.EmptyRow()), File: f}
	}
	del := func(f manifest.DataFile) manifest.Entry { e := add(f); e.Kind = manifest.Delete; return e }
	writeSynthSnapshot(t, st, 1, [][]manifest.Entry{{add(synthFile("data-a.parquet", "data-a.parquet.index"))}}, []string{"index-a"})
	writeSynthSnapshot(t, st, 2, [][]manifest.Entry{
		{add(synthFile("data-a.parquet", "data-a.parquet.index"))},
		{del(synthFile("data-a.parquet", "data-a.parquet.index")), add(synthFile("data-b.parquet"))},
	}, []string{"index-b"})
	want := []string{
		"data-a.parquet", "data-a.parquet.index", "data-b.parquet", "index-a", "index-b",
		"index-manifest-s1-0", "index-manifest-s2-0", "manifest-list-s1-0", "manifest-list-s1-1",
		"manifest-list-s2-0", "manifest-list-s2-1", "manifest-s1-0", "manifest-s2-0", "manifest-s2-1",
		"stat-s1-0", "stat-s2-0",
	}
	collect := func(st *storage.Store) ([]string, error) {
		c, err := collectRefs(ctx, st)
		if err != nil {
			return nil, err
		}
		return slices.Sorted(maps.Keys(c.names)), nil
	}
	if got, err := collect(st); err != nil || !slices.Equal(got, want) {
		t.Fatalf("names = %q, %v\nwant %q", got, err, want)
	}

	// A manifest not found once is read again.
	var faults storage.Faults
	faults.Add(storage.Fault{Op: storage.OpRead, Key: "manifest/manifest-s2-1", Err: storage.ErrNotFound, Times: 1})
	if got, err := collect(storage.WithFaults(st, &faults)); err != nil || !slices.Equal(got, want) || faults.Fired() != 1 {
		t.Fatalf("after a transient miss: names = %q, %v (%d faults)", got, err, faults.Fired())
	}
	// So is a snapshot file.
	faults.Add(storage.Fault{Op: storage.OpRead, Key: "snapshot-2", Err: storage.ErrNotFound, Times: 1})
	if got, err := collect(storage.WithFaults(st, &faults)); err != nil || !slices.Equal(got, want) || faults.Fired() != 2 {
		t.Fatalf("after a transient miss of a snapshot: names = %q, %v (%d faults)", got, err, faults.Fired())
	}
	// Missing, and while the collection waits to look again, snapshot 2
	// expires: its manifests are no one's concern any more.
	func() {
		defer func(w time.Duration) { refsRetryWait = w }(refsRetryWait)
		refsRetryWait = time.Second
		st2, err := storage.Open(ctx, "mem://")
		if err != nil {
			t.Fatal(err)
		}
		defer st2.Close()
		writeSynthSnapshot(t, st2, 1, [][]manifest.Entry{{add(synthFile("data-a.parquet"))}}, nil)
		writeSynthSnapshot(t, st2, 2, [][]manifest.Entry{{add(synthFile("data-b.parquet"))}}, nil)
		var faults storage.Faults
		faults.Add(storage.Fault{Op: storage.OpRead, Key: "manifest/manifest-s2-0", Err: storage.ErrNotFound, Times: 1})
		done := make(chan error, 1)
		go func() {
			for faults.Fired() == 0 {
				time.Sleep(time.Millisecond)
			}
			time.Sleep(100 * time.Millisecond)
			err := st2.Delete(ctx, snapshot.SnapshotPath(2))
			if err == nil {
				err = st2.Delete(ctx, manifest.Key("manifest-s2-0"))
			}
			done <- err
		}()
		c, err := collectRefs(ctx, storage.WithFaults(st2, &faults))
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if err != nil {
			t.Fatalf("snapshot expired during the collection: %v", err)
		}
		if c.Vanished != 1 || !c.has("data-a.parquet") || c.has("data-b.parquet") {
			t.Fatalf("snapshot expired during the collection: %v, %d vanished, %v %v, %d faults", err, c.Vanished, c.has("data-a.parquet"), c.has("data-b.parquet"), faults.Fired())
		}
	}()

	// Missing for good while snapshot 2 needs it: the table is damaged.
	if err := st.Delete(ctx, manifest.Key("manifest-s2-1")); err != nil {
		t.Fatal(err)
	}
	_, err = collect(st)
	if !errors.Is(err, storage.ErrNotFound) || !strings.Contains(err.Error(), "manifest-s2-1, which snapshot/snapshot-2 needs") {
		t.Fatalf("missing manifest: %v", err)
	}
	// Gone with its snapshot: fine (snapshot 1 keeps data-a).
	if err := st.Delete(ctx, snapshot.SnapshotPath(2)); err != nil {
		t.Fatal(err)
	}
	want = []string{"data-a.parquet", "data-a.parquet.index", "index-a", "index-manifest-s1-0", "manifest-list-s1-0",
		"manifest-list-s1-1", "manifest-s1-0", "stat-s1-0"}
	if got, err := collect(st); err != nil || !slices.Equal(got, want) {
		t.Fatalf("names = %q, %v\nwant %q", got, err, want)
	}
}

// TestRemoveOrphanFilesThreshold: a threshold in the future is refused
// with a typed error; only files older than the threshold go.
func TestRemoveOrphanFilesThreshold(t *testing.T) {
	s := newOrphanScenario(t, orphanSpecs["dynamic-bucket"])
	ctx := context.Background()
	_, err := s.tb.RemoveOrphanFiles(ctx, RemoveOrphansOptions{OlderThan: -time.Second})
	var te *OrphanThresholdError
	if !errors.As(err, &te) || te.OlderThan != -time.Second || !errors.Is(err, ErrOrphanThreshold) {
		t.Fatalf("negative threshold: %v", err)
	}
	res, err := s.tb.RemoveOrphanFiles(ctx, RemoveOrphansOptions{OlderThan: 72 * time.Hour})
	if err != nil || len(res.Files) != 0 || time.Since(res.Cutoff) < 72*time.Hour {
		t.Fatalf("older than 3 days: %+v, %v", res, err)
	}
	s.check(t, nil)
	// A minute: the young decoys are younger still.
	res, err = s.tb.RemoveOrphanFiles(ctx, RemoveOrphansOptions{OlderThan: time.Minute})
	if got := resultPaths(res); err != nil || !slices.Equal(got, s.orphans) {
		t.Fatalf("older than a minute: %q, %v", got, err)
	}
	s.check(t, s.orphans)
}

// TestRemoveOrphanFilesErrors: a listing or read error, or a metadata file
// that a remaining snapshot needs and that is missing, stops the cleanup
// before it deletes anything; a manifest that is missing for a moment is
// read again; a delete error stops the deletions and reports what was
// deleted.
func TestRemoveOrphanFilesErrors(t *testing.T) {
	fastRefsRetries(t)
	s := newOrphanScenario(t, orphanSpecs["partitioned-dv"])
	ctx := context.Background()
	var faults storage.Faults
	tb, err := OpenStore(ctx, storage.WithFaults(s.tb.Store(), &faults))
	if err != nil {
		t.Fatal(err)
	}
	remaining, err := snapshot.Latest(ctx, tb.Store())
	if err != nil {
		t.Fatal(err)
	}
	metas, err := manifest.ReadList(ctx, tb.Store(), remaining.BaseManifestList)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []storage.Fault{
		// Listing the files.
		{Op: storage.OpList, Key: "p=2/bucket-1"},
		{Op: storage.OpList, Key: "manifest/"},
		{Op: storage.OpList, Key: "branch"},
		{Op: storage.OpList, Key: "", Phase: storage.After, Times: 1},
		// Listing the snapshots and tags (main, then branch b, after the
		// two listings of their files), in the first and second round.
		{Op: storage.OpList, Key: "tag", Skip: 2},
		{Op: storage.OpList, Key: "changelog", Skip: 3},
		{Op: storage.OpList, Key: "snapshot", Skip: 2},
		{Op: storage.OpList, Key: "snapshot", Skip: 4},
		{Op: storage.OpList, Key: "branch", Skip: 6}, // after the branch's 5 directories
		// Reading them.
		{Op: storage.OpRead, Key: remaining.BaseManifestList},
		{Op: storage.OpRead, Key: metas[0].FileName},
		{Op: storage.OpRead, Key: "tag-t2"},
		{Op: storage.OpRead, Key: "changelog-1"},
		{Op: storage.OpRead, Key: "snapshot/snapshot-4"}, // in branch b (keys relative to it)
		{Op: storage.OpRead, Key: *remaining.IndexManifest},
	} {
		faults.Clear()
		faults.Add(f)
		fired := faults.Fired()
		_, err := tb.RemoveOrphanFiles(ctx, RemoveOrphansOptions{})
		if !errors.Is(err, storage.ErrInjected) || faults.Fired() != fired+1 {
			t.Errorf("fault %+v: %v", f, err)
		}
		if !maps.Equal(dirFiles(t, s.dir), s.files) {
			t.Fatalf("fault %+v: files changed", f)
		}
	}
	faults.Clear()

	// Damage: a manifest the latest snapshot needs is gone.
	p := filepath.Join(s.dir, "manifest", metas[0].FileName)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	_, err = tb.RemoveOrphanFiles(ctx, RemoveOrphansOptions{})
	if !errors.Is(err, storage.ErrNotFound) || !strings.Contains(err.Error(), metas[0].FileName) {
		t.Fatalf("missing manifest: %v", err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(dirFiles(t, s.dir), s.files) {
		t.Fatal("missing manifest: files changed")
	}

	// A delete that fails stops the deletions.
	faults.Add(storage.Fault{Op: storage.OpDelete, Key: s.orphans[len(s.orphans)/2], Times: 1})
	res, err := tb.RemoveOrphanFiles(ctx, RemoveOrphansOptions{})
	if !errors.Is(err, storage.ErrInjected) || res == nil || len(res.Files) >= len(s.orphans) {
		t.Fatalf("failing delete: %v, %+v", err, res)
	}
	for _, f := range res.Files {
		if _, err := os.Stat(filepath.Join(s.dir, f.Path)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s reported deleted: %v", f.Path, err)
		}
	}

	// The data files of the changelog of a remaining snapshot, missing for a
	// moment: read again, kept.
	var clList string
	for id := remaining.ID; id > 0 && clList == ""; id-- {
		if sn, err := snapshot.Read(ctx, tb.Store(), id); err == nil && sn.ChangelogManifestList != nil {
			clList = *sn.ChangelogManifestList
		}
	}
	if clList == "" {
		t.Fatal("no remaining snapshot has changelog")
	}
	cl, err := manifest.ReadList(ctx, tb.Store(), clList)
	if err != nil || len(cl) == 0 {
		t.Fatal(cl, err)
	}
	faults.Clear()
	faults.Add(storage.Fault{Op: storage.OpRead, Key: "manifest/" + cl[0].FileName, Err: storage.ErrNotFound, Times: 1})
	fired := faults.Fired()
	if _, err := tb.RemoveOrphanFiles(ctx, RemoveOrphansOptions{}); err != nil || faults.Fired() != fired+1 {
		t.Fatalf("transient miss: %v, %d faults", err, faults.Fired()-fired)
	}
	s.check(t, s.orphans)
}

// TestRemoveOrphanFilesConcurrent: cleanups run back to back while a
// writer commits (with compactions and a tag) and an expiry deletes the
// oldest snapshots and the files only they referenced, and readers read
// the latest snapshot and the tag. Right after each commit the writer
// makes every file of the table two days old, so the files of a snapshot
// are candidates as soon as it exists: only the order (files listed
// before the snapshots are) keeps them. Files of a commit in flight are
// younger than the threshold (30 s). No commit, read or cleanup fails,
// every file a snapshot or tag references exists at the end, the table
// holds every row written, and the planted orphans are gone.
func TestRemoveOrphanFilesConcurrent(t *testing.T) {
	ctx := context.Background()
	e := newCastEnv(t, orphanSpecs["partitioned-dv"])
	tb := e.open()
	dir := tableDir(t, tb)
	st := tb.Store()
	model := map[string]string{}
	commit := func(i int) error {
		var rows []string
		for _, r := range [][3]int{{i % 3, i % 5, i}, {(i + 1) % 3, 10 + i%4, i}} {
			rows = append(rows, fmt.Sprintf(`{"p":%d,"id":%d,"v":"v%d"}`, r[0], r[1], r[2]))
			model[fmt.Sprintf("%d %d", r[0], r[1])] = fmt.Sprintf("v%d", r[2])
		}
		sc, err := tb.Schema().ArrowSchema()
		if err != nil {
			return err
		}
		rec, _, err := array.RecordFromJSON(e.alloc, sc, strings.NewReader("["+strings.Join(rows, ",")+"]"))
		if err != nil {
			return err
		}
		defer rec.Release()
		w, err := tb.NewWriter(ctx, WriterOptions{Alloc: e.alloc, SpillDir: t.TempDir()})
		if err != nil {
			return err
		}
		defer w.Close()
		if err := w.Write(ctx, rec); err != nil {
			return err
		}
		msgs, err := w.Prepare(ctx)
		if err != nil {
			return err
		}
		_, err = tb.Commit(ctx, msgs, CommitOptions{})
		return err
	}
	want := func() string {
		var out []string
		for k, v := range model {
			out = append(out, k+" "+v)
		}
		slices.Sort(out)
		return strings.Join(out, "\n")
	}
	for i := range 3 {
		if err := commit(i); err != nil {
			t.Fatal(err)
		}
	}
	latest, err := snapshot.Latest(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := snapshot.CreateTag(ctx, st, "t", latest, snapshot.TagOptions{}); err != nil {
		t.Fatal(err)
	}
	tagRows := want()
	planted := []string{"p=1/bucket-0/data-" + uuid.NewString() + "-0.parquet", "manifest/manifest-" + uuid.NewString() + "-0",
		"p=2/bucket-1/.floe-" + uuid.NewString() + ".tmp"}
	for _, p := range planted {
		f := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(f), 0o777); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, []byte("orphan"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ageFiles(t, dir, 48*time.Hour)

	stop := make(chan struct{})
	errs := make(chan error, 64)
	var wg sync.WaitGroup
	var cleanups, expired, deleted atomic.Int64
	loop := func(what string, fn func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if err := fn(); err != nil {
					errs <- fmt.Errorf("%s: %w", what, err)
					return
				}
			}
		}()
	}
	loop("cleanup", func() error {
		time.Sleep(5 * time.Millisecond)
		res, err := tb.RemoveOrphanFiles(ctx, RemoveOrphansOptions{OlderThan: 30 * time.Second})
		if err == nil {
			cleanups.Add(1)
			deleted.Add(int64(len(res.Files)))
		}
		return err
	})
	loop("expiry", func() error {
		time.Sleep(20 * time.Millisecond)
		ids, err := snapshot.List(ctx, st)
		if err != nil || len(ids) <= 6 {
			return err
		}
		oldest := snapshot.SnapshotPath(ids[0])
		mine, err := reachable(ctx, tb, func(p string) bool { return p != oldest })
		if err != nil {
			return err
		}
		others, err := reachable(ctx, tb, func(p string) bool { return p == oldest })
		if err != nil {
			return err
		}
		if err := st.Delete(ctx, oldest); err != nil {
			return err
		}
		for f := range mine {
			if !others[f] {
				if err := st.Delete(ctx, f); err != nil && !errors.Is(err, storage.ErrNotFound) {
					return err
				}
			}
		}
		expired.Add(1)
		return nil
	})
	loop("read", func() error {
		time.Sleep(10 * time.Millisecond)
		for _, so := range []ScanOptions{{}, {Tag: "t"}} {
			plan, err := tb.NewScan(ctx, so)
			if err != nil {
				return err
			}
			for _, sp := range plan.Splits {
				rr, err := tb.Read(ctx, sp, ReadOptions{Alloc: e.alloc})
				if err != nil {
					return err
				}
				for rr.Next() {
				}
				err = rr.Err()
				rr.Release()
				if err != nil {
					return err
				}
			}
		}
		return nil
	})
	var failed error
	for i := 3; i < 18 && failed == nil; i++ {
		select {
		case failed = <-errs:
			continue
		default:
		}
		if err := commit(i); err != nil {
			failed = fmt.Errorf("commit %d: %w", i, err)
			break
		}
		if i%6 == 0 {
			if _, err := tb.Compact(ctx, CompactOptions{Alloc: e.alloc}); err != nil {
				failed = fmt.Errorf("compact: %w", err)
				break
			}
		}
		ageFiles(t, dir, 48*time.Hour)
	}
	close(stop)
	wg.Wait()
	close(errs)
	if failed != nil {
		t.Fatal(failed)
	}
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		return
	}
	if _, err := tb.RemoveOrphanFiles(ctx, RemoveOrphansOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d cleanups deleted %d files; %d snapshots expired", cleanups.Load(), deleted.Load(), expired.Load())
	if cleanups.Load() < 2 || expired.Load() == 0 {
		t.Errorf("%d cleanups, %d expiries: the race was not run", cleanups.Load(), expired.Load())
	}
	files := dirFiles(t, dir)
	for f := range reachableFiles(t, tb) {
		if _, ok := files[f]; !ok {
			t.Errorf("referenced file %s is gone", f)
		}
	}
	for _, p := range planted {
		if _, ok := files[p]; ok {
			t.Errorf("orphan %s is still there", p)
		}
	}
	if got := e.rows(); got != want() {
		t.Errorf("the table holds\n%s\nwant\n%s", got, want())
	}
	if got, _, err := e.read(ScanOptions{Tag: "t"}); err != nil || got != tagRows {
		t.Errorf("tag t: %v\n%s\nwant\n%s", err, got, tagRows)
	}
}
