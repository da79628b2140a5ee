package predicate

import (
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/floelake/floe/internal/binrow"
	"github.com/floelake/floe/schema"
)

type nodeKind uint8

const (
	kTrue    nodeKind = iota // matches every row
	kFalse                   // matches no row
	kUnknown                 // partial bind: a column outside the fields
	kLeaf
	kAnd
	kOr
)

// node is one node of a bound predicate in negation normal form.
type node struct {
	kind   nodeKind
	op     Op // leaves: any operator but AND, OR, NOT
	field  int
	column string
	typ    schema.DataType
	// vals holds the literals coerced to binrow's Go values: one for
	// comparisons; for IN and NOT IN at least two, sorted and without
	// duplicates or nulls.
	vals []any
	// nan is set when a float literal is NaN.
	nan  bool
	kids []*node
}

// Bound is a predicate resolved against a list of fields, with literals
// coerced to the fields' types and negations pushed down to the leaves. It
// is safe for concurrent use.
type Bound struct {
	root    *node
	fields  []schema.Field
	unknown []string // columns left unknown by a partial bind
}

var (
	nodeTrue  = &node{kind: kTrue}
	nodeFalse = &node{kind: kFalse}
)

// Bind resolves p against fields. An unknown column gives ErrColumn unless
// partial is true, in which case the parts of p that need it are treated as
// unknown ("may match") — used to prune partitions with the partition
// columns only. A zero p binds to a Bound that matches everything.
//
// Columns are matched by exact name, or case-insensitively when that
// names exactly one field. Literals are converted to the column's type as
// the package documentation describes; a literal that does not convert
// gives an error wrapping ErrLiteral that names the column. NOT is pushed
// down to the leaves here (NOT a < 5 becomes a >= 5, NOT (x AND y)
// becomes NOT x OR NOT y, NOT a IN (…) becomes a NOT IN (…)), which is
// exact under SQL's three-valued logic because every comparison is false
// on a null and the orders used are total.
func Bind(p Predicate, fields []schema.Field, partial bool) (*Bound, error) {
	b := &Bound{fields: fields}
	root, err := b.bind(p, false, partial)
	if err != nil {
		return nil, err
	}
	b.root = root
	return b, nil
}

func negate(op Op) Op {
	switch op {
	case OpEqual:
		return OpNotEqual
	case OpNotEqual:
		return OpEqual
	case OpLess:
		return OpGreaterOrEqual
	case OpLessOrEqual:
		return OpGreater
	case OpGreater:
		return OpLessOrEqual
	case OpGreaterOrEqual:
		return OpLess
	case OpIn:
		return OpNotIn
	case OpNotIn:
		return OpIn
	case OpIsNull:
		return OpIsNotNull
	case OpIsNotNull:
		return OpIsNull
	case OpAnd:
		return OpOr
	case OpOr:
		return OpAnd
	}
	return op
}

func (b *Bound) lookup(col string) int {
	for i, f := range b.fields {
		if f.Name == col {
			return i
		}
	}
	found := -1
	for i, f := range b.fields {
		if strings.EqualFold(f.Name, col) {
			if found >= 0 {
				return -1
			}
			found = i
		}
	}
	return found
}

