package table_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/uuid"

	"github.com/floelake/floe/catalog"
	"github.com/floelake/floe/snapshot"
	"github.com/floelake/floe/table"
)

// BenchmarkStreamLatency measures how soon a following stream returns a
// commit's rows: a writer commits a few rows every 100 ms
// (FLOE_BENCH_COMMITS commits, default 20) while a stream follows the
// table; the latency of a commit is from its Commit call returning to the
// stream returning its first batch (0 when the stream was first). It
// reports p50 and p99 in milliseconds, on local disk and, with
// FLOE_S3_URL set (MinIO in CI), on S3.
func BenchmarkStreamLatency(b *testing.B) {
	commits := 20
	if s := os.Getenv("FLOE_BENCH_COMMITS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 2 {
			b.Fatalf("FLOE_BENCH_COMMITS=%q", s)
		}
		commits = n
	}
	where := map[string]string{"local": ""}
	if url := os.Getenv("FLOE_S3_URL"); url != "" {
		where["s3"] = url
	}
	for _, name := range []string{"local", "s3"} {
		url, ok := where[name]
		if !ok {
			continue
		}
		b.Run(name, func(b *testing.B) {
			if url == "" {
				url = b.TempDir()
			} else {
				url = joinURL(url, "bench-stream-"+uuid.NewString())
			}
			for b.Loop() {
				p50, p99 := streamLatency(b, url, commits)
				b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
			}
		})
	}
}

func streamLatency(b *testing.B, dir string, commits int) (p50, p99 time.Duration) {
	ctx := context.Background()
	cat, err := catalog.Open(ctx, dir, catalog.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer cat.Close()
	if err := cat.CreateDatabase(ctx, "db", true); err != nil {
		b.Fatal(err)
	}
	id := catalog.Identifier{Database: "db", Table: "s" + strconv.FormatInt(time.Now().UnixNano(), 36)}
	spec := table.Spec{Columns: []table.Column{{Name: "id", Type: "INT NOT NULL"}, {Name: "v", Type: "STRING"}},
		PrimaryKeys: []string{"id"}, Options: []table.Option{{Key: "bucket", Value: "1"}}}
	w, err := table.Create(ctx, cat, id, spec, table.CreateOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	r, err := table.OpenIn(ctx, cat, id)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	s, err := r.NewStream(ctx, table.StreamOptions{Start: table.StartLatest, MaxWait: time.Second})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()

	var mu sync.Mutex
	committed := map[int64]time.Time{}
	seen := map[int64]time.Time{}
	done := make(chan error, 1)
	go func() {
		for {
			bt, err := s.Next(ctx)
			if err != nil {
				done <- err
				return
			}
			mu.Lock()
			if _, ok := seen[bt.SnapshotID]; !ok {
				seen[bt.SnapshotID] = time.Now()
			}
			n := len(seen)
			mu.Unlock()
			if n == commits {
				done <- nil
				return
			}
		}
	}()
	sc, err := w.Schema().ArrowSchema()
	if err != nil {
		b.Fatal(err)
	}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for i := range commits {
		<-tick.C
		var rows strings.Builder
		rows.WriteByte('[')
		for k := range 10 {
			if k > 0 {
				rows.WriteByte(',')
			}
			fmt.Fprintf(&rows, `{"id":%d,"v":"c%d"}`, i*10+k, i)
		}
		rows.WriteByte(']')
		rec, _, err := array.RecordFromJSON(memory.DefaultAllocator, sc, strings.NewReader(rows.String()))
		if err != nil {
			b.Fatal(err)
		}
		wr, err := w.NewWriter(ctx, table.WriterOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if err := wr.Write(ctx, rec); err != nil {
			b.Fatal(err)
		}
		rec.Release()
		msgs, err := wr.Prepare(ctx)
		if err != nil {
			b.Fatal(err)
		}
		res, err := w.Commit(ctx, msgs, table.CommitOptions{})
		if err != nil {
			b.Fatal(err)
		}
		at := time.Now()
		wr.Close()
		mu.Lock()
		for _, sn := range res.Snapshots {
			if sn.CommitKind == snapshot.KindAppend { // what a stream reads
				committed[sn.ID] = at
			}
		}
		mu.Unlock()
	}
	select {
	case err := <-done:
		if err != nil {
			b.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		b.Fatal("the stream did not see every commit")
	}
	var lat []time.Duration
	for id, at := range committed {
		d := max(seen[id].Sub(at), 0)
		lat = append(lat, d)
	}
	slices.Sort(lat)
	return lat[len(lat)/2], lat[min(len(lat)-1, len(lat)*99/100)]
}

// BenchmarkStreamThroughput streams a micro-shape table (Paimon's
// micro-benchmark: INT key, 20 STRING columns; 1,000,000 rows,
// FLOE_BENCH_ROWS to change) written as 10 commits with keys overlapping
// across them, from snapshot 1 to the latest: every commit's rows with
// their kinds. It reports the stream's rows/s and, measured in the same
// run, a batch read of the latest snapshot (which merges the 10 files)
// and the ratio of the two.
func BenchmarkStreamThroughput(b *testing.B) {
	const commits = 10
	rows := benchRows(b, 1_000_000)
	ctx := context.Background()
	t := createBenchTable(b, b.TempDir(), micro, table.Option{Key: "write-only", Value: "true"})
	sch, err := t.Schema().ArrowSchema()
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(42, 42))
	for range commits {
		commitRecords(b, t, genRecords(micro, rng, sch, rows/commits, rows))
	}
	for b.Loop() {
		start := time.Now()
		s, err := t.NewStream(ctx, table.StreamOptions{Start: table.StartFromSnapshot, SnapshotID: 1, Until: table.UntilLatest})
		if err != nil {
			b.Fatal(err)
		}
		var streamed int64
		for {
			bt, err := s.Next(ctx)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			streamed += bt.Record.NumRows()
		}
		s.Close()
		streamSec := time.Since(start).Seconds()

		start = time.Now()
		rr, err := t.ReadAll(ctx, table.ScanOptions{}, table.ReadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		var read int64
		for rr.Next() {
			read += rr.RecordBatch().NumRows()
		}
		if err := rr.Err(); err != nil {
			b.Fatal(err)
		}
		rr.Release()
		batchSec := time.Since(start).Seconds()
		if streamed == 0 || read == 0 {
			b.Fatalf("streamed %d rows, read %d", streamed, read)
		}
		b.ReportMetric(float64(streamed)/streamSec, "stream-rows/s")
		b.ReportMetric(float64(read)/batchSec, "batch-rows/s")
		b.ReportMetric((float64(streamed)/streamSec)/(float64(read)/batchSec), "stream/batch")
		b.ReportMetric(0, "ns/op")
	}
}
