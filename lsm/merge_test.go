package lsm_test

import (
	"cmp"
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

// Test value schema: k INT (key), g BIGINT (nullable sequence field),
// v STRING, l LIST<INT> (v and l are derived from the sequence number).
var valueSchema = arrow.NewSchema([]arrow.Field{
	{Name: "k", Type: arrow.PrimitiveTypes.Int32},
	{Name: "g", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "v", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "l", Type: arrow.ListOf(arrow.PrimitiveTypes.Int32), Nullable: true},
}, nil)

var kvSchema = kv.RecordSchema(valueSchema)

// row is one model record.
type row struct {
	Seq  int64
	Kind schema.RowKind
	K    int32
	G    *int64
}

func (r row) String() string {
	g := "null"
	if r.G != nil {
		g = fmt.Sprint(*r.G)
	}
	return fmt.Sprintf("{k=%d g=%s seq=%d %s}", r.K, g, r.Seq, r.Kind)
}

func cmpG(a, b *int64, desc bool) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	if desc {
		return cmp.Compare(*b, *a)
	}
	return cmp.Compare(*a, *b)
}

func cmpRows(useG, desc bool) func(a, b row) int {
	return func(a, b row) int {
		if c := cmp.Compare(a.K, b.K); c != 0 {
			return c
		}
		if useG {
			if c := cmpG(a.G, b.G, desc); c != 0 {
				return c
			}
		}
		return cmp.Compare(a.Seq, b.Seq)
	}
}

// model merges rows the way the merge reader must.
func model(rows []row, useG, desc bool, eng merge.Engine, dropRetracts bool) []row {
	rows = slices.Clone(rows)
	slices.SortFunc(rows, cmpRows(useG, desc))
	var out []row
	for i := 0; i < len(rows); {
		j := i
		var kinds []schema.RowKind
		for j < len(rows) && rows[j].K == rows[i].K {
			kinds = append(kinds, rows[j].Kind)
			j++
		}
		if s := modelSelect(eng, kinds); s >= 0 && !(dropRetracts && kinds[s].IsRetract()) {
			out = append(out, rows[i+s])
		}
		i = j
	}
	return out
}

// modelSelect is the record a selecting engine keeps: the last
// (deduplicate), or the first non-retract (first-row).
func modelSelect(eng merge.Engine, kinds []schema.RowKind) int {
	if eng.Name() != "first-row" {
		return len(kinds) - 1
	}
	for i, k := range kinds {
		if !k.IsRetract() {
			return i
		}
	}
	return -1
}

func appendValues(bs []array.Builder, r row) {
	bs[0].(*array.Int32Builder).Append(r.K)
	if r.G == nil {
		bs[1].AppendNull()
	} else {
		bs[1].(*array.Int64Builder).Append(*r.G)
	}
	if r.Seq%7 == 0 {
		bs[2].AppendNull()
	} else {
		bs[2].(*array.StringBuilder).Append(fmt.Sprintf("v%d", r.Seq))
	}
	lb := bs[3].(*array.ListBuilder)
	if r.Seq%5 == 0 {
		lb.AppendNull()
	} else {
		lb.Append(true)
		for i := range int32(r.Seq % 3) {
			lb.ValueBuilder().(*array.Int32Builder).Append(int32(r.Seq) + i)
		}
	}
}

// kvRecords builds KV records of at most batch rows each.
func kvRecords(mem memory.Allocator, rows []row, batch int) []arrow.Record {
	var out []arrow.Record
	for len(rows) > 0 {
		n := min(batch, len(rows))
		b := array.NewRecordBuilder(mem, kvSchema)
		for _, r := range rows[:n] {
			b.Field(0).(*array.Int64Builder).Append(r.Seq)
			b.Field(1).(*array.Int8Builder).Append(int8(r.Kind))
			appendValues(b.Fields()[2:], r)
		}
		out = append(out, b.NewRecordBatch())
		b.Release()
		rows = rows[n:]
	}
	return out
}

// valueRecord builds one value-schema record and its kinds.
func valueRecord(mem memory.Allocator, rows []row) (arrow.Record, []schema.RowKind) {
	b := array.NewRecordBuilder(mem, valueSchema)
	defer b.Release()
	kinds := make([]schema.RowKind, len(rows))
	for i, r := range rows {
		appendValues(b.Fields(), r)
		kinds[i] = r.Kind
	}
	return b.NewRecordBatch(), kinds
}

// readRows checks every output record against the value derivation and
// returns its rows.
func readRows(t *testing.T, recs []arrow.Record) []row {
	t.Helper()
	var out []row
	for _, rec := range recs {
		seq := rec.Column(0).(*array.Int64)
		kind := rec.Column(1).(*array.Int8)
		k := rec.Column(2).(*array.Int32)
		g := rec.Column(3).(*array.Int64)
		v := rec.Column(4).(*array.String)
		l := rec.Column(5).(*array.List)
		for i := range int(rec.NumRows()) {
			r := row{Seq: seq.Value(i), Kind: schema.RowKind(kind.Value(i)), K: k.Value(i)}
			if g.IsValid(i) {
				x := g.Value(i)
				r.G = &x
			}
			wantV := fmt.Sprintf("v%d", r.Seq)
			if (r.Seq%7 == 0) != v.IsNull(i) || (v.IsValid(i) && v.Value(i) != wantV) {
				t.Fatalf("row %v: v = %q (null %v)", r, v.Value(i), v.IsNull(i))
			}
			if (r.Seq%5 == 0) != l.IsNull(i) {
				t.Fatalf("row %v: l null = %v", r, l.IsNull(i))
			}
			if l.IsValid(i) {
				s, e := l.ValueOffsets(i)
				vals := l.ListValues().(*array.Int32)
				if int(e-s) != int(r.Seq%3) {
					t.Fatalf("row %v: l has %d values", r, e-s)
				}
				for j := s; j < e; j++ {
					if vals.Value(int(j)) != int32(r.Seq)+int32(j-s) {
						t.Fatalf("row %v: l[%d] = %d", r, j-s, vals.Value(int(j)))
					}
				}
			}
			out = append(out, r)
		}
	}
	return out
}

