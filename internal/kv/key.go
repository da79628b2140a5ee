package kv

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// ErrKeyType reports a column type that cannot be part of a sort key.
var ErrKeyType = errors.New("kv: unsupported key type")

// KeyEncoder turns rows of key columns into byte strings whose
// bytes.Compare order is Paimon's key order: field by field, each field in
// its natural order (strings and binaries as unsigned bytes, floats in
// Java's Float.compare order with -0.0 < 0.0 and NaN largest, decimals and
// timestamps numerically), nulls first. A column can be marked descending.
//
// Encoding a row never allocates once dst has grown; a KeyEncoder is safe
// for concurrent use (it holds no per-call state).
//
// Each field is a marker byte (0x00 null, 0x01 not null) followed, when
// not null, by the value: integers big-endian with the sign bit flipped,
// floats as their canonical IEEE bits with the usual sign trick, decimals
// as a 128-bit signed big-endian integer (one column shares one scale),
// booleans as one byte, and strings and binaries with every 0x00 byte
// written as 0x00 0xFF and a 0x00 0x00 terminator, which keeps every
// field's encoding prefix-free so that concatenated fields compare field
// by field. A descending field has its value bytes inverted; its nulls
// still come first.
type KeyEncoder struct {
	types      []arrow.DataType
	descending []bool
	kinds      []keyKind
	widths     []int // value bytes of fixed-width kinds
}

type keyKind uint8

const (
	kBool keyKind = iota
	kInt8
	kInt16
	kInt32
	kInt64
	kFloat32
	kFloat64
	kDecimal128
	kVar      // string/binary with int32 offsets
	kLargeVar // int64 offsets
	kFixedBin
)

// Markers that start each encoded field.
const (
	markNull    = 0x00
	markNotNull = 0x01
)

// NewKeyEncoder returns an encoder for columns of the given Arrow types.
// descending may be nil (all ascending). Supported: boolean, integers,
// floats, decimal128, string, binary, fixed-size binary, date32, time32/64,
// timestamp. Anything else gives ErrKeyType.
func NewKeyEncoder(types []arrow.DataType, descending []bool) (*KeyEncoder, error) {
	if descending != nil && len(descending) != len(types) {
		return nil, fmt.Errorf("%w: %d descending flags for %d columns", ErrKeyType, len(descending), len(types))
	}
	e := &KeyEncoder{
		types:      types,
		descending: make([]bool, len(types)),
		kinds:      make([]keyKind, len(types)),
		widths:     make([]int, len(types)),
	}
	copy(e.descending, descending)
	for i, t := range types {
		k, w, err := kindOf(t)
		if err != nil {
			return nil, err
		}
		e.kinds[i], e.widths[i] = k, w
	}
	return e, nil
}

func kindOf(t arrow.DataType) (keyKind, int, error) {
	switch t.ID() {
	case arrow.BOOL:
		return kBool, 1, nil
	case arrow.INT8:
		return kInt8, 1, nil
	case arrow.INT16:
		return kInt16, 2, nil
	case arrow.INT32, arrow.DATE32, arrow.TIME32:
		return kInt32, 4, nil
	case arrow.INT64, arrow.DATE64, arrow.TIME64, arrow.TIMESTAMP, arrow.DURATION:
		return kInt64, 8, nil
	case arrow.FLOAT32:
		return kFloat32, 4, nil
	case arrow.FLOAT64:
		return kFloat64, 8, nil
	case arrow.DECIMAL128:
		return kDecimal128, 16, nil
	case arrow.STRING, arrow.BINARY:
		return kVar, 0, nil
	case arrow.LARGE_STRING, arrow.LARGE_BINARY:
		return kLargeVar, 0, nil
	case arrow.FIXED_SIZE_BINARY:
		return kFixedBin, t.(*arrow.FixedSizeBinaryType).ByteWidth, nil
	}
	return 0, 0, fmt.Errorf("%w: %s", ErrKeyType, t)
}

// Types returns the column types the encoder was built for.
func (e *KeyEncoder) Types() []arrow.DataType { return e.types }

