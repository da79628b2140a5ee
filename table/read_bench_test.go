package table_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/floelake/floe/table"
)

// BenchmarkRead times full reads (Table.ReadAll) of a primary-key table
// written once before timing: 3,000,000 rows of the shape by default
// (FLOE_BENCH_ROWS to change), one commit, keys random over the row count.
// Variants: the files as the writer leaves them (level 0), after a full
// compaction (one level-5 run), and with 4 buckets. Each reports rows/s,
// CPU-seconds per read and cores busy (getrusage user+sys over wall), and
// raw/... reads the rows a read returns written as one plain Parquet file
// with pqarrow (zstd level 1), the baseline (raw-parallel: pqarrow's
// Parallel, the columns of a batch on goroutines). Compare allocations with -benchmem,
// e.g.
//
//	FLOE_BENCH_ROWS=300000 go test ./table -run '^$' -bench 'Read/micro' -benchtime 5x -benchmem
func BenchmarkRead(b *testing.B) {
	type variant struct {
		name    string
		s       shape
		buckets string
		compact bool
	}
	for _, v := range []variant{
		{"micro", micro, "1", false},
		{"micro-compacted", micro, "1", true},
		{"micro-4buckets", micro, "4", false},
		{"narrow", narrow, "1", false},
	} {
		b.Run(v.name, func(b *testing.B) {
			rows := benchRows(b, 3_000_000)
			ctx := context.Background()
			t := createBenchTable(b, b.TempDir(), v.s, table.Option{Key: "bucket", Value: v.buckets})
			sch, err := t.Schema().ArrowSchema()
			if err != nil {
				b.Fatal(err)
			}
			recs := genBatches(b, v.s, sch, rows)
			defer releaseAll(recs)
			for _, r := range recs {
				r.Retain()
			}
			commitRecords(b, t, func(yield func(arrow.Record) bool) {
				for _, r := range recs {
					if !yield(r) {
						return
					}
				}
			})
			if v.compact {
				if _, err := t.Compact(ctx, table.CompactOptions{Full: true}); err != nil {
					b.Fatal(err)
				}
			}
			b.Run("floe", func(b *testing.B) {
				measureReads(b, func() int64 {
					rr, err := t.ReadAll(ctx, table.ScanOptions{}, table.ReadOptions{})
					if err != nil {
						b.Fatal(err)
					}
					defer rr.Release()
					var n int64
					for rr.Next() {
						n += rr.Record().NumRows()
					}
					if err := rr.Err(); err != nil {
						b.Fatal(err)
					}
					return n
				})
			})
			rawDir := b.TempDir()
			var path string
			b.Run("raw", func(b *testing.B) {
				path = writeRawParquet(b, rawDir, t, sch)
				measureReads(b, func() int64 { return readRawParquet(b, path, false) })
			})
			b.Run("raw-parallel", func(b *testing.B) {
				if path == "" {
					path = writeRawParquet(b, rawDir, t, sch)
				}
				measureReads(b, func() int64 { return readRawParquet(b, path, true) })
			})
		})
	}
}

// measureReads runs read in b.Loop and reports rows/s, CPU-seconds per
// read and the cores busy.
func measureReads(b *testing.B, read func() int64) {
	var rows int64
	cpu0 := cpuTime()
	start := time.Now()
	for b.Loop() {
		rows = read()
	}
	wall := time.Since(start)
	cpu := cpuTime() - cpu0
	n := float64(b.N)
	b.ReportMetric(float64(rows)*n/wall.Seconds(), "rows/s")
	b.ReportMetric(cpu.Seconds()/n, "cpu-s/op")
	b.ReportMetric(cpu.Seconds()/wall.Seconds(), "cores")
	b.ReportMetric(float64(rows), "rows")
}

// writeRawParquet writes the rows a read of t returns (the same rows a
// floe read returns) as one plain Parquet file with pqarrow (zstd level 1,
// as floe's default).
func writeRawParquet(b *testing.B, dir string, t *table.Table, sch *arrow.Schema) string {
	path := filepath.Join(dir, "raw.parquet")
	w := newRawParquet(b, path, sch)
	rr, err := t.ReadAll(context.Background(), table.ScanOptions{}, table.ReadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer rr.Release()
	for rr.Next() {
		w.write(rr.RecordBatch())
	}
	if err := rr.Err(); err != nil {
		b.Fatal(err)
	}
	w.close()
	return path
}

// readRawParquet reads a Parquet file fully with pqarrow, the columns of a
// batch one after another or (parallel) on goroutines, and returns its row
// count.
func readRawParquet(b *testing.B, path string, parallel bool) int64 {
	rf, err := file.OpenParquetFile(path, false)
	if err != nil {
		b.Fatal(err)
	}
	defer rf.Close()
	fr, err := pqarrow.NewFileReader(rf, pqarrow.ArrowReadProperties{BatchSize: benchBatch, Parallel: parallel}, memory.DefaultAllocator)
	if err != nil {
		b.Fatal(err)
	}
	rr, err := fr.GetRecordReader(context.Background(), nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer rr.Release()
	var n int64
	for rr.Next() {
		n += rr.RecordBatch().NumRows()
	}
	return n
}
