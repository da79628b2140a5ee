package table_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/table"
)

// BenchmarkMerge is the merge-engine benchmark (issue 11): merge-on-read
// and full-compaction throughput of a partial-update table and an
// aggregation table, each written as mergeCommits level-0 commits
// (write-only = true, one bucket) of overlapping keys, so a read and a
// compaction must merge every file. interop/bench runs the same tables
// through Java Paimon (the Java tool's bench-merge, which generates the
// same rows: see mergeRow) and prints both side by side.
//
// FLOE_BENCH_ROWS sets the rows written in all (default 500,000, a tenth
// per commit). Per table it reports the input rows per second of a full
// scan (read-rows/s) and of a full compaction (compact-rows/s), both over
// the rows of the level-0 files, the MB allocated by each, the rows out,
// and a checksum of the merged rows (mergeChecksum), which must equal the
// Java tool's and is checked to be the same after the compaction.
// FLOE_BENCH_CPUPROF=prefix writes a CPU profile of each timed step.
//
//	go test ./table -run '^$' -bench 'Merge/' -benchtime 1x
func BenchmarkMerge(b *testing.B) {
	for _, s := range []mergeShape{partialUpdateShape(), aggregationShape()} {
		b.Run(s.name, func(b *testing.B) {
			rows := benchRows(b, 500_000)
			ctx := context.Background()
			for b.Loop() {
				t := createBenchTable(b, b.TempDir(), s.shape, append(s.options, table.Option{Key: "write-only", Value: "true"})...)
				sch, err := t.Schema().ArrowSchema()
				if err != nil {
					b.Fatal(err)
				}
				perCommit := rows / mergeCommits
				keys := mergeKeyRange(perCommit)
				for c := range mergeCommits {
					w, err := t.NewWriter(ctx, table.WriterOptions{SpillDir: b.TempDir()})
					if err != nil {
						b.Fatal(err)
					}
					for r0 := 0; r0 < perCommit; r0 += benchBatch {
						rec := s.gen(memory.DefaultAllocator, sch, c, r0, min(perCommit, r0+benchBatch), keys)
						if err := w.Write(ctx, rec); err != nil {
							b.Fatal(err)
						}
						rec.Release()
					}
					msgs, err := w.Prepare(ctx)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := t.Commit(ctx, msgs, table.CommitOptions{}); err != nil {
						b.Fatal(err)
					}
					w.Close()
				}
				files, _, err := t.Files(ctx, 0)
				if err != nil {
					b.Fatal(err)
				}
				var rowsIn int64
				for _, f := range files {
					if f.Level != 0 {
						b.Fatalf("file %s at level %d, want every file at level 0", f.Name, f.Level)
					}
					rowsIn += f.RowCount
				}
				if len(files) != mergeCommits {
					b.Fatalf("%d files, want one per commit (%d)", len(files), mergeCommits)
				}

				runtime.GC()
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				alloc0 := ms.TotalAlloc
				stopProf := mergeProfile(b, s.name, "read")
				start := time.Now()
				rowsOut, sum := mergeScan(b, t, s.checksum)
				readSecs := time.Since(start).Seconds()
				stopProf()
				runtime.ReadMemStats(&ms)
				readAlloc := ms.TotalAlloc - alloc0

				runtime.GC()
				runtime.ReadMemStats(&ms)
				alloc0 = ms.TotalAlloc
				mallocs0 := ms.Mallocs
				stopProf = mergeProfile(b, s.name, "compact")
				cpu0 := cpuTime()
				res, err := t.Compact(ctx, table.CompactOptions{Full: true})
				compactCPU := cpuTime() - cpu0
				stopProf()
				if err != nil {
					b.Fatal(err)
				}
				runtime.ReadMemStats(&ms)
				compactAlloc := ms.TotalAlloc - alloc0
				b.ReportMetric(compactCPU.Seconds(), "compact-cpu-s")
				b.ReportMetric(float64(ms.Mallocs-mallocs0), "compact-allocs")
				if res.FilesIn != mergeCommits || res.RowsIn != rowsIn {
					b.Fatalf("compaction took %d files of %d rows, want %d files of %d rows", res.FilesIn, res.RowsIn, mergeCommits, rowsIn)
				}
				if res.RowsOut != rowsOut {
					b.Fatalf("compaction wrote %d rows, the merging read gave %d", res.RowsOut, rowsOut)
				}
				if n, sum2 := mergeScan(b, t, s.checksum); n != rowsOut || sum2 != sum {
					b.Fatalf("after compaction: %d rows, checksum %d; before: %d rows, checksum %d", n, sum2, rowsOut, sum)
				}
				compactSecs := res.Duration.Seconds()
				b.ReportMetric(float64(rowsIn)/readSecs, "read-rows/s")
				b.ReportMetric(float64(rowsIn)/compactSecs, "compact-rows/s")
				b.ReportMetric(readSecs, "read-seconds")
				b.ReportMetric(compactSecs, "compact-seconds")
				b.ReportMetric(float64(readAlloc)/1e6, "read-alloc-MB")
				b.ReportMetric(float64(compactAlloc)/1e6, "compact-alloc-MB")
				b.ReportMetric(float64(rowsIn), "rows-in")
				b.ReportMetric(float64(rowsOut), "rows-out")
				b.ReportMetric(float64(len(files)), "files-in")
				b.ReportMetric(float64(sum), "checksum")
				b.Logf("%s: rows-in %d rows-out %d checksum %d", s.name, rowsIn, rowsOut, sum)
				b.ReportMetric(0, "ns/op")
			}
		})
	}
}

