package table_test

import (
	"context"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/table"
)

// BenchmarkReadAfterCommits: read time of a table written by many small
// commits, with default options (the writer compacts inline) and, as the
// baseline in the same run, with write-only=true (nothing leaves level 0,
// as every floe table before compaction existed). Reported per commit
// count: read ms of a full scan and the sorted runs of the bucket.
//
//	go test ./table -run '^$' -bench ReadAfterCommits -benchtime 1x
func BenchmarkReadAfterCommits(b *testing.B) {
	perCommit := max(1, benchRows(b, 200_000)/100)
	// Keys repeat soon, so the table holds about the same rows after 10
	// commits as after 200: read time should not grow with commits.
	keyRange := perCommit * 2
	for _, n := range []int{10, 50, 200} {
		b.Run(itoa(n), func(b *testing.B) {
			for b.Loop() {
				ctx := context.Background()
				read := map[string]time.Duration{}
				var rows int64
				runs := map[string]int{}
				for _, mode := range []string{"compacting", "write-only"} {
					t := createBenchTable(b, b.TempDir(), micro, table.Option{Key: "write-only", Value: boolText(mode == "write-only")})
					sch, err := t.Schema().ArrowSchema()
					if err != nil {
						b.Fatal(err)
					}
					rng := rand.New(rand.NewPCG(7, 7))
					for range n {
						rec := micro.gen(rng, memory.DefaultAllocator, sch, perCommit, keyRange)
						w, err := t.NewWriter(ctx, table.WriterOptions{SpillDir: b.TempDir()})
						if err != nil {
							b.Fatal(err)
						}
						if err := w.Write(ctx, rec); err != nil {
							b.Fatal(err)
						}
						rec.Release()
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
					levels := map[int32]bool{}
					for _, f := range files {
						if f.Level == 0 {
							runs[mode]++
						} else if !levels[f.Level] {
							levels[f.Level] = true
							runs[mode]++
						}
					}
					start := time.Now()
					rr, err := t.ReadAll(ctx, table.ScanOptions{}, table.ReadOptions{})
					if err != nil {
						b.Fatal(err)
					}
					var n int64
					for rr.Next() {
						n += rr.RecordBatch().NumRows()
					}
					rows = n
					if err := rr.Err(); err != nil {
						b.Fatal(err)
					}
					rr.Release()
					read[mode] = time.Since(start)
				}
				b.ReportMetric(float64(read["compacting"].Microseconds())/1000, "read-ms")
				b.ReportMetric(float64(read["write-only"].Microseconds())/1000, "write-only-read-ms")
				b.ReportMetric(float64(runs["compacting"]), "runs")
				b.ReportMetric(float64(rows), "rows")
				b.ReportMetric(float64(runs["write-only"]), "write-only-runs")
				b.ReportMetric(read["write-only"].Seconds()/read["compacting"].Seconds(), "speedup")
			}
		})
	}
}

func boolText(v bool) string {
	if v {
		return "true"
	}
	return "false"
}

func itoa(n int) string { return strconv.Itoa(n) }
