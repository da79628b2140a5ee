package predicate

import (
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/floelake/floe/internal/binrow"
)

// Decimal is an exact numeric literal held as its decimal text, such as
// "12.345" or "-0.5": an optional '-', digits, and an optional fraction
// (no exponent). Parse returns a Decimal for numbers written with a '.'
// and no exponent, and for integers too large for an int64; Bind converts
// it to the column's type without going through float64, so a DECIMAL
// column compares against exactly the digits written. Numbers with an
// exponent (2.5E0) are float64 literals, as in standard SQL.
type Decimal string

// normalize returns d in the form Parse produces: no '+' sign, a leading
// "0" before a bare fraction, no trailing '.'.
func (d Decimal) normalize() Decimal {
	s := string(d)
	s = strings.TrimPrefix(s, "+")
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	if strings.HasPrefix(s, ".") {
		s = "0" + s
	}
	s = strings.TrimSuffix(s, ".")
	if neg {
		s = "-" + s
	}
	return Decimal(s)
}

// valid reports whether d is well-formed decimal text.
func (d Decimal) valid() bool {
	s := string(d)
	if s != "" && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	ip, fp, hasDot := strings.Cut(s, ".")
	if ip == "" && fp == "" {
		return false
	}
	_ = hasDot
	for _, part := range []string{ip, fp} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return false
			}
		}
	}
	return true
}

