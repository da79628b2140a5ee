// Package jsonrow converts decoded JSON (and CSV text) values into Arrow
// builders of a Paimon column's type: the input side of `floe write` and of
// the interop tool. Values are what Parse produces (nil, bool,
// json.Number, string, []any, Object) or, from CSV, strings. LineReader
// reads input lines of bounded size.
//
// Input rules: text for STRING, VARCHAR and CHAR columns must be UTF-8
// (ErrInvalidUTF8); a DECIMAL value must fit its precision and scale
// exactly, with no rounding (trailing zeros beyond the scale are fine).
package jsonrow

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/floelake/floe/schema"
)

// ErrValue marks an input value that does not convert to its column's type.
var ErrValue = errors.New("bad value")

// ErrInvalidUTF8 marks text for a string column that is not UTF-8. Errors
// matching it match ErrValue too.
var ErrInvalidUTF8 = errors.New("invalid UTF-8")

// ValueError is a bad input value. errors.Is(err, ErrValue) holds.
type ValueError struct {
	Value  string // the value as given, quoted and shortened for messages
	Reason string // what is wrong, naming Value
	Err    error  // a more specific sentinel (ErrInvalidUTF8), or nil
}

func (e *ValueError) Error() string { return "bad value: " + e.Reason }

// Is makes a *ValueError match ErrValue.
func (e *ValueError) Is(target error) bool { return target == ErrValue }

func (e *ValueError) Unwrap() error { return e.Err }

// Object is a decoded JSON object with its keys in input order.
type Object []Member

type Member struct {
	Key string
	Val any
}

// Conv appends one input value to a builder. Input values are what
// Parse produces (nil, bool, json.Number, string, []any, Object) or,
// from CSV, strings.
type Conv func(b array.Builder, v any) error

// BadValue reports v where a value described by want was expected.
func BadValue(want string, v any) error {
	return &ValueError{Value: Show(v), Reason: "want " + want + ", got " + Show(v)}
}

// Show renders an input value for an error message.
func Show(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		if len(v) > 60 {
			v = v[:57] + "..."
		}
		return strconv.Quote(v)
	case json.Number:
		return string(v)
	case bool:
		return strconv.FormatBool(v)
	case []any:
		return "an array"
	case Object:
		return "an object"
	}
	return fmt.Sprintf("%v", v)
}

// scalarText returns the text of a scalar input value.
func scalarText(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return strings.TrimSpace(v), true
	case json.Number:
		return string(v), true
	}
	return "", false
}

