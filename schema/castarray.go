package schema

import (
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// CastError reports a value that Paimon's cast rules reject where Java
// Paimon throws (for example "abc" read as INT after a type change from
// STRING). Java returns null rather than failing for a DECIMAL that
// overflows its precision; so does CastArray.
type CastError struct {
	From, To DataType
	// Row is the value's position in the array that was cast; a reader
	// that cast a data file's column makes it the row in the file.
	Row int
	// Value is the rejected value as text (its cast to STRING).
	Value string
	// Reason says why it does not convert.
	Reason string
	// Column and File name where the value was read, when a reader cast
	// it (empty otherwise).
	Column, File string
}

func (e *CastError) Error() string {
	where := ""
	if e.Column != "" {
		where += fmt.Sprintf(" column %q", e.Column)
	}
	if e.File != "" {
		where += " in " + e.File
	}
	if where != "" {
		where = ":" + where
	}
	return fmt.Sprintf("schema: cast %s to %s%s: value %q: %s", e.From, e.To, where, e.Value, e.Reason)
}

// Unwrap makes errors.Is(err, ErrCast) hold.
func (e *CastError) Unwrap() error { return ErrCast }

// CastArray converts arr, holding values of Paimon type from in its Arrow
// form (ToArrow(from)), to an array of type to (ToArrow(to)) with the
// results of Java Paimon's CastExecutors, the conversion Paimon applies
// when it reads a data file written before a column's type changed. Nulls
// stay null. A value Java rejects gives a *CastError; a pair of types
// without a rule (HasCastRule false) gives an error wrapping ErrNoCastRule.
// Java's local time zone (used for TIMESTAMP WITH LOCAL TIME ZONE) is
// taken to be UTC. Identical types return a new reference to arr. The
// caller releases the result.
func CastArray(mem memory.Allocator, arr arrow.Array, from, to DataType) (arrow.Array, error) {
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	want, err := ToArrow(to)
	if err != nil {
		return nil, err
	}
	have, err := ToArrow(from)
	if err != nil {
		return nil, err
	}
	if !arrow.TypeEqual(arr.DataType(), have) {
		return nil, fmt.Errorf("%w: cast %s: array of type %s", ErrInvalidType, from, arr.DataType())
	}
	if sameIgnoringNull(from, to) {
		arr.Retain()
		return arr, nil
	}
	r := resolveRule(from, to)
	if !HasCastRule(from, to) {
		return nil, fmt.Errorf("%w: %s to %s", ErrNoCastRule, from, to)
	}
	if r == ruleNumericPrimitive && isIntegral(from.Kind) {
		return castIntegers(mem, arr, to, want), nil
	}
	c := &caster{mem: mem, from: from, to: to, src: arr}
	c.out = newSink(mem, to, want)
	defer c.out.b.Release()
	defer func() {
		for _, a := range c.children {
			a.Release()
		}
	}()
	conv, err := c.converter(r)
	if err != nil {
		return nil, err
	}
	n := arr.Len()
	c.out.b.Reserve(n)
	for i := 0; i < n; i++ {
		if arr.IsNull(i) {
			c.out.b.AppendNull()
			continue
		}
		if reason := conv(i); reason != "" {
			return nil, &CastError{From: from, To: to, Row: i, Value: valueText(mem, arr, i, from), Reason: reason}
		}
	}
	return c.out.b.NewArray(), nil
}

// valueText renders arr[i] for an error message: its cast to STRING.
func valueText(mem memory.Allocator, arr arrow.Array, i int, t DataType) string {
	if s, ok := arr.(*array.String); ok {
		return s.Value(i)
	}
	one := array.NewSlice(arr, int64(i), int64(i+1))
	defer one.Release()
	out, err := CastArray(mem, one, t, NewString())
	if err != nil {
		return fmt.Sprint(arr.GetOneForMarshal(i))
	}
	defer out.Release()
	return out.(*array.String).Value(0)
}

// caster holds one CastArray call.
type caster struct {
	mem      memory.Allocator
	from, to DataType
	src      arrow.Array
	out      *sink
	buf      []byte
	dec      decimalScratch
	children []arrow.Array // nested values cast to STRING
}

// A converter converts row i (not null) into the sink, or returns why it
// cannot.
type converter func(i int) string

func (c *caster) converter(r rule) (converter, error) {
	from, to, out := c.from, c.to, c.out
	switch r {
	case ruleNumericPrimitive:
		if isIntegral(from.Kind) {
			get := intGetter(c.src)
			return func(i int) string { out.appendIntegral(get(i)); return "" }, nil
		}
		get := floatGetter(c.src)
		return func(i int) string { out.appendFromFloat(get(i)); return "" }, nil

	case ruleDecimalToNumeric:
		a := c.src.(*array.Decimal128)
		compact := from.Precision <= 18
		return func(i int) string {
			v := a.Value(i)
			switch to.Kind {
			case Float, Double:
				out.appendFloat(decimalToDouble(v, from.Precision, from.Scale, &c.dec))
			default:
				out.appendIntegral(decimalToLong(v, from.Scale, compact, &c.dec))
			}
			return ""
		}, nil

	case ruleNumericToDecimal:
		if isIntegral(from.Kind) {
			get := intGetter(c.src)
			return func(i int) string {
				c.dec.u.SetInt64(get(i))
				out.appendDecimal(c.dec.rescale(0, to.Precision, to.Scale))
				return ""
			}, nil
		}
		get := floatGetter(c.src)
		return func(i int) string {
			v := get(i)
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return "not a number"
			}
			// BigDecimal.valueOf(double): the digits of Double.toString.
			digits, exp := javaDoubleDigits(c.buf[:0], math.Abs(v), 64)
			var m uint64
			for _, ch := range digits {
				m = m*10 + uint64(ch-'0')
			}
			c.dec.u.SetUint64(m)
			if v < 0 {
				c.dec.u.Neg(&c.dec.u)
			}
			out.appendDecimal(c.dec.rescale(len(digits)-1-exp, to.Precision, to.Scale))
			return ""
		}, nil

	case ruleDecimalToDecimal:
		a := c.src.(*array.Decimal128)
		return func(i int) string {
			c.dec.set(a.Value(i))
			out.appendDecimal(c.dec.rescale(from.Scale, to.Precision, to.Scale))
			return ""
		}, nil

	case ruleBooleanToNumeric:
		a := c.src.(*array.Boolean)
		return func(i int) string {
			var v int64
			if a.Value(i) {
				v = 1
			}
			if to.Kind == Decimal {
				c.dec.u.SetInt64(v)
				out.appendDecimal(c.dec.rescale(0, to.Precision, to.Scale))
			} else {
				out.appendIntegral(v)
			}
			return ""
		}, nil

	case ruleNumericToBoolean:
		get := intGetter(c.src)
		return func(i int) string { out.bools.Append(get(i) != 0); return "" }, nil

	case ruleNumericToTimestamp:
		get := intGetter(c.src)
		return func(i int) string { return out.appendTimestamp(jts{ms: get(i) * 1000}) }, nil

	case ruleNumericToString:
		return c.numericToString(), nil

	case ruleBooleanToString:
		a := c.src.(*array.Boolean)
		return func(i int) string {
			if a.Value(i) {
				out.appendChars([]byte("true"), to)
			} else {
				out.appendChars([]byte("false"), to)
			}
			return ""
		}, nil

	case ruleTimestampToString:
		get := timestampGetter(c.src)
		return func(i int) string {
			c.buf = appendJavaTimestamp(c.buf[:0], get(i), from.Precision)
			out.appendBytes(c.buf)
			return ""
		}, nil

	case ruleTimeToString:
		get := timeGetter(c.src)
		return func(i int) string {
			c.buf = appendJavaTime(c.buf[:0], get(i), from.Precision)
			out.appendBytes(c.buf)
			return ""
		}, nil

	case ruleDateToString:
		a := c.src.(*array.Date32)
		return func(i int) string {
			c.buf = appendJavaDate(c.buf[:0], int32(a.Value(i)))
			out.appendBytes(c.buf)
			return ""
		}, nil

	case ruleStringToString:
		a := c.src.(*array.String)
		sb := stringBytes(a)
		return func(i int) string { out.appendChars(sb(i), to); return "" }, nil

	case ruleArrayToString, ruleMapToString, ruleRowToString:
		return c.nestedToString(r)

	case ruleStringToBoolean:
		a := c.src.(*array.String)
		sb := stringBytes(a)
		return func(i int) string {
			v, ok := javaBool(sb(i))
			if !ok {
				return "not a boolean"
			}
			out.bools.Append(v)
			return ""
		}, nil

	case ruleStringToDecimal:
		a := c.src.(*array.String)
		sb := stringBytes(a)
		return func(i int) string {
			scale, ok := parseBigDecimal(sb(i), &c.dec.u)
			if !ok {
				return "not a decimal number"
			}
			out.appendDecimal(c.dec.rescale(scale, to.Precision, to.Scale))
			return ""
		}, nil

	case ruleStringToNumeric:
		a := c.src.(*array.String)
		sb := stringBytes(a)
		switch to.Kind {
		case Float, Double:
			bits := 64
			if to.Kind == Float {
				bits = 32
			}
			return func(i int) string {
				v, ok := parseJavaDouble(a.Value(i), bits)
				if !ok {
					return "not a number"
				}
				out.appendFloat(v)
				return ""
			}, nil
		}
		return func(i int) string {
			s := sb(i)
			bits := 32
			if to.Kind == BigInt {
				bits = 64
			}
			v, reason := parseJavaLong(s, bits)
			if reason != "" {
				return reason
			}
			if (to.Kind == TinyInt && v != int64(int8(v))) || (to.Kind == SmallInt && v != int64(int16(v))) {
				return reasonOverflow
			}
			out.appendIntegral(v)
			return ""
		}, nil

	case ruleStringToDate:
		a := c.src.(*array.String)
		sb := stringBytes(a)
		return func(i int) string {
			s := sb(i)
			if isJavaNumeric(s) {
				v, reason := parseJavaLong(s, 32)
				if reason != "" {
					return reason
				}
				out.dates.Append(arrow.Date32(v))
				return ""
			}
			d, ok := parseJavaDate(a.Value(i))
			if !ok {
				return "not a date"
			}
			out.dates.Append(arrow.Date32(d))
			return ""
		}, nil

	case ruleStringToTime:
		a := c.src.(*array.String)
		sb := stringBytes(a)
		return func(i int) string {
			s := sb(i)
			if isJavaNumeric(s) {
				v, reason := parseJavaLong(s, 32)
				if reason != "" {
					return reason
				}
				out.appendTime(int32(v))
				return ""
			}
			t, ok := parseJavaTime(a.Value(i))
			if !ok {
				return "not a time"
			}
			out.appendTime(t)
			return ""
		}, nil

	case ruleStringToTimestamp:
		a := c.src.(*array.String)
		sb := stringBytes(a)
		return func(i int) string {
			s := sb(i)
			if to.Kind == Timestamp && isJavaNumeric(s) {
				v, reason := parseJavaLong(s, 64)
				if reason != "" {
					return reason
				}
				t, ok := tsFromEpoch(v, to.Precision)
				if !ok {
					return fmt.Sprintf("an epoch number needs precision 0, 3, 6 or 9, not %d", to.Precision)
				}
				return out.appendTimestamp(t)
			}
			t, ok := parseJavaTimestamp(a.Value(i), to.Precision)
			if !ok {
				return "not a timestamp"
			}
			return out.appendTimestamp(t)
		}, nil

	case ruleStringToBinary:
		a := c.src.(*array.String)
		sb := stringBytes(a)
		return func(i int) string { out.appendBinary(sb(i), to); return "" }, nil

	case ruleTimestampToTimestamp:
		get := timestampGetter(c.src)
		return func(i int) string {
			t := get(i)
			if from.Precision > to.Precision {
				t = truncateTimestamp(t, to.Precision)
			}
			return out.appendTimestamp(t)
		}, nil

	case ruleTimestampToDate:
		get := timestampGetter(c.src)
		return func(i int) string {
			ms := get(i).ms
			if from.Kind == Timestamp {
				out.dates.Append(arrow.Date32(int32(ms / millisPerDay)))
			} else {
				out.dates.Append(arrow.Date32(int32(floorDiv64(ms, millisPerDay))))
			}
			return ""
		}, nil

	case ruleTimestampToTime:
		get := timestampGetter(c.src)
		return func(i int) string {
			out.appendTime(int32(floorMod64(get(i).ms, millisPerDay)))
			return ""
		}, nil

	case ruleDateToTimestamp:
		a := c.src.(*array.Date32)
		return func(i int) string {
			return out.appendTimestamp(jts{ms: int64(a.Value(i)) * millisPerDay})
		}, nil

	case ruleTimeToTimestamp:
		get := timeGetter(c.src)
		return func(i int) string { return out.appendTimestamp(jts{ms: int64(get(i))}) }, nil

	case ruleTimestampToNumeric:
		get := timestampGetter(c.src)
		return func(i int) string { out.appendIntegral(get(i).ms / 1000); return "" }, nil

	case ruleBinaryToBinary:
		get := bytesGetter(c.src)
		return func(i int) string { out.appendBinary(get(i), to); return "" }, nil

	case ruleBinaryToString:
		get := bytesGetter(c.src)
		return func(i int) string { out.appendBytes(get(i)); return "" }, nil
	}
	return nil, fmt.Errorf("%w: %s to %s (not implemented)", ErrNoCastRule, from, to)
}

