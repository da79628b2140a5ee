package table

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/floelake/floe/catalog"
	"github.com/floelake/floe/internal/binrow"
	"github.com/floelake/floe/manifest"
	"github.com/floelake/floe/schema"
	"github.com/floelake/floe/snapshot"
	"github.com/floelake/floe/storage"
)

// commitEnv is a table in a temporary warehouse: pk (k INT) partitioned by
// p INT, with a value column.
type commitEnv struct {
	t     *testing.T
	dir   string
	cat   *catalog.Catalog
	id    catalog.Identifier
	tbl   *Table
	pk    bool
	seq   int
	model map[string]manifest.Entry // identity -> live entry
}

func newCommitEnv(t *testing.T, pk bool, opts ...string) *commitEnv {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	cat, err := catalog.Open(ctx, dir, catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	if err := cat.CreateDatabase(ctx, "db", true); err != nil {
		t.Fatal(err)
	}
	fields := []schema.Field{
		{Name: "p", Type: schema.NewInt()},
		{Name: "k", Type: schema.NewInt()},
		{Name: "v", Type: schema.MustParseType("STRING")},
	}
	var pks []string
	if pk {
		pks = []string{"p", "k"}
	}
	o := append([]string{"bucket", "4"}, opts...)
	s, err := schema.NewTable(fields, []string{"p"}, pks, schema.NewOptions(o...))
	if err != nil {
		t.Fatal(err)
	}
	id := catalog.Identifier{Database: "db", Table: "t"}
	if err := cat.CreateTable(ctx, id, s, false); err != nil {
		t.Fatal(err)
	}
	tbl, err := OpenIn(ctx, cat, id)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tbl.Close() })
	return &commitEnv{t: t, dir: dir, cat: cat, id: id, tbl: tbl, pk: pk, model: map[string]manifest.Entry{}}
}

func (e *commitEnv) open() *Table {
	tbl, err := OpenIn(context.Background(), e.cat, e.id)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { tbl.Close() })
	return tbl
}

func partRow(t testing.TB, p int32) []byte {
	if t == nil {
		t = panicTB{}
	}
	raw, err := binrow.Encode([]schema.DataType{schema.NewInt()}, []any{p})
	if err != nil {
		t.Fatal(err)
	}
	return binrow.Serialize(1, raw)
}

func keyRow(t testing.TB, vals ...int32) []byte {
	types := make([]schema.DataType, len(vals))
	anys := make([]any, len(vals))
	for i, v := range vals {
		types[i] = schema.NewInt().WithNotNull(true)
		anys[i] = v
	}
	raw, err := binrow.Encode(types, anys)
	if err != nil {
		t.Fatal(err)
	}
	return binrow.Serialize(len(vals), raw)
}

// file makes synthetic file metadata.
func (e *commitEnv) file(level int32, minK, maxK int32, rows int64) manifest.DataFile {
	e.seq++
	src := manifest.FileSourceAppend
	ct := time.Now().UnixMilli()
	f := manifest.DataFile{
		FileName:          fmt.Sprintf("data-%d-%d.parquet", e.seq, rand.Int()),
		FileSize:          1000 + rows,
		RowCount:          rows,
		MinKey:            binrow.Serialize(0, binrow.EmptyRow()),
		MaxKey:            binrow.Serialize(0, binrow.EmptyRow()),
		KeyStats:          manifest.SimpleStats{Min: binrow.Serialize(0, binrow.EmptyRow()), Max: binrow.Serialize(0, binrow.EmptyRow()), NullCounts: []*int64{}},
		ValueStats:        manifest.SimpleStats{Min: binrow.Serialize(0, binrow.EmptyRow()), Max: binrow.Serialize(0, binrow.EmptyRow()), NullCounts: []*int64{}},
		MinSequenceNumber: 0,
		MaxSequenceNumber: rows - 1,
		Level:             level,
		ExtraFiles:        []string{},
		CreationTime:      &ct,
		FileSource:        &src,
	}
	if e.pk {
		f.MinKey, f.MaxKey = keyRow(e.t, minK), keyRow(e.t, maxK)
	}
	return f
}

func msgFor(t testing.TB, p, bucket int32) CommitMessage {
	return CommitMessage{Partition: partRow(t, p), Bucket: bucket, TotalBuckets: 4}
}

// apply updates the model with a successful commit of msgs.
func (e *commitEnv) apply(msgs []CommitMessage) {
	for _, m := range msgs {
		ent := func(f manifest.DataFile) manifest.Entry {
			return manifest.Entry{Kind: manifest.Add, Partition: m.Partition, Bucket: m.Bucket, TotalBuckets: m.TotalBuckets, File: f}
		}
		for _, f := range append(append([]manifest.DataFile(nil), m.DeletedFiles...), m.CompactBefore...) {
			en := ent(f)
			delete(e.model, en.Identity())
		}
		for _, f := range append(append([]manifest.DataFile(nil), m.NewFiles...), m.CompactAfter...) {
			en := ent(f)
			e.model[en.Identity()] = en
		}
	}
}

