package predicate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/internal/binrow"
	"github.com/floelake/floe/schema"
)

// randValue returns a random binrow value of t from a small domain, so
// that rows and literals collide often. fine asks for timestamps finer than
// the column's precision.
func randValue(r *rand.Rand, t schema.DataType, fine bool) any {
	pick := func(vs ...any) any { return vs[r.IntN(len(vs))] }
	switch t.Kind {
	case schema.Boolean:
		return r.IntN(2) == 0
	case schema.TinyInt:
		return pick(int8(-2), int8(-1), int8(0), int8(1), int8(2), int8(math.MinInt8), int8(math.MaxInt8))
	case schema.SmallInt:
		return pick(int16(-2), int16(0), int16(1), int16(2), int16(math.MinInt16), int16(math.MaxInt16))
	case schema.Int:
		return pick(int32(-2), int32(0), int32(1), int32(2), int32(math.MinInt32), int32(math.MaxInt32))
	case schema.BigInt:
		return pick(int64(-2), int64(0), int64(1), int64(2), int64(math.MinInt64), int64(math.MaxInt64))
	case schema.Float:
		return pick(float32(-1.5), float32(math.Copysign(0, -1)), float32(0), float32(1), float32(2.5),
			float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)))
	case schema.Double:
		return pick(-1.5, math.Copysign(0, -1), 0.0, 1.0, 2.5, math.NaN(), math.Inf(1), math.Inf(-1))
	case schema.Decimal:
		if t.Precision > 18 && r.IntN(3) == 0 {
			d, _ := binrow.ParseDecimal(pick("12345678901234567890.1234", "-12345678901234567890.1234").(string), t.Precision, t.Scale)
			return d
		}
		return binrow.NewDecimal(int64(r.IntN(7)-3)*50, t.Precision, t.Scale)
	case schema.Char, schema.VarChar:
		return pick("", "a", "ab", "b", "\xff", "é")
	case schema.Binary:
		return pick([]byte{0, 0}, []byte{0, 1}, []byte{1, 0}, []byte{0xff, 0})
	case schema.VarBinary:
		return pick([]byte{}, []byte{0}, []byte{0, 1}, []byte{1}, []byte{0xff})
	case schema.Date:
		return int32(r.IntN(7) - 3)
	case schema.Time:
		return int32(r.IntN(5) * 500)
	case schema.Timestamp, schema.TimestampLTZ:
		ms := int64(r.IntN(7) - 3)
		var ns int32
		switch {
		case fine:
			ns = int32(pick(0, 1, 999_999, 500_000, 1000).(int))
		case t.Precision > 3:
			ns = int32(pick(0, 1000, 999_000).(int))
		}
		return binrow.Timestamp{Millis: ms, NanoOfMilli: ns}
	case schema.Array:
		return []any{int32(r.IntN(3))}
	}
	panic(fmt.Sprint("randValue: ", t))
}

// tv is a three-valued truth value.
type tv int

const (
	tvFalse tv = iota
	tvTrue
	tvNull
)

