package table

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/floelake/floe/predicate"
	"github.com/floelake/floe/schema"
	"github.com/floelake/floe/snapshot"
)

// openBranch opens branch name of e's table for the test.
func (e *castEnv) openBranch(name string) *Table {
	e.t.Helper()
	b, err := e.open().OpenBranch(e.ctx, name)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { b.Close() })
	return b
}

// writeTo writes JSON rows (with optional "_ROW_KIND") to tb as one commit.
func (e *castEnv) writeTo(tb *Table, rows string) *CommitResult {
	t := e.t
	t.Helper()
	rec := e.kindRecord(tb, rows)
	defer rec.Release()
	w, err := tb.NewWriter(e.ctx, WriterOptions{Alloc: e.alloc, SpillDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Write(e.ctx, rec); err != nil {
		t.Fatal(err)
	}
	msgs, err := w.Prepare(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	res, err := tb.Commit(e.ctx, msgs, CommitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// readFrom reads tb with ReadAll: sorted rows, "a b c" each.
func (e *castEnv) readFrom(tb *Table, so ScanOptions) (string, error) {
	rr, err := tb.ReadAll(e.ctx, so, ReadOptions{Alloc: e.alloc})
	if err != nil {
		return "", err
	}
	defer rr.Release()
	var rows []string
	for rr.Next() {
		rec := rr.RecordBatch()
		for i := range int(rec.NumRows()) {
			var row []string
			for c := range int(rec.NumCols()) {
				row = append(row, rec.Column(c).ValueStr(i))
			}
			rows = append(rows, strings.Join(row, " "))
		}
	}
	if err := rr.Err(); err != nil {
		return "", err
	}
	slices.Sort(rows)
	return strings.Join(rows, ", "), nil
}

func (e *castEnv) mustRead(tb *Table, so ScanOptions) string {
	e.t.Helper()
	got, err := e.readFrom(tb, so)
	if err != nil {
		e.t.Fatalf("read %s %+v: %v", tb.Branch(), so, err)
	}
	return got
}

// keysUnder lists the keys below dir of the table's store.
func (e *castEnv) keysUnder(dir string) []string {
	e.t.Helper()
	objs, err := e.open().Store().List(e.ctx, dir)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, o := range objs {
		out = append(out, strings.TrimPrefix(o.Key, dir))
	}
	slices.Sort(out)
	return out
}

// TestBranchCreateListDelete: an empty branch copies the schemas, a branch
// from a tag the schemas up to the tag's, its snapshot and the tag, byte
// for byte; names Paimon refuses are refused; delete removes the branch's
// directory only.
func TestBranchCreateListDelete(t *testing.T) {
	e := newCastEnv(t, pkStreamSpec())
	e.writeKinds(`[{"id":1,"v":"a"}]`)
	e.writeKinds(`[{"id":2,"v":"b"}]`)
	tb := e.open()
	if _, err := tb.CreateTag(e.ctx, "t1", TagOptions{}); err != nil {
		t.Fatal(err)
	}
	e.alter(AddColumn("w", "INT", "", Last()))
	e.writeKinds(`[{"id":3,"v":"c","w":3}]`)
	tb = e.open() // schema 1

	if err := tb.CreateBranch(e.ctx, "empty", BranchOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := tb.CreateBranch(e.ctx, "b1", BranchOptions{Tag: "t1"}); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(e.keysUnder("branch/")); got != "[b1/schema/schema-0 b1/snapshot/snapshot-2 b1/tag/tag-t1 empty/schema/schema-0 empty/schema/schema-1]" &&
		got != "[branch-b1/schema/schema-0 branch-b1/snapshot/snapshot-2 branch-b1/tag/tag-t1 branch-empty/schema/schema-0 branch-empty/schema/schema-1]" {
		t.Fatalf("branch files: %s", got)
	}
	for _, k := range []struct{ src, dst string }{
		{"schema/schema-0", "branch/branch-b1/schema/schema-0"},
		{"snapshot/snapshot-2", "branch/branch-b1/snapshot/snapshot-2"},
		{"tag/tag-t1", "branch/branch-b1/tag/tag-t1"},
		{"schema/schema-1", "branch/branch-empty/schema/schema-1"},
	} {
		a, err := tb.Store().Read(e.ctx, k.src)
		if err != nil {
			t.Fatal(err)
		}
		b, err := tb.Store().Read(e.ctx, k.dst)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s is not a copy of %s", k.dst, k.src)
		}
	}
	names, err := tb.Branches(e.ctx)
	if err != nil || fmt.Sprint(names) != "[b1 empty]" {
		t.Fatalf("branches: %v %v", names, err)
	}
	for _, bad := range []string{"", " ", "main", "123", "a/b", ".x", "a$b"} {
		if err := tb.CreateBranch(e.ctx, bad, BranchOptions{}); !errors.Is(err, snapshot.ErrInvalidName) {
			t.Errorf("branch %q: %v", bad, err)
		}
	}
	if err := tb.CreateBranch(e.ctx, "b1", BranchOptions{}); !errors.Is(err, ErrBranchExists) {
		t.Errorf("existing branch: %v", err)
	}
	if err := tb.CreateBranch(e.ctx, "b2", BranchOptions{Tag: "nope"}); !errors.Is(err, snapshot.ErrNotFound) {
		t.Errorf("missing tag: %v", err)
	}
	if _, err := tb.OpenBranch(e.ctx, "b2"); !errors.Is(err, ErrNoBranch) {
		t.Errorf("open a missing branch: %v", err)
	}

	// The empty branch has the latest schema and no snapshot; the tag's
	// branch starts at the tag's snapshot with its schema.
	empty := e.openBranch("empty")
	if empty.Branch() != "empty" || empty.Schema().ID != 1 || e.mustRead(empty, ScanOptions{}) != "" {
		t.Fatalf("empty branch: %s schema %d", empty.Branch(), empty.Schema().ID)
	}
	b1 := e.openBranch("b1")
	if got := e.mustRead(b1, ScanOptions{}); b1.Schema().ID != 0 || got != "1 a, 2 b" {
		t.Fatalf("branch b1: schema %d, %q", b1.Schema().ID, got)
	}
	if tags, err := b1.Tags(e.ctx); err != nil || len(tags) != 1 || tags[0].Name != "t1" {
		t.Fatalf("b1 tags: %v %v", tags, err)
	}
	main := e.openBranch(MainBranch)
	if main.Branch() != MainBranch || e.mustRead(main, ScanOptions{}) != "1 a (null), 2 b (null), 3 c 3" {
		t.Fatalf("main: %s", e.mustRead(main, ScanOptions{}))
	}

	n, err := tb.DeleteBranch(e.ctx, "b1")
	if err != nil || n != 3 {
		t.Fatalf("delete b1: %d %v", n, err)
	}
	if _, err := tb.DeleteBranch(e.ctx, "b1"); !errors.Is(err, ErrNoBranch) {
		t.Fatalf("delete b1 again: %v", err)
	}
	if _, err := tb.DeleteBranch(e.ctx, MainBranch); !errors.Is(err, snapshot.ErrInvalidName) {
		t.Fatalf("delete main: %v", err)
	}
	if names, _ := tb.Branches(e.ctx); fmt.Sprint(names) != "[empty]" {
		t.Fatalf("branches after delete: %v", names)
	}
	if got := e.mustRead(tb, ScanOptions{Tag: "t1"}); got != "1 a, 2 b" {
		t.Fatalf("main's tag after deleting the branch: %s", got)
	}
}

// TestBranchFromExpiredTagSnapshot: a tag whose snapshot expired still
// makes a branch (Paimon 2.0 writes the snapshot from the tag).
func TestBranchFromExpiredTagSnapshot(t *testing.T) {
	e := newCastEnv(t, pkStreamSpec(Option{"snapshot.num-retained.min", "1"}, Option{"snapshot.num-retained.max", "1"}, Option{"write-only", "true"}))
	e.writeKinds(`[{"id":1,"v":"a"}]`)
	tb := e.open()
	if _, err := tb.CreateTag(e.ctx, "t1", TagOptions{}); err != nil {
		t.Fatal(err)
	}
	e.writeKinds(`[{"id":1,"v":"b"}]`)
	if _, err := tb.Expire(e.ctx, ExpireOptions{}); err != nil {
		t.Fatal(err)
	}
	if ok, _ := snapshot.Snapshots.Exists(e.ctx, tb.BranchStore(), 1); ok {
		t.Fatal("snapshot 1 did not expire")
	}
	if err := tb.CreateBranch(e.ctx, "b", BranchOptions{Tag: "t1"}); err != nil {
		t.Fatal(err)
	}
	b := e.openBranch("b")
	if got := e.mustRead(b, ScanOptions{}); got != "1 a" {
		t.Fatalf("branch: %s", got)
	}
	s, err := b.Snapshot(e.ctx, 0)
	if err != nil || s.ID != 1 {
		t.Fatalf("branch snapshot: %+v %v", s, err)
	}
}

// TestBranchReadWrite: writes to a branch commit the branch's snapshots
// (numbered on from its start), its data files and manifests in the
// table's directories; main does not see them; time travel, tags and
// streams work on the branch; splits name their branch.
func TestBranchReadWrite(t *testing.T) {
	e := newCastEnv(t, pkStreamSpec())
	e.writeKinds(`[{"id":1,"v":"a"},{"id":2,"v":"b"}]`)
	tb := e.open()
	if _, err := tb.CreateTag(e.ctx, "t1", TagOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := tb.CreateBranch(e.ctx, "dev", BranchOptions{Tag: "t1"}); err != nil {
		t.Fatal(err)
	}
	dev := e.openBranch("dev")
	res := e.writeTo(dev, `[{"id":1,"v":"dev1"},{"id":3,"v":"c"}]`)
	if id := res.Snapshots[0].ID; id != 2 {
		t.Fatalf("branch commit: snapshot %d", id)
	}
	e.writeTo(dev, `[{"id":2,"v":"b","_ROW_KIND":"-D"}]`)
	e.writeKinds(`[{"id":4,"v":"main"}]`)

	if got := e.mustRead(dev, ScanOptions{}); got != "1 dev1, 3 c" {
		t.Fatalf("dev: %s", got)
	}
	if got := e.mustRead(e.open(), ScanOptions{}); got != "1 a, 2 b, 4 main" {
		t.Fatalf("main: %s", got)
	}
	for id, want := range map[int64]string{1: "1 a, 2 b", 2: "1 dev1, 2 b, 3 c", 3: "1 dev1, 3 c"} {
		if got := e.mustRead(dev, ScanOptions{SnapshotID: id}); got != want {
			t.Errorf("dev snapshot %d: %s, want %s", id, got, want)
		}
	}
	if got := e.mustRead(dev, ScanOptions{Tag: "t1"}); got != "1 a, 2 b" {
		t.Errorf("dev tag t1: %s", got)
	}
	if got := e.mustRead(e.open(), ScanOptions{SnapshotID: 2}); got != "1 a, 2 b, 4 main" {
		t.Errorf("main snapshot 2: %s", got)
	}
	s2, err := dev.Snapshot(e.ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got := e.mustRead(dev, ScanOptions{AsOf: time.UnixMilli(s2.TimeMillis)}); got != "1 dev1, 2 b, 3 c" {
		t.Errorf("dev as of snapshot 2: %s", got)
	}
	// The branch's directory holds only metadata; manifests and data files
	// are the table's.
	for _, k := range e.keysUnder("branch/branch-dev/") {
		dir, _, _ := strings.Cut(k, "/")
		if dir != "schema" && dir != "snapshot" && dir != "tag" {
			t.Errorf("branch file %s", k)
		}
	}
	s3, err := dev.Snapshot(e.ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := tb.Store().Exists(e.ctx, "manifest/"+s3.DeltaManifestList); err != nil || !ok {
		t.Errorf("branch manifest list %s not in the table's manifest/: %v", s3.DeltaManifestList, err)
	}

	// Splits of the branch name it; main reads them through the branch.
	plan, err := dev.NewScan(e.ctx, ScanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	main := e.open()
	var rows int64
	for _, s := range plan.Splits {
		if s.Branch != "dev" {
			t.Fatalf("split branch %q", s.Branch)
		}
		b, err := s.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var back Split
		if err := back.UnmarshalBinary(b); err != nil {
			t.Fatal(err)
		}
		rr, err := main.Read(e.ctx, &back, ReadOptions{Alloc: e.alloc})
		if err != nil {
			t.Fatal(err)
		}
		for rr.Next() {
			rows += rr.RecordBatch().NumRows()
		}
		rr.Release()
	}
	if rows != 2 {
		t.Fatalf("main read %d rows of dev's splits", rows)
	}

	// A stream and a consumer of the branch live in the branch.
	s, err := dev.NewStream(e.ctx, StreamOptions{Start: StartFromSnapshot, SnapshotID: 2, Until: UntilLatest, ConsumerID: "c1", Alloc: e.alloc})
	if err != nil {
		t.Fatal(err)
	}
	got, err := changeLines(t, s.Next)
	if err == nil {
		err = s.SaveProgress(e.ctx)
	}
	s.Close()
	if err != nil || got != "2 +I 1 dev1, 2 +I 3 c, 3 -D 2 b" {
		t.Fatalf("dev stream: %q %v", got, err)
	}
	if _, err := snapshot.ReadConsumer(e.ctx, dev.BranchStore(), "c1"); err != nil {
		t.Errorf("branch consumer: %v", err)
	}
	if _, err := snapshot.ReadConsumer(e.ctx, main.Store(), "c1"); !errors.Is(err, snapshot.ErrNotFound) {
		t.Errorf("consumer in main: %v", err)
	}
}

// TestBranchFastForward: main takes the branch's snapshots, schemas and
// tags from the branch's start on, keeps its own earlier ones, and goes
// on from the branch's latest snapshot.
func TestBranchFastForward(t *testing.T) {
	e := newCastEnv(t, pkStreamSpec())
	e.writeKinds(`[{"id":1,"v":"a"}]`)
	e.writeKinds(`[{"id":2,"v":"b"}]`)
	tb := e.open()
	if _, err := tb.CreateTag(e.ctx, "t2", TagOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := tb.CreateTag(e.ctx, "t1", TagOptions{SnapshotID: 1}); err != nil {
		t.Fatal(err)
	}
	if err := tb.CreateBranch(e.ctx, "dev", BranchOptions{Tag: "t2"}); err != nil {
		t.Fatal(err)
	}
	e.writeKinds(`[{"id":3,"v":"main3"}]`) // main's snapshot 3: replaced
	e.alter(AddColumn("w", "INT", "", Last()))
	e.writeKinds(`[{"id":4,"v":"main4","w":4}]`) // main's snapshot 4: replaced
	dev := e.openBranch("dev")
	e.writeTo(dev, `[{"id":5,"v":"dev3"}]`)
	if _, err := AlterStore(e.ctx, dev.BranchStore(), AddColumn("x", "STRING", "", Last())); err != nil {
		t.Fatal(err)
	}
	dev = e.openBranch("dev")
	e.writeTo(dev, `[{"id":6,"v":"dev4","x":"x"}]`)
	if _, err := dev.CreateTag(e.ctx, "d4", TagOptions{}); err != nil {
		t.Fatal(err)
	}

	for _, bad := range []string{MainBranch, " ", "nope"} {
		if _, err := tb.FastForward(e.ctx, bad); err == nil {
			t.Errorf("fast-forward %q: no error", bad)
		}
	}
	if _, err := dev.FastForward(e.ctx, "dev"); !errors.Is(err, snapshot.ErrInvalidName) {
		t.Errorf("fast-forward into itself: %v", err)
	}
	if err := tb.CreateBranch(e.ctx, "none", BranchOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := tb.FastForward(e.ctx, "none"); !errors.Is(err, ErrNoSnapshot) {
		t.Errorf("fast-forward a branch without snapshots: %v", err)
	}

	res, err := tb.FastForward(e.ctx, "dev")
	if err != nil {
		t.Fatal(err)
	}
	if res.From != 2 {
		t.Fatalf("fast-forward from %d", res.From)
	}
	main := e.open()
	if got := e.mustRead(main, ScanOptions{}); main.Schema().ID != 1 || got != "1 a (null), 2 b (null), 5 dev3 (null), 6 dev4 x" {
		t.Fatalf("main after fast-forward: schema %d %s", main.Schema().ID, got)
	}
	if got := e.mustRead(main, ScanOptions{SnapshotID: 1}); got != "1 a" {
		t.Errorf("main's own snapshot 1: %s", got)
	}
	if got := e.mustRead(main, ScanOptions{Tag: "t1"}); got != "1 a" {
		t.Errorf("main's own tag t1: %s", got)
	}
	tags, err := main.Tags(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tg := range tags {
		names = append(names, fmt.Sprintf("%s@%d", tg.Name, tg.ID))
	}
	if fmt.Sprint(names) != "[t1@1 t2@2 d4@4]" {
		t.Errorf("main's tags: %v", names)
	}
	for _, k := range []string{"snapshot/snapshot-3", "snapshot/snapshot-4", "schema/schema-1", "tag/tag-d4"} {
		a, _ := main.Store().Read(e.ctx, k)
		b, _ := main.Store().Read(e.ctx, "branch/branch-dev/"+k)
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s is not the branch's", k)
		}
	}
	if id, err := snapshot.EarliestID(e.ctx, main.Store()); err != nil || id != 1 {
		t.Errorf("EARLIEST: %d %v", id, err)
	}
	for h, want := range map[string]string{"LATEST": "4", "EARLIEST": "1"} {
		b, err := main.Store().Read(e.ctx, "snapshot/"+h)
		if err != nil || string(b) != want {
			t.Errorf("hint %s: %q %v", h, b, err)
		}
	}
	if res := e.writeTo(main, `[{"id":7,"v":"after","x":"y"}]`); res.Snapshots[0].ID != 5 {
		t.Errorf("main's next commit: snapshot %d", res.Snapshots[0].ID)
	}
	// Again: the same replacement (a crashed fast-forward is redone).
	if _, err := e.open().FastForward(e.ctx, "dev"); err != nil {
		t.Fatal(err)
	}
	if got := e.mustRead(e.open(), ScanOptions{}); got != "1 a (null), 2 b (null), 5 dev3 (null), 6 dev4 x" {
		t.Errorf("main after the second fast-forward: %s", got)
	}
}

// TestBranchExpiryKeepsSharedFiles: a branch from a tag shares the tag's
// files with main. Expiring the branch (after compactions that remove
// main's files from it, and without its copy of the tag) deletes only
// what no snapshot or tag of main references, and expiring main without
// its tag keeps what the branch references.
func TestBranchExpiryKeepsSharedFiles(t *testing.T) {
	e := newCastEnv(t, pkStreamSpec(Option{"num-sorted-run.compaction-trigger", "2"}, Option{"write-only", "true"}))
	for i := range 3 {
		e.writeKinds(fmt.Sprintf(`[{"id":%d,"v":"m%d"},{"id":9,"v":"m%d"}]`, i, i, i))
	}
	tb := e.open()
	if _, err := tb.CreateTag(e.ctx, "base", TagOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := tb.CreateBranch(e.ctx, "dev", BranchOptions{Tag: "base"}); err != nil {
		t.Fatal(err)
	}
	mainAt := map[int64]string{}
	for _, id := range snapshotIDs(e, tb) {
		mainAt[id] = e.mustRead(tb, ScanOptions{SnapshotID: id})
	}
	dev := e.openBranch("dev")
	for i := range 4 {
		e.writeTo(dev, fmt.Sprintf(`[{"id":%d,"v":"d%d"},{"id":9,"v":"d%d"}]`, 20+i, i, i))
	}
	if _, err := dev.Compact(e.ctx, CompactOptions{Full: true, Alloc: e.alloc}); err != nil {
		t.Fatal(err)
	}
	devRows := e.mustRead(dev, ScanOptions{})
	if _, err := dev.DeleteTag(e.ctx, "base"); err != nil {
		t.Fatal(err)
	}
	res, err := dev.Expire(e.ctx, ExpireOptions{RetainMin: 1, RetainMax: 1, Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Snapshots == 0 {
		t.Fatalf("branch expiry expired nothing: %+v", res)
	}
	if ids, _ := snapshot.List(e.ctx, dev.BranchStore()); fmt.Sprint(ids) != "[8]" {
		t.Fatalf("branch snapshots after expiry: %v", ids)
	}
	if got := e.mustRead(dev, ScanOptions{}); got != devRows {
		t.Fatalf("branch after expiry: %s, want %s", got, devRows)
	}
	main := e.open()
	for id, want := range mainAt {
		if got, err := e.readFrom(main, ScanOptions{SnapshotID: id}); err != nil || got != want {
			t.Errorf("main snapshot %d after the branch's expiry: %s, %v", id, got, err)
		}
	}
	checkReadable(e, main)

	// Main without its tag, expired to its latest, keeps the files the
	// branch's latest snapshot still reads.
	for i := range 3 {
		e.writeKinds(fmt.Sprintf(`[{"id":%d,"v":"n%d"},{"id":9,"v":"n%d"}]`, i, i, i))
	}
	e.compact(CompactOptions{Full: true})
	if _, err := main.DeleteTag(e.ctx, "base"); err != nil {
		t.Fatal(err)
	}
	if _, err := main.Expire(e.ctx, ExpireOptions{RetainMin: 1, RetainMax: 1, Limit: -1}); err != nil {
		t.Fatal(err)
	}
	if got := e.mustRead(e.openBranch("dev"), ScanOptions{}); got != devRows {
		t.Fatalf("branch after main's expiry: %s, want %s", got, devRows)
	}
	// Orphan cleanup keeps what either branch references.
	if _, err := main.RemoveOrphanFiles(e.ctx, RemoveOrphansOptions{OlderThan: time.Nanosecond}); err != nil {
		t.Fatal(err)
	}
	if got := e.mustRead(e.openBranch("dev"), ScanOptions{}); got != devRows {
		t.Fatalf("branch after orphan cleanup: %s, want %s", got, devRows)
	}
	checkReadable(e, main)
	// Once the branch is gone, main's next expiry may delete them, and
	// orphan cleanup takes the files only the branch used: what is left
	// is exactly what main references.
	if _, err := main.DeleteBranch(e.ctx, "dev"); err != nil {
		t.Fatal(err)
	}
	e.writeKinds(`[{"id":1,"v":"last"}]`)
	if _, err := main.Expire(e.ctx, ExpireOptions{RetainMin: 1, RetainMax: 1, Limit: -1}); err != nil {
		t.Fatal(err)
	}
	checkReadable(e, main)
	if _, err := main.RemoveOrphanFiles(e.ctx, RemoveOrphansOptions{OlderThan: time.Nanosecond}); err != nil {
		t.Fatal(err)
	}
	checkNoLeak(e, main)
	checkReadable(e, main)
}

// TestBranchFromSnapshot: a branch from a snapshot reads as that
// snapshot, has no tag, and main's expiry past the snapshot (with no tag
// holding it) keeps the files the branch reads. Bad sources are refused
// and create nothing.
func TestBranchFromSnapshot(t *testing.T) {
	e := newCastEnv(t, pkStreamSpec(Option{"num-sorted-run.compaction-trigger", "2"}, Option{"write-only", "true"}))
	for i := range 3 {
		e.writeKinds(fmt.Sprintf(`[{"id":%d,"v":"m%d"},{"id":9,"v":"m%d"}]`, i, i, i))
	}
	tb := e.open()
	want := e.mustRead(tb, ScanOptions{SnapshotID: 2})
	for _, c := range []struct {
		opts BranchOptions
		is   error
	}{
		{BranchOptions{Snapshot: 99}, snapshot.ErrNotFound},
		{BranchOptions{Snapshot: -1}, ErrInvalidBranchSource},
		{BranchOptions{Snapshot: 1, Tag: "x"}, ErrInvalidBranchSource},
	} {
		if err := tb.CreateBranch(e.ctx, "bad", c.opts); !errors.Is(err, c.is) {
			t.Errorf("CreateBranch %+v: %v, want %v", c.opts, err, c.is)
		}
	}
	if names, err := tb.Branches(e.ctx); err != nil || len(names) != 0 {
		t.Fatalf("branches after refused creates: %v, %v", names, err)
	}
	if err := tb.CreateBranch(e.ctx, "s2", BranchOptions{Snapshot: 2}); err != nil {
		t.Fatal(err)
	}
	dev := e.openBranch("s2")
	if got := e.mustRead(dev, ScanOptions{}); got != want {
		t.Fatalf("branch from snapshot 2: %s, want %s", got, want)
	}
	if tags, err := dev.Tags(e.ctx); err != nil || len(tags) != 0 {
		t.Fatalf("branch tags: %v, %v", tags, err)
	}
	for i := range 3 {
		e.writeKinds(fmt.Sprintf(`[{"id":%d,"v":"n%d"},{"id":9,"v":"n%d"}]`, i, i, i))
	}
	e.compact(CompactOptions{Full: true})
	res, err := tb.Expire(e.ctx, ExpireOptions{RetainMin: 1, RetainMax: 1, Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Snapshots == 0 {
		t.Fatalf("main's expiry expired nothing: %+v", res)
	}
	if got := e.mustRead(e.openBranch("s2"), ScanOptions{}); got != want {
		t.Fatalf("branch after main's expiry: %s, want %s", got, want)
	}
	checkReadable(e, e.open())
}

// TestBranchFallback: with scan.fallback-branch a batch scan of main reads
// each partition main does not have from the branch (its own bucket count
// and keys), as Paimon's FallbackReadFileStoreTable; partitions main has
// are main's even when the filter prunes all their rows; streams read
// main alone; the branch cannot be deleted while named.
func TestBranchFallback(t *testing.T) {
	e := newCastEnv(t, Spec{Columns: []Column{{Name: "dt", Type: "STRING NOT NULL"}, {Name: "id", Type: "INT NOT NULL"}, {Name: "v", Type: "STRING"}},
		PrimaryKeys: []string{"dt", "id"}, PartitionKeys: []string{"dt"}, Options: []Option{{"bucket", "1"}}})
	tb := e.open()
	if err := tb.CreateBranch(e.ctx, "stream", BranchOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := AlterStore(e.ctx, e.openBranch("stream").BranchStore(), SetOption("bucket", "2")); err != nil {
		t.Fatal(err)
	}
	e.alter(SetOption("scan.fallback-branch", "stream"))
	st := e.openBranch("stream")
	if st.Config().Bucket != 2 {
		t.Fatalf("branch bucket %d", st.Config().Bucket)
	}
	e.writeTo(st, `[{"dt":"0724","id":1,"v":"s1"},{"dt":"0725","id":1,"v":"s2"},{"dt":"0725","id":2,"v":"s3"},{"dt":"0726","id":3,"v":"s4"},{"dt":"0726","id":4,"v":"s5"}]`)
	e.writeKinds(`[{"dt":"0725","id":1,"v":"m1"},{"dt":"0725","id":5,"v":"m2"}]`)
	main := e.open()
	want := "0724 1 s1, 0725 1 m1, 0725 5 m2, 0726 3 s4, 0726 4 s5"
	if got := e.mustRead(main, ScanOptions{}); got != want {
		t.Fatalf("fallback read:\n%s\nwant\n%s", got, want)
	}
	where := func(s string) predicate.Predicate {
		p, err := predicate.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	for f, want := range map[string]string{
		"dt = '0726'":            "0726 3 s4, 0726 4 s5",
		"v = 's2'":               "", // 0725 is main's
		"v = 's1' OR v = 'm2'":   "0724 1 s1, 0725 5 m2",
		"dt = '0725' AND id = 2": "",
	} {
		if got := e.mustRead(main, ScanOptions{Filter: where(f)}); got != want {
			t.Errorf("where %s: %q, want %q", f, got, want)
		}
	}
	plan, err := main.NewScan(e.ctx, ScanOptions{Columns: []string{"v"}})
	if err != nil {
		t.Fatal(err)
	}
	var branches []string
	for _, s := range plan.Splits {
		branches = append(branches, s.Branch)
	}
	if fmt.Sprint(branches) != "[ stream stream stream]" && fmt.Sprint(branches) != "[ stream stream]" {
		t.Errorf("split branches: %q", branches)
	}
	// Time travel maps a snapshot to the branch's at its time.
	if got := e.mustRead(main, ScanOptions{SnapshotID: 1}); got != want {
		t.Errorf("main snapshot 1: %s", got)
	}
	// The branch reads alone; streams of main read main.
	if got := e.mustRead(st, ScanOptions{}); got != "0724 1 s1, 0725 1 s2, 0725 2 s3, 0726 3 s4, 0726 4 s5" {
		t.Errorf("branch: %s", got)
	}
	s, err := main.NewStream(e.ctx, StreamOptions{Start: StartFromSnapshot, SnapshotID: 1, Until: UntilLatest, Alloc: e.alloc})
	if err != nil {
		t.Fatal(err)
	}
	got, err := changeLines(t, s.Next)
	s.Close()
	if err != nil || got != "1 +I 0725 1 m1, 1 +I 0725 5 m2" {
		t.Errorf("main stream: %q %v", got, err)
	}
	if _, err := main.DeleteBranch(e.ctx, "stream"); !errors.Is(err, ErrInvalidOption) {
		t.Errorf("delete the fallback branch: %v", err)
	}

	// scan.primary-branch: the branch's partitions win.
	e.alter(RemoveOption("scan.fallback-branch"), SetOption("scan.primary-branch", "stream"))
	if got := e.mustRead(e.open(), ScanOptions{}); got != "0724 1 s1, 0725 1 s2, 0725 2 s3, 0726 3 s4, 0726 4 s5" {
		t.Errorf("primary branch read: %s", got)
	}
	e.writeKinds(`[{"dt":"0727","id":1,"v":"m3"}]`)
	if got := e.mustRead(e.open(), ScanOptions{Filter: where("dt >= '0726'")}); got != "0726 3 s4, 0726 4 s5, 0727 1 m3" {
		t.Errorf("primary branch read: %s", got)
	}

	// A branch of other columns is refused, as in Paimon.
	e.alter(RemoveOption("scan.primary-branch"), SetOption("scan.fallback-branch", "stream"))
	if _, err := AlterStore(e.ctx, st.BranchStore(), AddColumn("x", "INT", "", Last())); err != nil {
		t.Fatal(err)
	}
	if _, err := e.open().NewScan(e.ctx, ScanOptions{}); !errors.Is(err, ErrInvalidOption) {
		t.Errorf("fallback to a branch of other columns: %v", err)
	}
	// With the column on both, time travel to a snapshot of main's older
	// schema reads the branch with that schema's columns.
	e.alter(AddColumn("x", "INT", "", Last()))
	if got := e.mustRead(e.open(), ScanOptions{Filter: where("dt = '0726'")}); got != "0726 3 s4 (null), 0726 4 s5 (null)" {
		t.Errorf("fallback with the new column: %s", got)
	}
	if got := e.mustRead(e.open(), ScanOptions{SnapshotID: 1, Filter: where("dt >= '0726'")}); got != "0726 3 s4, 0726 4 s5" {
		t.Errorf("fallback at main's snapshot 1 (old schema): %s", got)
	}
}

// TestBranchAlter: a branch's schema changes apart from main's.
func TestBranchAlter(t *testing.T) {
	e := newCastEnv(t, pkStreamSpec())
	tb := e.open()
	if err := tb.CreateBranch(e.ctx, "b", BranchOptions{}); err != nil {
		t.Fatal(err)
	}
	s, err := AlterStore(e.ctx, e.openBranch("b").BranchStore(), AddColumn("x", "INT", "", Last()))
	if err != nil || s.ID != 1 {
		t.Fatalf("alter branch: %v %v", s, err)
	}
	if got := e.open().Schema(); got.ID != 0 || len(got.Fields) != 2 {
		t.Fatalf("main schema changed: %d", got.ID)
	}
	if got := e.openBranch("b").Schema(); got.ID != 1 || got.Fields[2].Type.Kind != schema.Int {
		t.Fatalf("branch schema: %+v", got)
	}
}
