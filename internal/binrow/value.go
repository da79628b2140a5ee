package binrow

import (
	"errors"
	"fmt"
	"math/big"
	"math/bits"
	"strings"
)

// Errors returned by this package.
var (
	// ErrCorrupt reports bytes that are not a well-formed BinaryRow (or
	// BinaryArray/BinaryMap, or serialized row) for the given types.
	ErrCorrupt = errors.New("binrow: corrupt row")
	// ErrValue reports a Go value that does not fit the Paimon type it is
	// encoded as (wrong Go type, decimal overflow, bad nanos, ...).
	ErrValue = errors.New("binrow: value does not match type")
	// ErrUnsupported reports a type (or a type/operation pair) this package
	// does not handle, such as VARIANT and VECTOR.
	ErrUnsupported = errors.New("binrow: unsupported type")
)

// RowKind is the header byte of a BinaryRow.
type RowKind byte

// The row kinds, with Paimon's byte values.
const (
	Insert       RowKind = 0 // +I
	UpdateBefore RowKind = 1 // -U
	UpdateAfter  RowKind = 2 // +U
	Delete       RowKind = 3 // -D
)

// Timestamp is the value of TIMESTAMP(p) and TIMESTAMP_LTZ(p): milliseconds
// since the epoch (for TIMESTAMP: of the wall clock read as UTC) plus the
// nanoseconds within that millisecond (0..999999).
type Timestamp struct {
	Millis      int64
	NanoOfMilli int32
}

// TimestampFromNanos converts epoch nanoseconds with floor semantics.
func TimestampFromNanos(nanos int64) Timestamp {
	ms := nanos / 1_000_000
	r := nanos % 1_000_000
	if r < 0 {
		ms--
		r += 1_000_000
	}
	return Timestamp{Millis: ms, NanoOfMilli: int32(r)}
}

// Compare orders timestamps by millis, then nanos.
func (t Timestamp) Compare(o Timestamp) int {
	switch {
	case t.Millis < o.Millis:
		return -1
	case t.Millis > o.Millis:
		return 1
	case t.NanoOfMilli < o.NanoOfMilli:
		return -1
	case t.NanoOfMilli > o.NanoOfMilli:
		return 1
	}
	return 0
}

// Map is the value of MAP and MULTISET: parallel key and value slices (for a
// MULTISET the values are int32 counts). Order is preserved as given.
type Map struct {
	Keys, Values []any
}

// Decimal is a fixed-point number: an unscaled integer with a precision and a
// scale. Values whose unscaled integer fits in an int64 never allocate; only
// larger ones (possible for precision > 18) carry a *big.Int.
//
// The zero Decimal is 0 with precision 0 and scale 0. Decimals are immutable.
type Decimal struct {
	small     int64
	big       *big.Int // non-nil only when the value does not fit in int64
	precision int32
	scale     int32
}

// MaxDecimalPrecision is the largest DECIMAL precision Paimon allows.
const MaxDecimalPrecision = 38

// maxCompactPrecision is the largest precision stored inline as an int64.
const maxCompactPrecision = 18

// NewDecimal returns unscaled * 10^-scale with the given precision.
func NewDecimal(unscaled int64, precision, scale int) Decimal {
	return Decimal{small: unscaled, precision: int32(precision), scale: int32(scale)}
}

// NewDecimalBig returns unscaled * 10^-scale with the given precision. The
// big.Int is copied.
func NewDecimalBig(unscaled *big.Int, precision, scale int) Decimal {
	d := Decimal{precision: int32(precision), scale: int32(scale)}
	if unscaled.IsInt64() {
		d.small = unscaled.Int64()
	} else {
		d.big = new(big.Int).Set(unscaled)
	}
	return d
}

// ParseDecimal parses a plain decimal string ("-12.340") into a Decimal of
// the given precision and scale. The string must not have more fraction
// digits than scale (no rounding is done); fewer are padded with zeros.
func ParseDecimal(s string, precision, scale int) (Decimal, error) {
	orig := s
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	intPart, frac, _ := strings.Cut(s, ".")
	if intPart == "" && frac == "" || len(frac) > scale {
		return Decimal{}, fmt.Errorf("%w: decimal %q for scale %d", ErrValue, orig, scale)
	}
	digits := intPart + frac + strings.Repeat("0", scale-len(frac))
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return Decimal{}, fmt.Errorf("%w: decimal %q", ErrValue, orig)
		}
	}
	if neg {
		digits = "-" + digits
	}
	v, ok := new(big.Int).SetString(digits, 10)
	if !ok {
		return Decimal{}, fmt.Errorf("%w: decimal %q", ErrValue, orig)
	}
	d := NewDecimalBig(v, precision, scale)
	if !d.fits() {
		return Decimal{}, fmt.Errorf("%w: decimal %q exceeds precision %d", ErrValue, orig, precision)
	}
	return d, nil
}

