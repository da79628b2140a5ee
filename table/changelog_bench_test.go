package table_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/floelake/floe/table"
)

// BenchmarkChangelogWrite measures one long-lived writer committing
// batches of random upserts (micro shape, one bucket, 20,000 rows a
// commit over 200,000 keys, on a table that starts with 200,000 rows
// compacted) under each changelog producer: none is the baseline; input
// writes every row twice; lookup compacts level 0 at every commit and
// looks each key's previous version up; full-compaction rewrites the
// bucket at every commit. Reported: rows/s and ms per commit.
func BenchmarkChangelogWrite(b *testing.B) {
	base := benchRows(b, 200_000)
	const perCommit = 20_000
	for _, producer := range []string{"none", "input", "lookup", "full-compaction"} {
		b.Run(producer, func(b *testing.B) {
			ctx := context.Background()
			t := createBenchTable(b, b.TempDir(), micro, table.Option{Key: "changelog-producer", Value: producer})
			sch, err := t.Schema().ArrowSchema()
			if err != nil {
				b.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(1, 2))
			commitRecords(b, t, genRecords(micro, rng, sch, base, base))
			if _, err := t.Compact(ctx, table.CompactOptions{Full: true, TempDir: b.TempDir()}); err != nil {
				b.Fatal(err)
			}
			w, err := t.NewWriter(ctx, table.WriterOptions{SpillDir: b.TempDir()})
			if err != nil {
				b.Fatal(err)
			}
			defer w.Close()
			b.ResetTimer()
			start := time.Now()
			for range b.N {
				writeCommit(b, t, w, genRecords(micro, rng, sch, perCommit, base))
			}
			el := time.Since(start)
			b.ReportMetric(float64(b.N*perCommit)/el.Seconds(), "rows/s")
			b.ReportMetric(el.Seconds()*1000/float64(b.N), "ms/commit")
		})
	}
}
