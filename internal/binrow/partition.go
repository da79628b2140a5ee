package binrow

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"

	"github.com/floelake/floe/internal/civil"
	"github.com/floelake/floe/schema"
)

// DefaultPartitionName is Paimon's default partition.default-name.
const DefaultPartitionName = "__DEFAULT_PARTITION__"

// PartitionPath returns the directory of a partition, "k1=v1/k2=v2/", for
// the partition columns fields (in partition-key order) and their values.
// legacyName selects partition.legacy-name (Paimon's default, true): values
// are Java toString forms of the internal values; otherwise they are SQL
// CAST(... AS STRING) forms. Null, empty and whitespace-only values become
// defaultName. Keys and values are escaped with EscapePathName. No fields
// give "".
func PartitionPath(fields []schema.Field, values []any, defaultName string, legacyName bool) (string, error) {
	if len(fields) != len(values) {
		return "", fmt.Errorf("%w: %d partition fields, %d values", ErrValue, len(fields), len(values))
	}
	var sb strings.Builder
	for i, f := range fields {
		s, err := PartitionValue(f.Type, values[i], legacyName)
		if err != nil {
			return "", fmt.Errorf("partition %s: %w", f.Name, err)
		}
		if isNullOrWhitespace(s) {
			s = defaultName
		}
		if f.Name == "" || s == "" {
			return "", fmt.Errorf("%w: empty partition path name", ErrValue)
		}
		sb.WriteString(EscapePathName(f.Name))
		sb.WriteByte('=')
		sb.WriteString(EscapePathName(s))
		sb.WriteByte('/')
	}
	return sb.String(), nil
}

// isNullOrWhitespace mirrors Paimon's StringUtils.isNullOrWhitespaceOnly
// (Java Character.isWhitespace: no-break spaces are not whitespace).
func isNullOrWhitespace(s string) bool {
	for _, r := range s {
		if !javaIsWhitespace(r) {
			return false
		}
	}
	return true
}

func javaIsWhitespace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', 0x1c, 0x1d, 0x1e, 0x1f:
		return true
	case 0xa0, 0x2007, 0x202f:
		return false
	}
	return unicode.In(r, unicode.Zs, unicode.Zl, unicode.Zp)
}

// EscapePathName escapes a partition key or value as Java's
// PartitionPathUtils.escapePathName: 0x00-0x1F, 0x7F and "#%'*/:=?\{}[]^
// become %XX (upper-case hex); everything else, including non-ASCII, is kept.
func EscapePathName(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if needsEscape(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	const hex = "0123456789ABCDEF"
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if needsEscape(c) {
			b = append(b, '%', hex[c>>4], hex[c&15])
		} else {
			b = append(b, c)
		}
	}
	return string(b)
}

func needsEscape(c byte) bool {
	if c < 0x20 || c == 0x7f {
		return true
	}
	return strings.IndexByte("\"#%'*/:=?\\{}[]^", c) >= 0
}

