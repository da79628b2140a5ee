package datafile

import (
	"bytes"
	"math"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/floelake/floe/internal/binrow"
	"github.com/floelake/floe/manifest"
	"github.com/floelake/floe/schema"
)

// maxStatsSize is parquet-mr's MAX_STATS_SIZE: binary min/max whose
// combined length reaches it are not written to the footer.
const maxStatsSize = 4096

// colStats accumulates what parquet-mr's column statistics hold for one
// top-level column: the null count and min/max in the Parquet sort order of
// the column's physical type.
type colStats struct {
	t     schema.DataType
	nulls int64
	has   bool // a non-null value was seen
	// no min/max at all (nested columns, INT96 timestamps).
	noMinMax bool

	imin, imax int64   // integers, dates, times, timestamps
	fmin, fmax float64 // FLOAT/DOUBLE (primitive comparisons, as parquet-mr)
	// bmin and bmax hold strings' min and max (unsigned bytes), cut to
	// maxStatsSize bytes; bminCut/bmaxCut say the value was longer. A cut
	// bound makes the footer keep no min/max, and comparing with the kept
	// prefix decides every comparison that can change that (see updB), so
	// a huge value is never copied whole.
	bmin, bmax       []byte
	bminCut, bmaxCut bool
	dmin, dmax       decimal128.Num
	boolSeen         [2]bool
}

func newColStats(t schema.DataType) *colStats {
	c := &colStats{t: t}
	switch t.Kind {
	case schema.Array, schema.Map, schema.Multiset, schema.Row, schema.Vector, schema.Variant:
		c.noMinMax = true
	case schema.Timestamp, schema.TimestampLTZ:
		c.noMinMax = t.Precision > 6 // INT96: parquet-mr keeps no min/max
	case schema.Binary, schema.VarBinary, schema.Blob:
		c.noMinMax = true // Paimon's Parquet stats extractor keeps none for binaries
	}
	return c
}

func (c *colStats) update(arr arrow.Array) {
	c.nulls += int64(arr.NullN())
	if c.noMinMax {
		return
	}
	n := arr.Len()
	hasNulls := arr.NullN() > 0
	valid := func(i int) bool { return !hasNulls || arr.IsValid(i) }
	upd := func(v int64) {
		if !c.has {
			c.imin, c.imax, c.has = v, v, true
			return
		}
		if v < c.imin {
			c.imin = v
		}
		if v > c.imax {
			c.imax = v
		}
	}
	updF := func(v float64) {
		if !c.has {
			c.fmin, c.fmax, c.has = v, v, true
			return
		}
		if c.fmin > v {
			c.fmin = v
		}
		if c.fmax < v {
			c.fmax = v
		}
	}
	updB := c.updB
	switch a := arr.(type) {
	case *array.Boolean:
		for i := 0; i < n; i++ {
			if valid(i) {
				if a.Value(i) {
					c.boolSeen[1] = true
				} else {
					c.boolSeen[0] = true
				}
				c.has = true
			}
		}
	case *array.Int8:
		for i, v := range a.Int8Values() {
			if valid(i) {
				upd(int64(v))
			}
		}
	case *array.Int16:
		for i, v := range a.Int16Values() {
			if valid(i) {
				upd(int64(v))
			}
		}
	case *array.Int32:
		for i, v := range a.Int32Values() {
			if valid(i) {
				upd(int64(v))
			}
		}
	case *array.Int64:
		for i, v := range a.Int64Values() {
			if valid(i) {
				upd(v)
			}
		}
	case *array.Date32:
		for i, v := range a.Date32Values() {
			if valid(i) {
				upd(int64(v))
			}
		}
	case *array.Time32:
		for i, v := range a.Time32Values() {
			if valid(i) {
				upd(int64(v))
			}
		}
	case *array.Time64:
		for i, v := range a.Time64Values() {
			if valid(i) {
				upd(int64(v))
			}
		}
	case *array.Timestamp:
		for i, v := range a.TimestampValues() {
			if valid(i) {
				upd(int64(v))
			}
		}
	case *array.Float32:
		for i, v := range a.Float32Values() {
			if valid(i) {
				updF(float64(v))
			}
		}
	case *array.Float64:
		for i, v := range a.Float64Values() {
			if valid(i) {
				updF(v)
			}
		}
	case *array.String:
		updOffsets(c, arr, a.ValueOffsets(), hasNulls)
	case *array.Binary:
		updOffsets(c, arr, a.ValueOffsets(), hasNulls)
	case *array.FixedSizeBinary:
		for i := 0; i < n; i++ {
			if valid(i) {
				updB(a.Value(i))
			}
		}
	case *array.Decimal128:
		for i := 0; i < n; i++ {
			if !valid(i) {
				continue
			}
			v := a.Value(i)
			if !c.has {
				c.dmin, c.dmax, c.has = v, v, true
				continue
			}
			if v.Less(c.dmin) {
				c.dmin = v
			}
			if c.dmax.Less(v) {
				c.dmax = v
			}
		}
	default:
		c.noMinMax = true
	}
}

