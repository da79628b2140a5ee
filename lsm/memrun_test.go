package lsm

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/internal/kv"
	"github.com/floelake/floe/merge"
	"github.com/floelake/floe/schema"
)

// parallelTestBuffer is spillTestBuffer filled with n random rows.
func parallelTestBuffer(t *testing.T, n, batch int) *Buffer {
	t.Helper()
	b, mem := spillTestBuffer(t, kvTestSchema(), batch)
	addRandomRows(t, b, mem, rand.New(rand.NewPCG(9, 10)), n)
	return b
}

// addRandomRows adds n random inserts to b, sequence numbers from 1.
func addRandomRows(t *testing.T, b *Buffer, mem memory.Allocator, rng *rand.Rand, n int) {
	t.Helper()
	rec := randomRecord(rng, mem, b.o.Schema, n)
	defer rec.Release()
	if err := b.Add(rec, make([]schema.RowKind, n), 1); err != nil {
		t.Fatal(err)
	}
}

// runKeys drains rr and returns the keys it read.
func runKeys(t *testing.T, rr array.RecordReader) []int64 {
	t.Helper()
	var keys []int64
	for rr.Next() {
		rec := rr.RecordBatch()
		col := rec.Column(int(rec.NumCols()) - 2).(*array.Int64)
		keys = append(keys, col.Int64Values()...)
	}
	if err := rr.Err(); err != nil {
		t.Fatal(err)
	}
	return keys
}

// TestParallelRunOrder: the records made on several goroutines come back
// as the sequential run reads them.
func TestParallelRunOrder(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	}
	b := parallelTestBuffer(t, 20_000, 100)
	seq := b.memRun()
	want := runKeys(t, seq)
	seq.Release()
	rr, err := b.parallelRun(b.memRun())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := rr.(*parallelReader); !ok {
		t.Fatalf("parallelRun gave a %T", rr)
	}
	got := runKeys(t, rr)
	rr.Release()
	if len(got) != len(want) || len(want) == 0 {
		t.Fatalf("%d keys in parallel, %d in order", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("key %d: %d in parallel, %d in order", i, got[i], want[i])
		}
	}
}

// TestParallelRunEarlyRelease: a reader released after its first record,
// with makers still busy ahead of it, leaves nothing allocated (the
// buffer's allocator is checked when the test ends).
func TestParallelRunEarlyRelease(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	}
	b := parallelTestBuffer(t, 20_000, 50)
	for _, n := range []int{0, 1, 3} {
		rr, err := b.parallelRun(b.memRun())
		if err != nil {
			t.Fatal(err)
		}
		for range n {
			if !rr.Next() {
				t.Fatal("run ended early")
			}
		}
		rr.Release()
		rr.Release() // a second Release is a no-op
	}
}

// failEngine is deduplicate whose reducers fail on a batch that holds
// sequence number failSeq.
type failEngine struct {
	merge.Engine
	failSeq atomic.Int64
}

var errTestReduce = errors.New("test reduce failure")

func (e *failEngine) Reducer(cols []string) (merge.Reducer, error) {
	r, err := e.Engine.Reducer(cols)
	return &failReducer{r: r, e: e}, err
}

type failReducer struct {
	r merge.Reducer
	e *failEngine
}

func (r *failReducer) Reduce(g *merge.Groups, mem memory.Allocator) (*merge.Output, error) {
	if slices.Contains(g.Seqs, r.e.failSeq.Load()) {
		return nil, errTestReduce
	}
	return r.r.Reduce(g, mem)
}

// TestParallelRunError: a maker's error ends the read with that error,
// after the records made before it, and a spill that meets it leaves no
// file and no memory behind.
func TestParallelRunError(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	}
	ctx := context.Background()
	sc := kvTestSchema()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	eng := &failEngine{Engine: merge.NewDeduplicate(merge.Options{})}
	dir := t.TempDir()
	b, err := NewBuffer(BufferOptions{
		SortOptions: SortOptions{Schema: sc, KeyColumns: []int{0}, Engine: eng},
		Spillable:   true, SpillDir: dir, Alloc: mem, BatchSize: 100,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	addRandomRows(t, b, mem, rand.New(rand.NewPCG(11, 12)), 20_000)

	// The first sequence number of the seventh record read in order.
	seq := b.memRun()
	for range 7 {
		if !seq.Next() {
			t.Fatal("fewer than 7 records")
		}
	}
	eng.failSeq.Store(seq.Record().Column(kv.SeqColumn).(*array.Int64).Value(0))
	seq.Release()

	rr, err := b.parallelRun(b.memRun())
	if err != nil {
		t.Fatal(err)
	}
	read := 0
	for rr.Next() {
		read++
	}
	rerr := rr.Err()
	rr.Release()
	if !errors.Is(rerr, errTestReduce) || read != 6 {
		t.Fatalf("read %d records, then %v; want 6, then %v", read, rerr, errTestReduce)
	}

	if err := b.Spill(ctx); !errors.Is(err, errTestReduce) {
		t.Fatalf("Spill: %v, want %v", err, errTestReduce)
	}
	if names := spillDirFiles(t, dir); len(names) != 0 {
		t.Fatalf("files left by a failed spill: %v", names)
	}
	eng.failSeq.Store(0)
	rows := 0
	err = b.Flush(ctx, func(r arrow.Record) error {
		rows += int(r.NumRows())
		return nil
	})
	if err != nil || rows == 0 {
		t.Fatalf("Flush after a failed spill: %d rows, %v", rows, err)
	}
}

// spillDirFiles lists the files in dir.
func spillDirFiles(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}
