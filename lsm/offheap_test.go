package lsm

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/merge"
	"github.com/floelake/floe/schema"
)

func TestGrowArr(t *testing.T) {
	var o offHeap
	var s []int64
	var e []sortEntry
	for i := range 300_000 {
		if i%1000 == 0 {
			s = growArr(&o, s, 1000)
			e = growArr(&o, e, 1000)
		}
		s = append(s, int64(i)*7)
		e = append(e, sortEntry{prefix: uint64(i), row: int32(i)})
	}
	for i := range s {
		if s[i] != int64(i)*7 || e[i].prefix != uint64(i) || e[i].row != int32(i) {
			t.Fatalf("element %d: %d %v", i, s[i], e[i])
		}
	}
	if runtime.GOOS == "linux" {
		if got, min := o.mapped(), 300_000*(8+16); got < min {
			t.Fatalf("%d bytes mapped, want at least %d", got, min)
		}
	}
	releaseArr(&o, s)
	releaseArr(&o, e)
	if n := o.mapped(); n != 0 {
		t.Fatalf("%d bytes mapped after release", n)
	}
	// A heap slice (as a key encoder may grow) moves off the heap.
	h := make([]byte, 10, 10)
	for i := range h {
		h[i] = byte(i)
	}
	h = growArr(&o, h, 100)
	for i := range h {
		if h[i] != byte(i) {
			t.Fatalf("byte %d: %d", i, h[i])
		}
	}
	o.freeAll()
	if n := o.mapped(); n != 0 {
		t.Fatalf("%d bytes mapped after freeAll", n)
	}
}