// NewConv returns the converter for values of Paimon type t into Arrow
// type at (schema.ToArrow(t)).
func NewConv(t schema.DataType, at arrow.DataType) (Conv, error) {
	switch t.Kind {
	case schema.Boolean:
		return func(b array.Builder, v any) error {
			switch x := v.(type) {
			case bool:
				b.(*array.BooleanBuilder).Append(x)
				return nil
			case string:
				switch strings.ToLower(strings.TrimSpace(x)) {
				case "true", "t", "1":
					b.(*array.BooleanBuilder).Append(true)
					return nil
				case "false", "f", "0":
					b.(*array.BooleanBuilder).Append(false)
					return nil
				}
			}
			return BadValue("a boolean", v)
		}, nil
	case schema.TinyInt, schema.SmallInt, schema.Int, schema.BigInt:
		bits := map[schema.Kind]int{schema.TinyInt: 8, schema.SmallInt: 16, schema.Int: 32, schema.BigInt: 64}[t.Kind]
		name := t.Nullable().String()
		return func(b array.Builder, v any) error {
			s, ok := scalarText(v)
			if !ok {
				return BadValue("an integer", v)
			}
			n, err := strconv.ParseInt(s, 10, bits)
			if err != nil {
				if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
					return fmt.Errorf("%w: %s out of range for %s", ErrValue, s, name)
				}
				return BadValue("an integer", v)
			}
			switch bb := b.(type) {
			case *array.Int8Builder:
				bb.Append(int8(n))
			case *array.Int16Builder:
				bb.Append(int16(n))
			case *array.Int32Builder:
				bb.Append(int32(n))
			case *array.Int64Builder:
				bb.Append(n)
			}
			return nil
		}, nil
	case schema.Float, schema.Double:
		bits := 64
		if t.Kind == schema.Float {
			bits = 32
		}
		return func(b array.Builder, v any) error {
			s, ok := scalarText(v)
			if !ok {
				return BadValue("a number", v)
			}
			f, err := strconv.ParseFloat(s, bits)
			if err != nil {
				if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
					return BadValue("a number", v)
				}
			}
			if bits == 32 {
				b.(*array.Float32Builder).Append(float32(f))
			} else {
				b.(*array.Float64Builder).Append(f)
			}
			return nil
		}, nil
	case schema.Decimal:
		p, sc := t.Precision, t.Scale
		return func(b array.Builder, v any) error {
			s, ok := scalarText(v)
			if !ok {
				return BadValue(fmt.Sprintf("a DECIMAL(%d, %d)", p, sc), v)
			}
			n, err := ParseDecimal(s, p, sc)
			if err != nil {
				return err
			}
			b.(*array.Decimal128Builder).Append(n)
			return nil
		}, nil
	case schema.Char, schema.VarChar:
		max := t.Length
		return func(b array.Builder, v any) error {
			var s string
			switch x := v.(type) {
			case string:
				s = x
			case json.Number:
				s = string(x)
			case bool:
				s = strconv.FormatBool(x)
			default:
				return BadValue("a string", v)
			}
			if !utf8.ValidString(s) {
				return &ValueError{Value: Show(v), Reason: Show(v) + " is not UTF-8 text", Err: ErrInvalidUTF8}
			}
			if max < schema.MaxLength && utf8.RuneCountInString(s) > max {
				return fmt.Errorf("%w: %s is longer than %d characters", ErrValue, Show(v), max)
			}
			sb := b.(*array.StringBuilder)
			if len(s) > 1<<20 {
				// Grow to fit, not to the next power of two.
				sb.ReserveData(len(s))
			}
			sb.Append(s)
			return nil
		}, nil
	case schema.Binary, schema.VarBinary, schema.Variant, schema.Blob:
		fixed := 0
		if t.Kind == schema.Binary {
			fixed = t.Length
		}
		return func(b array.Builder, v any) error {
			s, ok := v.(string)
			if !ok {
				return BadValue("base64 text", v)
			}
			raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
			if err != nil {
				return BadValue("base64 text", v)
			}
			if fixed > 0 {
				if len(raw) != fixed {
					return fmt.Errorf("%w: BINARY(%d) needs %d bytes, got %d", ErrValue, fixed, fixed, len(raw))
				}
				b.(*array.FixedSizeBinaryBuilder).Append(raw)
				return nil
			}
			b.(*array.BinaryBuilder).Append(raw)
			return nil
		}, nil
	case schema.Date:
		return func(b array.Builder, v any) error {
			if n, ok := v.(json.Number); ok {
				d, err := strconv.ParseInt(string(n), 10, 32)
				if err != nil {
					return BadValue("a date 'yyyy-mm-dd' or days since 1970-01-01", v)
				}
				b.(*array.Date32Builder).Append(arrow.Date32(d))
				return nil
			}
			s, ok := v.(string)
			if !ok {
				return BadValue("a date 'yyyy-mm-dd'", v)
			}
			tm, err := time.Parse("2006-01-02", strings.TrimSpace(s))
			if err != nil {
				return BadValue("a date 'yyyy-mm-dd'", v)
			}
			b.(*array.Date32Builder).Append(arrow.Date32(tm.Unix() / 86400))
			return nil
		}, nil
	case schema.Time:
		unit := arrow.Millisecond
		if tt, ok := at.(*arrow.Time64Type); ok {
			unit = tt.Unit
		}
		return func(b array.Builder, v any) error {
			s, ok := v.(string)
			if !ok {
				return BadValue("a time 'hh:mm:ss[.fff]'", v)
			}
			tm, err := time.Parse("15:04:05", strings.TrimSpace(s))
			if err != nil {
				return BadValue("a time 'hh:mm:ss[.fff]'", v)
			}
			ns := int64(tm.Hour())*int64(time.Hour) + int64(tm.Minute())*int64(time.Minute) +
				int64(tm.Second())*int64(time.Second) + int64(tm.Nanosecond())
			div := int64(unit.Multiplier())
			if ns%div != 0 {
				return fmt.Errorf("%w: %s has more fractional digits than TIME(%d)", ErrValue, Show(v), t.Precision)
			}
			switch bb := b.(type) {
			case *array.Time32Builder:
				bb.Append(arrow.Time32(ns / div))
			case *array.Time64Builder:
				bb.Append(arrow.Time64(ns / div))
			}
			return nil
		}, nil
	case schema.Timestamp, schema.TimestampLTZ:
		unit := at.(*arrow.TimestampType).Unit
		return func(b array.Builder, v any) error {
			var tm time.Time
			switch x := v.(type) {
			case json.Number:
				ms, err := strconv.ParseInt(string(x), 10, 64)
				if err != nil {
					return BadValue("a timestamp (RFC 3339, 'yyyy-mm-dd hh:mm:ss[.fff]' or epoch millis)", v)
				}
				tm = time.UnixMilli(ms)
			case string:
				var err error
				tm, err = ParseTimestamp(x)
				if err != nil {
					return BadValue("a timestamp (RFC 3339 or 'yyyy-mm-dd hh:mm:ss[.fff]')", v)
				}
			default:
				return BadValue("a timestamp", v)
			}
			div := int64(unit.Multiplier())
			if int64(tm.Nanosecond())%div != 0 {
				return fmt.Errorf("%w: %s has more fractional digits than %s", ErrValue, Show(v), t.Nullable())
			}
			var ts int64
			switch unit {
			case arrow.Second:
				ts = tm.Unix()
			case arrow.Millisecond:
				ts = tm.UnixMilli()
			case arrow.Microsecond:
				ts = tm.UnixMicro()
			default:
				if tm.Year() < 1678 || tm.Year() > 2261 {
					return fmt.Errorf("%w: %s is out of range for nanosecond timestamps", ErrValue, Show(v))
				}
				ts = tm.UnixNano()
			}
			b.(*array.TimestampBuilder).Append(arrow.Timestamp(ts))
			return nil
		}, nil
	case schema.Array, schema.Vector:
		var elemAT arrow.DataType
		switch lt := at.(type) {
		case *arrow.ListType:
			elemAT = lt.Elem()
		case *arrow.FixedSizeListType:
			elemAT = lt.Elem()
		}
		ec, err := NewConv(*t.Elem, elemAT)
		if err != nil {
			return nil, err
		}
		n := t.Length
		return func(b array.Builder, v any) error {
			v, err := nestedValue(v, "a JSON array")
			if err != nil {
				return err
			}
			arr, ok := v.([]any)
			if !ok {
				return BadValue("an array", v)
			}
			var vb array.Builder
			switch lb := b.(type) {
			case *array.ListBuilder:
				lb.Append(true)
				vb = lb.ValueBuilder()
			case *array.FixedSizeListBuilder:
				if len(arr) != n {
					return fmt.Errorf("%w: VECTOR of %d elements, got %d", ErrValue, n, len(arr))
				}
				lb.Append(true)
				vb = lb.ValueBuilder()
			}
			for i, e := range arr {
				if err := AppendValue(ec, vb, e, t.Elem.NotNull); err != nil {
					return fmt.Errorf("element %d: %w", i, err)
				}
			}
			return nil
		}, nil
	case schema.Map, schema.Multiset:
		mt := at.(*arrow.MapType)
		var kt, vt schema.DataType
		if t.Kind == schema.Map {
			kt, vt = *t.Key, *t.Value
		} else {
			kt, vt = *t.Elem, schema.NewInt().WithNotNull(true)
		}
		kc, err := NewConv(kt, mt.KeyType())
		if err != nil {
			return nil, err
		}
		vc, err := NewConv(vt, mt.ItemType())
		if err != nil {
			return nil, err
		}
		multiset := t.Kind == schema.Multiset
		return func(b array.Builder, v any) error {
			v, err := nestedValue(v, "a JSON object")
			if err != nil {
				return err
			}
			mb := b.(*array.MapBuilder)
			var pairs [][2]any
			switch x := v.(type) {
			case Object:
				// JSON keys are text: they convert like CSV cells.
				for _, m := range x {
					pairs = append(pairs, [2]any{m.Key, m.Val})
				}
			case []any:
				if multiset {
					counts := map[string]int{}
					var order []string
					for _, e := range x {
						k, ok := scalarText(e)
						if !ok {
							return BadValue("a MULTISET element", e)
						}
						if counts[k] == 0 {
							order = append(order, k)
						}
						counts[k]++
					}
					for _, k := range order {
						pairs = append(pairs, [2]any{k, json.Number(strconv.Itoa(counts[k]))})
					}
					break
				}
				for _, e := range x {
					kv, ok := e.([]any)
					if !ok || len(kv) != 2 {
						return BadValue("a [key, value] pair", e)
					}
					pairs = append(pairs, [2]any{kv[0], kv[1]})
				}
			default:
				return BadValue("an object", v)
			}
			mb.Append(true)
			for _, p := range pairs {
				key, val := p[0], p[1]
				if key == nil {
					return fmt.Errorf("%w: null map key", ErrValue)
				}
				if err := kc(mb.KeyBuilder(), key); err != nil {
					return fmt.Errorf("key %s: %w", Show(key), err)
				}
				if err := AppendValue(vc, mb.ItemBuilder(), val, vt.NotNull); err != nil {
					return fmt.Errorf("value of key %s: %w", Show(key), err)
				}
			}
			return nil
		}, nil
	case schema.Row:
		st := at.(*arrow.StructType)
		convs := make([]Conv, len(t.Fields))
		index := make(map[string]int, len(t.Fields))
		for i, f := range t.Fields {
			c, err := NewConv(f.Type, st.Field(i).Type)
			if err != nil {
				return nil, err
			}
			convs[i] = c
			index[f.Name] = i
		}
		return func(b array.Builder, v any) error {
			v, err := nestedValue(v, "a JSON object")
			if err != nil {
				return err
			}
			sb := b.(*array.StructBuilder)
			vals := make([]any, len(t.Fields))
			switch x := v.(type) {
			case Object:
				for _, m := range x {
					i, ok := index[m.Key]
					if !ok {
						return fmt.Errorf("%w: ROW has no field %q", ErrValue, m.Key)
					}
					vals[i] = m.Val
				}
			case []any:
				if len(x) != len(t.Fields) {
					return fmt.Errorf("%w: ROW of %d fields, got %d values", ErrValue, len(t.Fields), len(x))
				}
				copy(vals, x)
			default:
				return BadValue("an object", v)
			}
			sb.Append(true)
			for i, f := range t.Fields {
				if err := AppendValue(convs[i], sb.FieldBuilder(i), vals[i], f.Type.NotNull); err != nil {
					return fmt.Errorf("field %s: %w", f.Name, err)
				}
			}
			return nil
		}, nil
	}
	return nil, fmt.Errorf("type %s is not supported as input", t)
}

