package predicate

import (
	"bytes"
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/floelake/floe/internal/binrow"
	"github.com/floelake/floe/schema"
)

// eqPred reports structural equality of two predicate trees.
func eqPred(a, b Predicate) bool {
	if a.op != b.op || a.column != b.column || len(a.values) != len(b.values) || len(a.children) != len(b.children) {
		return false
	}
	for i := range a.values {
		if !eqLit(a.values[i], b.values[i]) {
			return false
		}
	}
	for i := range a.children {
		if !eqPred(a.children[i], b.children[i]) {
			return false
		}
	}
	return true
}

func eqLit(a, b any) bool {
	switch x := a.(type) {
	case float64:
		y, ok := b.(float64)
		return ok && (math.Float64bits(x) == math.Float64bits(y) || x != x && y != y)
	case []byte:
		y, ok := b.([]byte)
		return ok && bytes.Equal(x, y)
	case time.Time:
		y, ok := b.(time.Time)
		if !ok || !x.Equal(y) || (x.Location() == time.UTC) != (y.Location() == time.UTC) {
			return false
		}
		_, ox := x.Zone()
		_, oy := y.Zone()
		return ox == oy
	case Decimal:
		y, ok := b.(Decimal)
		return ok && x.normalize() == y.normalize()
	}
	return a == b
}