func (b *Bound) bind(p Predicate, neg, partial bool) (*node, error) {
	switch p.op {
	case 0:
		if neg {
			return nodeFalse, nil
		}
		return nodeTrue, nil
	case OpNot:
		if len(p.children) != 1 {
			return nil, fmt.Errorf("%w: NOT with %d operands", ErrSyntax, len(p.children))
		}
		return b.bind(p.children[0], !neg, partial)
	case OpAnd, OpOr:
		op := p.op
		if neg {
			op = negate(op)
		}
		kids := make([]*node, 0, len(p.children))
		for _, c := range p.children {
			k, err := b.bind(c, neg, partial)
			if err != nil {
				return nil, err
			}
			kids = append(kids, k)
		}
		if op == OpAnd {
			return fold(kAnd, kids), nil
		}
		return fold(kOr, kids), nil
	}
	op := p.op
	if op < OpEqual || op > OpIsNotNull {
		return nil, fmt.Errorf("%w: operator %v", ErrSyntax, op)
	}
	if neg {
		op = negate(op)
	}
	fi := b.lookup(p.column)
	if fi < 0 {
		if partial {
			if !slices.Contains(b.unknown, p.column) {
				b.unknown = append(b.unknown, p.column)
			}
			return &node{kind: kUnknown, column: p.column, field: -1}, nil
		}
		return nil, fmt.Errorf("%w: %q", ErrColumn, p.column)
	}
	f := b.fields[fi]
	n := &node{kind: kLeaf, op: op, field: fi, column: f.Name, typ: f.Type}
	if op == OpIsNull || op == OpIsNotNull {
		return n, nil
	}
	if !comparable(f.Type.Kind) {
		return nil, fmt.Errorf("%w: column %q: cannot compare values of type %s", ErrLiteral, f.Name, f.Type)
	}
	if op != OpIn && op != OpNotIn {
		if len(p.values) != 1 {
			return nil, fmt.Errorf("%w: column %q: %v takes one literal, got %d", ErrLiteral, f.Name, op, len(p.values))
		}
		if p.values[0] == nil {
			return nodeFalse, nil // a comparison with NULL is never true
		}
		v, err := coerce(p.values[0], f.Type)
		if err != nil {
			return nil, fmt.Errorf("%w: column %q (%s): %v", ErrLiteral, f.Name, f.Type, err)
		}
		n.vals = []any{v}
		n.nan = isNaN(v)
		return n, nil
	}
	vals := make([]any, 0, len(p.values))
	for _, lit := range p.values {
		if lit == nil {
			if op == OpNotIn {
				// x NOT IN (…, NULL) is never true.
				return nodeFalse, nil
			}
			continue // x IN (…, NULL) is true exactly when x is in the rest
		}
		v, err := coerce(lit, f.Type)
		if err != nil {
			return nil, fmt.Errorf("%w: column %q (%s): %v", ErrLiteral, f.Name, f.Type, err)
		}
		n.nan = n.nan || isNaN(v)
		vals = append(vals, v)
	}
	slices.SortFunc(vals, func(a, c any) int { return binrow.CompareValues(f.Type, a, c) })
	vals = slices.CompactFunc(vals, func(a, c any) bool { return binrow.CompareValues(f.Type, a, c) == 0 })
	switch {
	case len(vals) == 0 && op == OpIn:
		return nodeFalse, nil
	case len(vals) == 0:
		n.op = OpIsNotNull
	case len(vals) == 1 && op == OpIn:
		n.op = OpEqual
	case len(vals) == 1:
		n.op = OpNotEqual
	}
	n.vals = vals
	return n, nil
}

// fold builds an AND or OR node, flattening nested ones of the same kind
// and folding constants.
func fold(kind nodeKind, kids []*node) *node {
	absorb, neutral := kFalse, kTrue // for AND
	if kind == kOr {
		absorb, neutral = kTrue, kFalse
	}
	var out []*node
	for _, k := range kids {
		switch k.kind {
		case absorb:
			return k
		case neutral:
			continue
		case kind:
			out = append(out, k.kids...)
		default:
			out = append(out, k)
		}
	}
	switch len(out) {
	case 0:
		if kind == kAnd {
			return nodeTrue
		}
		return nodeFalse
	case 1:
		return out[0]
	}
	return &node{kind: kind, kids: out}
}

func comparable(k schema.Kind) bool {
	switch k {
	case schema.Array, schema.Map, schema.Multiset, schema.Row, schema.Vector, schema.Variant, schema.Blob:
		return false
	}
	return true
}

func isNaN(v any) bool {
	switch x := v.(type) {
	case float32:
		return x != x
	case float64:
		return x != x
	}
	return false
}

// intOf returns v as an int64 when v is a Go integer; over reports a
// uint64 beyond the int64 range.
func intOf(v any) (n int64, ok, over bool) {
	switch x := v.(type) {
	case int:
		return int64(x), true, false
	case int8:
		return int64(x), true, false
	case int16:
		return int64(x), true, false
	case int32:
		return int64(x), true, false
	case int64:
		return x, true, false
	case uint:
		return int64(x), true, uint64(x) > math.MaxInt64
	case uint8:
		return int64(x), true, false
	case uint16:
		return int64(x), true, false
	case uint32:
		return int64(x), true, false
	case uint64:
		return int64(x), true, x > math.MaxInt64
	}
	return 0, false, false
}

