package binrow

import (
	"encoding/hex"
	"errors"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/floelake/floe/internal/fixtures"
	"github.com/floelake/floe/schema"
)

func field(name string, t schema.DataType) schema.Field { return schema.Field{Name: name, Type: t} }

// nestedTypes covers nested values with strings, decimals, timestamps and
// nulls inside arrays, maps and rows.
var nestedTypes = []schema.DataType{
	schema.NewArray(schema.NewString()),
	schema.NewArray(schema.NewDecimal(30, 2)),
	schema.NewArray(schema.NewTimestamp(6)),
	schema.NewMap(schema.NewInt(), schema.NewString()),
	schema.NewRow(field("a", schema.NewInt()), field("b", schema.NewDecimal(25, 3)), field("c", schema.NewString())),
	schema.NewMultiset(schema.NewString()),
	schema.NewArray(schema.NewBoolean()),
	schema.NewArray(schema.NewArray(schema.NewSmallInt())),
}

func bigDec(s string, p, sc int) Decimal {
	v, _ := new(big.Int).SetString(s, 10)
	return NewDecimalBig(v, p, sc)
}

func nestedValues() []any {
	return []any{
		[]any{"x", nil, "a string longer than seven"},
		[]any{bigDec("-123456789012345678901234567", 30, 2), nil, NewDecimal(5, 30, 2)},
		[]any{Timestamp{Millis: -1, NanoOfMilli: 999_999}, nil},
		Map{Keys: []any{int32(1), int32(2)}, Values: []any{"one", nil}},
		[]any{int32(4), nil, "nested string value"},
		Map{Keys: []any{"k"}, Values: []any{int32(3)}},
		[]any{true, nil, false},
		[]any{[]any{int16(1), nil}, nil, []any{}},
	}
}

func TestNestedRoundTrip(t *testing.T) {
	vals := nestedValues()
	raw, err := Encode(nestedTypes, vals)
	if err != nil {
		t.Fatal(err)
	}
	if len(raw)%8 != 0 {
		t.Fatalf("size %d", len(raw))
	}
	back, err := Decode(nestedTypes, raw)
	if err != nil {
		t.Fatal(err)
	}
	for i := range vals {
		if CompareValues(nestedTypes[i], vals[i], back[i]) != 0 {
			t.Errorf("field %d: got %v want %v", i, back[i], vals[i])
		}
	}
}

// TestArrayLayout checks BinaryArray bytes by hand: ARRAY<STRING> ['x', NULL]
// and ARRAY<INT> [1, NULL, 3].
func TestArrayLayout(t *testing.T) {
	raw, err := Encode([]schema.DataType{schema.NewArray(schema.NewString()), schema.NewArray(schema.NewInt())},
		[]any{[]any{"x", nil}, []any{int32(1), nil, int32(3)}})
	if err != nil {
		t.Fatal(err)
	}
	// arity 2: fixed part 8 + 16 = 24, so the first array starts at 24.
	want := "0000000000000000" +
		"1800000018000000" +
		"1800000030000000" +
		// ['x', NULL]: n=2, null bits 0x02, elements at 8 and 16
		"0200000002000000" + "7800000000000081" + "0000000000000000" +
		// [1, NULL, 3]: n=3, null bits 0x02, ints at 8, 12, 16; pad to 24
		"0300000002000000" + "0100000000000000" + "0300000000000000"
	if got := hex.EncodeToString(raw); got != want {
		t.Fatalf("\n got %s\nwant %s", got, want)
	}
}

func TestNullReservations(t *testing.T) {
	types := []schema.DataType{schema.NewDecimal(20, 2), schema.NewTimestamp(6), schema.NewDecimal(10, 2), schema.NewTimestamp(3)}
	raw, err := Encode(types, []any{nil, nil, nil, nil})
	if err != nil {
		t.Fatal(err)
	}
	want := "000f000000000000" + "0000000028000000" + "0000000038000000" + "0000000000000000" + "0000000000000000" +
		strings.Repeat("00", 24)
	if got := hex.EncodeToString(raw); got != want {
		t.Fatalf("\n got %s\nwant %s", got, want)
	}
	w := NewWriter(4)
	w.SetNullDecimal(0, 20)
	w.SetNullTimestamp(1, 6)
	w.SetNullDecimal(2, 10)
	w.SetNullTimestamp(3, 3)
	if got := hex.EncodeToString(w.Bytes()); got != want {
		t.Fatalf("writer\n got %s\nwant %s", got, want)
	}
}

