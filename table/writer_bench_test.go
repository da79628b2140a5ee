package table

import (
	"context"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/catalog"
)

// BenchmarkWriterWrite measures routing and buffering one 8192-row record
// into 4 fixed buckets of a partitioned primary-key table.
func BenchmarkWriterWrite(b *testing.B) {
	ctx := context.Background()
	cat := testCatalog(b)
	tb, err := Create(ctx, cat, catalog.Identifier{Database: "db", Table: "bench"}, pkSpec(Option{"bucket", "4"}), CreateOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer tb.Close()
	sc, _ := tb.Schema().ArrowSchema()
	w, err := tb.NewWriter(ctx, WriterOptions{SpillDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	rec := idRecord(memory.DefaultAllocator, sc, "d", 0, 8192)
	defer rec.Release()
	b.ReportAllocs()
	b.SetBytes(8192)
	for b.Loop() {
		if err := w.Write(ctx, rec); err != nil {
			b.Fatal(err)
		}
	}
}