// naive evaluates p on one row with SQL's three-valued logic, without
// negation normal form or any of the vectorized paths.
func naive(t *testing.T, p Predicate, fields []schema.Field, row []any) tv {
	switch p.op {
	case 0:
		return tvTrue
	case OpNot:
		switch naive(t, p.children[0], fields, row) {
		case tvTrue:
			return tvFalse
		case tvFalse:
			return tvTrue
		}
		return tvNull
	case OpAnd, OpOr:
		absorb := tvFalse
		if p.op == OpOr {
			absorb = tvTrue
		}
		out := tvTrue - absorb // neutral
		for _, c := range p.children {
			switch naive(t, c, fields, row) {
			case absorb:
				return absorb
			case tvNull:
				out = tvNull
			}
		}
		return out
	}
	fi := slices.IndexFunc(fields, func(f schema.Field) bool { return f.Name == p.column })
	ft := fields[fi].Type
	x := row[fi]
	switch p.op {
	case OpIsNull:
		return boolTV(x == nil)
	case OpIsNotNull:
		return boolTV(x != nil)
	case OpIn, OpNotIn:
		if x == nil {
			return tvNull
		}
		res := tvFalse
		for _, lit := range p.values {
			if lit == nil {
				res = tvNull
				continue
			}
			v, err := coerce(lit, ft)
			if err != nil {
				t.Fatal(err)
			}
			if binrow.CompareValues(ft, x, v) == 0 {
				res = tvTrue
				break
			}
		}
		if p.op == OpNotIn && res != tvNull {
			res = 1 - res
		}
		return res
	}
	lit := p.values[0]
	if x == nil || lit == nil {
		return tvNull
	}
	v, err := coerce(lit, ft)
	if err != nil {
		t.Fatal(err)
	}
	c := binrow.CompareValues(ft, x, v)
	switch p.op {
	case OpEqual:
		return boolTV(c == 0)
	case OpNotEqual:
		return boolTV(c != 0)
	case OpLess:
		return boolTV(c < 0)
	case OpLessOrEqual:
		return boolTV(c <= 0)
	case OpGreater:
		return boolTV(c > 0)
	case OpGreaterOrEqual:
		return boolTV(c >= 0)
	}
	t.Fatalf("naive: op %v", p.op)
	return tvNull
}

func boolTV(b bool) tv {
	if b {
		return tvTrue
	}
	return tvFalse
}

// randPredicate builds a random predicate over fields (comparisons skip
// nested columns).
func randPredicate(r *rand.Rand, fields []schema.Field, depth int) Predicate {
	if depth > 0 && r.IntN(3) > 0 {
		kids := make([]Predicate, 1+r.IntN(3))
		for i := range kids {
			kids[i] = randPredicate(r, fields, depth-1)
		}
		switch r.IntN(3) {
		case 0:
			return And(kids...)
		case 1:
			return Or(kids...)
		}
		return Not(kids[0])
	}
	f := fields[r.IntN(len(fields))]
	lit := func() any {
		if r.IntN(25) == 0 {
			return nil
		}
		return randValue(r, f.Type, r.IntN(4) == 0)
	}
	op := Op(1 + r.IntN(int(OpIsNotNull)))
	if !comparable(f.Type.Kind) {
		op = OpIsNull + Op(r.IntN(2))
	}
	switch op {
	case OpIsNull, OpIsNotNull:
		return Predicate{op: op, column: f.Name}
	case OpIn, OpNotIn:
		vs := make([]any, r.IntN(12))
		for i := range vs {
			vs[i] = lit()
		}
		return Predicate{op: op, column: f.Name, values: vs}
	}
	return leaf(op, f.Name, lit())
}

// buildRecord builds an Arrow record of rows (binrow values, nil = null).
func buildRecord(t testing.TB, mem memory.Allocator, fields []schema.Field, rows [][]any) arrow.Record {
	sc, err := schema.ArrowSchema(fields)
	if err != nil {
		t.Fatal(err)
	}
	bld := array.NewRecordBuilder(mem, sc)
	defer bld.Release()
	for _, row := range rows {
		for i, f := range fields {
			if err := binrow.AppendArrow(bld.Field(i), f.Type, row[i]); err != nil {
				t.Fatal(err)
			}
		}
	}
	return bld.NewRecord()
}

func randRows(r *rand.Rand, fields []schema.Field, n int) [][]any {
	rows := make([][]any, n)
	for i := range rows {
		row := make([]any, len(fields))
		for j, f := range fields {
			if r.IntN(5) > 0 {
				row[j] = randValue(r, f.Type, false)
			}
		}
		rows[i] = row
	}
	return rows
}

func identityCols(n int) []int {
	cols := make([]int, n)
	for i := range cols {
		cols[i] = i
	}
	return cols
}

