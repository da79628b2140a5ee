package table

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/floelake/floe/snapshot"
	"github.com/floelake/floe/storage"
)

// referenced returns the store keys every snapshot and tag of tb
// references (data, changelog, index and metadata files).
func referenced(e *castEnv, tb *Table) map[string]bool {
	e.t.Helper()
	var snaps []*snapshot.Snapshot
	ids, err := snapshot.List(e.ctx, tb.store)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, id := range ids {
		s, err := snapshot.Read(e.ctx, tb.store, id)
		if err != nil {
			e.t.Fatal(err)
		}
		snaps = append(snaps, s)
	}
	tags, err := snapshot.Tags(e.ctx, tb.store)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, tg := range tags {
		snaps = append(snaps, &tg.Snapshot)
	}
	out := map[string]bool{}
	// Long-lived changelogs: what their changelog reads.
	cls, err := snapshot.ListChangelogs(e.ctx, tb.store)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, id := range cls {
		c, err := snapshot.ReadChangelog(e.ctx, tb.store, id)
		if err != nil {
			e.t.Fatal(err)
		}
		w := refsWant{changelog: true}
		if c.ChangelogManifestList == nil {
			w = refsWant{lists: true, delta: true}
		}
		r, err := tb.snapRefs(e.ctx, c, w)
		if err != nil {
			e.t.Fatalf("changelog %d: %v", id, err)
		}
		for _, k := range r.files() {
			out[k] = true
		}
		for _, f := range r.delta {
			if f.add {
				out[f.key] = true
			}
		}
	}
	for _, s := range snaps {
		r, err := tb.snapRefs(e.ctx, s, refsWant{meta: true, changelog: true, live: true})
		if err != nil {
			e.t.Fatalf("snapshot %d: %v", s.ID, err)
		}
		for _, k := range r.files() {
			out[k] = true
		}
		for k := range r.live {
			out[k] = true
		}
	}
	return out
}

// tableFiles lists the data, changelog, index and metadata files of tb.
func tableFiles(e *castEnv, tb *Table) map[string]bool {
	e.t.Helper()
	objs, err := tb.store.List(e.ctx, "")
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]bool{}
	for _, o := range objs {
		dir, _, _ := strings.Cut(o.Key, "/")
		switch dir {
		case "schema", "snapshot", "tag", "consumer", "changelog":
			continue
		}
		out[o.Key] = true
	}
	return out
}