func TestParseString(t *testing.T) {
	ts := time.Date(2024, 1, 2, 3, 4, 5, 123456789, time.UTC)
	cases := []struct {
		in   string
		want Predicate
		out  string // String() of the result; "" means same as in
	}{
		{"a = 1", Equal("a", int64(1)), ""},
		{"a=-1", Equal("a", int64(-1)), "a = -1"},
		{"A <> 'x'", NotEqual("A", "x"), "A != 'x'"},
		{"a != 'it''s'", NotEqual("a", "it's"), ""},
		{"a < 2.5", Less("a", Decimal("2.5")), ""},
		{"a <= 2.5e0", LessOrEqual("a", 2.5), "a <= 2.5E0"},
		{"a > 1E-7", Greater("a", 1e-7), "a > 1E-7"},
		{"a >= .5", GreaterOrEqual("a", Decimal("0.5")), "a >= 0.5"},
		{"a = 99999999999999999999", Equal("a", Decimal("99999999999999999999")), "a = 99999999999999999999."},
		{"a = NaN", Equal("a", math.NaN()), "a = NAN"},
		{"a = -infinity", Equal("a", math.Inf(-1)), "a = -INFINITY"},
		{"a in (1, 2,3)", In("a", int64(1), int64(2), int64(3)), "a IN (1, 2, 3)"},
		{"a NOT IN ('x')", NotIn("a", "x"), ""},
		{"a IN ()", In("a"), ""},
		{"a is null", IsNull("a"), "a IS NULL"},
		{"a IS NOT NULL", IsNotNull("a"), ""},
		{"b = TRUE", Equal("b", true), ""},
		{"b = false", Equal("b", false), "b = FALSE"},
		{"b = NULL", Equal("b", nil), ""},
		{"b = x'0AFF'", Equal("b", []byte{0x0a, 0xff}), "b = X'0aff'"},
		{"d = DATE '2024-01-31'", Equal("d", Date{2024, 1, 31}), ""},
		{"t = TIMESTAMP '2024-01-02 03:04:05.123456789'", Equal("t", ts), ""},
		{"t = timestamp '2024-01-02 03:04:05.1'", Equal("t", time.Date(2024, 1, 2, 3, 4, 5, 100000000, time.UTC)), "t = TIMESTAMP '2024-01-02 03:04:05.100000000'"},
		{"t = TIMESTAMP '2024-01-02 03:04:05+02:00'", Equal("t", time.Date(2024, 1, 2, 3, 4, 5, 0, time.FixedZone("", 7200))), ""},
		{"`and` = 1", Equal("and", int64(1)), ""},
		{"`select` = 1", Equal("select", int64(1)), "select = 1"},
		{`"a b" = 1`, Equal("a b", int64(1)), "`a b` = 1"},
		{"`a``b` = 1", Equal("a`b", int64(1)), ""},
		{"a = 1 AND b = 2 OR c = 3", Or(And(Equal("a", int64(1)), Equal("b", int64(2))), Equal("c", int64(3))), "(a = 1 AND b = 2) OR c = 3"},
		{"a = 1 AND (b = 2 OR c = 3)", And(Equal("a", int64(1)), Or(Equal("b", int64(2)), Equal("c", int64(3)))), ""},
		{"NOT a = 1 AND b = 2", And(Not(Equal("a", int64(1))), Equal("b", int64(2))), ""},
		{"NOT (a = 1 AND b = 2)", Not(And(Equal("a", int64(1)), Equal("b", int64(2)))), ""},
		{"not not a is null", Not(Not(IsNull("a"))), "NOT NOT a IS NULL"},
		{"a = 1 AND b = 2 AND c = 3", And(Equal("a", int64(1)), Equal("b", int64(2)), Equal("c", int64(3))), ""},
		{"(a = 1 AND b = 2) AND c = 3", And(And(Equal("a", int64(1)), Equal("b", int64(2))), Equal("c", int64(3))), ""},
		{"", Predicate{}, "TRUE"},
		{"TRUE", Predicate{}, ""},
		{"FALSE", Or(), ""},
		{"((a = 1))", Equal("a", int64(1)), "a = 1"},
		{"a = 1 and b = 2 and c = 3 or d = 4",
			Or(And(Equal("a", int64(1)), Equal("b", int64(2)), Equal("c", int64(3))), Equal("d", int64(4))),
			"(a = 1 AND b = 2 AND c = 3) OR d = 4"},
	}
	for _, c := range cases {
		got, err := Parse(c.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.in, err)
			continue
		}
		if !eqPred(got, c.want) {
			t.Errorf("Parse(%q) = %v, want %v", c.in, got, c.want)
		}
		want := c.out
		if want == "" {
			want = c.in
		}
		if s := got.String(); s != want {
			t.Errorf("Parse(%q).String() = %q, want %q", c.in, s, want)
		}
		again, err := Parse(got.String())
		if err != nil || !eqPred(again, got) {
			t.Errorf("round trip of %q: %v, %v", got.String(), again, err)
		}
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		in  string
		pos int
	}{
		{"a", 1},
		{"a =", 3},
		{"a = 'x", 4},
		{"a = 1 AND", 9},
		{"(a = 1", 6},
		{"a = 1)", 5},
		{"a == 1", 3},
		{"1 = a", 0},
		{"a IN (1,", 8},
		{"a IS NOT 1", 9},
		{"a = DATE '2024-02-30'", 9},
		{"a = TIMESTAMP 'x'", 14},
		{"a = X'0g'", 4},
		{"a = 1.2.3", 4},
		{"and = 1", 0},
		{"a = b", 4},
		{"a ! 1", 2},
	}
	for _, c := range cases {
		_, err := Parse(c.in)
		var se *SyntaxError
		if !errors.Is(err, ErrSyntax) || !errors.As(err, &se) {
			t.Errorf("Parse(%q) error = %v, want ErrSyntax", c.in, err)
			continue
		}
		if se.Pos != c.pos {
			t.Errorf("Parse(%q) error at %d, want %d (%v)", c.in, se.Pos, c.pos, err)
		}
	}
	deep := ""
	for range 5000 {
		deep += "("
	}
	if _, err := Parse(deep + "a = 1"); !errors.Is(err, ErrSyntax) {
		t.Errorf("deep nesting: %v", err)
	}
}

