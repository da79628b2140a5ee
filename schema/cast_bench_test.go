package schema

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// BenchmarkCastArray casts 4096-value columns, the reader's batch size.
func BenchmarkCastArray(b *testing.B) {
	const n = 4096
	mem := memory.NewGoAllocator()
	build := func(t DataType, f func(bld array.Builder, i int)) arrow.Array {
		bld := array.NewBuilder(mem, mustArrow(t))
		defer bld.Release()
		for i := range n {
			f(bld, i)
		}
		return bld.NewArray()
	}
	ints := build(NewInt(), func(bl array.Builder, i int) { bl.(*array.Int32Builder).Append(int32(i * 7919)) })
	bigs := build(NewBigInt(), func(bl array.Builder, i int) { bl.(*array.Int64Builder).Append(int64(i) << 33) })
	doubles := build(NewDouble(), func(bl array.Builder, i int) { bl.(*array.Float64Builder).Append(float64(i) / 7) })
	strs := build(NewString(), func(bl array.Builder, i int) { bl.(*array.StringBuilder).Append(strconv.Itoa(i*31) + ".5") })
	tss := build(NewTimestamp(6), func(bl array.Builder, i int) {
		bl.(*array.TimestampBuilder).Append(arrow.Timestamp(1_705_314_030_123_456 + int64(i)*1_000_003))
	})
	decs := build(NewDecimal(10, 4), func(bl array.Builder, i int) {
		bl.(*array.Decimal128Builder).Append(decimal128.FromI64(int64(i*12345 - 9999)))
	})
	for _, c := range []struct {
		arr      arrow.Array
		from, to DataType
	}{
		{ints, NewInt(), NewBigInt()},
		{bigs, NewBigInt(), NewInt()},
		{ints, NewInt(), NewString()},
		{doubles, NewDouble(), NewString()},
		{strs, NewString(), NewInt()},
		{strs, NewString(), NewDouble()},
		{strs, NewString(), NewDecimal(10, 2)},
		{tss, NewTimestamp(6), NewString()},
		{tss, NewTimestamp(6), NewTimestamp(3)},
		{decs, NewDecimal(10, 4), NewDecimal(8, 2)},
	} {
		b.Run(fmt.Sprintf("%s->%s", c.from, c.to), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				out, err := CastArray(mem, c.arr, c.from, c.to)
				if err != nil {
					b.Fatal(err)
				}
				out.Release()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/value")
		})
	}
}