// castIntegers is the integer rows of NumericPrimitiveCastRule in one
// pass: Java's widening and wrapping narrowing, (float) and (double).
func castIntegers(mem memory.Allocator, arr arrow.Array, to DataType, want arrow.DataType) arrow.Array {
	get := intGetter(arr)
	n := arr.Len()
	var valid []bool
	if arr.NullN() > 0 {
		valid = make([]bool, n)
		for i := range valid {
			valid[i] = arr.IsValid(i)
		}
	}
	b := array.NewBuilder(mem, want)
	defer b.Release()
	switch b := b.(type) {
	case *array.Int8Builder:
		b.AppendValues(mapInts(n, get, func(x int64) int8 { return int8(x) }), valid)
	case *array.Int16Builder:
		b.AppendValues(mapInts(n, get, func(x int64) int16 { return int16(x) }), valid)
	case *array.Int32Builder:
		b.AppendValues(mapInts(n, get, func(x int64) int32 { return int32(x) }), valid)
	case *array.Int64Builder:
		b.AppendValues(mapInts(n, get, func(x int64) int64 { return x }), valid)
	case *array.Float32Builder:
		b.AppendValues(mapInts(n, get, javaL2F), valid)
	case *array.Float64Builder:
		b.AppendValues(mapInts(n, get, func(x int64) float64 { return float64(x) }), valid)
	}
	return b.NewArray()
}

