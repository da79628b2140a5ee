package lsm

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/internal/kv"
	"github.com/floelake/floe/manifest"
)

const lkBenchRows = 1 << 20

var lkBenchSchema = kv.RecordSchema(arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "v", Type: arrow.BinaryTypes.String},
}, nil))

var lkBench struct {
	once sync.Once
	recs []arrow.RecordBatch
}

// lkBenchFile is a 1M-row file of even int64 keys 0, 2, 4, … in batches
// of 4096.
func lkBenchFile() []arrow.RecordBatch {
	lkBench.once.Do(func() {
		for start := 0; start < lkBenchRows; start += 4096 {
			b := array.NewRecordBuilder(memory.DefaultAllocator, lkBenchSchema)
			for i := start; i < start+4096; i++ {
				b.Field(0).(*array.Int64Builder).Append(int64(i))
				b.Field(1).(*array.Int8Builder).Append(0)
				b.Field(2).(*array.Int64Builder).Append(int64(2 * i))
				b.Field(3).(*array.StringBuilder).Append(fmt.Sprintf("value-%d", i))
			}
			lkBench.recs = append(lkBench.recs, b.NewRecordBatch())
			b.Release()
		}
	})
	return lkBench.recs
}

func lkBenchOpen(context.Context) (array.RecordReader, error) {
	return array.NewRecordReader(lkBenchSchema, lkBenchFile())
}

// lkBenchKeys returns n ascending keys drawn from [0, 2·rows): about half
// present.
func lkBenchKeys(b *testing.B, rng *rand.Rand, n int) [][]byte {
	enc, err := NewKeyEncoder(lkBenchSchema, []int{2})
	if err != nil {
		b.Fatal(err)
	}
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = rng.Int64N(2 * lkBenchRows)
	}
	slices.Sort(ids)
	bld := array.NewRecordBuilder(memory.DefaultAllocator, lkBenchSchema)
	defer bld.Release()
	for _, id := range ids {
		bld.Field(0).(*array.Int64Builder).Append(0)
		bld.Field(1).(*array.Int8Builder).Append(0)
		bld.Field(2).(*array.Int64Builder).Append(id)
		bld.Field(3).(*array.StringBuilder).Append("")
	}
	rec := bld.NewRecordBatch()
	defer rec.Release()
	keys, err := enc.Keys(rec)
	if err != nil {
		b.Fatal(err)
	}
	return keys
}

// BenchmarkLookupBuild builds the cache file of a 1M-row file.
func BenchmarkLookupBuild(b *testing.B) {
	lkBenchFile()
	keys := lkBenchKeys(b, rand.New(rand.NewPCG(1, 1)), 1)
	dir := b.TempDir()
	f := manifest.DataFile{FileName: "bench"}
	var size int64
	b.ReportAllocs()
	for b.Loop() {
		l, err := NewLookup(LookupOptions{Dir: dir})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := l.Positions(context.Background(), f, lkBenchOpen, []int{2}, keys); err != nil {
			b.Fatal(err)
		}
		size = l.DiskSize()
		l.Close()
	}
	b.ReportMetric(float64(lkBenchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(size)/lkBenchRows, "disk-B/row")
}

// BenchmarkLookupPositions looks up keys in the cache file of a 1M-row
// file, n keys per call.
func BenchmarkLookupPositions(b *testing.B) {
	for _, n := range []int{16, 4096, 65536} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			lkBenchFile()
			l, err := NewLookup(LookupOptions{Dir: b.TempDir()})
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			f := manifest.DataFile{FileName: "bench"}
			rng := rand.New(rand.NewPCG(2, 2))
			sets := make([][][]byte, 16)
			for i := range sets {
				sets[i] = lkBenchKeys(b, rng, n)
			}
			got, err := l.Positions(context.Background(), f, lkBenchOpen, []int{2}, sets[0])
			if err != nil {
				b.Fatal(err)
			}
			for i, k := range sets[0] { // keys are 2·position
				id := int64(bytes.Clone(k)[1]^0x80)<<56 | int64(k[2])<<48 | int64(k[3])<<40 | int64(k[4])<<32 | int64(k[5])<<24 | int64(k[6])<<16 | int64(k[7])<<8 | int64(k[8])
				want := int64(-1)
				if id%2 == 0 {
					want = id / 2
				}
				if got[i] != want {
					b.Fatalf("key %d: %d, want %d", id, got[i], want)
				}
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := l.Positions(context.Background(), f, lkBenchOpen, []int{2}, sets[i%len(sets)]); err != nil {
					b.Fatal(err)
				}
				i++
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "keys/s")
		})
	}
}
