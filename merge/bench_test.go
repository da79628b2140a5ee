package merge_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/merge"
	"github.com/floelake/floe/schema"
)

// benchGroups builds nsrc source records of n rows each and groups of
// per records, each from a different source (as a merge of nsrc runs).
func benchGroups(b *testing.B, fields []schema.Field, n, per int, fill func(rng *rand.Rand, c int, bl array.Builder, src, row int)) *merge.Groups {
	sc, err := schema.ArrowSchema(fields)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	g := &merge.Groups{}
	for s := range per {
		rb := array.NewRecordBuilder(memory.DefaultAllocator, sc)
		for r := range n {
			for c := range fields {
				fill(rng, c, rb.Field(c), s, r)
			}
		}
		g.Srcs = append(g.Srcs, rb.NewRecordBatch())
		rb.Release()
	}
	seq := int64(1)
	for r := range n {
		for s := range per {
			g.Refs = append(g.Refs, merge.Ref{Src: int32(s), Row: int32(r)})
			g.Kinds = append(g.Kinds, schema.Insert)
			g.Seqs = append(g.Seqs, seq)
			seq++
		}
		g.Ends = append(g.Ends, len(g.Refs))
	}
	return g
}

func runReduce(b *testing.B, eng merge.Engine, fields []schema.Field, g *merge.Groups) {
	var cols []string
	for _, f := range fields {
		cols = append(cols, f.Name)
	}
	red, err := eng.Reducer(cols)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		out, err := red.Reduce(g, memory.DefaultAllocator)
		if err != nil {
			b.Fatal(err)
		}
		out.Release()
	}
	b.ReportMetric(float64(len(g.Refs))*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkReducePartialUpdate: 20 value columns in 2 sequence groups,
// 4 records per key, each setting one group.
func BenchmarkReducePartialUpdate(b *testing.B) {
	for _, groups := range []bool{false, true} {
		b.Run(fmt.Sprintf("groups=%v", groups), func(b *testing.B) {
			fields := []schema.Field{{ID: 0, Name: "id", Type: schema.NewBigInt().WithNotNull(true)},
				{ID: 1, Name: "g1", Type: schema.NewBigInt()}, {ID: 2, Name: "g2", Type: schema.NewBigInt()}}
			for i := range 20 {
				t := schema.NewBigInt()
				if i%2 == 1 {
					t = schema.NewString()
				}
				fields = append(fields, schema.Field{ID: 3 + i, Name: fmt.Sprintf("c%d", i), Type: t})
			}
			o := merge.Options{Engine: "partial-update"}
			if groups {
				g1, g2 := merge.SequenceGroup{Key: "fields.g1.sequence-group", Sequence: []string{"g1"}}, merge.SequenceGroup{Key: "fields.g2.sequence-group", Sequence: []string{"g2"}}
				for i := range 20 {
					if i < 10 {
						g1.Fields = append(g1.Fields, fmt.Sprintf("c%d", i))
					} else {
						g2.Fields = append(g2.Fields, fmt.Sprintf("c%d", i))
					}
				}
				o.SequenceGroups = []merge.SequenceGroup{g1, g2}
			}
			eng, err := merge.New(fields, []string{"id"}, o)
			if err != nil {
				b.Fatal(err)
			}
			g := benchGroups(b, fields, 4096, 4, func(rng *rand.Rand, c int, bl array.Builder, src, row int) {
				// Source s sets group s%2 only.
				switch {
				case c == 0:
					bl.(*array.Int64Builder).Append(int64(row))
				case c == 1 || c == 2:
					if (c - 1) == src%2 {
						bl.(*array.Int64Builder).Append(rng.Int64N(100))
					} else {
						bl.AppendNull()
					}
				case ((c - 3) < 10) != (src%2 == 0):
					bl.AppendNull()
				case bl.Type().ID() == arrow.STRING:
					bl.(*array.StringBuilder).Append("value")
				default:
					bl.(*array.Int64Builder).Append(rng.Int64())
				}
			})
			runReduce(b, eng, fields, g)
		})
	}
}

// BenchmarkReduceAggregation: sum, max and last_non_null_value over 10
// columns, 4 records per key.
func BenchmarkReduceAggregation(b *testing.B) {
	fields := []schema.Field{{ID: 0, Name: "id", Type: schema.NewBigInt().WithNotNull(true)}}
	o := merge.Options{Engine: "aggregation", Fields: map[string]merge.FieldOptions{}}
	for i := range 10 {
		name := fmt.Sprintf("c%d", i)
		var t schema.DataType
		switch i % 3 {
		case 0:
			t = schema.NewBigInt()
			o.Fields[name] = merge.FieldOptions{AggregateFunction: "sum"}
		case 1:
			t = schema.NewInt()
			o.Fields[name] = merge.FieldOptions{AggregateFunction: "max"}
		default:
			t = schema.NewString()
			o.Fields[name] = merge.FieldOptions{AggregateFunction: "last_non_null_value"}
		}
		fields = append(fields, schema.Field{ID: 1 + i, Name: name, Type: t})
	}
	eng, err := merge.New(fields, []string{"id"}, o)
	if err != nil {
		b.Fatal(err)
	}
	g := benchGroups(b, fields, 4096, 4, func(rng *rand.Rand, c int, bl array.Builder, src, row int) {
		switch bl := bl.(type) {
		case *array.Int64Builder:
			if c == 0 {
				bl.Append(int64(row))
			} else {
				bl.Append(rng.Int64N(1000))
			}
		case *array.Int32Builder:
			bl.Append(rng.Int32N(1000))
		case *array.StringBuilder:
			if rng.IntN(3) == 0 {
				bl.AppendNull()
			} else {
				bl.Append("v")
			}
		}
	})
	runReduce(b, eng, fields, g)
}