func TestFilterRandom(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	r := rand.New(rand.NewPCG(1, 2))
	fields := testFields()
	cols := identityCols(len(fields))
	var sel []int32
	for iter := range 40 {
		rows := randRows(r, fields, 1+r.IntN(300))
		full := buildRecord(t, mem, fields, rows)
		// Slice off a prefix so that offsets into buffers and bitmaps are exercised.
		off := r.IntN(min(len(rows), 9))
		rec := full.NewSlice(int64(off), int64(len(rows)))
		rows = rows[off:]
		for range 100 {
			p := randPredicate(r, fields, 3)
			var want []int32
			for i, row := range rows {
				if naive(t, p, fields, row) == tvTrue {
					want = append(want, int32(i))
				}
			}
			b, err := Bind(p, fields, false)
			if err != nil {
				t.Fatalf("Bind(%v): %v", p, err)
			}
			sel, err = b.Filter(rec, cols, sel)
			if err != nil {
				t.Fatalf("Filter(%v): %v", p, err)
			}
			if !slices.Equal(sel, want) && !(len(sel) == 0 && len(want) == 0) {
				t.Fatalf("iter %d: Filter(%v) [bound %v] = %v, want %v", iter, p, b, sel, want)
			}
			// The text form filters the same rows.
			q, err := Parse(p.String())
			if err != nil {
				t.Fatalf("Parse(%q): %v", p.String(), err)
			}
			bq, err := Bind(q, fields, false)
			if err != nil {
				t.Fatalf("Bind(%v): %v", q, err)
			}
			got, err := bq.Filter(rec, cols, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
				t.Fatalf("Filter(Parse(%q)) = %v, want %v", p.String(), got, want)
			}
		}
		rec.Release()
		full.Release()
	}
}

func TestFilterAbsentColumn(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	fields := []schema.Field{{Name: "a", Type: schema.NewInt()}, {Name: "b", Type: schema.NewString()}}
	rec := buildRecord(t, mem, fields[:1], [][]any{{int32(1)}, {nil}, {int32(3)}})
	defer rec.Release()
	cols := []int{0, -1}
	for _, c := range []struct {
		p    Predicate
		want []int32
	}{
		{IsNull("b"), []int32{0, 1, 2}},
		{IsNotNull("b"), nil},
		{Equal("b", "x"), nil},
		{Or(IsNull("b"), Equal("a", 1)), []int32{0, 1, 2}},
		{And(IsNull("b"), Greater("a", 1)), []int32{2}},
		{Not(And(IsNotNull("b"), Greater("a", 1))), []int32{0, 1, 2}}, // NOT(FALSE AND x): b is null so IS NOT NULL is false
	} {
		b, err := Bind(c.p, fields, false)
		if err != nil {
			t.Fatal(err)
		}
		got, err := b.Filter(rec, cols, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("Filter(%v) = %v, want %v", c.p, got, c.want)
		}
	}
}

// rowStats summarises rows the way a data file's statistics do. dropNaN
// leaves NaN out of float min/max as Parquet writers do.
type rowsStats struct {
	fields []schema.Field
	rows   [][]any
	min    []any
	max    []any
	nulls  []int64
}

func newRowStats(fields []schema.Field, rows [][]any, dropNaN bool) *rowsStats {
	s := &rowsStats{fields: fields, rows: rows, min: make([]any, len(fields)), max: make([]any, len(fields)), nulls: make([]int64, len(fields))}
	for j, f := range fields {
		for _, row := range rows {
			x := row[j]
			if x == nil {
				s.nulls[j]++
				continue
			}
			if dropNaN && isNaN(x) {
				continue
			}
			if s.min[j] == nil || binrow.CompareValues(f.Type, x, s.min[j]) < 0 {
				s.min[j] = x
			}
			if s.max[j] == nil || binrow.CompareValues(f.Type, x, s.max[j]) > 0 {
				s.max[j] = x
			}
		}
	}
	return s
}

func (s *rowsStats) RowCount() int64               { return int64(len(s.rows)) }
func (s *rowsStats) Min(f int) any                 { return s.min[f] }
func (s *rowsStats) Max(f int) any                 { return s.max[f] }
func (s *rowsStats) NullCount(f int) (int64, bool) { return s.nulls[f], true }

