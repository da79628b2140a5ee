package binrow

import (
	"fmt"
	"math"
	"slices"

	"github.com/floelake/floe/schema"
)

// Writer builds BinaryRows into a reusable buffer. Either call Encode with
// all values, or Reset and set fields one by one (SetInt32, SetString, ...)
// and take Bytes. As in Java, variable-length data is appended in call
// order: set fields in field order to get Java's exact bytes.
//
// A Writer is not safe for concurrent use. Slices it returns are valid until
// the next call on the Writer.
type Writer struct {
	buf   []byte
	arity int
	nb    int
}

// NewWriter returns a Writer reset for rows of the given arity.
func NewWriter(arity int) *Writer {
	w := &Writer{}
	w.Reset(arity)
	return w
}

// Reset starts a new row of the given arity (RowKind Insert, all fields
// zero and non-null), keeping the buffer.
func (w *Writer) Reset(arity int) {
	w.arity = arity
	w.nb = BitSetWidth(arity)
	n := FixedSize(arity)
	w.buf = slices.Grow(w.buf[:0], n)[:n]
	clear(w.buf)
}

// Bytes returns the row built so far.
func (w *Writer) Bytes() []byte { return w.buf }

// SetRowKind sets the header byte.
func (w *Writer) SetRowKind(k RowKind) { w.buf[0] = byte(k) }

func (w *Writer) slot(i int) int {
	if uint(i) >= uint(w.arity) {
		panic(fmt.Sprintf("binrow: field %d out of range for arity %d", i, w.arity))
	}
	return w.nb + 8*i
}

// SetNull marks field i null and zeroes its slot. For DECIMAL(p>18) and
// TIMESTAMP(p>3) use SetNullDecimal/SetNullTimestamp, which reserve the
// variable-part chunk as Java does.
func (w *Writer) SetNull(i int) {
	p := w.slot(i)
	w.buf[(i+8)>>3] |= 1 << uint((i+8)&7)
	clear(w.buf[p : p+8])
}

// SetNullDecimal marks a DECIMAL(precision) field null.
func (w *Writer) SetNullDecimal(i, precision int) {
	w.SetNull(i)
	if !isCompactDecimal(precision) {
		w.buf = reserve(w.buf, 0, w.slot(i), 16)
	}
}

// SetNullTimestamp marks a TIMESTAMP(precision) field null.
func (w *Writer) SetNullTimestamp(i, precision int) {
	w.SetNull(i)
	if !isCompactTimestamp(precision) {
		w.buf = reserve(w.buf, 0, w.slot(i), 8)
	}
}

// reserve appends n zero bytes as a var chunk and stores offset<<32 in the slot.
func reserve(buf []byte, base, pos, n int) []byte {
	off := len(buf) - base
	buf = append(buf, make([]byte, n)...)
	le.PutUint64(buf[pos:], uint64(off)<<32)
	return buf
}

// SetBool sets a BOOLEAN field.
func (w *Writer) SetBool(i int, v bool) {
	var b byte
	if v {
		b = 1
	}
	w.buf[w.slot(i)] = b
}

// SetInt8 sets a TINYINT field.
func (w *Writer) SetInt8(i int, v int8) { w.buf[w.slot(i)] = byte(v) }

// SetInt16 sets a SMALLINT field.
func (w *Writer) SetInt16(i int, v int16) { le.PutUint16(w.buf[w.slot(i):], uint16(v)) }

// SetInt32 sets an INT, DATE or TIME field.
func (w *Writer) SetInt32(i int, v int32) { le.PutUint32(w.buf[w.slot(i):], uint32(v)) }

// SetInt64 sets a BIGINT field.
func (w *Writer) SetInt64(i int, v int64) { le.PutUint64(w.buf[w.slot(i):], uint64(v)) }

// SetFloat32 sets a FLOAT field (raw IEEE bits, as Java's row writer).
func (w *Writer) SetFloat32(i int, v float32) {
	le.PutUint32(w.buf[w.slot(i):], math.Float32bits(v))
}

// SetFloat64 sets a DOUBLE field (raw IEEE bits, as Java's row writer).
func (w *Writer) SetFloat64(i int, v float64) {
	le.PutUint64(w.buf[w.slot(i):], math.Float64bits(v))
}

