package lsm_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/internal/kv"
	"github.com/floelake/floe/lsm"
	"github.com/floelake/floe/merge"
	"github.com/floelake/floe/schema"
)

// wideBatches builds rows of (k INT, s0..s19 STRING(10)) in batches of
// 4096 with random keys.
func wideBatches(mem memory.Allocator, rows int, keys []int32) (*arrow.Schema, []arrow.Record) {
	fs := []arrow.Field{{Name: "k", Type: arrow.PrimitiveTypes.Int32}}
	for i := range 20 {
		fs = append(fs, arrow.Field{Name: fmt.Sprintf("s%d", i), Type: arrow.BinaryTypes.String, Nullable: true})
	}
	sc := arrow.NewSchema(fs, nil)
	var recs []arrow.Record
	for start := 0; start < rows; start += 4096 {
		n := min(4096, rows-start)
		b := array.NewRecordBuilder(mem, sc)
		for i := range n {
			b.Field(0).(*array.Int32Builder).Append(keys[start+i])
			for c := 1; c <= 20; c++ {
				b.Field(c).(*array.StringBuilder).Append(fmt.Sprintf("%010d", start+i+c))
			}
		}
		recs = append(recs, b.NewRecordBatch())
		b.Release()
	}
	return sc, recs
}

func BenchmarkBuffer(b *testing.B) {
	const rows = 1 << 20
	rng := rand.New(rand.NewPCG(1, 2))
	keys := make([]int32, rows)
	for i := range keys {
		keys[i] = rng.Int32N(rows)
	}
	mem := memory.DefaultAllocator
	sc, recs := wideBatches(mem, rows, keys)
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	kinds := make([]schema.RowKind, 4096)
	for _, spill := range []bool{false, true} {
		b.Run(fmt.Sprintf("spill=%v", spill), func(b *testing.B) {
			ctx := context.Background()
			for b.Loop() {
				buf, err := lsm.NewBuffer(lsm.BufferOptions{
					SortOptions: lsm.SortOptions{Schema: sc, KeyColumns: []int{0}, Engine: merge.NewDeduplicate(merge.Options{})},
					Spillable:   true, SpillDir: b.TempDir(),
				})
				if err != nil {
					b.Fatal(err)
				}
				var seq int64
				for i, r := range recs {
					if err := buf.Add(r, kinds[:r.NumRows()], seq); err != nil {
						b.Fatal(err)
					}
					seq += r.NumRows()
					if spill && i == len(recs)/2 {
						if err := buf.Spill(ctx); err != nil {
							b.Fatal(err)
						}
					}
				}
				out := 0
				if err := buf.Flush(ctx, func(r arrow.Record) error { out += int(r.NumRows()); return nil }); err != nil {
					b.Fatal(err)
				}
				buf.Close()
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

func BenchmarkMergeReader(b *testing.B) {
	const runs, perRun = 4, 250_000
	mem := memory.DefaultAllocator
	rng := rand.New(rand.NewPCG(3, 4))
	var runRecs [][]arrow.Record
	var sc *arrow.Schema
	seq := int64(0)
	for range runs {
		keys := make([]int32, perRun)
		for i := range keys {
			keys[i] = rng.Int32N(4 * perRun)
		}
		slices.Sort(keys)
		keys = slices.Compact(keys)
		vs, vrecs := wideBatches(mem, len(keys), keys)
		// Turn value records into KV records.
		sc = kv.RecordSchema(vs)
		var kvs []arrow.Record
		for _, r := range vrecs {
			sb := array.NewInt64Builder(mem)
			kb := array.NewInt8Builder(mem)
			for range r.NumRows() {
				sb.Append(seq)
				seq++
				kb.Append(0)
			}
			cols := append([]arrow.Array{sb.NewArray(), kb.NewArray()}, r.Columns()...)
			kvs = append(kvs, array.NewRecordBatch(sc, cols, r.NumRows()))
			cols[0].Release()
			cols[1].Release()
			sb.Release()
			kb.Release()
			r.Release()
		}
		runRecs = append(runRecs, kvs)
	}
	for b.Loop() {
		var rrs []array.RecordReader
		for _, recs := range runRecs {
			rr, _ := array.NewRecordReader(sc, recs)
			rrs = append(rrs, rr)
		}
		mr, err := lsm.NewMergeReader(rrs, lsm.MergeOptions{KeyColumns: []int{2}, Engine: merge.NewDeduplicate(merge.Options{}), DropRetracts: true})
		if err != nil {
			b.Fatal(err)
		}
		for mr.Next() {
		}
		if err := mr.Err(); err != nil {
			b.Fatal(err)
		}
		mr.Release()
	}
	b.ReportMetric(float64(runs*perRun)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
