package schema

import (
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Java's text forms of numbers, which Paimon's casts to and from strings
// use (Float.toString, Double.toString, Double.parseDouble, Integer
// parsing through BinaryStringUtils, BigDecimal's string constructor).

// appendJavaDouble appends Double.toString(x) (bits 64) or
// Float.toString(float32(x)) (bits 32): "NaN", "Infinity", "-0.0", plain
// form "123.0" / "0.001" when 10^-3 <= |x| < 10^7, else computerized
// scientific notation "1.0E20", "1.234E-5". The digits are the shortest
// that round-trip at the given width (Java 19+; older JDKs print one more
// digit for a few values), choosing among one- and two-digit candidates
// the one closest to x, as Java's specification says.
func appendJavaDouble(b []byte, x float64, bits int) []byte {
	switch {
	case math.IsNaN(x):
		return append(b, "NaN"...)
	case math.IsInf(x, 1):
		return append(b, "Infinity"...)
	case math.IsInf(x, -1):
		return append(b, "-Infinity"...)
	case x == 0:
		if math.Signbit(x) {
			return append(b, "-0.0"...)
		}
		return append(b, "0.0"...)
	}
	if x < 0 {
		b = append(b, '-')
		x = -x
	}
	var tmp [32]byte
	digits, exp := javaDoubleDigits(tmp[:0], x, bits)
	// digits d1 d2 ... dn represent 0.d1d2...dn × 10^(exp+1).
	if exp >= -3 && exp < 7 {
		if exp < 0 {
			b = append(b, '0', '.')
			for i := 0; i < -exp-1; i++ {
				b = append(b, '0')
			}
			return append(b, digits...)
		}
		if len(digits) <= exp+1 {
			b = append(b, digits...)
			for i := len(digits); i <= exp; i++ {
				b = append(b, '0')
			}
			return append(b, '.', '0')
		}
		b = append(b, digits[:exp+1]...)
		b = append(b, '.')
		return append(b, digits[exp+1:]...)
	}
	b = append(b, digits[0], '.')
	if len(digits) == 1 {
		b = append(b, '0')
	} else {
		b = append(b, digits[1:]...)
	}
	b = append(b, 'E')
	return strconv.AppendInt(b, int64(exp), 10)
}

// javaDoubleDigits returns the decimal digits Java prints for x > 0 (finite)
// and the exponent of the first: x ≈ d.ddd × 10^exp. The digits are
// appended to buf.
func javaDoubleDigits(buf []byte, x float64, bits int) ([]byte, int) {
	digits, exp := splitExp(strconv.AppendFloat(buf, x, 'e', -1, bits))
	if len(digits) == 1 {
		// Java picks the closest decimal of length 1 or 2 that rounds to x.
		var tmp [32]byte
		two := strconv.AppendFloat(tmp[:0], x, 'e', 1, bits)
		if y, err := strconv.ParseFloat(string(two), bits); err == nil && y == x {
			if d2, e2 := splitExp(two); d2[1] != '0' {
				return append(digits[:0], d2...), e2
			}
		}
	}
	return digits, exp
}

// splitExp splits Go's 'e' format "d.ddde±xx" in place into its digits and
// exponent.
func splitExp(e []byte) ([]byte, int) {
	i := 0
	for i < len(e) && e[i] != 'e' {
		i++
	}
	exp := 0
	neg := false
	for _, c := range e[i+1:] {
		switch {
		case c == '-':
			neg = true
		case isDigit(c):
			exp = exp*10 + int(c-'0')
		}
	}
	if neg {
		exp = -exp
	}
	n := 0
	for _, c := range e[:i] {
		if c != '.' {
			e[n] = c
			n++
		}
	}
	return e[:n], exp
}

// javaTrim is String.trim: it drops leading and trailing chars <= U+0020.
func javaTrim(s string) string {
	i, j := 0, len(s)
	for i < j && s[i] <= ' ' {
		i++
	}
	for j > i && s[j-1] <= ' ' {
		j--
	}
	return s[i:j]
}

// parseJavaDouble is Double.parseDouble (bits 64) or Float.parseFloat
// (bits 32): surrounding whitespace is trimmed; then an optional sign and
// "NaN", "Infinity", a decimal literal (digits with an optional point and
// exponent) or a hexadecimal one (0x…p…), optionally followed by one of
// f F d D. ok is false for text Java rejects.
func parseJavaDouble(s string, bits int) (float64, bool) {
	s = javaTrim(s)
	i := 0
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	rest := s[i:]
	switch rest {
	case "NaN":
		return math.NaN(), true
	case "Infinity":
		if neg {
			return math.Inf(-1), true
		}
		return math.Inf(1), true
	}
	if n := len(rest); n > 0 {
		switch rest[n-1] {
		case 'f', 'F', 'd', 'D':
			rest = rest[:n-1]
		}
	}
	if !javaFloatLiteral(rest) {
		return 0, false
	}
	v, err := strconv.ParseFloat(rest, bits)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
			return 0, false
		}
	}
	if neg {
		v = -v
	}
	return v, true
}

