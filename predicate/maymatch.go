package predicate

import (
	"math"

	"github.com/floelake/floe/internal/binrow"
	"github.com/floelake/floe/schema"
)

// Stats gives per-field statistics of a set of rows (a file, a manifest's
// partitions, one partition). Field indexes are those of the fields passed
// to Bind. Values use internal/binrow's Go representation; nil means
// unknown. Min and Max need only be bounds: a min at or below every
// non-null value and a max at or above it (Paimon's truncated string
// statistics qualify). RowCount may be negative when unknown.
type Stats interface {
	RowCount() int64
	Min(field int) any
	Max(field int) any
	// NullCount returns the number of nulls, ok=false when unknown.
	NullCount(field int) (n int64, ok bool)
}

// MayMatch reports whether some row summarised by s could satisfy the
// predicate. It must never return false when a row matches (Paimon's and
// floe's readers skip files on false).
//
// Columns a partial bind left unknown may match. A min or max of the
// wrong Go type counts as unknown. For FLOAT and DOUBLE columns the
// statistics are read conservatively: Parquet leaves NaN out of min/max, so
// a NaN row (which is greater than everything in Java's order) may hide
// above the max; predicates a NaN satisfies (>, >=, !=, NOT IN) are never
// pruned by the max, and NaN literals or bounds prune nothing. A zero
// bound is widened to -0.0 (min) and +0.0 (max).
func (b *Bound) MayMatch(s Stats) bool {
	return b.root.mayMatch(s)
}

func (n *node) mayMatch(s Stats) bool {
	switch n.kind {
	case kTrue, kUnknown:
		return true
	case kFalse:
		return false
	case kAnd:
		for _, k := range n.kids {
			if !k.mayMatch(s) {
				return false
			}
		}
		return true
	case kOr:
		for _, k := range n.kids {
			if k.mayMatch(s) {
				return true
			}
		}
		return false
	}
	return n.leafMayMatch(s)
}

func (n *node) leafMayMatch(s Stats) bool {
	rows := s.RowCount()
	nulls, nullsKnown := s.NullCount(n.field)
	switch n.op {
	case OpIsNull:
		return !nullsKnown || nulls > 0
	case OpIsNotNull:
		return !nullsKnown || rows < 0 || nulls < rows
	}
	if nullsKnown && rows > 0 && nulls >= rows {
		return false // every row is null: no comparison is true
	}
	t := &n.typ
	min, max := s.Min(n.field), s.Max(n.field)
	if min != nil && !goTypeOK(t, min) {
		min = nil
	}
	if max != nil && !goTypeOK(t, max) {
		max = nil
	}
	isFloat := t.Kind == schema.Float || t.Kind == schema.Double
	if isFloat {
		if n.nan || isNaN(min) || isNaN(max) {
			return true
		}
		min, max = widenZero(min, false), widenZero(max, true)
		switch n.op {
		case OpGreater, OpGreaterOrEqual, OpNotEqual, OpNotIn:
			// A NaN row satisfies these and may sit above the max.
			max = nil
		}
	}
	cmp := func(a, c any) int { return binrow.CompareValues(*t, a, c) }
	v := n.vals[0]
	switch n.op {
	case OpEqual:
		return (min == nil || cmp(min, v) <= 0) && (max == nil || cmp(max, v) >= 0)
	case OpNotEqual:
		return min == nil || max == nil || cmp(min, v) != 0 || cmp(max, v) != 0
	case OpLess:
		return min == nil || cmp(min, v) < 0
	case OpLessOrEqual:
		return min == nil || cmp(min, v) <= 0
	case OpGreater:
		return max == nil || cmp(max, v) > 0
	case OpGreaterOrEqual:
		return max == nil || cmp(max, v) >= 0
	case OpIn:
		for _, v := range n.vals {
			if (min == nil || cmp(min, v) <= 0) && (max == nil || cmp(max, v) >= 0) {
				return true
			}
		}
		return false
	case OpNotIn:
		// Only a single-valued range whose value is listed rules out rows.
		if min == nil || max == nil || cmp(min, max) != 0 {
			return true
		}
		for _, v := range n.vals {
			if cmp(min, v) == 0 {
				return false
			}
		}
		return true
	}
	return true
}

// widenZero turns a zero bound into -0.0 for a min and +0.0 for a max, as
// writers that compare with IEEE rules treat the two zeros as equal.
func widenZero(v any, isMax bool) any {
	switch x := v.(type) {
	case float32:
		if x == 0 {
			if isMax {
				return float32(0)
			}
			return float32(math.Copysign(0, -1))
		}
	case float64:
		if x == 0 {
			if isMax {
				return 0.0
			}
			return math.Copysign(0, -1)
		}
	}
	return v
}

// RowStats returns the Stats of a single row with the given field values
// (binrow's Go values, nil for null), such as a partition's values: min
// and max are the value itself, so MayMatch on them evaluates the
// predicate on that row (unknown columns of a partial bind aside).
func RowStats(values []any) Stats { return rowStats(values) }

type rowStats []any

func (r rowStats) RowCount() int64 { return 1 }

func (r rowStats) Min(f int) any {
	if f < len(r) {
		return r[f]
	}
	return nil
}

func (r rowStats) Max(f int) any { return r.Min(f) }

func (r rowStats) NullCount(f int) (int64, bool) {
	if f >= len(r) {
		return 0, false
	}
	if r[f] == nil {
		return 1, true
	}
	return 0, true
}