func TestStringNonCanonical(t *testing.T) {
	cases := []struct {
		p    Predicate
		want string
	}{
		{Equal("a", int32(5)), "a = 5"},
		{Equal("a", uint64(math.MaxUint64)), "a = 18446744073709551615"},
		{Equal("a", float32(0.1)), "a = 1E-1"},
		{Equal("a", binrow.NewDecimal(1234, 5, 2)), "a = 12.34"},
		{Equal("a", binrow.NewDecimal(7, 5, 0)), "a = 7."},
		{Equal("a", Decimal("+.5")), "a = 0.5"},
		{Equal("a", binrow.Timestamp{Millis: 1500, NanoOfMilli: 7}), "a = TIMESTAMP '1970-01-01 00:00:01.500000007'"},
		{Equal("a", Date{-1, 1, 1}), "a = DATE '-0001-01-01'"},
		{And(Equal("a", 1), Predicate{}), "a = 1"},
		{Or(Equal("a", 1), Predicate{}), "TRUE"},
		{Not(Predicate{}), "FALSE"},
		{And(), "TRUE"},
	}
	for _, c := range cases {
		if s := c.p.String(); s != c.want {
			t.Errorf("String() = %q, want %q", s, c.want)
		}
		if _, err := Parse(c.p.String()); err != nil {
			t.Errorf("Parse(%q): %v", c.p.String(), err)
		}
	}
}

func TestMarshalText(t *testing.T) {
	p := And(Equal("a", int64(1)), In("b", "x", "y"), Not(IsNull("c")))
	b, err := p.MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	var q Predicate
	if err := q.UnmarshalText(b); err != nil {
		t.Fatal(err)
	}
	if !eqPred(p, q) {
		t.Errorf("got %v, want %v", q, p)
	}
	if _, err := Equal("a", struct{}{}).MarshalText(); !errors.Is(err, ErrLiteral) {
		t.Errorf("unprintable literal: %v", err)
	}
	if err := q.UnmarshalText([]byte("a =")); !errors.Is(err, ErrSyntax) {
		t.Errorf("bad text: %v", err)
	}
}

func TestColumns(t *testing.T) {
	p := Or(And(Equal("a", 1), Equal("b", 2)), Not(IsNull("a")), In("c"))
	got := p.Columns()
	want := []string{"a", "b", "c"}
	if len(got) != len(want) {
		t.Fatalf("Columns() = %v", got)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("Columns() = %v", got)
		}
	}
	if (Predicate{}).Columns() != nil {
		t.Error("zero predicate has columns")
	}
}

func testFields() []schema.Field {
	return []schema.Field{
		{ID: 0, Name: "i8", Type: schema.NewTinyInt()},
		{ID: 1, Name: "i16", Type: schema.NewSmallInt()},
		{ID: 2, Name: "i32", Type: schema.NewInt()},
		{ID: 3, Name: "i64", Type: schema.NewBigInt()},
		{ID: 4, Name: "f32", Type: schema.NewFloat()},
		{ID: 5, Name: "f64", Type: schema.NewDouble()},
		{ID: 6, Name: "dec", Type: schema.NewDecimal(10, 2)},
		{ID: 7, Name: "bigdec", Type: schema.NewDecimal(30, 4)},
		{ID: 8, Name: "s", Type: schema.NewString()},
		{ID: 9, Name: "bin", Type: schema.NewBytes()},
		{ID: 10, Name: "d", Type: schema.NewDate()},
		{ID: 11, Name: "tm", Type: schema.NewTime(3)},
		{ID: 12, Name: "ts", Type: schema.NewTimestamp(6)},
		{ID: 13, Name: "ltz", Type: schema.NewTimestampLTZ(3)},
		{ID: 14, Name: "b", Type: schema.NewBoolean()},
		{ID: 15, Name: "arr", Type: schema.NewArray(schema.NewInt())},
		{ID: 16, Name: "fbin", Type: schema.NewBinary(2)},
		{ID: 17, Name: "ts9", Type: schema.NewTimestamp(9)},
		{ID: 18, Name: "tm6", Type: schema.NewTime(6)},
		{ID: 19, Name: "ts0", Type: schema.NewTimestamp(0)},
	}
}

