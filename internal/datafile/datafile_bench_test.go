package datafile_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/internal/datafile"
	"github.com/floelake/floe/schema"
	"github.com/floelake/floe/storage"
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

// BenchmarkWriteKV writes primary-key data files (the layout a bucket flush
// writes: _KEY_ columns, _SEQUENCE_NUMBER, _VALUE_KIND, values) of two
// shapes, sorted by key, in 4096-row records, to local files: micro is Paimon's
// micro-benchmark (INT key plus 20 STRING columns of 10 random hex
// characters, which defeat dictionaries), narrow a service table (BIGINT
// id, STRING name, DOUBLE amount, TIMESTAMP(3) ts, STRING category of 8
// values). FLOE_BENCH_ROWS sets the row count (default 1,000,000). Besides
// rows/s it reports the process CPU seconds per op and the cores busy (CPU
// seconds over wall seconds).
func BenchmarkWriteKV(b *testing.B) {
	rows := 1_000_000
	if s := os.Getenv("FLOE_BENCH_ROWS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			b.Fatal(err)
		}
		rows = n
	}
	for _, shape := range []string{"micro", "narrow"} {
		b.Run(shape, func(b *testing.B) {
			fields, recs := kvBenchRecords(b, shape, rows)
			defer func() {
				for _, r := range recs {
					r.Release()
				}
			}()
			ctx := context.Background()
			var size int64
			cpu0 := cpuTime()
			b.ResetTimer()
			for b.Loop() {
				st, err := storage.OpenLocal(b.TempDir())
				if err != nil {
					b.Fatal(err)
				}
				w, err := datafile.NewWriter(datafile.WriterOptions{Store: st, Dir: "bucket-0", Format: "parquet",
					TargetFileSize: 128 << 20, RowGroupSize: 128 << 20, Fields: fields, KeyFields: fields[:1]})
				if err != nil {
					b.Fatal(err)
				}
				for _, r := range recs {
					if err := w.Write(ctx, r); err != nil {
						b.Fatal(err)
					}
				}
				metas, err := w.Close(ctx)
				if err != nil {
					b.Fatal(err)
				}
				st.Close()
				size = 0
				for _, m := range metas {
					size += m.FileSize
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(size)/float64(rows), "file-bytes/row")
			cpu := (cpuTime() - cpu0).Seconds()
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(cpu/float64(b.N), "cpu-s/op")
			b.ReportMetric(cpu/b.Elapsed().Seconds(), "cores")
		})
	}
}

// kvBenchRecords returns the fields and the KV records of a BenchmarkWriteKV
// shape.
func kvBenchRecords(b *testing.B, shape string, rows int) ([]schema.Field, []arrow.RecordBatch) {
	var cols []schema.Field
	switch shape {
	case "micro":
		cols = append(cols, schema.Field{Name: "k", Type: schema.NewInt().WithNotNull(true)})
		for i := range 20 {
			cols = append(cols, schema.Field{Name: fmt.Sprintf("f%d", i), Type: schema.NewString()})
		}
	case "narrow":
		cols = []schema.Field{
			{Name: "id", Type: schema.NewBigInt().WithNotNull(true)},
			{Name: "name", Type: schema.NewString()},
			{Name: "amount", Type: schema.NewDouble()},
			{Name: "ts", Type: schema.NewTimestamp(3)},
			{Name: "category", Type: schema.NewString()},
		}
	}
	fields, _ := schema.AssignFieldIDs(cols, 0)
	vs, err := schema.ArrowSchema(fields)
	if err != nil {
		b.Fatal(err)
	}
	kvFields := append([]arrow.Field{
		{Name: "_SEQUENCE_NUMBER", Type: arrow.PrimitiveTypes.Int64},
		{Name: "_VALUE_KIND", Type: arrow.PrimitiveTypes.Int8},
	}, vs.Fields()...)
	sc := arrow.NewSchema(kvFields, nil)
	rng := rand.New(rand.NewPCG(1, 2))
	hex := func(n int) string {
		const digits = "0123456789abcdef"
		buf := make([]byte, n)
		for i := range buf {
			buf[i] = digits[rng.IntN(16)]
		}
		return string(buf)
	}
	cats := []string{"books", "games", "garden", "music", "sports", "toys", "tools", "food"}
	const batch = 4096
	var recs []arrow.RecordBatch
	for start := 0; start < rows; start += batch {
		rb := array.NewRecordBuilder(memory.DefaultAllocator, sc)
		for i := start; i < min(rows, start+batch); i++ {
			rb.Field(0).(*array.Int64Builder).Append(int64(i))
			rb.Field(1).(*array.Int8Builder).Append(0)
			switch shape {
			case "micro":
				rb.Field(2).(*array.Int32Builder).Append(int32(i))
				for c := range 20 {
					rb.Field(3 + c).(*array.StringBuilder).Append(hex(10))
				}
			case "narrow":
				rb.Field(2).(*array.Int64Builder).Append(int64(i))
				rb.Field(3).(*array.StringBuilder).Append("user-" + hex(12))
				rb.Field(4).(*array.Float64Builder).Append(float64(rng.IntN(1_000_000)) / 100)
				rb.Field(5).(*array.TimestampBuilder).Append(arrow.Timestamp(1_767_225_600_000 + rng.Int64N(365*86400*1000)))
				rb.Field(6).(*array.StringBuilder).Append(cats[rng.IntN(len(cats))])
			}
		}
		recs = append(recs, rb.NewRecordBatch())
		rb.Release()
	}
	return fields, recs
}

// cpuTime returns the user plus system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
