package datafile_test

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/floelake/floe/internal/datafile"
	"github.com/floelake/floe/storage"
)

// BenchmarkReadKV reads a primary-key data file written as BenchmarkWriteKV
// writes it (FLOE_BENCH_ROWS rows, default 1,000,000; micro: 20 STRING
// columns of random hex, PLAIN; narrow: a STRING of 8 values, dictionary),
// with floe's reader (own) and with every column decoded by pqarrow
// (pqarrow). It reports the process CPU seconds per read.
func BenchmarkReadKV(b *testing.B) {
	rows := benchRows(b)
	for _, shape := range []string{"micro", "narrow"} {
		b.Run(shape, func(b *testing.B) {
			fields, recs := kvBenchRecords(b, shape, rows)
			ctx := context.Background()
			st, err := storage.OpenLocal(b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			w, err := datafile.NewWriter(datafile.WriterOptions{Store: st, Dir: "bucket-0", Format: "parquet",
				TargetFileSize: 1 << 40, RowGroupSize: 128 << 20, Fields: fields, KeyFields: fields[:1]})
			if err != nil {
				b.Fatal(err)
			}
			for _, r := range recs {
				if err := w.Write(ctx, r); err != nil {
					b.Fatal(err)
				}
				r.Release()
			}
			metas, err := w.Close(ctx)
			if err != nil || len(metas) != 1 {
				b.Fatal(metas, err)
			}
			o := datafile.ReadOptions{Store: st, Path: "bucket-0/" + metas[0].FileName, Size: metas[0].FileSize,
				FileFields: fields, ReadFields: fields, KV: true}
			for _, dec := range []struct {
				name string
				open func(context.Context, datafile.ReadOptions) (array.RecordReader, error)
			}{{"own", datafile.Open}, {"pqarrow", datafile.OpenPQArrow}} {
				b.Run(dec.name, func(b *testing.B) {
					cpu0 := cpuTime()
					for b.Loop() {
						rr, err := dec.open(ctx, o)
						if err != nil {
							b.Fatal(err)
						}
						n := 0
						for rr.Next() {
							n += int(rr.RecordBatch().NumRows())
						}
						if err := rr.Err(); err != nil || n != rows {
							b.Fatal(n, err)
						}
						rr.Release()
					}
					b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
					b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
				})
			}
		})
	}
}

// benchRows is FLOE_BENCH_ROWS, or 1,000,000.
func benchRows(b *testing.B) int {
	rows := 1_000_000
	if s := os.Getenv("FLOE_BENCH_ROWS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			b.Fatal(err)
		}
		rows = n
	}
	return rows
}
