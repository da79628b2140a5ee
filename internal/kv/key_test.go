package kv_test

import (
	"bytes"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/internal/binrow"
	"github.com/floelake/floe/internal/kv"
	"github.com/floelake/floe/schema"
)

var keyTypes = []arrow.DataType{
	arrow.FixedWidthTypes.Boolean,
	arrow.PrimitiveTypes.Int8,
	arrow.PrimitiveTypes.Int16,
	arrow.PrimitiveTypes.Int32,
	arrow.PrimitiveTypes.Int64,
	arrow.PrimitiveTypes.Float32,
	arrow.PrimitiveTypes.Float64,
	&arrow.Decimal128Type{Precision: 38, Scale: 4},
	&arrow.Decimal128Type{Precision: 10, Scale: 2},
	arrow.BinaryTypes.String,
	arrow.BinaryTypes.Binary,
	arrow.FixedWidthTypes.Date32,
	arrow.FixedWidthTypes.Time32ms,
	&arrow.TimestampType{Unit: arrow.Millisecond},
	&arrow.TimestampType{Unit: arrow.Microsecond},
}

// randArray builds n random values of t with few distinct values so that
// ties and shared prefixes are common.
func randArray(t *testing.T, rng *rand.Rand, mem memory.Allocator, dt arrow.DataType, n int) arrow.Array {
	b := array.NewBuilder(mem, dt)
	defer b.Release()
	for range n {
		if rng.IntN(8) == 0 {
			b.AppendNull()
			continue
		}
		small := int64(rng.IntN(7)) - 3
		if rng.IntN(4) == 0 {
			small = rng.Int64()
		}
		switch b := b.(type) {
		case *array.BooleanBuilder:
			b.Append(rng.IntN(2) == 0)
		case *array.Int8Builder:
			b.Append(int8(small))
		case *array.Int16Builder:
			b.Append(int16(small))
		case *array.Int32Builder:
			b.Append(int32(small))
		case *array.Int64Builder:
			b.Append(small)
		case *array.Float32Builder:
			specials := []float32{0, float32(math.Copysign(0, -1)), float32(math.NaN()), -float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 1.5, -1.5, math.MaxFloat32, math.SmallestNonzeroFloat32}
			if rng.IntN(2) == 0 {
				b.Append(specials[rng.IntN(len(specials))])
			} else {
				b.Append(float32(rng.NormFloat64()))
			}
		case *array.Float64Builder:
			specials := []float64{0, math.Copysign(0, -1), math.NaN(), math.Float64frombits(0xfff8000000000001), math.Inf(1), math.Inf(-1), 1.5, -1.5, math.MaxFloat64, math.SmallestNonzeroFloat64}
			if rng.IntN(2) == 0 {
				b.Append(specials[rng.IntN(len(specials))])
			} else {
				b.Append(rng.NormFloat64() * 1e6)
			}
		case *array.Decimal128Builder:
			p := b.Type().(*arrow.Decimal128Type).Precision
			var v decimal128.Num
			if p > 18 && rng.IntN(2) == 0 {
				v = decimal128.New(int64(small), rng.Uint64())
			} else {
				v = decimal128.FromI64(small % 1_000_000_000)
			}
			b.Append(v)
		case *array.StringBuilder:
			b.Append(string(randBytes(rng)))
		case *array.BinaryBuilder:
			b.Append(randBytes(rng))
		case *array.Date32Builder:
			b.Append(arrow.Date32(small))
		case *array.Time32Builder:
			b.Append(arrow.Time32(small & 0xffffff))
		case *array.TimestampBuilder:
			b.Append(arrow.Timestamp(small))
		default:
			t.Fatalf("no generator for %T", b)
		}
	}
	return b.NewArray()
}