func drain(t *testing.T, rr array.RecordReader) []arrow.Record {
	t.Helper()
	var recs []arrow.Record
	for rr.Next() {
		rec := rr.RecordBatch()
		rec.Retain()
		recs = append(recs, rec)
	}
	if err := rr.Err(); err != nil {
		t.Fatal(err)
	}
	return recs
}

func randRows(rng *rand.Rand, n, keys int, seq *int64, retracts bool) []row {
	rows := make([]row, n)
	for i := range rows {
		r := row{Seq: *seq, K: int32(rng.IntN(keys)), Kind: schema.Insert}
		*seq++
		if retracts {
			r.Kind = schema.RowKind(rng.IntN(4))
		} else if rng.IntN(2) == 0 {
			r.Kind = schema.UpdateAfter
		}
		if rng.IntN(4) != 0 {
			g := int64(rng.IntN(5))
			r.G = &g
		}
		rows[i] = r
	}
	return rows
}

type optionSet struct {
	name    string
	eng     merge.Engine
	useG    bool
	desc    bool
	drop    bool
	retract bool
}

var optionSets = []optionSet{
	{name: "dedup", eng: merge.NewDeduplicate(merge.Options{}), retract: true},
	{name: "dedup-drop", eng: merge.NewDeduplicate(merge.Options{}), drop: true, retract: true},
	{name: "dedup-seqfield", eng: merge.NewDeduplicate(merge.Options{}), useG: true, retract: true},
	{name: "dedup-seqfield-desc-drop", eng: merge.NewDeduplicate(merge.Options{}), useG: true, desc: true, drop: true, retract: true},
	{name: "first-row", eng: merge.NewFirstRow(merge.Options{})},
	{name: "first-row-retracts", eng: merge.NewFirstRow(merge.Options{}), retract: true, drop: true},
}

func TestMergeReaderModel(t *testing.T) {
	for _, os := range optionSets {
		t.Run(os.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			rng := rand.New(rand.NewPCG(7, uint64(len(os.name))))
			for iter := range 30 {
				var seq int64
				nruns := rng.IntN(5)
				keys := 1 + rng.IntN(200)
				var all []row
				var runs []array.RecordReader
				for range nruns {
					rows := randRows(rng, rng.IntN(300), keys, &seq, os.retract)
					if rng.IntN(2) == 0 {
						// A run from a file: unique keys.
						rows = model(rows, os.useG, os.desc, merge.NewDeduplicate(merge.Options{}), false)
					}
					slices.SortFunc(rows, cmpRows(os.useG, os.desc))
					all = append(all, rows...)
					recs := kvRecords(mem, rows, 1+rng.IntN(64))
					rr, err := array.NewRecordReader(kvSchema, recs)
					if err != nil {
						t.Fatal(err)
					}
					for _, r := range recs {
						r.Release()
					}
					runs = append(runs, rr)
				}
				// Shuffle seqs' run order: later runs are not newer.
				o := lsm.MergeOptions{
					KeyColumns:   []int{2},
					Engine:       os.eng,
					DropRetracts: os.drop,
					BatchSize:    1 + rng.IntN(100),
					Alloc:        mem,
					Schema:       kvSchema,
				}
				if os.useG {
					o.SequenceColumns = []int{3}
					o.SequenceDescending = os.desc
				}
				rng.Shuffle(len(runs), func(i, j int) { runs[i], runs[j] = runs[j], runs[i] })
				mr, err := lsm.NewMergeReader(runs, o)
				if err != nil {
					t.Fatal(err)
				}
				recs := drain(t, mr)
				got := readRows(t, recs)
				for _, r := range recs {
					if r.NumRows() > int64(o.BatchSize) {
						t.Fatalf("record of %d rows, batch size %d", r.NumRows(), o.BatchSize)
					}
					r.Release()
				}
				mr.Release()
				want := model(all, os.useG, os.desc, os.eng, os.drop)
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("iter %d: got\n%v\nwant\n%v", iter, got, want)
				}
			}
		})
	}
}

func TestMergeReaderNoRuns(t *testing.T) {
	mr, err := lsm.NewMergeReader(nil, lsm.MergeOptions{KeyColumns: []int{2}, Engine: merge.NewDeduplicate(merge.Options{}), Schema: kvSchema})
	if err != nil {
		t.Fatal(err)
	}
	defer mr.Release()
	if mr.Next() || mr.Err() != nil {
		t.Fatalf("Next on no runs: err %v", mr.Err())
	}
}