// Precision returns the precision.
func (d Decimal) Precision() int { return int(d.precision) }

// Scale returns the scale.
func (d Decimal) Scale() int { return int(d.scale) }

// UnscaledInt64 returns the unscaled value if it fits in an int64.
func (d Decimal) UnscaledInt64() (int64, bool) { return d.small, d.big == nil }

// Unscaled returns the unscaled value as a new big.Int.
func (d Decimal) Unscaled() *big.Int {
	if d.big != nil {
		return new(big.Int).Set(d.big)
	}
	return big.NewInt(d.small)
}

// Sign returns -1, 0 or +1.
func (d Decimal) Sign() int {
	if d.big != nil {
		return d.big.Sign()
	}
	switch {
	case d.small < 0:
		return -1
	case d.small > 0:
		return 1
	}
	return 0
}

var pow10 = func() [19]int64 {
	var p [19]int64
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// fits reports whether the unscaled value has at most precision digits.
func (d Decimal) fits() bool {
	p := int(d.precision)
	if p <= 0 || p > MaxDecimalPrecision {
		return false
	}
	if d.big == nil {
		if p > 18 {
			return true
		}
		v := d.small
		if v == -1<<63 {
			return false
		}
		if v < 0 {
			v = -v
		}
		return v < pow10[p]
	}
	lim := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(p)), nil)
	return new(big.Int).Abs(d.big).Cmp(lim) < 0
}

// Cmp compares numerically (scales may differ).
func (d Decimal) Cmp(o Decimal) int {
	if d.scale == o.scale && d.big == nil && o.big == nil {
		return cmpInt64(d.small, o.small)
	}
	a, b := d.Unscaled(), o.Unscaled()
	if d.scale < o.scale {
		a.Mul(a, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(o.scale-d.scale)), nil))
	} else if d.scale > o.scale {
		b.Mul(b, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(d.scale-o.scale)), nil))
	}
	return a.Cmp(b)
}

// Equal reports whether d and o have the same numeric value, precision and
// scale.
func (d Decimal) Equal(o Decimal) bool {
	return d.precision == o.precision && d.scale == o.scale && d.Cmp(o) == 0
}

// String returns the plain decimal form (Java BigDecimal.toPlainString, which
// is what Paimon's Decimal.toString returns): "-12.340", "0.05", "7".
func (d Decimal) String() string {
	var s string
	if d.big != nil {
		s = d.big.String()
	} else {
		s = fmt.Sprint(d.small)
	}
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	if sc := int(d.scale); sc > 0 {
		if len(s) <= sc {
			s = strings.Repeat("0", sc-len(s)+1) + s
		}
		s = s[:len(s)-sc] + "." + s[len(s)-sc:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// UnscaledBytes returns the unscaled value as minimal big-endian two's
// complement bytes, exactly as Java's BigInteger.toByteArray (length
// bitLength/8 + 1).
func (d Decimal) UnscaledBytes() []byte {
	return d.appendUnscaledBytes(nil)
}

func (d Decimal) appendUnscaledBytes(dst []byte) []byte {
	if d.big == nil {
		v := d.small
		u := uint64(v)
		if v < 0 {
			u = ^u
		}
		n := bits.Len64(u)/8 + 1
		for i := n - 1; i >= 0; i-- {
			dst = append(dst, byte(v>>(8*uint(i))))
		}
		return dst
	}
	var bl int
	if d.big.Sign() >= 0 {
		bl = d.big.BitLen()
	} else {
		t := new(big.Int).Neg(d.big)
		bl = t.Sub(t, big.NewInt(1)).BitLen()
	}
	n := bl/8 + 1
	start := len(dst)
	dst = append(dst, make([]byte, n)...)
	out := dst[start:]
	if d.big.Sign() >= 0 {
		d.big.FillBytes(out)
	} else {
		// 2^(8n) + v
		t := new(big.Int).Lsh(big.NewInt(1), uint(8*n))
		t.Add(t, d.big)
		t.FillBytes(out)
	}
	return dst
}

// DecimalFromUnscaledBytes builds a Decimal from big-endian two's complement
// bytes (Java BigInteger(byte[])). Empty input is zero.
func DecimalFromUnscaledBytes(b []byte, precision, scale int) Decimal {
	d := Decimal{precision: int32(precision), scale: int32(scale)}
	if len(b) <= 8 {
		var v int64
		if len(b) > 0 && b[0]&0x80 != 0 {
			v = -1
		}
		for _, c := range b {
			v = v<<8 | int64(c)
		}
		d.small = v
		return d
	}
	v := new(big.Int).SetBytes(b)
	if b[0]&0x80 != 0 {
		v.Sub(v, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
	}
	if v.IsInt64() {
		d.small = v.Int64()
	} else {
		d.big = v
	}
	return d
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
