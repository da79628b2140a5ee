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