func TestEncodeErrors(t *testing.T) {
	for _, c := range []struct {
		t schema.DataType
		v any
	}{
		{schema.NewInt(), int64(1)},
		{schema.NewDecimal(5, 2), NewDecimal(1, 5, 3)},
		{schema.NewDecimal(5, 2), NewDecimal(100000, 5, 2)},
		{schema.NewDecimal(38, 0), NewDecimalBig(new(big.Int).Lsh(big.NewInt(1), 130), 38, 0)},
		{schema.NewTimestamp(6), Timestamp{NanoOfMilli: 1_000_000}},
		{schema.NewRow(field("a", schema.NewInt())), []any{}},
		{schema.DataType{Kind: schema.Variant}, []byte{1}},
	} {
		if _, err := Encode([]schema.DataType{c.t}, []any{c.v}); !errors.Is(err, ErrValue) && !errors.Is(err, ErrUnsupported) {
			t.Errorf("%v %v: %v", c.t.Kind, c.v, err)
		}
	}
}

func TestDecodeCorrupt(t *testing.T) {
	types := []schema.DataType{schema.NewInt(), schema.NewString(), schema.NewDecimal(30, 2), schema.NewTimestamp(9), schema.NewArray(schema.NewString())}
	good, err := Encode(types, []any{int32(1), "a longer string", NewDecimal(-5, 30, 2), Timestamp{Millis: 5, NanoOfMilli: 7}, []any{"abcdefghij"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Decode(types, good); err != nil {
		t.Fatal(err)
	}
	for n := 0; n < len(good); n++ {
		if _, err := Decode(types, good[:n]); !errors.Is(err, ErrCorrupt) {
			t.Errorf("truncated to %d: %v", n, err)
		}
	}
	bad := append([]byte{}, good...)
	bad[8+8+7] = 0x7f // string slot: huge offset
	if _, err := Decode(types, bad); !errors.Is(err, ErrCorrupt) {
		t.Errorf("bad offset: %v", err)
	}
}

func TestRowAccessors(t *testing.T) {
	types := []schema.DataType{schema.NewBoolean(), schema.NewTinyInt(), schema.NewSmallInt(), schema.NewInt(), schema.NewBigInt(),
		schema.NewFloat(), schema.NewDouble(), schema.NewString(), schema.NewBytes(), schema.NewDecimal(38, 10), schema.NewTimestamp(6), schema.NewInt()}
	vals := []any{true, int8(-3), int16(-300), int32(70000), int64(-1 << 40), float32(1.5), 2.25, "héllo wörld", []byte{1, 2, 3},
		NewDecimal(-123456789, 38, 10), Timestamp{Millis: 1700000000123, NanoOfMilli: 456000}, nil}
	raw, err := Encode(types, vals)
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewRow(raw, len(types))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := r.String(7)
	b, _ := r.Binary(8)
	d, _ := r.Decimal(9, 38, 10)
	ts, _ := r.Timestamp(10, 6)
	got := []any{r.Bool(0), r.Int8(1), r.Int16(2), r.Int32(3), r.Int64(4), r.Float32(5), r.Float64(6), s, b, d, ts}
	for i, g := range got {
		if CompareValues(types[i], g, vals[i]) != 0 || r.IsNull(i) {
			t.Errorf("field %d: %v want %v", i, g, vals[i])
		}
	}
	if !r.IsNull(11) || r.Kind() != Insert {
		t.Error("null/kind")
	}
	// per-field writer gives the same bytes as Encode
	w := NewWriter(len(types))
	w.SetBool(0, true)
	w.SetInt8(1, -3)
	w.SetInt16(2, -300)
	w.SetInt32(3, 70000)
	w.SetInt64(4, -1<<40)
	w.SetFloat32(5, 1.5)
	w.SetFloat64(6, 2.25)
	w.SetString(7, "héllo wörld")
	w.SetBinary(8, []byte{1, 2, 3})
	if err := w.SetDecimal(9, NewDecimal(-123456789, 38, 10), 38); err != nil {
		t.Fatal(err)
	}
	if err := w.SetTimestamp(10, Timestamp{Millis: 1700000000123, NanoOfMilli: 456000}, 6); err != nil {
		t.Fatal(err)
	}
	w.SetNull(11)
	if !reflect.DeepEqual(w.Bytes(), raw) {
		t.Fatalf("writer\n got %x\nwant %x", w.Bytes(), raw)
	}
}

func TestCompare(t *testing.T) {
	nan32, nan64 := float32(math.NaN()), math.NaN()
	other := math.Float64frombits(0x7ff0000000000123)
	for _, c := range []struct {
		t    schema.DataType
		a, b any
		want int
	}{
		{schema.NewDouble(), math.Copysign(0, -1), 0.0, -1},
		{schema.NewDouble(), 0.0, math.Copysign(0, -1), 1},
		{schema.NewDouble(), nan64, math.Inf(1), 1},
		{schema.NewDouble(), nan64, other, 0},
		{schema.NewDouble(), math.Inf(-1), -1e308, -1},
		{schema.NewDouble(), nil, math.Inf(-1), -1},
		{schema.NewFloat(), float32(math.Copysign(0, -1)), float32(0), -1},
		{schema.NewFloat(), nan32, float32(math.Inf(1)), 1},
		{schema.NewFloat(), nan32, nan32, 0},
		{schema.NewString(), "\u00e9", "z", 1}, // 0xc3 > 'z' unsigned
		{schema.NewString(), "abc", "abcd", -1},
		{schema.NewBytes(), []byte{0x80}, []byte{0x7f}, 1},
		{schema.NewBoolean(), false, true, -1},
		{schema.NewInt(), nil, nil, 0},
		{schema.NewInt(), int32(1), nil, 1},
		{schema.NewDecimal(30, 2), NewDecimal(-1, 30, 2), bigDec("100000000000000000000", 30, 2), -1},
		{schema.NewDecimal(30, 2), bigDec("-100000000000000000000", 30, 2), NewDecimal(-1, 30, 2), -1},
		{schema.NewDecimal(10, 2), NewDecimal(-5, 10, 2), NewDecimal(3, 10, 2), -1},
		{schema.NewTimestamp(9), Timestamp{Millis: 5, NanoOfMilli: 1}, Timestamp{Millis: 5}, 1},
		{schema.NewTimestamp(3), Timestamp{Millis: -5}, Timestamp{Millis: 5}, -1},
		{schema.NewArray(schema.NewInt()), []any{int32(1)}, []any{int32(1), nil}, -1},
	} {
		if got := CompareValues(c.t, c.a, c.b); got != c.want {
			t.Errorf("CompareValues(%v, %v) = %d, want %d", c.a, c.b, got, c.want)
		}
		ts := []schema.DataType{c.t}
		ra, err := Encode(ts, []any{c.a})
		if err != nil {
			t.Fatal(err)
		}
		rb, err := Encode(ts, []any{c.b})
		if err != nil {
			t.Fatal(err)
		}
		if got := CompareRows(ts, ra, rb); got != c.want {
			t.Errorf("CompareRows(%v, %v) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestCompareDecimalBytesMatchesBig(t *testing.T) {
	vals := []string{"0", "-1", "1", "127", "128", "-128", "-129", "255", "-256", "9223372036854775807", "-9223372036854775808",
		"18446744073709551616", "-18446744073709551616", "99999999999999999999999999999999999999", "-99999999999999999999999999999999999999"}
	for _, a := range vals {
		for _, b := range vals {
			da, db := bigDec(a, 38, 0), bigDec(b, 38, 0)
			if got, want := compareDecimalBytes(da.UnscaledBytes(), db.UnscaledBytes()), da.Cmp(db); got != want {
				t.Errorf("%s vs %s: %d want %d", a, b, got, want)
			}
		}
	}
}

func TestPartitionPath(t *testing.T) {
	for _, c := range []struct {
		fields []schema.Field
		values []any
		def    string
		legacy bool
		want   string
	}{
		{[]schema.Field{field("f1", schema.NewInt())}, []any{int32(10)}, DefaultPartitionName, true, "f1=10/"},
		{[]schema.Field{field("dt", schema.NewString()), field("hr", schema.NewInt())}, []any{"2025-04-14", int32(10)}, DefaultPartitionName, true, "dt=2025-04-14/hr=10/"},
		{[]schema.Field{field("f0", schema.NewString())}, []any{""}, DefaultPartitionName, true, "f0=__DEFAULT_PARTITION__/"},
		{[]schema.Field{field("f0", schema.NewString())}, []any{nil}, "__HIVE_DEFAULT_PARTITION__", true, "f0=__HIVE_DEFAULT_PARTITION__/"},
		{[]schema.Field{field("f0", schema.NewString())}, []any{" \t"}, DefaultPartitionName, true, "f0=__DEFAULT_PARTITION__/"},
		{[]schema.Field{field("f0", schema.NewString())}, []any{"\u00a0"}, DefaultPartitionName, true, "f0=\u00a0/"},
		{[]schema.Field{field("k=y", schema.NewString())}, []any{"a/b:c%d#e é{}[]^\x01\x7f\"'*?\\"}, DefaultPartitionName, true,
			"k%3Dy=a%2Fb%3Ac%25d%23e é%7B%7D%5B%5D%5E%01%7F%22%27%2A%3F%5C/"},
		{[]schema.Field{field("d", schema.NewDate())}, []any{int32(19876)}, DefaultPartitionName, true, "d=19876/"},
		{[]schema.Field{field("d", schema.NewDate())}, []any{int32(20192)}, DefaultPartitionName, false, "d=2025-04-14/"},
		{[]schema.Field{field("d", schema.NewDate())}, []any{int32(-1)}, DefaultPartitionName, false, "d=1969-12-31/"},
		{[]schema.Field{field("t", schema.NewTimestamp(3))}, []any{Timestamp{Millis: 1704110400000}}, DefaultPartitionName, true, "t=2024-01-01T12%3A00/"},
		{[]schema.Field{field("t", schema.NewTimestamp(9))}, []any{Timestamp{Millis: 1704110401500, NanoOfMilli: 1}}, DefaultPartitionName, true, "t=2024-01-01T12%3A00%3A01.500000001/"},
		{[]schema.Field{field("t", schema.NewTimestamp(6))}, []any{Timestamp{Millis: 1704110400000, NanoOfMilli: 5000}}, DefaultPartitionName, true, "t=2024-01-01T12%3A00%3A00.000005/"},
		{[]schema.Field{field("t", schema.NewTimestamp(6))}, []any{Timestamp{Millis: 1704110400000, NanoOfMilli: 5}}, DefaultPartitionName, true, "t=2024-01-01T12%3A00%3A00.000000005/"},
		{[]schema.Field{field("t", schema.NewTimestamp(3))}, []any{Timestamp{Millis: 1704110400000}}, DefaultPartitionName, false, "t=2024-01-01 12%3A00%3A00.000/"},
		{[]schema.Field{field("t", schema.NewTimestamp(0))}, []any{Timestamp{Millis: -1000}}, DefaultPartitionName, false, "t=1969-12-31 23%3A59%3A59/"},
		{[]schema.Field{field("x", schema.NewDecimal(10, 3))}, []any{NewDecimal(-1500, 10, 3)}, DefaultPartitionName, true, "x=-1.500/"},
		{[]schema.Field{field("b", schema.NewBoolean()), field("v", schema.NewBigInt())}, []any{false, int64(-7)}, DefaultPartitionName, true, "b=false/v=-7/"},
		{[]schema.Field{field("f", schema.NewDouble())}, []any{1e10}, DefaultPartitionName, true, "f=1.0E10/"},
		{[]schema.Field{field("tm", schema.NewTime(3))}, []any{int32(3_723_400)}, DefaultPartitionName, false, "tm=01%3A02%3A03.4/"},
		{nil, nil, DefaultPartitionName, true, ""},
	} {
		got, err := PartitionPath(c.fields, c.values, c.def, c.legacy)
		if err != nil || got != c.want {
			t.Errorf("%v legacy=%v: %q, %v; want %q", c.values, c.legacy, got, err, c.want)
		}
	}
	if _, err := PartitionPath([]schema.Field{field("b", schema.NewBytes())}, []any{[]byte("x")}, DefaultPartitionName, true); !errors.Is(err, ErrUnsupported) {
		t.Errorf("binary legacy: %v", err)
	}
}

// TestPartitionFixtures recomputes the partition directories of the Java
// fixture tables from their values.
func TestPartitionFixtures(t *testing.T) {
	root := fixtures.Path(t, "paimon-cpp", "tables", "parquet")
	str := schema.NewString().WithNotNull(true)
	for _, c := range []struct {
		table  string
		fields []schema.Field
		values []any
		def    string
	}{
		{"pk_09", []schema.Field{field("f1", schema.NewInt())}, []any{int32(10)}, DefaultPartitionName},
		{"pk_09", []schema.Field{field("f1", schema.NewInt())}, []any{int32(20)}, DefaultPartitionName},
		{"pk_table_nested_type", []schema.Field{field("dt", str), field("hr", schema.NewInt())}, []any{"2025-04-14", int32(10)}, DefaultPartitionName},
		{"append_table_with_alter_table", []schema.Field{field("key0", schema.NewInt()), field("key1", schema.NewInt())}, []any{int32(0), int32(1)}, DefaultPartitionName},
		{"append_with_empty_partition", []schema.Field{field("f0", schema.NewString())}, []any{nil}, DefaultPartitionName},
		{"append_with_empty_partition_with_empty_value", []schema.Field{field("f0", schema.NewString())}, []any{""}, DefaultPartitionName},
		{"append_with_empty_partition_with_specific_name", []schema.Field{field("f0", schema.NewString())}, []any{nil}, "__HIVE_DEFAULT_PARTITION__"},
		{"append_with_empty_partition", []schema.Field{field("f0", schema.NewString())}, []any{"2024"}, DefaultPartitionName},
	} {
		p, err := PartitionPath(c.fields, c.values, c.def, true)
		if err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(root, c.table+".db", c.table, filepath.FromSlash(p))
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			t.Errorf("%s: %s not a directory: %v", c.table, p, err)
		}
	}
}

func TestJavaFloatString(t *testing.T) {
	for _, c := range []struct {
		f    float64
		want string
	}{{1, "1.0"}, {0.1, "0.1"}, {-0.0, "0.0"}, {math.Copysign(0, -1), "-0.0"}, {1e7, "1.0E7"}, {9999999, "9999999.0"},
		{0.001, "0.001"}, {0.0001, "1.0E-4"}, {123.456, "123.456"}, {1.234e-5, "1.234E-5"}, {math.NaN(), "NaN"},
		{math.Inf(-1), "-Infinity"}, {1e21, "1.0E21"}, {math.MaxFloat64, "1.7976931348623157E308"}, {4.9e-324, "4.9E-324"},
		{100, "100.0"}, {-1234567.5, "-1234567.5"}} {
		if got := JavaDoubleString(c.f); got != c.want {
			t.Errorf("%v: %s want %s", c.f, got, c.want)
		}
	}
	for _, c := range []struct {
		f    float32
		want string
	}{{0.1, "0.1"}, {0.7815346, "0.7815346"}, {1e10, "1.0E10"}, {3.4028235e38, "3.4028235E38"}, {1.4e-45, "1.4E-45"}} {
		if got := JavaFloatString(c.f); got != c.want {
			t.Errorf("%v: %s want %s", c.f, got, c.want)
		}
	}
}
