package merge

import (
	"bytes"
	"fmt"
	"math"
	"math/big"
	"strings"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/floelake/floe/schema"
)

// cell is one input value: row of arr (arr nil = null). ref names it in
// the batch's sources.
type cell struct {
	arr arrow.Array
	row int
	ref Ref
}

func (c cell) null() bool { return c.arr == nil || c.arr.IsNull(c.row) }

var nullCell = cell{ref: Ref{Src: -1}}

// accumulator folds one column of one key's records, following Paimon's
// FieldAggregator: agg(acc, in), aggReversed (the input is older than the
// accumulator: agg(in, acc)), retract(acc, in).
type accumulator interface {
	// reset makes the value null and forgets per-key state.
	reset()
	// set makes the value c (a seed row), keeping per-key state.
	set(c cell)
	agg(c cell) error
	aggReversed(c cell) error
	retract(c cell) error
}

// refAccumulator's value is always one input cell (or null): the output
// column is gathered from the refs.
type refAccumulator interface {
	accumulator
	value() Ref
}

// valueAccumulator computes its value and appends it to a builder of the
// column's type.
type valueAccumulator interface {
	accumulator
	appendTo(b array.Builder) error
}

// aggFunc describes one aggregate function.
type aggFunc struct {
	// retracts: the function supports retraction.
	retracts bool
	// make returns an accumulator for a column of type t (Arrow type at),
	// or an error saying why the type is not supported.
	make func(t schema.DataType, at arrow.DataType, col string, fo FieldOptions) (accumulator, error)
}

// aggFuncs are the aggregate functions by name.
var aggFuncs = map[string]aggFunc{
	"primary-key":            {retracts: true, make: refMaker(func() refAccumulator { return &lastAcc{keepRetract: true} })},
	"last_value":             {retracts: true, make: refMaker(func() refAccumulator { return &lastAcc{} })},
	"last_non_null_value":    {retracts: true, make: refMaker(func() refAccumulator { return &lastAcc{nonNull: true} })},
	"first_value":            {make: refMaker(func() refAccumulator { return &firstAcc{} })},
	"first_non_null_value":   {make: refMaker(func() refAccumulator { return &firstAcc{nonNull: true} })},
	"first_not_null_value":   {make: refMaker(func() refAccumulator { return &firstAcc{nonNull: true} })},
	"max":                    {make: makeExtreme(1)},
	"min":                    {make: makeExtreme(-1)},
	"sum":                    {retracts: true, make: makeArith(false)},
	"product":                {retracts: true, make: makeArith(true)},
	"bool_and":               {make: makeBool(true)},
	"bool_or":                {make: makeBool(false)},
	"listagg":                {make: makeListagg},
	"collect":                {retracts: true, make: makeCollect},
	"merge_map":              {retracts: true, make: makeMergeMap},
	"merge_map_with_keytime": {make: makeMergeMapWithKeyTime},
	"nested_update":          {retracts: true, make: makeNested(false)},
	"nested_partial_update":  {make: makeNested(true)},
	"rbm32":                  {make: makeBitmap32},
	"rbm64":                  {make: makeBitmap64},
	"hll_sketch":             {make: makeHllSketch},
	"theta_sketch":           {make: makeThetaSketch},
}

func refMaker(f func() refAccumulator) func(schema.DataType, arrow.DataType, string, FieldOptions) (accumulator, error) {
	return func(schema.DataType, arrow.DataType, string, FieldOptions) (accumulator, error) { return f(), nil }
}