// Append appends the encoding of row i of cols (one array per key column,
// in key order) to dst.
func (e *KeyEncoder) Append(dst []byte, cols []arrow.Array, i int) []byte {
	for c, col := range cols {
		if col.IsNull(i) {
			dst = append(dst, markNull)
			continue
		}
		dst = append(dst, markNotNull)
		start := len(dst)
		switch e.kinds[c] {
		case kBool:
			if col.(*array.Boolean).Value(i) {
				dst = append(dst, 1)
			} else {
				dst = append(dst, 0)
			}
		case kInt8:
			dst = append(dst, uint8(col.(*array.Int8).Value(i))^0x80)
		case kInt16:
			dst = binary.BigEndian.AppendUint16(dst, uint16(col.(*array.Int16).Value(i))^0x8000)
		case kInt32:
			dst = binary.BigEndian.AppendUint32(dst, uint32(fixedInt32(col)[i])^(1<<31))
		case kInt64:
			dst = binary.BigEndian.AppendUint64(dst, uint64(fixedInt64(col)[i])^(1<<63))
		case kFloat32:
			dst = binary.BigEndian.AppendUint32(dst, float32Key(col.(*array.Float32).Value(i)))
		case kFloat64:
			dst = binary.BigEndian.AppendUint64(dst, float64Key(col.(*array.Float64).Value(i)))
		case kDecimal128:
			v := col.(*array.Decimal128).Value(i)
			dst = binary.BigEndian.AppendUint64(dst, uint64(v.HighBits())^(1<<63))
			dst = binary.BigEndian.AppendUint64(dst, v.LowBits())
		case kVar, kLargeVar:
			dst = appendEscaped(dst, VarBytes(col, i))
		case kFixedBin:
			dst = append(dst, col.(*array.FixedSizeBinary).Value(i)...)
		}
		if e.descending[c] {
			invert(dst[start:])
		}
	}
	return dst
}

// AppendAll encodes every row of cols into buf (appending) and records in
// offs the end offset of each row's key (appending), so that row r's key is
// buf[offs[r-1]:offs[r]] relative to the start offset. One allocation-free
// pass per column.
func (e *KeyEncoder) AppendAll(buf []byte, offs []int, cols []arrow.Array) ([]byte, []int) {
	if len(cols) == 0 {
		return buf, offs
	}
	n := cols[0].Len()
	if n == 0 {
		return buf, offs
	}
	o0 := len(offs)
	offs = growInts(offs, n)
	row := offs[o0:]
	clear(row)
	// Pass 1: the length of each row's key.
	for c, col := range cols {
		k, w := e.kinds[c], e.widths[c]
		nulls := col.NullN() > 0
		switch k {
		case kVar, kLargeVar:
			for r := range row {
				if nulls && col.IsNull(r) {
					row[r]++
					continue
				}
				v := VarBytes(col, r)
				row[r] += 3 + len(v) + bytes.Count(v, zero)
			}
		default:
			if !nulls {
				for r := range row {
					row[r] += 1 + w
				}
				continue
			}
			for r := range row {
				if col.IsNull(r) {
					row[r]++
				} else {
					row[r] += 1 + w
				}
			}
		}
	}
	// Turn lengths into start positions.
	pos := len(buf)
	for r, l := range row {
		row[r] = pos
		pos += l
	}
	total := pos - len(buf)
	buf = growBytes(buf, total)
	// Pass 2: write each column at each row's cursor.
	for c, col := range cols {
		e.writeColumn(buf, row, c, col)
	}
	return buf, offs
}

var zero = []byte{0}

