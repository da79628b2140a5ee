package binrow

import (
	"fmt"
	"math/big"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/floelake/floe/schema"
)

// ArrowValue returns the value of row i of arr as this package's Go value
// for Paimon type t (nil when null): int32 for INT, DATE and TIME (millis),
// string, []byte, Decimal, Timestamp, []any for ARRAY and ROW, Map for MAP.
// arr must have the Arrow type schema.ToArrow gives for t (time and
// timestamp units may differ).
func ArrowValue(t schema.DataType, arr arrow.Array, i int) (any, error) {
	if arr.IsNull(i) {
		return nil, nil
	}
	switch a := arr.(type) {
	case *array.Boolean:
		return a.Value(i), nil
	case *array.Int8:
		return a.Value(i), nil
	case *array.Int16:
		return a.Value(i), nil
	case *array.Int32:
		return a.Value(i), nil
	case *array.Int64:
		return a.Value(i), nil
	case *array.Float32:
		return a.Value(i), nil
	case *array.Float64:
		return a.Value(i), nil
	case *array.String:
		return a.Value(i), nil
	case *array.LargeString:
		return a.Value(i), nil
	case *array.Binary:
		return a.Value(i), nil
	case *array.LargeBinary:
		return a.Value(i), nil
	case *array.FixedSizeBinary:
		return a.Value(i), nil
	case *array.Date32:
		return int32(a.Value(i)), nil
	case *array.Time32:
		return timeMillis(int64(a.Value(i)), a.DataType().(*arrow.Time32Type).Unit), nil
	case *array.Time64:
		return timeMillis(int64(a.Value(i)), a.DataType().(*arrow.Time64Type).Unit), nil
	case *array.Timestamp:
		return TimestampFromArrow(int64(a.Value(i)), a.DataType().(*arrow.TimestampType).Unit), nil
	case *array.Decimal128:
		return DecimalFromArrow(a.Value(i), t.Precision, t.Scale), nil
	case *array.Map:
		kt, vt := mapTypes(&t)
		if kt == nil {
			return nil, fmt.Errorf("%w: Arrow map for %s", ErrValue, t)
		}
		start, end := a.ValueOffsets(i)
		keys, items := a.Keys(), a.Items()
		m := Map{Keys: make([]any, 0, end-start), Values: make([]any, 0, end-start)}
		for j := int(start); j < int(end); j++ {
			k, err := ArrowValue(*kt, keys, j)
			if err != nil {
				return nil, err
			}
			v, err := ArrowValue(*vt, items, j)
			if err != nil {
				return nil, err
			}
			m.Keys = append(m.Keys, k)
			m.Values = append(m.Values, v)
		}
		return m, nil
	case *array.List:
		if t.Elem == nil {
			return nil, fmt.Errorf("%w: Arrow list for %s", ErrValue, t)
		}
		start, end := a.ValueOffsets(i)
		out := make([]any, 0, end-start)
		for j := int(start); j < int(end); j++ {
			v, err := ArrowValue(*t.Elem, a.ListValues(), j)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case *array.FixedSizeList:
		if t.Elem == nil {
			return nil, fmt.Errorf("%w: Arrow list for %s", ErrValue, t)
		}
		n := int(a.DataType().(*arrow.FixedSizeListType).Len())
		out := make([]any, 0, n)
		for j := i * n; j < (i+1)*n; j++ {
			v, err := ArrowValue(*t.Elem, a.ListValues(), j)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case *array.Struct:
		if len(t.Fields) != a.NumField() {
			return nil, fmt.Errorf("%w: Arrow struct of %d fields for %s", ErrValue, a.NumField(), t)
		}
		out := make([]any, a.NumField())
		for j := range out {
			v, err := ArrowValue(t.Fields[j].Type, a.Field(j), i)
			if err != nil {
				return nil, err
			}
			out[j] = v
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w: Arrow %s for %s", ErrUnsupported, arr.DataType(), t)
}

func timeMillis(v int64, u arrow.TimeUnit) int32 {
	switch u {
	case arrow.Second:
		return int32(v * 1000)
	case arrow.Microsecond:
		return int32(floorDivInt(v, 1000))
	case arrow.Nanosecond:
		return int32(floorDivInt(v, 1_000_000))
	}
	return int32(v)
}

func floorDivInt(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// TimestampFromArrow converts an Arrow timestamp value of unit u.
func TimestampFromArrow(v int64, u arrow.TimeUnit) Timestamp {
	switch u {
	case arrow.Second:
		return Timestamp{Millis: v * 1000}
	case arrow.Millisecond:
		return Timestamp{Millis: v}
	case arrow.Microsecond:
		ms := floorDivInt(v, 1000)
		return Timestamp{Millis: ms, NanoOfMilli: int32(v-ms*1000) * 1000}
	}
	return TimestampFromNanos(v)
}

// ArrowTimestamp converts ts to an Arrow timestamp value of unit u,
// truncating toward negative infinity.
func ArrowTimestamp(ts Timestamp, u arrow.TimeUnit) int64 {
	switch u {
	case arrow.Second:
		return floorDivInt(ts.Millis, 1000)
	case arrow.Millisecond:
		return ts.Millis
	case arrow.Microsecond:
		return ts.Millis*1000 + int64(ts.NanoOfMilli)/1000
	}
	return ts.Millis*1_000_000 + int64(ts.NanoOfMilli)
}

// DecimalFromArrow converts an Arrow decimal128 value.
func DecimalFromArrow(v decimal128.Num, precision, scale int) Decimal {
	hi, lo := v.HighBits(), v.LowBits()
	if (hi == 0 && lo>>63 == 0) || (hi == -1 && lo>>63 == 1) {
		return NewDecimal(int64(lo), precision, scale)
	}
	return NewDecimalBig(v.BigInt(), precision, scale)
}

// ArrowDecimal converts d to an Arrow decimal128 value.
func ArrowDecimal(d Decimal) decimal128.Num {
	if x, ok := d.UnscaledInt64(); ok {
		return decimal128.FromI64(x)
	}
	return decimal128.FromBigInt(d.Unscaled())
}

// SetArrow sets field i of type t from row j of arr without going through
// an interface value for flat types (no allocation for them).
func (w *Writer) SetArrow(i int, t schema.DataType, arr arrow.Array, j int) error {
	if arr.IsNull(j) {
		w.setNullTyped(i, &t)
		return nil
	}
	switch a := arr.(type) {
	case *array.Boolean:
		w.SetBool(i, a.Value(j))
	case *array.Int8:
		w.SetInt8(i, a.Value(j))
	case *array.Int16:
		w.SetInt16(i, a.Value(j))
	case *array.Int32:
		w.SetInt32(i, a.Value(j))
	case *array.Int64:
		w.SetInt64(i, a.Value(j))
	case *array.Float32:
		w.SetFloat32(i, a.Value(j))
	case *array.Float64:
		w.SetFloat64(i, a.Value(j))
	case *array.String:
		w.SetString(i, a.Value(j))
	case *array.Binary:
		w.SetBinary(i, a.Value(j))
	case *array.FixedSizeBinary:
		w.SetBinary(i, a.Value(j))
	case *array.Date32:
		w.SetInt32(i, int32(a.Value(j)))
	case *array.Timestamp:
		return w.SetTimestamp(i, TimestampFromArrow(int64(a.Value(j)), a.DataType().(*arrow.TimestampType).Unit), t.Precision)
	case *array.Decimal128:
		return w.SetDecimal(i, DecimalFromArrow(a.Value(j), t.Precision, t.Scale), t.Precision)
	default:
		v, err := ArrowValue(t, arr, j)
		if err != nil {
			return err
		}
		return w.SetValue(i, t, v)
	}
	return nil
}

// AppendArrow appends v (this package's Go value for t, or nil) to b, a
// builder of the Arrow type schema.ToArrow gives for t.
func AppendArrow(b array.Builder, t schema.DataType, v any) error {
	if v == nil {
		b.AppendNull()
		return nil
	}
	bad := func() error { return fmt.Errorf("%w: %T for %s into Arrow %s", ErrValue, v, t, b.Type()) }
	switch bb := b.(type) {
	case *array.BooleanBuilder:
		x, ok := v.(bool)
		if !ok {
			return bad()
		}
		bb.Append(x)
	case *array.Int8Builder:
		x, ok := v.(int8)
		if !ok {
			return bad()
		}
		bb.Append(x)
	case *array.Int16Builder:
		x, ok := v.(int16)
		if !ok {
			return bad()
		}
		bb.Append(x)
	case *array.Int32Builder:
		x, ok := v.(int32)
		if !ok {
			return bad()
		}
		bb.Append(x)
	case *array.Int64Builder:
		x, ok := v.(int64)
		if !ok {
			return bad()
		}
		bb.Append(x)
	case *array.Float32Builder:
		x, ok := v.(float32)
		if !ok {
			return bad()
		}
		bb.Append(x)
	case *array.Float64Builder:
		x, ok := v.(float64)
		if !ok {
			return bad()
		}
		bb.Append(x)
	case *array.StringBuilder:
		x, ok := v.(string)
		if !ok {
			return bad()
		}
		bb.Append(x)
	case *array.BinaryBuilder:
		x, ok := v.([]byte)
		if !ok {
			return bad()
		}
		bb.Append(x)
	case *array.FixedSizeBinaryBuilder:
		x, ok := v.([]byte)
		if !ok {
			return bad()
		}
		bb.Append(x)
	case *array.Date32Builder:
		x, ok := v.(int32)
		if !ok {
			return bad()
		}
		bb.Append(arrow.Date32(x))
	case *array.Time32Builder:
		x, ok := v.(int32)
		if !ok {
			return bad()
		}
		switch bb.Type().(*arrow.Time32Type).Unit {
		case arrow.Second:
			bb.Append(arrow.Time32(x / 1000))
		default:
			bb.Append(arrow.Time32(x))
		}
	case *array.Time64Builder:
		x, ok := v.(int32)
		if !ok {
			return bad()
		}
		if bb.Type().(*arrow.Time64Type).Unit == arrow.Microsecond {
			bb.Append(arrow.Time64(int64(x) * 1000))
		} else {
			bb.Append(arrow.Time64(int64(x) * 1_000_000))
		}
	case *array.TimestampBuilder:
		x, ok := v.(Timestamp)
		if !ok {
			return bad()
		}
		bb.Append(arrow.Timestamp(ArrowTimestamp(x, bb.Type().(*arrow.TimestampType).Unit)))
	case *array.Decimal128Builder:
		x, ok := v.(Decimal)
		if !ok {
			return bad()
		}
		bb.Append(ArrowDecimal(x))
	case *array.MapBuilder:
		x, ok := v.(Map)
		if !ok {
			return bad()
		}
		kt, vt := mapTypes(&t)
		if kt == nil {
			return bad()
		}
		bb.Append(true)
		for j := range x.Keys {
			if err := AppendArrow(bb.KeyBuilder(), *kt, x.Keys[j]); err != nil {
				return err
			}
			if err := AppendArrow(bb.ItemBuilder(), *vt, x.Values[j]); err != nil {
				return err
			}
		}
	case *array.ListBuilder:
		x, ok := v.([]any)
		if !ok || t.Elem == nil {
			return bad()
		}
		bb.Append(true)
		for _, e := range x {
			if err := AppendArrow(bb.ValueBuilder(), *t.Elem, e); err != nil {
				return err
			}
		}
	case *array.FixedSizeListBuilder:
		x, ok := v.([]any)
		if !ok || t.Elem == nil {
			return bad()
		}
		bb.Append(true)
		for _, e := range x {
			if err := AppendArrow(bb.ValueBuilder(), *t.Elem, e); err != nil {
				return err
			}
		}
	case *array.StructBuilder:
		x, ok := v.([]any)
		if !ok || len(x) != len(t.Fields) {
			return bad()
		}
		bb.Append(true)
		for j, f := range t.Fields {
			if err := AppendArrow(bb.FieldBuilder(j), f.Type, x[j]); err != nil {
				return err
			}
		}
	default:
		return bad()
	}
	return nil
}

var _ = big.NewInt