func TestMayMatchNeverFalseWhenRowsMatch(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	r := rand.New(rand.NewPCG(3, 4))
	fields := testFields()
	cols := identityCols(len(fields))
	pruned, checked := 0, 0
	for range 300 {
		rows := randRows(r, fields, 1+r.IntN(5))
		rec := buildRecord(t, mem, fields, rows)
		stats := []*rowsStats{newRowStats(fields, rows, false), newRowStats(fields, rows, true)}
		for range 60 {
			p := randPredicate(r, fields, 2)
			b, err := Bind(p, fields, false)
			if err != nil {
				t.Fatal(err)
			}
			sel, err := b.Filter(rec, cols, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range stats {
				checked++
				may := b.MayMatch(s)
				if len(sel) > 0 && !may {
					t.Fatalf("MayMatch(%v) = false but rows %v match; stats min %v max %v nulls %v", b, sel, s.min, s.max, s.nulls)
				}
				if !may {
					pruned++
				}
			}
		}
		rec.Release()
	}
	t.Logf("pruned %d of %d checks", pruned, checked)
	if pruned == 0 {
		t.Error("MayMatch never pruned anything")
	}
}

func TestFilterTimestampBeyondNanos(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	fields := []schema.Field{{Name: "ts", Type: schema.NewTimestamp(9)}}
	rows := [][]any{
		{binrow.TimestampFromNanos(math.MinInt64)},
		{binrow.Timestamp{Millis: 0}},
		{binrow.TimestampFromNanos(math.MaxInt64)},
		{nil},
	}
	rec := buildRecord(t, mem, fields, rows)
	defer rec.Release()
	far := []any{
		binrow.Timestamp{Millis: -1 << 60},
		binrow.Timestamp{Millis: 1 << 60},
		binrow.TimestampFromNanos(math.MinInt64),
		binrow.TimestampFromNanos(math.MaxInt64),
	}
	for _, lit := range far {
		for op := OpEqual; op <= OpNotIn; op++ {
			p := leaf(op, "ts", lit)
			b, err := Bind(p, fields, false)
			if err != nil {
				t.Fatal(err)
			}
			got, err := b.Filter(rec, []int{0}, nil)
			if err != nil {
				t.Fatal(err)
			}
			var want []int32
			for i, row := range rows {
				if naive(t, p, fields, row) == tvTrue {
					want = append(want, int32(i))
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("Filter(%v) = %v, want %v", p, got, want)
			}
		}
	}
}

// TestFilterNoPerRowAllocation checks that flat types take typed loops:
// filtering 10k rows allocates a constant number of times.
func TestFilterNoPerRowAllocation(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race (sync.Pool drops items); checked by the non-race run")
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	r := rand.New(rand.NewPCG(5, 6))
	fields := testFields()
	rows := randRows(r, fields, 10000)
	rec := buildRecord(t, mem, fields, rows)
	defer rec.Release()
	cols := identityCols(len(fields))
	for _, text := range []string{
		"i64 > 0 AND s = 'a'",
		"i8 IN (1, 2) OR i16 != 0",
		"f64 >= 1E0 AND f32 < 2.5E0",
		"f64 IN (1E0, NAN)",
		"dec > 0.5 AND bigdec IN (1, 2)",
		"s IN ('a', 'b') AND bin = X'00'",
		"fbin != X'0001'",
		"d >= 0 AND tm < 1000 AND ts < TIMESTAMP '1970-01-01 00:00:00.000001'",
		"ltz != TIMESTAMP '1970-01-01 00:00:00.001' AND b = TRUE",
		"s < 'b' AND bin > X'00' AND i32 IS NOT NULL AND NOT i32 IS NULL",
		"ts9 > TIMESTAMP '1970-01-01 00:00:00' AND tm6 <= 500 AND ts0 = TIMESTAMP '1970-01-01 00:00:00'",
	} {
		p, err := Parse(text)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Bind(p, fields, false)
		if err != nil {
			t.Fatalf("Bind(%q): %v", text, err)
		}
		sel := make([]int32, 0, 10000)
		allocs := testing.AllocsPerRun(20, func() {
			if sel, err = b.Filter(rec, cols, sel); err != nil {
				t.Fatal(err)
			}
		})
		if allocs > 20 {
			t.Errorf("Filter(%q): %.0f allocations for 10000 rows", text, allocs)
		}
	}
}