// Date is a DATE literal: a calendar day without a time zone. Parse
// returns it for DATE 'yyyy-mm-dd'.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the calendar day of t's wall clock in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// Days returns the number of days since 1970-01-01 (Paimon's DATE value).
func (d Date) Days() int64 {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

// valid reports whether d names a real day.
func (d Date) valid() bool {
	t := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
	return t.Year() == d.Year && t.Month() == d.Month && t.Day() == d.Day
}

// String returns "yyyy-mm-dd".
func (d Date) String() string {
	var b []byte
	b = appendYear(b, d.Year)
	b = append(b, '-')
	b = append2(b, int(d.Month))
	b = append(b, '-')
	b = append2(b, d.Day)
	return string(b)
}

func appendYear(b []byte, y int) []byte {
	if y < 0 {
		b = append(b, '-')
		y = -y
	}
	s := strconv.Itoa(y)
	for i := len(s); i < 4; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

func append2(b []byte, v int) []byte {
	return append(b, byte('0'+v/10%10), byte('0'+v%10))
}

// formatTimestamp prints t's wall clock as "yyyy-mm-dd hh:mm:ss[.fffffffff]",
// followed by its zone offset unless t is in UTC.
func formatTimestamp(t time.Time) string {
	var b []byte
	y, mo, d := t.Date()
	b = appendYear(b, y)
	b = append(b, '-')
	b = append2(b, int(mo))
	b = append(b, '-')
	b = append2(b, d)
	b = append(b, ' ')
	h, mi, s := t.Clock()
	b = append2(b, h)
	b = append(b, ':')
	b = append2(b, mi)
	b = append(b, ':')
	b = append2(b, s)
	if ns := t.Nanosecond(); ns != 0 {
		b = append(b, '.')
		f := strconv.Itoa(ns)
		for i := len(f); i < 9; i++ {
			b = append(b, '0')
		}
		b = append(b, f...)
	}
	if t.Location() != time.UTC {
		_, off := t.Zone()
		if off < 0 {
			b = append(b, '-')
			off = -off
		} else {
			b = append(b, '+')
		}
		b = append2(b, off/3600)
		b = append(b, ':')
		b = append2(b, off/60%60)
		if off%60 != 0 {
			b = append(b, ':')
			b = append2(b, off%60)
		}
	}
	return string(b)
}

// formatFloat prints f so that Parse reads it back as a float64: always
// with an exponent ("2.5E0", "1E-7"), or NAN, INFINITY, -INFINITY.
func formatFloat(f float64, bits int) string {
	switch {
	case math.IsNaN(f):
		return "NAN"
	case math.IsInf(f, 1):
		return "INFINITY"
	case math.IsInf(f, -1):
		return "-INFINITY"
	}
	s := strconv.FormatFloat(f, 'e', -1, bits)
	mant, exp, _ := strings.Cut(s, "e")
	e, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(e)
}

var keywords = map[string]bool{
	"AND": true, "OR": true, "NOT": true, "IN": true, "IS": true, "NULL": true,
	"TRUE": true, "FALSE": true, "DATE": true, "TIMESTAMP": true, "NAN": true,
	"INFINITY": true,
}

func isBareIdent(s string) bool {
	if s == "" || keywords[strings.ToUpper(s)] {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func writeIdent(sb *strings.Builder, s string) {
	if isBareIdent(s) {
		sb.WriteString(s)
		return
	}
	sb.WriteByte('`')
	sb.WriteString(strings.ReplaceAll(s, "`", "``"))
	sb.WriteByte('`')
}

// printable reports whether v has a text form Parse reads back with the
// same meaning.
func printable(v any) bool {
	switch x := v.(type) {
	case nil, bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64,
		float32, float64, string, []byte, time.Time, binrow.Decimal, binrow.Timestamp:
		return true
	case Decimal:
		return x.valid()
	case Date:
		return x.valid()
	}
	return false
}

func writeLiteral(sb *strings.Builder, v any) {
	switch x := v.(type) {
	case nil:
		sb.WriteString("NULL")
	case bool:
		if x {
			sb.WriteString("TRUE")
		} else {
			sb.WriteString("FALSE")
		}
	case int:
		sb.WriteString(strconv.FormatInt(int64(x), 10))
	case int8:
		sb.WriteString(strconv.FormatInt(int64(x), 10))
	case int16:
		sb.WriteString(strconv.FormatInt(int64(x), 10))
	case int32:
		sb.WriteString(strconv.FormatInt(int64(x), 10))
	case int64:
		sb.WriteString(strconv.FormatInt(x, 10))
	case uint:
		sb.WriteString(strconv.FormatUint(uint64(x), 10))
	case uint8:
		sb.WriteString(strconv.FormatUint(uint64(x), 10))
	case uint16:
		sb.WriteString(strconv.FormatUint(uint64(x), 10))
	case uint32:
		sb.WriteString(strconv.FormatUint(uint64(x), 10))
	case uint64:
		sb.WriteString(strconv.FormatUint(x, 10))
	case float32:
		sb.WriteString(formatFloat(float64(x), 32))
	case float64:
		sb.WriteString(formatFloat(x, 64))
	case string:
		sb.WriteByte('\'')
		sb.WriteString(strings.ReplaceAll(x, "'", "''"))
		sb.WriteByte('\'')
	case []byte:
		sb.WriteString("X'")
		sb.WriteString(hex.EncodeToString(x))
		sb.WriteByte('\'')
	case Decimal:
		s := string(x.normalize())
		sb.WriteString(s)
		if !strings.Contains(s, ".") {
			sb.WriteByte('.')
		}
	case binrow.Decimal:
		s := x.String()
		sb.WriteString(s)
		if !strings.Contains(s, ".") {
			sb.WriteByte('.')
		}
	case Date:
		sb.WriteString("DATE '")
		sb.WriteString(x.String())
		sb.WriteByte('\'')
	case time.Time:
		sb.WriteString("TIMESTAMP '")
		sb.WriteString(formatTimestamp(x))
		sb.WriteByte('\'')
	case binrow.Timestamp:
		sb.WriteString("TIMESTAMP '")
		sb.WriteString(formatTimestamp(time.UnixMilli(x.Millis).UTC().Add(time.Duration(x.NanoOfMilli))))
		sb.WriteByte('\'')
	default:
		fmt.Fprintf(sb, "<unprintable %T>", v)
	}
}
