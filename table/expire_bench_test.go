package table_test

import (
	"context"
	"math/rand/v2"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/floelake/floe/storage"
	"github.com/floelake/floe/table"
)

// BenchmarkExpire: a table of N snapshots (small commits of a
// primary-key table, every tenth snapshot a full compaction) is expired
// down to 10 in one run. It reports the expiry's time, its storage requests (reads,
// deletes, lists, existence checks) and the peak heap in use while it
// runs; memory should not grow with N (the expiry works in steps of 64
// snapshots).
//
//	go test ./table -run '^$' -bench Expire -benchtime 1x
func BenchmarkExpire(b *testing.B) {
	sizes := []int{250, 1000}
	if os.Getenv("FLOE_BENCH_ROWS") != "" {
		sizes = []int{60} // CI's small run: that it works, not its figures
	}
	for _, n := range sizes {
		b.Run(itoa(n), func(b *testing.B) {
			ctx := context.Background()
			for b.Loop() {
				// Small commits, and every tenth snapshot a full compaction,
				// so that data files are replaced: exactly n snapshots.
				t := createBenchTable(b, b.TempDir(), micro, table.Option{Key: "write-only", Value: "true"})
				sch, err := t.Schema().ArrowSchema()
				if err != nil {
					b.Fatal(err)
				}
				rng := rand.New(rand.NewPCG(3, 3))
				for id := 1; id <= n; id++ {
					if id%10 == 0 {
						res, err := t.Compact(ctx, table.CompactOptions{Full: true})
						if err != nil || res.Snapshot == nil || res.Snapshot.ID != int64(id) {
							b.Fatalf("compaction as snapshot %d: %+v, %v", id, res, err)
						}
						continue
					}
					commitRecords(b, t, genRecords(micro, rng, sch, 20, 2000))
				}
				var faults storage.Faults
				ft, err := table.OpenStore(ctx, storage.WithFaults(t.Store(), &faults))
				if err != nil {
					b.Fatal(err)
				}
				runtime.GC()
				var base runtime.MemStats
				runtime.ReadMemStats(&base)
				var peak atomic.Uint64
				stop := make(chan struct{})
				var wg sync.WaitGroup
				wg.Go(func() {
					var ms runtime.MemStats
					tick := time.NewTicker(5 * time.Millisecond)
					defer tick.Stop()
					for {
						runtime.ReadMemStats(&ms)
						if ms.HeapInuse > peak.Load() {
							peak.Store(ms.HeapInuse)
						}
						select {
						case <-stop:
							return
						case <-tick.C:
						}
					}
				})
				start := time.Now()
				res, err := ft.Expire(ctx, table.ExpireOptions{RetainMin: 10, RetainMax: 10, Limit: -1})
				d := time.Since(start)
				close(stop)
				wg.Wait()
				if err != nil {
					b.Fatal(err)
				}
				if res.Snapshots != n-10 {
					b.Fatalf("expired %d of %d snapshots", res.Snapshots, n)
				}
				b.ReportMetric(float64(d.Microseconds())/1000, "expire-ms")
				b.ReportMetric(float64(res.Snapshots), "snapshots")
				b.ReportMetric(float64(res.DataFiles+res.MetaFiles+res.ChangelogFiles), "files-deleted")
				b.ReportMetric(float64(faults.Ops("")), "requests")
				b.ReportMetric(float64(faults.Ops(storage.OpRead)), "reads")
				b.ReportMetric(float64(faults.Ops(storage.OpDelete)), "deletes")
				b.ReportMetric(float64(faults.Ops(storage.OpList)+faults.Ops(storage.OpStat)), "lists+stats")
				b.ReportMetric(float64(peak.Load()-min(peak.Load(), base.HeapInuse))/(1<<20), "peak-heap-MB")
			}
		})
	}
}
