package table

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/catalog"
	"github.com/floelake/floe/internal/binrow"
	"github.com/floelake/floe/manifest"
	"github.com/floelake/floe/schema"
	"github.com/floelake/floe/storage"
)

// manyPartitionsTable creates a primary-key table (pkSpec, 4 buckets)
// whose latest snapshot has parts partitions dt=d-0000.. with one
// synthetic level-0 file per bucket, committed perCommit partitions at a
// time (so manifests span a few partitions each, as a streaming job
// writing several partitions per checkpoint leaves them; manifest merging
// combines them further).
func manyPartitionsTable(tb testing.TB, parts, perCommit int) *Table {
	ctx := context.Background()
	cat := testCatalog(tb)
	t, err := Create(ctx, cat, catalog.Identifier{Database: "db", Table: "many"}, pkSpec(Option{"bucket", "4"}), CreateOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { t.Close() })
	seq := int64(0)
	for first := 0; first < parts; first += perCommit {
		var msgs []CommitMessage
		for p := first; p < min(first+perCommit, parts); p++ {
			part := dtPartition(tb, fmt.Sprintf("d-%04d", p))
			for b := range int32(4) {
				seq += 10
				msgs = append(msgs, CommitMessage{Partition: part, Bucket: b, TotalBuckets: 4,
					NewFiles: []manifest.DataFile{syntheticFile(tb, fmt.Sprintf("data-%d-%d-%d.parquet", first, p, b), seq)}})
			}
		}
		if _, err := t.Commit(ctx, msgs, CommitOptions{}); err != nil {
			tb.Fatal(err)
		}
	}
	return t
}

func dtPartition(tb testing.TB, dt string) []byte {
	raw, err := binrow.Encode([]schema.DataType{schema.MustParseType("STRING")}, []any{dt})
	if err != nil {
		tb.Fatal(err)
	}
	return binrow.Serialize(1, raw)
}

func syntheticFile(tb testing.TB, name string, maxSeq int64) manifest.DataFile {
	key := func(v int64) []byte {
		raw, err := binrow.Encode([]schema.DataType{schema.NewBigInt().WithNotNull(true)}, []any{v})
		if err != nil {
			tb.Fatal(err)
		}
		return binrow.Serialize(1, raw)
	}
	empty := binrow.Serialize(0, binrow.EmptyRow())
	src := manifest.FileSourceAppend
	ct := time.Now().UnixMilli()
	return manifest.DataFile{
		FileName: name, FileSize: 1000, RowCount: 10,
		MinKey: key(0), MaxKey: key(9),
		KeyStats:          manifest.SimpleStats{Min: empty, Max: empty, NullCounts: []*int64{}},
		ValueStats:        manifest.SimpleStats{Min: empty, Max: empty, NullCounts: []*int64{}},
		MinSequenceNumber: maxSeq - 9, MaxSequenceNumber: maxSeq,
		ExtraFiles: []string{}, CreationTime: &ct, FileSource: &src,
	}
}

// BenchmarkWriterStart measures a writer's start-up on a table with many
// partitions: NewWriter and the first Write of one row into one partition
// (which loads the sequence numbers of the partition's buckets), then
// Close. It reports the store reads per start-up (reads/op).
func BenchmarkWriterStart(b *testing.B) {
	for _, parts := range []int{100, 1000} {
		b.Run(fmt.Sprintf("partitions=%d", parts), func(b *testing.B) {
			ctx := context.Background()
			t := manyPartitionsTable(b, parts, 4)
			var faults storage.Faults
			t, err := OpenStore(ctx, storage.WithFaults(t.Store(), &faults))
			if err != nil {
				b.Fatal(err)
			}
			defer t.Close()
			sc, err := t.Schema().ArrowSchema()
			if err != nil {
				b.Fatal(err)
			}
			rec := idRecord(memory.DefaultAllocator, sc, fmt.Sprintf("d-%04d", parts/2), 0, 1)
			defer rec.Release()
			b.ReportAllocs()
			for b.Loop() {
				w, err := t.NewWriter(ctx, WriterOptions{SpillDir: b.TempDir()})
				if err != nil {
					b.Fatal(err)
				}
				if err := w.Write(ctx, rec); err != nil {
					b.Fatal(err)
				}
				w.Close()
			}
			b.ReportMetric(float64(faults.Ops(storage.OpRead))/float64(b.N), "reads/op")
		})
	}
}
