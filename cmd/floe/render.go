package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Rendering of Arrow values as text (CSV, the grid, map keys) and JSON
// (JSON lines): decimals exact, dates 'yyyy-mm-dd', times 'hh:mm:ss[.f]',
// timestamps 'yyyy-mm-dd hh:mm:ss[.f]' (UTC for TIMESTAMP_LTZ), binary in
// base64, nested values as JSON.

// decimalText renders an unscaled integer with scale digits after the point.
func decimalText(n *big.Int, scale int32) string {
	neg := n.Sign() < 0
	s := new(big.Int).Abs(n).String()
	if scale > 0 {
		if len(s) <= int(scale) {
			s = strings.Repeat("0", int(scale)-len(s)+1) + s
		}
		s = s[:len(s)-int(scale)] + "." + s[len(s)-int(scale):]
	} else if scale < 0 {
		s += strings.Repeat("0", int(-scale))
	}
	if neg {
		s = "-" + s
	}
	return s
}

func timeText(ns int64) string {
	return time.Unix(0, ns).UTC().Format("15:04:05.999999999")
}

func timestampText(unit arrow.TimeUnit, v int64) string {
	var tm time.Time
	switch unit {
	case arrow.Second:
		tm = time.Unix(v, 0)
	case arrow.Millisecond:
		tm = time.UnixMilli(v)
	case arrow.Microsecond:
		tm = time.UnixMicro(v)
	default:
		tm = time.Unix(0, v)
	}
	return tm.UTC().Format("2006-01-02 15:04:05.999999999")
}

func floatText(f float64, bits int) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return strconv.FormatFloat(f, 'g', -1, bits)
}

// scalarString renders a non-null scalar value as text; ok is false for
// nested types.
func scalarString(a arrow.Array, i int) (s string, ok bool) {
	switch a := a.(type) {
	case *array.Boolean:
		return strconv.FormatBool(a.Value(i)), true
	case *array.Int8:
		return strconv.FormatInt(int64(a.Value(i)), 10), true
	case *array.Int16:
		return strconv.FormatInt(int64(a.Value(i)), 10), true
	case *array.Int32:
		return strconv.FormatInt(int64(a.Value(i)), 10), true
	case *array.Int64:
		return strconv.FormatInt(a.Value(i), 10), true
	case *array.Uint8:
		return strconv.FormatUint(uint64(a.Value(i)), 10), true
	case *array.Uint16:
		return strconv.FormatUint(uint64(a.Value(i)), 10), true
	case *array.Uint32:
		return strconv.FormatUint(uint64(a.Value(i)), 10), true
	case *array.Uint64:
		return strconv.FormatUint(a.Value(i), 10), true
	case *array.Float32:
		return floatText(float64(a.Value(i)), 32), true
	case *array.Float64:
		return floatText(a.Value(i), 64), true
	case *array.Decimal128:
		return decimalText(a.Value(i).BigInt(), a.DataType().(*arrow.Decimal128Type).Scale), true
	case *array.Decimal256:
		return decimalText(a.Value(i).BigInt(), a.DataType().(*arrow.Decimal256Type).Scale), true
	case *array.String:
		return a.Value(i), true
	case *array.LargeString:
		return a.Value(i), true
	case *array.Binary:
		return base64.StdEncoding.EncodeToString(a.Value(i)), true
	case *array.LargeBinary:
		return base64.StdEncoding.EncodeToString(a.Value(i)), true
	case *array.FixedSizeBinary:
		return base64.StdEncoding.EncodeToString(a.Value(i)), true
	case *array.Date32:
		return time.Unix(int64(a.Value(i))*86400, 0).UTC().Format("2006-01-02"), true
	case *array.Date64:
		return time.UnixMilli(int64(a.Value(i))).UTC().Format("2006-01-02"), true
	case *array.Time32:
		return timeText(int64(a.Value(i)) * int64(a.DataType().(*arrow.Time32Type).Unit.Multiplier())), true
	case *array.Time64:
		return timeText(int64(a.Value(i)) * int64(a.DataType().(*arrow.Time64Type).Unit.Multiplier())), true
	case *array.Timestamp:
		return timestampText(a.DataType().(*arrow.TimestampType).Unit, int64(a.Value(i))), true
	case *array.Dictionary:
		return scalarString(a.Dictionary(), a.GetValueIndex(i))
	}
	return "", false
}

// cellText renders value i of a as one line of text: scalars as text,
// nested values as JSON, null as null (ok=false).
func cellText(a arrow.Array, i int) (string, bool) {
	if a.IsNull(i) {
		return "", false
	}
	if s, ok := scalarString(a, i); ok {
		return s, true
	}
	var b []byte
	b = appendJSON(b, a, i)
	return string(b), true
}

// appendJSON appends value i of a as JSON.
func appendJSON(b []byte, a arrow.Array, i int) []byte {
	if a.IsNull(i) {
		return append(b, "null"...)
	}
	switch a := a.(type) {
	case *array.Boolean, *array.Int8, *array.Int16, *array.Int32, *array.Int64,
		*array.Uint8, *array.Uint16, *array.Uint32, *array.Uint64:
		s, _ := scalarString(a, i)
		return append(b, s...)
	case *array.Float32, *array.Float64:
		s, _ := scalarString(a, i)
		if s == "NaN" || strings.HasSuffix(s, "Infinity") {
			return appendJSONString(b, s) // JSON has no NaN or infinities
		}
		return append(b, s...)
	case *array.List:
		start, end := a.ValueOffsets(i)
		return appendJSONList(b, a.ListValues(), start, end)
	case *array.LargeList:
		start, end := a.ValueOffsets(i)
		return appendJSONList(b, a.ListValues(), start, end)
	case *array.FixedSizeList:
		start, end := a.ValueOffsets(i)
		return appendJSONList(b, a.ListValues(), start, end)
	case *array.Map:
		start, end := a.ValueOffsets(i)
		keys, items := a.Keys(), a.Items()
		b = append(b, '{')
		for j := int(start); j < int(end); j++ {
			if j > int(start) {
				b = append(b, ',')
			}
			k, _ := cellText(keys, j)
			b = appendJSONString(b, k)
			b = append(b, ':')
			b = appendJSON(b, items, j)
		}
		return append(b, '}')
	case *array.Struct:
		st := a.DataType().(*arrow.StructType)
		b = append(b, '{')
		for j := 0; j < a.NumField(); j++ {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, st.Field(j).Name)
			b = append(b, ':')
			b = appendJSON(b, a.Field(j), i)
		}
		return append(b, '}')
	}
	if s, ok := scalarString(a, i); ok {
		return appendJSONString(b, s)
	}
	v, err := json.Marshal(a.GetOneForMarshal(i))
	if err != nil {
		return appendJSONString(b, fmt.Sprint(a.ValueStr(i)))
	}
	return append(b, v...)
}

func appendJSONList(b []byte, vals arrow.Array, start, end int64) []byte {
	b = append(b, '[')
	for j := start; j < end; j++ {
		if j > start {
			b = append(b, ',')
		}
		b = appendJSON(b, vals, int(j))
	}
	return append(b, ']')
}

// appendJSONString appends s as a JSON string (no HTML escaping).
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20 || c == 0x7f:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else if r == '\u2028' || r == '\u2029' {
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
