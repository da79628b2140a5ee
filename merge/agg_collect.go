package merge

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/floelake/floe/schema"
)

// constructed reports whether Paimon counts type t in the CONSTRUCTED
// family (its values are compared field by field, not with equals).
func constructed(t schema.DataType) bool {
	switch t.Kind {
	case schema.Array, schema.Map, schema.Multiset, schema.Row, schema.Vector:
		return true
	}
	return false
}

// collectAcc is collect: the elements of ARRAY values concatenated, or
// (fields.<c>.distinct) their distinct elements.
//
// As in Paimon, distinct elements of a plain type come out in the
// iteration order of a java.util.HashSet (floe reproduces Java's hash
// codes and HashMap growth); distinct nested elements (ARRAY, MAP, ROW)
// keep first-seen order. Binary elements are byte[] in Java, compared by
// identity: distinct keeps every one of them and retraction removes none.
type collectAcc struct {
	distinct bool
	nested   bool // constructed elements: compared by content, in list order
	hashable bool // Java hashes the boxed elements by content

	valid bool
	elems []cell
	tmp   []cell
	set_  javaHashed
}

func makeCollect(t schema.DataType, at arrow.DataType, _ string, fo FieldOptions) (accumulator, error) {
	if t.Kind != schema.Array || at.ID() != arrow.LIST {
		return nil, fmt.Errorf("data type for collect column must be ARRAY but was %s", t)
	}
	return &collectAcc{
		distinct: fo.Distinct,
		nested:   constructed(*t.Elem),
		hashable: javaHashable(at.(*arrow.ListType).Elem()),
	}, nil
}

func (a *collectAcc) reset() { a.valid, a.elems = false, a.elems[:0] }

func (a *collectAcc) set(c cell) {
	a.reset()
	if !c.null() {
		a.valid = true
		a.elems = listCells(a.elems, c)
	}
}

// equal is the element equality of retraction and distinct: Java's
// equals for plain types, content equality for nested ones.
func (a *collectAcc) equal(x, y cell) bool {
	xn, yn := x.null(), y.null()
	switch {
	case xn || yn:
		return xn && yn
	case a.nested:
		return cellsEqual(x, y)
	case !a.hashable:
		return false // byte[]: identity
	}
	return javaEqual(x, y)
}

func (a *collectAcc) agg(c cell) error {
	if !a.valid && c.null() {
		return nil
	}
	if !a.distinct {
		if !a.valid {
			a.set(c)
		} else if !c.null() {
			a.elems = listCells(a.elems, c)
		}
		return nil
	}
	a.valid = true
	if a.nested {
		// The accumulator is already distinct; add new input elements.
		if !c.null() {
			a.tmp = listCells(a.tmp[:0], c)
			for _, e := range a.tmp {
				if !a.contains(e) {
					a.elems = append(a.elems, e)
				}
			}
		}
		return nil
	}
	// A HashSet of the accumulator's elements, then the input's.
	if !c.null() {
		a.elems = listCells(a.elems, c)
	}
	h := &a.set_
	h.reset()
	a.tmp = a.tmp[:0]
	for _, e := range a.elems {
		hc, hashed := int32(0), a.hashable || e.null()
		if !e.null() && a.hashable {
			hc = javaHash(e)
		}
		if hashed && h.find(hc, func(j int) bool { return a.equal(a.tmp[j], e) }) >= 0 {
			continue
		}
		h.add(hc, hashed)
		a.tmp = append(a.tmp, e)
	}
	a.elems = a.elems[:0]
	for _, j := range h.entries(a.hashable) {
		a.elems = append(a.elems, a.tmp[j])
	}
	return nil
}

func (a *collectAcc) contains(e cell) bool {
	for _, o := range a.elems {
		if a.equal(o, e) {
			return true
		}
	}
	return false
}

// aggReversed is agg: the accumulator is distinct already, so Paimon does
// not reverse the operands.
func (a *collectAcc) aggReversed(c cell) error { return a.agg(c) }

// retract removes one accumulated element per retracted element.
func (a *collectAcc) retract(c cell) error {
	if !a.valid || c.null() {
		return nil
	}
	a.tmp = listCells(a.tmp[:0], c)
	if len(a.tmp) == 0 {
		return nil
	}
	kept := a.elems[:0]
	for _, e := range a.elems {
		hit := -1
		for k, r := range a.tmp {
			if a.equal(r, e) {
				hit = k
				break
			}
		}
		if hit >= 0 {
			a.tmp = append(a.tmp[:hit], a.tmp[hit+1:]...)
			continue
		}
		kept = append(kept, e)
	}
	a.elems = kept
	return nil
}

func (a *collectAcc) appendTo(b array.Builder) error {
	if !a.valid {
		b.AppendNull()
		return nil
	}
	lb := b.(*array.ListBuilder)
	lb.Append(true)
	for _, e := range a.elems {
		if err := appendCell(lb.ValueBuilder(), e.arr, e.row); err != nil {
			return err
		}
	}
	return nil
}