func randBytes(rng *rand.Rand) []byte {
	alphabet := []byte{0x00, 0x01, 'a', 'b', 0xFE, 0xFF}
	out := make([]byte, rng.IntN(5))
	for i := range out {
		out[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return out
}

// javaCompare compares row i and j of cols with binrow.CompareValues.
func javaCompare(t *testing.T, cols []arrow.Array, desc []bool, i, j int) int {
	for c, col := range cols {
		st, err := schema.FromArrow(col.DataType(), true)
		if err != nil {
			t.Fatal(err)
		}
		a, err := binrow.ArrowValue(st, col, i)
		if err != nil {
			t.Fatal(err)
		}
		b, err := binrow.ArrowValue(st, col, j)
		if err != nil {
			t.Fatal(err)
		}
		r := binrow.CompareValues(st, a, b)
		if desc != nil && desc[c] && a != nil && b != nil {
			r = -r
		}
		if r != 0 {
			return r
		}
	}
	return 0
}

func sign(x int) int {
	switch {
	case x < 0:
		return -1
	case x > 0:
		return 1
	}
	return 0
}

func checkOrder(t *testing.T, rng *rand.Rand, cols []arrow.Array, desc []bool) {
	t.Helper()
	types := make([]arrow.DataType, len(cols))
	for i, c := range cols {
		types[i] = c.DataType()
	}
	enc, err := kv.NewKeyEncoder(types, desc)
	if err != nil {
		t.Fatal(err)
	}
	n := cols[0].Len()
	prefix := []byte("junk")
	buf, offs := enc.AppendAll(append([]byte(nil), prefix...), []int{7}, cols)
	if len(offs) != n+1 {
		t.Fatalf("offs: %d entries, want %d", len(offs), n+1)
	}
	key := func(r int) []byte {
		start := len(prefix)
		if r > 0 {
			start = offs[r]
		}
		return buf[start:offs[r+1]]
	}
	for r := range n {
		if one := enc.Append(nil, cols, r); !bytes.Equal(one, key(r)) {
			t.Fatalf("row %d: Append %x, AppendAll %x", r, one, key(r))
		}
	}
	for range 4 * n {
		i, j := rng.IntN(n), rng.IntN(n)
		want := javaCompare(t, cols, desc, i, j)
		if got := sign(bytes.Compare(key(i), key(j))); got != want {
			t.Fatalf("%v rows %d, %d: bytes.Compare %d, Java order %d (keys %x, %x)", types, i, j, got, want, key(i), key(j))
		}
	}
}

func TestKeyEncoderSingleColumns(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, dt := range keyTypes {
		for _, desc := range []bool{false, true} {
			t.Run(dt.String(), func(t *testing.T) {
				a := randArray(t, rng, mem, dt, 300)
				defer a.Release()
				checkOrder(t, rng, []arrow.Array{a}, []bool{desc})
				// A sliced array must encode the same as its values.
				s := array.NewSlice(a, 17, 200)
				defer s.Release()
				checkOrder(t, rng, []arrow.Array{s}, []bool{desc})
			})
		}
	}
}

func TestKeyEncoderComposite(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	rng := rand.New(rand.NewPCG(3, 4))
	for range 60 {
		nc := 1 + rng.IntN(4)
		cols := make([]arrow.Array, nc)
		desc := make([]bool, nc)
		for c := range cols {
			cols[c] = randArray(t, rng, mem, keyTypes[rng.IntN(len(keyTypes))], 400)
			desc[c] = rng.IntN(3) == 0
		}
		checkOrder(t, rng, cols, desc)
		for _, c := range cols {
			c.Release()
		}
	}
}

func TestKeyEncoderStringEscapes(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	b := array.NewStringBuilder(mem)
	vals := []string{"", "\x00", "\x00\x00", "\x00\x01", "\x01", "a", "a\x00", "a\x00b", "ab", "\xff", "\xff\x00"}
	for _, v := range vals {
		b.Append(v)
	}
	b.AppendNull()
	s := b.NewArray()
	b.Release()
	defer s.Release()
	ib := array.NewInt32Builder(mem)
	for i := range s.Len() {
		ib.Append(int32(i % 3))
	}
	ia := ib.NewArray()
	ib.Release()
	defer ia.Release()
	rng := rand.New(rand.NewPCG(5, 6))
	for _, desc := range [][]bool{{false, false}, {true, false}, {false, true}} {
		checkOrder(t, rng, []arrow.Array{s, ia}, desc)
	}
}

func TestKeyEncoderUnsupported(t *testing.T) {
	_, err := kv.NewKeyEncoder([]arrow.DataType{arrow.ListOf(arrow.PrimitiveTypes.Int32)}, nil)
	if err == nil {
		t.Fatal("list key accepted")
	}
}