func isIntegral(k Kind) bool { return k == TinyInt || k == SmallInt || k == Int || k == BigInt }

// numericToString is NumericToStringCastRule: Java's toString of the
// number (Float.toString, Double.toString, BigDecimal.toPlainString),
// then cut or padded to the target's length.
func (c *caster) numericToString() converter {
	out, to := c.out, c.to
	switch c.from.Kind {
	case Float, Double:
		get := floatGetter(c.src)
		bits := 64
		if c.from.Kind == Float {
			bits = 32
		}
		return func(i int) string {
			c.buf = appendJavaDouble(c.buf[:0], get(i), bits)
			out.appendChars(c.buf, to)
			return ""
		}
	case Decimal:
		a := c.src.(*array.Decimal128)
		return func(i int) string {
			c.dec.set(a.Value(i))
			c.buf = appendPlainDecimal(c.buf[:0], &c.dec.u, c.from.Scale)
			out.appendChars(c.buf, to)
			return ""
		}
	}
	get := intGetter(c.src)
	return func(i int) string {
		c.buf = strconv.AppendInt(c.buf[:0], get(i), 10)
		out.appendChars(c.buf, to)
		return ""
	}
}

// nestedToString is ArrayToStringCastRule, MapToStringCastRule and
// RowToStringCastRule: "[a, b]", "{k -> v}" and "{a, b}", each element
// cast to STRING, "null" for nulls; the target length is not applied.
func (c *caster) nestedToString(r rule) (converter, error) {
	str := NewString()
	cast := func(arr arrow.Array, t DataType) (func(int) []byte, string) {
		if !HasCastRule(t, str) {
			return nil, fmt.Sprintf("no cast from %s to STRING", t)
		}
		a, err := CastArray(c.mem, arr, t, str)
		if err != nil {
			return nil, err.Error()
		}
		c.children = append(c.children, a)
		return stringBytes(a.(*array.String)), ""
	}
	// Children are cast up front; one without a rule fails only when a
	// row holds a value of it, as in Java.
	elem := func(b []byte, vals arrow.Array, get func(int) []byte, why string, j int) ([]byte, string) {
		if vals.IsNull(j) {
			return append(b, "null"...), ""
		}
		if get == nil {
			return b, why
		}
		return append(b, get(j)...), ""
	}
	switch r {
	case ruleArrayToString:
		l := c.src.(*array.List)
		vals, why := cast(l.ListValues(), *c.from.Elem)
		return func(i int) string {
			start, end := l.ValueOffsets(i)
			c.buf = append(c.buf[:0], '[')
			for j := start; j < end; j++ {
				var reason string
				if c.buf, reason = elem(c.buf, l.ListValues(), vals, why, int(j)); reason != "" {
					return reason
				}
				if j != end-1 {
					c.buf = append(c.buf, ", "...)
				}
			}
			c.buf = append(c.buf, ']')
			c.out.appendBytes(c.buf)
			return ""
		}, nil
	case ruleMapToString:
		m := c.src.(*array.Map)
		keys, whyK := cast(m.Keys(), *c.from.Key)
		items, whyV := cast(m.Items(), *c.from.Value)
		return func(i int) string {
			start, end := m.ValueOffsets(i)
			c.buf = append(c.buf[:0], '{')
			for j := start; j < end; j++ {
				var reason string
				if c.buf, reason = elem(c.buf, m.Keys(), keys, whyK, int(j)); reason != "" {
					return reason
				}
				c.buf = append(c.buf, " -> "...)
				if c.buf, reason = elem(c.buf, m.Items(), items, whyV, int(j)); reason != "" {
					return reason
				}
				if j != end-1 {
					c.buf = append(c.buf, ", "...)
				}
			}
			c.buf = append(c.buf, '}')
			c.out.appendBytes(c.buf)
			return ""
		}, nil
	}
	s := c.src.(*array.Struct)
	fields := make([]func(int) []byte, len(c.from.Fields))
	whys := make([]string, len(c.from.Fields))
	for j, f := range c.from.Fields {
		fields[j], whys[j] = cast(s.Field(j), f.Type)
	}
	return func(i int) string {
		c.buf = append(c.buf[:0], '{')
		for j := range fields {
			var reason string
			if c.buf, reason = elem(c.buf, s.Field(j), fields[j], whys[j], i); reason != "" {
				return reason
			}
			if j != len(fields)-1 {
				c.buf = append(c.buf, ", "...)
			}
		}
		c.buf = append(c.buf, '}')
		c.out.appendBytes(c.buf)
		return ""
	}, nil
}

