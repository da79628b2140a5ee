package predicate

import (
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/schema"
)

// BenchmarkFilter filters 1M rows with a > x AND b = 'str' (a BIGINT
// with 1% nulls, b a string of 16 distinct values).
func BenchmarkFilter(b *testing.B) {
	const n = 1 << 20
	fields := []schema.Field{{Name: "a", Type: schema.NewBigInt()}, {Name: "b", Type: schema.NewString()}}
	sc, err := schema.ArrowSchema(fields)
	if err != nil {
		b.Fatal(err)
	}
	bld := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	ab := bld.Field(0).(*array.Int64Builder)
	sb := bld.Field(1).(*array.StringBuilder)
	for i := range n {
		if i%100 == 7 {
			ab.AppendNull()
		} else {
			ab.Append(int64(i*7919) % 1000)
		}
		sb.Append(fmt.Sprintf("str%d", i%16))
	}
	rec := bld.NewRecord()
	bld.Release()
	defer rec.Release()
	bound, err := Bind(And(Greater("a", 500), Equal("b", "str3")), fields, false)
	if err != nil {
		b.Fatal(err)
	}
	cols := []int{0, 1}
	var sel []int32
	for b.Loop() {
		sel, err = bound.Filter(rec, cols, sel)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/row")
	if len(sel) == 0 {
		b.Fatal("nothing selected")
	}
}

var _ arrow.Record
