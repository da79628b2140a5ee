package table

import (
	"errors"
	"slices"
	"testing"
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
