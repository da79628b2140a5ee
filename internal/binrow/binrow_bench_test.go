package binrow

import (
	"testing"

	"github.com/floelake/floe/schema"
)

var benchTypes = []schema.DataType{schema.NewInt(), schema.NewString(), schema.NewBigInt(), schema.NewDecimal(38, 10), schema.NewTimestamp(6)}

func benchValues() []any {
	return []any{int32(42), "a string of moderate length", int64(1 << 40), NewDecimal(-1234567890123, 38, 10),
		Timestamp{Millis: 1700000000123, NanoOfMilli: 456000}}
}

func BenchmarkEncode(b *testing.B) {
	w := NewWriter(len(benchTypes))
	vals := benchValues()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := w.Encode(benchTypes, vals); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	raw, _ := Encode(benchTypes, benchValues())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(benchTypes, raw); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkHash(b *testing.B) {
	raw, _ := Encode(benchTypes, benchValues())
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		Hash(raw)
	}
}

func BenchmarkCompareRows(b *testing.B) {
	x, _ := Encode(benchTypes, benchValues())
	v := benchValues()
	v[4] = Timestamp{Millis: 1700000000123, NanoOfMilli: 456001} // differ in the last field
	y, _ := Encode(benchTypes, v)
	b.ReportAllocs()
	for b.Loop() {
		if CompareRows(benchTypes, x, y) >= 0 {
			b.Fatal("order")
		}
	}
}
