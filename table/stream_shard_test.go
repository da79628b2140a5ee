package table

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/floelake/floe/snapshot"
)

// shardEnv is a table over 5 buckets and 2 partitions with 6 commits
// (inserts, updates, deletes) and a compaction.
func shardEnv(t *testing.T) *castEnv {
	e := newCastEnv(t, Spec{Columns: []Column{{Name: "p", Type: "INT NOT NULL"}, {Name: "id", Type: "INT NOT NULL"}, {Name: "v", Type: "STRING"}},
		PartitionKeys: []string{"p"}, PrimaryKeys: []string{"p", "id"}, Options: []Option{{"bucket", "5"}}})
	for c := 1; c <= 6; c++ {
		var rows []string
		for id := range 20 {
			kind := "+I"
			if c > 1 && id%c == 0 {
				kind = "-D"
			}
			rows = append(rows, fmt.Sprintf(`{"p":%d,"id":%d,"v":"c%d","_ROW_KIND":%q}`, id%2, id+c%3, c, kind))
		}
		e.writeKinds("[" + strings.Join(rows, ",") + "]")
		if c == 3 {
			e.compact(CompactOptions{Full: true})
		}
	}
	return e
}

// readAll reads a stream to its end and returns its rows.
func readAll(t *testing.T, s *Stream) []string {
	t.Helper()
	var rows []string
	for {
		b, err := s.Next(t.Context())
		if errors.Is(err, io.EOF) {
			return rows
		}
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, batchLines(b)...)
	}
}

// TestStreamShards: N shards of a stream read every change of the table
// exactly once between them, each in snapshot order, with a full start
// and without; a shard owns whole buckets.
func TestStreamShards(t *testing.T) {
	e := shardEnv(t)
	tb := e.open()
	for _, start := range []StreamOptions{{Start: StartFromSnapshot, SnapshotID: 1}, {Start: StartFromSnapshotFull, SnapshotID: 3}} {
		start.Until, start.Alloc, start.BatchSize = UntilLatest, e.alloc, 7
		s, err := tb.NewStream(e.ctx, start)
		if err != nil {
			t.Fatal(err)
		}
		all := readAll(t, s)
		s.Close()
		for _, n := range []int{1, 2, 3, 7} {
			var union []string
			for i := range n {
				o := start
				o.Shard = Shard{Index: i, Count: n}
				s, err := tb.NewStream(e.ctx, o)
				if err != nil {
					t.Fatal(err)
				}
				got := readAll(t, s)
				s.Close()
				if len(got) == 0 && n <= 3 {
					t.Fatalf("%d shards, shard %d read nothing", n, i)
				}
				// In snapshot order, and a subsequence of the whole
				// stream (each bucket's rows in the same order).
				j := 0
				for _, r := range got {
					for j < len(all) && all[j] != r {
						j++
					}
					if j == len(all) {
						t.Fatalf("%d shards, shard %d: row %q out of order or not in the stream", n, i, r)
					}
					j++
				}
				union = append(union, got...)
			}
			a, u := slices.Clone(all), union
			slices.Sort(a)
			slices.Sort(u)
			if !slices.Equal(a, u) {
				t.Fatalf("%d shards: %d rows between them, the stream has %d", n, len(u), len(a))
			}
		}
	}
	for _, bad := range []Shard{{Index: 2, Count: 2}, {Index: -1, Count: 2}, {Index: 1}, {Count: -1}} {
		if _, err := tb.NewStream(e.ctx, StreamOptions{Shard: bad}); !errors.Is(err, ErrInvalidOption) {
			t.Errorf("shard %+v: %v", bad, err)
		}
	}
}

// TestStreamResume: a stream stopped anywhere and resumed from its
// serialized position (in another Table) continues with no gap; rows of
// the snapshot it stopped in come again, whole, and a full read stopped
// midway is read again in full.
func TestStreamResume(t *testing.T) {
	e := shardEnv(t)
	for _, start := range []StreamOptions{{Start: StartFromSnapshot, SnapshotID: 1}, {Start: StartLatestFull}} {
		start.Until, start.Alloc, start.BatchSize, start.Shard = UntilLatest, e.alloc, 3, Shard{Index: 1, Count: 2}
		s, err := e.open().NewStream(e.ctx, start)
		if err != nil {
			t.Fatal(err)
		}
		want := readAll(t, s)
		s.Close()
		for stop := 1; stop < 12; stop += 2 {
			s, err := e.open().NewStream(e.ctx, start)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			done := 0 // rows of whole snapshots (or of the finished full read)
			for range stop {
				b, err := s.Next(e.ctx)
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, batchLines(b)...)
				if b.Last {
					done = len(got)
				}
			}
			pos := s.Position()
			s.Close()
			b, err := pos.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			var p StreamPosition
			if err := p.UnmarshalBinary(b); err != nil {
				t.Fatal(err)
			}
			r, err := e.open().NewStream(e.ctx, StreamOptions{Position: &p, Until: UntilLatest, Alloc: e.alloc})
			if err != nil {
				t.Fatal(err)
			}
			rest := readAll(t, r)
			r.Close()
			if joined := append(got[:done:done], rest...); !slices.Equal(joined, want) {
				t.Fatalf("%v, stopped after %d batches at %+v:\n%s\nwant\n%s", start.Start, stop, p,
					strings.Join(joined, "\n"), strings.Join(want, "\n"))
			}
		}
	}
	tb := e.open()
	if _, err := tb.NewStream(e.ctx, StreamOptions{Position: &StreamPosition{Next: 1}, ConsumerID: "c"}); !errors.Is(err, ErrInvalidOption) {
		t.Fatalf("position and consumer: %v", err)
	}
	if _, err := tb.NewStream(e.ctx, StreamOptions{Position: &StreamPosition{Next: 1, Shard: Shard{0, 2}}, Shard: Shard{1, 2}}); !errors.Is(err, ErrInvalidOption) {
		t.Fatalf("another shard: %v", err)
	}
	var p StreamPosition
	if err := p.UnmarshalBinary([]byte(`{"version":1,"next":0}`)); !errors.Is(err, ErrBadPosition) {
		t.Fatalf("bad position: %v", err)
	}
	// A position whose snapshot expired fails, never skipping ahead.
	if err := tb.Store().Delete(e.ctx, snapshot.SnapshotPath(1)); err != nil {
		t.Fatal(err)
	}
	if err := snapshot.WriteEarliestHint(e.ctx, tb.Store(), 2); err != nil {
		t.Fatal(err)
	}
	var exp *SnapshotExpiredError
	if _, err := tb.NewStream(e.ctx, StreamOptions{Position: &StreamPosition{Next: 1}}); !errors.As(err, &exp) {
		t.Fatalf("expired position: %v", err)
	}
}
