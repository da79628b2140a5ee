package merge

import (
	"fmt"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/floelake/floe/schema"
)

// mapAcc is merge_map (input entries overwrite accumulated ones, with
// retraction by key) and merge_map_with_keytime (an entry of the newer map
// wins only when its ROW value's timestamp field is larger; a null value
// deletes the key; no retraction).
//
// Merged maps come out in java.util.HashMap iteration order, as Paimon
// builds them; a map passed through unmerged keeps its order. Binary keys
// are byte[] in Java, equal only to themselves: merging never finds a
// binary key again (the merged map holds both entries) and retraction
// removes none.
type mapAcc struct {
	hashable bool
	keyTime  bool
	tsField  int // merge_map_with_keytime: the value row's timestamp field

	valid  bool
	ks, vs []cell
	tk, tv []cell // scratch
	h      javaHashed
}

func makeMergeMap(t schema.DataType, at arrow.DataType, _ string, _ FieldOptions) (accumulator, error) {
	if t.Kind != schema.Map || at.ID() != arrow.MAP {
		return nil, fmt.Errorf("data type for merge map column must be MAP but was %s", t)
	}
	return newMapAcc(t, at)
}

func newMapAcc(t schema.DataType, at arrow.DataType) (*mapAcc, error) {
	if constructed(*t.Key) {
		// Paimon hashes keys with hashCode, which its columnar maps, rows
		// and arrays do not support.
		return nil, fmt.Errorf("MAP key type %s cannot be hashed (Paimon supports map keys of plain types only)", *t.Key)
	}
	return &mapAcc{hashable: javaHashable(at.(*arrow.MapType).KeyType())}, nil
}

func makeMergeMapWithKeyTime(t schema.DataType, at arrow.DataType, col string, fo FieldOptions) (accumulator, error) {
	if t.Kind != schema.Map || at.ID() != arrow.MAP {
		return nil, fmt.Errorf("data type for field %s must be MAP but was %s", col, t)
	}
	vt := *t.Value
	if vt.Kind != schema.Row {
		return nil, fmt.Errorf("value type of MAP for field %s must be ROW but was %s", col, vt)
	}
	if len(vt.Fields) < 2 {
		return nil, fmt.Errorf("ROW type for field %s must have at least 2 fields, but found %d", col, len(vt.Fields))
	}
	ts := len(vt.Fields) - 1
	if fo.TsField != "" {
		ts = -1
		for i, f := range vt.Fields {
			if f.Name == fo.TsField {
				ts = i
			}
		}
		if ts < 0 {
			return nil, fmt.Errorf("timestamp field %s (fields.%s.ts-field) not found in ROW type for field %s", fo.TsField, col, col)
		}
	}
	if k := vt.Fields[ts].Type.Kind; k != schema.Char && k != schema.VarChar {
		// Paimon reads the field with getString.
		return nil, fmt.Errorf("timestamp field %s of field %s must be a string (CHAR or VARCHAR) but was %s", vt.Fields[ts].Name, col, vt.Fields[ts].Type)
	}
	a, err := newMapAcc(t, at)
	if err != nil {
		return nil, err
	}
	a.keyTime, a.tsField = true, ts
	return a, nil
}

func (a *mapAcc) reset() { a.valid, a.ks, a.vs = false, a.ks[:0], a.vs[:0] }

func (a *mapAcc) set(c cell) {
	a.reset()
	if !c.null() {
		a.valid = true
		a.ks, a.vs = mapCells(a.ks, a.vs, c)
	}
}

func (a *mapAcc) keyHash(k cell) (int32, bool) {
	if !a.hashable {
		return 0, false
	}
	return javaHash(k), true
}

// put puts k=v into the map being built in tk/tv (keys are never null).
func (a *mapAcc) put(k, v cell) {
	hc, hashed := a.keyHash(k)
	if hashed {
		if j := a.h.find(hc, func(j int) bool { return javaEqual(a.tk[j], k) }); j >= 0 {
			a.tv[j] = v
			return
		}
	}
	a.h.add(hc, hashed)
	a.tk, a.tv = append(a.tk, k), append(a.tv, v)
}

// finish makes the map built in tk/tv the value, in Java's order.
func (a *mapAcc) finish() {
	a.ks, a.vs = a.ks[:0], a.vs[:0]
	for _, j := range a.h.entries(a.hashable) {
		a.ks, a.vs = append(a.ks, a.tk[j]), append(a.vs, a.tv[j])
	}
	a.valid = true
}

