package binrow

import (
	"fmt"
	"math"

	"github.com/floelake/floe/schema"
)

// Row is a read-only view of one BinaryRow's bytes with accessors for hot
// paths. It does not copy: the bytes must not change while the Row is used.
// NewRow checks the fixed part; accessors of variable-length fields check
// their bounds and return errors wrapping ErrCorrupt. A Row is safe for
// concurrent reads.
type Row struct {
	b     []byte
	arity int
	nb    int
}

// NewRow returns a view of raw as a row of the given arity.
func NewRow(raw []byte, arity int) (Row, error) {
	if arity < 0 || len(raw) < FixedSize(arity) || arity > len(raw) {
		return Row{}, fmt.Errorf("%w: %d bytes for arity %d", ErrCorrupt, len(raw), arity)
	}
	return Row{b: raw, arity: arity, nb: BitSetWidth(arity)}, nil
}

// Arity returns the number of fields.
func (r Row) Arity() int { return r.arity }

// Bytes returns the underlying row bytes.
func (r Row) Bytes() []byte { return r.b }

// Kind returns the header byte.
func (r Row) Kind() RowKind { return RowKind(r.b[0]) }

func (r Row) pos(i int) int {
	if uint(i) >= uint(r.arity) {
		panic(fmt.Sprintf("binrow: field %d out of range for arity %d", i, r.arity))
	}
	return r.nb + 8*i
}

// IsNull reports whether field i is null.
func (r Row) IsNull(i int) bool {
	r.pos(i)
	return r.b[(i+8)>>3]&(1<<uint((i+8)&7)) != 0
}

// Bool reads a BOOLEAN field.
func (r Row) Bool(i int) bool { return r.b[r.pos(i)] != 0 }

// Int8 reads a TINYINT field.
func (r Row) Int8(i int) int8 { return int8(r.b[r.pos(i)]) }

// Int16 reads a SMALLINT field.
func (r Row) Int16(i int) int16 { return int16(le.Uint16(r.b[r.pos(i):])) }

// Int32 reads an INT, DATE or TIME field.
func (r Row) Int32(i int) int32 { return int32(le.Uint32(r.b[r.pos(i):])) }

// Int64 reads a BIGINT field (or the millis of TIMESTAMP(p≤3), the unscaled
// value of DECIMAL(p≤18)).
func (r Row) Int64(i int) int64 { return int64(le.Uint64(r.b[r.pos(i):])) }

// Float32 reads a FLOAT field.
func (r Row) Float32(i int) float32 { return math.Float32frombits(le.Uint32(r.b[r.pos(i):])) }

// Float64 reads a DOUBLE field.
func (r Row) Float64(i int) float64 { return math.Float64frombits(le.Uint64(r.b[r.pos(i):])) }

// Binary returns the bytes of a CHAR/VARCHAR/BINARY/VARBINARY/BLOB field,
// aliasing the row (no copy).
func (r Row) Binary(i int) ([]byte, error) { return readBytes(r.b, r.pos(i)) }

// String reads a CHAR/VARCHAR field.
func (r Row) String(i int) (string, error) {
	b, err := r.Binary(i)
	return string(b), err
}

// Decimal reads a DECIMAL(precision, scale) field.
func (r Row) Decimal(i, precision, scale int) (Decimal, error) {
	return readDecimal(r.b, r.pos(i), precision, scale)
}

// Timestamp reads a TIMESTAMP(precision)/TIMESTAMP_LTZ(precision) field.
func (r Row) Timestamp(i, precision int) (Timestamp, error) {
	return readTimestamp(r.b, r.pos(i), precision)
}

// Value reads field i as the Go value of type t (nil when null).
func (r Row) Value(i int, t schema.DataType) (any, error) {
	if r.IsNull(i) {
		return nil, nil
	}
	return readValue(r.b, r.pos(i), &t)
}

// Decode returns the values of a BinaryRow of the given types. Bytes that do
// not form such a row give an error wrapping ErrCorrupt.
func Decode(types []schema.DataType, raw []byte) ([]any, error) {
	r, err := NewRow(raw, len(types))
	if err != nil {
		return nil, err
	}
	if r.Kind() > Delete {
		return nil, fmt.Errorf("%w: row kind %d", ErrCorrupt, raw[0])
	}
	out := make([]any, len(types))
	for i := range types {
		if out[i], err = r.Value(i, types[i]); err != nil {
			return nil, fmt.Errorf("field %d: %w", i, err)
		}
	}
	return out, nil
}

func corrupt(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrCorrupt}, args...)...)
}

// varSpan returns the (offset, size) chunk a slot points at, checked against b.
func varSpan(b []byte, pos int) (int, int, error) {
	v := le.Uint64(b[pos:])
	off, n := v>>32, v&0xffffffff
	if off+n > uint64(len(b)) {
		return 0, 0, corrupt("chunk at %d+%d beyond %d bytes", off, n, len(b))
	}
	return int(off), int(n), nil
}

func readBytes(b []byte, pos int) ([]byte, error) {
	v := le.Uint64(b[pos:])
	if v>>63 != 0 {
		n := int(v>>56) & 0x7f
		if n > 7 {
			return nil, corrupt("inline length %d", n)
		}
		return b[pos : pos+n : pos+n], nil
	}
	off, n, err := varSpan(b, pos)
	if err != nil {
		return nil, err
	}
	return b[off : off+n : off+n], nil
}

