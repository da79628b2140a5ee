package jsonrow

import (
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/schema"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want any
	}{
		{`null`, nil},
		{` true `, true},
		{`false`, false},
		{`-0.5e+10`, json.Number("-0.5e+10")},
		{`0`, json.Number("0")},
		{`"a\"b\\c\/\b\f\n\r\t\u00e9\ud83d\ude00"`, "a\"b\\c/\b\f\n\r\té😀"},
		{`"\ud800x"`, "\xed\xa0\x80x"}, // lone surrogate: not UTF-8
		{`[]`, []any{}},
		{`{}`, Object{}},
		{`{"b": [1, {"c": null}], "a": "x", "a": "y"}`, Object{{"b", []any{json.Number("1"), Object{{"c", nil}}}}, {"a", "x"}, {"a", "y"}}},
		{"\"\xff\"", "\xff"}, // raw bytes are kept; string columns reject them
	} {
		got, err := Parse(tc.in)
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %#v, want %#v", tc.in, got, tc.want)
		}
	}
	for _, in := range []string{
		``, ` `, `{`, `{"a"}`, `{"a":1,}`, `[1,]`, `[1 2]`, `01`, `-`, `1.`, `1e`, `.5`, `+1`, `tru`, `nul`,
		`"abc`, `"\x"`, `"\u12"`, "\"a\tb\"", `{"a":1} x`, `{} {}`, `NaN`, `'a'`, `{1: 2}`,
		strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1),
	} {
		if _, err := Parse(in); !errors.Is(err, ErrSyntax) {
			t.Errorf("%q: want ErrSyntax, got %v", in, err)
		}
	}
	if _, err := Parse(strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth)); err != nil {
		t.Errorf("depth %d: %v", maxDepth, err)
	}
}

// TestParseShares: an unescaped string is a view of the input, not a copy.
func TestParseShares(t *testing.T) {
	in := `{"s":"` + strings.Repeat("x", 1000) + `"}`
	v, err := Parse(in)
	if err != nil {
		t.Fatal(err)
	}
	s := v.(Object)[0].Val.(string)
	if unsafe.StringData(s) != unsafe.StringData(in[6:]) {
		t.Error("the string was copied")
	}
}