// javaBool is BinaryStringUtils.toBoolean: t, true, y, yes, 1 or f, false,
// n, no, 0 in any ASCII case; nothing else (no trimming).
func javaBool(s []byte) (bool, bool) {
	if len(s) > 5 {
		return false, false
	}
	var low [5]byte
	for i, c := range s {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		low[i] = c
	}
	switch string(low[:len(s)]) {
	case "t", "true", "y", "yes", "1":
		return true, true
	case "f", "false", "n", "no", "0":
		return false, true
	}
	return false, false
}

// Getters of source values in Java's representation.

func intGetter(a arrow.Array) func(int) int64 {
	switch a := a.(type) {
	case *array.Int8:
		return func(i int) int64 { return int64(a.Value(i)) }
	case *array.Int16:
		return func(i int) int64 { return int64(a.Value(i)) }
	case *array.Int32:
		return func(i int) int64 { return int64(a.Value(i)) }
	case *array.Int64:
		return a.Value
	}
	panic(fmt.Sprintf("schema: not an integer array: %s", a.DataType()))
}

func floatGetter(a arrow.Array) func(int) float64 {
	switch a := a.(type) {
	case *array.Float32:
		return func(i int) float64 { return float64(a.Value(i)) }
	case *array.Float64:
		return a.Value
	}
	panic(fmt.Sprintf("schema: not a floating-point array: %s", a.DataType()))
}

