package schema

import (
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// castFuzzTargets are the types text is parsed into.
var castFuzzTargets = []string{
	"BOOLEAN", "TINYINT", "SMALLINT", "INT", "BIGINT", "FLOAT", "DOUBLE", "DECIMAL(10, 2)",
	"DECIMAL(38, 10)", "VARCHAR(3)", "CHAR(4)", "BINARY(2)", "VARBINARY(3)", "DATE", "TIME(3)",
	"TIMESTAMP(0)", "TIMESTAMP(3)", "TIMESTAMP(6)", "TIMESTAMP(9)", "TIMESTAMP(2)",
	"TIMESTAMP(3) WITH LOCAL TIME ZONE",
}

// checkCastString casts s from STRING to every target: no panic, and either
// a value of the target type or a *CastError for row 0.
func checkCastString(t *testing.T, s string) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	b := array.NewStringBuilder(mem)
	b.Append(s)
	arr := b.NewArray()
	b.Release()
	defer arr.Release()
	for _, ts := range castFuzzTargets {
		to := MustParseType(ts)
		out, err := CastArray(mem, arr, NewString(), to)
		if err != nil {
			var ce *CastError
			if !errors.As(err, &ce) || ce.Row != 0 || ce.Value != s {
				t.Fatalf("%q as %s: %v", s, ts, err)
			}
			continue
		}
		if out.Len() != 1 || !arrow.TypeEqual(out.DataType(), mustArrow(to)) {
			t.Fatalf("%q as %s: %d values of %s", s, ts, out.Len(), out.DataType())
		}
		out.Release()
	}
}

func FuzzCastString(f *testing.F) {
	_, cases := readCastCases(f, "testdata/cast")
	for _, c := range cases {
		if c.from != "STRING" {
			continue
		}
		for _, in := range c.inputs {
			if strings.HasPrefix(in, `"`) {
				f.Add(strings.Trim(in, `"`))
			}
		}
	}
	f.Add("+99999999999999999999-99-99 99:99:99.9999999999")
	f.Add("1e-2147483648")
	f.Fuzz(func(t *testing.T, s string) { checkCastString(t, s) })
}

// TestCastStringEdges runs the fuzz property on hand-picked edge inputs.
func TestCastStringEdges(t *testing.T) {
	for _, s := range []string{"", "-", "+", ".", "e", "0x", "0xp1", "1e", "1e+", "9223372036854775808",
		"-9223372036854775809", "1e2147483648", "1E-2147483649", "2024-01-01 10:00:00-", "::", "1:2:3.",
		"99999999999:00:00", "-1:-1", "+12345678901234567890-01-01", "2024-99999999999999999999-01",
		"\xff\xfe", "é", "2024-02-29 24:00:00", "9999999999999999999", "-9999999999999999999999"} {
		checkCastString(t, s)
	}
}
