package table_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/floelake/floe/catalog"
	"github.com/floelake/floe/internal/binrow"
	"github.com/floelake/floe/manifest"
	"github.com/floelake/floe/predicate"
	"github.com/floelake/floe/schema"
	"github.com/floelake/floe/snapshot"
	"github.com/floelake/floe/table"
)

// BenchmarkPlan times planning a scan of a table with many live data files
// (issue 14, item 4). The table is built cheaply: its manifests are written
// directly through the manifest package with synthetic data-file metadata
// shaped like a real primary-key table's (one STRING partition column, 16
// buckets, about eight files per bucket over levels 0–5, key and value
// statistics of every column in Paimon's truncate(16) mode, manifests of
// about 8 MB as Paimon's manifest.target-file-size keeps them), then
// planned with Table.NewScan.
//
//	FLOE_PLAN_FILES=100000,1000000 go test ./table -run '^$' -bench 'Plan' -benchtime 5x
//
// FLOE_PLAN_FILES lists the sizes (default 100000); FLOE_PLAN_CACHE_MB
// sets the size of the manifest cache the benchmark sets (default
// table.DefaultManifestCacheSize, too small for a warm plan of 1,000,000
// files to hit; 2000 holds them); FLOE_PLAN_DIR keeps
// the built tables there and reuses them (e.g. for timing `floe files`
// on them). Sub-benchmarks: cold opens the table afresh for each plan (a
// new process, the manifest cache emptied), warm plans again with one
// open table (a long-lived process); all plans everything, partition
// plans with a filter on one partition. Each reports ms per plan, the
// allocations, and peak-heap-MiB, the largest Go heap in use (sampled)
// during the plans.
func BenchmarkPlan(b *testing.B) {
	sizes := []int{100_000}
	if s := os.Getenv("FLOE_PLAN_FILES"); s != "" {
		sizes = nil
		for _, f := range strings.Split(s, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil {
				b.Fatal(err)
			}
			sizes = append(sizes, n)
		}
	}
	size := int64(table.DefaultManifestCacheSize)
	if s := os.Getenv("FLOE_PLAN_CACHE_MB"); s != "" {
		mb, err := strconv.Atoi(s)
		if err != nil {
			b.Fatal(err)
		}
		size = int64(mb) << 20
	}
	prev := table.ManifestCache()
	table.SetManifestCache(manifest.NewCache(size)) // a long-lived process sets one
	defer table.SetManifestCache(prev)
	ctx := context.Background()
	for _, n := range sizes {
		b.Run(fmt.Sprintf("files=%d", n), func(b *testing.B) {
			dir := planBenchTable(b, n)
			filters := []struct {
				name string
				f    predicate.Predicate
			}{
				{"all", predicate.Predicate{}},
				{"partition", predicate.Equal("dt", planPartition(planPartitions(n)/2))},
			}
			for _, fl := range filters {
				b.Run("cold/"+fl.name, func(b *testing.B) {
					peak := startPeakHeap()
					var files int
					for b.Loop() {
						table.ResetManifestCache()
						t, err := table.Open(ctx, dir)
						if err != nil {
							b.Fatal(err)
						}
						p, err := t.NewScan(ctx, table.ScanOptions{Filter: fl.f})
						if err != nil {
							b.Fatal(err)
						}
						files = countFiles(p)
						t.Close()
					}
					peak.report(b)
					b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/plan")
					b.ReportMetric(float64(files), "files")
				})
				b.Run("warm/"+fl.name, func(b *testing.B) {
					table.ResetManifestCache()
					t, err := table.Open(ctx, dir)
					if err != nil {
						b.Fatal(err)
					}
					defer t.Close()
					if _, err := t.NewScan(ctx, table.ScanOptions{Filter: fl.f}); err != nil {
						b.Fatal(err)
					}
					peak := startPeakHeap()
					var files int
					for b.Loop() {
						p, err := t.NewScan(ctx, table.ScanOptions{Filter: fl.f})
						if err != nil {
							b.Fatal(err)
						}
						files = countFiles(p)
					}
					peak.report(b)
					b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/plan")
					b.ReportMetric(float64(files), "files")
				})
			}
		})
	}
}

func countFiles(p *table.Plan) int {
	n := 0
	for _, s := range p.Splits {
		n += len(s.Files)
	}
	return n
}

// peakHeap samples the Go heap in use until report.
type peakHeap struct {
	stop chan struct{}
	wg   sync.WaitGroup
	peak atomic.Uint64
	cpu  time.Duration // process CPU time at the start
}

