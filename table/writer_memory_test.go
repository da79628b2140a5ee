package table

import (
	"context"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// idRecord builds n rows (dt, id, name, v) with ids from first.
func idRecord(alloc memory.Allocator, sc *arrow.Schema, dt string, first, n int) arrow.Record {
	b := array.NewRecordBuilder(alloc, sc)
	defer b.Release()
	for i := range n {
		id := int64(first + i)
		b.Field(0).(*array.StringBuilder).Append(dt)
		b.Field(1).(*array.Int64Builder).Append(id)
		b.Field(2).(*array.StringBuilder).Append("name-of-a-row-long-enough-to-take-memory")
		b.Field(3).(*array.Float64Builder).Append(float64(id) / 2)
	}
	return b.NewRecord()
}

// With a small write-buffer-size, many rows stay within it by spilling
// the largest buffer; nothing leaks.
func TestWriterMemoryBounded(t *testing.T) {
	ctx := context.Background()
	cat := testCatalog(t)
	const budget = 256 << 10
	tb := createTable(t, cat, "mem", pkSpec(Option{"bucket", "4"}, Option{"write-buffer-size", "256 kb"}))
	sc, err := tb.Schema().ArrowSchema()
	if err != nil {
		t.Fatal(err)
	}
	alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer alloc.AssertSize(t, 0)
	w, err := tb.NewWriter(ctx, WriterOptions{Alloc: alloc, SpillDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	const batch, batches = 500, 60
	for i := range batches {
		rec := idRecord(alloc, sc, "d", i*batch, batch)
		err := w.Write(ctx, rec)
		rec.Release()
		if err != nil {
			t.Fatal(err)
		}
		if used := w.Stats().MemoryUsed; used > budget {
			t.Fatalf("after batch %d: %d bytes buffered, budget %d", i, used, budget)
		}
	}
	st := w.Stats()
	t.Logf("stats %+v", st)
	if st.Rows != batch*batches {
		t.Errorf("rows %d", st.Rows)
	}
	if st.Spills == 0 {
		t.Errorf("no spill happened")
	}
	if st.PeakMemory > 2*budget {
		t.Errorf("peak %d far above budget %d", st.PeakMemory, budget)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}