func readDecimal(b []byte, pos, precision, scale int) (Decimal, error) {
	if isCompactDecimal(precision) {
		return NewDecimal(int64(le.Uint64(b[pos:])), precision, scale), nil
	}
	off, n, err := varSpan(b, pos)
	if err != nil {
		return Decimal{}, err
	}
	if n > 16 {
		return Decimal{}, corrupt("decimal length %d", n)
	}
	return DecimalFromUnscaledBytes(b[off:off+n], precision, scale), nil
}

func readTimestamp(b []byte, pos, precision int) (Timestamp, error) {
	v := le.Uint64(b[pos:])
	if isCompactTimestamp(precision) {
		return Timestamp{Millis: int64(v)}, nil
	}
	off, nanos := v>>32, v&0xffffffff
	if nanos > 999_999 || off+8 > uint64(len(b)) {
		return Timestamp{}, corrupt("timestamp slot %#x", v)
	}
	return Timestamp{Millis: int64(le.Uint64(b[off:])), NanoOfMilli: int32(nanos)}, nil
}

// readValue reads a non-null value of type t whose slot (or array element)
// starts at pos inside the container b.
func readValue(b []byte, pos int, t *schema.DataType) (any, error) {
	switch t.Kind {
	case schema.Boolean:
		return b[pos] != 0, nil
	case schema.TinyInt:
		return int8(b[pos]), nil
	case schema.SmallInt:
		return int16(le.Uint16(b[pos:])), nil
	case schema.Int, schema.Date, schema.Time:
		return int32(le.Uint32(b[pos:])), nil
	case schema.BigInt:
		return int64(le.Uint64(b[pos:])), nil
	case schema.Float:
		return math.Float32frombits(le.Uint32(b[pos:])), nil
	case schema.Double:
		return math.Float64frombits(le.Uint64(b[pos:])), nil
	case schema.Char, schema.VarChar:
		s, err := readBytes(b, pos)
		return string(s), err
	case schema.Binary, schema.VarBinary, schema.Blob:
		s, err := readBytes(b, pos)
		if err != nil {
			return nil, err
		}
		return append([]byte{}, s...), nil
	case schema.Decimal:
		return readDecimal(b, pos, t.Precision, t.Scale)
	case schema.Timestamp, schema.TimestampLTZ:
		return readTimestamp(b, pos, t.Precision)
	case schema.Row, schema.Array, schema.Map, schema.Multiset:
		off, n, err := varSpan(b, pos)
		if err != nil {
			return nil, err
		}
		return decodeNested(b[off:off+n:off+n], t)
	}
	return nil, fmt.Errorf("%w: kind %d", ErrUnsupported, t.Kind)
}

func decodeNested(b []byte, t *schema.DataType) (any, error) {
	switch t.Kind {
	case schema.Row:
		r, err := NewRow(b, len(t.Fields))
		if err != nil {
			return nil, err
		}
		out := make([]any, len(t.Fields))
		for i := range t.Fields {
			if r.IsNull(i) {
				continue
			}
			if out[i], err = readValue(b, r.pos(i), &t.Fields[i].Type); err != nil {
				return nil, err
			}
		}
		return out, nil
	case schema.Array:
		if t.Elem == nil {
			return nil, fmt.Errorf("%w: array without element type", ErrUnsupported)
		}
		return decodeArray(b, t.Elem)
	default: // Map, Multiset
		kt, vt := mapTypes(t)
		if kt == nil || vt == nil {
			return nil, fmt.Errorf("%w: map without key/value type", ErrUnsupported)
		}
		if len(b) < 4 {
			return nil, corrupt("map of %d bytes", len(b))
		}
		ks := int64(int32(le.Uint32(b)))
		if ks < 0 || 4+ks > int64(len(b)) {
			return nil, corrupt("map key array size %d", ks)
		}
		keys, err := decodeArray(b[4:4+ks], kt)
		if err != nil {
			return nil, err
		}
		vals, err := decodeArray(b[4+ks:], vt)
		if err != nil {
			return nil, err
		}
		if len(keys) != len(vals) {
			return nil, corrupt("map with %d keys and %d values", len(keys), len(vals))
		}
		return Map{Keys: keys, Values: vals}, nil
	}
}

func decodeArray(b []byte, et *schema.DataType) ([]any, error) {
	if len(b) < 4 {
		return nil, corrupt("array of %d bytes", len(b))
	}
	n := int64(int32(le.Uint32(b)))
	es := int64(elemSize(et))
	if n < 0 || 4+(n+31)/32*4+n*es > int64(len(b)) {
		return nil, corrupt("array of %d elements in %d bytes", n, len(b))
	}
	hdr := arrayHeader(int(n))
	out := make([]any, n)
	var err error
	for i := range out {
		if b[4+i>>3]&(1<<uint(i&7)) != 0 {
			continue
		}
		if out[i], err = readValue(b, hdr+int(es)*i, et); err != nil {
			return nil, err
		}
	}
	return out, nil
}
