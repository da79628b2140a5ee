package table

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// javaStreamTable opens a table Java Paimon wrote for TestJavaStreams
// (interop/floetool/testdata/java-stream/make.sh: writes 1, 2 and 3, a
// full compaction, write 4).
func javaStreamTable(t *testing.T, version, name string) *Table {
	t.Helper()
	tb, err := Open(context.Background(), filepath.Join("..", "interop", "floetool", "testdata", "java-stream", version, "db.db", name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tb.Close() })
	return tb
}

// changeLines reads a change reader to its end: "snapshot kind cols…" per
// row, rows joined by ", ".
func changeLines(t *testing.T, next func(context.Context) (ChangeBatch, error)) (string, error) {
	t.Helper()
	var rows []string
	for {
		b, err := next(context.Background())
		if errors.Is(err, io.EOF) {
			return strings.Join(rows, ", "), nil
		}
		if err != nil {
			return strings.Join(rows, ", "), err
		}
		rows = append(rows, batchLines(b)...)
	}
}

func javaStreamText(t *testing.T, tb *Table, opts StreamOptions) string {
	t.Helper()
	alloc := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer alloc.AssertSize(t, 0)
	opts.Alloc = alloc
	s, err := tb.NewStream(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := changeLines(t, s.Next)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestJavaStreamCompactedFull: compacted-full on Java's tables starts from
// the full compaction (snapshot 4 of full-compaction's fcl, reading only
// the top level, then snapshot 5, which has no changelog; snapshot 8 of
// lookup, whose writes each compact, reading levels above 0).
func TestJavaStreamCompactedFull(t *testing.T) {
	for _, v := range []string{"1.4.2", "2.0.0"} {
		got := javaStreamText(t, javaStreamTable(t, v, "fcl"), StreamOptions{Start: StartCompactedFull, Until: UntilLatest})
		if want := "4 +I 1 a3 100, 4 +I 3 c3 30, 4 +I 4 d 4, 4 +I 5 e2 50"; got != want {
			t.Errorf("%s fcl:\n%s\nwant\n%s", v, got, want)
		}
		got = javaStreamText(t, javaStreamTable(t, v, "lookup"), StreamOptions{Start: StartCompactedFull, Until: UntilLatest})
		if want := "8 +I 1 a3 100, 8 +I 2 b2 20, 8 +U 3 c3 30, 8 +I 5 e2 50"; got != want {
			t.Errorf("%s lookup:\n%s\nwant\n%s", v, got, want)
		}
	}
}

func javaIncrementalText(t *testing.T, tb *Table, opts IncrementalOptions) string {
	t.Helper()
	alloc := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer alloc.AssertSize(t, 0)
	opts.Alloc = alloc
	s, err := tb.NewIncremental(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := changeLines(t, s.Next)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestJavaIncremental: incremental reads of Java's tables. In auto mode
// from the beginning to the latest they return what Java's stream from
// snapshot 1 returns (TestJavaStreams checks floe's stream against it):
// the changelog of tables with a producer, the delta of the others. In
// delta mode a producer's table reads like one without (its data files),
// and a diff is the difference between the rows at both ends, whatever
// the producer, nothing across a full compaction alone.
func TestJavaIncremental(t *testing.T) {
	ctx := context.Background()
	for _, v := range []string{"1.4.2", "2.0.0"} {
		for _, name := range []string{"none", "none_b2", "input", "lookup", "lookup_pu", "lookup_agg", "lookup_first", "fcl", "append"} {
			tb := javaStreamTable(t, v, name)
			latest, err := tb.Snapshot(ctx, 0)
			if err != nil {
				t.Fatal(err)
			}
			want := javaStreamText(t, tb, StreamOptions{Start: StartFromSnapshot, SnapshotID: 1, Until: UntilLatest})
			got := javaIncrementalText(t, tb, IncrementalOptions{ToSnapshot: latest.ID})
			if got != want {
				t.Errorf("%s %s, auto (0, %d]:\n%s\nwant\n%s", v, name, latest.ID, got, want)
			}
		}
		none := javaStreamTable(t, v, "none")
		delta := javaIncrementalText(t, none, IncrementalOptions{FromSnapshot: 1, ToSnapshot: 5})
		const diff = "5 +I 1 a3 100, 5 +I 2 b2 20, 5 +U 3 c3 30, 5 +I 5 e2 50"
		for _, name := range []string{"none", "input", "fcl"} {
			tb := javaStreamTable(t, v, name)
			if got := javaIncrementalText(t, tb, IncrementalOptions{FromSnapshot: 1, ToSnapshot: 5, Mode: IncrementalDelta}); got != delta {
				t.Errorf("%s %s, delta (1, 5]:\n%s\nwant\n%s", v, name, got, delta)
			}
			if got := javaIncrementalText(t, tb, IncrementalOptions{FromSnapshot: 1, ToSnapshot: 5, Mode: IncrementalDiff}); got != diff {
				t.Errorf("%s %s, diff (1, 5]:\n%s\nwant\n%s", v, name, got, diff)
			}
			if got := javaIncrementalText(t, tb, IncrementalOptions{FromSnapshot: 3, ToSnapshot: 4, Mode: IncrementalDiff}); got != "" {
				t.Errorf("%s %s, diff over the full compaction: %s", v, name, got)
			}
		}
		// lookup: 1 write 1, 2 its compaction, 3 write 2, 4 its compaction.
		got := javaIncrementalText(t, javaStreamTable(t, v, "lookup"), IncrementalOptions{FromSnapshot: 2, ToSnapshot: 4, Mode: IncrementalDiff})
		if want := "4 +U 1 a2 10, 4 -D 2 b 2, 4 +I 4 d 4"; got != want {
			t.Errorf("%s lookup, diff (2, 4]:\n%s\nwant\n%s", v, got, want)
		}
	}
}
