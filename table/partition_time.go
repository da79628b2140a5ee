package table

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// The time of a partition, as Java Paimon's PartitionTimeExtractor reads it
// (partition.timestamp-pattern, partition.timestamp-formatter): the first
// partition value, or the pattern with each $key replaced by the key's
// value, parsed as a date-time or else as a date (at midnight). Without a
// formatter the text is yyyy-MM-dd with an optional " HH:mm:ss[.fraction]",
// each field of 1-2 digits (the year of 1-10) and out-of-range values
// carried over (Java's LENIENT resolver: 2024-02-30 is 2024-03-01). A
// formatter is a java.time DateTimeFormatter pattern; floe takes the
// letters yyyy, uuuu, M, MM, d, dd, H, HH, m, mm, s, ss and S… (a fraction),
// quoted text and other literal characters, resolved as Java's SMART
// resolver does (days past the month's end clamp to it, other values out of
// range fail, 24:00 is the next midnight).

// ErrPartitionTime reports a partition value that does not read as a time
// (such a partition never expires by its values).
var ErrPartitionTime = errors.New("table: partition value is not a time")

// partitionTimeFormat is a parsed partition.timestamp-formatter.
type partitionTimeFormat struct {
	tokens []ptToken // nil: Java's default formats
}

// ptToken is a numeric field (kind 'y', 'u', 'M', 'd', 'H', 'm', 's', 'S'
// with its digit widths) or literal text (kind 0).
type ptToken struct {
	kind     byte
	min, max int
	lit      string
}

func (t ptToken) fixed() bool { return t.kind != 0 && t.min == t.max && t.kind != 'y' && t.kind != 'u' }

// parsePartitionTimeFormatter compiles a DateTimeFormatter pattern of the
// subset floe reads; others give an error naming what is not supported.
func parsePartitionTimeFormatter(pattern string) (partitionTimeFormat, error) {
	var toks []ptToken
	lit := func(s string) {
		if n := len(toks); n > 0 && toks[n-1].kind == 0 {
			toks[n-1].lit += s
			return
		}
		toks = append(toks, ptToken{lit: s})
	}
	for i := 0; i < len(pattern); {
		c := pattern[i]
		switch {
		case c == '\'':
			j := i + 1
			var sb strings.Builder
			for {
				if j >= len(pattern) {
					return partitionTimeFormat{}, errors.New("unterminated quote")
				}
				if pattern[j] == '\'' {
					if j+1 < len(pattern) && pattern[j+1] == '\'' {
						sb.WriteByte('\'')
						j += 2
						continue
					}
					break
				}
				sb.WriteByte(pattern[j])
				j++
			}
			if j == i+1 {
				lit("'") // '' is a quote
			} else {
				lit(sb.String())
			}
			i = j + 1
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			n := 1
			for i+n < len(pattern) && pattern[i+n] == c {
				n++
			}
			t := ptToken{kind: c, min: n, max: n}
			switch {
			case (c == 'y' || c == 'u') && n == 4:
				t.max = 19 // Java: 4 digits, more only with a sign
			case strings.IndexByte("MdHms", c) >= 0 && n == 1:
				t.max = 19
			case strings.IndexByte("MdHms", c) >= 0 && n == 2:
			case c == 'S' && n <= 9:
			default:
				return partitionTimeFormat{}, fmt.Errorf("pattern letters %q are not supported (floe reads yyyy, uuuu, M, MM, d, dd, H, HH, m, mm, s, ss, S…)", pattern[i:i+n])
			}
			toks = append(toks, t)
			i += n
		case strings.IndexByte("[]{}#", c) >= 0:
			return partitionTimeFormat{}, fmt.Errorf("pattern character %q is not supported", c)
		default:
			lit(string(c))
			i++
		}
	}
	return partitionTimeFormat{tokens: toks}, nil
}

