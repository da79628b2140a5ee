package predicate

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/floelake/floe/internal/binrow"
	"github.com/floelake/floe/schema"
)

// Filter evaluates the predicate on every row of rec and returns the
// matching row indexes (ascending), appended to sel[:0]. cols maps each
// bound field index to its column in rec (-1: the column is absent and
// reads as null). SQL semantics: a comparison with null is not true.
//
// Values compare in Paimon's order (binrow.CompareValues): FLOAT and
// DOUBLE as Java's Float/Double.compare, so NaN equals NaN and is greater
// than every number, and -0.0 < 0.0 (a = 0.0 does not select -0.0). This
// is the comparator Paimon's own predicates use.
//
// Filter on a partial bind that left columns unknown fails with
// ErrColumn: such a Bound is for MayMatch only. Flat column types are
// evaluated with type-specialized loops that do not allocate per row;
// other Arrow types fall back to binrow.ArrowValue per row.
func (b *Bound) Filter(rec arrow.Record, cols []int, sel []int32) ([]int32, error) {
	if len(b.unknown) > 0 {
		return sel[:0], fmt.Errorf("%w: filter with unknown column %q (partial bind)", ErrColumn, b.unknown[0])
	}
	e := evaluator{rec: rec, cols: cols, n: int(rec.NumRows())}
	return e.eval(b.root, nil, sel[:0])
}

type evaluator struct {
	rec  arrow.Record
	cols []int
	n    int
	all  []int32 // 0..n-1, built on demand
}

func (e *evaluator) allRows() []int32 {
	if e.all == nil {
		e.all = make([]int32, e.n)
		for i := range e.all {
			e.all[i] = int32(i)
		}
	}
	return e.all
}

// eval appends to out the rows of in (nil: all rows) that n selects.
func (e *evaluator) eval(n *node, in []int32, out []int32) ([]int32, error) {
	switch n.kind {
	case kTrue:
		if in == nil {
			in = e.allRows()
		}
		return append(out, in...), nil
	case kFalse:
		return out, nil
	case kUnknown:
		return out, fmt.Errorf("%w: %q", ErrColumn, n.column)
	case kAnd:
		cur := in
		var bufs [2]*[]int32
		defer func() {
			for _, b := range bufs {
				if b != nil {
					scratch.Put(b)
				}
			}
		}()
		for i, k := range n.kids {
			dst := out
			if i < len(n.kids)-1 {
				if bufs[i%2] == nil {
					bufs[i%2] = scratch.Get().(*[]int32)
				}
				dst = (*bufs[i%2])[:0]
			}
			res, err := e.eval(k, cur, dst)
			if err != nil {
				return out, err
			}
			if i < len(n.kids)-1 {
				*bufs[i%2] = res
			}
			cur = res
			if len(cur) == 0 {
				return out, nil
			}
		}
		return cur, nil
	case kOr:
		rest := in
		if rest == nil {
			rest = e.allRows()
		}
		var bufs [4]*[]int32 // acc, tmp, matches, rest
		for i := range bufs {
			bufs[i] = scratch.Get().(*[]int32)
		}
		defer func() {
			for _, b := range bufs {
				scratch.Put(b)
			}
		}()
		acc, tmp, m, rb := bufs[0], bufs[1], bufs[2], bufs[3]
		*acc = (*acc)[:0]
		for i, k := range n.kids {
			if len(rest) == 0 {
				break
			}
			res, err := e.eval(k, rest, (*m)[:0])
			*m = res
			if err != nil {
				return out, err
			}
			if len(res) == 0 {
				continue
			}
			*tmp = unionInto((*tmp)[:0], *acc, res)
			acc, tmp = tmp, acc
			if i < len(n.kids)-1 {
				// In place when rest is already our buffer: the write
				// index never passes the read index.
				*rb = differenceInto((*rb)[:0], rest, res)
				rest = *rb
			}
		}
		return append(out, *acc...), nil
	}
	return e.leaf(n, in, out)
}

