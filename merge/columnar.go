package merge

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/internal/take"
	"github.com/floelake/floe/schema"
)

// noFastFolds turns the typed folds off (tests compare both ways).
var noFastFolds bool

// colReducer reduces column by column, for engines whose columns merge
// independently of each other (aggregation, and partial-update without
// sequence groups): each group's kind and sequence number come from its
// row kinds alone, each column folds on its own. Groups of inserts only
// (the common case) take typed loops where the column's function has one.
type colReducer struct {
	cols []*column
	// result returns the kind and sequence number of the merged group
	// [s, e) (two or more records), or an error for input the engine
	// cannot merge.
	result func(g *Groups, s, e int) (schema.RowKind, int64, error)
	// fold folds column c of the records [s, e) into col.
	fold func(col *column, g *Groups, s, e, c int) error
	// plain: a column without an accumulator takes its last non-null
	// insert (partial-update).
	refs   [][]take.Ref
	srcs   []arrow.Array
	simple []bool
}

func (r *colReducer) Reduce(g *Groups, mem memory.Allocator) (*Output, error) {
	out := &Output{}
	if len(g.Srcs) == 0 || len(g.Ends) == 0 {
		return out, nil
	}
	n := len(r.cols)
	if int(g.Srcs[0].NumCols())-g.Offset != n {
		return nil, fmt.Errorf("%w: records of %d value columns for a reducer of %d", ErrOption, int(g.Srcs[0].NumCols())-g.Offset, n)
	}
	g.prepare()
	if len(r.refs) != n {
		r.refs = make([][]take.Ref, n)
	}
	r.simple = r.simple[:0]
	s := 0
	for _, e := range g.Ends {
		kind, seq := g.Kinds[s], g.Seqs[s]
		simple := false
		if e-s > 1 {
			var err error
			if kind, seq, err = r.result(g, s, e); err != nil {
				return nil, err
			}
			simple = true
			for _, k := range g.Kinds[s:e] {
				if k.IsRetract() {
					simple = false
					break
				}
			}
		}
		out.Kinds = append(out.Kinds, kind)
		out.Seqs = append(out.Seqs, seq)
		r.simple = append(r.simple, simple)
		s = e
	}
	out.Cols = make([]arrow.Array, n)
	err := forColumns(n, len(g.Ends), &r.srcs, func(c int, srcs *[]arrow.Array) error {
		a, err := r.column(g, mem, c, r.cols[c], srcs)
		out.Cols[c] = a
		return err
	})
	if err != nil {
		out.Release()
		return nil, err
	}
	return out, nil
}

// column builds output column c.
func (r *colReducer) column(g *Groups, mem memory.Allocator, c int, col *column, srcs *[]arrow.Array) (arrow.Array, error) {
	var b array.Builder
	if isValue(col.acc) {
		b = array.NewBuilder(mem, g.cols[0][c].DataType())
		defer b.Release()
		b.Reserve(len(g.Ends))
	}
	refs := r.refs[c][:0]
	fast := r.fastFold(col, g, c)
	s := 0
	for gi, e := range g.Ends {
		switch {
		case e-s == 1:
			col.reset()
			col.set(cellOf(g, s, c))
		case r.simple[gi] && fast != nil:
			if fast(g, s, e, b, &refs) {
				s = e
				continue
			}
			if err := r.fold(col, g, s, e, c); err != nil {
				return nil, err
			}
		default:
			if err := r.fold(col, g, s, e, c); err != nil {
				return nil, err
			}
		}
		if err := col.emit(b, &refs); err != nil {
			return nil, err
		}
		s = e
	}
	r.refs[c] = refs
	if b != nil {
		return b.NewArray(), nil
	}
	return gatherColumn(mem, g, c, refs, srcs)
}

// fastFold returns a typed fold of column c over a group of inserts that
// emits the result itself (true), or nil when the column has none. A
// fold may decline a group (false) to leave it to the generic fold.
func (r *colReducer) fastFold(col *column, g *Groups, c int) func(g *Groups, s, e int, b array.Builder, refs *[]take.Ref) bool {
	if noFastFolds {
		return nil
	}
	nulls := false
	for _, cs := range g.cols {
		if cs[c].NullN() > 0 {
			nulls = true
			break
		}
	}
	lastNonNull := func(g *Groups, s, e int, _ array.Builder, refs *[]take.Ref) bool {
		ref := take.Null
		for i := e - 1; i >= s; i-- {
			rf := g.Refs[i]
			if !nulls || g.cols[rf.Src][c].IsValid(int(rf.Row)) {
				ref = take.Ref(rf)
				break
			}
		}
		*refs = append(*refs, ref)
		return true
	}
	last := func(g *Groups, s, e int, _ array.Builder, refs *[]take.Ref) bool {
		rf := g.Refs[e-1]
		if nulls && g.cols[rf.Src][c].IsNull(int(rf.Row)) {
			*refs = append(*refs, take.Null)
		} else {
			*refs = append(*refs, take.Ref(rf))
		}
		return true
	}
	if col.acc == nil {
		if !col.nullable && nulls {
			return nil // the generic fold reports the null
		}
		return lastNonNull
	}
	switch a := unwrap(col.acc).(type) {
	case *lastAcc:
		if a.nonNull {
			return lastNonNull
		}
		return last
	case *arithAcc:
		if a.product {
			return nil
		}
		switch a.kind {
		case arrow.INT64:
			return func(g *Groups, s, e int, b array.Builder, _ *[]take.Ref) bool {
				var sum int64
				valid := false
				for _, rf := range g.Refs[s:e] {
					x := g.cols[rf.Src][c].(*array.Int64)
					if !nulls || x.IsValid(int(rf.Row)) {
						sum += x.Value(int(rf.Row))
						valid = true
					}
				}
				if valid {
					b.(*array.Int64Builder).UnsafeAppend(sum)
				} else {
					b.AppendNull()
				}
				return true
			}
		case arrow.FLOAT64:
			return func(g *Groups, s, e int, b array.Builder, _ *[]take.Ref) bool {
				var sum float64
				valid := false
				for _, rf := range g.Refs[s:e] {
					x := g.cols[rf.Src][c].(*array.Float64)
					if !nulls || x.IsValid(int(rf.Row)) {
						if valid {
							sum += x.Value(int(rf.Row))
						} else {
							sum = x.Value(int(rf.Row))
						}
						valid = true
					}
				}
				if valid {
					b.(*array.Float64Builder).UnsafeAppend(sum)
				} else {
					b.AppendNull()
				}
				return true
			}
		}
	case *extremeAcc:
		if g.cols[0][c].DataType().ID() != arrow.INT32 && g.cols[0][c].DataType().ID() != arrow.INT64 {
			return nil
		}
		return func(g *Groups, s, e int, _ array.Builder, refs *[]take.Ref) bool {
			best := take.Null
			var bv int64
			for _, rf := range g.Refs[s:e] {
				x := g.cols[rf.Src][c]
				if nulls && x.IsNull(int(rf.Row)) {
					continue
				}
				v := intValue(x, int(rf.Row))
				if best.Src < 0 || a.sign > 0 && v > bv || a.sign < 0 && v < bv {
					best, bv = take.Ref(rf), v
				}
			}
			*refs = append(*refs, best)
			return true
		}
	}
	return nil
}
