package main

import (
	"encoding/base64"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Canonical JSON of Arrow values, as interop/README.md specifies: every
// engine's dump prints the same bytes for the same table contents.

// canonRow appends the canonical JSON object of row i of rec (columns in
// order, no spaces) to b.
func canonRow(b []byte, rec arrow.Record, i int) ([]byte, error) {
	b = append(b, '{')
	for c := 0; c < int(rec.NumCols()); c++ {
		if c > 0 {
			b = append(b, ',')
		}
		b = appendString(b, rec.ColumnName(c))
		b = append(b, ':')
		var err error
		if b, err = appendValueJSON(b, rec.Column(c), i); err != nil {
			return nil, fmt.Errorf("column %s: %w", rec.ColumnName(c), err)
		}
	}
	return append(b, '}'), nil
}

// appendString appends s as a JSON string: '"' and '\' escaped, \b \f \n
// \r \t in their short forms, other characters below U+0020 as \u00xx
// (lower-case hex), everything else as raw UTF-8 (this is Python's
// json.dumps with ensure_ascii=False). Invalid UTF-8 becomes U+FFFD.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\b':
				b = append(b, '\\', 'b')
			case c == '\f':
				b = append(b, '\\', 'f')
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b = utf8.AppendRune(b, utf8.RuneError)
		} else {
			b = append(b, s[i:i+n]...)
		}
		i += n
	}
	return append(b, '"')
}

// formatFloat renders x as strconv.FormatFloat(x, 'g', -1, bits) does,
// with NaN and the infinities as JSON strings.
func appendFloat(b []byte, x float64, bits int) []byte {
	switch {
	case math.IsNaN(x):
		return append(b, `"NaN"`...)
	case math.IsInf(x, 1):
		return append(b, `"Infinity"`...)
	case math.IsInf(x, -1):
		return append(b, `"-Infinity"`...)
	}
	return strconv.AppendFloat(b, x, 'g', -1, bits)
}

var bigTenC = big.NewInt(10)

// formatDecimal renders the unscaled value n with exactly scale fraction
// digits.
func formatDecimal(n *big.Int, scale int) string {
	neg := n.Sign() < 0
	digits := new(big.Int).Abs(n).String()
	if scale > 0 {
		if len(digits) <= scale {
			digits = strings.Repeat("0", scale-len(digits)+1) + digits
		}
		digits = digits[:len(digits)-scale] + "." + digits[len(digits)-scale:]
	}
	if neg {
		return "-" + digits
	}
	return digits
}

// trimFraction renders ns nanoseconds (0 ≤ ns < 1e9) as ".fff…" with
// trailing zeros trimmed, or "" when zero.
func trimFraction(ns int64) string {
	if ns == 0 {
		return ""
	}
	s := fmt.Sprintf("%09d", ns)
	return "." + strings.TrimRight(s, "0")
}

func formatTimeOfDay(ns int64) string {
	sec := ns / 1e9
	return fmt.Sprintf("%02d:%02d:%02d%s", sec/3600, sec/60%60, sec%60, trimFraction(ns%1e9))
}

func formatTimestamp(t time.Time) string {
	t = t.UTC()
	return t.Format("2006-01-02 15:04:05") + trimFraction(int64(t.Nanosecond()))
}

func formatDate(days int64) string {
	return time.Unix(days*86400, 0).UTC().Format("2006-01-02")
}