// exactOf returns v as an exact decimal (unscaled, scale) when v is a
// number: a Go integer, Decimal, binrow.Decimal, numeric string, or a
// finite float (its shortest round-trip decimal form).
func exactOf(v any) (*big.Int, int, error) {
	if n, ok, over := intOf(v); ok {
		if over {
			var u uint64
			switch x := v.(type) {
			case uint:
				u = uint64(x)
			case uint64:
				u = x
			}
			return new(big.Int).SetUint64(u), 0, nil
		}
		return big.NewInt(n), 0, nil
	}
	var text string
	switch x := v.(type) {
	case Decimal:
		text = string(x)
	case string:
		text = strings.TrimSpace(x)
	case binrow.Decimal:
		return x.Unscaled(), x.Scale(), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, 0, fmt.Errorf("%v is not a decimal number", x)
		}
		text = strconv.FormatFloat(x, 'f', -1, 64)
	case float32:
		if x != x || math.IsInf(float64(x), 0) {
			return nil, 0, fmt.Errorf("%v is not a decimal number", x)
		}
		text = strconv.FormatFloat(float64(x), 'f', -1, 32)
	default:
		return nil, 0, fmt.Errorf("%T is not a number", v)
	}
	if !Decimal(text).valid() {
		return nil, 0, fmt.Errorf("%q is not a decimal number", text)
	}
	neg := strings.HasPrefix(text, "-")
	text = strings.TrimLeft(text, "+-")
	ip, fp, _ := strings.Cut(text, ".")
	u, ok := new(big.Int).SetString("0"+ip+fp, 10)
	if !ok {
		return nil, 0, fmt.Errorf("%q is not a decimal number", text)
	}
	if neg {
		u.Neg(u)
	}
	return u, len(fp), nil
}

var bigTen = big.NewInt(10)

// rescale returns u·10^-from as an unscaled value of scale to, failing
// when non-zero digits would be lost.
func rescale(u *big.Int, from, to int) (*big.Int, error) {
	if from <= to {
		return new(big.Int).Mul(u, new(big.Int).Exp(bigTen, big.NewInt(int64(to-from)), nil)), nil
	}
	q, r := new(big.Int).QuoRem(u, new(big.Int).Exp(bigTen, big.NewInt(int64(from-to)), nil), new(big.Int))
	if r.Sign() != 0 {
		return nil, fmt.Errorf("more than %d fraction digits", to)
	}
	return q, nil
}

func coerceInt(v any, lo, hi int64) (int64, error) {
	if n, ok, over := intOf(v); ok {
		if over || n < lo || n > hi {
			return 0, fmt.Errorf("%v out of range [%d, %d]", v, lo, hi)
		}
		return n, nil
	}
	switch v.(type) {
	case Decimal, binrow.Decimal, float32, float64:
		u, sc, err := exactOf(v)
		if err != nil {
			return 0, err
		}
		u, err = rescale(u, sc, 0)
		if err != nil {
			return 0, fmt.Errorf("%v is not an integer", v)
		}
		if !u.IsInt64() || u.Int64() < lo || u.Int64() > hi {
			return 0, fmt.Errorf("%v out of range [%d, %d]", v, lo, hi)
		}
		return u.Int64(), nil
	}
	return 0, fmt.Errorf("%T is not an integer", v)
}

func coerceFloat(v any, bits int) (float64, error) {
	if n, ok, over := intOf(v); ok {
		if over {
			return float64(uint64(n)), nil
		}
		return float64(n), nil
	}
	switch x := v.(type) {
	case float32:
		return float64(x), nil
	case float64:
		return x, nil
	case Decimal:
		if !x.valid() {
			return 0, fmt.Errorf("%q is not a number", string(x))
		}
		f, err := strconv.ParseFloat(string(x), bits)
		if err != nil && !isRangeErr(err) {
			return 0, err
		}
		return f, nil
	case binrow.Decimal:
		f, _ := strconv.ParseFloat(x.String(), bits)
		return f, nil
	}
	return 0, fmt.Errorf("%T is not a number", v)
}

// wallMillis returns t's wall clock read as UTC as a binrow.Timestamp.
func wallTimestamp(t time.Time) binrow.Timestamp {
	_, off := t.Zone()
	return instantTimestamp(t.Add(time.Duration(off) * time.Second).In(time.UTC))
}

