package table

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/floelake/floe/snapshot"
)

// TestTagLifecycle: create, list, rename and delete tags; deleting a tag
// removes the files only it kept alive, and nothing another tag or a
// snapshot needs.
func TestTagLifecycle(t *testing.T) {
	e, rows := expireEnv(t, 12)
	tb := e.open()
	mk := func(name string, id int64) {
		t.Helper()
		if _, err := tb.CreateTag(e.ctx, name, TagOptions{SnapshotID: id}); err != nil {
			t.Fatalf("tag %s: %v", name, err)
		}
	}
	mk("a", 2)
	mk("a2", 2)
	mk("b", 5)
	mk("c", 9)
	if _, err := tb.CreateTag(e.ctx, "a", TagOptions{SnapshotID: 3}); !errors.Is(err, snapshot.ErrTagExists) {
		t.Fatalf("tag twice: %v", err)
	}
	if _, err := tb.CreateTag(e.ctx, "x", TagOptions{SnapshotID: 999}); !errors.Is(err, ErrNoSnapshot) {
		t.Fatalf("tag of a missing snapshot: %v", err)
	}
	if _, err := tb.CreateTag(e.ctx, " ", TagOptions{}); !errors.Is(err, snapshot.ErrInvalidName) {
		t.Fatalf("blank tag name: %v", err)
	}
	latest, err := tb.CreateTag(e.ctx, "latest", TagOptions{TimeRetained: 2 * time.Hour})
	if err != nil || latest.TimeRetained == nil || *latest.TimeRetained != 2*time.Hour {
		t.Fatalf("tag of the latest: %+v, %v", latest, err)
	}
	if err := tb.RenameTag(e.ctx, "latest", "b"); !errors.Is(err, snapshot.ErrTagExists) {
		t.Fatalf("rename onto a tag: %v", err)
	}
	if err := tb.RenameTag(e.ctx, "latest", "last"); err != nil {
		t.Fatal(err)
	}
	tags, err := tb.Tags(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tg := range tags {
		names = append(names, tg.Name)
	}
	if got := fmtList(names); got != "a a2 b c last" {
		t.Fatalf("tags: %s", got)
	}
	want := map[string]string{}
	for _, n := range names {
		got, _, err := e.read(ScanOptions{Tag: n})
		if err != nil {
			t.Fatal(err)
		}
		want[n] = got
	}
	// Deleting a tag of a live snapshot deletes no file.
	res, err := tb.DeleteTag(e.ctx, "c")
	if err != nil || res.DataFiles+res.MetaFiles != 0 {
		t.Fatalf("delete tag of a live snapshot: %+v, %v", res, err)
	}
	mk("c", 9)
	if _, err := tb.Expire(e.ctx, ExpireOptions{RetainMin: 1, RetainMax: 1, Limit: -1}); err != nil {
		t.Fatal(err)
	}
	checkNoLeak(e, tb)
	// Two tags on one snapshot: deleting one keeps the files.
	if res, err := tb.DeleteTag(e.ctx, "a2"); err != nil || res.DataFiles+res.MetaFiles != 0 {
		t.Fatalf("delete one of two tags: %+v, %v", res, err)
	}
	for _, n := range []string{"b", "a", "c"} {
		res, err := tb.DeleteTag(e.ctx, n)
		if err != nil || res.MetaFiles == 0 {
			t.Fatalf("delete tag %s: %+v, %v", n, res, err)
		}
		checkNoLeak(e, tb)
		checkReadable(e, tb)
		delete(want, n)
		for tg, w := range want {
			if tg == "a2" {
				continue
			}
			got, _, err := e.read(ScanOptions{Tag: tg})
			if err != nil || got != w {
				t.Fatalf("tag %s after deleting %s: %v", tg, n, err)
			}
		}
	}
	if got := e.rows(); got != rows[len(rows)-1] {
		t.Fatal("rows changed")
	}
	if _, err := tb.DeleteTag(e.ctx, "nope"); !errors.Is(err, snapshot.ErrNotFound) {
		t.Fatalf("delete a missing tag: %v", err)
	}
}

func fmtList(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out
}

// TestDeleteTagNeighbourExpires: the snapshot DeleteTag chose as the
// deleted tag's newer neighbour expires while its files are read; the
// deletion takes the next snapshot as the neighbour instead of failing, and
// leaves exactly the files the snapshots and tags left need.
func TestDeleteTagNeighbourExpires(t *testing.T) {
	e, rows := expireEnv(t, 12)
	tb := e.open()
	for name, id := range map[string]int64{"a": 2, "b": 5} {
		if _, err := tb.CreateTag(e.ctx, name, TagOptions{SnapshotID: id}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := tb.Expire(e.ctx, ExpireOptions{RetainMin: 3, RetainMax: 3, Limit: -1}); err != nil {
		t.Fatal(err)
	}
	var attempts []int
	testHookTagNeighbours = func(attempt int) {
		attempts = append(attempts, attempt)
		if attempt == 0 {
			if _, err := tb.Expire(e.ctx, ExpireOptions{RetainMin: 1, RetainMax: 1, Limit: -1}); err != nil {
				t.Errorf("expire beside DeleteTag: %v", err)
			}
		}
	}
	t.Cleanup(func() { testHookTagNeighbours = nil })
	res, err := tb.DeleteTag(e.ctx, "b")
	if err != nil || res.MetaFiles == 0 {
		t.Fatalf("delete tag b while its neighbour expires: %+v, %v", res, err)
	}
	if fmt.Sprint(attempts) != "[0 1]" {
		t.Fatalf("neighbour attempts %v, want [0 1]", attempts)
	}
	testHookTagNeighbours = nil
	checkNoLeak(e, tb)
	checkReadable(e, tb)
	if got := e.rows(); got != rows[len(rows)-1] {
		t.Fatal("rows changed")
	}
	if _, _, err := e.read(ScanOptions{Tag: "a"}); err != nil {
		t.Fatalf("tag a after deleting b: %v", err)
	}
}
