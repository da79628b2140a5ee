package binrow

import (
	"errors"
	"testing"

	"github.com/floelake/floe/schema"
)

// fuzzTypeSets are the row types FuzzDecodeBinaryRow decodes input as.
var fuzzTypeSets = [][]schema.DataType{
	{schema.NewInt(), schema.NewString(), schema.NewString()},
	vectorTypes(false),
	vectorTypes(true),
	nestedTypes,
	{schema.NewTimestamp(6), schema.NewDecimal(38, 10), schema.NewBytes(), schema.NewTimestamp(3)},
}

func FuzzDecodeBinaryRow(f *testing.F) {
	for i, ts := range fuzzTypeSets {
		var vals []any
		switch i {
		case 0:
			vals = []any{int32(7), "abc", "a longer string"}
		case 3:
			vals = nestedValues()
		default:
			vals = make([]any, len(ts))
		}
		raw, err := Encode(ts, vals)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(i), raw)
	}
	for i, name := range []string{"record_for_bucket_id.data", "record_with_null_for_bucket_id.data"} {
		ts := vectorTypes(i == 1)
		for _, row := range loadVectors(f, name, ts)[:20] {
			raw, err := Encode(ts, row.values)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(uint8(1+i), raw)
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, raw []byte) {
		ts := fuzzTypeSets[int(which)%len(fuzzTypeSets)]
		vals, err := Decode(ts, raw)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error not ErrCorrupt: %v", err)
			}
			return
		}
		// Decoded values re-encode and decode to equal values.
		again, err := Encode(ts, vals)
		if err != nil {
			// Values Java would never write (e.g. decimal overflowing its
			// precision) are rejected by the encoder; that is fine.
			if errors.Is(err, ErrValue) {
				return
			}
			t.Fatalf("re-encode: %v", err)
		}
		back, err := Decode(ts, again)
		if err != nil {
			t.Fatalf("decode of encoded: %v", err)
		}
		for i := range ts {
			if CompareValues(ts[i], vals[i], back[i]) != 0 || (vals[i] == nil) != (back[i] == nil) {
				t.Fatalf("field %d: %v != %v", i, vals[i], back[i])
			}
		}
		_ = CompareRows(ts, raw, again)
		_ = Hash(raw)
	})
}
