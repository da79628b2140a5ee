package table

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/floelake/floe/schema"
)

// input is one record passed to Write, matched to the table: its columns
// in table order and each row's kind.
type input struct {
	cols  []arrow.Array // one per table column, typed as the table's column
	kinds []schema.RowKind
	rec   arrow.Record // the value record over cols (table schema)
}

func (in *input) release() {
	if in.rec != nil {
		in.rec.Release()
	}
}

// matchInput maps rec's columns to the table's by name, reads row kinds
// and checks NOT NULL constraints. Nothing is retained on error.
func (w *Writer) matchInput(rec arrow.Record) (*input, error) {
	rs := rec.Schema()
	n := int(rec.NumRows())
	in := &input{cols: make([]arrow.Array, len(w.fields))}
	var kindCol arrow.Array
	kindName := ""
	for c := range rs.NumFields() {
		f := rs.Field(c)
		i, ok := w.colIndex[f.Name]
		if !ok {
			if w.rowKindField < 0 && f.Name == w.rowKindName {
				kindCol, kindName = rec.Column(c), f.Name
				continue
			}
			return nil, fmt.Errorf("%w: column %q is not in the table", ErrInputSchema, f.Name)
		}
		if in.cols[i] != nil {
			return nil, fmt.Errorf("%w: column %q given twice", ErrInputSchema, f.Name)
		}
		want := w.arrowSchema.Field(i).Type
		got := rec.Column(c)
		if !arrow.TypeEqual(got.DataType(), want) {
			if !sameTypeIgnoringNulls(got.DataType(), want) {
				return nil, fmt.Errorf("%w: column %q has type %s, the table wants %s", ErrInputSchema, f.Name, got.DataType(), want)
			}
			in.cols[i] = array.MakeFromData(retype(got.Data(), want))
			defer in.cols[i].Release() // the record below holds its own reference
		} else {
			in.cols[i] = got
		}
	}
	for i, c := range in.cols {
		if c == nil {
			return nil, fmt.Errorf("%w: column %q is missing", ErrInputSchema, w.fields[i].Name)
		}
	}
	if w.rowKindField >= 0 {
		kindCol, kindName = in.cols[w.rowKindField], w.fields[w.rowKindField].Name
	}

	// Constraints: primary keys first, so a null key reads as such.
	for _, i := range w.pkIdx {
		if r := firstNull(in.cols[i]); r >= 0 {
			return nil, &ConstraintError{Column: w.fields[i].Name, Row: r, Reason: "null primary key"}
		}
	}
	for i, f := range w.fields {
		if f.Type.NotNull {
			if r := firstNull(in.cols[i]); r >= 0 {
				return nil, &ConstraintError{Column: f.Name, Row: r, Reason: "null in NOT NULL column"}
			}
		}
	}
	kinds, err := readKinds(kindCol, kindName, n)
	if err != nil {
		return nil, err
	}
	in.kinds = kinds
	in.rec = array.NewRecord(w.arrowSchema, in.cols, int64(n))
	return in, nil
}

func firstNull(a arrow.Array) int {
	if a.NullN() == 0 {
		return -1
	}
	for r := range a.Len() {
		if a.IsNull(r) {
			return r
		}
	}
	return -1
}

// readKinds returns the row kinds of a row-kind column (nil column: all
// inserts).
func readKinds(col arrow.Array, name string, n int) ([]schema.RowKind, error) {
	kinds := make([]schema.RowKind, n)
	if col == nil {
		return kinds, nil
	}
	bad := func(r int) error {
		return &ConstraintError{Column: name, Row: r, Reason: "invalid row kind"}
	}
	switch a := col.(type) {
	case *array.String:
		return kinds, parseKinds(a, kinds, bad)
	case *array.LargeString:
		return kinds, parseKinds(a, kinds, bad)
	case *array.Int8:
		for r := range n {
			k := schema.RowKind(a.Value(r))
			if a.IsNull(r) || !k.Valid() {
				return nil, bad(r)
			}
			kinds[r] = k
		}
	default:
		return nil, fmt.Errorf("%w: row kind column %q has type %s, want string or int8", ErrInputSchema, name, col.DataType())
	}
	return kinds, nil
}

// parseKind parses the short forms without allocating.
func parseKind(s string) (schema.RowKind, bool) {
	switch s {
	case "+I":
		return schema.Insert, true
	case "-U":
		return schema.UpdateBefore, true
	case "+U":
		return schema.UpdateAfter, true
	case "-D":
		return schema.Delete, true
	}
	k, err := schema.ParseRowKind(s)
	return k, err == nil
}

// sameTypeIgnoringNulls reports whether a and b are equal except for the
// nullability of nested fields (and field metadata).
func sameTypeIgnoringNulls(a, b arrow.DataType) bool {
	if a.ID() != b.ID() {
		return false
	}
	switch at := a.(type) {
	case *arrow.StructType:
		bt := b.(*arrow.StructType)
		if at.NumFields() != bt.NumFields() {
			return false
		}
		for i := range at.NumFields() {
			if at.Field(i).Name != bt.Field(i).Name || !sameTypeIgnoringNulls(at.Field(i).Type, bt.Field(i).Type) {
				return false
			}
		}
		return true
	case *arrow.MapType:
		bt := b.(*arrow.MapType)
		return sameTypeIgnoringNulls(at.KeyType(), bt.KeyType()) && sameTypeIgnoringNulls(at.ItemType(), bt.ItemType())
	case *arrow.FixedSizeListType:
		bt := b.(*arrow.FixedSizeListType)
		return at.Len() == bt.Len() && sameTypeIgnoringNulls(at.Elem(), bt.Elem())
	case arrow.ListLikeType:
		return sameTypeIgnoringNulls(at.Elem(), b.(arrow.ListLikeType).Elem())
	}
	return arrow.TypeEqual(a, b)
}

// retype returns data relabelled with type dt (which sameTypeIgnoringNulls
// accepted), sharing its buffers. The caller releases the result.
func retype(data arrow.ArrayData, dt arrow.DataType) arrow.ArrayData {
	children := data.Children()
	out := make([]arrow.ArrayData, len(children))
	for i, c := range children {
		var ct arrow.DataType
		switch t := dt.(type) {
		case *arrow.StructType:
			ct = t.Field(i).Type
		case arrow.ListLikeType:
			ct = t.Elem()
		default:
			ct = c.DataType()
		}
		out[i] = retype(c, ct)
	}
	res := array.NewData(dt, data.Len(), data.Buffers(), out, data.NullN(), data.Offset())
	for _, c := range out {
		c.Release()
	}
	return res
}

// parseKinds fills kinds from a string row-kind column ("+I", "-U", "+U",
// "-D"); a null or another value is an error from bad.
func parseKinds[S interface {
	IsNull(int) bool
	Value(int) string
}](a S, kinds []schema.RowKind, bad func(int) error) error {
	for r := range kinds {
		if a.IsNull(r) {
			return bad(r)
		}
		k, ok := parseKind(a.Value(r))
		if !ok {
			return bad(r)
		}
		kinds[r] = k
	}
	return nil
}
