package kv_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/internal/kv"
)

func BenchmarkAppendAll(b *testing.B) {
	const n = 1 << 20
	rng := rand.New(rand.NewPCG(1, 1))
	mem := memory.DefaultAllocator
	ib := array.NewInt32Builder(mem)
	sb := array.NewStringBuilder(mem)
	for range n {
		ib.Append(rng.Int32())
		sb.Append(fmt.Sprintf("k%09d", rng.IntN(1e9)))
	}
	ints, strs := ib.NewArray(), sb.NewArray()
	defer ints.Release()
	defer strs.Release()
	for _, c := range []struct {
		name string
		cols []arrow.Array
	}{
		{"INT", []arrow.Array{ints}},
		{"STRING,INT", []arrow.Array{strs, ints}},
	} {
		b.Run(c.name, func(b *testing.B) {
			types := make([]arrow.DataType, len(c.cols))
			for i, a := range c.cols {
				types[i] = a.DataType()
			}
			enc, err := kv.NewKeyEncoder(types, nil)
			if err != nil {
				b.Fatal(err)
			}
			var buf []byte
			var offs []int
			for b.Loop() {
				buf, offs = enc.AppendAll(buf[:0], offs[:0], c.cols)
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "keys/s")
		})
	}
}
