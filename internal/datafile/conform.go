package datafile

import (
	"context"
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/schema"
)

// sameType reports whether two Paimon types are equal apart from
// nullability (nested field names and ids included).
func sameType(a, b schema.DataType) bool {
	return a.Nullable().String() == b.Nullable().String()
}

// isNested reports whether values of kind k hold other values.
func isNested(k schema.Kind) bool {
	switch k {
	case schema.Array, schema.Map, schema.Multiset, schema.Row, schema.Vector:
		return true
	}
	return false
}

// conform turns arr, read from a file column of Paimon type from, into an
// array of exactly schema.ToArrow(to). A column whose type changed since
// the file was written is converted with Paimon's casts (schema.CastArray),
// field by field inside ROW, ARRAY and MAP values, as Java's
// SchemaEvolutionUtil does. It takes ownership of nothing: the result is a
// new reference the caller releases.
func conform(ctx context.Context, mem memory.Allocator, arr arrow.Array, from, to schema.DataType) (arrow.Array, error) {
	want, err := schema.ToArrow(to)
	if err != nil {
		return nil, err
	}
	return conformTo(ctx, mem, arr, from, to, want)
}

// conformTo is conform with the result's Arrow type given: ToArrow(to) up
// to field metadata (nested parts carry derived field ids).
func conformTo(ctx context.Context, mem memory.Allocator, arr arrow.Array, from, to schema.DataType, want arrow.DataType) (arrow.Array, error) {
	if sameType(from, to) || (from.Kind == to.Kind && (isNested(to.Kind) || !schema.HasCastRule(from, to))) {
		// The same type, a nested type whose parts may have changed, or
		// a change no cast rule covers (TIME(p) precision; Java's ALTER
		// refuses it): bring the layout to the target's.
		return reshape(ctx, mem, arr, from, to, want)
	}
	if !schema.HasCastRule(from, to) {
		return nil, fmt.Errorf("%w: cannot cast %s to %s", ErrSchema, from, to)
	}
	// Bring the column to its own canonical Arrow type first, then cast.
	src, err := conform(ctx, mem, arr, from, from)
	if err != nil {
		return nil, err
	}
	defer src.Release()
	out, err := schema.CastArray(mem, src, from, to)
	if err != nil {
		if errors.Is(err, schema.ErrCast) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %w", ErrSchema, err)
	}
	if !arrow.TypeEqual(out.DataType(), want, arrow.CheckMetadata()) {
		defer out.Release()
		return retype(out.Data(), want), nil
	}
	return out, nil
}

// castFailure completes the *schema.CastError inside err with the column,
// the file and the value's row in the file (rows of the batch start at
// first); other errors are wrapped with the file and column.
func castFailure(err error, path, column string, first int64) error {
	var ce *schema.CastError
	if errors.As(err, &ce) {
		ce.Column, ce.File = column, path
		ce.Row += int(first)
		return err
	}
	return fmt.Errorf("%s: column %s: %w", path, column, err)
}

func isFlat(k schema.Kind) bool {
	switch k {
	case schema.Array, schema.Map, schema.Multiset, schema.Row, schema.Vector, schema.Variant:
		return false
	}
	return true
}