func timestampGetter(a arrow.Array) func(int) jts {
	ts := a.(*array.Timestamp)
	u := ts.DataType().(*arrow.TimestampType).Unit
	return func(i int) jts { return tsFromUnit(int64(ts.Value(i)), u) }
}

// timeGetter reads TIME values as Paimon holds them: milliseconds of the
// day.
func timeGetter(a arrow.Array) func(int) int32 {
	switch a := a.(type) {
	case *array.Time32:
		if a.DataType().(*arrow.Time32Type).Unit == arrow.Second {
			return func(i int) int32 { return int32(a.Value(i)) * 1000 }
		}
		return func(i int) int32 { return int32(a.Value(i)) }
	case *array.Time64:
		f := int64(1000)
		if a.DataType().(*arrow.Time64Type).Unit == arrow.Nanosecond {
			f = 1_000_000
		}
		return func(i int) int32 { return int32(floorDiv64(int64(a.Value(i)), f)) }
	}
	panic(fmt.Sprintf("schema: not a time array: %s", a.DataType()))
}

// stringBytes returns the bytes of a string array's values, without
// copying.
func stringBytes(a *array.String) func(int) []byte {
	offs := a.ValueOffsets()
	var data []byte
	if buf := a.Data().Buffers()[2]; buf != nil {
		data = buf.Bytes()
	}
	return func(i int) []byte { return data[offs[i]:offs[i+1]] }
}