// PartitionValue returns the string form of one partition value (before
// escaping and before the default-name substitution; nil gives "").
//
// Legacy forms (Java toString of Paimon's internal values): integers in
// decimal, booleans true/false, DATE as its day number, TIME as its
// millisecond of day, FLOAT/DOUBLE as Java Float/Double.toString, DECIMAL
// plain, TIMESTAMP as LocalDateTime.toString ("2024-01-01T12:00"). BINARY has
// no reproducible legacy form (Java prints an object address) and gives
// ErrUnsupported.
//
// Non-legacy forms (CAST to STRING): DATE yyyy-MM-dd, TIME HH:mm:ss[.fff],
// TIMESTAMP "yyyy-MM-dd HH:mm:ss[.fraction]" with at least p fraction digits,
// BINARY decoded as UTF-8; others as legacy. TIMESTAMP_LTZ is formatted in
// UTC, where Java uses the JVM's default time zone.
func PartitionValue(t schema.DataType, v any, legacyName bool) (string, error) {
	if v == nil {
		return "", nil
	}
	bad := func() (string, error) { return "", typeErr(&t, v) }
	switch t.Kind {
	case schema.Boolean:
		b, ok := v.(bool)
		if !ok {
			return bad()
		}
		return strconv.FormatBool(b), nil
	case schema.TinyInt, schema.SmallInt, schema.Int, schema.BigInt:
		switch x := v.(type) {
		case int8:
			return strconv.Itoa(int(x)), nil
		case int16:
			return strconv.Itoa(int(x)), nil
		case int32:
			return strconv.Itoa(int(x)), nil
		case int64:
			return strconv.FormatInt(x, 10), nil
		}
		return bad()
	case schema.Float:
		x, ok := v.(float32)
		if !ok {
			return bad()
		}
		return JavaFloatString(x), nil
	case schema.Double:
		x, ok := v.(float64)
		if !ok {
			return bad()
		}
		return JavaDoubleString(x), nil
	case schema.Decimal:
		d, ok := v.(Decimal)
		if !ok {
			return bad()
		}
		return d.String(), nil
	case schema.Char, schema.VarChar:
		s, ok := v.(string)
		if !ok {
			return bad()
		}
		return s, nil
	case schema.Binary, schema.VarBinary:
		b, ok := v.([]byte)
		if !ok {
			return bad()
		}
		if legacyName {
			return "", fmt.Errorf("%w: legacy partition name of a binary value", ErrUnsupported)
		}
		return strings.ToValidUTF8(string(b), "\uFFFD"), nil
	case schema.Date:
		d, ok := v.(int32)
		if !ok {
			return bad()
		}
		if legacyName {
			return strconv.Itoa(int(d)), nil
		}
		return formatDate(int64(d)), nil
	case schema.Time:
		ms, ok := v.(int32)
		if !ok {
			return bad()
		}
		if legacyName {
			return strconv.Itoa(int(ms)), nil
		}
		return formatTime(ms, t.Precision), nil
	case schema.Timestamp, schema.TimestampLTZ:
		ts, ok := v.(Timestamp)
		if !ok {
			return bad()
		}
		if legacyName {
			return LocalDateTimeString(ts), nil
		}
		return formatTimestampSQL(ts, t.Precision), nil
	}
	return "", fmt.Errorf("%w: partition of kind %d", ErrUnsupported, t.Kind)
}

func floorDiv(a, b int64) (q, r int64) {
	q, r = a/b, a%b
	if r < 0 {
		q--
		r += b
	}
	return q, r
}

// javaYear formats a year as java.time.LocalDate does: 4 digits zero padded,
// a leading '-' for negative years and '+' above 9999.
func javaYear(y int64) string {
	switch {
	case y > 9999:
		return "+" + strconv.FormatInt(y, 10)
	case y < 0:
		return fmt.Sprintf("-%04d", -y)
	}
	return fmt.Sprintf("%04d", y)
}

func formatDate(days int64) string {
	y, m, d := civil.Date(days)
	return fmt.Sprintf("%s-%02d-%02d", javaYear(y), m, d)
}

// LocalDateTimeString formats ts (read as UTC) like Java's
// LocalDateTime.toString: "2024-01-01T12:00", seconds only when non-zero
// (or a fraction is present), the fraction in 3, 6 or 9 digits.
func LocalDateTimeString(ts Timestamp) string {
	days, ms := floorDiv(ts.Millis, 86_400_000)
	y, mo, d := civil.Date(days)
	nano := (ms%1000)*1_000_000 + int64(ts.NanoOfMilli)
	secs := ms / 1000
	s := fmt.Sprintf("%s-%02d-%02dT%02d:%02d", javaYear(y), mo, d, secs/3600, secs/60%60)
	if secs%60 == 0 && nano == 0 {
		return s
	}
	s += fmt.Sprintf(":%02d", secs%60)
	switch {
	case nano == 0:
	case nano%1_000_000 == 0:
		s += fmt.Sprintf(".%03d", nano/1_000_000)
	case nano%1000 == 0:
		s += fmt.Sprintf(".%06d", nano/1000)
	default:
		s += fmt.Sprintf(".%09d", nano)
	}
	return s
}