// keepBound copies at most maxStatsSize bytes of v into dst and says
// whether v was cut.
func keepBound(dst, v []byte) ([]byte, bool) {
	if len(v) > maxStatsSize {
		return append(dst[:0], v[:maxStatsSize]...), true
	}
	return append(dst[:0], v...), false
}

// updB folds a string or binary value into the min/max. Against a cut
// bound p (a prefix of the true value x), a v that does not start with p
// compares with p as with x; a v that does is at least maxStatsSize long,
// so whichever of the two is kept, the bound stays too long for the
// footer, and later values compare the same.
func (c *colStats) updB(v []byte) {
	if !c.has {
		c.bmin, c.bminCut = keepBound(nil, v)
		c.bmax, c.bmaxCut = keepBound(nil, v)
		c.has = true
		return
	}
	if bytes.Compare(v, c.bmin) < 0 {
		c.bmin, c.bminCut = keepBound(c.bmin, v)
	}
	if bytes.Compare(v, c.bmax) > 0 {
		c.bmax, c.bmaxCut = keepBound(c.bmax, v)
	}
}

// updOffsets folds the values of a variable-width array (offsets into its
// data buffer) into the min/max, straight from the buffers.
func updOffsets[T int32 | int64](c *colStats, arr arrow.Array, offs []T, hasNulls bool) {
	var data []byte
	if bufs := arr.Data().Buffers(); len(bufs) > 2 && bufs[2] != nil {
		data = bufs[2].Bytes()
	}
	for i := range arr.Len() {
		if hasNulls && arr.IsNull(i) {
			continue
		}
		c.updB(data[offs[i]:offs[i+1]])
	}
}

// minMax returns the footer min/max as binrow values (nil when Parquet
// would keep none).
func (c *colStats) minMax() (lo, hi any) {
	if c.noMinMax || !c.has {
		return nil, nil
	}
	t := c.t
	switch t.Kind {
	case schema.Boolean:
		return !c.boolSeen[0], c.boolSeen[1]
	case schema.TinyInt:
		return int8(c.imin), int8(c.imax)
	case schema.SmallInt:
		return int16(c.imin), int16(c.imax)
	case schema.Int, schema.Date:
		return int32(c.imin), int32(c.imax)
	case schema.Time:
		return int32(c.imin), int32(c.imax)
	case schema.BigInt:
		return c.imin, c.imax
	case schema.Timestamp, schema.TimestampLTZ:
		u := arrow.Millisecond
		if t.Precision > 3 {
			u = arrow.Microsecond
		}
		return binrow.TimestampFromArrow(c.imin, u), binrow.TimestampFromArrow(c.imax, u)
	case schema.Float, schema.Double:
		lo, hi := c.fmin, c.fmax
		if math.IsNaN(lo) || math.IsNaN(hi) {
			return nil, nil
		}
		if lo == 0 {
			lo = math.Copysign(0, -1)
		}
		if hi == 0 {
			hi = 0
		}
		if t.Kind == schema.Float {
			return float32(lo), float32(hi)
		}
		return lo, hi
	case schema.Char, schema.VarChar:
		if c.bminCut || c.bmaxCut || len(c.bmin)+len(c.bmax) >= maxStatsSize {
			return nil, nil
		}
		return string(c.bmin), string(c.bmax)
	case schema.Binary, schema.VarBinary, schema.Blob:
		if c.bminCut || c.bmaxCut || len(c.bmin)+len(c.bmax) >= maxStatsSize {
			return nil, nil
		}
		return append([]byte(nil), c.bmin...), append([]byte(nil), c.bmax...)
	case schema.Decimal:
		return binrow.DecimalFromArrow(c.dmin, t.Precision, t.Scale), binrow.DecimalFromArrow(c.dmax, t.Precision, t.Scale)
	}
	return nil, nil
}