func TestBindCoerce(t *testing.T) {
	fields := testFields()
	berlin := time.FixedZone("CET", 3600)
	ok := []struct {
		p    Predicate
		want any
	}{
		{Equal("i8", 127), int8(127)},
		{Equal("i16", int64(-32768)), int16(-32768)},
		{Equal("i32", uint8(7)), int32(7)},
		{Equal("i64", Decimal("12.000")), int64(12)},
		{Equal("i64", 3.0), int64(3)},
		{Equal("f32", 1), float32(1)},
		{Equal("f32", 0.1), float32(0.1)},
		{Equal("f64", Decimal("2.5")), 2.5},
		{Equal("f64", int64(1)<<53), float64(1 << 53)},
		{Equal("dec", Decimal("12.3")), binrow.NewDecimal(1230, 10, 2)},
		{Equal("dec", Decimal("-12.340")), binrow.NewDecimal(-1234, 10, 2)},
		{Equal("dec", 5), binrow.NewDecimal(500, 10, 2)},
		{Equal("dec", "0.01"), binrow.NewDecimal(1, 10, 2)},
		{Equal("dec", 0.1), binrow.NewDecimal(10, 10, 2)},
		{Equal("dec", binrow.NewDecimal(5, 3, 1)), binrow.NewDecimal(50, 10, 2)},
		{Equal("bigdec", Decimal("12345678901234567890.1234")), func() any {
			d, _ := binrow.ParseDecimal("12345678901234567890.1234", 30, 4)
			return d
		}()},
		{Equal("s", "x"), "x"},
		{Equal("bin", "x"), []byte("x")},
		{Equal("d", Date{1970, 1, 2}), int32(1)},
		{Equal("d", "1969-12-31"), int32(-1)},
		{Equal("d", time.Date(2024, 1, 1, 23, 0, 0, 0, berlin)), int32(19723)},
		{Equal("d", int64(19723)), int32(19723)},
		{Equal("tm", "01:00:00.5"), int32(3600500)},
		{Equal("tm", 42), int32(42)},
		{Equal("ts", time.Date(1970, 1, 1, 1, 0, 0, 1500, berlin)), binrow.Timestamp{Millis: 3600000, NanoOfMilli: 1500}},
		{Equal("ltz", time.Date(1970, 1, 1, 1, 0, 0, 1500, berlin)), binrow.Timestamp{Millis: 0, NanoOfMilli: 1500}},
		{Equal("ts", "1970-01-01 00:00:01.5"), binrow.Timestamp{Millis: 1500}},
		{Equal("ts", "1970-01-02"), binrow.Timestamp{Millis: 86400000}},
		{Equal("ts", Date{1970, 1, 2}), binrow.Timestamp{Millis: 86400000}},
		{Equal("ltz", "1970-01-01 01:00:00+01:00"), binrow.Timestamp{}},
		{Equal("b", true), true},
		{Equal("I64", 1), int64(1)}, // case-insensitive fallback
	}
	for _, c := range ok {
		b, err := Bind(c.p, fields, false)
		if err != nil {
			t.Errorf("Bind(%v): %v", c.p, err)
			continue
		}
		got := b.root.vals[0]
		if binrow.CompareValues(b.root.typ, got, c.want) != 0 || !goTypeOK(&b.root.typ, got) {
			t.Errorf("Bind(%v) literal = %#v, want %#v", c.p, got, c.want)
		}
	}
	bad := []Predicate{
		Equal("i8", 128),
		Equal("i16", 40000),
		Equal("i32", int64(1)<<31),
		Equal("i64", uint64(1)<<63),
		Equal("i64", Decimal("1.5")),
		Equal("i64", 1.5),
		Equal("i64", "1"),
		Equal("f64", "x"),
		Equal("dec", Decimal("1.234")),
		Equal("dec", Decimal("123456789")),
		Equal("dec", math.NaN()),
		Equal("dec", true),
		Equal("dec", Decimal("1e5")),
		Equal("s", 1),
		Equal("bin", 1),
		Equal("d", "2024-02-30"),
		Equal("d", 1.5),
		Equal("tm", "25:00:00"),
		Equal("tm", "00:00:00.0001"),
		Equal("ts", 5),
		Equal("ts", "yesterday"),
		Equal("b", 1),
		Equal("f32", 1e300),
		Equal("arr", 1),
		In("i8", 1, 1000),
		Less("arr", []any{int32(1)}),
	}
	for _, p := range bad {
		if _, err := Bind(p, fields, false); !errors.Is(err, ErrLiteral) {
			t.Errorf("Bind(%v) error = %v, want ErrLiteral", p, err)
		}
	}
	if _, err := Bind(IsNull("arr"), fields, false); err != nil {
		t.Errorf("IS NULL on an array: %v", err)
	}
	if _, err := Bind(Equal("nope", 1), fields, false); !errors.Is(err, ErrColumn) {
		t.Errorf("unknown column: %v", err)
	}
}