// newAccumulator returns the accumulator of function fn for a column.
func newAccumulator(fn string, f schema.Field, fo FieldOptions, removeOnDelete bool) (accumulator, bool, error) {
	key := fieldsPrefix + f.Name + ".aggregate-function"
	af, ok := aggFuncs[fn]
	if !ok {
		return nil, false, &OptionError{Key: key, Value: fn, Column: f.Name, Reason: "unknown aggregate function"}
	}
	at, err := schema.ToArrow(f.Type)
	if err != nil {
		return nil, false, err
	}
	a, err := af.make(f.Type, at, f.Name, fo)
	if err != nil {
		return nil, false, &OptionError{Key: key, Value: fn, Column: f.Name, Reason: err.Error(), Err: err}
	}
	if fo.IgnoreRetract {
		if removeOnDelete {
			return nil, false, &OptionError{Key: fieldsPrefix + f.Name + ".ignore-retract", Value: "true", Column: f.Name,
				Reason: "conflicts with aggregation.remove-record-on-delete"}
		}
		return ignoreRetract{a}, true, nil
	}
	if !af.retracts {
		a = noRetract{accumulator: a, fn: fn, col: f.Name}
	}
	return a, af.retracts, nil
}

// ignoreRetract drops retractions (fields.<c>.ignore-retract).
type ignoreRetract struct{ accumulator }

func (ignoreRetract) retract(cell) error { return nil }

// unwrap returns the accumulator under the retract wrappers.
func unwrap(a accumulator) accumulator {
	for {
		switch w := a.(type) {
		case ignoreRetract:
			a = w.accumulator
		case noRetract:
			a = w.accumulator
		default:
			return a
		}
	}
}

// noRetract fails retractions of functions without them.
type noRetract struct {
	accumulator
	fn, col string
}

func (n noRetract) retract(cell) error {
	return fmt.Errorf("%w: aggregate function %s of column %s does not support retraction (set fields.%s.ignore-retract=true to ignore them)",
		ErrRetract, n.fn, n.col, n.col)
}

// lastAcc is last_value, last_non_null_value and primary-key.
type lastAcc struct {
	v           Ref
	nonNull     bool
	keepRetract bool // primary-key: a retract keeps its input
}

func (a *lastAcc) reset()     { a.v = Ref{Src: -1} }
func (a *lastAcc) set(c cell) { a.v = refOf(c) }
func (a *lastAcc) value() Ref { return a.v }
func (a *lastAcc) agg(c cell) error {
	if !a.nonNull || !c.null() {
		a.v = refOf(c)
	}
	return nil
}
func (a *lastAcc) aggReversed(c cell) error {
	// agg(in, acc): the accumulator is the newer value.
	if a.nonNull && a.v.Src < 0 {
		a.v = refOf(c)
	}
	return nil
}
func (a *lastAcc) retract(c cell) error {
	switch {
	case a.keepRetract:
		a.v = refOf(c)
	case !a.nonNull || !c.null():
		a.v = Ref{Src: -1}
	}
	return nil
}

func refOf(c cell) Ref {
	if c.null() {
		return Ref{Src: -1}
	}
	return c.ref
}

// firstAcc is first_value and first_non_null_value.
type firstAcc struct {
	v       Ref
	nonNull bool
	init    bool
}

func (a *firstAcc) reset()     { a.v, a.init = Ref{Src: -1}, false }
func (a *firstAcc) set(c cell) { a.v = refOf(c) }
func (a *firstAcc) value() Ref { return a.v }
func (a *firstAcc) agg(c cell) error {
	if !a.init && (!a.nonNull || !c.null()) {
		a.init = true
		a.v = refOf(c)
	}
	return nil
}
func (a *firstAcc) aggReversed(c cell) error {
	// agg(accumulator=in, input=acc).
	if !a.init && (!a.nonNull || a.v.Src >= 0) {
		a.init = true
		return nil
	}
	a.v = refOf(c)
	return nil
}
func (a *firstAcc) retract(cell) error { return nil }

// extremeAcc is max (sign 1) and min (sign -1).
type extremeAcc struct {
	sign int
	cmp  func(x arrow.Array, i int, y arrow.Array, j int) int
	v    cell
}

func makeExtreme(sign int) func(schema.DataType, arrow.DataType, string, FieldOptions) (accumulator, error) {
	return func(t schema.DataType, at arrow.DataType, _ string, _ FieldOptions) (accumulator, error) {
		cmp := cellCompare(at)
		if cmp == nil {
			return nil, fmt.Errorf("type %s is not comparable", t)
		}
		return &extremeAcc{sign: sign, cmp: cmp}, nil
	}
}