// SetString sets a CHAR/VARCHAR field.
func (w *Writer) SetString(i int, s string) { w.buf = putBytes(w.buf, 0, w.slot(i), s) }

// SetBinary sets a BINARY/VARBINARY/BLOB field.
func (w *Writer) SetBinary(i int, b []byte) { w.buf = putBytes(w.buf, 0, w.slot(i), b) }

// SetDecimal sets a DECIMAL(precision) field. The value's scale must be the
// column's scale (not checked here; Encode checks it).
func (w *Writer) SetDecimal(i int, d Decimal, precision int) error {
	var err error
	w.buf, err = putDecimal(w.buf, 0, w.slot(i), d, precision)
	return err
}

// SetTimestamp sets a TIMESTAMP(precision) or TIMESTAMP_LTZ(precision) field.
func (w *Writer) SetTimestamp(i int, ts Timestamp, precision int) error {
	var err error
	w.buf, err = putTimestamp(w.buf, 0, w.slot(i), ts, precision)
	return err
}

// SetValue sets field i of type t to v (nil for null), any type including
// nested ones.
func (w *Writer) SetValue(i int, t schema.DataType, v any) error {
	if v == nil {
		w.setNullTyped(i, &t)
		return nil
	}
	var err error
	w.buf, err = putValue(w.buf, 0, w.slot(i), &t, v)
	if err != nil {
		return fmt.Errorf("field %d: %w", i, err)
	}
	return nil
}

func (w *Writer) setNullTyped(i int, t *schema.DataType) {
	switch t.Kind {
	case schema.Decimal:
		w.SetNullDecimal(i, t.Precision)
	case schema.Timestamp, schema.TimestampLTZ:
		w.SetNullTimestamp(i, t.Precision)
	default:
		w.SetNull(i)
	}
}

// Encode builds the row of the given types and values (RowKind Insert)
// into the Writer's buffer and returns it; the slice is valid until the next
// call on w.
func (w *Writer) Encode(types []schema.DataType, values []any) ([]byte, error) {
	if len(types) != len(values) {
		return nil, fmt.Errorf("%w: %d types, %d values", ErrValue, len(types), len(values))
	}
	w.Reset(len(types))
	for i := range types {
		if err := w.SetValue(i, types[i], values[i]); err != nil {
			return nil, err
		}
	}
	return w.buf, nil
}

// Encode returns a new BinaryRow (RowKind Insert) of values typed by types.
func Encode(types []schema.DataType, values []any) ([]byte, error) {
	var w Writer
	return w.Encode(types, values)
}

// putBytes stores a string or binary at slot pos: inline when ≤ 7 bytes,
// else as a var chunk (offsets relative to base).
func putBytes[S string | []byte](buf []byte, base, pos int, s S) []byte {
	n := len(s)
	if n <= 7 {
		var v uint64
		for k := 0; k < n; k++ {
			v |= uint64(s[k]) << (8 * uint(k))
		}
		v |= uint64(0x80|n) << 56
		le.PutUint64(buf[pos:], v)
		return buf
	}
	off := len(buf) - base
	buf = append(buf, s...)
	buf = appendPad(buf, n)
	le.PutUint64(buf[pos:], uint64(off)<<32|uint64(n))
	return buf
}

var zeros8 [8]byte

func appendPad(buf []byte, n int) []byte {
	if r := n & 7; r != 0 {
		buf = append(buf, zeros8[:8-r]...)
	}
	return buf
}

func putDecimal(buf []byte, base, pos int, d Decimal, precision int) ([]byte, error) {
	if isCompactDecimal(precision) {
		v, ok := d.UnscaledInt64()
		if !ok {
			return buf, fmt.Errorf("%w: decimal %s overflows DECIMAL(%d)", ErrValue, d, precision)
		}
		le.PutUint64(buf[pos:], uint64(v))
		return buf, nil
	}
	off := len(buf) - base
	start := len(buf)
	buf = d.appendUnscaledBytes(buf)
	n := len(buf) - start
	if n > 16 {
		return buf[:start], fmt.Errorf("%w: decimal %s needs %d bytes", ErrValue, d, n)
	}
	buf = append(buf, make([]byte, 16-n)...)
	le.PutUint64(buf[pos:], uint64(off)<<32|uint64(n))
	return buf, nil
}