func TestBindNNF(t *testing.T) {
	fields := testFields()
	cases := []struct {
		p    Predicate
		want string
	}{
		{Not(Less("i32", 5)), "i32 >= 5"},
		{Not(LessOrEqual("i32", 5)), "i32 > 5"},
		{Not(Greater("i32", 5)), "i32 <= 5"},
		{Not(GreaterOrEqual("i32", 5)), "i32 < 5"},
		{Not(Equal("i32", 5)), "i32 != 5"},
		{Not(NotEqual("i32", 5)), "i32 = 5"},
		{Not(IsNull("i32")), "i32 IS NOT NULL"},
		{Not(IsNotNull("i32")), "i32 IS NULL"},
		{Not(In("i32", 3, 1, 2, 1)), "i32 NOT IN (1, 2, 3)"},
		{Not(NotIn("i32", 1, 2)), "i32 IN (1, 2)"},
		{In("i32", 1, 1), "i32 = 1"},
		{NotIn("i32", 1), "i32 != 1"},
		{In("i32"), "FALSE"},
		{NotIn("i32"), "i32 IS NOT NULL"},
		{In("i32", 1, nil, 2), "i32 IN (1, 2)"},
		{NotIn("i32", 1, nil), "FALSE"},
		{Equal("i32", nil), "FALSE"},
		{Not(Equal("i32", nil)), "FALSE"},
		{Not(And(Equal("i32", 1), Or(Equal("s", "x"), IsNull("b")))), "i32 != 1 OR (s != 'x' AND b IS NOT NULL)"},
		{Not(Not(Equal("i32", 1))), "i32 = 1"},
		{And(Equal("i32", 1), Or()), "FALSE"},
		{Or(Equal("i32", 1), Not(Or())), "TRUE"},
		{And(Equal("i32", 1), And(Equal("i64", 2), Equal("s", "x"))), "i32 = 1 AND i64 = 2 AND s = 'x'"},
		{Predicate{}, "TRUE"},
	}
	for _, c := range cases {
		b, err := Bind(c.p, fields, false)
		if err != nil {
			t.Errorf("Bind(%v): %v", c.p, err)
			continue
		}
		if s := b.String(); s != c.want {
			t.Errorf("Bind(%v) = %s, want %s", c.p, s, c.want)
		}
	}
}

