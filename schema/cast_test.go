package schema

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/internal/civil"
)

var rewrite = flag.Bool("rewrite", false, "rewrite testdata/cast with floe's results")

func TestSupportsCast(t *testing.T) {
	p := MustParseType
	for _, tc := range []struct {
		from, to           string
		implicit, explicit bool
	}{
		{"INT", "BIGINT", true, true},
		{"BIGINT", "INT", false, true},
		{"FLOAT", "DOUBLE", true, true},
		{"DECIMAL(10, 2)", "DECIMAL(20, 2)", true, true},
		{"DECIMAL(10, 2)", "FLOAT", true, true},
		{"VARCHAR(3)", "STRING", true, true},
		{"STRING", "VARCHAR(3)", true, true},
		{"INT", "STRING", false, true},
		{"STRING", "INT", false, true},
		{"TIMESTAMP(3)", "DATE", true, true},
		{"DATE", "TIMESTAMP(3)", false, true},
		{"BYTES", "STRING", false, true},
		{"ARRAY<INT>", "ARRAY<BIGINT>", true, true},
		{"INT", "BOOLEAN", false, true},
		{"DOUBLE", "BOOLEAN", false, false},
		{"INT", "INT NOT NULL", false, true},
	} {
		from, to := p(tc.from), p(tc.to)
		if got := SupportsCast(from, to, false); got != tc.implicit {
			t.Errorf("%s -> %s implicit: %v, want %v", tc.from, tc.to, got, tc.implicit)
		}
		if got := SupportsCast(from, to, true); got != tc.explicit {
			t.Errorf("%s -> %s explicit: %v, want %v", tc.from, tc.to, got, tc.explicit)
		}
	}
}

// castCase is one case of testdata/cast: "cast FROM -> TO", input values
// one per line, "----", one result per input.
type castCase struct {
	header string
	from   string
	to     string
	inputs []string
	output []string
	// comments are the lines before the case.
	comments []string
}

func readCastCases(t testing.TB, path string) (head []string, cases []castCase) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cur *castCase
	var comments []string
	inOut := false
	for _, l := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		switch {
		case cur == nil && (l == "" || strings.HasPrefix(l, "#")):
			if len(cases) == 0 && !strings.HasPrefix(l, "## ") && (len(head) == 0 || head[len(head)-1] != "" || l != "") && comments == nil {
				if l == "" && len(head) > 0 {
					comments = []string{}
					continue
				}
				head = append(head, l)
				continue
			}
			if l != "" {
				comments = append(comments, l)
			}
		case cur == nil:
			rest, ok := strings.CutPrefix(l, "cast ")
			from, to, ok2 := strings.Cut(rest, " -> ")
			if !ok || !ok2 {
				t.Fatalf("%s: bad case line %q", path, l)
			}
			cur = &castCase{header: l, from: from, to: to, comments: comments}
			comments = []string{}
		case !inOut && l == "----":
			inOut = true
		case !inOut:
			cur.inputs = append(cur.inputs, l)
		case l == "":
			cases = append(cases, *cur)
			cur, inOut = nil, false
		default:
			cur.output = append(cur.output, l)
		}
	}
	if cur != nil {
		cases = append(cases, *cur)
	}
	return head, cases
}

