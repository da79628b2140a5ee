package datafile_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/internal/datafile"
	"github.com/floelake/floe/schema"
)

// BenchmarkWriteNarrow writes 1M rows of (id INT, name STRING, amount
// DOUBLE, ts TIMESTAMP(3), category STRING) in 8192-row records.
func BenchmarkWriteNarrow(b *testing.B) {
	fields, _ := schema.AssignFieldIDs([]schema.Field{
		{Name: "id", Type: schema.NewInt()},
		{Name: "name", Type: schema.NewString()},
		{Name: "amount", Type: schema.NewDouble()},
		{Name: "ts", Type: schema.NewTimestamp(3)},
		{Name: "category", Type: schema.NewString()},
	}, 0)
	sc, _ := schema.ArrowSchema(fields)
	const rows, batch = 1_000_000, 8192
	var recs []arrow.RecordBatch
	for start := 0; start < rows; start += batch {
		rb := array.NewRecordBuilder(memory.DefaultAllocator, sc)
		for i := start; i < min(rows, start+batch); i++ {
			rb.Field(0).(*array.Int32Builder).Append(int32(i))
			rb.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("name-%d", i))
			rb.Field(2).(*array.Float64Builder).Append(float64(i) * 1.25)
			rb.Field(3).(*array.TimestampBuilder).Append(arrow.Timestamp(1_700_000_000_000 + int64(i)))
			rb.Field(4).(*array.StringBuilder).Append([]string{"a", "bb", "ccc", "dddd"}[i%4])
		}
		recs = append(recs, rb.NewRecordBatch())
		rb.Release()
	}
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		st := memStore(b)
		w, err := datafile.NewWriter(datafile.WriterOptions{Store: st, Dir: "bucket-0", Format: "parquet",
			TargetFileSize: 128 << 20, Fields: fields, StatsDenseStore: true})
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range recs {
			if err := w.Write(ctx, r); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := w.Close(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