// formatTimestampSQL formats as Paimon's DateTimeUtils.formatTimestamp in
// UTC: "yyyy-MM-dd HH:mm:ss" plus the 9-digit fraction with trailing zeros
// trimmed down to at least precision digits (no dot when empty).
func formatTimestampSQL(ts Timestamp, precision int) string {
	days, ms := floorDiv(ts.Millis, 86_400_000)
	y, mo, d := civil.Date(days)
	nano := (ms%1000)*1_000_000 + int64(ts.NanoOfMilli)
	secs := ms / 1000
	s := fmt.Sprintf("%s-%02d-%02d %02d:%02d:%02d", javaYear(y), mo, d, secs/3600, secs/60%60, secs%60)
	frac := fmt.Sprintf("%09d", nano)
	for len(frac) > precision && strings.HasSuffix(frac, "0") {
		frac = frac[:len(frac)-1]
	}
	if frac != "" {
		s += "." + frac
	}
	return s
}

// formatTime formats a TIME as Paimon's DateTimeUtils.formatTimestampMillis.
func formatTime(ms int32, precision int) string {
	t := int64(ms)
	for t < 0 {
		t += 86_400_000
	}
	s := fmt.Sprintf("%02d:%02d:%02d", t/3_600_000, t/60_000%60, t/1000%60)
	frac := t % 1000
	if precision > 0 {
		s += "."
		for precision > 0 {
			s += string(rune('0' + frac/100))
			frac = frac % 100 * 10
			if frac == 0 {
				break
			}
			precision--
		}
	}
	return s
}

// JavaDoubleString formats like Java's Double.toString (JDK 19+, which
// prints the shortest decimal that round-trips): "1.0", "0.001", "1.0E7",
// "1.234E-5", "NaN", "-Infinity". Older JDKs sometimes print more digits.
func JavaDoubleString(f float64) string { return javaFloatString(f, 64) }

// JavaFloatString formats like Java's Float.toString (see JavaDoubleString).
func JavaFloatString(f float32) string { return javaFloatString(float64(f), 32) }

func javaFloatString(f float64, bitSize int) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	// Shortest digits and exponent: d.ddddde±x.
	e := strconv.FormatFloat(f, 'e', -1, bitSize)
	neg := e[0] == '-'
	if neg {
		e = e[1:]
	}
	mant, expStr, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expStr)
	digits := strings.Replace(mant, ".", "", 1)
	if len(digits) == 1 {
		// Java picks the closest 2-digit decimal when one digit suffices
		// (4.9E-324, not 5.0E-324).
		e = strconv.FormatFloat(math.Abs(f), 'e', 1, bitSize)
		mant, expStr, _ = strings.Cut(e, "e")
		exp, _ = strconv.Atoi(expStr)
		digits = strings.TrimRight(strings.Replace(mant, ".", "", 1), "0")
		if digits == "" {
			digits = "0"
		}
	}
	var s string
	abs := math.Abs(f)
	if abs >= 1e-3 && abs < 1e7 {
		if exp >= 0 {
			if len(digits) <= exp+1 {
				s = digits + strings.Repeat("0", exp+1-len(digits)) + ".0"
			} else {
				s = digits[:exp+1] + "." + digits[exp+1:]
			}
		} else {
			s = "0." + strings.Repeat("0", -exp-1) + digits
		}
	} else {
		frac := digits[1:]
		if frac == "" {
			frac = "0"
		}
		s = digits[:1] + "." + frac + "E" + strconv.Itoa(exp)
	}
	if neg {
		s = "-" + s
	}
	return s
}