// checkNoLeak fails unless the table's files are exactly those its
// snapshots and tags reference.
func checkNoLeak(e *castEnv, tb *Table) {
	e.t.Helper()
	ref, have := referenced(e, tb), tableFiles(e, tb)
	var missing, leaked []string
	for k := range ref {
		if !have[k] {
			missing = append(missing, k)
		}
	}
	for k := range have {
		if !ref[k] {
			leaked = append(leaked, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(leaked)
	if len(missing) > 0 {
		e.t.Errorf("referenced files missing: %v", missing)
	}
	if len(leaked) > 0 {
		e.t.Errorf("files no snapshot or tag references: %v", leaked)
	}
}

// checkReadable reads every snapshot and tag of the table in full.
func checkReadable(e *castEnv, tb *Table) {
	e.t.Helper()
	ids, err := snapshot.List(e.ctx, tb.store)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, id := range ids {
		if _, _, err := e.read(ScanOptions{SnapshotID: id}); err != nil {
			e.t.Errorf("snapshot %d: %v", id, err)
		}
	}
	tags, err := snapshot.Tags(e.ctx, tb.store)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, tg := range tags {
		if _, _, err := e.read(ScanOptions{Tag: tg.Name}); err != nil {
			e.t.Errorf("tag %s: %v", tg.Name, err)
		}
	}
}

func snapshotIDs(e *castEnv, tb *Table) []int64 {
	e.t.Helper()
	ids, err := snapshot.List(e.ctx, tb.store)
	if err != nil {
		e.t.Fatal(err)
	}
	return ids
}

// expireEnv writes n commits to a primary-key table that compacts often,
// each updating some keys, and returns the rows after each commit.
func expireEnv(t *testing.T, n int, opts ...Option) (*castEnv, []string) {
	opts = append([]Option{{"num-sorted-run.compaction-trigger", "2"}}, opts...)
	e := newCastEnv(t, pkStreamSpec(opts...))
	var rows []string
	for i := range n {
		e.writeKinds(fmt.Sprintf(`[{"id":%d,"v":"a%d"},{"id":%d,"v":"b%d"}]`, i%5, i, 10+i%3, i))
		rows = append(rows, e.rows())
	}
	return e, rows
}

// TestExpireAfterCommits: commits expire snapshots beyond
// snapshot.num-retained.max as Paimon's commit does; the snapshots left
// read in full and the table holds exactly the files they reference.
func TestExpireAfterCommits(t *testing.T) {
	e, rows := expireEnv(t, 14, Option{"snapshot.num-retained.min", "2"}, Option{"snapshot.num-retained.max", "3"})
	tb := e.open()
	ids := snapshotIDs(e, tb)
	if len(ids) != 3 {
		t.Fatalf("snapshots left: %v, want 3", ids)
	}
	if got := e.rows(); got != rows[len(rows)-1] {
		t.Fatalf("rows after expiry:\n%s\nwant\n%s", got, rows[len(rows)-1])
	}
	earliest, err := snapshot.EarliestID(e.ctx, tb.store)
	if err != nil || earliest != ids[0] {
		t.Fatalf("earliest %d (%v), want %d", earliest, err, ids[0])
	}
	checkReadable(e, tb)
	checkNoLeak(e, tb)
}

// TestExpireWriteOnly: write-only tables never expire after commits, and
// the default retention (10, 1 hour) keeps young snapshots.
func TestExpireWriteOnly(t *testing.T) {
	for _, o := range []Option{{"write-only", "true"}, {"snapshot.num-retained.max", "100"}} {
		e, _ := expireEnv(t, 12, Option{"snapshot.num-retained.min", "1"}, Option{"snapshot.num-retained.max", "1"}, o)
		if ids := snapshotIDs(e, e.open()); o.Key == "write-only" && len(ids) < 12 {
			t.Fatalf("write-only: snapshots %v", ids)
		}
	}
	e, _ := expireEnv(t, 12)
	if ids := snapshotIDs(e, e.open()); ids[0] != 1 {
		t.Fatalf("default retention expired young snapshots: %v", ids)
	}
}

// TestExpireTime: a snapshot expires once the snapshot after it is older
// than snapshot.time-retained (or ExpireOptions.OlderThan).
func TestExpireTime(t *testing.T) {
	e, _ := expireEnv(t, 6, Option{"snapshot.num-retained.min", "1"})
	tb := e.open()
	snaps, err := tb.Snapshots(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	// As if it were 30 minutes after snapshot 4: only 1..3 have an older
	// successor... with a one-hour retention nothing goes.
	at := func(id int64) time.Time { return time.UnixMilli(snaps[id-1].TimeMillis) }
	res, err := tb.Expire(e.ctx, ExpireOptions{Now: at(4).Add(30 * time.Minute)})
	if err != nil || res.Snapshots != 0 {
		t.Fatalf("1h retention, 30m later: %+v, %v", res, err)
	}
	// Older than the time of snapshot 4: 1, 2 go (3 stays: 4 is not older).
	res, err = tb.Expire(e.ctx, ExpireOptions{OlderThan: at(4)})
	if err != nil || res.Begin != 1 || res.End != 3 || res.Snapshots != 2 {
		t.Fatalf("older than snapshot 4: %+v, %v", res, err)
	}
	checkReadable(e, tb)
	checkNoLeak(e, tb)
}

// TestExpireTagsKeepFiles: a tag keeps its snapshot's files when the
// snapshot expires; the tag reads as before.
func TestExpireTagsKeepFiles(t *testing.T) {
	e, rows := expireEnv(t, 12)
	tb := e.open()
	for _, id := range []int64{2, 7} {
		s, err := snapshot.Read(e.ctx, tb.store, id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := snapshot.CreateTag(e.ctx, tb.store, fmt.Sprintf("t%d", id), s, snapshot.TagOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	before := map[string]string{}
	for _, tg := range []string{"t2", "t7"} {
		got, _, err := e.read(ScanOptions{Tag: tg})
		if err != nil {
			t.Fatal(err)
		}
		before[tg] = got
	}
	res, err := tb.Expire(e.ctx, ExpireOptions{RetainMin: 1, RetainMax: 1, Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	if ids := snapshotIDs(e, tb); len(ids) != 1 || res.Snapshots == 0 || res.DataFiles == 0 {
		t.Fatalf("left %v after %+v", ids, res)
	}
	for tg, want := range before {
		got, _, err := e.read(ScanOptions{Tag: tg})
		if err != nil || got != want {
			t.Fatalf("tag %s after expiry: %v\n%s\nwant\n%s", tg, err, got, want)
		}
	}
	if got := e.rows(); got != rows[len(rows)-1] {
		t.Fatalf("latest rows changed")
	}
	checkNoLeak(e, tb)
}

// TestExpireConsumerProtects: the snapshot a consumer reads next and later
// ones stay, even beyond num-retained.max.
func TestExpireConsumerProtects(t *testing.T) {
	e, _ := expireEnv(t, 8)
	tb := e.open()
	if err := snapshot.WriteConsumer(e.ctx, tb.store, "c1", snapshot.Consumer{NextSnapshot: 4}); err != nil {
		t.Fatal(err)
	}
	res, err := tb.Expire(e.ctx, ExpireOptions{RetainMin: 1, RetainMax: 1})
	if err != nil {
		t.Fatal(err)
	}
	if ids := snapshotIDs(e, tb); ids[0] != 4 || res.End != 4 {
		t.Fatalf("left %v after %+v", ids, res)
	}
	checkReadable(e, tb)
	checkNoLeak(e, tb)
}

// TestExpireLimitAndDryRun: snapshot.expire.limit caps a run; a dry run
// deletes nothing and lists what it would.
func TestExpireLimitAndDryRun(t *testing.T) {
	e, _ := expireEnv(t, 10, Option{"snapshot.expire.limit", "3"})
	tb := e.open()
	before, n := tableFiles(e, tb), len(snapshotIDs(e, tb))
	res, err := tb.Expire(e.ctx, ExpireOptions{RetainMin: 1, DryRun: true, OlderThan: time.Now()})
	if err != nil || res.End != 4 || len(res.Paths) == 0 {
		t.Fatalf("dry run: %+v, %v", res, err)
	}
	if after := tableFiles(e, tb); len(after) != len(before) || len(snapshotIDs(e, tb)) != n {
		t.Fatal("a dry run deleted files")
	}
	res, err = tb.Expire(e.ctx, ExpireOptions{RetainMin: 1, OlderThan: time.Now()})
	if err != nil || res.Snapshots != 3 {
		t.Fatalf("limited run: %+v, %v", res, err)
	}
	checkNoLeak(e, tb)
	res, err = tb.Expire(e.ctx, ExpireOptions{RetainMin: 1, OlderThan: time.Now(), Limit: -1})
	if err != nil || res.Snapshots != n-4 || len(snapshotIDs(e, tb)) != 1 {
		t.Fatalf("unlimited run: %+v, %v", res, err)
	}
	checkReadable(e, tb)
	checkNoLeak(e, tb)
}

// TestExpireFaults: an expiry failing at any delete leaves every snapshot
// file readable; running it again finishes the job.
func TestExpireFaults(t *testing.T) {
	for _, key := range []string{"snapshot/snapshot-", "bucket-", "manifest/manifest-list", "manifest/manifest-"} {
		t.Run(strings.NewReplacer("/", "_").Replace(key), func(t *testing.T) {
			e, rows := expireEnv(t, 10)
			tb := e.open()
			var f storage.Faults
			f.Add(storage.Fault{Op: storage.OpDelete, Key: key, Times: 1})
			ft, err := OpenStore(e.ctx, storage.WithFaults(tb.store, &f))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ft.Expire(e.ctx, ExpireOptions{RetainMin: 2, OlderThan: time.Now()}); !errors.Is(err, storage.ErrInjected) {
				t.Fatalf("expire with a failing delete of %s: %v", key, err)
			}
			checkReadable(e, tb)
			if _, err := ft.Expire(e.ctx, ExpireOptions{RetainMin: 2, OlderThan: time.Now()}); err != nil {
				t.Fatal(err)
			}
			if ids := snapshotIDs(e, tb); len(ids) != 2 {
				t.Fatalf("left %v", ids)
			}
			if got := e.rows(); got != rows[len(rows)-1] {
				t.Fatal("rows changed")
			}
			checkReadable(e, tb)
			if key == "snapshot/snapshot-" {
				checkNoLeak(e, tb) // failed before anything went
			}
		})
	}
}

// TestExpireDecoupledChangelog: with changelog retention longer than the
// snapshots', expired snapshots live on as changelog/changelog-<id>; a
// stream reads their changes as before expiry; their own expiry later
// removes what only they kept.
func TestExpireDecoupledChangelog(t *testing.T) {
	for _, producer := range []string{"none", "input"} {
		t.Run(producer, func(t *testing.T) {
			e, _ := expireEnv(t, 12, Option{"changelog-producer", producer},
				Option{"write-only", "true"}, Option{"snapshot.num-retained.min", "2"}, Option{"snapshot.num-retained.max", "2"},
				Option{"snapshot.time-retained", "1 ms"}, Option{"changelog.num-retained.max", "12"}, Option{"changelog.time-retained", "1 h"})
			tb := e.open()
			want, err := e.streamText(StreamOptions{Start: StartFromSnapshot, SnapshotID: 3, Until: UntilLatest})
			if err != nil || want == "" {
				t.Fatalf("stream before expiry: %q, %v", want, err)
			}
			res, err := tb.Expire(e.ctx, ExpireOptions{Limit: -1})
			if err != nil || res.Changelogs == 0 || res.Changelogs != res.Snapshots {
				t.Fatalf("expire: %+v, %v", res, err)
			}
			cls, err := snapshot.ListChangelogs(e.ctx, tb.store)
			if err != nil || len(cls) != res.Snapshots {
				t.Fatalf("changelogs %v, %v", cls, err)
			}
			checkReadable(e, tb)
			checkNoLeak(e, tb)
			// A consumer positioned on an expired snapshot reads its
			// changelog copy.
			if err := snapshot.WriteConsumer(e.ctx, tb.store, "c1", snapshot.Consumer{NextSnapshot: 3}); err != nil {
				t.Fatal(err)
			}
			got, err := e.streamText(StreamOptions{ConsumerID: "c1", Until: UntilLatest})
			if err != nil || got != want {
				t.Fatalf("stream from changelogs:\n%s\n%v\nwant\n%s", got, err, want)
			}
			if err := snapshot.DeleteConsumer(e.ctx, tb.store, "c1"); err != nil {
				t.Fatal(err)
			}
			// The changelog retention (max 12 against the latest snapshot)
			// expires the oldest changelogs once more snapshots come.
			for i := range 6 {
				e.writeKinds(fmt.Sprintf(`[{"id":%d,"v":"z"}]`, 100+i))
			}
			res, err = tb.Expire(e.ctx, ExpireOptions{Limit: -1})
			if err != nil || res.ExpiredChangelogs == 0 {
				t.Fatalf("expire changelogs: %+v, %v", res, err)
			}
			latest, _ := snapshot.LatestID(e.ctx, tb.store)
			cls, _ = snapshot.ListChangelogs(e.ctx, tb.store)
			if cls[0] < latest-12+1 {
				t.Fatalf("changelogs %v left with latest snapshot %d", cls, latest)
			}
			checkReadable(e, tb)
			checkNoLeak(e, tb)
		})
	}
}
