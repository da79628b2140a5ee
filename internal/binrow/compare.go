package binrow

import (
	"bytes"
	"math"

	"github.com/floelake/floe/schema"
)

// CompareFloat32 is Java's Float.compare: -0.0 < +0.0, and NaN (any NaN)
// equals NaN and is greater than every other value including +Inf.
func CompareFloat32(a, b float32) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return cmpInt64(int64(javaFloatBits(a)), int64(javaFloatBits(b)))
}

// CompareFloat64 is Java's Double.compare (see CompareFloat32).
func CompareFloat64(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return cmpInt64(javaDoubleBits(a), javaDoubleBits(b))
}

func javaFloatBits(f float32) int32 {
	if f != f {
		return 0x7fc00000
	}
	return int32(math.Float32bits(f))
}

func javaDoubleBits(f float64) int64 {
	if f != f {
		return 0x7ff8000000000000
	}
	return int64(math.Float64bits(f))
}

// CompareValues orders two values of type t as Paimon orders keys: nulls
// first, numbers numerically, booleans false < true, strings and binaries as
// unsigned bytes, floating point as Java's Float/Double.compare, decimals
// numerically, timestamps by millis then nanos, arrays and rows element by
// element (shorter prefix first), maps by keys then values. Values of the
// wrong Go type compare as equal.
func CompareValues(t schema.DataType, a, b any) int {
	return compareValues(&t, a, b)
}

func compareValues(t *schema.DataType, a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	switch x := a.(type) {
	case bool:
		y, _ := b.(bool)
		switch {
		case x == y:
			return 0
		case !x:
			return -1
		}
		return 1
	case int8:
		y, _ := b.(int8)
		return cmpInt64(int64(x), int64(y))
	case int16:
		y, _ := b.(int16)
		return cmpInt64(int64(x), int64(y))
	case int32:
		y, _ := b.(int32)
		return cmpInt64(int64(x), int64(y))
	case int64:
		y, _ := b.(int64)
		return cmpInt64(x, y)
	case float32:
		y, _ := b.(float32)
		return CompareFloat32(x, y)
	case float64:
		y, _ := b.(float64)
		return CompareFloat64(x, y)
	case string:
		y, _ := b.(string)
		switch {
		case x < y: // Go compares strings bytewise, unsigned
			return -1
		case x > y:
			return 1
		}
		return 0
	case []byte:
		y, _ := b.([]byte)
		return bytes.Compare(x, y)
	case Decimal:
		y, _ := b.(Decimal)
		return x.Cmp(y)
	case Timestamp:
		y, _ := b.(Timestamp)
		return x.Compare(y)
	case []any:
		y, _ := b.([]any)
		for i := 0; i < len(x) && i < len(y); i++ {
			et := t.Elem
			if t.Kind == schema.Row {
				if i >= len(t.Fields) {
					break
				}
				et = &t.Fields[i].Type
			}
			if et == nil {
				break
			}
			if c := compareValues(et, x[i], y[i]); c != 0 {
				return c
			}
		}
		return cmpInt64(int64(len(x)), int64(len(y)))
	case Map:
		y, _ := b.(Map)
		kt, vt := mapTypes(t)
		if kt == nil || vt == nil {
			return 0
		}
		if c := compareValues(&schema.DataType{Kind: schema.Array, Elem: kt}, x.Keys, y.Keys); c != 0 {
			return c
		}
		return compareValues(&schema.DataType{Kind: schema.Array, Elem: vt}, x.Values, y.Values)
	}
	return 0
}

// CompareRows compares two BinaryRows of the given types field by field with
// the order of CompareValues, without allocating for non-nested types. The
// row kind byte is ignored. Rows must be well formed (from Encode, or checked
// by Decode); malformed rows compare in an unspecified order but never panic.
func CompareRows(types []schema.DataType, a, b []byte) int {
	n := len(types)
	fs := FixedSize(n)
	if len(a) < fs || len(b) < fs {
		return cmpInt64(int64(len(a)), int64(len(b)))
	}
	ra := Row{b: a, arity: n, nb: BitSetWidth(n)}
	rb := Row{b: b, arity: n, nb: ra.nb}
	for i := range types {
		if c := compareField(ra, rb, i, &types[i]); c != 0 {
			return c
		}
	}
	return 0
}

func compareField(ra, rb Row, i int, t *schema.DataType) int {
	na, nb := ra.IsNull(i), rb.IsNull(i)
	switch {
	case na && nb:
		return 0
	case na:
		return -1
	case nb:
		return 1
	}
	switch t.Kind {
	case schema.Boolean:
		return cmpInt64(int64(ra.b[ra.pos(i)]&1), int64(rb.b[rb.pos(i)]&1))
	case schema.TinyInt:
		return cmpInt64(int64(ra.Int8(i)), int64(rb.Int8(i)))
	case schema.SmallInt:
		return cmpInt64(int64(ra.Int16(i)), int64(rb.Int16(i)))
	case schema.Int, schema.Date, schema.Time:
		return cmpInt64(int64(ra.Int32(i)), int64(rb.Int32(i)))
	case schema.BigInt:
		return cmpInt64(ra.Int64(i), rb.Int64(i))
	case schema.Float:
		return CompareFloat32(ra.Float32(i), rb.Float32(i))
	case schema.Double:
		return CompareFloat64(ra.Float64(i), rb.Float64(i))
	case schema.Char, schema.VarChar, schema.Binary, schema.VarBinary, schema.Blob:
		x, _ := ra.Binary(i)
		y, _ := rb.Binary(i)
		return bytes.Compare(x, y)
	case schema.Decimal:
		if isCompactDecimal(t.Precision) {
			return cmpInt64(ra.Int64(i), rb.Int64(i))
		}
		return compareDecimalBytes(decimalBytes(ra, i), decimalBytes(rb, i))
	case schema.Timestamp, schema.TimestampLTZ:
		x, _ := ra.Timestamp(i, t.Precision)
		y, _ := rb.Timestamp(i, t.Precision)
		return x.Compare(y)
	}
	x, _ := ra.Value(i, *t)
	y, _ := rb.Value(i, *t)
	return compareValues(t, x, y)
}

func decimalBytes(r Row, i int) []byte {
	off, n, err := varSpan(r.b, r.pos(i))
	if err != nil || n > 16 {
		return nil
	}
	return r.b[off : off+n]
}

// compareDecimalBytes compares two big-endian two's complement integers of
// at most 16 bytes by sign-extending both to 16 bytes.
func compareDecimalBytes(x, y []byte) int {
	if len(x) <= 8 && len(y) <= 8 {
		return cmpInt64(beInt64(x), beInt64(y))
	}
	for k := 0; k < 16; k++ {
		cx, cy := extByte(x, k), extByte(y, k)
		if k == 0 {
			if c := cmpInt64(int64(int8(cx)), int64(int8(cy))); c != 0 {
				return c
			}
			continue
		}
		if cx != cy {
			return cmpInt64(int64(cx), int64(cy))
		}
	}
	return 0
}

// extByte returns byte k of b sign-extended on the left to 16 bytes.
func extByte(b []byte, k int) byte {
	j := k - (16 - len(b))
	if j >= 0 {
		return b[j]
	}
	if len(b) > 0 && b[0]&0x80 != 0 {
		return 0xff
	}
	return 0
}

// beInt64 sign-extends at most 8 big-endian two's complement bytes.
func beInt64(b []byte) int64 {
	var v int64
	if len(b) > 0 && b[0]&0x80 != 0 {
		v = -1
	}
	for _, c := range b {
		v = v<<8 | int64(c)
	}
	return v
}