func putTimestamp(buf []byte, base, pos int, ts Timestamp, precision int) ([]byte, error) {
	if isCompactTimestamp(precision) {
		le.PutUint64(buf[pos:], uint64(ts.Millis))
		return buf, nil
	}
	if ts.NanoOfMilli < 0 || ts.NanoOfMilli > 999_999 {
		return buf, fmt.Errorf("%w: nanoOfMilli %d", ErrValue, ts.NanoOfMilli)
	}
	off := len(buf) - base
	buf = le.AppendUint64(buf, uint64(ts.Millis))
	le.PutUint64(buf[pos:], uint64(off)<<32|uint64(ts.NanoOfMilli))
	return buf, nil
}

func typeErr(t *schema.DataType, v any) error {
	return fmt.Errorf("%w: %T for type kind %d", ErrValue, v, t.Kind)
}

// putValue writes non-nil v of type t into the slot at pos of the container
// starting at base (a row's slot, or an array element of elemSize(t) bytes).
func putValue(buf []byte, base, pos int, t *schema.DataType, v any) ([]byte, error) {
	switch t.Kind {
	case schema.Boolean:
		b, ok := v.(bool)
		if !ok {
			return buf, typeErr(t, v)
		}
		buf[pos] = 0
		if b {
			buf[pos] = 1
		}
	case schema.TinyInt:
		x, ok := v.(int8)
		if !ok {
			return buf, typeErr(t, v)
		}
		buf[pos] = byte(x)
	case schema.SmallInt:
		x, ok := v.(int16)
		if !ok {
			return buf, typeErr(t, v)
		}
		le.PutUint16(buf[pos:], uint16(x))
	case schema.Int, schema.Date, schema.Time:
		x, ok := v.(int32)
		if !ok {
			return buf, typeErr(t, v)
		}
		le.PutUint32(buf[pos:], uint32(x))
	case schema.BigInt:
		x, ok := v.(int64)
		if !ok {
			return buf, typeErr(t, v)
		}
		le.PutUint64(buf[pos:], uint64(x))
	case schema.Float:
		x, ok := v.(float32)
		if !ok {
			return buf, typeErr(t, v)
		}
		le.PutUint32(buf[pos:], math.Float32bits(x))
	case schema.Double:
		x, ok := v.(float64)
		if !ok {
			return buf, typeErr(t, v)
		}
		le.PutUint64(buf[pos:], math.Float64bits(x))
	case schema.Char, schema.VarChar:
		s, ok := v.(string)
		if !ok {
			return buf, typeErr(t, v)
		}
		return putBytes(buf, base, pos, s), nil
	case schema.Binary, schema.VarBinary, schema.Blob:
		b, ok := v.([]byte)
		if !ok {
			return buf, typeErr(t, v)
		}
		return putBytes(buf, base, pos, b), nil
	case schema.Decimal:
		d, ok := v.(Decimal)
		if !ok {
			return buf, typeErr(t, v)
		}
		if d.Scale() != t.Scale || !d.withPrecision(t.Precision).fits() {
			return buf, fmt.Errorf("%w: decimal %s (scale %d) for DECIMAL(%d,%d)", ErrValue, d, d.Scale(), t.Precision, t.Scale)
		}
		return putDecimal(buf, base, pos, d, t.Precision)
	case schema.Timestamp, schema.TimestampLTZ:
		ts, ok := v.(Timestamp)
		if !ok {
			return buf, typeErr(t, v)
		}
		return putTimestamp(buf, base, pos, ts, t.Precision)
	case schema.Row:
		vals, ok := v.([]any)
		if !ok || len(vals) != len(t.Fields) {
			return buf, typeErr(t, v)
		}
		off := len(buf) - base
		start := len(buf)
		var err error
		buf, err = appendRow(buf, t.Fields, vals)
		if err != nil {
			return buf[:start], err
		}
		le.PutUint64(buf[pos:], uint64(off)<<32|uint64(len(buf)-start))
	case schema.Array:
		vals, ok := v.([]any)
		if !ok || t.Elem == nil {
			return buf, typeErr(t, v)
		}
		off := len(buf) - base
		start := len(buf)
		var err error
		buf, err = appendArray(buf, t.Elem, vals)
		if err != nil {
			return buf[:start], err
		}
		le.PutUint64(buf[pos:], uint64(off)<<32|uint64(len(buf)-start))
	case schema.Map, schema.Multiset:
		m, ok := v.(Map)
		if !ok || len(m.Keys) != len(m.Values) {
			return buf, typeErr(t, v)
		}
		kt, vt := mapTypes(t)
		if kt == nil || vt == nil {
			return buf, typeErr(t, v)
		}
		off := len(buf) - base
		start := len(buf)
		buf = append(buf, 0, 0, 0, 0)
		var err error
		buf, err = appendArray(buf, kt, m.Keys)
		if err != nil {
			return buf[:start], err
		}
		le.PutUint32(buf[start:], uint32(len(buf)-start-4))
		buf, err = appendArray(buf, vt, m.Values)
		if err != nil {
			return buf[:start], err
		}
		size := len(buf) - start
		buf = appendPad(buf, size)
		le.PutUint64(buf[pos:], uint64(off)<<32|uint64(size))
	default:
		return buf, fmt.Errorf("%w: kind %d", ErrUnsupported, t.Kind)
	}
	return buf, nil
}