// reshape rebuilds arr (of Paimon type from, possibly in another physical
// Arrow type or with other field metadata) with Arrow type want, the type
// of to; from and to have the same root. Nested values are conformed part
// by part.
func reshape(ctx context.Context, mem memory.Allocator, arr arrow.Array, from, t schema.DataType, want arrow.DataType) (arrow.Array, error) {
	got := arr.DataType()
	switch w := want.(type) {
	case *arrow.TimestampType:
		g, ok := got.(*arrow.TimestampType)
		if !ok {
			return nil, fmt.Errorf("%w: %s read as %s", ErrSchema, t, got)
		}
		if g.Unit == w.Unit {
			return retype(arr.Data(), want), nil
		}
		return convertTimestamp(mem, arr.(*array.Timestamp), g.Unit, w)
	case *arrow.Time32Type, *arrow.Time64Type:
		if arrow.TypeEqual(got, want) {
			return retype(arr.Data(), want), nil
		}
		return convertTime(mem, arr, want)
	case *arrow.FixedSizeBinaryType:
		if _, ok := got.(*arrow.FixedSizeBinaryType); ok {
			return retype(arr.Data(), want), nil
		}
		return toFixedBinary(mem, arr, w)
	case *arrow.StructType:
		sa, ok := arr.(*array.Struct)
		if !ok {
			return nil, fmt.Errorf("%w: %s read as %s", ErrSchema, t, got)
		}
		st := got.(*arrow.StructType)
		children := make([]arrow.ArrayData, len(t.Fields))
		defer func() {
			for _, c := range children {
				if c != nil {
					c.Release()
				}
			}
		}()
		for i, f := range t.Fields {
			var child arrow.Array
			idx := structChild(st, f, i)
			wf := w.Field(i)
			if idx < 0 {
				child = array.MakeArrayOfNull(mem, wf.Type, arr.Len())
			} else {
				c := sa.Field(idx)
				var err error
				child, err = conformTo(ctx, mem, c, fieldFrom(from, f), f.Type, wf.Type)
				if err != nil {
					return nil, err
				}
			}
			children[i] = child.Data()
			children[i].Retain()
			child.Release()
		}
		d := arr.Data()
		nd := array.NewData(want, d.Len(), d.Buffers()[:1], children, d.NullN(), d.Offset())
		defer nd.Release()
		return array.MakeFromData(nd), nil
	case *arrow.MapType:
		ma, ok := arr.(*array.Map)
		if !ok {
			return nil, fmt.Errorf("%w: %s read as %s", ErrSchema, t, got)
		}
		kf, vf := mapParts(from)
		kt, vt := mapParts(t)
		// The entries struct: rebuild keys and items.
		ents := ma.ListValues().(*array.Struct)
		k, err := conformTo(ctx, mem, ents.Field(0), kf, kt, w.KeyType())
		if err != nil {
			return nil, err
		}
		defer k.Release()
		v, err := conformTo(ctx, mem, ents.Field(1), vf, vt, w.ItemType())
		if err != nil {
			return nil, err
		}
		defer v.Release()
		ed := ents.Data()
		entData := array.NewData(w.Elem(), ed.Len(), ed.Buffers()[:1], []arrow.ArrayData{k.Data(), v.Data()}, ed.NullN(), ed.Offset())
		defer entData.Release()
		d := arr.Data()
		nd := array.NewData(want, d.Len(), d.Buffers()[:2], []arrow.ArrayData{entData}, d.NullN(), d.Offset())
		defer nd.Release()
		return array.MakeFromData(nd), nil
	case *arrow.ListType:
		la, ok := arr.(*array.List)
		if !ok {
			return nil, fmt.Errorf("%w: %s read as %s", ErrSchema, t, got)
		}
		e, err := conformTo(ctx, mem, la.ListValues(), elemFrom(from, t), *t.Elem, w.Elem())
		if err != nil {
			return nil, err
		}
		defer e.Release()
		d := arr.Data()
		nd := array.NewData(want, d.Len(), d.Buffers()[:2], []arrow.ArrayData{e.Data()}, d.NullN(), d.Offset())
		defer nd.Release()
		return array.MakeFromData(nd), nil
	case *arrow.FixedSizeListType:
		if l, isList := arr.(*array.List); isList {
			// Java writes VECTOR<T, n> as a plain Parquet list.
			fixed, err := listToFixed(ctx, mem, l, w.Len())
			if err != nil {
				return nil, fmt.Errorf("%w: %s read as %s: %v", ErrSchema, t, got, err)
			}
			defer fixed.Release()
			return reshape(ctx, mem, fixed, from, t, want)
		}
		la, ok := arr.(*array.FixedSizeList)
		if !ok {
			return nil, fmt.Errorf("%w: %s read as %s", ErrSchema, t, got)
		}
		e, err := conformTo(ctx, mem, la.ListValues(), elemFrom(from, t), *t.Elem, w.Elem())
		if err != nil {
			return nil, err
		}
		defer e.Release()
		d := arr.Data()
		nd := array.NewData(want, d.Len(), d.Buffers()[:1], []arrow.ArrayData{e.Data()}, d.NullN(), d.Offset())
		defer nd.Release()
		return array.MakeFromData(nd), nil
	}
	if arrow.TypeEqual(got, want) {
		return retype(arr.Data(), want), nil
	}
	if got.ID() == want.ID() && got.Layout().Buffers != nil && sameLayout(got, want) {
		return retype(arr.Data(), want), nil
	}
	out, err := compute.CastArray(compute.WithAllocator(ctx, mem), arr, compute.UnsafeCastOptions(want))
	if err != nil {
		return nil, fmt.Errorf("%w: %s read as %s: %v", ErrSchema, t, got, err)
	}
	return out, nil
}