func bytesGetter(a arrow.Array) func(int) []byte {
	switch a := a.(type) {
	case *array.Binary:
		return a.Value
	case *array.FixedSizeBinary:
		return a.Value
	case *array.String:
		return stringBytes(a)
	}
	panic(fmt.Sprintf("schema: not a binary array: %s", a.DataType()))
}

// javaD2I and javaD2L are Java's (int) and (long) of a double: NaN is 0,
// out-of-range values saturate.
func javaD2I(v float64) int64 {
	switch {
	case math.IsNaN(v):
		return 0
	case v >= math.MaxInt32:
		return math.MaxInt32
	case v <= math.MinInt32:
		return math.MinInt32
	}
	return int64(v)
}

func javaD2L(v float64) int64 {
	switch {
	case math.IsNaN(v):
		return 0
	case v >= math.MaxInt64:
		return math.MaxInt64
	case v <= math.MinInt64:
		return math.MinInt64
	}
	return int64(v)
}

// javaL2F is Java's (float) of a long: one rounding, to nearest even.
func javaL2F(v int64) float32 {
	if v > -(1<<53) && v < 1<<53 {
		return float32(float64(v)) // the double is exact
	}
	neg := v < 0
	u := uint64(v)
	if neg {
		u = -u
	}
	n := 64 - bits.LeadingZeros64(u) // > 53
	shift := n - 24
	q := u >> shift
	rem := u & (1<<shift - 1)
	half := uint64(1) << (shift - 1)
	if rem > half || (rem == half && q&1 == 1) {
		q++
	}
	f := float32(math.Ldexp(float64(q), shift))
	if neg {
		f = -f
	}
	return f
}

// sink appends values of the target type.
type sink struct {
	t     DataType
	b     array.Builder
	bools *array.BooleanBuilder
	i8    *array.Int8Builder
	i16   *array.Int16Builder
	i32   *array.Int32Builder
	i64   *array.Int64Builder
	f32   *array.Float32Builder
	f64   *array.Float64Builder
	dec   *array.Decimal128Builder
	str   *array.StringBuilder
	bin   *array.BinaryBuilder
	fsb   *array.FixedSizeBinaryBuilder
	dates *array.Date32Builder
	t32   *array.Time32Builder
	t64   *array.Time64Builder
	ts    *array.TimestampBuilder
	unit  arrow.TimeUnit
	pad   []byte
}

func newSink(mem memory.Allocator, t DataType, at arrow.DataType) *sink {
	s := &sink{t: t, b: array.NewBuilder(mem, at)}
	switch b := s.b.(type) {
	case *array.BooleanBuilder:
		s.bools = b
	case *array.Int8Builder:
		s.i8 = b
	case *array.Int16Builder:
		s.i16 = b
	case *array.Int32Builder:
		s.i32 = b
	case *array.Int64Builder:
		s.i64 = b
	case *array.Float32Builder:
		s.f32 = b
	case *array.Float64Builder:
		s.f64 = b
	case *array.Decimal128Builder:
		s.dec = b
	case *array.StringBuilder:
		s.str = b
	case *array.BinaryBuilder:
		s.bin = b
	case *array.FixedSizeBinaryBuilder:
		s.fsb = b
	case *array.Date32Builder:
		s.dates = b
	case *array.Time32Builder:
		s.t32 = b
		s.unit = at.(*arrow.Time32Type).Unit
	case *array.Time64Builder:
		s.t64 = b
		s.unit = at.(*arrow.Time64Type).Unit
	case *array.TimestampBuilder:
		s.ts = b
		s.unit = at.(*arrow.TimestampType).Unit
	}
	return s
}

// appendIntegral appends an integer to an integer column, narrowing with
// Java's wrap-around ((byte), (short), (int)), or to FLOAT or DOUBLE.
func (s *sink) appendIntegral(v int64) {
	switch s.t.Kind {
	case TinyInt:
		s.i8.Append(int8(v))
	case SmallInt:
		s.i16.Append(int16(v))
	case Int:
		s.i32.Append(int32(v))
	case BigInt:
		s.i64.Append(v)
	case Float:
		s.f32.Append(javaL2F(v))
	case Double:
		s.f64.Append(float64(v))
	}
}

// appendFromFloat appends a FLOAT or DOUBLE value with Java's numeric
// conversions (Number.intValue and friends).
func (s *sink) appendFromFloat(v float64) {
	switch s.t.Kind {
	case TinyInt:
		s.i8.Append(int8(javaD2I(v)))
	case SmallInt:
		s.i16.Append(int16(javaD2I(v)))
	case Int:
		s.i32.Append(int32(javaD2I(v)))
	case BigInt:
		s.i64.Append(javaD2L(v))
	default:
		s.appendFloat(v)
	}
}

