package table

import (
	"errors"
	"log/slog"
	"slices"
	"testing"

	"github.com/floelake/floe/snapshot"
)

// TestRollback: rolling back to a snapshot removes later snapshots and
// tags and the files only they referenced; the table then reads, and
// writes on, as it was.
func TestRollback(t *testing.T) {
	e, _ := expireEnv(t, 12)
	tb := e.open()
	for name, id := range map[string]int64{"early": 3, "late": 9} {
		if _, err := tb.CreateTag(e.ctx, name, TagOptions{SnapshotID: id}); err != nil {
			t.Fatal(err)
		}
	}
	want, _, err := e.read(ScanOptions{SnapshotID: 5})
	if err != nil {
		t.Fatal(err)
	}
	res, err := tb.Rollback(e.ctx, RollbackOptions{SnapshotID: 5})
	if err != nil {
		t.Fatal(err)
	}
	if ids := snapshotIDs(e, tb); ids[len(ids)-1] != 5 || res.Tags != 1 || res.DataFiles == 0 || res.MetaFiles == 0 {
		t.Fatalf("after rollback: snapshots %v, %+v", ids, res)
	}
	if got := e.rows(); got != want {
		t.Fatalf("rows after rollback:\n%s\nwant\n%s", got, want)
	}
	tags, _ := tb.Tags(e.ctx)
	if len(tags) != 1 || tags[0].Name != "early" {
		t.Fatalf("tags after rollback: %v", tags)
	}
	checkReadable(e, tb)
	checkNoLeak(e, tb)
	e.writeKinds(`[{"id":100,"v":"new"}]`)
	if ids := snapshotIDs(e, tb); !slices.Contains(ids, 6) {
		t.Fatalf("commit after rollback: %v", ids)
	}
	checkNoLeak(e, tb)

	for _, o := range []RollbackOptions{{}, {SnapshotID: 1, Tag: "early"}} {
		if _, err := tb.Rollback(e.ctx, o); !errors.Is(err, ErrInvalidOption) {
			t.Fatalf("rollback %+v: %v", o, err)
		}
	}
	if _, err := tb.Rollback(e.ctx, RollbackOptions{SnapshotID: 99}); !errors.Is(err, ErrNoSnapshot) {
		t.Fatalf("rollback to a missing snapshot: %v", err)
	}
	if _, err := tb.Rollback(e.ctx, RollbackOptions{Tag: "nope"}); !errors.Is(err, ErrNoSnapshot) {
		t.Fatalf("rollback to a missing tag: %v", err)
	}
}

// TestRollbackToExpiredTag: a tag whose snapshot expired is written back
// as the only snapshot.
func TestRollbackToExpiredTag(t *testing.T) {
	e, _ := expireEnv(t, 10)
	tb := e.open()
	if _, err := tb.CreateTag(e.ctx, "t", TagOptions{SnapshotID: 2}); err != nil {
		t.Fatal(err)
	}
	want, _, err := e.read(ScanOptions{Tag: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tb.Expire(e.ctx, ExpireOptions{RetainMin: 1, RetainMax: 1, Limit: -1}); err != nil {
		t.Fatal(err)
	}
	if _, err := tb.Rollback(e.ctx, RollbackOptions{Tag: "t"}); err != nil {
		t.Fatal(err)
	}
	if ids := snapshotIDs(e, tb); !slices.Equal(ids, []int64{2}) {
		t.Fatalf("snapshots after rollback to an expired tag: %v", ids)
	}
	if got := e.rows(); got != want {
		t.Fatalf("rows:\n%s\nwant\n%s", got, want)
	}
	checkReadable(e, tb)
	checkNoLeak(e, tb)
}

// TestRollbackRacingExpiry: an expiry that looked for the rollback marker
// before a rollback wrote it stops at its next snapshot delete and
// deletes no file; a target whose snapshot file such an expiry deleted is
// written back (restoreTarget), and the rollback finishes on it.
func TestRollbackRacingExpiry(t *testing.T) {
	e, _ := expireEnv(t, 12)
	tb := e.open()
	want, _, err := e.read(ScanOptions{SnapshotID: 5})
	if err != nil {
		t.Fatal(err)
	}
	if err := tb.markRollback(e.ctx, 5); err != nil {
		t.Fatal(err)
	}
	res := &ExpireResult{}
	if more, err := tb.expireStep(e.ctx, 1, 8, false, res, slog.New(slog.DiscardHandler)); err != nil || more || res.Snapshots != 0 || res.DataFiles != 0 {
		t.Fatalf("expiry step beside a rollback marker: more %v, %+v, %v", more, res, err)
	}
	if ids := snapshotIDs(e, tb); ids[0] != 1 {
		t.Fatalf("snapshots after the stopped expiry: %v", ids)
	}
	s5, err := snapshot.Read(e.ctx, tb.meta, 5)
	if err != nil {
		t.Fatal(err)
	}
	if err := tb.meta.Delete(e.ctx, snapshot.SnapshotPath(5)); err != nil {
		t.Fatal(err)
	}
	if wrote, err := tb.restoreTarget(e.ctx, s5); err != nil || !wrote {
		t.Fatalf("restoreTarget: %v, %v", wrote, err)
	}
	if wrote, err := tb.restoreTarget(e.ctx, s5); err != nil || wrote {
		t.Fatalf("restoreTarget of a present snapshot: %v, %v", wrote, err)
	}
	if _, err := tb.Rollback(e.ctx, RollbackOptions{SnapshotID: 5}); err != nil {
		t.Fatal(err)
	}
	if got := e.rows(); got != want {
		t.Fatalf("rows after rollback:\n%s\nwant\n%s", got, want)
	}
	checkReadable(e, tb)
}

// TestWriterBaseRolledBack: a writer opened on a snapshot that a rollback
// then removes, with the files its inline compaction reads, fails with
// ErrRolledBack (not a bare missing file); a new writer writes on.
func TestWriterBaseRolledBack(t *testing.T) {
	e := newCastEnv(t, pkStreamSpec(Option{"num-sorted-run.compaction-trigger", "2"}, Option{"write-only", "true"}))
	e.writeKinds(`[{"id":1,"v":"a"}]`)
	e.writeKinds(`[{"id":2,"v":"b"}]`)
	e.writeKinds(`[{"id":3,"v":"c"}]`)
	e.alter(SetOption("write-only", "false"))
	tb := e.open()
	w, err := tb.NewWriter(e.ctx, WriterOptions{Alloc: e.alloc, SpillDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := e.open().Rollback(e.ctx, RollbackOptions{SnapshotID: 1}); err != nil {
		t.Fatal(err)
	}
	rec := e.kindRecord(tb, `[{"id":4,"v":"d"}]`)
	defer rec.Release()
	err = w.Write(e.ctx, rec)
	if err == nil {
		_, err = w.Prepare(e.ctx)
	}
	if !errors.Is(err, ErrRolledBack) {
		t.Fatalf("writer on a rolled-back base: %v, want ErrRolledBack", err)
	}
	e.writeTo(e.open(), `[{"id":4,"v":"d"}]`)
	if got := e.mustRead(e.open(), ScanOptions{}); got != "1 a, 4 d" {
		t.Fatalf("after writing again: %s", got)
	}
}