// scratch holds index buffers reused across Filter calls.
var scratch = sync.Pool{New: func() any { return new([]int32) }}

// unionInto appends to dst the union of two ascending lists.
func unionInto(dst, a, b []int32) []int32 {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			dst = append(dst, a[i])
			i++
		case a[i] > b[j]:
			dst = append(dst, b[j])
			j++
		default:
			dst = append(dst, a[i])
			i++
			j++
		}
	}
	dst = append(dst, a[i:]...)
	return append(dst, b[j:]...)
}

// differenceInto appends to dst the elements of a not in b (b is a subset
// of a, both ascending). dst may share a's backing array from its start.
func differenceInto(dst, a, b []int32) []int32 {
	j := 0
	for _, x := range a {
		if j < len(b) && b[j] == x {
			j++
			continue
		}
		dst = append(dst, x)
	}
	return dst
}

// validity reads an Arrow validity bitmap; a nil bitmap means no nulls.
type validity struct {
	bm  []byte
	off int
}

func validityOf(arr arrow.Array) validity {
	if arr.NullN() == 0 {
		return validity{}
	}
	return validity{bm: arr.NullBitmapBytes(), off: arr.Data().Offset()}
}

// bit returns 1 when row i is valid, else 0.
func (v validity) bit(i int) int {
	if v.bm == nil {
		return 1
	}
	j := v.off + i
	return int(v.bm[j>>3]>>(j&7)) & 1
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (v validity) ok(i int) bool {
	if v.bm == nil {
		return true
	}
	j := v.off + i
	return v.bm[j>>3]>>(j&7)&1 != 0
}

func (e *evaluator) leaf(n *node, in []int32, out []int32) ([]int32, error) {
	var arr arrow.Array
	if n.field < len(e.cols) {
		if c := e.cols[n.field]; c >= 0 && c < int(e.rec.NumCols()) {
			arr = e.rec.Column(c)
		} else if c >= 0 {
			return out, fmt.Errorf("predicate: column index %d for field %q out of range (%d columns)", c, n.column, e.rec.NumCols())
		}
	}
	if arr == nil {
		// Absent: every value is null.
		if n.op == OpIsNull {
			return e.eval(nodeTrue, in, out)
		}
		return out, nil
	}
	if arr.Len() < e.n {
		return out, fmt.Errorf("predicate: column %q has %d rows, record %d", n.column, arr.Len(), e.n)
	}
	v := validityOf(arr)
	switch n.op {
	case OpIsNull:
		if v.bm == nil {
			return out, nil
		}
		return selTest(e.n, in, out, validity{}, func(i int) bool { return !v.ok(i) }), nil
	case OpIsNotNull:
		return selTest(e.n, in, out, v, func(int) bool { return true }), nil
	}
	if r, ok := n.intLiteral(arr); ok {
		return r.filter(arr, v, e.n, in, out), nil
	}
	if res, ok := e.inList(n, arr, v, in, out); ok {
		return res, nil
	}
	mask := opMask(n.op)
	switch a := arr.(type) {
	case *array.Float64:
		vals := a.Float64Values()
		if lit, ok := n.vals[0].(float64); ok && n.op != OpIn && n.op != OpNotIn {
			return selTest(e.n, in, out, v, func(i int) bool { return mask.has(binrow.CompareFloat64(vals[i], lit)) }), nil
		}
	case *array.Float32:
		vals := a.Float32Values()
		if lit, ok := n.vals[0].(float32); ok && n.op != OpIn && n.op != OpNotIn {
			return selTest(e.n, in, out, v, func(i int) bool { return mask.has(binrow.CompareFloat32(vals[i], lit)) }), nil
		}
	case *array.String:
		if lit, ok := n.vals[0].(string); ok {
			switch n.op {
			case OpEqual, OpNotEqual:
				return selStringEq(a, lit, n.op == OpEqual, v, e.n, in, out), nil
			case OpIn, OpNotIn:
				set := make([]string, len(n.vals))
				for i, x := range n.vals {
					set[i] = x.(string)
				}
				want := n.op == OpIn
				return selTest(e.n, in, out, v, func(i int) bool {
					_, found := slices.BinarySearch(set, a.Value(i))
					return found == want
				}), nil
			}
			return selTest(e.n, in, out, v, func(i int) bool { return mask.has(strings.Compare(a.Value(i), lit)) }), nil
		}
	case *array.Binary:
		if lit, ok := n.vals[0].([]byte); ok && n.op != OpIn && n.op != OpNotIn {
			return selTest(e.n, in, out, v, func(i int) bool { return mask.has(bytes.Compare(a.Value(i), lit)) }), nil
		}
	case *array.FixedSizeBinary:
		if lit, ok := n.vals[0].([]byte); ok && n.op != OpIn && n.op != OpNotIn {
			return selTest(e.n, in, out, v, func(i int) bool { return mask.has(bytes.Compare(a.Value(i), lit)) }), nil
		}
	case *array.Boolean:
		if lit, ok := n.vals[0].(bool); ok && n.op != OpIn && n.op != OpNotIn {
			return selTest(e.n, in, out, v, func(i int) bool { return mask.has(cmpBool(a.Value(i), lit)) }), nil
		}
	case *array.Decimal128:
		dt := a.DataType().(*arrow.Decimal128Type)
		if lit, ok := n.vals[0].(binrow.Decimal); ok && int(dt.Scale) == lit.Scale() && n.op != OpIn && n.op != OpNotIn {
			num := binrow.ArrowDecimal(lit)
			vals := a.Values()
			return selTest(e.n, in, out, v, func(i int) bool { return mask.has(cmpDecimal(vals[i], num)) }), nil
		}
	}
	return e.generic(n, arr, v, in, out)
}

// generic evaluates a leaf through binrow values, for types and operators
// without a specialized loop (IN lists of non-integers, unusual Arrow
// types).
func (e *evaluator) generic(n *node, arr arrow.Array, v validity, in []int32, out []int32) ([]int32, error) {
	var err error
	t := n.typ
	mask := opMask(n.op)
	res := selTest(e.n, in, out, v, func(i int) bool {
		if err != nil {
			return false
		}
		x, xerr := binrow.ArrowValue(t, arr, i)
		if xerr != nil {
			err = fmt.Errorf("predicate: column %q: %w", n.column, xerr)
			return false
		}
		return n.test(x, mask)
	})
	if err != nil {
		return out[:0], err
	}
	return res, nil
}

// test evaluates the leaf on one non-null value.
func (n *node) test(x any, mask cmpMask) bool {
	switch n.op {
	case OpIn, OpNotIn:
		found := false
		for _, lit := range n.vals {
			if binrow.CompareValues(n.typ, x, lit) == 0 {
				found = true
				break
			}
		}
		return found == (n.op == OpIn)
	}
	return mask.has(binrow.CompareValues(n.typ, x, n.vals[0]))
}

// cmpMask has bit c+1 set when a comparison result c (-1, 0, 1) passes.
type cmpMask uint8

func (m cmpMask) has(c int) bool { return m>>(c+1)&1 != 0 }

func opMask(op Op) cmpMask {
	switch op {
	case OpEqual:
		return 0b010
	case OpNotEqual:
		return 0b101
	case OpLess:
		return 0b001
	case OpLessOrEqual:
		return 0b011
	case OpGreater:
		return 0b100
	case OpGreaterOrEqual:
		return 0b110
	}
	return 0
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

func cmpDecimal(a, b decimal128.Num) int {
	switch {
	case a.Less(b):
		return -1
	case b.Less(a):
		return 1
	}
	return 0
}

// selTest appends the valid rows of in (nil: 0..n-1) for which test holds.
func selTest(n int, in []int32, out []int32, v validity, test func(int) bool) []int32 {
	if in == nil {
		for i := 0; i < n; i++ {
			if v.ok(i) && test(i) {
				out = append(out, int32(i))
			}
		}
		return out
	}
	for _, i := range in {
		if v.ok(int(i)) && test(int(i)) {
			out = append(out, i)
		}
	}
	return out
}

// intRange is a leaf over an integer-valued Arrow column (integers,
// dates, times, timestamps) reduced to integer tests on the raw values.
type intRange struct {
	kind   int // irNone, irAll, irRange, irNotEqual, irIn, irNotIn
	lo, hi int64
	set    []int64 // irIn, irNotIn: ascending
}

const (
	irNone = iota
	irAll
	irRange
	irNotEqual
	irIn
	irNotIn
)

// rawInt converts literal v (a binrow value of n.typ) into the raw integer
// unit of arr: f is the floor of the literal in that unit and exact
// reports whether no remainder was dropped. ok is false when arr is not an
// integer-valued array this path handles for n.typ, and for a timestamp
// below the unit's range (the generic path handles it). A timestamp above
// the range gives MaxInt64, inexact, which compares correctly.
func (n *node) rawInt(arr arrow.Array, v any) (f int64, exact, ok bool) {
	switch arr.DataType().ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64:
		switch x := v.(type) {
		case int8:
			return int64(x), true, true
		case int16:
			return int64(x), true, true
		case int32:
			if n.typ.Kind == schema.Date || n.typ.Kind == schema.Time {
				return 0, false, false
			}
			return int64(x), true, true
		case int64:
			return x, true, true
		}
	case arrow.DATE32:
		if x, ok := v.(int32); ok && n.typ.Kind == schema.Date {
			return int64(x), true, true
		}
	case arrow.TIME32, arrow.TIME64:
		x, ok := v.(int32)
		if !ok || n.typ.Kind != schema.Time {
			return 0, false, false
		}
		var u arrow.TimeUnit
		if t, ok := arr.DataType().(*arrow.Time32Type); ok {
			u = t.Unit
		} else {
			u = arr.DataType().(*arrow.Time64Type).Unit
		}
		ms := int64(x)
		switch u {
		case arrow.Second:
			return floorDiv(ms, 1000), ms%1000 == 0, true
		case arrow.Millisecond:
			return ms, true, true
		case arrow.Microsecond:
			return ms * 1000, true, true
		case arrow.Nanosecond:
			return ms * 1_000_000, true, true
		}
	case arrow.TIMESTAMP:
		x, ok := v.(binrow.Timestamp)
		if !ok {
			return 0, false, false
		}
		switch arr.DataType().(*arrow.TimestampType).Unit {
		case arrow.Second:
			return floorDiv(x.Millis, 1000), x.Millis%1000 == 0 && x.NanoOfMilli == 0, true
		case arrow.Millisecond:
			return x.Millis, x.NanoOfMilli == 0, true
		case arrow.Microsecond:
			f, o := mulAdd(x.Millis, 1000, int64(x.NanoOfMilli/1000))
			return f, x.NanoOfMilli%1000 == 0 && !o, !o || x.Millis > 0
		case arrow.Nanosecond:
			f, o := mulAdd(x.Millis, 1_000_000, int64(x.NanoOfMilli))
			return f, !o, !o || x.Millis > 0
		}
	}
	return 0, false, false
}

// mulAdd returns a*m+b, clamped to the int64 range, and whether it
// overflowed (b and m are non-negative).
func mulAdd(a, m, b int64) (int64, bool) {
	if a > (math.MaxInt64-b)/m {
		return math.MaxInt64, true
	}
	if a < math.MinInt64/m {
		return math.MinInt64, true
	}
	return a*m + b, false
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// intLiteral reduces an integer-valued leaf to an intRange.
func (n *node) intLiteral(arr arrow.Array) (intRange, bool) {
	if _, _, ok := n.rawInt(arr, n.vals[0]); !ok {
		return intRange{}, false
	}
	if n.op == OpIn || n.op == OpNotIn {
		var set []int64
		for _, v := range n.vals {
			f, exact, ok := n.rawInt(arr, v)
			if !ok {
				return intRange{}, false
			}
			if exact {
				set = append(set, f)
			}
		}
		slices.Sort(set)
		set = slices.Compact(set)
		if n.op == OpIn {
			if len(set) == 0 {
				return intRange{kind: irNone}, true
			}
			return intRange{kind: irIn, set: set}, true
		}
		if len(set) == 0 {
			return intRange{kind: irAll}, true
		}
		return intRange{kind: irNotIn, set: set}, true
	}
	f, exact, _ := n.rawInt(arr, n.vals[0])
	const lo, hi = math.MinInt64, math.MaxInt64
	switch n.op {
	case OpEqual:
		if exact {
			return intRange{kind: irRange, lo: f, hi: f}, true
		}
		return intRange{kind: irNone}, true
	case OpNotEqual:
		if exact {
			return intRange{kind: irNotEqual, lo: f}, true
		}
		return intRange{kind: irAll}, true
	case OpLess:
		if !exact {
			return intRange{kind: irRange, lo: lo, hi: f}, true
		}
		if f == lo {
			return intRange{kind: irNone}, true
		}
		return intRange{kind: irRange, lo: lo, hi: f - 1}, true
	case OpLessOrEqual:
		return intRange{kind: irRange, lo: lo, hi: f}, true
	case OpGreater:
		if f == hi {
			return intRange{kind: irNone}, true
		}
		return intRange{kind: irRange, lo: f + 1, hi: hi}, true
	case OpGreaterOrEqual:
		if exact {
			return intRange{kind: irRange, lo: f, hi: hi}, true
		}
		if f == hi {
			return intRange{kind: irNone}, true
		}
		return intRange{kind: irRange, lo: f + 1, hi: hi}, true
	}
	return intRange{}, false
}

func (r intRange) filter(arr arrow.Array, v validity, n int, in []int32, out []int32) []int32 {
	switch a := arr.(type) {
	case *array.Int8:
		return intFilter(a.Int8Values(), r, v, n, in, out)
	case *array.Int16:
		return intFilter(a.Int16Values(), r, v, n, in, out)
	case *array.Int32:
		return intFilter(a.Int32Values(), r, v, n, in, out)
	case *array.Int64:
		return intFilter(a.Int64Values(), r, v, n, in, out)
	case *array.Date32:
		return intFilter(a.Date32Values(), r, v, n, in, out)
	case *array.Time32:
		return intFilter(a.Time32Values(), r, v, n, in, out)
	case *array.Time64:
		return intFilter(a.Time64Values(), r, v, n, in, out)
	case *array.Timestamp:
		return intFilter(a.TimestampValues(), r, v, n, in, out)
	}
	return out
}

func intFilter[T ~int8 | ~int16 | ~int32 | ~int64](vals []T, r intRange, v validity, n int, in []int32, out []int32) []int32 {
	switch r.kind {
	case irNone:
		return out
	case irAll:
		return selTest(n, in, out, v, func(int) bool { return true })
	case irRange:
		// Branch-free: write every candidate and advance past the ones
		// that pass, which beats a mispredicted branch at any selectivity
		// between a few percent and nearly all.
		lo, hi := r.lo, r.hi
		k := len(out)
		if in == nil {
			out = slices.Grow(out, n)[:k+n]
			vals = vals[:n]
			if v.bm == nil {
				for i, x := range vals {
					out[k] = int32(i)
					k += b2i(int64(x) >= lo && int64(x) <= hi)
				}
				return out[:k]
			}
			for i, x := range vals {
				out[k] = int32(i)
				k += b2i(int64(x) >= lo && int64(x) <= hi) & v.bit(i)
			}
			return out[:k]
		}
		out = slices.Grow(out, len(in))[:k+len(in)]
		for _, i := range in {
			x := int64(vals[i])
			out[k] = i
			k += b2i(x >= lo && x <= hi) & v.bit(int(i))
		}
		return out[:k]
	case irNotEqual:
		ne := r.lo
		if in == nil {
			vals = vals[:n]
			for i, x := range vals {
				if int64(x) != ne && v.ok(i) {
					out = append(out, int32(i))
				}
			}
			return out
		}
		for _, i := range in {
			if int64(vals[i]) != ne && v.ok(int(i)) {
				out = append(out, i)
			}
		}
		return out
	}
	set := r.set
	want := r.kind == irIn
	member := func(x int64) bool {
		if len(set) <= 8 {
			for _, s := range set {
				if s == x {
					return true
				}
			}
			return false
		}
		_, found := slices.BinarySearch(set, x)
		return found
	}
	return selTest(n, in, out, v, func(i int) bool { return member(int64(vals[i])) == want })
}

// selStringEq selects the valid rows whose string equals lit (want) or
// differs from it (!want), comparing lengths from the offsets first.
func selStringEq(a *array.String, lit string, want bool, v validity, n int, in []int32, out []int32) []int32 {
	offs := a.ValueOffsets()
	data := a.ValueBytes()
	base := int(offs[0])
	test := func(i int) bool {
		s, e := int(offs[i])-base, int(offs[i+1])-base
		eq := e-s == len(lit) && string(data[s:e]) == lit
		return eq == want
	}
	if in == nil {
		for i := 0; i < n; i++ {
			if v.ok(i) && test(i) {
				out = append(out, int32(i))
			}
		}
		return out
	}
	for _, i := range in {
		if v.ok(int(i)) && test(int(i)) {
			out = append(out, i)
		}
	}
	return out
}

// inList evaluates IN and NOT IN over floats, binaries and decimals with
// typed loops; ok is false when it does not apply.
func (e *evaluator) inList(n *node, arr arrow.Array, v validity, in []int32, out []int32) ([]int32, bool) {
	if n.op != OpIn && n.op != OpNotIn {
		return nil, false
	}
	want := n.op == OpIn
	switch a := arr.(type) {
	case *array.Float64:
		return inFloats(e, in, out, v, n.vals, a.Float64Values(), binrow.CompareFloat64, want)
	case *array.Float32:
		return inFloats(e, in, out, v, n.vals, a.Float32Values(), binrow.CompareFloat32, want)
	case *array.Binary, *array.FixedSizeBinary:
		set, ok := typedList[[]byte](n.vals)
		if !ok {
			return nil, false
		}
		bv := arr.(interface{ Value(int) []byte })
		return selTest(e.n, in, out, v, func(i int) bool {
			_, found := slices.BinarySearchFunc(set, bv.Value(i), bytes.Compare)
			return found == want
		}), true
	case *array.Decimal128:
		dt := a.DataType().(*arrow.Decimal128Type)
		set := make([]decimal128.Num, 0, len(n.vals))
		for _, x := range n.vals {
			d, ok := x.(binrow.Decimal)
			if !ok || d.Scale() != int(dt.Scale) {
				return nil, false
			}
			set = append(set, binrow.ArrowDecimal(d))
		}
		vals := a.Values()
		return selTest(e.n, in, out, v, func(i int) bool {
			_, found := slices.BinarySearchFunc(set, vals[i], cmpDecimal)
			return found == want
		}), true
	}
	return nil, false
}

// inFloats is inList over float values, compared as Paimon compares them
// (NaN equal to NaN, -0.0 below 0.0).
func inFloats[F float32 | float64](e *evaluator, in, out []int32, v validity, lits []any, vals []F, cmp func(a, b F) int, want bool) ([]int32, bool) {
	set, ok := typedList[F](lits)
	if !ok {
		return nil, false
	}
	return selTest(e.n, in, out, v, func(i int) bool {
		for _, x := range set {
			if cmp(vals[i], x) == 0 {
				return want
			}
		}
		return !want
	}), true
}

// typedList returns the literals as a []T (in their sorted order).
func typedList[T any](vals []any) ([]T, bool) {
	out := make([]T, len(vals))
	for i, x := range vals {
		t, ok := x.(T)
		if !ok {
			return nil, false
		}
		out[i] = t
	}
	return out, true
}