func (e *KeyEncoder) writeColumn(buf []byte, cur []int, c int, col arrow.Array) {
	nulls := col.NullN() > 0
	desc := e.descending[c]
	switch e.kinds[c] {
	case kInt32:
		vs := fixedInt32(col)
		for r := range cur {
			p := cur[r]
			if nulls && col.IsNull(r) {
				buf[p] = markNull
				cur[r] = p + 1
				continue
			}
			buf[p] = markNotNull
			u := uint32(vs[r]) ^ (1 << 31)
			if desc {
				u = ^u
			}
			binary.BigEndian.PutUint32(buf[p+1:], u)
			cur[r] = p + 5
		}
		return
	case kInt64:
		vs := fixedInt64(col)
		for r := range cur {
			p := cur[r]
			if nulls && col.IsNull(r) {
				buf[p] = markNull
				cur[r] = p + 1
				continue
			}
			buf[p] = markNotNull
			u := uint64(vs[r]) ^ (1 << 63)
			if desc {
				u = ^u
			}
			binary.BigEndian.PutUint64(buf[p+1:], u)
			cur[r] = p + 9
		}
		return
	case kVar:
		var offsets []int32
		var data []byte
		switch a := col.(type) {
		case *array.String:
			offsets, data = a.ValueOffsets(), a.ValueBytes()
		case *array.Binary:
			offsets, data = a.ValueOffsets(), a.ValueBytes()
		}
		base := int(offsets[0])
		for r := range cur {
			p := cur[r]
			if nulls && col.IsNull(r) {
				buf[p] = markNull
				cur[r] = p + 1
				continue
			}
			buf[p] = markNotNull
			q := putEscaped(buf, p+1, data[int(offsets[r])-base:int(offsets[r+1])-base])
			if desc {
				invert(buf[p+1 : q])
			}
			cur[r] = q
		}
		return
	}
	for r := range cur {
		if nulls && col.IsNull(r) {
			buf[cur[r]] = markNull
			cur[r]++
			continue
		}
		p := cur[r]
		buf[p] = markNotNull
		p++
		start := p
		switch e.kinds[c] {
		case kBool:
			if col.(*array.Boolean).Value(r) {
				buf[p] = 1
			} else {
				buf[p] = 0
			}
			p++
		case kInt8:
			buf[p] = uint8(col.(*array.Int8).Value(r)) ^ 0x80
			p++
		case kInt16:
			binary.BigEndian.PutUint16(buf[p:], uint16(col.(*array.Int16).Value(r))^0x8000)
			p += 2
		case kFloat32:
			binary.BigEndian.PutUint32(buf[p:], float32Key(col.(*array.Float32).Value(r)))
			p += 4
		case kFloat64:
			binary.BigEndian.PutUint64(buf[p:], float64Key(col.(*array.Float64).Value(r)))
			p += 8
		case kDecimal128:
			v := col.(*array.Decimal128).Value(r)
			binary.BigEndian.PutUint64(buf[p:], uint64(v.HighBits())^(1<<63))
			binary.BigEndian.PutUint64(buf[p+8:], v.LowBits())
			p += 16
		case kLargeVar:
			p = putEscaped(buf, p, VarBytes(col, r))
		case kFixedBin:
			p += copy(buf[p:], col.(*array.FixedSizeBinary).Value(r))
		}
		if desc {
			invert(buf[start:p])
		}
		cur[r] = p
	}
}

// The typed value slices below are re-derived per call; they are cheap
// (no copies) and keep the encoder free of per-call state.

func fixedInt32(col arrow.Array) []int32 {
	d := col.Data()
	return arrow.Int32Traits.CastFromBytes(d.Buffers()[1].Bytes())[d.Offset():]
}

func fixedInt64(col arrow.Array) []int64 {
	d := col.Data()
	return arrow.Int64Traits.CastFromBytes(d.Buffers()[1].Bytes())[d.Offset():]
}

// VarBytes returns the bytes of row i of a string or binary array
// (without copying; nil for other types).
func VarBytes(col arrow.Array, i int) []byte {
	switch a := col.(type) {
	case *array.String:
		return unsafeBytes(a.Value(i))
	case *array.Binary:
		return a.Value(i)
	case *array.LargeString:
		return unsafeBytes(a.Value(i))
	case *array.LargeBinary:
		return a.Value(i)
	}
	return nil
}

func float32Key(f float32) uint32 {
	if f != f {
		return 0x7fc00000 | 1<<31
	}
	b := math.Float32bits(f)
	if b&(1<<31) != 0 {
		return ^b
	}
	return b | 1<<31
}

func float64Key(f float64) uint64 {
	if f != f {
		return 0x7ff8000000000000 | 1<<63
	}
	b := math.Float64bits(f)
	if b&(1<<63) != 0 {
		return ^b
	}
	return b | 1<<63
}

func appendEscaped(dst, v []byte) []byte {
	for {
		i := bytes.IndexByte(v, 0)
		if i < 0 {
			dst = append(dst, v...)
			break
		}
		dst = append(dst, v[:i]...)
		dst = append(dst, 0x00, 0xFF)
		v = v[i+1:]
	}
	return append(dst, 0x00, 0x00)
}

func putEscaped(buf []byte, p int, v []byte) int {
	for {
		i := bytes.IndexByte(v, 0)
		if i < 0 {
			p += copy(buf[p:], v)
			break
		}
		p += copy(buf[p:], v[:i])
		buf[p], buf[p+1] = 0x00, 0xFF
		p += 2
		v = v[i+1:]
	}
	buf[p], buf[p+1] = 0x00, 0x00
	return p + 2
}

func invert(b []byte) {
	for i := range b {
		b[i] = ^b[i]
	}
}

func growInts(s []int, n int) []int {
	if cap(s)-len(s) < n {
		ns := make([]int, len(s), 2*cap(s)+n)
		copy(ns, s)
		s = ns
	}
	return s[:len(s)+n]
}

func growBytes(s []byte, n int) []byte {
	if cap(s)-len(s) < n {
		ns := make([]byte, len(s), 2*cap(s)+n)
		copy(ns, s)
		s = ns
	}
	return s[:len(s)+n]
}
