package lsm_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/lsm"
	"github.com/floelake/floe/merge"
	"github.com/floelake/floe/schema"
)

// TestBufferComputingEngine: a buffer of an aggregation table (sum and an
// order-sensitive listagg) gives the same rows however its input was
// batched, sliced and spilled: reductions of spilled runs compose.
func TestBufferComputingEngine(t *testing.T) {
	fields := []schema.Field{
		{ID: 0, Name: "k", Type: schema.NewInt().WithNotNull(true)},
		{ID: 1, Name: "g", Type: schema.NewBigInt()},
		{ID: 2, Name: "v", Type: schema.NewString()},
	}
	sc, err := schema.ArrowSchema(fields)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := merge.New(fields, []string{"k"}, merge.Options{Engine: "aggregation",
		Fields: map[string]merge.FieldOptions{"g": {AggregateFunction: "sum"}, "v": {AggregateFunction: "listagg"}}})
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rng := rand.New(rand.NewPCG(3, 4))
	dir := t.TempDir()
	for iter := range 30 {
		b, err := lsm.NewBuffer(lsm.BufferOptions{
			SortOptions: lsm.SortOptions{Schema: sc, KeyColumns: []int{0}, Engine: eng},
			Spillable:   true, SpillDir: dir, Alloc: mem, BatchSize: 1 + rng.IntN(50),
		})
		if err != nil {
			t.Fatal(err)
		}
		type in struct {
			k int32
			g *int64
			v *string
		}
		var all []in
		seq := int64(1)
		for range 1 + rng.IntN(8) {
			n := rng.IntN(200)
			rb := array.NewRecordBuilder(mem, sc)
			kinds := make([]schema.RowKind, n)
			for i := range n {
				r := in{k: int32(rng.IntN(40))}
				rb.Field(0).(*array.Int32Builder).Append(r.k)
				if rng.IntN(4) > 0 {
					g := rng.Int64N(100)
					r.g = &g
					rb.Field(1).(*array.Int64Builder).Append(g)
				} else {
					rb.Field(1).AppendNull()
				}
				if rng.IntN(4) > 0 {
					v := fmt.Sprintf("s%d", seq+int64(i))
					r.v = &v
					rb.Field(2).(*array.StringBuilder).Append(v)
				} else {
					rb.Field(2).AppendNull()
				}
				kinds[i] = schema.Insert
				all = append(all, r)
			}
			rec := rb.NewRecordBatch()
			rb.Release()
			if err := b.Add(rec, kinds, seq); err != nil {
				t.Fatal(err)
			}
			rec.Release()
			seq += int64(n)
			if rng.IntN(2) == 0 {
				if err := b.Spill(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
		}
		var got []string
		err = b.Flush(context.Background(), func(r arrow.Record) error {
			k := r.Column(2).(*array.Int32)
			g := r.Column(3).(*array.Int64)
			v := r.Column(4).(*array.String)
			for i := range int(r.NumRows()) {
				gs, vs := "null", "null"
				if g.IsValid(i) {
					gs = fmt.Sprint(g.Value(i))
				}
				if v.IsValid(i) {
					vs = v.Value(i)
				}
				got = append(got, fmt.Sprintf("%d %s %s", k.Value(i), gs, vs))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		b.Close()
		type acc struct {
			g  *int64
			vs []string
			n  int
		}
		model := map[int32]*acc{}
		for _, r := range all {
			a := model[r.k]
			if a == nil {
				a = &acc{}
				model[r.k] = a
			}
			a.n++
			if r.g != nil {
				x := *r.g
				if a.g != nil {
					x += *a.g
				}
				a.g = &x
			}
			if r.v != nil {
				a.vs = append(a.vs, *r.v)
			}
		}
		var want []string
		for k, a := range model {
			gs, vs := "null", "null"
			if a.g != nil {
				gs = fmt.Sprint(*a.g)
			}
			if len(a.vs) > 0 {
				vs = strings.Join(a.vs, ",")
			}
			want = append(want, fmt.Sprintf("%d %s %s", k, gs, vs))
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("iter %d: got\n%v\nwant\n%v", iter, got, want)
		}
	}
}