// result applies a stats mode to the footer statistics.
func (c *colStats) result(m StatsMode) (lo, hi any, nulls *int64) {
	switch m.Kind {
	case StatsNone:
		return nil, nil, nil
	case StatsCounts:
		n := c.nulls
		return nil, nil, &n
	}
	n := c.nulls
	lo, hi = c.minMax()
	if m.Kind == StatsTruncate {
		if s, ok := lo.(string); ok {
			lo = truncateString(s, m.Length)
		}
		if s, ok := hi.(string); ok {
			up, ok := truncateMax(s, m.Length)
			if !ok {
				return nil, nil, &n
			}
			hi = up
		}
	}
	return lo, hi, &n
}

// truncateString keeps the first n code points of s.
func truncateString(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for k := 0; k < n; k++ {
		_, sz := utf8.DecodeRuneInString(s[i:])
		i += sz
	}
	return s[:i]
}

// truncateMax returns an upper bound of s of at most n code points: s
// itself when short enough, else its first n code points with the last one
// incremented (dropping trailing code points that cannot be incremented).
// ok is false when no such bound exists.
func truncateMax(s string, n int) (string, bool) {
	if utf8.RuneCountInString(s) <= n {
		return s, true
	}
	rs := []rune(s)[:n]
	for i := len(rs) - 1; i >= 0; i-- {
		next := rs[i] + 1
		if next >= 0xD800 && next <= 0xDFFF {
			next = 0xE000
		}
		if next <= utf8.MaxRune {
			rs[i] = next
			return string(rs[:i+1]), true
		}
	}
	return "", false
}

// statsSet builds SimpleStats over columns.
func buildStats(cols []*colStats, modes []StatsMode, names []string, dense bool) (manifest.SimpleStats, []string, error) {
	var types []schema.DataType
	var lo, hi []any
	var nulls []*int64
	var kept []string
	for i, c := range cols {
		m := modes[i]
		if !isFlat(c.t.Kind) {
			// Paimon collects no statistics for nested columns.
			m = StatsMode{Kind: StatsNone}
		}
		if dense && m.Kind == StatsNone {
			continue
		}
		l, h, n := c.result(m)
		t := c.t.Nullable()
		if l == nil || h == nil {
			l, h = nil, nil
		}
		types = append(types, t)
		lo = append(lo, l)
		hi = append(hi, h)
		nulls = append(nulls, n)
		kept = append(kept, names[i])
	}
	minRow, err := binrow.Encode(types, lo)
	if err != nil {
		return manifest.SimpleStats{}, nil, err
	}
	maxRow, err := binrow.Encode(types, hi)
	if err != nil {
		return manifest.SimpleStats{}, nil, err
	}
	if nulls == nil {
		nulls = []*int64{}
	}
	st := manifest.SimpleStats{
		Min:        binrow.Serialize(len(types), minRow),
		Max:        binrow.Serialize(len(types), maxRow),
		NullCounts: nulls,
	}
	if !dense || len(kept) == len(cols) {
		kept = nil
	} else if kept == nil {
		kept = []string{}
	}
	return st, kept, nil
}
