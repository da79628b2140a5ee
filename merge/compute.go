package merge

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/internal/take"
	"github.com/floelake/floe/schema"
)

// column is one value column of a computing reducer: either plain (its
// value is one input cell) or folded by an accumulator.
type column struct {
	name     string
	nullable bool
	acc      accumulator // nil: plain
	cur      cell        // plain: the current value
}

// set makes the column's value v.
func (c *column) set(v cell) {
	if c.acc != nil {
		c.acc.set(v)
	} else {
		c.cur = v
	}
}

// emit appends the column's value: to b when it computes values, else as
// a ref to gather.
func (c *column) emit(b array.Builder, refs *[]take.Ref) error {
	switch {
	case b != nil:
		return valueOf(c.acc).appendTo(b)
	case c.acc != nil:
		*refs = append(*refs, take.Ref(refOfAcc(c.acc)))
	default:
		*refs = append(*refs, take.Ref(refOf(c.cur)))
	}
	return nil
}

func (c *column) reset() {
	if c.acc != nil {
		c.acc.reset()
	} else {
		c.cur = nullCell
	}
}

// merger is the per-key state machine of a computing engine.
type merger interface {
	// merge folds the records [s, e) of g (two or more) into the columns
	// and returns the result's kind and sequence number.
	merge(g *Groups, s, e int) (schema.RowKind, int64, error)
}

// computeReducer runs a merger over each group and assembles the output
// columns: plain and ref-valued columns are gathered, computed ones built.
type computeReducer struct {
	cols []*column
	m    merger
	refs [][]take.Ref
	srcs []arrow.Array
}

// cellOf returns value column c of record i of g.
func cellOf(g *Groups, i, c int) cell {
	ref := g.Refs[i]
	return cell{arr: g.cols[ref.Src][c], row: int(ref.Row), ref: ref}
}

// initRow sets every column to record i's values (Paimon's initRow).
func initRow(cols []*column, g *Groups, i int) error {
	for c, col := range cols {
		v := cellOf(g, i, c)
		if !col.nullable && v.null() {
			return fmt.Errorf("%w: column %s", ErrNull, col.name)
		}
		col.set(v)
	}
	return nil
}

func (r *computeReducer) Reduce(g *Groups, mem memory.Allocator) (*Output, error) {
	out := &Output{}
	if len(g.Srcs) == 0 || len(g.Ends) == 0 {
		return out, nil
	}
	n := len(r.cols)
	if int(g.Srcs[0].NumCols())-g.Offset != n {
		return nil, fmt.Errorf("%w: records of %d value columns for a reducer of %d", ErrOption, int(g.Srcs[0].NumCols())-g.Offset, n)
	}
	if len(r.refs) != n {
		r.refs = make([][]take.Ref, n)
	}
	g.prepare()
	builders := make([]array.Builder, n)
	defer func() {
		for _, b := range builders {
			if b != nil {
				b.Release()
			}
		}
	}()
	for c, col := range r.cols {
		r.refs[c] = r.refs[c][:0]
		if _, ok := col.acc.(valueAccumulator); ok || isValue(col.acc) {
			builders[c] = array.NewBuilder(mem, g.Srcs[0].Column(g.Offset+c).DataType())
		}
	}
	s := 0
	for _, e := range g.Ends {
		var kind schema.RowKind
		var seq int64
		if e-s == 1 {
			// One record passes through unchanged.
			kind, seq = g.Kinds[s], g.Seqs[s]
			for c, col := range r.cols {
				col.reset()
				col.set(cellOf(g, s, c))
			}
		} else {
			var err error
			if kind, seq, err = r.m.merge(g, s, e); err != nil {
				return nil, err
			}
		}
		out.Kinds = append(out.Kinds, kind)
		out.Seqs = append(out.Seqs, seq)
		for c, col := range r.cols {
			if err := col.emit(builders[c], &r.refs[c]); err != nil {
				return nil, err
			}
		}
		s = e
	}
	out.Cols = make([]arrow.Array, n)
	err := forColumns(n, len(g.Ends), &r.srcs, func(c int, srcs *[]arrow.Array) error {
		if builders[c] != nil {
			out.Cols[c] = builders[c].NewArray()
			return nil
		}
		a, err := gatherColumn(mem, g, c, r.refs[c], srcs)
		out.Cols[c] = a
		return err
	})
	if err != nil {
		out.Release()
		return nil, err
	}
	return out, nil
}

// isValue reports whether a (under its retract wrappers) computes values.
func isValue(a accumulator) bool {
	if a == nil {
		return false
	}
	_, ok := unwrap(a).(valueAccumulator)
	return ok
}

func valueOf(a accumulator) valueAccumulator { return unwrap(a).(valueAccumulator) }

func refOfAcc(a accumulator) Ref { return unwrap(a).(refAccumulator).value() }

// seqGroup is one sequence group of a partial-update reducer.
type seqGroup struct {
	seq     []int // value columns of the sequence fields
	cmps    []func(x arrow.Array, i int, y arrow.Array, j int) int
	removes bool // partial-update.remove-record-on-sequence-group names it
}

// compare compares record i's sequence fields with the current row's
// (nulls first).
func (sg *seqGroup) compare(cols []*column, g *Groups, i int) int {
	for k, c := range sg.seq {
		x, y := cellOf(g, i, c), cols[c].cur
		xn, yn := x.null(), y.null()
		switch {
		case xn && yn:
			continue
		case xn:
			return -1
		case yn:
			return 1
		}
		if r := sg.cmps[k](x.arr, x.row, y.arr, y.row); r != 0 {
			return r
		}
	}
	return 0
}

// empty reports whether record i has nulls in all the group's sequence
// fields.
func (sg *seqGroup) empty(g *Groups, i int) bool {
	for _, c := range sg.seq {
		if !cellOf(g, i, c).null() {
			return false
		}
	}
	return true
}