// mergeProfile starts a CPU profile of one timed step when
// FLOE_BENCH_CPUPROF is set, written to $FLOE_BENCH_CPUPROF-<table>-<step>.pprof;
// it returns the function that stops it.
func mergeProfile(b *testing.B, name, step string) func() {
	prefix := os.Getenv("FLOE_BENCH_CPUPROF")
	if prefix == "" {
		return func() {}
	}
	f, err := os.Create(prefix + "-" + name + "-" + step + ".pprof")
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		b.Fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

// mergeScan reads the whole table, returning its rows and checksum.
func mergeScan(b *testing.B, t *table.Table, checksum func(arrow.Record) int64) (int64, int64) {
	rr, err := t.ReadAll(context.Background(), table.ScanOptions{}, table.ReadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer rr.Release()
	var n, sum int64
	for rr.Next() {
		rec := rr.RecordBatch()
		n += rec.NumRows()
		sum += checksum(rec)
	}
	if err := rr.Err(); err != nil {
		b.Fatal(err)
	}
	return n, sum
}

// The merge benchmark's data, generated the same way by the Java tool's
// bench-merge (interop/java/src/main/java/Tool.java; keep them in step):
//
//   - rows R in mergeCommits commits of n = R/mergeCommits rows; the key
//     range is K = 2n (plus one when K is a multiple of mergeStride), and
//     row r of commit c has key (r*mergeStride + c*mergeShift) mod K:
//     distinct within a commit, overlapping across commits.
//   - every value is taken from h = splitmix64(c<<48 ^ key<<8 ^ col), col
//     being the column's position in the table (id = 0): a value is null
//     when (h>>20)&15 == 0; otherwise BIGINT h>>44, DOUBLE (h>>44)/100,
//     INT h>>40, STRING 10 hex digits, digit j = (h>>4j)&15.
const (
	mergeCommits = 10
	mergeStride  = 1_000_003
	mergeShift   = 7919
)

func mergeKeyRange(perCommit int) int64 {
	k := int64(2 * perCommit)
	if k%mergeStride == 0 {
		k++
	}
	return k
}

func mergeKey(c, r int, keys int64) int64 {
	return (int64(r)*mergeStride + int64(c)*mergeShift) % keys
}

func splitmix64(x uint64) uint64 {
	z := x + 0x9E3779B97F4A7C15
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

func mergeHash(c int, key int64, col int) uint64 {
	return splitmix64(uint64(c)<<48 ^ uint64(key)<<8 ^ uint64(col))
}

// appendMergeValue appends column col's value for (c, key) to fb.
func appendMergeValue(fb array.Builder, c int, key int64, col int) {
	h := mergeHash(c, key, col)
	if (h>>20)&15 == 0 {
		fb.AppendNull()
		return
	}
	switch fb := fb.(type) {
	case *array.Int64Builder:
		fb.Append(int64(h >> 44))
	case *array.Float64Builder:
		fb.Append(float64(h>>44) / 100)
	case *array.Int32Builder:
		fb.Append(int32(h >> 40))
	case *array.StringBuilder:
		var s [10]byte
		for j := range s {
			s[j] = hexDigits[(h>>(4*j))&15]
		}
		fb.Append(string(s[:]))
	default:
		panic(fmt.Sprintf("merge bench: no generator for %T", fb))
	}
}

// mergeShape is a merge benchmark table: its columns, options, the
// generator of rows [r0, r1) of commit c, and the checksum of merged rows.
type mergeShape struct {
	name     string
	shape    shape
	options  []table.Option
	gen      func(mem memory.Allocator, sch *arrow.Schema, c, r0, r1 int, keys int64) arrow.Record
	checksum func(arrow.Record) int64
}

// partialUpdateShape: id BIGINT key, c1..c20 (BIGINT, DOUBLE, STRING by
// turns), g1 and g2 BIGINT; g1 orders c1..c9, g2 orders c10..c18; c19 and
// c20 are in no group (the last non-null wins). Even commits set g1's
// group, odd ones g2's (the other group null), and c19, c20; the
// sequence value of a row is (h>>40)*64 + c (h of the sequence column),
// so later commits often lose. Checksum: the sum of c1, c10 and c19 and
// of the first byte of c3 and c12, nulls counting 0.
func partialUpdateShape() mergeShape {
	cols := []table.Column{{Name: "id", Type: "BIGINT NOT NULL"}}
	for i := 1; i <= 20; i++ {
		cols = append(cols, table.Column{Name: fmt.Sprintf("c%d", i), Type: []string{"STRING", "BIGINT", "DOUBLE"}[i%3]})
	}
	cols = append(cols, table.Column{Name: "g1", Type: "BIGINT"}, table.Column{Name: "g2", Type: "BIGINT"})
	group := func(lo, hi int) string {
		var s []string
		for i := lo; i <= hi; i++ {
			s = append(s, fmt.Sprintf("c%d", i))
		}
		return strings.Join(s, ",")
	}
	return mergeShape{
		name:  "partial-update",
		shape: shape{name: "partial_update", columns: cols, pk: []string{"id"}},
		options: []table.Option{{Key: "merge-engine", Value: "partial-update"},
			{Key: "fields.g1.sequence-group", Value: group(1, 9)}, {Key: "fields.g2.sequence-group", Value: group(10, 18)}},
		gen: func(mem memory.Allocator, sch *arrow.Schema, c, r0, r1 int, keys int64) arrow.Record {
			rb := array.NewRecordBuilder(mem, sch)
			defer rb.Release()
			g := c % 2 // 0: g1 (c1..c9), 1: g2 (c10..c18)
			lo, hi := 1+9*g, 9+9*g
			for r := r0; r < r1; r++ {
				key := mergeKey(c, r, keys)
				rb.Field(0).(*array.Int64Builder).Append(key)
				for col := 1; col <= 20; col++ {
					if col <= 18 && (col < lo || col > hi) {
						rb.Field(col).AppendNull()
						continue
					}
					appendMergeValue(rb.Field(col), c, key, col)
				}
				for gi := range 2 {
					fb := rb.Field(21 + gi).(*array.Int64Builder)
					if gi != g {
						fb.AppendNull()
						continue
					}
					fb.Append(int64(mergeHash(c, key, 21+gi)>>40)*64 + int64(c))
				}
			}
			return rb.NewRecord()
		},
		checksum: func(rec arrow.Record) int64 {
			return sumInt64(rec.Column(1)) + sumInt64(rec.Column(10)) + sumInt64(rec.Column(19)) +
				sumFirstByte(rec.Column(3)) + sumFirstByte(rec.Column(12))
		},
	}
}

// aggregationShape: id BIGINT key, v1..v3 BIGINT sum, v4, v5 DOUBLE sum,
// v6, v7 INT max, v8..v10 STRING last_non_null_value; every commit sets
// every column. Checksum: the sum of v1 and v6 and of the first byte of
// v8, nulls counting 0.
func aggregationShape() mergeShape {
	cols := []table.Column{{Name: "id", Type: "BIGINT NOT NULL"}}
	opts := []table.Option{{Key: "merge-engine", Value: "aggregation"}}
	for i := 1; i <= 10; i++ {
		typ, fn := "BIGINT", "sum"
		switch {
		case i >= 8:
			typ, fn = "STRING", "last_non_null_value"
		case i >= 6:
			typ, fn = "INT", "max"
		case i >= 4:
			typ = "DOUBLE"
		}
		name := fmt.Sprintf("v%d", i)
		cols = append(cols, table.Column{Name: name, Type: typ})
		opts = append(opts, table.Option{Key: "fields." + name + ".aggregate-function", Value: fn})
	}
	return mergeShape{
		name:    "aggregation",
		shape:   shape{name: "aggregation", columns: cols, pk: []string{"id"}},
		options: opts,
		gen: func(mem memory.Allocator, sch *arrow.Schema, c, r0, r1 int, keys int64) arrow.Record {
			rb := array.NewRecordBuilder(mem, sch)
			defer rb.Release()
			for r := r0; r < r1; r++ {
				key := mergeKey(c, r, keys)
				rb.Field(0).(*array.Int64Builder).Append(key)
				for col := 1; col <= 10; col++ {
					appendMergeValue(rb.Field(col), c, key, col)
				}
			}
			return rb.NewRecord()
		},
		checksum: func(rec arrow.Record) int64 {
			var s int64
			v6 := rec.Column(6).(*array.Int32)
			for i := range v6.Len() {
				if v6.IsValid(i) {
					s += int64(v6.Value(i))
				}
			}
			return s + sumInt64(rec.Column(1)) + sumFirstByte(rec.Column(8))
		},
	}
}

func sumInt64(a arrow.Array) int64 {
	v := a.(*array.Int64)
	var s int64
	for i := range v.Len() {
		if v.IsValid(i) {
			s += v.Value(i)
		}
	}
	return s
}

func sumFirstByte(a arrow.Array) int64 {
	var s int64
	switch v := a.(type) {
	case *array.String:
		for i := range v.Len() {
			if v.IsValid(i) && v.ValueLen(i) > 0 {
				s += int64(v.Value(i)[0])
			}
		}
	case *array.LargeString:
		for i := range v.Len() {
			if v.IsValid(i) && len(v.Value(i)) > 0 {
				s += int64(v.Value(i)[0])
			}
		}
	default:
		panic(fmt.Sprintf("merge bench: %T is not a string column", a))
	}
	return s
}
