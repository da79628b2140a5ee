package table

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/internal/spilldir"
)

// spillDirs lists the spill directories in parent.
func spillDirs(t *testing.T, parent string) []string {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(parent, "floe-spill-*"))
	if err != nil {
		t.Fatal(err)
	}
	return dirs
}

// TestWriterSweepsDeadSpillDirs: a writer spills into a directory of its
// own; a new writer removes the spill directory a dead process left in
// the same SpillDir (its lock free) but not the live writer's, which then
// commits every row; Close removes the live writer's directory.
func TestWriterSweepsDeadSpillDirs(t *testing.T) {
	if !spilldir.Supported {
		t.Skip("no flock on this system: spill directories are not swept")
	}
	ctx := context.Background()
	cat := testCatalog(t)
	tb := createTable(t, cat, "spill", pkSpec(Option{"bucket", "2"}, Option{"write-buffer-size", "256 kb"}))
	sc, err := tb.Schema().ArrowSchema()
	if err != nil {
		t.Fatal(err)
	}
	parent := t.TempDir()
	alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer alloc.AssertSize(t, 0)

	w1, err := tb.NewWriter(ctx, WriterOptions{Alloc: alloc, SpillDir: parent})
	if err != nil {
		t.Fatal(err)
	}
	defer w1.Close()
	if got := spillDirs(t, parent); len(got) != 0 {
		t.Fatalf("a writer that has not spilled made %v", got)
	}
	const batch, batches = 500, 30
	for i := range batches {
		rec := idRecord(alloc, sc, "d", i*batch, batch)
		err := w1.Write(ctx, rec)
		rec.Release()
		if err != nil {
			t.Fatal(err)
		}
	}
	if w1.Stats().Spills == 0 {
		t.Fatal("no spill happened")
	}
	live := spillDirs(t, parent)
	if len(live) != 1 {
		t.Fatalf("spill directories %v, want the writer's one", live)
	}
	if runs, _ := filepath.Glob(filepath.Join(live[0], "*.arrows")); len(runs) == 0 {
		t.Fatalf("no spill file in %s", live[0])
	}

	// What a killed writer leaves: a directory with spill files and a
	// lock file nobody holds.
	dead := filepath.Join(parent, "floe-spill-4194304-0123456789abcdef")
	if err := os.Mkdir(dead, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"lock", "floe-spill-1.arrows", "floe-spill-2.arrows"} {
		if err := os.WriteFile(filepath.Join(dead, f), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	w2, err := tb.NewWriter(ctx, WriterOptions{Alloc: alloc, SpillDir: parent})
	if err != nil {
		t.Fatal(err)
	}
	if err := w2.Close(); err != nil {
		t.Fatal(err)
	}
	if got := spillDirs(t, parent); !slices.Equal(got, live) {
		t.Fatalf("after a new writer: spill directories %v, want %v", got, live)
	}

	msgs, err := w1.Prepare(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tb.Commit(ctx, msgs, CommitOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := w1.Close(); err != nil {
		t.Fatal(err)
	}
	if got := spillDirs(t, parent); len(got) != 0 {
		t.Fatalf("Close left %v", got)
	}
	rr, err := tb.ReadAll(ctx, ScanOptions{Columns: []string{"id"}}, ReadOptions{Alloc: alloc})
	if err != nil {
		t.Fatal(err)
	}
	defer rr.Release()
	var rows int64
	for rr.Next() {
		rows += rr.RecordBatch().NumRows()
	}
	if err := rr.Err(); err != nil {
		t.Fatal(err)
	}
	if rows != batch*batches {
		t.Errorf("read %d rows, want %d", rows, batch*batches)
	}
}