// TestBufferOffHeapFreed checks that a buffer's arrays are given back
// after a spill, a flush and a close (what a buffer emits across spills is
// TestBufferModel's).
func TestBufferOffHeapFreed(t *testing.T) {
	ctx := context.Background()
	sc := kvTestSchema()
	b, mem := spillTestBuffer(t, sc, 0)
	rng := rand.New(rand.NewPCG(1, 2))
	var seq int64 = 1
	add := func(n int) {
		rec := randomRecord(rng, mem, sc, n)
		defer rec.Release()
		kinds := make([]schema.RowKind, n)
		if err := b.Add(rec, kinds, seq); err != nil {
			t.Fatal(err)
		}
		seq += int64(n)
	}
	baseline := b.off.mapped()
	add(20_000)
	if b.off.mapped() <= baseline {
		t.Fatalf("nothing mapped after Add (%d bytes)", b.off.mapped())
	}
	if err := b.Spill(ctx); err != nil {
		t.Fatal(err)
	}
	if n := b.off.mapped(); n > baseline {
		t.Fatalf("%d bytes mapped after Spill, %d before Add", n, baseline)
	}
	add(30_000)
	rows := 0
	err := b.Flush(ctx, func(r arrow.Record) error {
		rows += int(r.NumRows())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if rows == 0 || rows > 50_000 {
		t.Fatalf("%d rows flushed", rows)
	}
	if n := b.off.mapped(); n > baseline {
		t.Fatalf("%d bytes mapped after Flush", n)
	}
	if n := b.rows.off.mapped(); n != 0 {
		t.Fatalf("%d bytes of row addresses mapped after Flush", n)
	}
	b.Close()
	if n := b.off.mapped(); n != 0 {
		t.Fatalf("%d bytes mapped after Close", n)
	}
}

// TestSpillBatches checks that spill files hold records of at most
// spillBatchRows rows, whatever the buffer's batch size.
func TestSpillBatches(t *testing.T) {
	ctx := context.Background()
	sc := kvTestSchema()
	b, mem := spillTestBuffer(t, sc, 8192)
	addRandomRows(t, b, mem, rand.New(rand.NewPCG(3, 4)), 10_000)
	if err := b.Spill(ctx); err != nil {
		t.Fatal(err)
	}
	runs, err := b.openSpills()
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, r := range runs {
		for r.Next() {
			n := int(r.RecordBatch().NumRows())
			if n > spillBatchRows {
				t.Errorf("spill record of %d rows, want at most %d", n, spillBatchRows)
			}
			total += n
		}
		if err := r.Err(); err != nil {
			t.Fatal(err)
		}
		r.Release()
	}
	if total == 0 || total != b.spillRows {
		t.Fatalf("%d rows read from spills, %d spilled", total, b.spillRows)
	}
}

// TestAdoptArr checks that an array an append moved onto the heap comes
// back off it, and that the array it outgrew is released.
func TestAdoptArr(t *testing.T) {
	var o offHeap
	prev := growArr(&o, []byte(nil), 10)
	prev = append(prev, 1, 2, 3)
	before := o.mapped()
	next := append(prev[:len(prev):len(prev)], make([]byte, 3*cap(prev))...) // on the heap
	next[3] = 9
	got := adoptArr(&o, prev, next)
	if len(got) != len(next) || got[0] != 1 || got[2] != 3 || got[3] != 9 {
		t.Fatalf("adopted array differs: %v", got[:4])
	}
	if runtime.GOOS == "linux" && o.mapped() <= before {
		t.Fatalf("adopted array not mapped (%d bytes, %d before)", o.mapped(), before)
	}
	if same := adoptArr(&o, got, got[:len(got)-1]); &same[0] != &got[0] {
		t.Fatal("an append within the array moved it")
	}
	releaseArr(&o, got)
	if n := o.mapped(); n != 0 {
		t.Fatalf("%d bytes mapped after release: the outgrown array leaked", n)
	}
}

// TestBufferKeysOutgrowRoom adds keys much longer than those before, so
// that the key encoder outgrows the room made for them, and checks that
// nothing stays mapped after a spill.
func TestBufferKeysOutgrowRoom(t *testing.T) {
	ctx := context.Background()
	sc := arrow.NewSchema([]arrow.Field{{Name: "k", Type: arrow.BinaryTypes.String}}, nil)
	b, mem := spillTestBuffer(t, sc, 0)
	baseline := b.off.mapped()
	var seq int64 = 1
	for _, l := range []int{1, 2, 500, 3} {
		bld := array.NewStringBuilder(mem)
		for i := range 2000 {
			bld.Append(fmt.Sprintf("%0*d", l, i))
		}
		arr := bld.NewArray()
		bld.Release()
		rec := array.NewRecordBatch(sc, []arrow.Array{arr}, 2000)
		arr.Release()
		err := b.Add(rec, make([]schema.RowKind, 2000), seq)
		rec.Release()
		if err != nil {
			t.Fatal(err)
		}
		seq += 2000
	}
	if err := b.Spill(ctx); err != nil {
		t.Fatal(err)
	}
	if n := b.off.mapped(); n > baseline {
		t.Fatalf("%d bytes mapped after Spill, %d before Add", n, baseline)
	}
}

// kvTestSchema is a BIGINT key and a nullable STRING value.
func kvTestSchema() *arrow.Schema {
	return arrow.NewSchema([]arrow.Field{
		{Name: "k", Type: arrow.PrimitiveTypes.Int64},
		{Name: "v", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
}

// spillTestBuffer is a spillable deduplicating buffer keyed on sc's first
// column (batch rows per record, 0 for the default), closed when the test
// ends, with an allocator checked for leaks after that.
func spillTestBuffer(t *testing.T, sc *arrow.Schema, batch int) (*Buffer, *memory.CheckedAllocator) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	b, err := NewBuffer(BufferOptions{
		SortOptions: SortOptions{Schema: sc, KeyColumns: []int{0}, Engine: merge.NewDeduplicate(merge.Options{})},
		Spillable:   true, SpillDir: t.TempDir(), Alloc: mem, BatchSize: batch,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b, mem
}
