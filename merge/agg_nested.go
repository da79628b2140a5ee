package merge

import (
	"bytes"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/floelake/floe/internal/binrow"
	"github.com/floelake/floe/schema"
)

// nestedAcc is nested_update and nested_partial_update over ARRAY<ROW>
// columns (nested tables).
//
// nested_update appends the input's non-null rows to the accumulator's
// (at most fields.<c>.count-limit rows in all: an accumulator already that
// long is kept as it is); with fields.<c>.nested-key a later row replaces
// an earlier one of the same key. Retraction removes the rows equal to (or
// with the key of) a retracted row.
//
// nested_partial_update (nested-key required) merges the rows of one key
// field by field: a non-null field of a later row overwrites.
//
// Rows merged by key come out in the iteration order of Paimon's
// java.util.HashMap over the key projected as a BinaryRow (floe computes
// BinaryRow.hashCode exactly); rows passed through keep their order.
type nestedAcc struct {
	partial bool
	key     []int // key fields of the nested row; nil: none
	keyType []schema.DataType
	limit   int
	nfields int

	valid bool
	rows  []nrow
	tmp   []nrow
	in    []cell
	keys  [][]byte // per map entry
	h     javaHashed
	w     *binrow.Writer
}

// nrow is one nested row: a struct cell, or (f != nil) a row assembled
// field by field.
type nrow struct {
	c cell
	f []cell
}

func (r nrow) null() bool { return r.f == nil && r.c.null() }

func (r nrow) field(k int) cell {
	if r.f != nil {
		return r.f[k]
	}
	return structField(r.c, k)
}

func makeNested(partial bool) func(schema.DataType, arrow.DataType, string, FieldOptions) (accumulator, error) {
	return func(t schema.DataType, at arrow.DataType, col string, fo FieldOptions) (accumulator, error) {
		if t.Kind != schema.Array || t.Elem.Kind != schema.Row || at.ID() != arrow.LIST {
			return nil, fmt.Errorf("data type for nested table column must be ARRAY<ROW> but was %s", t)
		}
		if partial && len(fo.NestedKey) == 0 {
			return nil, fmt.Errorf("nested_partial_update needs fields.%s.nested-key", col)
		}
		rt := *t.Elem
		a := &nestedAcc{partial: partial, limit: math.MaxInt32, nfields: len(rt.Fields)}
		if fo.CountLimit > 0 && !partial {
			a.limit = fo.CountLimit
		}
		for _, k := range fo.NestedKey {
			i := -1
			for j, f := range rt.Fields {
				if f.Name == k {
					i = j
				}
			}
			if i < 0 {
				return nil, fmt.Errorf("nested key %s (fields.%s.nested-key) is not a field of %s", k, col, rt)
			}
			a.key = append(a.key, i)
			a.keyType = append(a.keyType, rt.Fields[i].Type)
		}
		if a.key != nil {
			a.w = binrow.NewWriter(len(a.key))
		}
		return a, nil
	}
}

func (a *nestedAcc) reset() { a.valid, a.rows = false, a.rows[:0] }

func (a *nestedAcc) set(c cell) {
	a.reset()
	if !c.null() {
		a.valid = true
		a.in = listCells(a.in[:0], c)
		for _, e := range a.in {
			a.rows = append(a.rows, nrow{c: e})
		}
	}
}

// keyOf returns row r's key as Paimon's projected BinaryRow.
func (a *nestedAcc) keyOf(r nrow) ([]byte, error) {
	a.w.Reset(len(a.key))
	for i, k := range a.key {
		f, t := r.field(k), a.keyType[i]
		switch {
		case f.arr != nil:
			if err := a.w.SetArrow(i, t, f.arr, f.row); err != nil {
				return nil, err
			}
		case t.Kind == schema.Decimal && t.Precision > 18:
			a.w.SetNullDecimal(i, t.Precision)
		case (t.Kind == schema.Timestamp || t.Kind == schema.TimestampLTZ) && t.Precision > 3:
			a.w.SetNullTimestamp(i, t.Precision)
		default:
			a.w.SetNull(i)
		}
	}
	return bytes.Clone(a.w.Bytes()), nil
}

// lookup finds (or adds) the map entry of key k; added reports a new one.
func (a *nestedAcc) lookup(k []byte) (int, bool) {
	hc := binrow.Hash(k)
	if j := a.h.find(hc, func(j int) bool { return bytes.Equal(a.keys[j], k) }); j >= 0 {
		return j, false
	}
	a.keys = append(a.keys, k)
	return a.h.add(hc, true), true
}