// javaFloatLiteral reports whether s (no sign, no suffix) is a decimal or
// hexadecimal floating-point literal of the Java grammar.
func javaFloatLiteral(s string) bool {
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		i := 2
		n := 0
		for i < len(s) && isHex(s[i]) {
			i++
			n++
		}
		if i < len(s) && s[i] == '.' {
			i++
			for i < len(s) && isHex(s[i]) {
				i++
				n++
			}
		}
		if n == 0 || i >= len(s) || (s[i] != 'p' && s[i] != 'P') {
			return false
		}
		return signedDigits(s[i+1:])
	}
	i := 0
	n := 0
	for i < len(s) && isDigit(s[i]) {
		i++
		n++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && isDigit(s[i]) {
			i++
			n++
		}
	}
	if n == 0 {
		return false
	}
	if i == len(s) {
		return true
	}
	if s[i] != 'e' && s[i] != 'E' {
		return false
	}
	return signedDigits(s[i+1:])
}

func signedDigits(s string) bool {
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isHex(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// Reasons a string does not convert, as Paimon's parsers report them.
const (
	reasonEmpty    = "input is empty"
	reasonSign     = "input has only a sign"
	reasonChar     = "invalid character"
	reasonOverflow = "overflow"
)

// parseJavaLong is BinaryStringUtils.toLong / toInt: an optional sign,
// ASCII digits, optionally a '.' and more digits that are ignored (the
// value is truncated, "1.9" gives 1); no whitespace. bits is 64 or 32;
// a value outside the range is an overflow. reason is "" on success.
func parseJavaLong(s []byte, bits int) (int64, string) {
	if len(s) == 0 {
		return 0, reasonEmpty
	}
	i := 0
	neg := s[0] == '-'
	if neg || s[0] == '+' {
		i++
		if len(s) == 1 {
			return 0, reasonSign
		}
	}
	limit := int64(math.MinInt64)
	if bits == 32 {
		limit = math.MinInt32
	}
	stop := limit / 10
	var r int64 // accumulated negatively: the minimum has more digits
	for i < len(s) {
		c := s[i]
		i++
		if c == '.' {
			break
		}
		if !isDigit(c) {
			return 0, reasonChar
		}
		if r < stop {
			return 0, reasonOverflow
		}
		r = r*10 - int64(c-'0')
		if r < limit || r > 0 {
			return 0, reasonOverflow
		}
	}
	for ; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, reasonChar
		}
	}
	if !neg {
		r = -r
		if r < 0 || (bits == 32 && r > math.MaxInt32) {
			return 0, reasonOverflow
		}
	}
	return r, ""
}

// parseBigDecimal is new BigDecimal(String): an optional sign, digits with
// an optional point (at least one digit), an optional exponent e/E with an
// optional sign; no whitespace. It sets u to the unscaled value and
// returns the scale.
func parseBigDecimal(s []byte, u *big.Int) (int, bool) {
	i := 0
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	scale, n := 0, 0
	point := false
	var small uint64
	for ; i < len(s); i++ {
		c := s[i]
		if isDigit(c) {
			if n < 19 {
				small = small*10 + uint64(c-'0')
			}
			n++
			if point {
				scale++
			}
			continue
		}
		if c == '.' && !point {
			point = true
			continue
		}
		break
	}
	if n == 0 {
		return 0, false
	}
	mantEnd := i
	if i < len(s) {
		if (s[i] != 'e' && s[i] != 'E') || !signedDigits(string(s[i+1:])) {
			return 0, false
		}
		e, err := strconv.ParseInt(string(s[i+1:]), 10, 32)
		if err != nil {
			return 0, false
		}
		// Java keeps the scale in an int.
		sc := int64(scale) - e
		if sc < math.MinInt32 || sc > math.MaxInt32 {
			return 0, false
		}
		scale = int(sc)
	}
	if n <= 19 {
		u.SetUint64(small)
	} else {
		var digits strings.Builder
		for _, c := range s[start:mantEnd] {
			if c != '.' {
				digits.WriteByte(c)
			}
		}
		u.SetString(digits.String(), 10)
	}
	if neg {
		u.Neg(u)
	}
	return scale, true
}