func (a *extremeAcc) reset()     { a.v = nullCell }
func (a *extremeAcc) set(c cell) { a.v = c }
func (a *extremeAcc) value() Ref { return refOf(a.v) }
func (a *extremeAcc) agg(c cell) error {
	switch {
	case c.null():
	case a.v.null():
		a.v = c
	case a.sign*a.cmp(a.v.arr, a.v.row, c.arr, c.row) < 0:
		a.v = c
	}
	return nil
}

// aggReversed: agg(in, acc) keeps in only when acc is null or in is
// strictly more extreme; ties keep the input (now the older cell), which
// holds the same value.
func (a *extremeAcc) aggReversed(c cell) error {
	switch {
	case c.null():
	case a.v.null():
		a.v = c
	case a.sign*a.cmp(c.arr, c.row, a.v.arr, a.v.row) >= 0:
		a.v = c
	}
	return nil
}
func (a *extremeAcc) retract(cell) error { return nil }

// cellCompare returns a comparison of two cells of type at, nil when the
// type has no order.
func cellCompare(at arrow.DataType) func(x arrow.Array, i int, y arrow.Array, j int) int {
	ord := func(a, b int64) int {
		switch {
		case a < b:
			return -1
		case a > b:
			return 1
		}
		return 0
	}
	fl := func(a, b float64) int {
		// Java's Double.compare: NaN is largest, -0 < 0.
		switch {
		case a < b:
			return -1
		case a > b:
			return 1
		}
		an, bn := math.IsNaN(a), math.IsNaN(b)
		switch {
		case an && bn:
			return 0
		case an:
			return 1
		case bn:
			return -1
		}
		return ord(int64(math.Float64bits(a)), int64(math.Float64bits(b)))
	}
	switch at.ID() {
	case arrow.BOOL:
		return func(x arrow.Array, i int, y arrow.Array, j int) int {
			a, b := x.(*array.Boolean).Value(i), y.(*array.Boolean).Value(j)
			switch {
			case a == b:
				return 0
			case !a:
				return -1
			}
			return 1
		}
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.DATE32, arrow.TIME32, arrow.TIME64, arrow.TIMESTAMP:
		return func(x arrow.Array, i int, y arrow.Array, j int) int { return ord(intValue(x, i), intValue(y, j)) }
	case arrow.FLOAT32:
		return func(x arrow.Array, i int, y arrow.Array, j int) int {
			return fl(float64(x.(*array.Float32).Value(i)), float64(y.(*array.Float32).Value(j)))
		}
	case arrow.FLOAT64:
		return func(x arrow.Array, i int, y arrow.Array, j int) int {
			return fl(x.(*array.Float64).Value(i), y.(*array.Float64).Value(j))
		}
	case arrow.DECIMAL128:
		return func(x arrow.Array, i int, y arrow.Array, j int) int {
			return x.(*array.Decimal128).Value(i).Cmp(y.(*array.Decimal128).Value(j))
		}
	case arrow.STRING, arrow.BINARY, arrow.LARGE_STRING, arrow.LARGE_BINARY, arrow.FIXED_SIZE_BINARY:
		return func(x arrow.Array, i int, y arrow.Array, j int) int {
			return bytes.Compare(cellBytes(x, i), cellBytes(y, j))
		}
	}
	return nil
}

// intValue reads an integer-backed cell.
func intValue(a arrow.Array, i int) int64 {
	switch a := a.(type) {
	case *array.Int8:
		return int64(a.Value(i))
	case *array.Int16:
		return int64(a.Value(i))
	case *array.Int32:
		return int64(a.Value(i))
	case *array.Int64:
		return a.Value(i)
	case *array.Date32:
		return int64(a.Value(i))
	case *array.Time32:
		return int64(a.Value(i))
	case *array.Time64:
		return int64(a.Value(i))
	case *array.Timestamp:
		return int64(a.Value(i))
	}
	panic(fmt.Sprintf("merge: %s is not an integer column", a.DataType()))
}