func TestBindPartial(t *testing.T) {
	fields := []schema.Field{{ID: 0, Name: "dt", Type: schema.NewString()}}
	p := And(Equal("dt", "2024"), Greater("x", 5))
	b, err := Bind(p, fields, true)
	if err != nil {
		t.Fatal(err)
	}
	if got := b.Fields(); len(got) != 1 || got[0] != 0 {
		t.Errorf("Fields() = %v", got)
	}
	if !b.MayMatch(fixedStats{min: []any{"2024"}, max: []any{"2024"}, rows: 1, nulls: []int64{0}}) {
		t.Error("partition 2024 pruned")
	}
	if b.MayMatch(fixedStats{min: []any{"2023"}, max: []any{"2023"}, rows: 1, nulls: []int64{0}}) {
		t.Error("partition 2023 not pruned")
	}
	// NOT over an unknown part stays unknown.
	b, err = Bind(Not(And(Equal("dt", "2024"), Greater("x", 5))), fields, true)
	if err != nil {
		t.Fatal(err)
	}
	if !b.MayMatch(fixedStats{min: []any{"2024"}, max: []any{"2024"}, rows: 1, nulls: []int64{0}}) {
		t.Error("NOT(dt = 2024 AND unknown) pruned partition 2024")
	}
	if _, err := b.Filter(nil, nil, nil); !errors.Is(err, ErrColumn) {
		t.Errorf("Filter on partial bind: %v", err)
	}
	if _, err := Bind(p, fields, false); !errors.Is(err, ErrColumn) {
		t.Errorf("full bind: %v", err)
	}
}

func TestMatchesAll(t *testing.T) {
	fields := testFields()
	for _, c := range []struct {
		p         Predicate
		all, none bool
	}{
		{Predicate{}, true, false},
		{Or(), false, true},
		{Equal("i32", 1), false, false},
		{Equal("i32", nil), false, true},
	} {
		b, err := Bind(c.p, fields, false)
		if err != nil {
			t.Fatal(err)
		}
		if b.MatchesAll() != c.all || b.MatchesNone() != c.none {
			t.Errorf("%v: MatchesAll %v MatchesNone %v", c.p, b.MatchesAll(), b.MatchesNone())
		}
	}
}

// fixedStats is a Stats over explicit per-field slices.
type fixedStats struct {
	min, max []any
	nulls    []int64 // -1: unknown
	rows     int64
}

func (s fixedStats) RowCount() int64 { return s.rows }
func (s fixedStats) Min(f int) any {
	if f < len(s.min) {
		return s.min[f]
	}
	return nil
}
func (s fixedStats) Max(f int) any {
	if f < len(s.max) {
		return s.max[f]
	}
	return nil
}
func (s fixedStats) NullCount(f int) (int64, bool) {
	if f < len(s.nulls) && s.nulls[f] >= 0 {
		return s.nulls[f], true
	}
	return 0, false
}

