package merge

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/schema"
)

// TestFastFoldsMatchGeneric: the typed folds of insert-only groups give
// what the accumulators give, over random groups with nulls, NaN-free
// floats, negative numbers and ties; and columns built in parallel are
// those built one after another.
func TestFastFoldsMatchGeneric(t *testing.T) {
	fields := []schema.Field{
		{ID: 0, Name: "id", Type: schema.NewBigInt().WithNotNull(true)},
		{ID: 1, Name: "s", Type: schema.NewBigInt()},
		{ID: 2, Name: "d", Type: schema.NewDouble()},
		{ID: 3, Name: "mi", Type: schema.NewInt()},
		{ID: 4, Name: "mb", Type: schema.NewBigInt()},
		{ID: 5, Name: "lnn", Type: schema.NewString()},
		{ID: 6, Name: "lv", Type: schema.NewString()},
		{ID: 7, Name: "mn", Type: schema.NewInt()},
	}
	sc, err := schema.ArrowSchema(fields)
	if err != nil {
		t.Fatal(err)
	}
	engines := map[string]Options{
		"aggregation": {Engine: "aggregation", Fields: map[string]FieldOptions{
			"s": {AggregateFunction: "sum"}, "d": {AggregateFunction: "sum"}, "mi": {AggregateFunction: "max"},
			"mb": {AggregateFunction: "max"}, "lnn": {AggregateFunction: "last_non_null_value"},
			"lv": {AggregateFunction: "last_value"}, "mn": {AggregateFunction: "min"}}},
		"partial-update": {Engine: "partial-update", IgnoreDelete: true},
	}
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	rng := rand.New(rand.NewPCG(7, 8))
	for name, o := range engines {
		eng, err := New(fields, []string{"id"}, o)
		if err != nil {
			t.Fatal(err)
		}
		for iter := range 50 {
			g := &Groups{}
			nsrc := 1 + rng.IntN(4)
			rows := 1 + rng.IntN(200)
			for range nsrc {
				b := array.NewRecordBuilder(mem, sc)
				for r := range rows {
					b.Field(0).(*array.Int64Builder).Append(int64(r))
					for c := 1; c < len(fields); c++ {
						if rng.IntN(4) == 0 {
							b.Field(c).AppendNull()
							continue
						}
						switch fb := b.Field(c).(type) {
						case *array.Int64Builder:
							fb.Append(rng.Int64N(20) - 10)
						case *array.Int32Builder:
							fb.Append(rng.Int32N(20) - 10)
						case *array.Float64Builder:
							fb.Append(float64(rng.IntN(20)-10) / 4)
						case *array.StringBuilder:
							fb.Append(fmt.Sprint("v", rng.IntN(5)))
						}
					}
				}
				g.Srcs = append(g.Srcs, b.NewRecordBatch())
				b.Release()
			}
			for r := range rows {
				n := 1 + rng.IntN(5)
				for range n {
					g.Refs = append(g.Refs, Ref{Src: int32(rng.IntN(nsrc)), Row: int32(r)})
					k := schema.Insert
					if rng.IntN(10) == 0 {
						k = schema.UpdateAfter
					}
					g.Kinds = append(g.Kinds, k)
					g.Seqs = append(g.Seqs, int64(len(g.Seqs)))
				}
				g.Ends = append(g.Ends, len(g.Refs))
			}
			var outs [3]string
			for i, off := range []bool{false, true, false} {
				noFastFolds = off
				if i == 2 {
					parallelCells = 0
				}
				red, err := eng.Reducer([]string{"id", "s", "d", "mi", "mb", "lnn", "lv", "mn"})
				if err != nil {
					t.Fatal(err)
				}
				out, err := red.Reduce(g, mem)
				if err != nil {
					t.Fatal(err)
				}
				rec := array.NewRecordBatch(sc, out.Cols, int64(len(out.Kinds)))
				var buf bytes.Buffer
				if err := array.RecordToJSON(rec, &buf); err != nil {
					t.Fatal(err)
				}
				fmt.Fprint(&buf, out.Kinds, out.Seqs)
				outs[i] = buf.String()
				rec.Release()
				out.Release()
			}
			noFastFolds, parallelCells = false, 16<<10
			for _, s := range g.Srcs {
				s.Release()
			}
			if outs[0] != outs[1] {
				t.Fatalf("%s iter %d: fast\n%s\ngeneric\n%s", name, iter, outs[0], outs[1])
			}
			if outs[0] != outs[2] {
				t.Fatalf("%s iter %d: serial\n%s\nparallel\n%s", name, iter, outs[0], outs[2])
			}
		}
	}
}