// fieldFrom returns the type field f of ROW type to had in ROW type from
// (matched by id, then name); f's own type when from does not say.
func fieldFrom(from schema.DataType, f schema.Field) schema.DataType {
	for _, ff := range from.Fields {
		if ff.ID == f.ID {
			return ff.Type
		}
	}
	for _, ff := range from.Fields {
		if ff.Name == f.Name {
			return ff.Type
		}
	}
	return f.Type
}

// elemFrom returns the element type of from, or to's when from has none.
func elemFrom(from, to schema.DataType) schema.DataType {
	if from.Elem != nil {
		return *from.Elem
	}
	return *to.Elem
}

// mapParts returns the key and value types of a MAP, or of a MULTISET as
// Paimon stores it (element → INT NOT NULL count).
func mapParts(t schema.DataType) (schema.DataType, schema.DataType) {
	if t.Kind == schema.Map {
		return *t.Key, *t.Value
	}
	return *t.Elem, schema.NewInt().WithNotNull(true)
}

func sameLayout(a, b arrow.DataType) bool {
	la, lb := a.Layout(), b.Layout()
	if len(la.Buffers) != len(lb.Buffers) {
		return false
	}
	for i := range la.Buffers {
		if la.Buffers[i] != lb.Buffers[i] {
			return false
		}
	}
	return true
}

// structChild finds the child of st matching Paimon field f: by field id
// metadata, then by name, then (no metadata at all) by position.
func structChild(st *arrow.StructType, f schema.Field, pos int) int {
	id := fmt.Sprint(f.ID)
	for i, c := range st.Fields() {
		if v, ok := c.Metadata.GetValue(schema.FieldIDKey); ok && v == id {
			return i
		}
	}
	if i, ok := st.FieldIdx(f.Name); ok {
		return i
	}
	return -1
}

// retype returns a new array over d's buffers and children with type t.
func retype(d arrow.ArrayData, t arrow.DataType) arrow.Array {
	nd := array.NewData(t, d.Len(), d.Buffers(), d.Children(), d.NullN(), d.Offset())
	defer nd.Release()
	return array.MakeFromData(nd)
}

func unitFactor(u arrow.TimeUnit) int64 {
	switch u {
	case arrow.Second:
		return 1
	case arrow.Millisecond:
		return 1_000
	case arrow.Microsecond:
		return 1_000_000
	}
	return 1_000_000_000
}