// partitionTime returns the local date-time (clock fields in UTC) of a
// partition: keys and values in partition-key order, nil for a null value.
func (f partitionTimeFormat) partitionTime(pattern string, keys []string, values []*string) (time.Time, error) {
	var s string
	if pattern == "" {
		if len(values) == 0 || values[0] == nil {
			return time.Time{}, fmt.Errorf("%w: null value", ErrPartitionTime)
		}
		s = *values[0]
	} else {
		s = pattern
		for i, k := range keys {
			if values[i] == nil {
				return time.Time{}, fmt.Errorf("%w: null value of %s", ErrPartitionTime, k)
			}
			if strings.ContainsAny(*values[i], `$\`) {
				// Java's regex replacement would read them as group
				// references and fail.
				return time.Time{}, fmt.Errorf("%w: %s=%q has $ or \\", ErrPartitionTime, k, *values[i])
			}
			s = strings.ReplaceAll(s, "$"+k, *values[i])
		}
	}
	var t time.Time
	var ok bool
	if f.tokens == nil {
		t, ok = parseDefaultPartitionTime(s)
	} else {
		t, ok = f.parse(s)
	}
	if !ok {
		return time.Time{}, fmt.Errorf("%w: %q", ErrPartitionTime, s)
	}
	return t, nil
}

// digits reads up to max ASCII digits of s from i.
func digits(s string, i, max int) (v int64, n int) {
	for n < max && i+n < len(s) && s[i+n] >= '0' && s[i+n] <= '9' {
		if v < 1e17 {
			v = v*10 + int64(s[i+n]-'0')
		}
		n++
	}
	return v, n
}

// parseDefaultPartitionTime reads yyyy-M-d[ H:m:s[.f]] with Java's LENIENT
// resolution (PartitionTimeExtractor's default formatters).
func parseDefaultPartitionTime(s string) (time.Time, bool) {
	i := 0
	num := func(minW, maxW int) (int64, bool) {
		v, n := digits(s, i, maxW)
		if n < minW {
			return 0, false
		}
		i += n
		return v, true
	}
	char := func(c byte) bool {
		if i < len(s) && s[i] == c {
			i++
			return true
		}
		return false
	}
	y, ok := num(1, 10)
	if !ok || !char('-') {
		return time.Time{}, false
	}
	mo, ok := num(1, 2)
	if !ok || !char('-') {
		return time.Time{}, false
	}
	d, ok := num(1, 2)
	if !ok {
		return time.Time{}, false
	}
	var h, mi, sec, nano int64
	// The optional " H:m:s" section, and in it the optional fraction.
	save := i
	timeOK := func() bool {
		var ok bool
		if !char(' ') {
			return false
		}
		if h, ok = num(1, 2); !ok || !char(':') {
			return false
		}
		if mi, ok = num(1, 2); !ok || !char(':') {
			return false
		}
		if sec, ok = num(1, 2); !ok {
			return false
		}
		frac := i
		if char('.') {
			v, n := digits(s, i, 9)
			if n == 0 {
				i = frac
			} else {
				i += n
				for k := n; k < 9; k++ {
					v *= 10
				}
				nano = v
			}
		}
		return true
	}()
	if !timeOK {
		i = save
		h, mi, sec, nano = 0, 0, 0, 0
	}
	if i != len(s) {
		return time.Time{}, false
	}
	// LENIENT: months and days past their ranges carry over, as do hours,
	// minutes and seconds.
	t := time.Date(int(y), time.Month(mo), int(d), 0, 0, 0, 0, time.UTC)
	return t.Add(time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute +
		time.Duration(sec)*time.Second + time.Duration(nano)), true
}

// parse reads s with the formatter's tokens (Java's DateTimeFormatter in
// strict parsing with the SMART resolver), as a date-time or else a date.
func (f partitionTimeFormat) parse(s string) (time.Time, bool) {
	vals := map[byte]int64{}
	i := 0
	toks := f.tokens
	for k := 0; k < len(toks); k++ {
		t := toks[k]
		if t.kind == 0 {
			if !strings.HasPrefix(s[i:], t.lit) {
				return time.Time{}, false
			}
			i += len(t.lit)
			continue
		}
		width := t.min
		if !t.fixed() {
			// Adjacent value parsing: a variable-width field leaves the
			// digits of the fixed-width fields right after it to them.
			sub := 0
			for j := k + 1; j < len(toks) && toks[j].fixed(); j++ {
				sub += toks[j].min
			}
			_, n := digits(s, i, t.max+sub)
			width = n - sub
			if width < t.min {
				return time.Time{}, false
			}
			if (t.kind == 'y' || t.kind == 'u') && width > 4 {
				return time.Time{}, false // Java: more than 4 digits need a sign
			}
		}
		v, n := digits(s, i, width)
		if n != width {
			return time.Time{}, false
		}
		i += n
		if t.kind == 'S' {
			for k := n; k < 9; k++ {
				v *= 10
			}
		}
		vals[t.kind] = v
	}
	if i != len(s) {
		return time.Time{}, false
	}
	return resolveSmart(vals)
}

// resolveSmart resolves parsed fields as java.time's SMART resolver: a date
// needs a year, month and day; a time needs an hour (minutes and seconds
// default to 0); without a time the date is at midnight.
func resolveSmart(v map[byte]int64) (time.Time, bool) {
	y, hasY := v['u']
	if yoe, ok := v['y']; ok {
		if yoe < 1 || hasY && y != yoe {
			return time.Time{}, false
		}
		y, hasY = yoe, true
	}
	mo, hasM := v['M']
	d, hasD := v['d']
	if !hasY || !hasM || !hasD || y > 999_999_999 || mo < 1 || mo > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	last := time.Date(int(y), time.Month(mo)+1, 0, 0, 0, 0, 0, time.UTC).Day()
	date := time.Date(int(y), time.Month(mo), int(min(d, int64(last))), 0, 0, 0, 0, time.UTC)
	h, hasH := v['H']
	mi, hasMi := v['m']
	sec, hasS := v['s']
	nano, hasN := v['S']
	if !hasH || !hasMi && (hasS || hasN) || hasMi && !hasS && hasN {
		return date, true // no time: the date at midnight
	}
	if mi > 59 || sec > 59 {
		return time.Time{}, false
	}
	if h == 24 && mi == 0 && sec == 0 && nano == 0 {
		return date.AddDate(0, 0, 1), true
	}
	if h > 23 {
		return time.Time{}, false
	}
	return date.Add(time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute +
		time.Duration(sec)*time.Second + time.Duration(nano)), true
}