func (a *nestedAcc) startMap() {
	a.h.reset()
	a.keys, a.tmp = a.keys[:0], a.tmp[:0]
}

// finishMap makes the map's values the rows, in Java's order.
func (a *nestedAcc) finishMap() {
	a.rows = a.rows[:0]
	for _, j := range a.h.entries(true) {
		a.rows = append(a.rows, a.tmp[j])
	}
}

// inputRows returns the rows of list cell c.
func (a *nestedAcc) inputRows(c cell) []nrow {
	a.in = listCells(a.in[:0], c)
	out := make([]nrow, len(a.in))
	for i, e := range a.in {
		out[i] = nrow{c: e}
	}
	return out
}

// combine is Paimon's agg(older, newer); the accumulator is the older
// unless reversed.
func (a *nestedAcc) combine(c cell, reversed bool) error {
	switch {
	case c.null():
		return nil
	case !a.valid:
		a.set(c)
		return nil
	}
	older, newer := a.rows, a.inputRows(c)
	if reversed {
		older, newer = newer, older
	}
	remain := math.MaxInt32
	if !a.partial {
		if len(older) >= a.limit {
			a.rows = append(a.rows[:0:0], older...)
			return nil
		}
		remain = a.limit - len(older)
	}
	var rows []nrow
	for _, r := range older {
		if !r.null() {
			rows = append(rows, r)
		}
	}
	n := 0
	for _, r := range newer {
		if n >= remain {
			break
		}
		if !r.null() {
			rows = append(rows, r)
			n++
		}
	}
	if a.key == nil {
		a.rows = rows
		return nil
	}
	a.startMap()
	for _, r := range rows {
		k, err := a.keyOf(r)
		if err != nil {
			return err
		}
		j, added := a.lookup(k)
		switch {
		case !a.partial && added:
			a.tmp = append(a.tmp, r)
		case !a.partial:
			a.tmp[j] = r
		default:
			if added {
				f := make([]cell, a.nfields)
				for i := range f {
					f[i] = nullCell
				}
				a.tmp = append(a.tmp, nrow{f: f})
			}
			for i := range a.nfields {
				if v := r.field(i); !v.null() {
					a.tmp[j].f[i] = v
				}
			}
		}
	}
	a.finishMap()
	return nil
}

func (a *nestedAcc) agg(c cell) error         { return a.combine(c, false) }
func (a *nestedAcc) aggReversed(c cell) error { return a.combine(c, true) }

// retract (nested_update) removes the rows equal to a retracted row, or
// with its key.
func (a *nestedAcc) retract(c cell) error {
	if !a.valid || c.null() {
		return nil
	}
	retracted := a.inputRows(c)
	if a.key == nil {
		rows := a.rows[:0]
		for _, r := range a.rows {
			if !r.null() {
				rows = append(rows, r)
			}
		}
		for _, x := range retracted {
			if x.null() {
				continue
			}
			kept := rows[:0]
			for _, r := range rows {
				if !a.rowsEqual(r, x) {
					kept = append(kept, r)
				}
			}
			rows = kept
		}
		a.rows = rows
		return nil
	}
	a.startMap()
	for _, r := range a.rows {
		if r.null() {
			continue
		}
		k, err := a.keyOf(r)
		if err != nil {
			return err
		}
		if j, added := a.lookup(k); added {
			a.tmp = append(a.tmp, r)
		} else {
			a.tmp[j] = r
		}
	}
	for _, x := range retracted {
		if x.null() {
			continue
		}
		k, err := a.keyOf(x)
		if err != nil {
			return err
		}
		if j := a.h.find(binrow.Hash(k), func(j int) bool { return bytes.Equal(a.keys[j], k) }); j >= 0 {
			a.h.remove(j)
		}
	}
	a.finishMap()
	return nil
}

func (a *nestedAcc) rowsEqual(x, y nrow) bool {
	for i := range a.nfields {
		if !cellsEqual(x.field(i), y.field(i)) {
			return false
		}
	}
	return true
}

func (a *nestedAcc) appendTo(b array.Builder) error {
	if !a.valid {
		b.AppendNull()
		return nil
	}
	lb := b.(*array.ListBuilder)
	lb.Append(true)
	vb := lb.ValueBuilder()
	for _, r := range a.rows {
		if r.f == nil {
			if err := appendCell(vb, r.c.arr, r.c.row); err != nil {
				return err
			}
			continue
		}
		sb := vb.(*array.StructBuilder)
		sb.Append(true)
		for i, f := range r.f {
			if err := appendCell(sb.FieldBuilder(i), f.arr, f.row); err != nil {
				return err
			}
		}
	}
	return nil
}