// check compares the live files of the latest snapshot with the model and
// verifies every snapshot's lists and sizes.
func (e *commitEnv) check(tbl *Table) {
	e.t.Helper()
	ctx := context.Background()
	snaps, err := tbl.Snapshots(ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	for i, s := range snaps {
		if s.ID != int64(i+1) {
			e.t.Fatalf("snapshot ids not dense: %d at %d", s.ID, i)
		}
		checkSnapshotFiles(e.t, tbl.Store(), s)
	}
	var got []string
	if len(snaps) > 0 {
		files, _, err := tbl.Files(ctx, 0)
		if err != nil {
			e.t.Fatal(err)
		}
		for _, f := range files {
			got = append(got, f.Entry.Identity())
		}
	}
	var want []string
	for k := range e.model {
		want = append(want, k)
	}
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		e.t.Fatalf("live files differ from model: got %d files, want %d", len(got), len(want))
	}
	if len(snaps) > 0 {
		var rows int64
		for _, en := range e.model {
			rows += en.File.RowCount
		}
		if last := snaps[len(snaps)-1]; last.TotalRecordCount != rows {
			e.t.Fatalf("totalRecordCount %d, model %d", last.TotalRecordCount, rows)
		}
	}
}

// checkSnapshotFiles verifies that list sizes are exact and every manifest
// named exists with the recorded size and entry counts.
func checkSnapshotFiles(t *testing.T, st *storage.Store, s *snapshot.Snapshot) {
	t.Helper()
	ctx := context.Background()
	lists := []struct {
		name string
		size *int64
	}{{s.BaseManifestList, s.BaseManifestListSize}, {s.DeltaManifestList, s.DeltaManifestListSize}}
	if s.ChangelogManifestList != nil {
		lists = append(lists, struct {
			name string
			size *int64
		}{*s.ChangelogManifestList, s.ChangelogManifestListSize})
	}
	for _, l := range lists {
		n, err := st.Size(ctx, manifest.Key(l.name))
		if err != nil {
			t.Fatalf("snapshot %d: list %s: %v", s.ID, l.name, err)
		}
		if l.size == nil || *l.size != n {
			t.Fatalf("snapshot %d: list %s size %v, file %d", s.ID, l.name, l.size, n)
		}
		metas, err := manifest.ReadList(ctx, st, l.name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range metas {
			n, err := st.Size(ctx, manifest.Key(m.FileName))
			if err != nil || n != m.FileSize {
				t.Fatalf("manifest %s: size %d recorded %d (%v)", m.FileName, n, m.FileSize, err)
			}
			entries, err := manifest.ReadManifest(ctx, st, m.FileName)
			if err != nil {
				t.Fatal(err)
			}
			var add, del int64
			for _, e := range entries {
				checkPartitionInStats(t, m, e.Partition)
				if e.Kind == manifest.Add {
					add++
				} else {
					del++
				}
			}
			if add != m.NumAddedFiles || del != m.NumDeletedFiles {
				t.Fatalf("manifest %s: %d/%d entries, meta says %d/%d", m.FileName, add, del, m.NumAddedFiles, m.NumDeletedFiles)
			}
		}
	}
	if s.IndexManifest != nil {
		if _, err := manifest.ReadIndexManifest(ctx, st, *s.IndexManifest); err != nil {
			t.Fatal(err)
		}
	}
}

func (e *commitEnv) commit(tbl *Table, msgs []CommitMessage, opts CommitOptions) *CommitResult {
	e.t.Helper()
	res, err := tbl.Commit(context.Background(), msgs, opts)
	if err != nil {
		e.t.Fatal(err)
	}
	e.apply(msgs)
	return res
}

func TestCommitAppendSequence(t *testing.T) {
	e := newCommitEnv(t, false)
	for i := 0; i < 5; i++ {
		m := msgFor(t, int32(i%2), int32(i%4))
		m.NewFiles = []manifest.DataFile{e.file(0, 0, 0, 10), e.file(0, 0, 0, 5)}
		res := e.commit(e.tbl, []CommitMessage{m}, CommitOptions{})
		if len(res.Snapshots) != 1 || res.Snapshots[0].CommitKind != snapshot.KindAppend || res.Snapshots[0].ID != int64(i+1) {
			t.Fatalf("commit %d: %+v", i, res.Snapshots)
		}
		e.check(e.tbl)
	}
	// An empty commit publishes nothing.
	res, err := e.tbl.Commit(context.Background(), nil, CommitOptions{})
	if err != nil || len(res.Snapshots) != 0 {
		t.Fatalf("empty commit: %v %v", res, err)
	}
	s, err := e.tbl.Snapshot(context.Background(), 0)
	if err != nil || s.ID != 5 || s.DeltaRecordCount != 15 || s.TotalRecordCount != 75 {
		t.Fatalf("latest: %+v %v", s, err)
	}
}

func TestCommitCompactAndDelete(t *testing.T) {
	e := newCommitEnv(t, true)
	ctx := context.Background()
	m := msgFor(t, 1, 0)
	a, b := e.file(0, 1, 10, 10), e.file(0, 5, 20, 10)
	m.NewFiles = []manifest.DataFile{a, b}
	e.commit(e.tbl, []CommitMessage{m}, CommitOptions{CommitUser: "u", Identifier: 1})

	// New file plus a compaction of a and b into one level-1 file: two
	// snapshots with the same identity.
	m2 := msgFor(t, 1, 0)
	c := e.file(0, 30, 40, 3)
	m2.NewFiles = []manifest.DataFile{c}
	m2.CompactBefore = []manifest.DataFile{a, b}
	m2.CompactAfter = []manifest.DataFile{e.file(1, 1, 20, 18)}
	res := e.commit(e.tbl, []CommitMessage{m2}, CommitOptions{CommitUser: "u", Identifier: 2})
	if len(res.Snapshots) != 2 || res.Snapshots[0].CommitKind != snapshot.KindAppend || res.Snapshots[1].CommitKind != snapshot.KindCompact {
		t.Fatalf("want APPEND+COMPACT, got %+v", res.Snapshots)
	}
	if res.Snapshots[1].DeltaRecordCount != -2 || res.Snapshots[1].CommitIdentifier != 2 {
		t.Fatalf("compact snapshot %+v", res.Snapshots[1])
	}
	e.check(e.tbl)

	// Deleting a file that is gone conflicts.
	m3 := msgFor(t, 1, 0)
	m3.CompactBefore = []manifest.DataFile{a}
	m3.CompactAfter = []manifest.DataFile{e.file(1, 50, 60, 1)}
	_, err := e.tbl.Commit(ctx, []CommitMessage{m3}, CommitOptions{})
	var ce *CommitConflictError
	if !errors.Is(err, ErrCommitConflict) || !errors.As(err, &ce) || len(ce.Files) != 1 || ce.Files[0] != a.FileName {
		t.Fatalf("want conflict naming %s, got %v", a.FileName, err)
	}
	// Overlapping level-1 key ranges conflict.
	m4 := msgFor(t, 1, 0)
	m4.CompactBefore = []manifest.DataFile{c}
	m4.CompactAfter = []manifest.DataFile{e.file(1, 15, 35, 3)}
	if _, err := e.tbl.Commit(ctx, []CommitMessage{m4}, CommitOptions{}); !errors.Is(err, ErrCommitConflict) {
		t.Fatalf("want overlap conflict, got %v", err)
	}
	// Deleting files without compaction is an OVERWRITE.
	m5 := msgFor(t, 1, 0)
	m5.DeletedFiles = []manifest.DataFile{c}
	res = e.commit(e.tbl, []CommitMessage{m5}, CommitOptions{})
	if res.Snapshots[0].CommitKind != snapshot.KindOverwrite {
		t.Fatalf("want OVERWRITE, got %s", res.Snapshots[0].CommitKind)
	}
	e.check(e.tbl)
}

func TestCommitExactlyOnce(t *testing.T) {
	e := newCommitEnv(t, false)
	ctx := context.Background()
	m := msgFor(t, 1, 0)
	m.NewFiles = []manifest.DataFile{e.file(0, 0, 0, 1)}
	opts := CommitOptions{CommitUser: "job", Identifier: 7}
	e.commit(e.tbl, []CommitMessage{m}, opts)
	res, err := e.tbl.Commit(ctx, []CommitMessage{m}, opts)
	if err != nil || !res.AlreadyCommitted || len(res.Snapshots) != 0 {
		t.Fatalf("retry: %+v %v", res, err)
	}
	opts.Identifier = 5
	if res, err := e.tbl.Commit(ctx, []CommitMessage{m}, opts); err != nil || !res.AlreadyCommitted {
		t.Fatalf("older identifier: %+v %v", res, err)
	}
	ids, err := e.tbl.FilterCommitted(ctx, "job", []int64{5, 7, 8, 9})
	if err != nil || fmt.Sprint(ids) != "[8 9]" {
		t.Fatalf("FilterCommitted: %v %v", ids, err)
	}
	ids, err = e.tbl.FilterCommitted(ctx, "other", []int64{1, 2})
	if err != nil || fmt.Sprint(ids) != "[1 2]" {
		t.Fatalf("FilterCommitted other: %v %v", ids, err)
	}
	e.check(e.tbl)
	if n, _ := snapshot.LatestID(ctx, e.tbl.Store()); n != 1 {
		t.Fatalf("latest id %d", n)
	}
}

// Committers on different buckets, in goroutines and through a second Table
// on the same directory, all land exactly once with dense ids.
func TestCommitConcurrent(t *testing.T) {
	e := newCommitEnv(t, false, "commit.min-retry-wait", "1 ms", "commit.max-retry-wait", "20 ms", "commit.max-retries", "100")
	other := e.open()
	const workers, rounds = 4, 4
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tbl := e.tbl
			if w%2 == 1 {
				tbl = other
			}
			for r := 0; r < rounds; r++ {
				mu.Lock()
				m := msgFor(t, int32(w%2), int32(w))
				m.NewFiles = []manifest.DataFile{e.file(0, 0, 0, 1)}
				mu.Unlock()
				_, err := tbl.Commit(context.Background(), []CommitMessage{m}, CommitOptions{CommitUser: fmt.Sprintf("w%d", w), Identifier: int64(r + 1)})
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				e.apply([]CommitMessage{m})
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	e.check(e.tbl)
	if n, _ := snapshot.LatestID(context.Background(), e.tbl.Store()); n != workers*rounds {
		t.Fatalf("latest id %d, want %d", n, workers*rounds)
	}
}

type panicTB struct{ testing.TB }

func (panicTB) Fatal(args ...any) { panic(fmt.Sprint(args...)) }

// Two committers compact the same file at once: exactly one lands, the
// other re-checks on top of the winner and fails with ErrCommitConflict.
func TestCommitConcurrentConflict(t *testing.T) {
	e := newCommitEnv(t, true, "commit.min-retry-wait", "1 ms", "commit.max-retry-wait", "5 ms")
	m := msgFor(t, 1, 0)
	a := e.file(0, 1, 5, 5)
	m.NewFiles = []manifest.DataFile{a}
	e.commit(e.tbl, []CommitMessage{m}, CommitOptions{})
	other := e.open()
	for round := 0; round < 3; round++ {
		var msgs [2]CommitMessage
		for i := range msgs {
			msgs[i] = msgFor(t, 1, 0)
			msgs[i].CompactBefore = []manifest.DataFile{a}
			msgs[i].CompactAfter = []manifest.DataFile{e.file(1, 1, 5, 5)}
		}
		var errs [2]error
		var wg sync.WaitGroup
		for i, tbl := range []*Table{e.tbl, other} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = tbl.Commit(context.Background(), []CommitMessage{msgs[i]}, CommitOptions{})
			}()
		}
		wg.Wait()
		won := -1
		for i, err := range errs {
			switch {
			case err == nil:
				if won >= 0 {
					t.Fatal("both compactions landed")
				}
				won = i
			case !errors.Is(err, ErrCommitConflict):
				t.Fatalf("committer %d: %v", i, err)
			}
		}
		if won < 0 {
			t.Fatal("no compaction landed")
		}
		e.apply([]CommitMessage{msgs[won]})
		e.check(e.tbl)
		a = msgs[won].CompactAfter[0]
		// Next round compacts the winner's file again (upgrade by rewrite).
		a2 := msgFor(t, 1, 0)
		a2.CompactBefore = []manifest.DataFile{a}
		nf := e.file(0, 1, 5, 5)
		a2.CompactAfter = []manifest.DataFile{nf}
		e.commit(e.tbl, []CommitMessage{a2}, CommitOptions{})
		a = nf
	}
}

// checkPartitionInStats checks that an entry's partition (one INT) lies
// within the manifest's partition stats.
func checkPartitionInStats(t *testing.T, m manifest.FileMeta, part []byte) {
	t.Helper()
	types := []schema.DataType{schema.NewInt()}
	p, err := decodeSerialized(types, part)
	if err != nil {
		t.Fatal(err)
	}
	lo, err1 := decodeSerialized(types, m.PartitionStats.Min)
	hi, err2 := decodeSerialized(types, m.PartitionStats.Max)
	if err1 != nil || err2 != nil || len(m.PartitionStats.NullCounts) != 1 || *m.PartitionStats.NullCounts[0] != 0 {
		t.Fatalf("manifest %s: bad partition stats %v %v %+v", m.FileName, err1, err2, m.PartitionStats)
	}
	if p[0].(int32) < lo[0].(int32) || p[0].(int32) > hi[0].(int32) {
		t.Fatalf("manifest %s: partition %v outside [%v, %v]", m.FileName, p[0], lo[0], hi[0])
	}
}