// cellBytes reads a string or binary cell without copying.
func cellBytes(a arrow.Array, i int) []byte {
	switch a := a.(type) {
	case *array.String:
		return unsafeBytes(a.Value(i))
	case *array.LargeString:
		return unsafeBytes(a.Value(i))
	case *array.Binary:
		return a.Value(i)
	case *array.LargeBinary:
		return a.Value(i)
	case *array.FixedSizeBinary:
		return a.Value(i)
	}
	panic(fmt.Sprintf("merge: %s is not a string or binary column", a.DataType()))
}

// arithAcc is sum and product over numeric columns.
type arithAcc struct {
	product bool
	kind    arrow.Type
	bits    int // integer width
	prec    int32
	scale   int32
	valid   bool
	i       int64
	f       float64
	d       decimal128.Num
}

func makeArith(product bool) func(schema.DataType, arrow.DataType, string, FieldOptions) (accumulator, error) {
	return func(t schema.DataType, at arrow.DataType, _ string, _ FieldOptions) (accumulator, error) {
		a := &arithAcc{product: product, kind: at.ID()}
		switch at.ID() {
		case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64:
			a.bits = at.(arrow.FixedWidthDataType).BitWidth()
		case arrow.FLOAT32, arrow.FLOAT64:
		case arrow.DECIMAL128:
			dt := at.(*arrow.Decimal128Type)
			a.prec, a.scale = dt.Precision, dt.Scale
		default:
			return nil, fmt.Errorf("type %s is not numeric", t)
		}
		return a, nil
	}
}

func (a *arithAcc) reset() { a.valid = false }

func (a *arithAcc) set(c cell) {
	a.valid = !c.null()
	if a.valid {
		a.load(c)
	}
}

// load reads c into the accumulator's value.
func (a *arithAcc) load(c cell) {
	switch a.kind {
	case arrow.FLOAT32:
		a.f = float64(c.arr.(*array.Float32).Value(c.row))
	case arrow.FLOAT64:
		a.f = c.arr.(*array.Float64).Value(c.row)
	case arrow.DECIMAL128:
		a.d = c.arr.(*array.Decimal128).Value(c.row)
	default:
		a.i = intValue(c.arr, c.row)
	}
}

// wrap truncates an integer to the column's width, as Java's casts do.
func (a *arithAcc) wrap(v int64) int64 {
	switch a.bits {
	case 8:
		return int64(int8(v))
	case 16:
		return int64(int16(v))
	case 32:
		return int64(int32(v))
	}
	return v
}

// op combines the accumulator with c: +, -, *, / (the accumulator on the
// left).
func (a *arithAcc) op(c cell, o byte) {
	switch a.kind {
	case arrow.FLOAT32:
		x, y := float32(a.f), c.arr.(*array.Float32).Value(c.row)
		a.f = float64(floatOp(x, y, o))
	case arrow.FLOAT64:
		a.f = floatOp(a.f, c.arr.(*array.Float64).Value(c.row), o)
	case arrow.DECIMAL128:
		a.valid = a.decOp(c.arr.(*array.Decimal128).Value(c.row), o)
	default:
		x, y := a.i, intValue(c.arr, c.row)
		switch o {
		case '+':
			a.i = a.wrap(x + y)
		case '-':
			a.i = a.wrap(x - y)
		case '*':
			a.i = a.wrap(x * y)
		case '/':
			if y == 0 {
				// Java throws ArithmeticException; a null keeps the row readable.
				a.valid = false
				return
			}
			if y == -1 {
				a.i = a.wrap(-x)
				return
			}
			a.i = a.wrap(x / y)
		}
	}
}

// floatOp applies o in the column's float width, as Java's float and
// double arithmetic does.
func floatOp[T float32 | float64](x, y T, o byte) T {
	switch o {
	case '+':
		return x + y
	case '-':
		return x - y
	case '*':
		return x * y
	}
	return x / y
}