func (s *sink) appendFloat(v float64) {
	if s.f32 != nil {
		s.f32.Append(float32(v))
		return
	}
	s.f64.Append(v)
}

// appendDecimal appends a DECIMAL; nil (overflow) appends null.
func (s *sink) appendDecimal(u *big.Int) {
	if u == nil {
		s.dec.AppendNull()
		return
	}
	s.dec.Append(decimal128.FromBigInt(u))
}

func (s *sink) appendBytes(v []byte) {
	switch {
	case s.str != nil:
		s.str.BinaryBuilder.Append(v)
	case s.bin != nil:
		s.bin.Append(v)
	}
}

// appendChars is BinaryStringUtils.toCharacterString: text longer than a
// CHAR(n)/VARCHAR(n) target is cut to n characters, CHAR(n) pads shorter
// text with spaces. Characters are counted by UTF-8 lead bytes.
func (s *sink) appendChars(v []byte, t DataType) {
	n := javaCharCount(v)
	switch {
	case n > t.Length:
		s.appendBytes(v[:javaCharPrefix(v, t.Length)])
	case n < t.Length && t.Kind == Char:
		s.pad = append(append(s.pad[:0], v...), make([]byte, t.Length-n)...)
		for i := len(v); i < len(s.pad); i++ {
			s.pad[i] = ' '
		}
		s.appendBytes(s.pad)
	default:
		s.appendBytes(v)
	}
}

// appendBinary is BinaryStringUtils.toBinaryString: BINARY(n) pads with
// zero bytes or cuts to n bytes, VARBINARY(n) cuts longer values.
func (s *sink) appendBinary(v []byte, t DataType) {
	switch {
	case len(v) == t.Length:
	case t.Kind == Binary:
		s.pad = append(s.pad[:0], v[:min(len(v), t.Length)]...)
		for len(s.pad) < t.Length {
			s.pad = append(s.pad, 0)
		}
		v = s.pad
	case len(v) > t.Length:
		v = v[:t.Length]
	}
	if s.fsb != nil {
		s.fsb.Append(v)
		return
	}
	s.appendBytes(v)
}

// appendTime appends milliseconds of the day to a TIME column.
func (s *sink) appendTime(ms int32) {
	if s.t32 != nil {
		if s.unit == arrow.Second {
			s.t32.Append(arrow.Time32(floorDiv64(int64(ms), 1000)))
			return
		}
		s.t32.Append(arrow.Time32(ms))
		return
	}
	f := int64(1000)
	if s.unit == arrow.Nanosecond {
		f = 1_000_000
	}
	s.t64.Append(arrow.Time64(int64(ms) * f))
}

func (s *sink) appendTimestamp(t jts) string {
	v, ok := t.toUnit(s.unit)
	if !ok {
		return "timestamp out of range"
	}
	s.ts.Append(arrow.Timestamp(v))
	return ""
}

// numBytesForFirstByte is how many bytes BinaryString steps over for a
// character starting with b (1 for bytes that cannot start one).
func numBytesForFirstByte(b byte) int {
	switch {
	case b < 0x80:
		return 1
	case b>>5 == 0b110 && b&0x1e != 0:
		return 2
	case b>>4 == 0b1110:
		return 3
	case b>>3 == 0b11110:
		return 4
	}
	return 1
}

func javaCharCount(v []byte) int {
	n := 0
	for i := 0; i < len(v); i += numBytesForFirstByte(v[i]) {
		n++
	}
	return n
}

// javaCharPrefix is the byte length of the first n characters of v.
func javaCharPrefix(v []byte, n int) int {
	i := 0
	for ; n > 0 && i < len(v); n-- {
		i += numBytesForFirstByte(v[i])
	}
	return min(i, len(v))
}

// Decimals, as Java's BigDecimal computes them.

type decimalScratch struct {
	u, q, r, p, t big.Int
}

// set loads an Arrow decimal's unscaled value.
func (d *decimalScratch) set(n decimal128.Num) {
	neg := n.Sign() < 0
	if neg {
		n = n.Negate()
	}
	d.u.SetUint64(uint64(n.HighBits()))
	d.u.Lsh(&d.u, 64)
	d.t.SetUint64(n.LowBits())
	d.u.Or(&d.u, &d.t)
	if neg {
		d.u.Neg(&d.u)
	}
}

