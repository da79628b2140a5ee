package table

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/floelake/floe/predicate"
	"github.com/floelake/floe/snapshot"
)

func (e *castEnv) incrementalText(opts IncrementalOptions) (string, error) {
	e.t.Helper()
	opts.Alloc = e.alloc
	s, err := e.open().NewIncremental(e.ctx, opts)
	if err != nil {
		return "", err
	}
	defer s.Close()
	return changeLines(e.t, s.Next)
}

// TestIncremental: reads between two snapshots, start exclusive and end
// inclusive, by ids, tags and times, in delta, changelog and diff modes.
func TestIncremental(t *testing.T) {
	e := newCastEnv(t, pkStreamSpec(Option{"write-only", "true"}))
	e.writeKinds(`[{"id":1,"v":"a"},{"id":2,"v":"b"},{"id":3,"v":"c"}]`)
	time.Sleep(3 * time.Millisecond)
	e.writeKinds(`[{"id":1,"v":"a2","_ROW_KIND":"+U"},{"id":2,"v":"b","_ROW_KIND":"-D"}]`)
	time.Sleep(3 * time.Millisecond)
	e.compact(CompactOptions{Full: true}) // 3
	time.Sleep(3 * time.Millisecond)
	e.writeKinds(`[{"id":3,"v":"c"},{"id":4,"v":"d"}]`) // 3 rewritten unchanged
	tb := e.open()
	for _, c := range []struct {
		tag string
		id  int64
	}{{"t1", 1}, {"t4", 4}} {
		s, err := tb.Snapshot(e.ctx, c.id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := snapshot.CreateTag(e.ctx, tb.Store(), c.tag, s, snapshot.TagOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	times := map[int64]time.Time{}
	for id := int64(1); id <= 4; id++ {
		s, err := tb.Snapshot(e.ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		times[id] = time.UnixMilli(s.TimeMillis)
	}

	const delta = "2 +U 1 a2, 2 -D 2 b, 4 +I 3 c, 4 +I 4 d"
	const diff = "4 +U 1 a2, 4 -D 2 b, 4 +I 4 d"
	for _, c := range []struct {
		name string
		opts IncrementalOptions
		want string
	}{
		{"ids, auto is delta", IncrementalOptions{FromSnapshot: 1, ToSnapshot: 4}, delta},
		{"ids, delta", IncrementalOptions{FromSnapshot: 1, ToSnapshot: 4, Mode: IncrementalDelta}, delta},
		{"ids from 0", IncrementalOptions{ToSnapshot: 2}, "1 +I 1 a, 1 +I 2 b, 1 +I 3 c, 2 +U 1 a2, 2 -D 2 b"},
		{"ids, changelog (none)", IncrementalOptions{FromSnapshot: 1, ToSnapshot: 4, Mode: IncrementalChangelog}, ""},
		{"ids, diff", IncrementalOptions{FromSnapshot: 1, ToSnapshot: 4, Mode: IncrementalDiff}, diff},
		{"ids, diff over a compaction", IncrementalOptions{FromSnapshot: 2, ToSnapshot: 3, Mode: IncrementalDiff}, ""},
		{"ids, equal", IncrementalOptions{FromSnapshot: 2, ToSnapshot: 2}, ""},
		{"tags, auto is diff", IncrementalOptions{FromTag: "t1", ToTag: "t4"}, diff},
		{"tags, delta", IncrementalOptions{FromTag: "t1", ToTag: "t4", Mode: IncrementalDelta}, delta},
		{"times, delta", IncrementalOptions{FromTime: times[1], ToTime: times[4]}, delta},
		{"times, diff", IncrementalOptions{FromTime: times[1], ToTime: times[4], Mode: IncrementalDiff}, diff},
		{"times before the first", IncrementalOptions{FromTime: times[1].Add(-time.Hour), ToTime: times[1]}, "1 +I 1 a, 1 +I 2 b, 1 +I 3 c"},
		{"times after the last", IncrementalOptions{FromTime: times[4].Add(time.Hour), ToTime: times[4].Add(2 * time.Hour)}, ""},
		{"diff, filtered", IncrementalOptions{FromSnapshot: 1, ToSnapshot: 4, Mode: IncrementalDiff,
			Filter: predicate.Equal("v", "b")}, "4 -D 2 b"},
		{"diff, a changed row filtered out", IncrementalOptions{FromSnapshot: 1, ToSnapshot: 4, Mode: IncrementalDiff,
			Filter: predicate.Equal("v", "a")}, ""},
		{"diff, a column", IncrementalOptions{FromSnapshot: 1, ToSnapshot: 4, Mode: IncrementalDiff, Columns: []string{"v"}},
			"4 +U a2, 4 -D b, 4 +I d"},
	} {
		got, err := e.incrementalText(c.opts)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s:\n%s\nwant\n%s", c.name, got, c.want)
		}
	}
	for _, c := range []struct {
		name string
		opts IncrementalOptions
		want error
	}{
		{"no ends", IncrementalOptions{}, ErrInvalidOption},
		{"end before start", IncrementalOptions{FromSnapshot: 3, ToSnapshot: 2}, ErrInvalidOption},
		{"mixed", IncrementalOptions{FromSnapshot: 1, ToTag: "t4"}, ErrInvalidOption},
		{"one tag", IncrementalOptions{ToTag: "t4"}, ErrInvalidOption},
		{"one time", IncrementalOptions{ToTime: times[4]}, ErrInvalidOption},
		{"times reversed", IncrementalOptions{FromTime: times[4], ToTime: times[1]}, ErrInvalidOption},
		{"bad mode", IncrementalOptions{FromSnapshot: 1, ToSnapshot: 2, Mode: 9}, ErrInvalidOption},
		{"beyond the latest", IncrementalOptions{FromSnapshot: 1, ToSnapshot: 9}, ErrNoSnapshot},
		{"diff from a missing snapshot", IncrementalOptions{FromSnapshot: 0, ToSnapshot: 2, Mode: IncrementalDiff}, ErrNoSnapshot},
		{"missing tag", IncrementalOptions{FromTag: "t1", ToTag: "nope"}, ErrNoSnapshot},
	} {
		if _, err := e.incrementalText(c.opts); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
}

// TestIncrementalAppend: an append table's diff is the rows of the files
// added, +I.
func TestIncrementalAppend(t *testing.T) {
	e := newCastEnv(t, Spec{Columns: []Column{{Name: "v", Type: "STRING"}}, Options: []Option{{"bucket", "-1"}}})
	e.write(`[{"v":"a"},{"v":"b"}]`)
	e.write(`[{"v":"c"}]`)
	e.write(`[{"v":"d"}]`)
	for _, m := range []IncrementalMode{IncrementalAuto, IncrementalDiff} {
		got, err := e.incrementalText(IncrementalOptions{FromSnapshot: 1, ToSnapshot: 3, Mode: m})
		if err != nil || got != "3 +I c, 3 +I d" && m == IncrementalDiff || got != "2 +I c, 3 +I d" && m == IncrementalAuto {
			t.Errorf("%s: %q, %v", m, got, err)
		}
	}
}

// TestIncrementalEmptyTable: an incremental read of a table with no
// snapshot reads nothing.
func TestIncrementalEmptyTable(t *testing.T) {
	e := newCastEnv(t, pkStreamSpec())
	got, err := e.incrementalText(IncrementalOptions{FromSnapshot: 1, ToSnapshot: 3})
	if err != nil || got != "" {
		t.Fatalf("%q, %v", got, err)
	}
}

// TestDiffSplitRoundTrip: a diff split serializes with its start files and
// reads the same in another process.
func TestDiffSplitRoundTrip(t *testing.T) {
	e := newCastEnv(t, pkStreamSpec())
	e.writeKinds(`[{"id":1,"v":"a"},{"id":2,"v":"b"}]`)
	e.writeKinds(`[{"id":1,"v":"a2"},{"id":2,"v":"b","_ROW_KIND":"-D"},{"id":3,"v":"c"}]`)
	tb := e.open()
	from, _ := tb.Snapshot(e.ctx, 1)
	to, _ := tb.Snapshot(e.ctx, 2)
	splits, err := tb.diffSplits(e.ctx, from, to, []string{"id", "v"}, "")
	if err != nil || len(splits) != 1 || splits[0].Before == nil {
		t.Fatalf("%v, %v", splits, err)
	}
	b, err := splits[0].MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var s Split
	if err := s.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	rr, err := tb.Read(e.ctx, &s, ReadOptions{Alloc: e.alloc})
	if err != nil {
		t.Fatal(err)
	}
	defer rr.Release()
	var got []string
	for rr.Next() {
		got = append(got, batchLines(ChangeBatch{SnapshotID: 2, Record: rr.RecordBatch()})...)
	}
	if err := rr.Err(); err != nil {
		t.Fatal(err)
	}
	if want := "2 +I 1 a2,2 -D 2 b,2 +I 3 c"; strings.Join(got, ",") != want {
		t.Fatalf("%v, want %s", got, want)
	}
}
