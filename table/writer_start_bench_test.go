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

// TestWriterLoadsItsPartitions checks that a writer reads only the
// manifests that may hold the partitions it writes, and that the
// sequence numbers it continues from are the buckets' largest, also after
// it falls back to loading every live file.
func TestWriterLoadsItsPartitions(t *testing.T) {
	ctx := context.Background()
	base := manyPartitionsTable(t, 60, 2)
	files, snap, err := base.Files(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	maxSeq := map[bucketID]int64{}
	for _, f := range files {
		k := bucketID{string(f.Entry.Partition), f.Bucket}
		maxSeq[k] = max(maxSeq[k], f.MaxSequence)
	}
	lists, err := manifest.ReadLists(ctx, base.Store(), snap.BaseManifestList, snap.DeltaManifestList)
	if err != nil {
		t.Fatal(err)
	}
	manifests := 0
	for _, m := range lists.Metas {
		manifests += len(m)
	}
	var faults storage.Faults
	tb, err := OpenStore(ctx, storage.WithFaults(base.Store(), &faults))
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Close()
	sc, err := tb.Schema().ArrowSchema()
	if err != nil {
		t.Fatal(err)
	}
	w, err := tb.NewWriter(ctx, WriterOptions{SpillDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	// Every partition's first Write; the first one reads a few manifests.
	for i, dt := range []string{"d-0031", "d-0030", "d-0001", "d-0059", "d-0031"} {
		before := faults.Ops(storage.OpRead)
		rec := idRecord(memory.DefaultAllocator, sc, dt, i*1000, 40)
		err := w.Write(ctx, rec)
		rec.Release()
		if err != nil {
			t.Fatal(err)
		}
		if n := faults.Ops(storage.OpRead) - before; i == 0 && (n == 0 || n >= manifests) {
			t.Errorf("first write read %d files; the snapshot has %d manifests", n, manifests)
		}
	}
	msgs, err := w.Prepare(ctx)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, m := range msgs {
		for _, f := range m.NewFiles {
			want := maxSeq[bucketID{string(m.Partition), m.Bucket}] + 1
			if f.MinSequenceNumber != want {
				t.Errorf("bucket %d of %x: new file starts at sequence %d, want %d", m.Bucket, m.Partition, f.MinSequenceNumber, want)
			}
			checked++
		}
	}
	if checked < 8 {
		t.Errorf("only %d new files", checked)
	}
}
