package schema

import (
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/floelake/floe/internal/civil"
)

// Paimon's date and time values and their text forms (DateTimeUtils,
// BinaryStringUtils): DATE is days since 1970-01-01, TIME milliseconds of
// the day, TIMESTAMP epoch milliseconds plus nanoseconds of the
// millisecond. Java's local time zone is taken to be UTC.

const (
	millisPerDay = 86_400_000
	epochJulian  = 2_440_588
)

// jts is Paimon's Timestamp: epoch milliseconds and the nanoseconds within
// the millisecond (0..999999).
type jts struct {
	ms int64
	ns int32
}

func floorDiv64(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func floorMod64(a, b int64) int64 { return a - floorDiv64(a, b)*b }

// tsFromUnit reads an Arrow timestamp value of unit u.
func tsFromUnit(v int64, u arrow.TimeUnit) jts {
	switch u {
	case arrow.Second:
		return jts{ms: v * 1000}
	case arrow.Millisecond:
		return jts{ms: v}
	case arrow.Microsecond:
		return jts{ms: floorDiv64(v, 1000), ns: int32(floorMod64(v, 1000) * 1000)}
	}
	return jts{ms: floorDiv64(v, 1_000_000), ns: int32(floorMod64(v, 1_000_000))}
}

// toUnit returns t in unit u, dropping digits u cannot hold; ok is false
// when it does not fit in 64 bits.
func (t jts) toUnit(u arrow.TimeUnit) (int64, bool) {
	var f int64
	var sub int64
	switch u {
	case arrow.Second:
		return floorDiv64(t.ms, 1000), true
	case arrow.Millisecond:
		return t.ms, true
	case arrow.Microsecond:
		f, sub = 1000, int64(t.ns/1000)
	default:
		f, sub = 1_000_000, int64(t.ns)
	}
	if t.ms > (math.MaxInt64-sub)/f || t.ms < math.MinInt64/f {
		return 0, false
	}
	return t.ms*f + sub, true
}

func isLeap(y int64) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func monthLength(y int64, m int) int {
	switch m {
	case 2:
		if isLeap(y) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// appendInt4 and appendInt2 write the last four or two digits of i the way
// DateTimeUtils does (no sign, no more digits).
func appendInt4(b []byte, i int32) []byte {
	return append(b, byte('0'+(i/1000)%10), byte('0'+(i/100)%10), byte('0'+(i/10)%10), byte('0'+i%10))
}

func appendInt2(b []byte, i int32) []byte {
	return append(b, byte('0'+(i/10)%10), byte('0'+i%10))
}

// appendJavaDate is DateTimeUtils.formatDate: "yyyy-MM-dd" by the Julian
// day arithmetic Paimon uses, in Java int arithmetic.
func appendJavaDate(b []byte, date int32) []byte {
	j := date + epochJulian + 32044
	g := j / 146097
	dg := j % 146097
	c := (dg/36524 + 1) * 3 / 4
	dc := dg - c*36524
	bb := dc / 1461
	db := dc % 1461
	a := (db/365 + 1) * 3 / 4
	da := db - a*365
	y := g*400 + c*100 + bb*4 + a
	m := (da*5+308)/153 - 2
	d := da - (m+4)*153/5 + 122
	year := y - 4800 + (m+2)/12
	month := (m+2)%12 + 1
	day := d + 1
	b = appendInt4(b, year)
	b = append(b, '-')
	b = appendInt2(b, month)
	b = append(b, '-')
	return appendInt2(b, day)
}

// appendJavaTime is DateTimeUtils.formatTimestampMillis for TIME(p): the
// milliseconds of the day as "HH:mm:ss", then for p > 0 a point and the
// fraction's digits up to the last non-zero one (at least one digit).
func appendJavaTime(b []byte, t int32, precision int) []byte {
	for t < 0 {
		t += millisPerDay
	}
	h := t / 3600000
	t2 := t % 3600000
	m := t2 / 60000
	t3 := t2 % 60000
	s := t3 / 1000
	ms := t3 % 1000
	b = appendInt2(b, h)
	b = append(b, ':')
	b = appendInt2(b, m)
	b = append(b, ':')
	b = appendInt2(b, s)
	if precision > 0 {
		b = append(b, '.')
		for precision > 0 {
			b = append(b, byte('0'+ms/100))
			ms = ms % 100 * 10
			if ms == 0 {
				break
			}
			precision--
		}
	}
	return b
}

// localDateTime splits t into its UTC calendar fields.
func (t jts) localDateTime() (y int64, mo, d, h, mi, s int, nanoOfSecond int64) {
	day := floorDiv64(t.ms, millisPerDay)
	tod := floorMod64(t.ms, millisPerDay)
	y, mo, d = civil.Date(day)
	h = int(tod / 3600000)
	mi = int(tod / 60000 % 60)
	s = int(tod / 1000 % 60)
	return y, mo, d, h, mi, s, tod%1000*1_000_000 + int64(t.ns)
}

// appendJavaTimestamp is DateTimeUtils.formatTimestamp: "yyyy-MM-dd
// HH:mm:ss" and the nine-digit fraction with trailing zeros removed down
// to precision digits (so TIMESTAMP(3) keeps ".000", TIMESTAMP(0) drops a
// zero fraction, and digits beyond the precision are kept).
func appendJavaTimestamp(b []byte, t jts, precision int) []byte {
	y, mo, d, h, mi, s, nos := t.localDateTime()
	b = appendInt4(b, int32(y))
	b = append(b, '-')
	b = appendInt2(b, int32(mo))
	b = append(b, '-')
	b = appendInt2(b, int32(d))
	b = append(b, ' ')
	b = appendInt2(b, int32(h))
	b = append(b, ':')
	b = appendInt2(b, int32(mi))
	b = append(b, ':')
	b = appendInt2(b, int32(s))
	var frac [9]byte
	for i := 8; i >= 0; i-- {
		frac[i] = byte('0' + nos%10)
		nos /= 10
	}
	n := 9
	for n > precision && frac[n-1] == '0' {
		n--
	}
	if n > 0 {
		b = append(b, '.')
		b = append(b, frac[:n]...)
	}
	return b
}

// truncateTimestamp is DateTimeUtils.truncate (as Paimon 2.0 fixed it):
// when the fraction has more significant digits than precision, precision
// ≤ 3 truncates the milliseconds toward zero, a larger one the
// nanoseconds of the millisecond.
func truncateTimestamp(t jts, precision int) jts {
	nos := floorMod64(t.ms, 1000)*1_000_000 + int64(t.ns)
	sig := 9
	for sig > 0 && nos%10 == 0 {
		nos /= 10
		sig--
	}
	if sig <= precision {
		return t
	}
	if precision <= 3 {
		p := int64(1)
		for range 3 - precision {
			p *= 10
		}
		return jts{ms: t.ms / p * p}
	}
	p := int32(1)
	for range 9 - precision {
		p *= 10
	}
	return jts{ms: t.ms, ns: t.ns / p * p}
}

// isJavaInteger is DateTimeUtils.isInteger: non-empty ASCII digits.
func isJavaInteger(s string) bool {
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

// javaParseInt is Integer.parseInt of text isJavaInteger accepted.
func javaParseInt(s string) (int32, bool) {
	v, err := strconv.ParseInt(s, 10, 32)
	return int32(v), err == nil
}

// trimmedInt parses s.trim() as DateTimeUtils does (isInteger, then
// Integer.parseInt); ok is false where Java returns null or throws.
func trimmedInt(s string) (int32, bool) {
	s = javaTrim(s)
	if !isJavaInteger(s) {
		return 0, false
	}
	return javaParseInt(s)
}

func indexByte(s string, c byte, from int) int {
	for i := from; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

// parseJavaDate is DateTimeUtils.parseDate: text before the first space
// (if not at the start), "y", "y-m" or "y-m-d" with parts trimmed, year
// 0..9999 and a real calendar day.
func parseJavaDate(s string) (int32, bool) {
	if ws := indexByte(s, ' ', 0); ws > 0 {
		s = s[:ws]
	}
	var y, m, d int32 = 0, 1, 1
	var ok bool
	h1 := indexByte(s, '-', 0)
	if h1 < 0 {
		if y, ok = trimmedInt(s); !ok {
			return 0, false
		}
	} else {
		if y, ok = trimmedInt(s[:h1]); !ok {
			return 0, false
		}
		h2 := indexByte(s, '-', h1+1)
		if h2 < 0 {
			if m, ok = trimmedInt(s[h1+1:]); !ok {
				return 0, false
			}
		} else {
			if m, ok = trimmedInt(s[h1+1 : h2]); !ok {
				return 0, false
			}
			if d, ok = trimmedInt(s[h2+1:]); !ok {
				return 0, false
			}
		}
	}
	if y < 0 || y > 9999 || m < 1 || m > 12 || d < 1 || int(d) > monthLength(int64(y), int(m)) {
		return 0, false
	}
	return int32(civil.EpochDay(int64(y), int(m), int(d))), true
}

// parseJavaTime is DateTimeUtils.parseTime: "H[:m[:s[.fff]]]" with parts
// trimmed, an optional "-h[:m]" or "+h[:m]" after it that is added to (for
// '+') or subtracted from the time, and Java int arithmetic (no range
// checks: "25:00:00" is 90000000).
func parseJavaTime(v string) (int32, bool) {
	colon1 := indexByte(v, ':', 0)
	var tzH, tzM int32
	var hour, minute, second, milli int32
	var ok bool
	operator := int32(-1)
	end := len(v)
	tz := indexByte(v, '-', 0)
	if tz < 0 {
		tz = indexByte(v, '+', 0)
		operator = 1
	}
	if tz >= 0 {
		end = tz
		colon3 := indexByte(v, ':', tz)
		if colon3 < 0 {
			if tzH, ok = trimmedInt(v[tz+1:]); !ok {
				return 0, false
			}
		} else {
			if tzH, ok = trimmedInt(v[tz+1 : colon3]); !ok {
				return 0, false
			}
			if tzM, ok = trimmedInt(v[colon3+1:]); !ok {
				return 0, false
			}
		}
	}
	if colon1 < 0 {
		if hour, ok = trimmedInt(sub(v, 0, end)); !ok {
			return 0, false
		}
	} else {
		if hour, ok = trimmedInt(sub(v, 0, colon1)); !ok {
			return 0, false
		}
		colon2 := indexByte(v, ':', colon1+1)
		if colon2 < 0 {
			if minute, ok = trimmedInt(sub(v, colon1+1, end)); !ok {
				return 0, false
			}
		} else {
			if minute, ok = trimmedInt(sub(v, colon1+1, colon2)); !ok {
				return 0, false
			}
			dot := indexByte(v, '.', colon2)
			if dot < 0 {
				if second, ok = trimmedInt(sub(v, colon2+1, end)); !ok {
					return 0, false
				}
			} else {
				if second, ok = trimmedInt(sub(v, colon2+1, dot)); !ok {
					return 0, false
				}
				f, ok := subOK(v, dot+1, end)
				if !ok {
					return 0, false
				}
				milli = parseFraction(javaTrim(f))
			}
		}
	}
	hour += operator * tzH
	minute += operator * tzM
	return hour*3600000 + minute*60000 + second*1000 + milli, true
}

// sub is String.substring(begin, end) where Java would succeed; an
// invalid range (which throws in Java) gives a string that no integer
// check accepts.
func sub(s string, begin, end int) string {
	r, ok := subOK(s, begin, end)
	if !ok {
		return "x"
	}
	return r
}

func subOK(s string, begin, end int) (string, bool) {
	if begin < 0 || end > len(s) || begin > end {
		return "", false
	}
	return s[begin:end], true
}

// parseFraction is DateTimeUtils.parseFraction: up to three digits as
// milliseconds, rounding half up on the fourth; other characters count as
// zero digits (one per UTF-16 unit).
func parseFraction(v string) int32 {
	var buf [16]uint16
	units := buf[:0]
	for _, r := range v {
		if r < utf8.RuneSelf {
			units = append(units, uint16(r))
		} else {
			units = utf16.AppendRune(units, r)
		}
	}
	mult := int32(100)
	var r int32
	for i, c := range units {
		x := int32(0)
		if c >= '0' && c <= '9' {
			x = int32(c - '0')
		}
		r += mult * x
		if mult < 10 {
			if i+1 < len(units) && units[i+1] >= '5' {
				r++
			}
			break
		}
		mult /= 10
	}
	return r
}

// isJavaNumeric is StringUtils.isNumeric for the purposes of the casts:
// an optional leading '-' and digits. Java also counts non-ASCII digits,
// which the integer parser then rejects; text with them fails either way.
func isJavaNumeric(s []byte) bool {
	if len(s) == 0 {
		return false
	}
	i := 0
	if s[0] == '-' {
		if len(s) == 1 {
			return false
		}
		i = 1
	}
	for ; i < len(s); i++ {
		if !isDigit(s[i]) {
			if s[i] >= utf8.RuneSelf {
				return true // the integer parser rejects it
			}
			return false
		}
	}
	return true
}

// tsFromEpoch is BinaryStringUtils' epoch-number form of a timestamp: the
// number counts seconds, milliseconds, microseconds or nanoseconds for
// precision 0, 3, 6 or 9; other precisions fail.
func tsFromEpoch(epoch int64, precision int) (jts, bool) {
	var ms int64
	var ns int64
	switch precision {
	case 0:
		ms = epoch * 1000
	case 3:
		ms = epoch
	case 6:
		ms, ns = epoch/1000, epoch%1000*1000
	case 9:
		ms, ns = epoch/1_000_000, epoch%1_000_000
	default:
		return jts{}, false
	}
	if ns < 0 {
		ns += 1_000_000
		ms--
	}
	return jts{ms: ms, ns: int32(ns)}, true
}

// parseJavaTimestamp is DateTimeUtils.parseTimestampData: Java's
// DateTimeFormatter "yyyy-[MM][M]-[dd][d][ [HH][H]:[mm][m]:[ss][s][.f…]]"
// (strict parsing, SMART resolving: a day past the month's end is clamped
// to it, "24:00:00" is midnight of the next day), the fraction floored to
// precision digits.
func parseJavaTimestamp(s string, precision int) (jts, bool) {
	p := tsParser{s: s}
	year, ok := p.year()
	if !ok || !p.lit('-') {
		return jts{}, false
	}
	month, ok := p.twoOrMore()
	if !ok || !p.lit('-') {
		return jts{}, false
	}
	day, ok := p.twoOrMore()
	if !ok {
		return jts{}, false
	}
	var hour, minute, second, nano int64
	hasTime := false
	if save := p.pos; p.lit(' ') {
		h, ok1 := p.twoOrMore()
		ok2 := ok1 && p.lit(':')
		mi, ok3 := p.twoOrMore()
		ok4 := ok3 && p.lit(':')
		sec, ok5 := p.twoOrMore()
		if ok2 && ok4 && ok5 {
			hour, minute, second = h, mi, sec
			hasTime = true
			nano = p.fraction()
		} else {
			p.pos = save
		}
	}
	if p.pos != len(s) {
		return jts{}, false
	}
	// Resolve as ResolverStyle.SMART does.
	if year < 1 || year > 999_999_999 || month < 1 || month > 12 || day < 1 || day > 31 {
		return jts{}, false
	}
	if ml := int64(monthLength(year, int(month))); day > ml {
		day = ml
	}
	ed := civil.EpochDay(year, int(month), int(day))
	if hasTime {
		if minute > 59 || nano > 999_999_999 {
			return jts{}, false
		}
		if hour == 24 && minute == 0 && second == 0 && nano == 0 {
			hour = 0
			ed++
		} else if hour > 23 || second > 59 {
			return jts{}, false
		}
	}
	switch {
	case precision == 0:
		nano = 0
	case precision < 9:
		f := int64(1)
		for range 9 - precision {
			f *= 10
		}
		nano = nano / f * f
	}
	nanoOfDay := ((hour*60+minute)*60+second)*1_000_000_000 + nano
	return jts{ms: ed*millisPerDay + nanoOfDay/1_000_000, ns: int32(nanoOfDay % 1_000_000)}, true
}

// tsParser walks the text of a timestamp.
type tsParser struct {
	s   string
	pos int
}

func (p *tsParser) lit(c byte) bool {
	if p.pos < len(p.s) && p.s[p.pos] == c {
		p.pos++
		return true
	}
	return false
}

// digits reads up to max ASCII digits; n is how many.
func (p *tsParser) digits(max int) (v int64, n int) {
	for n < max && p.pos < len(p.s) && isDigit(p.s[p.pos]) {
		if v < math.MaxInt64/10 {
			v = v*10 + int64(p.s[p.pos]-'0')
		} else {
			v = math.MaxInt64 // out of every range
		}
		p.pos++
		n++
	}
	return v, n
}

// year is "yyyy" parsed strictly with SignStyle.EXCEEDS_PAD: four digits,
// or '+' and five to nineteen; a '-' gives a negative year, which is out
// of range.
func (p *tsParser) year() (int64, bool) {
	start := p.pos
	plus := p.lit('+')
	if !plus && p.lit('-') {
		return 0, false // negative: never a valid year of era
	}
	v, n := p.digits(19)
	if n < 4 || plus != (n > 4) {
		p.pos = start
		return 0, false
	}
	return v, true
}

// twoOrMore is "[XX][X]": exactly two digits, then optionally more digits
// that must repeat the same value; or, without two digits, one or more.
func (p *tsParser) twoOrMore() (int64, bool) {
	start := p.pos
	if p.pos+1 < len(p.s) && isDigit(p.s[p.pos]) && isDigit(p.s[p.pos+1]) {
		v := int64(p.s[p.pos]-'0')*10 + int64(p.s[p.pos+1]-'0')
		p.pos += 2
		save := p.pos
		if w, n := p.digits(19); n == 0 || w != v {
			p.pos = save
		}
		return v, true
	}
	v, n := p.digits(19)
	if n == 0 {
		p.pos = start
		return 0, false
	}
	return v, true
}

// fraction is ".f…": a point and up to nine digits (none is zero).
func (p *tsParser) fraction() int64 {
	if !p.lit('.') {
		return 0
	}
	v, n := p.digits(9)
	for ; n < 9; n++ {
		v *= 10
	}
	return v
}
