package table_test

import (
	"bufio"
	"context"
	"fmt"
	"iter"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/floelake/floe/catalog"
	"github.com/floelake/floe/table"
)

// Benchmarks of the table layer (issue 3). Row counts default to the
// issue's sizes and can be scaled with FLOE_BENCH_ROWS; run them one at a
// time, e.g.
//
//	go test ./table -run '^$' -bench 'PK/micro' -benchtime 1x
//	go test ./table -run '^$' -bench 'WriteMemory' -benchtime 1x
//
// Each reports rows/s for floe and, measured in the same run on the same
// records, for plain Parquet written and read with pqarrow (the "raw"
// baseline), and the ratio floe/raw.

const benchBatch = 4096

func benchRows(b *testing.B, def int) int {
	if s := os.Getenv("FLOE_BENCH_ROWS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			b.Fatal(err)
		}
		return n
	}
	return def
}

// shape is a benchmark table layout and its row generator.
type shape struct {
	name    string
	columns []table.Column
	pk      []string
	gen     func(rng *rand.Rand, mem memory.Allocator, sch *arrow.Schema, n int, keyRange int) arrow.Record
}

const hexDigits = "0123456789abcdef"

func hexString(rng *rand.Rand, buf []byte) string {
	x := rng.Uint64()
	for i := range buf {
		buf[i] = hexDigits[x&15]
		x >>= 4
		if x == 0 {
			x = rng.Uint64()
		}
	}
	return string(buf)
}

// micro is Paimon's own micro-benchmark shape: INT key plus 20 STRING
// columns of 10 random hex characters.
var micro = func() shape {
	cols := []table.Column{{Name: "k", Type: "INT NOT NULL"}}
	for i := range 20 {
		cols = append(cols, table.Column{Name: fmt.Sprintf("f%d", i), Type: "STRING"})
	}
	return shape{
		name: "micro", columns: cols, pk: []string{"k"},
		gen: func(rng *rand.Rand, mem memory.Allocator, sch *arrow.Schema, n, keyRange int) arrow.Record {
			b := array.NewRecordBuilder(mem, sch)
			defer b.Release()
			buf := make([]byte, 10)
			kb := b.Field(0).(*array.Int32Builder)
			kb.Reserve(n)
			for range n {
				kb.UnsafeAppend(int32(rng.IntN(keyRange)))
			}
			for c := 1; c <= 20; c++ {
				sb := b.Field(c).(*array.StringBuilder)
				sb.Reserve(n)
				sb.ReserveData(10 * n)
				for range n {
					sb.Append(hexString(rng, buf))
				}
			}
			return b.NewRecord()
		},
	}
}()

var categories = []string{"books", "games", "garden", "music", "sports", "toys", "tools", "food"}

// narrow is a typical service table: id, name, amount, ts, category.
var narrow = shape{
	name: "narrow",
	columns: []table.Column{
		{Name: "id", Type: "BIGINT NOT NULL"},
		{Name: "name", Type: "STRING"},
		{Name: "amount", Type: "DOUBLE"},
		{Name: "ts", Type: "TIMESTAMP(3)"},
		{Name: "category", Type: "STRING"},
	},
	pk: []string{"id"},
	gen: func(rng *rand.Rand, mem memory.Allocator, sch *arrow.Schema, n, keyRange int) arrow.Record {
		b := array.NewRecordBuilder(mem, sch)
		defer b.Release()
		buf := make([]byte, 12)
		base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
		for range n {
			b.Field(0).(*array.Int64Builder).Append(int64(rng.IntN(keyRange)))
			b.Field(1).(*array.StringBuilder).Append("user-" + hexString(rng, buf))
			b.Field(2).(*array.Float64Builder).Append(float64(rng.IntN(1_000_000)) / 100)
			b.Field(3).(*array.TimestampBuilder).Append(arrow.Timestamp(base + rng.Int64N(365*86400*1000)))
			b.Field(4).(*array.StringBuilder).Append(categories[rng.IntN(len(categories))])
		}
		return b.NewRecord()
	},
}