func startPeakHeap() *peakHeap {
	runtime.GC()
	p := &peakHeap{stop: make(chan struct{}), cpu: cpuTime()}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > p.peak.Load() {
				p.peak.Store(v)
			}
			select {
			case <-p.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return p
}

// report reports the peak heap, and the process CPU time per plan (which
// counts the garbage collector's and every goroutine's work, and is less
// sensitive than wall time to other jobs on the machine).
func (p *peakHeap) report(b *testing.B) {
	cpu := cpuTime() - p.cpu
	close(p.stop)
	p.wg.Wait()
	b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/plan")
	b.ReportMetric(float64(p.peak.Load())/(1<<20), "peak-heap-MiB")
}

const (
	planBuckets        = 16
	planFilesPerBucket = 8
	planValueCols      = 10 // besides dt and id: half INT, half STRING
)

func planPartitions(files int) int { return max(1, files/(planBuckets*planFilesPerBucket)) }

func planPartition(i int) string { return fmt.Sprintf("2024-%06d", i) }

// planBenchTable builds (or, under FLOE_PLAN_DIR, reuses) a table with
// files live data files and returns its directory.
func planBenchTable(b *testing.B, files int) string {
	ctx := context.Background()
	root := os.Getenv("FLOE_PLAN_DIR")
	if root == "" {
		root = b.TempDir()
	}
	dir := filepath.Join(root, "bench.db", fmt.Sprintf("plan_%d", files))
	if _, err := os.Stat(filepath.Join(dir, "snapshot", "snapshot-1")); err == nil {
		return dir
	}
	cat, err := catalog.Open(ctx, root, catalog.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer cat.Close()
	if err := cat.CreateDatabase(ctx, "bench", true); err != nil {
		b.Fatal(err)
	}
	cols := []table.Column{{Name: "dt", Type: "STRING"}, {Name: "id", Type: "BIGINT"}}
	for i := range planValueCols {
		typ := "INT"
		if i%2 == 1 {
			typ = "STRING"
		}
		cols = append(cols, table.Column{Name: fmt.Sprintf("c%d", i), Type: typ})
	}
	t, err := table.Create(ctx, cat, catalog.Identifier{Database: "bench", Table: fmt.Sprintf("plan_%d", files)},
		table.Spec{Columns: cols, PartitionKeys: []string{"dt"}, PrimaryKeys: []string{"dt", "id"},
			Options: []table.Option{{Key: "bucket", Value: strconv.Itoa(planBuckets)}}}, table.CreateOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer t.Close()
	st := t.Store()
	types := make([]schema.DataType, len(t.Schema().Fields))
	for i, f := range t.Schema().Fields {
		types[i] = f.Type.Nullable()
	}
	partTypes := types[:1]
	keyTypes := []schema.DataType{types[1]}
	rng := rand.New(rand.NewPCG(7, 11))
	row := func(ts []schema.DataType, vals ...any) []byte {
		raw, err := binrow.Encode(ts, vals)
		if err != nil {
			b.Fatal(err)
		}
		return binrow.Serialize(len(ts), raw)
	}
	hex := func(n int) string {
		const digits = "0123456789abcdef"
		buf := make([]byte, n)
		for i := range buf {
			buf[i] = digits[rng.IntN(16)]
		}
		return string(buf)
	}
	p64 := func(v int64) *int64 { return &v }
	p32 := func(v int32) *int32 { return &v }
	zero := func(n int) []*int64 {
		out := make([]*int64, n)
		for i := range out {
			out[i] = p64(int64(rng.IntN(3)))
		}
		return out
	}
	entry := func(i int) manifest.Entry {
		perPart := planBuckets * planFilesPerBucket
		part, bucket, slot := i/perPart, (i%perPart)/planFilesPerBucket, i%planFilesPerBucket
		level := int32(max(0, slot-2)) // three level-0 files, then levels 1..5
		dt := planPartition(part)
		lo := int64(rng.IntN(1_000_000))
		hi := lo + int64(rng.IntN(1_000_000))
		rows := int64(1000 + rng.IntN(100_000))
		minV := []any{dt, lo}
		maxV := []any{dt, hi}
		for c := range planValueCols {
			if c%2 == 0 {
				a := int32(rng.IntN(1000))
				minV, maxV = append(minV, a), append(maxV, a+int32(rng.IntN(100000)))
			} else {
				minV, maxV = append(minV, "a"+hex(15)), append(maxV, "f"+hex(15))
			}
		}
		ct := int64(1_700_000_000_000 + i)
		src := manifest.FileSourceAppend
		if level > 0 {
			src = manifest.FileSourceCompact
		}
		return manifest.Entry{
			Kind: manifest.Add, Partition: row(partTypes, dt), Bucket: int32(bucket), TotalBuckets: planBuckets,
			File: manifest.DataFile{
				FileName:          fmt.Sprintf("data-%s-%s-%s-%s-%s-%d.parquet", hex(8), hex(4), hex(4), hex(4), hex(12), i%7),
				FileSize:          rows * 60,
				RowCount:          rows,
				MinKey:            row(keyTypes, lo),
				MaxKey:            row(keyTypes, hi),
				KeyStats:          manifest.SimpleStats{Min: row(keyTypes, lo), Max: row(keyTypes, hi), NullCounts: []*int64{p64(0)}},
				ValueStats:        manifest.SimpleStats{Min: row(types, minV...), Max: row(types, maxV...), NullCounts: zero(len(types))},
				MinSequenceNumber: int64(i) * 100_000,
				MaxSequenceNumber: int64(i)*100_000 + rows - 1,
				SchemaID:          0,
				Level:             level,
				CreationTime:      &ct,
				DeleteRowCount:    p64(0),
				FileSource:        p32(src),
			},
		}
	}
	// Manifests of about 8 MB (Paimon's manifest.target-file-size): size
	// the first one from the bytes an entry takes.
	const target = 8 << 20
	perManifest := 0
	names := manifest.NewNameGenerator(manifest.PrefixManifest)
	var metas []manifest.FileMeta
	var totalRows int64
	for i := 0; i < files; {
		n := perManifest
		if n == 0 {
			n = min(files, 2000)
		}
		n = min(n, files-i)
		es := make([]manifest.Entry, n)
		for j := range es {
			es[j] = entry(i + j)
			totalRows += es[j].File.RowCount
		}
		name := names.Next()
		size, err := manifest.WriteManifest(ctx, st, name, es, manifest.EncodeOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if perManifest == 0 {
			perManifest = max(1, int(int64(target)*int64(n)/size))
		}
		m := manifest.FileMeta{FileName: name, FileSize: size, NumAddedFiles: int64(n), SchemaID: 0,
			MinBucket: p32(0), MaxBucket: p32(planBuckets - 1), MinLevel: p32(0), MaxLevel: p32(5)}
		first, last := es[0].Partition, es[n-1].Partition
		m.PartitionStats = manifest.SimpleStats{Min: first, Max: last, NullCounts: []*int64{p64(0)}}
		var minB, maxB, minL, maxL int32 = planBuckets, -1, 99, -1
		for _, e := range es {
			minB, maxB = min(minB, e.Bucket), max(maxB, e.Bucket)
			minL, maxL = min(minL, e.File.Level), max(maxL, e.File.Level)
		}
		m.MinBucket, m.MaxBucket, m.MinLevel, m.MaxLevel = p32(minB), p32(maxB), p32(minL), p32(maxL)
		metas = append(metas, m)
		i += n
	}
	lists := manifest.NewNameGenerator(manifest.PrefixList)
	base, delta := lists.Next(), lists.Next()
	baseSize, err := manifest.WriteList(ctx, st, base, metas, manifest.EncodeOptions{})
	if err != nil {
		b.Fatal(err)
	}
	deltaSize, err := manifest.WriteList(ctx, st, delta, nil, manifest.EncodeOptions{})
	if err != nil {
		b.Fatal(err)
	}
	next := int64(0)
	snap := &snapshot.Snapshot{Version: snapshot.CurrentVersion, ID: 1, SchemaID: 0,
		BaseManifestList: base, BaseManifestListSize: &baseSize, DeltaManifestList: delta, DeltaManifestListSize: &deltaSize,
		CommitUser: "bench", CommitIdentifier: 1, CommitKind: snapshot.KindAppend, TimeMillis: time.Now().UnixMilli(),
		TotalRecordCount: totalRows, DeltaRecordCount: totalRows, NextRowID: &next}
	if _, err := snapshot.Publish(ctx, st, snap, snapshot.PublishOptions{}); err != nil {
		b.Fatal(err)
	}
	b.Logf("built %s: %d files in %d manifests of %d entries", dir, files, len(metas), perManifest)
	return dir
}
