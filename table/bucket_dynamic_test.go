package table

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/floelake/floe/manifest"
)

// routeOnly routes the rows of rec without buffering them and returns
// each row's bucket.
func routeOnly(t *testing.T, w *Writer, rec arrow.Record) []int32 {
	t.Helper()
	ctx := context.Background()
	in, err := w.matchInput(rec)
	if err != nil {
		t.Fatal(err)
	}
	defer in.release()
	targets, err := w.routeRows(ctx, in, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]int32, rec.NumRows())
	for _, bs := range targets {
		for _, r := range bs.rows {
			out[r] = bs.bucket
		}
	}
	return out
}

func idsRecord(t *testing.T, sc *arrow.Schema, dt string, from, to int) arrow.Record {
	var b strings.Builder
	b.WriteString("[")
	for i := from; i < to; i++ {
		if i > from {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"dt":%q,"id":%d,"name":"n%d"}`, dt, i, i)
	}
	b.WriteString("]")
	return jsonRecord(t, sc, b.String())
}

// Dynamic bucket mode assigns new keys to the first bucket below
// dynamic-bucket.target-row-num, opens new buckets when all are full, and
// a later writer keeps committed keys in their buckets (read back from
// the HASH index files of its base snapshot).
func TestDynamicBucketsAcrossWriters(t *testing.T) {
	ctx := context.Background()
	cat := testCatalog(t)
	tb := createTable(t, cat, "dyn", pkSpec(Option{"dynamic-bucket.target-row-num", "10"}))
	sc, err := tb.Schema().ArrowSchema()
	if err != nil {
		t.Fatal(err)
	}

	w1, err := tb.NewWriter(ctx, WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rec := idsRecord(t, sc, "a", 0, 35)
	first := routeOnly(t, w1, rec)
	rec.Release()
	for i, b := range first {
		if b != int32(i/10) {
			t.Fatalf("id %d in bucket %d, want %d", i, b, i/10)
		}
	}
	other := idsRecord(t, sc, "b", 0, 3)
	if got := routeOnly(t, w1, other); !slices.Equal(got, []int32{0, 0, 0}) {
		t.Errorf("partition b: buckets %v", got)
	}
	other.Release()
	msgs, err := w1.Prepare(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 5 {
		t.Fatalf("%d messages", len(msgs))
	}
	for i, m := range msgs[:4] {
		if m.Bucket != int32(i) || m.TotalBuckets != -1 || len(m.NewIndexFiles) != 1 || len(m.DeletedIndexFiles) != 0 {
			t.Fatalf("message %d: %+v", i, m)
		}
		e := m.NewIndexFiles[0]
		want := int64(min(10, 35-10*i))
		if e.RowCount != want || e.FileSize != 4*want || e.IndexType != manifest.IndexHash || e.Bucket != int32(i) {
			t.Errorf("index entry %d: %+v", i, e)
		}
	}
	if _, err := tb.Commit(ctx, msgs, CommitOptions{}); err != nil {
		t.Fatal(err)
	}
	// A second Prepare of the same writer has nothing new.
	if msgs, err := w1.Prepare(ctx); err != nil || len(msgs) != 0 {
		t.Errorf("empty prepare: %d messages, %v", len(msgs), err)
	}
	w1.Close()

	w2, err := tb.NewWriter(ctx, WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w2.Close()
	rec2 := idsRecord(t, sc, "a", 0, 45)
	second := routeOnly(t, w2, rec2)
	rec2.Release()
	if !slices.Equal(second[:35], first) {
		t.Errorf("known keys moved: %v", second[:35])
	}
	for i := 35; i < 45; i++ {
		want := int32(3)
		if i >= 40 {
			want = 4
		}
		if second[i] != want {
			t.Errorf("new id %d in bucket %d, want %d", i, second[i], want)
		}
	}
	msgs, err = w2.Prepare(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 2 || msgs[0].Bucket != 3 || msgs[1].Bucket != 4 {
		t.Fatalf("messages %+v", msgs)
	}
	if len(msgs[0].DeletedIndexFiles) != 1 || msgs[0].DeletedIndexFiles[0].RowCount != 5 || msgs[0].NewIndexFiles[0].RowCount != 10 {
		t.Errorf("bucket 3 index change %+v", msgs[0])
	}
	if len(msgs[1].DeletedIndexFiles) != 0 || msgs[1].NewIndexFiles[0].RowCount != 5 {
		t.Errorf("bucket 4 index change %+v", msgs[1])
	}
	if _, err := tb.Commit(ctx, msgs, CommitOptions{}); err != nil {
		t.Fatal(err)
	}
	snap, err := tb.Snapshot(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := manifest.ReadIndexManifest(ctx, tb.Store(), *snap.IndexManifest)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int64{}
	for _, e := range entries {
		p, _ := tb.PartitionPath(e.Partition)
		counts[fmt.Sprintf("%sbucket-%d", p, e.Bucket)] += e.RowCount
	}
	want := map[string]int64{"dt=a/bucket-0": 10, "dt=a/bucket-1": 10, "dt=a/bucket-2": 10, "dt=a/bucket-3": 10, "dt=a/bucket-4": 5, "dt=b/bucket-0": 3}
	if fmt.Sprint(counts) != fmt.Sprint(want) {
		t.Errorf("live index counts %v, want %v", counts, want)
	}
}