func createBenchTable(b *testing.B, dir string, s shape, opts ...table.Option) *table.Table {
	ctx := context.Background()
	cat, err := catalog.Open(ctx, dir, catalog.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cat.Close() })
	if err := cat.CreateDatabase(ctx, "bench", true); err != nil {
		b.Fatal(err)
	}
	opts = append([]table.Option{{Key: "bucket", Value: "1"}}, opts...)
	t, err := table.Create(ctx, cat, catalog.Identifier{Database: "bench", Table: s.name},
		table.Spec{Columns: s.columns, PrimaryKeys: s.pk, Options: opts}, table.CreateOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { t.Close() })
	return t
}

func genBatches(b *testing.B, s shape, sch *arrow.Schema, rows int) []arrow.Record {
	rng := rand.New(rand.NewPCG(42, 42))
	var recs []arrow.Record
	for left := rows; left > 0; left -= benchBatch {
		recs = append(recs, s.gen(rng, memory.DefaultAllocator, sch, min(left, benchBatch), rows))
	}
	return recs
}

// commitRecords writes the records recs yields (releasing each) with one
// Writer and commits them as one snapshot.
func commitRecords(b *testing.B, t *table.Table, recs iter.Seq[arrow.Record]) *table.CommitResult {
	b.Helper()
	ctx := context.Background()
	w, err := t.NewWriter(ctx, table.WriterOptions{SpillDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	return writeCommit(b, t, w, recs)
}

// writeCommit writes recs (releasing each) with w and commits them.
func writeCommit(b *testing.B, t *table.Table, w *table.Writer, recs iter.Seq[arrow.Record]) *table.CommitResult {
	b.Helper()
	ctx := context.Background()
	for r := range recs {
		err := w.Write(ctx, r)
		r.Release()
		if err != nil {
			b.Fatal(err)
		}
	}
	msgs, err := w.Prepare(ctx)
	if err != nil {
		b.Fatal(err)
	}
	res, err := t.Commit(ctx, msgs, table.CommitOptions{})
	if err != nil {
		b.Fatal(err)
	}
	return res
}

// genRecords yields n rows of s in batches of benchBatch.
func genRecords(s shape, rng *rand.Rand, sch *arrow.Schema, n, keyRange int) iter.Seq[arrow.Record] {
	return func(yield func(arrow.Record) bool) {
		for left := n; left > 0; left -= benchBatch {
			if !yield(s.gen(rng, memory.DefaultAllocator, sch, min(left, benchBatch), keyRange)) {
				return
			}
		}
	}
}

func releaseAll(recs []arrow.Record) {
	for _, r := range recs {
		r.Release()
	}
}

// BenchmarkPK writes the generated rows to a one-bucket primary-key table
// in one commit and reads the table fully; it reports rows/s of each, the
// cores busy in each (process CPU seconds over wall seconds), the
// process's peak RSS (which includes the generated input, held in memory
// as Java's and pypaimon's benchmarks hold theirs), and plain pqarrow's
// rows/s on the same records as the raw baseline.
func BenchmarkPK(b *testing.B) {
	for _, s := range []shape{micro, narrow} {
		b.Run(s.name, func(b *testing.B) {
			rows := benchRows(b, 3_000_000)
			ctx := context.Background()
			probe := createBenchTable(b, b.TempDir(), s)
			sch, err := probe.Schema().ArrowSchema()
			if err != nil {
				b.Fatal(err)
			}
			recs := genBatches(b, s, sch, rows)
			defer releaseAll(recs)

			var floeW, floeR, rawW, rawR time.Duration
			var cpuW, cpuR, rss float64
			var readRows int64
			for b.Loop() {
				t := createBenchTable(b, b.TempDir(), s)
				cpu0 := cpuTime().Seconds()
				start := time.Now()
				writeHeld(b, t, recs)
				floeW += time.Since(start)
				cpu1 := cpuTime().Seconds()
				cpuW += cpu1 - cpu0

				start = time.Now()
				rr, err := t.ReadAll(ctx, table.ScanOptions{}, table.ReadOptions{})
				if err != nil {
					b.Fatal(err)
				}
				readRows = 0
				for rr.Next() {
					readRows += rr.Record().NumRows()
				}
				if err := rr.Err(); err != nil {
					b.Fatal(err)
				}
				rr.Release()
				floeR += time.Since(start)
				cpuR += cpuTime().Seconds() - cpu1
				rss = peakRSSMiB() // before the raw baseline runs

				rw, rr2 := rawParquet(b, sch, recs)
				rawW += rw
				rawR += rr2
			}
			n := float64(b.N)
			report := func(d time.Duration, unit string) float64 {
				v := float64(rows) * n / d.Seconds()
				b.ReportMetric(v, unit)
				return v
			}
			fw := report(floeW, "floe-write-rows/s")
			fr := float64(readRows) * n / floeR.Seconds()
			b.ReportMetric(fr, "floe-read-rows/s")
			rwv := report(rawW, "raw-write-rows/s")
			rrv := report(rawR, "raw-read-rows/s")
			b.ReportMetric(fw/rwv, "write-floe/raw")
			b.ReportMetric(fr/rrv, "read-floe/raw")
			b.ReportMetric(float64(readRows), "distinct-keys")
			b.ReportMetric(cpuW/floeW.Seconds(), "floe-write-cores")
			b.ReportMetric(cpuR/floeR.Seconds(), "floe-read-cores")
			b.ReportMetric(rss, "peak-rss-MiB")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// writeHeld writes recs (which stay the caller's) to t with a new writer
// and commits them once (writeCommit); it returns the writer's statistics.
func writeHeld(b *testing.B, t *table.Table, recs []arrow.Record) table.WriterStats {
	w, err := t.NewWriter(context.Background(), table.WriterOptions{SpillDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	writeCommit(b, t, w, func(yield func(arrow.Record) bool) {
		for _, r := range recs {
			r.Retain() // writeCommit releases what it wrote
			if !yield(r) {
				return
			}
		}
	})
	return w.Stats()
}

// rawParquet writes recs as one plain Parquet file with pqarrow (zstd level
// 1, as floe's default) and reads it back fully.
func rawParquet(b *testing.B, sch *arrow.Schema, recs []arrow.Record) (write, read time.Duration) {
	path := filepath.Join(b.TempDir(), "raw.parquet")
	start := time.Now()
	w := newRawParquet(b, path, sch)
	for _, r := range recs {
		w.write(r)
	}
	w.close()
	write = time.Since(start)

	start = time.Now()
	readRawParquet(b, path, false)
	read = time.Since(start)
	return write, read
}

// rawWriter writes one plain Parquet file with pqarrow: zstd level 1 (as
// floe's default), row groups of up to 1 Mi rows, a 1 MiB buffer.
type rawWriter struct {
	b  *testing.B
	f  *os.File
	bw *bufio.Writer
	fw *pqarrow.FileWriter
}

func newRawParquet(b *testing.B, path string, sch *arrow.Schema) *rawWriter {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Zstd), parquet.WithCompressionLevel(1),
		parquet.WithMaxRowGroupLength(1<<20))
	fw, err := pqarrow.NewFileWriter(sch, bw, props, pqarrow.NewArrowWriterProperties())
	if err != nil {
		b.Fatal(err)
	}
	return &rawWriter{b: b, f: f, bw: bw, fw: fw}
}

func (w *rawWriter) write(rec arrow.RecordBatch) {
	if err := w.fw.WriteBuffered(rec); err != nil {
		w.b.Fatal(err)
	}
}

// close finishes the file and syncs it, as a table's data file is.
func (w *rawWriter) close() {
	if err := w.fw.Close(); err != nil {
		w.b.Fatal(err)
	}
	if err := w.bw.Flush(); err != nil {
		w.b.Fatal(err)
	}
	if err := w.f.Sync(); err != nil {
		w.b.Fatal(err)
	}
	if err := w.f.Close(); err != nil {
		w.b.Fatal(err)
	}
}

// BenchmarkWriteMemory writes 20,000,000 narrow rows (FLOE_BENCH_ROWS to
// change) with write-buffer-size = 64 mb in one commit, generating input on
// the fly, and reports the peak live Go heap (as of each GC), the peak heap
// in use (live data plus garbage not yet collected, which GOGC lets grow to
// about twice the live heap) and the process's peak RSS. Memory must stay
// near the buffer size, not grow with the input.
func BenchmarkWriteMemory(b *testing.B) {
	rows := benchRows(b, 20_000_000)
	ctx := context.Background()
	for b.Loop() {
		t := createBenchTable(b, b.TempDir(), narrow,
			table.Option{Key: "write-buffer-size", Value: "64 mb"},
			table.Option{Key: "write-buffer-spillable", Value: "true"})
		sch, err := t.Schema().ArrowSchema()
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		// The process's RSS before the write: the test binary's pages
		// touched so far, the runtime and the generator. Not all of it is
		// the write's, so the write's own share is reported as well.
		startRSS := procStatusMiB("VmRSS")
		var peak, peakLive atomic.Uint64
		var peakAnon atomic.Value // float64 MiB, sampled
		peakAnon.Store(procStatusMiB("RssAnon"))
		live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		t0 := time.Now()
		go func() {
			defer wg.Done()
			var ms runtime.MemStats
			tick := time.NewTicker(20 * time.Millisecond)
			defer tick.Stop()
			for {
				runtime.ReadMemStats(&ms)
				metrics.Read(live)
				if v := live[0].Value.Uint64(); v > peakLive.Load() {
					peakLive.Store(v)
				}
				if v := procStatusMiB("RssAnon"); v > peakAnon.Load().(float64) {
					peakAnon.Store(v)
					if p := os.Getenv("FLOE_BENCH_RSSPROF"); p != "" {
						if f, err := os.Create(p); err == nil {
							pprof.WriteHeapProfile(f)
							f.Close()
						}
					}
				}
				if os.Getenv("FLOE_BENCH_TRACE") != "" {
					fmt.Fprintf(os.Stderr, "trace %.2f anon %.1f inuse %.1f idle-unreleased %.1f live %.1f\n", time.Since(t0).Seconds(), procStatusMiB("RssAnon"), float64(ms.HeapInuse)/(1<<20), float64(ms.HeapIdle-ms.HeapReleased)/(1<<20), float64(live[0].Value.Uint64())/(1<<20))
				}
				if v := ms.HeapInuse; v > peak.Load() {
					peak.Store(v)
					// FLOE_BENCH_HEAPPROF=file keeps a heap profile taken
					// at the highest peak, for finding what holds memory.
					if p := os.Getenv("FLOE_BENCH_HEAPPROF"); p != "" {
						if f, err := os.Create(p); err == nil {
							pprof.WriteHeapProfile(f)
							f.Close()
						}
					}
				}
				select {
				case <-stop:
					return
				case <-tick.C:
				}
			}
		}()
		start := time.Now()
		w, err := t.NewWriter(ctx, table.WriterOptions{SpillDir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(1, 2))
		for left := rows; left > 0; left -= benchBatch {
			r := narrow.gen(rng, memory.DefaultAllocator, sch, min(left, benchBatch), rows)
			if err := w.Write(ctx, r); err != nil {
				b.Fatal(err)
			}
			r.Release()
		}
		msgs, err := w.Prepare(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := t.Commit(ctx, msgs, table.CommitOptions{}); err != nil {
			b.Fatal(err)
		}
		w.Close()
		elapsed := time.Since(start)
		close(stop)
		wg.Wait()
		b.ReportMetric(float64(peakLive.Load())/(1<<20), "peak-live-heap-MiB")
		b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
		peakRSS := peakRSSMiB()
		b.ReportMetric(peakRSS, "peak-rss-MiB")
		b.ReportMetric(startRSS, "start-rss-MiB")
		b.ReportMetric(peakRSS-startRSS, "net-peak-rss-MiB")
		b.ReportMetric(procStatusMiB("RssFile"), "end-rss-file-MiB")
		b.ReportMetric(peakAnon.Load().(float64), "peak-rss-anon-MiB")
		b.ReportMetric(float64(rows)/elapsed.Seconds(), "rows/s")
		b.ReportMetric(0, "ns/op")
	}
}

// BenchmarkCompact is the compaction benchmark (issue 10): a one-bucket
// table of the shape (micro: 1,000,000 rows, narrow: 3,000,000;
// FLOE_BENCH_ROWS to change) written as 10 commits of a tenth of the rows
// each, keys random over the row count and so overlapping across commits,
// with write-only = true so each commit stays one level-0 file; then one
// full compaction (table.Compact with Full), timed. It reports input rows
// per second, input MB (10^6 bytes of the level-0 files) per second, and
// the compaction's peak RSS and peak Go heap in use: the process's peak
// RSS is reset (Linux /proc/self/clear_refs) after the writes, with the
// heap returned to the OS first; and the compaction's process CPU seconds
// (cpu-s, getrusage: the figure to compare on a loaded machine), MB
// allocated and allocations. FLOE_BENCH_CPUPROF=prefix writes a CPU
// profile of the compaction to $FLOE_BENCH_CPUPROF-<shape>-compact.pprof.
// interop/bench runs the same shapes through Java Paimon (the Java tool's
// bench-compact) for comparison.
func BenchmarkCompact(b *testing.B) {
	const commits = 10
	for _, s := range []shape{micro, narrow} {
		b.Run(s.name, func(b *testing.B) {
			def := 1_000_000
			if s.name == "narrow" {
				def = 3_000_000
			}
			rows := benchRows(b, def)
			ctx := context.Background()
			for b.Loop() {
				t := createBenchTable(b, b.TempDir(), s, table.Option{Key: "write-only", Value: "true"})
				sch, err := t.Schema().ArrowSchema()
				if err != nil {
					b.Fatal(err)
				}
				rng := rand.New(rand.NewPCG(42, 42))
				for c := range commits {
					n := rows/commits + min(1, max(0, rows%commits-c))
					commitRecords(b, t, genRecords(s, rng, sch, n, rows))
				}
				runtime.GC()
				debug.FreeOSMemory()
				resetPeakRSS()
				var peak atomic.Uint64
				stop := make(chan struct{})
				var wg sync.WaitGroup
				wg.Add(1)
				go func() {
					defer wg.Done()
					var ms runtime.MemStats
					tick := time.NewTicker(20 * time.Millisecond)
					defer tick.Stop()
					for {
						runtime.ReadMemStats(&ms)
						if ms.HeapInuse > peak.Load() {
							peak.Store(ms.HeapInuse)
							// FLOE_BENCH_HEAPPROF=file keeps a heap profile
							// taken at the highest peak.
							if p := os.Getenv("FLOE_BENCH_HEAPPROF"); p != "" {
								if f, err := os.Create(p); err == nil {
									pprof.WriteHeapProfile(f)
									f.Close()
								}
							}
						}
						select {
						case <-stop:
							return
						case <-tick.C:
						}
					}
				}()
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				alloc0, mallocs0 := ms.TotalAlloc, ms.Mallocs
				stopProf := mergeProfile(b, s.name, "compact")
				cpu0 := cpuTime()
				res, err := t.Compact(ctx, table.CompactOptions{Full: true})
				cpu := cpuTime() - cpu0
				stopProf()
				close(stop)
				wg.Wait()
				if err != nil {
					b.Fatal(err)
				}
				runtime.ReadMemStats(&ms)
				b.ReportMetric(cpu.Seconds(), "cpu-s")
				b.ReportMetric(float64(ms.TotalAlloc-alloc0)/1e6, "alloc-MB")
				b.ReportMetric(float64(ms.Mallocs-mallocs0), "allocs")
				if res.Snapshot == nil || res.FilesIn != commits {
					b.Fatalf("compaction took %d files (want the %d level-0 files of the commits), snapshot %v", res.FilesIn, commits, res.Snapshot)
				}
				secs := res.Duration.Seconds()
				b.ReportMetric(float64(res.RowsIn)/secs, "rows/s")
				b.ReportMetric(float64(res.BytesIn)/1e6/secs, "MB/s")
				b.ReportMetric(float64(res.RowsIn), "rows-in")
				b.ReportMetric(float64(res.BytesIn), "bytes-in")
				b.ReportMetric(float64(res.RowsOut), "rows-out")
				b.ReportMetric(float64(res.FilesIn), "files-in")
				b.ReportMetric(float64(res.FilesOut), "files-out")
				b.ReportMetric(secs, "seconds")
				b.ReportMetric(peakRSSMiB(), "peak-rss-MiB")
				b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
				b.ReportMetric(0, "ns/op")
			}
		})
	}
}

// resetPeakRSS resets the process's peak RSS (VmHWM) to its current RSS,
// where Linux allows it.
func resetPeakRSS() {
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// peakRSSMiB reads VmHWM from /proc/self/status (0 where unavailable).
func peakRSSMiB() float64 { return procStatusMiB("VmHWM") }

// procStatusMiB reads a field given in kB from /proc/self/status, in MiB
// (0 where unavailable).
func procStatusMiB(field string) float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, field+":") {
			f := strings.Fields(line)
			if len(f) >= 2 {
				kb, _ := strconv.ParseFloat(f[1], 64)
				return kb / 1024
			}
		}
	}
	return 0
}
