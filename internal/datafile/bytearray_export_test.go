package datafile

import (
	"context"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// OpenPQArrow is Open for a Parquet file with every column decoded by
// pqarrow (no byteArrayReader), to compare the two.
func OpenPQArrow(ctx context.Context, o ReadOptions) (array.RecordReader, error) {
	if o.Alloc == nil {
		o.Alloc = memory.DefaultAllocator
	}
	if o.BatchSize <= 0 {
		o.BatchSize = defaultBatchSize
	}
	if !strings.HasSuffix(o.Path, ".parquet") {
		return Open(ctx, o)
	}
	out, err := outputSchema(o)
	if err != nil {
		return nil, err
	}
	return openParquet(ctx, o, out, true)
}
