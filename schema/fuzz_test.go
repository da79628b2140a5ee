package schema_test

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/floelake/floe/schema"
)

// checkDecode is the property every input must satisfy: no panic; failures
// wrap ErrCorrupt (or ErrUnsupportedVersion) and name the file; successes
// re-encode to bytes that decode to the same schema.
func checkDecode(t *testing.T, data []byte) {
	const name = "schema/schema-7"
	ts, err := schema.Decode(name, data)
	if err != nil {
		if !errors.Is(err, schema.ErrCorrupt) && !errors.Is(err, schema.ErrUnsupportedVersion) {
			t.Fatalf("error does not wrap ErrCorrupt: %v", err)
		}
		if !strings.Contains(err.Error(), name) {
			t.Fatalf("error does not name the file: %v", err)
		}
		return
	}
	out, err := ts.Encode()
	if err != nil {
		t.Fatalf("decoded schema does not encode: %v", err)
	}
	again, err := schema.Decode(name, out)
	if err != nil {
		t.Fatalf("re-encoded schema does not decode: %v\n%s", err, out)
	}
	if !reflect.DeepEqual(again, ts) {
		t.Fatalf("decode(encode(x)) != x\n%+v\n%+v", again, ts)
	}
}

func FuzzDecodeSchema(f *testing.F) {
	for _, sf := range fixtureSchemas(f) {
		f.Add(sf.data)
	}
	f.Add([]byte{})
	f.Add([]byte(`{"id":0,"fields":[],"highestFieldId":0,"partitionKeys":[],"primaryKeys":[],"options":{}}`))
	f.Fuzz(checkDecode)
}

// TestDecodeDamagedFixtures truncates and bit-flips every fixture schema.
func TestDecodeDamagedFixtures(t *testing.T) {
	for _, sf := range fixtureSchemas(t) {
		for _, n := range []int{0, 1, len(sf.data) / 2, len(sf.data) - 1} {
			_, err := schema.Decode(sf.name, sf.data[:n])
			if !errors.Is(err, schema.ErrCorrupt) {
				t.Errorf("%s truncated to %d: %v", sf.name, n, err)
			}
		}
		for i := 0; i < len(sf.data); i += 7 {
			for _, bit := range []byte{1, 0x20, 0x80} {
				b := bytes.Clone(sf.data)
				b[i] ^= bit
				checkDecode(t, b)
			}
		}
	}
}

func FuzzParseType(f *testing.F) {
	for _, s := range []string{
		"INT NOT NULL", "DECIMAL(10, 2)", "TIMESTAMP(3) WITH LOCAL TIME ZONE", "TIMESTAMP_LTZ(9)",
		"ROW<a INT, `b` ARRAY<MAP<STRING, INT>> 'c'>", "VECTOR<FLOAT, 4>", "INT ARRAY NOT NULL",
		"DOUBLE PRECISION", "CHAR", "TIME WITHOUT TIME ZONE",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ty, err := schema.ParseType(s)
		if err != nil {
			if !errors.Is(err, schema.ErrInvalidType) {
				t.Fatalf("error does not wrap ErrInvalidType: %v", err)
			}
			return
		}
		again, err := schema.ParseType(ty.String())
		if err != nil {
			t.Fatalf("String() %q does not parse: %v", ty.String(), err)
		}
		if !reflect.DeepEqual(again, ty) {
			t.Fatalf("%q: parse(String()) = %+v, want %+v", s, again, ty)
		}
	})
}