// decOp applies o to decimals of the column's precision and scale, the way
// Paimon's DecimalUtils and Decimal.fromBigDecimal do: a result that does
// not fit the precision is null (compact precisions, ≤ 18, are only
// checked when the long arithmetic overflows).
func (a *arithAcc) decOp(y decimal128.Num, o byte) bool {
	x := a.d
	if a.prec <= 18 && (o == '+' || o == '-') {
		xl, yl := x.LowBits(), y.LowBits()
		var r int64
		var ovf bool
		if o == '+' {
			r = int64(xl) + int64(yl)
			ovf = (int64(xl) >= 0) == (int64(yl) >= 0) && (r >= 0) != (int64(xl) >= 0)
		} else {
			r = int64(xl) - int64(yl)
			ovf = (int64(xl) >= 0) != (int64(yl) >= 0) && (r >= 0) != (int64(xl) >= 0)
		}
		if !ovf {
			a.d = decimal128.FromI64(r)
			return true
		}
	}
	bx, by := x.BigInt(), y.BigInt()
	r := new(big.Int)
	switch o {
	case '+':
		r.Add(bx, by)
	case '-':
		r.Sub(bx, by)
	case '*':
		// Scale 2s back to s, rounding half up (away from zero).
		r.Mul(bx, by)
		r = roundHalfUp(new(big.Rat).SetFrac(r, pow10(int(a.scale))))
	case '/':
		if by.Sign() == 0 {
			return false
		}
		r = roundHalfUp(new(big.Rat).SetFrac(new(big.Int).Mul(bx, pow10(int(a.scale))), by))
	}
	if r.CmpAbs(pow10(int(a.prec))) >= 0 {
		return false
	}
	a.d = decimal128.FromBigInt(r)
	return true
}

func pow10(n int) *big.Int { return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil) }

func roundHalfUp(q *big.Rat) *big.Int {
	num, den := new(big.Int).Abs(q.Num()), q.Denom()
	quo, rem := new(big.Int).QuoRem(num, den, new(big.Int))
	if rem.Lsh(rem, 1).Cmp(den) >= 0 {
		quo.Add(quo, big.NewInt(1))
	}
	if q.Sign() < 0 {
		quo.Neg(quo)
	}
	return quo
}

func (a *arithAcc) agg(c cell) error {
	switch {
	case c.null():
	case !a.valid:
		a.set(c)
	case a.product:
		a.op(c, '*')
	default:
		a.op(c, '+')
	}
	return nil
}

func (a *arithAcc) aggReversed(c cell) error { return a.agg(c) }

func (a *arithAcc) retract(c cell) error {
	switch {
	case c.null():
	case !a.valid:
		if a.product {
			return nil // product: null stays null
		}
		// sum: the negated input.
		a.set(c)
		a.negate()
	case a.product:
		a.op(c, '/')
	default:
		a.op(c, '-')
	}
	return nil
}

func (a *arithAcc) negate() {
	switch a.kind {
	case arrow.FLOAT32, arrow.FLOAT64:
		a.f = -a.f
	case arrow.DECIMAL128:
		a.d = a.d.Negate()
	default:
		a.i = a.wrap(-a.i)
	}
}

func (a *arithAcc) appendTo(b array.Builder) error {
	if !a.valid {
		b.AppendNull()
		return nil
	}
	switch b := b.(type) {
	case *array.Int8Builder:
		b.Append(int8(a.i))
	case *array.Int16Builder:
		b.Append(int16(a.i))
	case *array.Int32Builder:
		b.Append(int32(a.i))
	case *array.Int64Builder:
		b.Append(a.i)
	case *array.Float32Builder:
		b.Append(float32(a.f))
	case *array.Float64Builder:
		b.Append(a.f)
	case *array.Decimal128Builder:
		b.Append(a.d)
	default:
		return fmt.Errorf("merge: sum/product into %s", b.Type())
	}
	return nil
}

// boolAcc is bool_and and bool_or.
type boolAcc struct {
	and, valid, v bool
}

