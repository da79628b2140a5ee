package table

import (
	"context"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// takeRows returns a record of the rows of rec at the given indexes, in
// order: one take per column, with the index vector wrapping rows without
// a copy. The caller releases the result.
func takeRows(ctx context.Context, alloc memory.Allocator, rec arrow.Record, rows []int32) (arrow.Record, error) {
	var raw []byte
	if len(rows) > 0 {
		raw = unsafe.Slice((*byte)(unsafe.Pointer(&rows[0])), 4*len(rows))
	}
	buf := memory.NewBufferBytes(raw)
	data := array.NewData(arrow.PrimitiveTypes.Int32, len(rows), []*memory.Buffer{nil, buf}, nil, 0, 0)
	idx := array.NewInt32Data(data)
	data.Release()
	defer idx.Release()

	ctx = compute.WithAllocator(ctx, alloc)
	cols := make([]arrow.Array, rec.NumCols())
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	opts := compute.TakeOptions{BoundsCheck: false}
	for i := range cols {
		c, err := compute.TakeArrayOpts(ctx, rec.Column(i), idx, opts)
		if err != nil {
			return nil, err
		}
		cols[i] = c
	}
	return array.NewRecord(rec.Schema(), cols, int64(len(rows))), nil
}