// FuzzParse compares Parse with encoding/json: the same texts are valid,
// and valid UTF-8 ones decode to the same values.
func FuzzParse(f *testing.F) {
	for _, s := range []string{`{"a": [1, -2.5e3, "x\u00e9", null, true, {"b": {}}]}`, `"\ud83d\ude00"`, `[]`, `0`, `{"a":"b","a":"c"}`, "\"\xff\"", `"\ud800"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Parse(s)
		valid := json.Valid([]byte(s))
		if (err == nil) != valid {
			// encoding/json nests without limit.
			if !(err != nil && strings.Count(s, "[")+strings.Count(s, "{") > maxDepth) {
				t.Fatalf("%q: Parse error %v, json.Valid %v", s, err, valid)
			}
		}
		if err != nil || !utf8.ValidString(s) || strings.Contains(s, `\u`) {
			return
		}
		d := json.NewDecoder(strings.NewReader(s))
		d.UseNumber()
		var want any
		if err := d.Decode(&want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(normalize(got), want) {
			t.Fatalf("%q: got %#v, want %#v", s, got, want)
		}
	})
}

// normalize turns Objects into maps (the last duplicate wins, like
// encoding/json).
func normalize(v any) any {
	switch v := v.(type) {
	case Object:
		m := map[string]any{}
		for _, e := range v {
			m[e.Key] = normalize(e.Val)
		}
		return m
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = normalize(e)
		}
		return out
	}
	return v
}

func TestLineReader(t *testing.T) {
	long := strings.Repeat("y", 3<<20) // longer than the read buffer
	in := "a\r\n\nb\n" + long + "\nlast"
	lr := NewLineReader(strings.NewReader(in), 4<<20)
	var got []string
	for {
		s, n, err := lr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if n != len(got)+1 {
			t.Fatalf("line number %d, want %d", n, len(got)+1)
		}
		got = append(got, s)
	}
	want := []string{"a", "", "b", long, "last"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %d lines", len(got))
	}

	for _, in := range []string{"ok\n" + long + "\nnext\n", "ok\n" + long} {
		lr = NewLineReader(strings.NewReader(in), 1<<20)
		if s, _, err := lr.Next(); err != nil || s != "ok" {
			t.Fatalf("first line: %q %v", s, err)
		}
		_, n, err := lr.Next()
		if !errors.Is(err, ErrRecordTooLarge) || n != 2 {
			t.Fatalf("long line: %d %v", n, err)
		}
		if _, _, err := lr.Next(); !errors.Is(err, ErrRecordTooLarge) {
			t.Fatalf("after the error: %v", err)
		}
	}
	// A short limit applies to lines inside the read buffer too.
	lr = NewLineReader(strings.NewReader("12345\n123456\n"), 5)
	if _, _, err := lr.Next(); err != nil {
		t.Fatal(err)
	}
	if _, n, err := lr.Next(); !errors.Is(err, ErrRecordTooLarge) || n != 2 {
		t.Fatalf("short limit: %d %v", n, err)
	}
}

func TestInvalidUTF8(t *testing.T) {
	// Converters of string columns reject text that is not UTF-8, also
	// nested, and from CSV cells.
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	for _, typ := range []string{"STRING", "CHAR(3)", "VARCHAR(10)", "ARRAY<STRING>", "MAP<STRING, INT>", "ROW<a STRING>"} {
		dt := schema.MustParseType(typ)
		at, err := schema.ToArrow(dt)
		if err != nil {
			t.Fatal(err)
		}
		c, err := NewConv(dt, at)
		if err != nil {
			t.Fatal(err)
		}
		b := array.NewBuilder(mem, at)
		var v any
		switch dt.Kind {
		case schema.Array:
			v = []any{"ok", "\xff"}
		case schema.Map:
			v = Object{{"\xc3", json.Number("1")}}
		case schema.Row:
			v = Object{{"a", "\xed\xa0\x80"}}
		default:
			v = "a\xffb"
		}
		err = c(b, v)
		var ve *ValueError
		if !errors.Is(err, ErrInvalidUTF8) || !errors.Is(err, ErrValue) || !errors.As(err, &ve) {
			t.Errorf("%s: %v", typ, err)
		}
		b.Release()
	}

	sb := array.NewStringBuilder(mem)
	sb.AppendValues([]string{"a", "é", "", "b\xff"}, []bool{true, true, false, true})
	s := sb.NewArray()
	defer s.Release()
	if r := FirstInvalidUTF8(s); r != 3 {
		t.Errorf("string array: %d", r)
	}
	lb := array.NewListBuilder(mem, arrow.BinaryTypes.String)
	vb := lb.ValueBuilder().(*array.StringBuilder)
	lb.Append(true)
	vb.Append("x")
	lb.AppendNull()
	lb.Append(true)
	vb.Append("y")
	vb.Append("\x80")
	l := lb.NewArray()
	defer l.Release()
	if r := FirstInvalidUTF8(l); r != 2 {
		t.Errorf("list array: %d", r)
	}
	sl := array.NewSlice(l, 0, 2)
	defer sl.Release()
	if r := FirstInvalidUTF8(sl); r != -1 {
		t.Errorf("valid slice: %d", r)
	}
	ib := array.NewInt32Builder(mem)
	ib.Append(1)
	ia := ib.NewArray()
	defer ia.Release()
	if r := FirstInvalidUTF8(ia); r != -1 {
		t.Errorf("int array: %d", r)
	}
	lb.Release()
	sb.Release()
	ib.Release()
}

func TestParseDecimalExact(t *testing.T) {
	if _, err := ParseDecimal("1.234", 10, 2); !errors.Is(err, ErrValue) {
		t.Errorf("1.234 into scale 2: %v", err)
	}
	var ve *ValueError
	if _, err := ParseDecimal("9.99", 2, 1); !errors.As(err, &ve) || ve.Value != "9.99" {
		t.Errorf("9.99: %v", err)
	}
	n, err := ParseDecimal("1.2300", 10, 2)
	if err != nil || n.BigInt().Int64() != 123 {
		t.Errorf("1.2300: %v %v", n, err)
	}
}