func makeBool(and bool) func(schema.DataType, arrow.DataType, string, FieldOptions) (accumulator, error) {
	return func(t schema.DataType, at arrow.DataType, _ string, _ FieldOptions) (accumulator, error) {
		if at.ID() != arrow.BOOL {
			return nil, fmt.Errorf("type %s is not BOOLEAN", t)
		}
		return &boolAcc{and: and}, nil
	}
}

func (a *boolAcc) reset() { a.valid = false }
func (a *boolAcc) set(c cell) {
	a.valid = !c.null()
	if a.valid {
		a.v = c.arr.(*array.Boolean).Value(c.row)
	}
}
func (a *boolAcc) agg(c cell) error {
	switch {
	case c.null():
	case !a.valid:
		a.set(c)
	case a.and:
		a.v = a.v && c.arr.(*array.Boolean).Value(c.row)
	default:
		a.v = a.v || c.arr.(*array.Boolean).Value(c.row)
	}
	return nil
}
func (a *boolAcc) aggReversed(c cell) error { return a.agg(c) }
func (a *boolAcc) retract(cell) error       { return nil }
func (a *boolAcc) appendTo(b array.Builder) error {
	if !a.valid {
		b.AppendNull()
	} else {
		b.(*array.BooleanBuilder).Append(a.v)
	}
	return nil
}

// listaggAcc is listagg: strings joined by a delimiter (default ","),
// optionally without repeating tokens (distinct).
type listaggAcc struct {
	delim    string
	distinct bool
	valid    bool
	s        strings.Builder
	tmp      string
}

func makeListagg(t schema.DataType, at arrow.DataType, _ string, fo FieldOptions) (accumulator, error) {
	if t.Kind != schema.VarChar || t.Length != schema.MaxLength {
		return nil, fmt.Errorf("type %s is not STRING (unbounded VARCHAR)", t)
	}
	d := ","
	if fo.HasDelimiter {
		d = fo.Delimiter
	}
	return &listaggAcc{delim: d, distinct: fo.Distinct}, nil
}

func (a *listaggAcc) reset() { a.valid = false; a.s.Reset() }
func (a *listaggAcc) set(c cell) {
	a.s.Reset()
	a.valid = !c.null()
	if a.valid {
		a.s.WriteString(c.arr.(*array.String).Value(c.row))
	}
}

func (a *listaggAcc) join(acc, in string) string {
	switch {
	case len(in) == 0:
		return acc
	case len(acc) == 0:
		return in
	case !a.distinct:
		return acc + a.delim + in
	}
	seen := map[string]bool{}
	for _, t := range splitWhole(acc, a.delim) {
		seen[t] = true
	}
	out := acc
	for _, t := range splitWhole(in, a.delim) {
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		out += a.delim + t
	}
	return out
}

// splitWhole splits s by the whole separator, keeping empty tokens
// (StringUtils.splitByWholeSeparatorPreserveAllTokens; an empty separator
// splits on whitespace).
func splitWhole(s, sep string) []string {
	if sep == "" {
		return strings.Fields(s)
	}
	return strings.Split(s, sep)
}

func (a *listaggAcc) combine(c cell, reversed bool) {
	switch {
	case c.null():
		return
	case !a.valid:
		a.set(c)
		return
	}
	in := c.arr.(*array.String).Value(c.row)
	acc := a.s.String()
	var r string
	if reversed {
		r = a.join(in, acc)
	} else {
		r = a.join(acc, in)
	}
	a.s.Reset()
	a.s.WriteString(r)
}

func (a *listaggAcc) agg(c cell) error         { a.combine(c, false); return nil }
func (a *listaggAcc) aggReversed(c cell) error { a.combine(c, true); return nil }
func (a *listaggAcc) retract(cell) error       { return nil }
func (a *listaggAcc) appendTo(b array.Builder) error {
	if !a.valid {
		b.AppendNull()
	} else {
		b.(*array.StringBuilder).Append(a.s.String())
	}
	return nil
}

// unsafeBytes views s as bytes without copying; callers only read.
func unsafeBytes(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}
