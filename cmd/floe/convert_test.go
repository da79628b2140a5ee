package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/internal/jsonrow"
	"github.com/floelake/floe/schema"
)

// allTypes is a schema with every input type the CLI converts.
func allTypes(t *testing.T) *schema.Table {
	t.Helper()
	cols := []struct{ name, typ string }{
		{"id", "BIGINT"}, {"b", "BOOLEAN"}, {"t8", "TINYINT"}, {"s16", "SMALLINT"}, {"i32", "INT"},
		{"f", "FLOAT"}, {"d", "DOUBLE"}, {"dec", "DECIMAL(20, 4)"}, {"big", "DECIMAL(38, 10)"},
		{"s", "STRING"}, {"vc", "VARCHAR(5)"}, {"bin", "BYTES"}, {"fbin", "BINARY(2)"}, {"dt", "DATE"},
		{"tm", "TIME(3)"}, {"ts0", "TIMESTAMP(0)"}, {"ts3", "TIMESTAMP(3)"}, {"ts6", "TIMESTAMP(6)"},
		{"ts9", "TIMESTAMP(9)"}, {"ltz", "TIMESTAMP(3) WITH LOCAL TIME ZONE"},
		{"arr", "ARRAY<INT>"}, {"m", "MAP<STRING, DOUBLE>"}, {"mi", "MAP<INT, ARRAY<STRING>>"},
		{"r", "ROW<x INT, y STRING, z ROW<q DATE>>"}, {"ms", "MULTISET<STRING>"},
	}
	var fields []schema.Field
	for _, c := range cols {
		fields = append(fields, schema.Field{Name: c.name, Type: schema.MustParseType(c.typ)})
	}
	s, err := schema.NewTable(fields, nil, []string{"id"}, schema.NewOptions())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// convertJSONL converts JSON lines into records and renders them back as
// JSON lines.
func convertJSONL(t *testing.T, s *schema.Table, in string) (string, error) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tg, err := newTarget(s)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	js := newJSONLSink(&out)
	if err := js.begin(tg.arrow); err != nil {
		t.Fatal(err)
	}
	b := newBatch(tg, mem, "in.jsonl", "line")
	defer b.rb.Release()
	for i, line := range strings.Split(strings.TrimSpace(in), "\n") {
		v, err := jsonrow.Parse(line)
		if err != nil {
			t.Fatal(err)
		}
		vals := make([]any, len(tg.fields))
		for _, m := range v.(jsonrow.Object) {
			idx := tg.column(m.Key)
			if idx < 0 {
				return "", &inputError{File: "in.jsonl", Line: i + 1, Column: m.Key, Err: tg.unknown(m.Key)}
			}
			vals[idx] = m.Val
		}
		if err := b.add(vals, "", i+1, len(line)); err != nil {
			return "", err
		}
	}
	rec := b.flush(mem)
	defer rec.Release()
	if err := js.write(rec); err != nil {
		t.Fatal(err)
	}
	js.end()
	return out.String(), nil
}