var multisetCount = schema.NewInt().WithNotNull(true)

func mapTypes(t *schema.DataType) (k, v *schema.DataType) {
	if t.Kind == schema.Multiset {
		return t.Elem, &multisetCount
	}
	return t.Key, t.Value
}

func (d Decimal) withPrecision(p int) Decimal { d.precision = int32(p); return d }

// appendRow appends a complete nested BinaryRow (RowKind Insert).
func appendRow(buf []byte, fields []schema.Field, vals []any) ([]byte, error) {
	start := len(buf)
	n := len(fields)
	nb := BitSetWidth(n)
	buf = slices.Grow(buf, FixedSize(n))[:start+FixedSize(n)]
	clear(buf[start:])
	var err error
	for i := range fields {
		t := &fields[i].Type
		pos := start + nb + 8*i
		if vals[i] == nil {
			buf[start+(i+8)>>3] |= 1 << uint((i+8)&7)
			switch {
			case t.Kind == schema.Decimal && !isCompactDecimal(t.Precision):
				buf = reserve(buf, start, pos, 16)
			case (t.Kind == schema.Timestamp || t.Kind == schema.TimestampLTZ) && !isCompactTimestamp(t.Precision):
				buf = reserve(buf, start, pos, 8)
			}
			continue
		}
		if buf, err = putValue(buf, start, pos, t, vals[i]); err != nil {
			return buf, fmt.Errorf("field %s: %w", fields[i].Name, err)
		}
	}
	return buf, nil
}

// appendArray appends a BinaryArray. Null elements only set their bit (no
// reserved chunk, unlike rows), as Java's BinaryArrayWriter does.
func appendArray(buf []byte, et *schema.DataType, vals []any) ([]byte, error) {
	start := len(buf)
	n := len(vals)
	hdr := arrayHeader(n)
	es := elemSize(et)
	fixed := roundUp8(hdr + es*n)
	buf = slices.Grow(buf, fixed)[:start+fixed]
	clear(buf[start:])
	le.PutUint32(buf[start:], uint32(n))
	var err error
	for i, v := range vals {
		if v == nil {
			buf[start+4+i>>3] |= 1 << uint(i&7)
			continue
		}
		if buf, err = putArrayElem(buf, start, start+hdr+es*i, et, v); err != nil {
			return buf, fmt.Errorf("element %d: %w", i, err)
		}
	}
	return buf, nil
}

// putArrayElem is putValue with Java's array canonicalisation of NaN.
func putArrayElem(buf []byte, base, pos int, t *schema.DataType, v any) ([]byte, error) {
	switch x := v.(type) {
	case float32:
		if x != x {
			v = math.Float32frombits(0x7fc00000) // Java Float.NaN
		}
	case float64:
		if x != x {
			v = math.Float64frombits(0x7ff8000000000000) // Java Double.NaN
		}
	}
	return putValue(buf, base, pos, t, v)
}
