package merge

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"sort"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// This file holds the cell helpers of the aggregate functions over nested
// values (collect, merge_map, nested_update, ...): copying a cell into a
// builder, comparing cells, and Java's hash codes and HashMap iteration
// order, which decide the element order of the arrays and maps Paimon
// builds.

// appendCell appends row i of arr (nil arr: null) to b, a builder of the
// same Arrow type.
func appendCell(b array.Builder, arr arrow.Array, i int) error {
	if arr == nil || arr.IsNull(i) {
		b.AppendNull()
		return nil
	}
	switch a := arr.(type) {
	case *array.Boolean:
		b.(*array.BooleanBuilder).Append(a.Value(i))
	case *array.Int8:
		b.(*array.Int8Builder).Append(a.Value(i))
	case *array.Int16:
		b.(*array.Int16Builder).Append(a.Value(i))
	case *array.Int32:
		b.(*array.Int32Builder).Append(a.Value(i))
	case *array.Int64:
		b.(*array.Int64Builder).Append(a.Value(i))
	case *array.Float32:
		b.(*array.Float32Builder).Append(a.Value(i))
	case *array.Float64:
		b.(*array.Float64Builder).Append(a.Value(i))
	case *array.String:
		b.(*array.StringBuilder).Append(a.Value(i))
	case *array.LargeString:
		b.(*array.LargeStringBuilder).Append(a.Value(i))
	case *array.Binary:
		b.(*array.BinaryBuilder).Append(a.Value(i))
	case *array.LargeBinary:
		b.(*array.BinaryBuilder).Append(a.Value(i))
	case *array.FixedSizeBinary:
		b.(*array.FixedSizeBinaryBuilder).Append(a.Value(i))
	case *array.Date32:
		b.(*array.Date32Builder).Append(a.Value(i))
	case *array.Time32:
		b.(*array.Time32Builder).Append(a.Value(i))
	case *array.Time64:
		b.(*array.Time64Builder).Append(a.Value(i))
	case *array.Timestamp:
		b.(*array.TimestampBuilder).Append(a.Value(i))
	case *array.Decimal128:
		b.(*array.Decimal128Builder).Append(a.Value(i))
	case *array.List:
		lb := b.(*array.ListBuilder)
		lb.Append(true)
		s, e := a.ValueOffsets(i)
		for j := int(s); j < int(e); j++ {
			if err := appendCell(lb.ValueBuilder(), a.ListValues(), j); err != nil {
				return err
			}
		}
	case *array.FixedSizeList:
		lb := b.(*array.FixedSizeListBuilder)
		lb.Append(true)
		s, e := a.ValueOffsets(i)
		for j := int(s); j < int(e); j++ {
			if err := appendCell(lb.ValueBuilder(), a.ListValues(), j); err != nil {
				return err
			}
		}
	case *array.Map:
		mb := b.(*array.MapBuilder)
		mb.Append(true)
		s, e := a.ValueOffsets(i)
		for j := int(s); j < int(e); j++ {
			if err := appendCell(mb.KeyBuilder(), a.Keys(), j); err != nil {
				return err
			}
			if err := appendCell(mb.ItemBuilder(), a.Items(), j); err != nil {
				return err
			}
		}
	case *array.Struct:
		sb := b.(*array.StructBuilder)
		sb.Append(true)
		for k := 0; k < a.NumField(); k++ {
			if err := appendCell(sb.FieldBuilder(k), a.Field(k), i); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("%w: aggregate value of Arrow type %s", ErrUnsupported, arr.DataType())
	}
	return nil
}

// listCells appends the elements of list cell c to dst.
func listCells(dst []cell, c cell) []cell {
	l := c.arr.(*array.List)
	s, e := l.ValueOffsets(c.row)
	for j := int(s); j < int(e); j++ {
		dst = append(dst, cell{arr: l.ListValues(), row: j})
	}
	return dst
}

// mapCells appends the keys and values of map cell c to ks and vs.
func mapCells(ks, vs []cell, c cell) ([]cell, []cell) {
	m := c.arr.(*array.Map)
	s, e := m.ValueOffsets(c.row)
	for j := int(s); j < int(e); j++ {
		ks = append(ks, cell{arr: m.Keys(), row: j})
		vs = append(vs, cell{arr: m.Items(), row: j})
	}
	return ks, vs
}

// structField returns field k of struct cell c.
func structField(c cell, k int) cell {
	return cell{arr: c.arr.(*array.Struct).Field(k), row: c.row}
}

// cellsEqual compares two cells deeply by content (nulls equal nulls),
// the way Paimon's generated record equalisers compare the fields of rows:
// floats with ==, binaries and strings by bytes, nested values element by
// element.
func cellsEqual(x, y cell) bool {
	xn, yn := x.null(), y.null()
	if xn || yn {
		return xn && yn
	}
	switch a := x.arr.(type) {
	case *array.Boolean:
		return a.Value(x.row) == y.arr.(*array.Boolean).Value(y.row)
	case *array.Int8, *array.Int16, *array.Int32, *array.Int64, *array.Date32, *array.Time32, *array.Time64, *array.Timestamp:
		return intValue(x.arr, x.row) == intValue(y.arr, y.row)
	case *array.Float32:
		return a.Value(x.row) == y.arr.(*array.Float32).Value(y.row)
	case *array.Float64:
		return a.Value(x.row) == y.arr.(*array.Float64).Value(y.row)
	case *array.Decimal128:
		return a.Value(x.row) == y.arr.(*array.Decimal128).Value(y.row)
	case *array.String, *array.LargeString, *array.Binary, *array.LargeBinary, *array.FixedSizeBinary:
		return bytes.Equal(cellBytes(x.arr, x.row), cellBytes(y.arr, y.row))
	case *array.List:
		b := y.arr.(*array.List)
		xs, xe := a.ValueOffsets(x.row)
		ys, ye := b.ValueOffsets(y.row)
		if xe-xs != ye-ys {
			return false
		}
		for j := int64(0); j < xe-xs; j++ {
			if !cellsEqual(cell{arr: a.ListValues(), row: int(xs + j)}, cell{arr: b.ListValues(), row: int(ys + j)}) {
				return false
			}
		}
		return true
	case *array.FixedSizeList:
		b := y.arr.(*array.FixedSizeList)
		xs, xe := a.ValueOffsets(x.row)
		ys, _ := b.ValueOffsets(y.row)
		for j := int64(0); j < xe-xs; j++ {
			if !cellsEqual(cell{arr: a.ListValues(), row: int(xs + j)}, cell{arr: b.ListValues(), row: int(ys + j)}) {
				return false
			}
		}
		return true
	case *array.Map:
		b := y.arr.(*array.Map)
		xs, xe := a.ValueOffsets(x.row)
		ys, ye := b.ValueOffsets(y.row)
		if xe-xs != ye-ys {
			return false
		}
		for j := int64(0); j < xe-xs; j++ {
			if !cellsEqual(cell{arr: a.Keys(), row: int(xs + j)}, cell{arr: b.Keys(), row: int(ys + j)}) ||
				!cellsEqual(cell{arr: a.Items(), row: int(xs + j)}, cell{arr: b.Items(), row: int(ys + j)}) {
				return false
			}
		}
		return true
	case *array.Struct:
		for k := 0; k < a.NumField(); k++ {
			if !cellsEqual(structField(x, k), structField(y, k)) {
				return false
			}
		}
		return true
	}
	return false
}

// javaHashable reports whether Java hashes and compares values of Arrow
// type at by content when boxed (Integer, BinaryString, Decimal, ...).
// Binaries are byte[] in Java, hashed and compared by identity: two
// binary values are never the same HashMap key or HashSet element.
// Nested values have no content hash floe can reproduce.
func javaHashable(at arrow.DataType) bool {
	switch at.ID() {
	case arrow.BOOL, arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.FLOAT32, arrow.FLOAT64,
		arrow.STRING, arrow.LARGE_STRING, arrow.DATE32, arrow.TIME32, arrow.TIME64, arrow.TIMESTAMP, arrow.DECIMAL128:
		return true
	}
	return false
}

// javaEqual is Java's equals of two boxed non-null values of a
// javaHashable type (Float.equals and Double.equals compare bits, NaNs
// canonicalised).
func javaEqual(x, y cell) bool {
	switch a := x.arr.(type) {
	case *array.Float32:
		return javaFloatBits(a.Value(x.row)) == javaFloatBits(y.arr.(*array.Float32).Value(y.row))
	case *array.Float64:
		return javaDoubleBits(a.Value(x.row)) == javaDoubleBits(y.arr.(*array.Float64).Value(y.row))
	case *array.Time32, *array.Time64:
		return timeMillis(x) == timeMillis(y)
	}
	return cellsEqual(x, y)
}

func javaFloatBits(f float32) uint32 {
	if f != f {
		return 0x7fc00000
	}
	return math.Float32bits(f)
}

func javaDoubleBits(f float64) uint64 {
	if f != f {
		return 0x7ff8000000000000
	}
	return math.Float64bits(f)
}

// timeMillis is a TIME cell's value in milliseconds (Paimon's int).
func timeMillis(c cell) int32 {
	switch a := c.arr.(type) {
	case *array.Time32:
		if a.DataType().(*arrow.Time32Type).Unit == arrow.Second {
			return int32(a.Value(c.row)) * 1000
		}
		return int32(a.Value(c.row))
	case *array.Time64:
		if a.DataType().(*arrow.Time64Type).Unit == arrow.Microsecond {
			return int32(int64(a.Value(c.row)) / 1000)
		}
		return int32(int64(a.Value(c.row)) / 1_000_000)
	}
	return 0
}

// javaHash is Java's hashCode of the boxed value of a non-null cell of a
// javaHashable type: Integer, Long, Boolean, Float, Double, Paimon's
// BinaryString, Decimal (BigDecimal's) and Timestamp.
func javaHash(c cell) int32 {
	switch a := c.arr.(type) {
	case *array.Boolean:
		if a.Value(c.row) {
			return 1231
		}
		return 1237
	case *array.Int8:
		return int32(a.Value(c.row))
	case *array.Int16:
		return int32(a.Value(c.row))
	case *array.Int32:
		return a.Value(c.row)
	case *array.Date32:
		return int32(a.Value(c.row))
	case *array.Int64:
		v := uint64(a.Value(c.row))
		return int32(v ^ v>>32)
	case *array.Float32:
		return int32(javaFloatBits(a.Value(c.row)))
	case *array.Float64:
		v := javaDoubleBits(a.Value(c.row))
		return int32(v ^ v>>32)
	case *array.Time32, *array.Time64:
		return timeMillis(c)
	case *array.String, *array.LargeString:
		return binaryStringHash(cellBytes(c.arr, c.row))
	case *array.Timestamp:
		ts := timestampOf(a, c.row)
		ret := int32(ts.ms) ^ int32(ts.ms>>32)
		return 31*ret + ts.nano
	case *array.Decimal128:
		scale := a.DataType().(*arrow.Decimal128Type).Scale
		return bigDecimalHash(a.Value(c.row).BigInt(), scale)
	}
	return 0
}

type javaTimestamp struct {
	ms   int64
	nano int32
}

// timestampOf converts an Arrow timestamp to Paimon's millis and
// nanos-of-milli.
func timestampOf(a *array.Timestamp, i int) javaTimestamp {
	v := int64(a.Value(i))
	var per int64
	switch a.DataType().(*arrow.TimestampType).Unit {
	case arrow.Second:
		return javaTimestamp{ms: v * 1000}
	case arrow.Millisecond:
		return javaTimestamp{ms: v}
	case arrow.Microsecond:
		per = 1000
	default:
		per = 1_000_000
	}
	ms, r := v/per, v%per
	if r < 0 {
		ms--
		r += per
	}
	return javaTimestamp{ms: ms, nano: int32(r * (1_000_000 / per))}
}

// binaryStringHash is Paimon's BinaryString.hashCode: MurmurHash3 (x86,
// 32 bit, seed 42) over the little-endian ints of the UTF-8 bytes, then
// each remaining byte (sign-extended) as one more block.
func binaryStringHash(b []byte) int32 {
	h := uint32(42)
	n := len(b) &^ 3
	for i := 0; i < n; i += 4 {
		h = murmurMix(h, binary.LittleEndian.Uint32(b[i:]))
	}
	for i := n; i < len(b); i++ {
		h = murmurMix(h, uint32(int32(int8(b[i]))))
	}
	h ^= uint32(len(b))
	h ^= h >> 16
	h *= 0x85ebca6b
	h ^= h >> 13
	h *= 0xc2b2ae35
	h ^= h >> 16
	return int32(h)
}

func murmurMix(h, k uint32) uint32 {
	k *= 0xcc9e2d51
	k = bits.RotateLeft32(k, 15)
	k *= 0x1b873593
	h ^= k
	h = bits.RotateLeft32(h, 13)
	return h*5 + 0xe6546b64
}

// bigDecimalHash is java.math.BigDecimal.hashCode: 31 * the unscaled
// BigInteger's hashCode + scale.
func bigDecimalHash(unscaled *big.Int, scale int32) int32 {
	var h uint32
	mag := new(big.Int).Abs(unscaled).Bytes()
	// The magnitude as big-endian 32-bit words, without leading zeros.
	for pad := (4 - len(mag)%4) % 4; pad > 0; pad-- {
		mag = append([]byte{0}, mag...)
	}
	for i := 0; i < len(mag); i += 4 {
		h = 31*h + binary.BigEndian.Uint32(mag[i:])
	}
	hi := int32(h) * int32(unscaled.Sign())
	return 31*hi + scale
}

// javaHashed is the key set of a java.util.HashMap (or HashSet) made with
// new HashMap<>(): keys are found by hash and an equality, and iterate in
// Java's order, by bucket (the spread hash masked by the capacity the
// table grew to) and within a bucket in insertion order. floe follows the
// table's growth (doubling past 3/4 full, and when a bin of 8 keys gets
// another below capacity 64); bins Java would turn into trees (9 or more
// colliding keys at capacity 64 or more) keep insertion order here.
// Unhashable keys (Java's identity-hashed byte[]) are never found again
// and iterate in insertion order.
type javaHashed struct {
	capacity int
	size     int
	bins     []int32
	hash     []int32
	live     []bool
	byHash   map[int32][]int
	idx      []int
}

func (h *javaHashed) reset() {
	h.capacity, h.size, h.bins = 0, 0, h.bins[:0]
	h.hash, h.live, h.idx = h.hash[:0], h.live[:0], h.idx[:0]
	clear(h.byHash)
}

func spread(hc int32) uint32 { return uint32(hc) ^ uint32(hc)>>16 }

func (h *javaHashed) bucket(hc int32) int { return int(spread(hc) & uint32(h.capacity-1)) }

// find returns the live entry with hash hc for which eq holds, or -1.
func (h *javaHashed) find(hc int32, eq func(j int) bool) int {
	for _, j := range h.byHash[hc] {
		if h.live[j] && eq(j) {
			return j
		}
	}
	return -1
}

// add adds a new key with hash hc (hashed: false for identity keys) and
// returns its entry.
func (h *javaHashed) add(hc int32, hashed bool) int {
	j := len(h.hash)
	h.hash = append(h.hash, hc)
	h.live = append(h.live, true)
	if hashed {
		if h.byHash == nil {
			h.byHash = map[int32][]int{}
		}
		h.byHash[hc] = append(h.byHash[hc], j)
	}
	if h.capacity == 0 {
		h.resize(16)
	}
	b := h.bucket(hc)
	n := h.bins[b]
	h.bins[b]++
	h.size++
	if n >= 8 && h.capacity < 64 {
		h.resize(h.capacity * 2)
	}
	if h.size > h.capacity*3/4 {
		h.resize(h.capacity * 2)
	}
	return j
}

func (h *javaHashed) resize(c int) {
	h.capacity = c
	if cap(h.bins) < c {
		h.bins = make([]int32, c)
	}
	h.bins = h.bins[:c]
	clear(h.bins)
	for j, hc := range h.hash {
		if h.live[j] {
			h.bins[h.bucket(hc)]++
		}
	}
}

func (h *javaHashed) remove(j int) {
	if h.live[j] {
		h.live[j] = false
		h.size--
		h.bins[h.bucket(h.hash[j])]--
	}
}

// entries returns the live entries in Java's iteration order (insertion
// order when ordered is false).
func (h *javaHashed) entries(ordered bool) []int {
	h.idx = h.idx[:0]
	for j, ok := range h.live {
		if ok {
			h.idx = append(h.idx, j)
		}
	}
	if ordered && h.capacity > 0 {
		sort.SliceStable(h.idx, func(a, b int) bool { return h.bucket(h.hash[h.idx[a]]) < h.bucket(h.hash[h.idx[b]]) })
	}
	return h.idx
}