func TestConvertRoundTrip(t *testing.T) {
	s := allTypes(t)
	in := `{"id": 1, "b": true, "t8": -128, "s16": 32767, "i32": "42", "f": 1.5, "d": -2.25e-3, "dec": "12345678.9876", "big": "1234567890123456789012345678.0123456789", "s": "héllo \"q\"\n", "vc": "abcde", "bin": "AAEC/w==", "fbin": "q80=", "dt": "2024-02-29", "tm": "12:34:56.789", "ts0": "2024-01-01 00:00:01", "ts3": "2024-01-01T10:00:00.123+02:00", "ts6": "1969-12-31 23:59:59.999999", "ts9": "2033-05-18 03:33:20.123456789", "ltz": 1700000000123, "arr": [1, null, 3], "m": {"a": 1, "b": null}, "mi": {"7": ["x"], "-1": []}, "r": {"x": 5, "z": {"q": "2000-01-01"}}, "ms": ["a", "b", "a"]}
{"id": 2, "dec": 0.5, "big": "-0.00000000010", "f": "NaN", "d": "-Infinity", "r": [1, "y", null], "arr": [], "m": [["k", 2.5]]}
{"id": 3}`
	got, err := convertJSONL(t, s, in)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":1,"b":true,"t8":-128,"s16":32767,"i32":42,"f":1.5,"d":-0.00225,"dec":"12345678.9876","big":"1234567890123456789012345678.0123456789","s":"héllo \"q\"\n","vc":"abcde","bin":"AAEC/w==","fbin":"q80=","dt":"2024-02-29","tm":"12:34:56.789","ts0":"2024-01-01 00:00:01","ts3":"2024-01-01 08:00:00.123","ts6":"1969-12-31 23:59:59.999999","ts9":"2033-05-18 03:33:20.123456789","ltz":"2023-11-14 22:13:20.123","arr":[1,null,3],"m":{"a":1,"b":null},"mi":{"7":["x"],"-1":[]},"r":{"x":5,"y":null,"z":{"q":"2000-01-01"}},"ms":{"a":2,"b":1}}
{"id":2,"b":null,"t8":null,"s16":null,"i32":null,"f":"NaN","d":"-Infinity","dec":"0.5000","big":"-0.0000000001","s":null,"vc":null,"bin":null,"fbin":null,"dt":null,"tm":null,"ts0":null,"ts3":null,"ts6":null,"ts9":null,"ltz":null,"arr":[],"m":{"k":2.5},"mi":null,"r":{"x":1,"y":"y","z":null},"ms":null}
{"id":3,"b":null,"t8":null,"s16":null,"i32":null,"f":null,"d":null,"dec":null,"big":null,"s":null,"vc":null,"bin":null,"fbin":null,"dt":null,"tm":null,"ts0":null,"ts3":null,"ts6":null,"ts9":null,"ltz":null,"arr":null,"m":null,"mi":null,"r":null,"ms":null}
`
	if got != want {
		gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
		for i := range gl {
			if i < len(wl) && gl[i] != wl[i] {
				t.Errorf("line %d:\n got %s\nwant %s", i+1, gl[i], wl[i])
			}
		}
	}
}

func TestConvertErrors(t *testing.T) {
	s := allTypes(t)
	for _, tc := range []struct{ in, want string }{
		{`{"id": 1, "t8": 128}`, `line 1: column "t8": bad value: 128 out of range for TINYINT`},
		{`{"id": 1, "i32": 1.5}`, `column "i32": bad value: want an integer, got 1.5`},
		{`{"id": 1, "dec": "1e20"}`, `column "dec": bad value: 1e20 does not fit DECIMAL(20, 4)`},
		{`{"id": 1, "dec": "abc"}`, `want a DECIMAL(20, 4), got "abc"`},
		{`{"id": 1, "vc": "abcdef"}`, `column "vc": bad value: "abcdef" is longer than 5 characters`},
		{`{"id": 1, "dt": "2024-02-30"}`, `column "dt": bad value: want a date 'yyyy-mm-dd', got "2024-02-30"`},
		{`{"id": 1, "ts3": "2024-01-01 00:00:00.1234"}`, `has more fractional digits than TIMESTAMP(3)`},
		{`{"id": 1, "bin": "!!"}`, `column "bin": bad value: want base64 text`},
		{`{"id": 1, "fbin": "AA=="}`, `BINARY(2) needs 2 bytes, got 1`},
		{`{"id": 1, "arr": [1, "x"]}`, `column "arr": element 1: bad value: want an integer, got "x"`},
		{`{"id": 1, "r": {"nope": 1}}`, `ROW has no field "nope"`},
		{`{"id": 1, "m": {"a": "x"}}`, `value of key "a": bad value: want a number`},
		{"{\"id\": 1}\n{\"id\": null}", `line 2: column "id": null in NOT NULL column`},
		{`{"id": 1, "nope": 2}`, `column "nope": unknown column (table columns: id, b,`},
	} {
		_, err := convertJSONL(t, s, tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want …%s…", tc.in, err, tc.want)
		}
		var ie *inputError
		if !errors.As(err, &ie) {
			t.Errorf("%s: not an *inputError: %T", tc.in, err)
		}
	}
}

func TestParseDecimal(t *testing.T) {
	for _, tc := range []struct {
		in    string
		p, s  int
		want  string
		fails bool
	}{
		// More fractional digits than the scale: rejected, never rounded.
		{"1.005", 10, 2, "", true},
		{"-1.005", 10, 2, "", true},
		{"1.004", 10, 2, "", true},
		{"1.5E-3", 10, 2, "", true},
		// Trailing zeros beyond the scale change nothing.
		{"1.500", 10, 2, "1.50", false},
		{"-12.3400e0", 10, 2, "-12.34", false},
		{"1.5E-1", 10, 1, "", true},
		{"12e2", 10, 2, "1200.00", false},
		{"1.5E-1", 10, 2, "0.15", false},
		{".5", 3, 2, "0.50", false},
		{"99999999.995", 10, 2, "", true},
		{"99999999999999999999999999999999999999", 38, 0, "99999999999999999999999999999999999999", false},
		{"1-2", 10, 2, "", true},
		{"", 10, 2, "", true},
	} {
		n, err := jsonrow.ParseDecimal(tc.in, tc.p, tc.s)
		if tc.fails {
			if !errors.Is(err, jsonrow.ErrValue) {
				t.Errorf("%q: want errValue, got %v", tc.in, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if got := decimalText(n.BigInt(), int32(tc.s)); got != tc.want {
			t.Errorf("%q: got %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestParseAsOf(t *testing.T) {
	for _, s := range []string{"1700000000000", "2023-11-14T22:13:20Z", "2023-11-14 22:13:20", "2023-11-14"} {
		if _, err := parseAsOf(s); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	if _, err := parseAsOf("yesterday"); !errors.Is(err, errUsage) {
		t.Errorf("want usage error, got %v", err)
	}
	tm, _ := parseAsOf("1700000000123")
	if tm.UnixMilli() != 1700000000123 {
		t.Errorf("epoch millis: %v", tm)
	}
}

func TestLocationAddr(t *testing.T) {
	a, err := locationAddr("/wh/db1.db/t1")
	if err != nil || a.warehouse != "/wh" || a.id.Database != "db1" || a.id.Table != "t1" {
		t.Errorf("path: %+v %v", a, err)
	}
	a, err = locationAddr("s3://bucket/wh/sales.db/orders/?endpoint=http://x:9000")
	if err != nil || a.warehouse != "s3://bucket/wh?endpoint=http://x:9000" || a.id.String() != "sales.orders" {
		t.Errorf("url: %+v %v", a, err)
	}
	if _, err := locationAddr("/wh/notadb/t1"); !errors.Is(err, errUsage) {
		t.Errorf("want usage error, got %v", err)
	}
	t.Setenv(warehouseEnv, "/env/wh")
	a, err = resolveTable("", []string{"db.tbl"}, false)
	if err != nil || a.warehouse != "/env/wh" || a.location != "" {
		t.Errorf("env: %+v %v", a, err)
	}
	a, err = resolveTable("/w", []string{"db.tbl"}, false)
	if err != nil || a.warehouse != "/w" || a.where() != "/w/db.db/tbl" {
		t.Errorf("--warehouse: %+v %v", a, err)
	}
}
