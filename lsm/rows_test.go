package lsm

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

var rowTypes = []arrow.DataType{
	arrow.FixedWidthTypes.Boolean,
	arrow.PrimitiveTypes.Int8,
	arrow.PrimitiveTypes.Int16,
	arrow.PrimitiveTypes.Int32,
	arrow.PrimitiveTypes.Int64,
	arrow.PrimitiveTypes.Float32,
	arrow.PrimitiveTypes.Float64,
	arrow.FixedWidthTypes.Date32,
	&arrow.TimestampType{Unit: arrow.Microsecond},
	&arrow.Decimal128Type{Precision: 20, Scale: 3},
	&arrow.FixedSizeBinaryType{ByteWidth: 3},
	arrow.BinaryTypes.String,
	arrow.BinaryTypes.Binary,
	arrow.BinaryTypes.LargeString,
	arrow.BinaryTypes.LargeBinary,
}

func randomRecord(rng *rand.Rand, mem memory.Allocator, sc *arrow.Schema, n int) arrow.Record {
	b := array.NewRecordBuilder(mem, sc)
	defer b.Release()
	for c, f := range sc.Fields() {
		fb := b.Field(c)
		for range n {
			if rng.IntN(5) == 0 {
				fb.AppendNull()
				continue
			}
			switch fb := fb.(type) {
			case *array.BooleanBuilder:
				fb.Append(rng.IntN(2) == 0)
			case *array.Int8Builder:
				fb.Append(int8(rng.Int()))
			case *array.Int16Builder:
				fb.Append(int16(rng.Int()))
			case *array.Int32Builder:
				fb.Append(rng.Int32())
			case *array.Int64Builder:
				fb.Append(rng.Int64())
			case *array.Float32Builder:
				fb.Append(rng.Float32())
			case *array.Float64Builder:
				fb.Append(rng.Float64())
			case *array.Date32Builder:
				fb.Append(arrow.Date32(rng.Int32()))
			case *array.TimestampBuilder:
				fb.Append(arrow.Timestamp(rng.Int64()))
			case *array.Decimal128Builder:
				fb.Append(decimal128.New(rng.Int64(), rng.Uint64()))
			case *array.FixedSizeBinaryBuilder:
				fb.Append([]byte{byte(rng.Int()), byte(rng.Int()), byte(rng.Int())})
			case *array.StringBuilder:
				fb.Append(strings.Repeat("x", rng.IntN(40)))
			case *array.LargeStringBuilder:
				fb.Append(strings.Repeat("y", rng.IntN(40)))
			case *array.BinaryBuilder:
				// Binary, LargeString and LargeBinary.
				v := make([]byte, rng.IntN(3000))
				for i := range v {
					v[i] = byte(rng.Int())
				}
				fb.Append(v)
			default:
				panic(fmt.Sprintf("no generator for %s", f.Type))
			}
		}
	}
	return b.NewRecordBatch()
}

// TestRowStoreRoundTrip adds records (some sliced) of every type the row
// layout holds and reads rows back in random order.
func TestRowStoreRoundTrip(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	var fs []arrow.Field
	for i, dt := range rowTypes {
		fs = append(fs, arrow.Field{Name: fmt.Sprintf("c%d", i), Type: dt, Nullable: true})
	}
	sc := arrow.NewSchema(fs, nil)
	s := newRowStore(sc)
	if s == nil {
		t.Fatal("no row store for flat types")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	var srcs []arrow.Record
	type ref struct{ src, row int }
	var refs []ref
	for k := range 12 {
		n := 1 + rng.IntN(700)
		if k%3 == 0 {
			n += parallelFillRows // filled in two halves at once
		}
		rec := randomRecord(rng, mem, sc, n+6)
		sl := rec.NewSlice(3, int64(3+n))
		rec.Release()
		s.add(sl)
		for i := range n {
			refs = append(refs, ref{len(srcs), i})
		}
		srcs = append(srcs, sl)
	}
	defer func() {
		for _, r := range srcs {
			r.Release()
		}
	}()
	ids := rng.Perm(len(refs))
	for start := 0; start < len(ids); start += 500 {
		part := ids[start:min(len(ids), start+500)]
		ids32 := make([]int32, len(part))
		for i, id := range part {
			ids32[i] = int32(id)
		}
		var dec rowDecoder
		got := dec.decode(s, mem, sc, ids32)
		for c := range sc.NumFields() {
			col := got.Column(c)
			for i, id := range part {
				r := refs[id]
				want := srcs[r.src].Column(c)
				if !array.SliceEqual(col, int64(i), int64(i+1), want, int64(r.row), int64(r.row+1)) {
					t.Fatalf("column %d (%s) row %d: got %v, want %v", c, sc.Field(c).Type,
						id, col.ValueStr(i), want.ValueStr(r.row))
				}
			}
		}
		for _, col := range got.Columns() {
			if v, ok := col.(interface{ ValidateFull() error }); ok {
				if err := v.ValidateFull(); err != nil {
					t.Fatal(err)
				}
			}
		}
		got.Release()
	}
	s.reset()
}

func TestRowStoreNested(t *testing.T) {
	sc := arrow.NewSchema([]arrow.Field{{Name: "l", Type: arrow.ListOf(arrow.PrimitiveTypes.Int32)}}, nil)
	if newRowStore(sc) != nil {
		t.Fatal("a row store for a list column")
	}
}