func TestMayMatchTable(t *testing.T) {
	fields := []schema.Field{{Name: "a", Type: schema.NewInt()}, {Name: "f", Type: schema.NewDouble()}}
	st := func(min, max any, nulls, rows int64) fixedStats {
		return fixedStats{min: []any{min, min}, max: []any{max, max}, nulls: []int64{nulls, nulls}, rows: rows}
	}
	i := func(v int32) any { return v }
	nan := math.NaN()
	negz := math.Copysign(0, -1)
	cases := []struct {
		p    Predicate
		s    fixedStats
		want bool
	}{
		{Equal("a", 5), st(i(1), i(4), 0, 10), false},
		{Equal("a", 5), st(i(1), i(5), 0, 10), true},
		{Equal("a", 5), st(i(6), i(9), 0, 10), false},
		{Equal("a", 5), st(nil, i(9), 0, 10), true},
		{Equal("a", 5), st(nil, nil, -1, 10), true},
		{Equal("a", 5), st(i(5), i(5), 10, 10), false},       // all null
		{Equal("a", 5), st(int64(9), int64(9), 0, 10), true}, // wrong Go type: unknown
		{NotEqual("a", 5), st(i(5), i(5), 0, 10), false},
		{NotEqual("a", 5), st(i(5), i(5), 3, 10), false}, // nulls do not satisfy !=
		{NotEqual("a", 5), st(i(5), i(6), 0, 10), true},
		{Less("a", 5), st(i(5), i(9), 0, 10), false},
		{Less("a", 5), st(i(4), i(9), 0, 10), true},
		{LessOrEqual("a", 5), st(i(5), i(9), 0, 10), true},
		{LessOrEqual("a", 5), st(i(6), i(9), 0, 10), false},
		{Greater("a", 5), st(i(1), i(5), 0, 10), false},
		{Greater("a", 5), st(i(1), i(6), 0, 10), true},
		{GreaterOrEqual("a", 5), st(i(1), i(5), 0, 10), true},
		{GreaterOrEqual("a", 5), st(i(1), i(4), 0, 10), false},
		{In("a", 0, 10), st(i(1), i(9), 0, 10), false},
		{In("a", 0, 5, 10), st(i(1), i(9), 0, 10), true},
		{NotIn("a", 1, 2), st(i(1), i(1), 0, 10), false},
		{NotIn("a", 1, 2), st(i(1), i(2), 0, 10), true},
		{IsNull("a"), st(i(1), i(2), 0, 10), false},
		{IsNull("a"), st(i(1), i(2), 1, 10), true},
		{IsNull("a"), st(i(1), i(2), -1, 10), true},
		{IsNotNull("a"), st(nil, nil, 10, 10), false},
		{IsNotNull("a"), st(nil, nil, 9, 10), true},
		{IsNotNull("a"), st(nil, nil, 10, -1), true},
		{And(Equal("a", 1), Equal("a", 9)), st(i(0), i(5), 0, 10), false},
		{Or(Equal("a", 1), Equal("a", 9)), st(i(0), i(5), 0, 10), true},
		{Not(Or(Equal("a", 1), IsNull("a"))), st(i(1), i(1), 0, 10), false},
		// floats: NaN may hide above the max, zeros are widened.
		{Greater("f", 5.0), st(1.0, 2.0, 0, 10), true},
		{Less("f", 0.5), st(1.0, 2.0, 0, 10), false},
		{Less("f", 0.0), st(0.0, 2.0, 0, 10), true},
		{Less("f", negz), st(0.0, 2.0, 0, 10), false},
		{Equal("f", 0.0), st(negz, negz, 0, 10), true},
		{Equal("f", nan), st(1.0, 2.0, 0, 10), true},
		{Equal("f", 5.0), st(1.0, nan, 0, 10), true},
		{Equal("f", 5.0), st(1.0, 2.0, 0, 10), false},
		{NotEqual("f", 1.0), st(1.0, 1.0, 0, 10), true},
	}
	for _, c := range cases {
		b, err := Bind(c.p, fields, false)
		if err != nil {
			t.Fatalf("Bind(%v): %v", c.p, err)
		}
		if got := b.MayMatch(c.s); got != c.want {
			t.Errorf("MayMatch(%v, %+v) = %v, want %v", c.p, c.s, got, c.want)
		}
	}
}

func TestRowStats(t *testing.T) {
	fields := []schema.Field{{Name: "dt", Type: schema.NewString()}, {Name: "h", Type: schema.NewInt()}}
	p, err := Parse("dt = '2024-01-01' AND (h IS NULL OR h > 3) AND x = 1")
	if err != nil {
		t.Fatal(err)
	}
	b, err := Bind(p, fields, true)
	if err != nil {
		t.Fatal(err)
	}
	if got := b.Fields(); !slices.Equal(got, []int{0, 1}) {
		t.Errorf("Fields() = %v", got)
	}
	for _, c := range []struct {
		row  []any
		want bool
	}{
		{[]any{"2024-01-01", nil}, true},
		{[]any{"2024-01-01", int32(4)}, true},
		{[]any{"2024-01-01", int32(3)}, false},
		{[]any{"2024-01-02", int32(4)}, false},
		{[]any{nil, int32(4)}, false},
	} {
		if got := b.MayMatch(RowStats(c.row)); got != c.want {
			t.Errorf("MayMatch(%v) = %v, want %v", c.row, got, c.want)
		}
	}
}
