package main

import (
	"math"
	"math/big"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/internal/jsonrow"
	"github.com/floelake/floe/schema"
)

func TestCanonScalars(t *testing.T) {
	for _, c := range []struct {
		got, want string
	}{
		{string(appendFloat(nil, 1e6, 64)), "1e+06"},
		{string(appendFloat(nil, 123456, 64)), "123456"},
		{string(appendFloat(nil, 0.1, 64)), "0.1"},
		{string(appendFloat(nil, float64(float32(0.1)), 32)), "0.1"},
		{string(appendFloat(nil, 1e-5, 64)), "1e-05"},
		{string(appendFloat(nil, math.Copysign(0, -1), 64)), "-0"},
		{string(appendFloat(nil, math.NaN(), 64)), `"NaN"`},
		{string(appendFloat(nil, math.Inf(1), 32)), `"Infinity"`},
		{string(appendFloat(nil, math.Inf(-1), 64)), `"-Infinity"`},
		{formatDecimal(big.NewInt(1250), 2), "12.50"},
		{formatDecimal(big.NewInt(-5), 3), "-0.005"},
		{formatDecimal(big.NewInt(0), 2), "0.00"},
		{formatDecimal(big.NewInt(42), 0), "42"},
		{formatTimeOfDay(0), "00:00:00"},
		{formatTimeOfDay((10*3600+20*60+30)*1e9 + 120e6), "10:20:30.12"},
		{formatTimestamp(time.Date(2024, 1, 31, 10, 20, 30, 123400000, time.UTC)), "2024-01-31 10:20:30.1234"},
		{formatTimestamp(time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC)), "1969-12-31 23:59:59"},
		{formatDate(-1), "1969-12-31"},
		{formatDate(19753), "2024-01-31"},
		{string(appendString(nil, "a\"\\\n\t\x01\x7f<&é\u2028")), "\"a\\\"\\\\\\n\\t\\u0001\x7f<&é\u2028\""},
		{string(appendString(nil, "\xff")), "\"\uFFFD\""},
	} {
		if c.got != c.want {
			t.Errorf("got %s, want %s", c.got, c.want)
		}
	}
}

// TestCanonRows converts JSON rows to Arrow with the tool's input
// conversion and back to canonical JSON.
func TestCanonRows(t *testing.T) {
	fields := []schema.Field{}
	for i, c := range []struct{ name, typ string }{
		{"i", "INT"}, {"t", "TINYINT"}, {"f", "FLOAT"}, {"dec", "DECIMAL(5, 3)"},
		{"bin", "BINARY(2)"}, {"tm", "TIME(0)"}, {"ts", "TIMESTAMP(9)"}, {"ltz", "TIMESTAMP_LTZ(6)"},
		{"a", "ARRAY<ROW<x INT, y ARRAY<STRING>>>"}, {"m", "MAP<INT, MAP<STRING, DOUBLE>>"},
	} {
		fields = append(fields, schema.Field{ID: i, Name: c.name, Type: schema.MustParseType(c.typ)})
	}
	as, err := schema.ArrowSchema(fields)
	if err != nil {
		t.Fatal(err)
	}
	rb := array.NewRecordBuilder(memory.DefaultAllocator, as)
	defer rb.Release()
	in := [][]any{
		{"7", "-3", "3.4028235e38", "1.5", "AAE=", "23:59:59", "2000-02-29 00:00:00.000000001", "1970-01-01T00:00:00.5Z",
			[]any{jsonrow.Object{{Key: "x", Val: "1"}, {Key: "y", Val: []any{"p", nil}}}, nil}, []any{[]any{"10", jsonrow.Object{{Key: "z", Val: "1"}}}, []any{"-2", nil}}},
		{nil, nil, nil, nil, nil, nil, nil, nil, nil, nil},
	}
	for _, row := range in {
		for i, f := range fields {
			c, err := jsonrow.NewConv(f.Type, as.Field(i).Type)
			if err != nil {
				t.Fatal(err)
			}
			if err := jsonrow.AppendValue(c, rb.Field(i), row[i], false); err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
		}
	}
	rec := rb.NewRecord()
	defer rec.Release()
	want := []string{
		`{"i":7,"t":-3,"f":3.4028235e+38,"dec":"1.500","bin":"AAE=","tm":"23:59:59","ts":"2000-02-29 00:00:00.000000001","ltz":"1970-01-01 00:00:00.5","a":[{"x":1,"y":["p",null]},null],"m":[[-2,null],[10,[["z",1]]]]}`,
		`{"i":null,"t":null,"f":null,"dec":null,"bin":null,"tm":null,"ts":null,"ltz":null,"a":null,"m":null}`,
	}
	for i := range want {
		got, err := canonRow(nil, rec, i)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want[i] {
			t.Errorf("row %d:\n got %s\nwant %s", i, got, want[i])
		}
	}
}