func rescale(v int64, from, to arrow.TimeUnit) int64 {
	f, t := unitFactor(from), unitFactor(to)
	if t >= f {
		return v * (t / f)
	}
	return floorDiv(v, f/t)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func convertTimestamp(mem memory.Allocator, a *array.Timestamp, from arrow.TimeUnit, want *arrow.TimestampType) (arrow.Array, error) {
	b := array.NewTimestampBuilder(mem, want)
	defer b.Release()
	b.Reserve(a.Len())
	for i := 0; i < a.Len(); i++ {
		if a.IsNull(i) {
			b.AppendNull()
			continue
		}
		b.UnsafeAppend(arrow.Timestamp(rescale(int64(a.Value(i)), from, want.Unit)))
	}
	return b.NewArray(), nil
}

func timeValue(arr arrow.Array, i int) (int64, arrow.TimeUnit) {
	switch a := arr.(type) {
	case *array.Time32:
		return int64(a.Value(i)), a.DataType().(*arrow.Time32Type).Unit
	case *array.Time64:
		return int64(a.Value(i)), a.DataType().(*arrow.Time64Type).Unit
	case *array.Int32:
		return int64(a.Value(i)), arrow.Millisecond
	case *array.Int64:
		return a.Value(i), arrow.Microsecond
	}
	return 0, arrow.Millisecond
}

func convertTime(mem memory.Allocator, arr arrow.Array, want arrow.DataType) (arrow.Array, error) {
	switch arr.(type) {
	case *array.Time32, *array.Time64, *array.Int32, *array.Int64:
	default:
		return nil, fmt.Errorf("%w: TIME read as %s", ErrSchema, arr.DataType())
	}
	n := arr.Len()
	switch w := want.(type) {
	case *arrow.Time32Type:
		b := array.NewTime32Builder(mem, w)
		defer b.Release()
		for i := 0; i < n; i++ {
			if arr.IsNull(i) {
				b.AppendNull()
				continue
			}
			v, u := timeValue(arr, i)
			b.Append(arrow.Time32(rescale(v, u, w.Unit)))
		}
		return b.NewArray(), nil
	case *arrow.Time64Type:
		b := array.NewTime64Builder(mem, w)
		defer b.Release()
		for i := 0; i < n; i++ {
			if arr.IsNull(i) {
				b.AppendNull()
				continue
			}
			v, u := timeValue(arr, i)
			b.Append(arrow.Time64(rescale(v, u, w.Unit)))
		}
		return b.NewArray(), nil
	}
	return nil, fmt.Errorf("%w: TIME as %s", ErrSchema, want)
}

func toFixedBinary(mem memory.Allocator, arr arrow.Array, want *arrow.FixedSizeBinaryType) (arrow.Array, error) {
	type binLike interface {
		arrow.Array
		Value(int) []byte
	}
	a, ok := arr.(binLike)
	if !ok {
		return nil, fmt.Errorf("%w: BINARY(%d) read as %s", ErrSchema, want.ByteWidth, arr.DataType())
	}
	b := array.NewFixedSizeBinaryBuilder(mem, want)
	defer b.Release()
	pad := make([]byte, want.ByteWidth)
	for i := 0; i < a.Len(); i++ {
		if a.IsNull(i) {
			b.AppendNull()
			continue
		}
		v := a.Value(i)
		if len(v) != want.ByteWidth {
			clear(pad)
			copy(pad, v)
			v = pad
		}
		b.Append(v)
	}
	return b.NewArray(), nil
}

// listToFixed turns a list array whose non-null entries all have n
// elements into a fixed-size list array (null entries get n null slots).
func listToFixed(ctx context.Context, mem memory.Allocator, l *array.List, n int32) (arrow.Array, error) {
	ib := array.NewInt64Builder(mem)
	defer ib.Release()
	ib.Reserve((l.Data().Offset() + l.Len()) * int(n))
	// The child of a fixed-size list starts at the array's offset.
	for range l.Data().Offset() * int(n) {
		ib.AppendNull()
	}
	for i := 0; i < l.Len(); i++ {
		if l.IsNull(i) {
			for range n {
				ib.AppendNull()
			}
			continue
		}
		start, end := l.ValueOffsets(i)
		if end-start != int64(n) {
			return nil, fmt.Errorf("row %d has %d elements, want %d", i, end-start, n)
		}
		for j := start; j < end; j++ {
			ib.UnsafeAppend(j)
		}
	}
	idx := ib.NewArray()
	defer idx.Release()
	vals, err := compute.TakeArray(compute.WithAllocator(ctx, mem), l.ListValues(), idx)
	if err != nil {
		return nil, err
	}
	defer vals.Release()
	et := l.DataType().(*arrow.ListType).ElemField()
	ft := arrow.FixedSizeListOfField(n, et)
	d := l.Data()
	nd := array.NewData(ft, d.Len(), []*memory.Buffer{d.Buffers()[0]}, []arrow.ArrayData{vals.Data()}, d.NullN(), d.Offset())
	defer nd.Release()
	return array.MakeFromData(nd), nil
}
