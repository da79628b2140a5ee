package table_test

import (
	"testing"
	"time"
)

// BenchmarkPKWrite is the write half of BenchmarkPK alone (write-buffer
// sort, gather, spill and level-0 files; input generated beforehand): 3,000,000
// rows (FLOE_BENCH_ROWS to change) into one bucket, committed once. It
// reports rows/s, the process's CPU seconds (user+sys) per write, which
// the load of other processes changes less than the wall clock, and the
// spills of the write buffer.
//
//	FLOE_BENCH_ROWS=1000000 go test ./table -run '^$' -bench 'PKWrite/micro' -benchtime 1x -benchmem
func BenchmarkPKWrite(b *testing.B) {
	for _, s := range []shape{micro, narrow} {
		b.Run(s.name, func(b *testing.B) {
			rows := benchRows(b, 3_000_000)
			probe := createBenchTable(b, b.TempDir(), s)
			sch, err := probe.Schema().ArrowSchema()
			if err != nil {
				b.Fatal(err)
			}
			recs := genBatches(b, s, sch, rows)
			defer releaseAll(recs)
			var wall time.Duration
			var cpu float64
			var spills int
			b.ReportAllocs()
			for b.Loop() {
				t := createBenchTable(b, b.TempDir(), s)
				cpu0 := cpuTime().Seconds()
				start := time.Now()
				spills += writeHeld(b, t, recs).Spills
				wall += time.Since(start)
				cpu += cpuTime().Seconds() - cpu0
			}
			n := float64(b.N)
			b.ReportMetric(float64(rows)*n/wall.Seconds(), "rows/s")
			b.ReportMetric(cpu/n, "cpu-s")
			b.ReportMetric(float64(spills)/n, "spills")
			b.ReportMetric(0, "ns/op")
		})
	}
}