// combine is Paimon's agg(older, newer): the accumulator is older unless
// reversed.
func (a *mapAcc) combine(c cell, reversed bool) {
	switch {
	case c.null():
		return
	case !a.valid:
		a.set(c)
		return
	}
	a.h.reset()
	a.tk, a.tv = a.tk[:0], a.tv[:0]
	var ik, iv []cell
	ik, iv = mapCells(ik, iv, c)
	ok, ov, nk, nv := a.ks, a.vs, ik, iv
	if reversed {
		ok, ov, nk, nv = ik, iv, a.ks, a.vs
	}
	for i := range ok {
		a.put(ok[i], ov[i])
	}
	for i := range nk {
		if a.keyTime {
			a.putNewer(nk[i], nv[i])
		} else {
			a.put(nk[i], nv[i])
		}
	}
	a.finish()
}

// putNewer merges one entry of the newer map (merge_map_with_keytime).
func (a *mapAcc) putNewer(k, v cell) {
	hc, hashed := a.keyHash(k)
	j := -1
	if hashed {
		j = a.h.find(hc, func(j int) bool { return javaEqual(a.tk[j], k) })
	}
	switch {
	case v.null():
		if j >= 0 {
			a.h.remove(j)
		}
		return
	case structField(v, a.tsField).null():
		return
	case j < 0:
		a.h.add(hc, hashed)
		a.tk, a.tv = append(a.tk, k), append(a.tv, v)
		return
	}
	old := a.tv[j]
	if old.null() || structField(old, a.tsField).null() ||
		javaStringCompare(cellBytes(structField(v, a.tsField).arr, v.row), cellBytes(structField(old, a.tsField).arr, old.row)) > 0 {
		a.tv[j] = v
	}
}

func (a *mapAcc) agg(c cell) error         { a.combine(c, false); return nil }
func (a *mapAcc) aggReversed(c cell) error { a.combine(c, true); return nil }

// retract (merge_map) removes the retracted map's keys.
func (a *mapAcc) retract(c cell) error {
	if !a.valid || c.null() {
		return nil
	}
	var rk, rv []cell
	rk, _ = mapCells(rk, rv, c)
	if len(rk) == 0 {
		return nil
	}
	a.h.reset()
	a.tk, a.tv = a.tk[:0], a.tv[:0]
	for i, k := range a.ks {
		gone := false
		if a.hashable {
			for _, r := range rk {
				if javaEqual(r, k) {
					gone = true
					break
				}
			}
		}
		if !gone {
			a.put(k, a.vs[i])
		}
	}
	a.finish()
	return nil
}

func (a *mapAcc) appendTo(b array.Builder) error {
	if !a.valid {
		b.AppendNull()
		return nil
	}
	mb := b.(*array.MapBuilder)
	mb.Append(true)
	for i := range a.ks {
		if err := appendCell(mb.KeyBuilder(), a.ks[i].arr, a.ks[i].row); err != nil {
			return err
		}
		if err := appendCell(mb.ItemBuilder(), a.vs[i].arr, a.vs[i].row); err != nil {
			return err
		}
	}
	return nil
}

// javaStringCompare is Java's String.compareTo over two UTF-8 strings:
// by UTF-16 code units (which orders supplementary characters before
// U+E000..U+FFFF, unlike bytes).
func javaStringCompare(x, y []byte) int {
	for len(x) > 0 && len(y) > 0 {
		rx, nx := utf8.DecodeRune(x)
		ry, ny := utf8.DecodeRune(y)
		if rx != ry {
			ux, uy := utf16Unit(rx), utf16Unit(ry)
			if ux != uy {
				if ux < uy {
					return -1
				}
				return 1
			}
			// Same high surrogate: the low ones decide.
			if rx < ry {
				return -1
			}
			return 1
		}
		x, y = x[nx:], y[ny:]
	}
	switch {
	case len(x) > 0:
		return 1
	case len(y) > 0:
		return -1
	}
	return 0
}

// utf16Unit is the first UTF-16 code unit of r.
func utf16Unit(r rune) rune {
	if r >= 0x10000 {
		return 0xd800 + (r-0x10000)>>10
	}
	return r
}