func instantTimestamp(t time.Time) binrow.Timestamp {
	sec, ns := t.Unix(), t.Nanosecond()
	return binrow.Timestamp{Millis: sec*1000 + int64(ns/1_000_000), NanoOfMilli: int32(ns % 1_000_000)}
}

// coerce converts literal v to binrow's Go value for type t.
func coerce(v any, t schema.DataType) (any, error) {
	switch t.Kind {
	case schema.Boolean:
		if x, ok := v.(bool); ok {
			return x, nil
		}
		return nil, fmt.Errorf("%T is not a boolean", v)
	case schema.TinyInt:
		n, err := coerceInt(v, math.MinInt8, math.MaxInt8)
		return int8(n), err
	case schema.SmallInt:
		n, err := coerceInt(v, math.MinInt16, math.MaxInt16)
		return int16(n), err
	case schema.Int:
		n, err := coerceInt(v, math.MinInt32, math.MaxInt32)
		return int32(n), err
	case schema.BigInt:
		n, err := coerceInt(v, math.MinInt64, math.MaxInt64)
		return n, err
	case schema.Float:
		f, err := coerceFloat(v, 32)
		if err == nil && !math.IsInf(f, 0) && math.IsInf(float64(float32(f)), 0) {
			return nil, fmt.Errorf("%v out of FLOAT range", v)
		}
		return float32(f), err
	case schema.Double:
		return coerceFloat(v, 64)
	case schema.Decimal:
		if _, ok := v.(bool); ok {
			return nil, fmt.Errorf("bool is not a number")
		}
		u, sc, err := exactOf(v)
		if err != nil {
			return nil, err
		}
		u, err = rescale(u, sc, t.Scale)
		if err != nil {
			return nil, fmt.Errorf("%v: %v", v, err)
		}
		if new(big.Int).Abs(u).Cmp(new(big.Int).Exp(bigTen, big.NewInt(int64(t.Precision)), nil)) >= 0 {
			return nil, fmt.Errorf("%v overflows precision %d", v, t.Precision)
		}
		return binrow.NewDecimalBig(u, t.Precision, t.Scale), nil
	case schema.Char, schema.VarChar:
		if x, ok := v.(string); ok {
			return x, nil
		}
		return nil, fmt.Errorf("%T is not a string", v)
	case schema.Binary, schema.VarBinary:
		switch x := v.(type) {
		case []byte:
			return x, nil
		case string:
			return []byte(x), nil
		}
		return nil, fmt.Errorf("%T is not binary", v)
	case schema.Date:
		var days int64
		switch x := v.(type) {
		case Date:
			if !x.valid() {
				return nil, fmt.Errorf("invalid date %v", x)
			}
			days = x.Days()
		case time.Time:
			days = DateOf(x).Days()
		case string:
			d, err := parseDate(strings.TrimSpace(x))
			if err != nil {
				return nil, err
			}
			days = d.Days()
		default:
			n, ok, over := intOf(v)
			if !ok || over {
				return nil, fmt.Errorf("%T is not a date", v)
			}
			days = n
		}
		if days < math.MinInt32 || days > math.MaxInt32 {
			return nil, fmt.Errorf("date %v out of range", v)
		}
		return int32(days), nil
	case schema.Time:
		var ms int64
		switch x := v.(type) {
		case string:
			tm, err := parseTimestamp("1970-01-01 " + strings.TrimSpace(x))
			if err != nil || tm.Location() != time.UTC {
				return nil, fmt.Errorf("malformed time %q", x)
			}
			if tm.Nanosecond()%1_000_000 != 0 {
				return nil, fmt.Errorf("time %q is finer than milliseconds", x)
			}
			ms = tm.UnixMilli()
		case time.Time:
			h, m, s := x.Clock()
			if x.Nanosecond()%1_000_000 != 0 {
				return nil, fmt.Errorf("time %v is finer than milliseconds", x)
			}
			ms = int64(h*3600+m*60+s)*1000 + int64(x.Nanosecond()/1_000_000)
		default:
			n, ok, over := intOf(v)
			if !ok || over {
				return nil, fmt.Errorf("%T is not a time", v)
			}
			ms = n
		}
		if ms < 0 || ms >= 86_400_000 {
			return nil, fmt.Errorf("time %v out of range", v)
		}
		return int32(ms), nil
	case schema.Timestamp, schema.TimestampLTZ:
		ltz := t.Kind == schema.TimestampLTZ
		switch x := v.(type) {
		case binrow.Timestamp:
			if x.NanoOfMilli < 0 || x.NanoOfMilli >= 1_000_000 {
				return nil, fmt.Errorf("timestamp nanos %d out of range", x.NanoOfMilli)
			}
			return x, nil
		case time.Time:
			if ltz {
				return instantTimestamp(x), nil
			}
			return wallTimestamp(x), nil
		case Date:
			if !x.valid() {
				return nil, fmt.Errorf("invalid date %v", x)
			}
			return binrow.Timestamp{Millis: x.Days() * 86_400_000}, nil
		case string:
			s := strings.TrimSpace(x)
			if d, err := parseDate(s); err == nil {
				return binrow.Timestamp{Millis: d.Days() * 86_400_000}, nil
			}
			tm, err := parseTimestamp(s)
			if err != nil {
				return nil, err
			}
			if ltz {
				return instantTimestamp(tm), nil
			}
			return wallTimestamp(tm), nil
		}
		return nil, fmt.Errorf("%T is not a timestamp", v)
	}
	return nil, fmt.Errorf("cannot compare values of type %s", t)
}