// appendValueJSON appends the canonical JSON of arr[i].
func appendValueJSON(b []byte, arr arrow.Array, i int) ([]byte, error) {
	if arr.IsNull(i) {
		return append(b, "null"...), nil
	}
	switch a := arr.(type) {
	case *array.Boolean:
		return strconv.AppendBool(b, a.Value(i)), nil
	case *array.Int8:
		return strconv.AppendInt(b, int64(a.Value(i)), 10), nil
	case *array.Int16:
		return strconv.AppendInt(b, int64(a.Value(i)), 10), nil
	case *array.Int32:
		return strconv.AppendInt(b, int64(a.Value(i)), 10), nil
	case *array.Int64:
		return strconv.AppendInt(b, a.Value(i), 10), nil
	case *array.Float32:
		return appendFloat(b, float64(a.Value(i)), 32), nil
	case *array.Float64:
		return appendFloat(b, a.Value(i), 64), nil
	case *array.Decimal128:
		scale := int(a.DataType().(*arrow.Decimal128Type).Scale)
		return appendString(b, formatDecimal(a.Value(i).BigInt(), scale)), nil
	case *array.String:
		return appendString(b, a.Value(i)), nil
	case *array.LargeString:
		return appendString(b, a.Value(i)), nil
	case *array.Binary:
		return appendString(b, base64.StdEncoding.EncodeToString(a.Value(i))), nil
	case *array.LargeBinary:
		return appendString(b, base64.StdEncoding.EncodeToString(a.Value(i))), nil
	case *array.FixedSizeBinary:
		return appendString(b, base64.StdEncoding.EncodeToString(a.Value(i))), nil
	case *array.Date32:
		return appendString(b, formatDate(int64(a.Value(i)))), nil
	case *array.Date64:
		return appendString(b, formatDate(int64(a.Value(i))/86400000)), nil
	case *array.Time32:
		mult := int64(a.DataType().(*arrow.Time32Type).Unit.Multiplier())
		return appendString(b, formatTimeOfDay(int64(a.Value(i))*mult)), nil
	case *array.Time64:
		mult := int64(a.DataType().(*arrow.Time64Type).Unit.Multiplier())
		return appendString(b, formatTimeOfDay(int64(a.Value(i))*mult)), nil
	case *array.Timestamp:
		unit := a.DataType().(*arrow.TimestampType).Unit
		v := int64(a.Value(i))
		var t time.Time
		switch unit {
		case arrow.Second:
			t = time.Unix(v, 0)
		case arrow.Millisecond:
			t = time.UnixMilli(v)
		case arrow.Microsecond:
			t = time.UnixMicro(v)
		default:
			t = time.Unix(0, v)
		}
		return appendString(b, formatTimestamp(t)), nil
	case *array.Map:
		// Before *array.List: a Map is a List.
		start, end := a.ValueOffsets(i)
		keys, items := a.Keys(), a.Items()
		type pair struct{ k, v []byte }
		pairs := make([]pair, 0, end-start)
		for j := start; j < end; j++ {
			k, err := appendValueJSON(nil, keys, int(j))
			if err != nil {
				return nil, err
			}
			v, err := appendValueJSON(nil, items, int(j))
			if err != nil {
				return nil, err
			}
			pairs = append(pairs, pair{k, v})
		}
		sort.SliceStable(pairs, func(x, y int) bool { return string(pairs[x].k) < string(pairs[y].k) })
		b = append(b, '[')
		for j, p := range pairs {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, '[')
			b = append(b, p.k...)
			b = append(b, ',')
			b = append(b, p.v...)
			b = append(b, ']')
		}
		return append(b, ']'), nil
	case array.ListLike:
		start, end := a.ValueOffsets(i)
		vals := a.ListValues()
		b = append(b, '[')
		for j := start; j < end; j++ {
			if j > start {
				b = append(b, ',')
			}
			var err error
			if b, err = appendValueJSON(b, vals, int(j)); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case *array.Struct:
		st := a.DataType().(*arrow.StructType)
		b = append(b, '{')
		for f := 0; f < a.NumField(); f++ {
			if f > 0 {
				b = append(b, ',')
			}
			b = appendString(b, st.Field(f).Name)
			b = append(b, ':')
			var err error
			if b, err = appendValueJSON(b, a.Field(f), i); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	}
	return nil, fmt.Errorf("no canonical JSON for Arrow type %s", arr.DataType())
}