// AppendValue appends v (nil: null) with c.
func AppendValue(c Conv, b array.Builder, v any, notNull bool) error {
	if v == nil {
		if notNull {
			return fmt.Errorf("%w: null in NOT NULL field", ErrValue)
		}
		b.AppendNull()
		return nil
	}
	return c(b, v)
}

// timestampLayouts are the accepted timestamp forms; a fraction of up to
// nine digits may follow the seconds in each.
var timestampLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04",
	"2006-01-02T15:04",
	"2006-01-02",
}

// ParseTimestamp reads a timestamp. Text without an offset is UTC (the
// wall clock of a TIMESTAMP, the instant of a TIMESTAMP_LTZ read in UTC);
// text with one is converted to UTC.
func ParseTimestamp(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	var first error
	for _, l := range timestampLayouts {
		tm, err := time.Parse(l, s)
		if err == nil {
			return tm.UTC(), nil
		}
		if first == nil {
			first = err
		}
	}
	return time.Time{}, first
}

var bigTen = big.NewInt(10)

// ParseDecimal reads decimal text exactly ([+-]digits[.digits][e[+-]n]).
// It fails with a *ValueError when the value needs more than precision
// digits, or more fractional digits than scale: input is never rounded
// (trailing zeros beyond the scale are dropped, as they change nothing).
func ParseDecimal(s string, precision, scale int) (decimal128.Num, error) {
	bad := func() (decimal128.Num, error) {
		return decimal128.Num{}, &ValueError{Value: strconv.Quote(s), Reason: fmt.Sprintf("want a DECIMAL(%d, %d), got %s", precision, scale, strconv.Quote(s))}
	}
	t := s
	neg := false
	if t != "" && (t[0] == '+' || t[0] == '-') {
		neg = t[0] == '-'
		t = t[1:]
	}
	exp := 0
	if i := strings.IndexAny(t, "eE"); i >= 0 {
		e, err := strconv.Atoi(t[i+1:])
		if err != nil || e > 1000 || e < -1000 {
			return bad()
		}
		exp = e
		t = t[:i]
	}
	intPart, frac, _ := strings.Cut(t, ".")
	if intPart == "" && frac == "" {
		return bad()
	}
	digits := intPart + frac
	for _, c := range digits {
		if c < '0' || c > '9' {
			return bad()
		}
	}
	// value = digits × 10^(exp − len(frac)); rescale to 10^(−scale).
	shift := scale + exp - len(frac)
	n, ok := new(big.Int).SetString("0"+digits, 10)
	if !ok {
		return bad()
	}
	if shift >= 0 {
		n.Mul(n, new(big.Int).Exp(bigTen, big.NewInt(int64(shift)), nil))
	} else {
		div := new(big.Int).Exp(bigTen, big.NewInt(int64(-shift)), nil)
		q, r := new(big.Int).QuoRem(n, div, new(big.Int))
		if r.Sign() != 0 {
			return decimal128.Num{}, &ValueError{Value: s, Reason: fmt.Sprintf("%s has more fractional digits than DECIMAL(%d, %d) holds (floe does not round)", s, precision, scale)}
		}
		n = q
	}
	limit := new(big.Int).Exp(bigTen, big.NewInt(int64(precision)), nil)
	if n.Cmp(limit) >= 0 {
		return decimal128.Num{}, &ValueError{Value: s, Reason: fmt.Sprintf("%s does not fit DECIMAL(%d, %d)", s, precision, scale)}
	}
	if neg {
		n.Neg(n)
	}
	return decimal128.FromBigInt(n), nil
}

// DecodeJSONText decodes one JSON value (a CSV cell holding a nested value).
func DecodeJSONText(s string) (any, error) {
	return Parse(s)
}

// nestedValue is v for a nested column: a string (a CSV cell) holding
// JSON text is decoded first; what names the expected JSON for errors.
func nestedValue(v any, what string) (any, error) {
	s, ok := v.(string)
	if !ok {
		return v, nil
	}
	parsed, err := DecodeJSONText(s)
	if err != nil {
		return nil, BadValue(what, v)
	}
	return parsed, nil
}