// goTypeOK reports whether v has binrow's Go type for t.
func goTypeOK(t *schema.DataType, v any) bool {
	switch t.Kind {
	case schema.Boolean:
		_, ok := v.(bool)
		return ok
	case schema.TinyInt:
		_, ok := v.(int8)
		return ok
	case schema.SmallInt:
		_, ok := v.(int16)
		return ok
	case schema.Int, schema.Date, schema.Time:
		_, ok := v.(int32)
		return ok
	case schema.BigInt:
		_, ok := v.(int64)
		return ok
	case schema.Float:
		_, ok := v.(float32)
		return ok
	case schema.Double:
		_, ok := v.(float64)
		return ok
	case schema.Decimal:
		_, ok := v.(binrow.Decimal)
		return ok
	case schema.Char, schema.VarChar:
		_, ok := v.(string)
		return ok
	case schema.Binary, schema.VarBinary:
		_, ok := v.([]byte)
		return ok
	case schema.Timestamp, schema.TimestampLTZ:
		_, ok := v.(binrow.Timestamp)
		return ok
	}
	return false
}

// Fields returns the indexes of the bound fields the predicate reads,
// ascending.
func (b *Bound) Fields() []int {
	var out []int
	var walk func(*node)
	walk = func(n *node) {
		if n.kind == kLeaf && !slices.Contains(out, n.field) {
			out = append(out, n.field)
		}
		for _, k := range n.kids {
			walk(k)
		}
	}
	walk(b.root)
	slices.Sort(out)
	return out
}

// MatchesAll reports whether the bound predicate is empty (matches every row).
func (b *Bound) MatchesAll() bool { return b.root.kind == kTrue }

// MatchesNone reports whether the bound predicate can match no row at all
// (for example a = NULL, or x IN ()).
func (b *Bound) MatchesNone() bool { return b.root.kind == kFalse }

// String prints the bound predicate in negation normal form, in Parse's
// syntax with literals as binrow values; for logs and tests. Columns a
// partial bind left unknown print as UNKNOWN(col).
func (b *Bound) String() string {
	var sb strings.Builder
	b.root.write(&sb, true)
	return sb.String()
}

func (n *node) write(sb *strings.Builder, top bool) {
	switch n.kind {
	case kTrue:
		sb.WriteString("TRUE")
	case kFalse:
		sb.WriteString("FALSE")
	case kUnknown:
		sb.WriteString("UNKNOWN(")
		writeIdent(sb, n.column)
		sb.WriteString(")")
	case kAnd, kOr:
		if !top {
			sb.WriteByte('(')
		}
		for i, k := range n.kids {
			if i > 0 {
				if n.kind == kAnd {
					sb.WriteString(" AND ")
				} else {
					sb.WriteString(" OR ")
				}
			}
			k.write(sb, false)
		}
		if !top {
			sb.WriteByte(')')
		}
	case kLeaf:
		p := Predicate{op: n.op, column: n.column, values: n.vals}
		p.write(sb)
	}
}