var (
	bigOne    = big.NewInt(1)
	bigPow10s = func() []*big.Int {
		p := make([]*big.Int, 80)
		p[0] = big.NewInt(1)
		for i := 1; i < len(p); i++ {
			p[i] = new(big.Int).Mul(p[i-1], big.NewInt(10))
		}
		return p
	}()
)

// pow10 returns 10^n; the result is shared and read-only.
func (d *decimalScratch) pow10(n int) *big.Int {
	if n < len(bigPow10s) {
		return bigPow10s[n]
	}
	return d.p.Exp(big.NewInt(10), d.t.SetInt64(int64(n)), nil)
}

// rescale is Decimal.fromBigDecimal(setScale(scale, HALF_UP)): the value
// d.u × 10^-scale at the new scale, rounding half away from zero, or nil
// when it needs more than precision digits. The result aliases d.u.
func (d *decimalScratch) rescale(scale, precision, newScale int) *big.Int {
	if d.u.Sign() == 0 {
		return &d.u
	}
	switch {
	case newScale > scale:
		k := newScale - scale
		if k >= precision || d.u.CmpAbs(d.pow10(precision-k)) >= 0 {
			return nil
		}
		d.u.Mul(&d.u, d.pow10(k))
		return &d.u
	case newScale < scale:
		k := scale - newScale
		if float64(k) > float64(d.u.BitLen())*0.30103+2 {
			// |u| < 10^(k-1): rounds to zero.
			d.u.SetInt64(0)
			return &d.u
		}
		neg := d.u.Sign() < 0
		d.u.Abs(&d.u)
		p := d.pow10(k)
		d.q.QuoRem(&d.u, p, &d.r)
		d.r.Lsh(&d.r, 1)
		if d.r.Cmp(p) >= 0 {
			d.q.Add(&d.q, bigOne)
		}
		d.u.Set(&d.q)
		if neg {
			d.u.Neg(&d.u)
		}
	}
	if d.u.CmpAbs(d.pow10(precision)) >= 0 {
		return nil
	}
	return &d.u
}

// decimalToLong is DecimalUtils.castToIntegral: truncated toward zero,
// then the low 64 bits (BigInteger.longValue).
func decimalToLong(n decimal128.Num, scale int, compact bool, d *decimalScratch) int64 {
	if compact {
		v := int64(n.LowBits())
		for range scale {
			v /= 10
		}
		return v
	}
	d.set(n)
	neg := d.u.Sign() < 0
	d.u.Abs(&d.u)
	d.u.Quo(&d.u, d.pow10(scale))
	lo := d.u.Uint64() // low 64 bits of |v|
	if neg {
		lo = -lo
	}
	return int64(lo)
}

// decimalToDouble is DecimalUtils.doubleValue: for precision ≤ 18 the
// unscaled long converted to double, divided by 10^scale; else the
// correctly rounded value.
func decimalToDouble(n decimal128.Num, precision, scale int, d *decimalScratch) float64 {
	if precision <= 18 {
		return float64(int64(n.LowBits())) / pow10f[scale]
	}
	d.set(n)
	v, _ := strconv.ParseFloat(d.u.String()+"e-"+strconv.Itoa(scale), 64)
	return v
}

var pow10f = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18}

// appendPlainDecimal is BigDecimal.toPlainString of u × 10^-scale.
func appendPlainDecimal(b []byte, u *big.Int, scale int) []byte {
	start := len(b)
	b = u.Append(b, 10)
	neg := b[start] == '-'
	digitsAt := start
	if neg {
		digitsAt++
	}
	if scale <= 0 {
		for range -scale {
			b = append(b, '0')
		}
		return b
	}
	n := len(b) - digitsAt
	if n <= scale {
		// 0.000ddd
		pad := scale - n
		tail := append([]byte(nil), b[digitsAt:]...)
		b = append(b[:digitsAt], '0', '.')
		for range pad {
			b = append(b, '0')
		}
		return append(b, tail...)
	}
	intLen := n - scale
	b = append(b, 0)
	copy(b[digitsAt+intLen+1:], b[digitsAt+intLen:])
	b[digitsAt+intLen] = '.'
	return b
}

// mapInts converts the n integers get yields with conv (Java's primitive
// conversion to the target width).
func mapInts[T any](n int, get func(int) int64, conv func(int64) T) []T {
	v := make([]T, n)
	for i := range v {
		v[i] = conv(get(i))
	}
	return v
}