func writeCastCases(t *testing.T, path string, head []string, cases []castCase) {
	var sb strings.Builder
	for _, l := range head {
		sb.WriteString(l + "\n")
	}
	sb.WriteString("\n")
	for _, c := range cases {
		for _, l := range c.comments {
			sb.WriteString(l + "\n")
		}
		sb.WriteString(c.header + "\n")
		for _, l := range c.inputs {
			sb.WriteString(l + "\n")
		}
		sb.WriteString("----\n")
		for _, l := range c.output {
			sb.WriteString(l + "\n")
		}
		sb.WriteString("\n")
	}
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestCastDatadriven runs testdata/cast: each input is built as an Arrow
// array of the source type, cast with CastArray, and each result printed
// (or "error: …" for a *CastError, "no cast rule" when HasCastRule is
// false). -rewrite rewrites the results.
func TestCastDatadriven(t *testing.T) {
	const path = "testdata/cast"
	head, cases := readCastCases(t, path)
	if len(cases) < 50 {
		t.Fatalf("only %d cases", len(cases))
	}
	changed := false
	for i := range cases {
		c := &cases[i]
		got := runCastCase(t, c)
		if strings.Join(got, "\n") != strings.Join(c.output, "\n") {
			if *rewrite {
				c.output = got
				changed = true
				continue
			}
			t.Errorf("%s\n%s\ngot:\n%s\nwant:\n%s", c.header, strings.Join(c.inputs, "\n"), strings.Join(got, "\n"), strings.Join(c.output, "\n"))
		}
	}
	if changed {
		writeCastCases(t, path, head, cases)
	}
}

func runCastCase(t *testing.T, c *castCase) []string {
	t.Helper()
	from, err := ParseType(c.from)
	if err != nil {
		t.Fatalf("%s: %v", c.header, err)
	}
	to, err := ParseType(c.to)
	if err != nil {
		t.Fatalf("%s: %v", c.header, err)
	}
	if !HasCastRule(from, to) {
		out := []string{"no cast rule"}
		mem := memory.NewGoAllocator()
		arr := buildValues(t, mem, from, c.inputs)
		defer arr.Release()
		if _, err := CastArray(mem, arr, from, to); !errors.Is(err, ErrNoCastRule) {
			t.Errorf("%s: CastArray without a rule: %v", c.header, err)
		}
		return out
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	arr := buildValues(t, mem, from, c.inputs)
	defer arr.Release()
	// Each value alone, so that one failing value does not hide the others.
	var out []string
	for i := range c.inputs {
		one := array.NewSlice(arr, int64(i), int64(i+1))
		res, err := CastArray(mem, one, from, to)
		one.Release()
		if err != nil {
			var ce *CastError
			if !errors.As(err, &ce) || !errors.Is(err, ErrCast) {
				t.Fatalf("%s: %q: %v", c.header, c.inputs[i], err)
			}
			if ce.Row != 0 || ce.Value == "" && c.inputs[i] != `""` {
				t.Errorf("%s: %q: error fields %+v", c.header, c.inputs[i], ce)
			}
			out = append(out, "error: "+ce.Reason)
			continue
		}
		if !arrow.TypeEqual(res.DataType(), mustArrow(to)) {
			t.Errorf("%s: result type %s", c.header, res.DataType())
		}
		out = append(out, renderValue(res, 0, to))
		res.Release()
	}
	// The whole array at once gives the same results when none fails.
	if all, err := CastArray(mem, arr, from, to); err == nil {
		for i := range c.inputs {
			if got := renderValue(all, i, to); got != out[i] {
				t.Errorf("%s: value %d: %s in a batch, %s alone", c.header, i, got, out[i])
			}
		}
		all.Release()
	}
	return out
}

func mustArrow(t DataType) arrow.DataType {
	at, err := ToArrow(t)
	if err != nil {
		panic(err)
	}
	return at
}

// buildValues builds the array of a case's inputs (see testdata/cast for
// the text forms).
func buildValues(t *testing.T, mem memory.Allocator, typ DataType, inputs []string) arrow.Array {
	t.Helper()
	b := array.NewBuilder(mem, mustArrow(typ))
	defer b.Release()
	for _, in := range inputs {
		if in == "null" {
			b.AppendNull()
			continue
		}
		var v any = in
		if isNested(typ.Kind) {
			d := json.NewDecoder(strings.NewReader(in))
			d.UseNumber()
			if err := d.Decode(&v); err != nil {
				t.Fatalf("%s: %q: %v", typ, in, err)
			}
		} else if typ.Kind == Char || typ.Kind == VarChar {
			var s string
			if err := json.Unmarshal([]byte(in), &s); err != nil {
				t.Fatalf("%s: %q: want a JSON string: %v", typ, in, err)
			}
			v = s
		}
		if err := appendValue(b, typ, v); err != nil {
			t.Fatalf("%s: %q: %v", typ, in, err)
		}
	}
	return b.NewArray()
}

func isNested(k Kind) bool { return k == Array || k == Map || k == Row }

// appendValue appends one value: the text form of a scalar (the string
// itself for CHAR and VARCHAR), or a decoded JSON value for ARRAY, MAP (a
// list of [key, value] pairs) and ROW (a list of field values) whose
// elements are JSON strings holding text forms, numbers or booleans.
func appendValue(b array.Builder, typ DataType, v any) error {
	if v == nil {
		b.AppendNull()
		return nil
	}
	text, isText := v.(string)
	switch typ.Kind {
	case Array:
		l, ok := v.([]any)
		if !ok {
			return fmt.Errorf("want a JSON array")
		}
		lb := b.(*array.ListBuilder)
		lb.Append(true)
		for _, e := range l {
			if err := appendValue(lb.ValueBuilder(), *typ.Elem, e); err != nil {
				return err
			}
		}
		return nil
	case Map:
		l, ok := v.([]any)
		if !ok {
			return fmt.Errorf("want a JSON array of pairs")
		}
		mb := b.(*array.MapBuilder)
		mb.Append(true)
		for _, e := range l {
			kv, ok := e.([]any)
			if !ok || len(kv) != 2 {
				return fmt.Errorf("want [key, value]")
			}
			if err := appendValue(mb.KeyBuilder(), *typ.Key, kv[0]); err != nil {
				return err
			}
			if err := appendValue(mb.ItemBuilder(), *typ.Value, kv[1]); err != nil {
				return err
			}
		}
		return nil
	case Row:
		l, ok := v.([]any)
		if !ok || len(l) != len(typ.Fields) {
			return fmt.Errorf("want a JSON array of %d fields", len(typ.Fields))
		}
		sb := b.(*array.StructBuilder)
		sb.Append(true)
		for i, f := range typ.Fields {
			if err := appendValue(sb.FieldBuilder(i), f.Type, l[i]); err != nil {
				return err
			}
		}
		return nil
	}
	if !isText {
		text = fmt.Sprint(v) // a json.Number or a bool
	}
	switch typ.Kind {
	case Boolean:
		b.(*array.BooleanBuilder).Append(text == "true")
	case TinyInt, SmallInt, Int, BigInt:
		v, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			return err
		}
		switch b := b.(type) {
		case *array.Int8Builder:
			b.Append(int8(v))
		case *array.Int16Builder:
			b.Append(int16(v))
		case *array.Int32Builder:
			b.Append(int32(v))
		case *array.Int64Builder:
			b.Append(v)
		}
	case Float:
		f, ok := parseJavaDouble(text, 32)
		if !ok {
			return fmt.Errorf("bad FLOAT")
		}
		b.(*array.Float32Builder).Append(float32(f))
	case Double:
		f, ok := parseJavaDouble(text, 64)
		if !ok {
			return fmt.Errorf("bad DOUBLE")
		}
		b.(*array.Float64Builder).Append(f)
	case Decimal:
		var d decimalScratch
		scale, ok := parseBigDecimal([]byte(text), &d.u)
		if !ok {
			return fmt.Errorf("bad DECIMAL")
		}
		u := d.rescale(scale, typ.Precision, typ.Scale)
		if u == nil {
			return fmt.Errorf("DECIMAL out of range")
		}
		b.(*array.Decimal128Builder).Append(decimal128.FromBigInt(u))
	case Char, VarChar:
		b.(*array.StringBuilder).Append(text)
	case Binary, VarBinary:
		h, ok := strings.CutPrefix(text, "x'")
		h, ok2 := strings.CutSuffix(h, "'")
		raw, err := hex.DecodeString(h)
		if !ok || !ok2 || err != nil {
			return fmt.Errorf("want x'hex'")
		}
		if fb, ok := b.(*array.FixedSizeBinaryBuilder); ok {
			if len(raw) != typ.Length {
				return fmt.Errorf("BINARY(%d) needs %d bytes", typ.Length, typ.Length)
			}
			fb.Append(raw)
		} else {
			b.(*array.BinaryBuilder).Append(raw)
		}
	case Date:
		y, m, d, ok := parseYMD(text)
		if !ok {
			return fmt.Errorf("want y-m-d")
		}
		b.(*array.Date32Builder).Append(arrow.Date32(civil.EpochDay(y, m, d)))
	case Time:
		ms, ok := parseHMS(text)
		if !ok {
			return fmt.Errorf("want HH:mm:ss[.fff]")
		}
		switch b := b.(type) {
		case *array.Time32Builder:
			b.Append(arrow.Time32(ms))
		case *array.Time64Builder:
			f := int64(1000)
			if b.Type().(*arrow.Time64Type).Unit == arrow.Nanosecond {
				f = 1_000_000
			}
			b.Append(arrow.Time64(int64(ms) * f))
		}
	case Timestamp, TimestampLTZ:
		date, tod, ok := strings.Cut(text, " ")
		y, m, d, ok1 := parseYMD(date)
		if !ok || !ok1 {
			return fmt.Errorf("want y-m-d HH:mm:ss[.f]")
		}
		secs, frac, _ := strings.Cut(tod, ".")
		ms, ok := parseHMS(secs)
		if !ok || len(frac) > 9 {
			return fmt.Errorf("want y-m-d HH:mm:ss[.f]")
		}
		nanos, _ := strconv.ParseInt((frac + "000000000")[:9], 10, 64)
		ts := jts{ms: civil.EpochDay(y, m, d)*millisPerDay + int64(ms) + nanos/1_000_000, ns: int32(nanos % 1_000_000)}
		tb := b.(*array.TimestampBuilder)
		v, _ := ts.toUnit(tb.Type().(*arrow.TimestampType).Unit)
		tb.Append(arrow.Timestamp(v))
	default:
		return fmt.Errorf("no text form for %s", typ)
	}
	return nil
}

func parseYMD(s string) (int64, int, int, bool) {
	neg := strings.HasPrefix(s, "-")
	p := strings.Split(strings.TrimPrefix(s, "-"), "-")
	if len(p) != 3 {
		return 0, 0, 0, false
	}
	y, e1 := strconv.ParseInt(p[0], 10, 64)
	m, e2 := strconv.Atoi(p[1])
	d, e3 := strconv.Atoi(p[2])
	if neg {
		y = -y
	}
	return y, m, d, e1 == nil && e2 == nil && e3 == nil
}

func parseHMS(s string) (int32, bool) {
	hms, frac, _ := strings.Cut(s, ".")
	p := strings.Split(hms, ":")
	if len(p) != 3 || len(frac) > 3 {
		return 0, false
	}
	h, e1 := strconv.Atoi(p[0])
	m, e2 := strconv.Atoi(p[1])
	sec, e3 := strconv.Atoi(p[2])
	f, _ := strconv.Atoi((frac + "000")[:3])
	return int32(((h*60+m)*60+sec)*1000 + f), e1 == nil && e2 == nil && e3 == nil
}

// renderValue prints arr[i] of Paimon type t for testdata/cast (the Java
// tool renders Java's values the same way).
func renderValue(arr arrow.Array, i int, t DataType) string {
	if arr.IsNull(i) {
		return "null"
	}
	switch a := arr.(type) {
	case *array.Boolean:
		return strconv.FormatBool(a.Value(i))
	case *array.Int8:
		return strconv.Itoa(int(a.Value(i)))
	case *array.Int16:
		return strconv.Itoa(int(a.Value(i)))
	case *array.Int32:
		return strconv.Itoa(int(a.Value(i)))
	case *array.Int64:
		return strconv.FormatInt(a.Value(i), 10)
	case *array.Float32:
		return string(appendJavaDouble(nil, float64(a.Value(i)), 32))
	case *array.Float64:
		return string(appendJavaDouble(nil, a.Value(i), 64))
	case *array.Decimal128:
		var d decimalScratch
		d.set(a.Value(i))
		return string(appendPlainDecimal(nil, &d.u, t.Scale))
	case *array.String:
		return quoteJava(a.Value(i))
	case *array.Binary:
		return "x'" + hex.EncodeToString(a.Value(i)) + "'"
	case *array.FixedSizeBinary:
		return "x'" + hex.EncodeToString(a.Value(i)) + "'"
	case *array.Date32:
		return renderDate(int64(a.Value(i)))
	case *array.Time32, *array.Time64:
		return renderTime(int64(timeGetter(arr)(i)))
	case *array.Timestamp:
		return renderTimestamp(timestampGetter(arr)(i))
	}
	return fmt.Sprintf("<%s>", arr.DataType())
}

// quoteJava quotes s: '"' and '\' escaped, control characters as \u00xx.
func quoteJava(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func renderDate(days int64) string {
	y, m, d := civil.Date(days)
	return fmt.Sprintf("%s-%02d-%02d", renderYear(y), m, d)
}

func renderYear(y int64) string {
	if y < 0 {
		return fmt.Sprintf("-%04d", -y)
	}
	return fmt.Sprintf("%04d", y)
}

func renderTime(ms int64) string {
	if ms < 0 || ms >= millisPerDay {
		return fmt.Sprintf("ms=%d", ms)
	}
	s := fmt.Sprintf("%02d:%02d:%02d", ms/3600000, ms/60000%60, ms/1000%60)
	if f := ms % 1000; f != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%03d", f), "0")
	}
	return s
}

func renderTimestamp(t jts) string {
	day := floorDiv64(t.ms, millisPerDay)
	tod := floorMod64(t.ms, millisPerDay)
	s := renderDate(day) + " " + fmt.Sprintf("%02d:%02d:%02d", tod/3600000, tod/60000%60, tod/1000%60)
	if nos := tod%1000*1_000_000 + int64(t.ns); nos != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%09d", nos), "0")
	}
	return s
}
