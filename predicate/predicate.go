// Package predicate builds row filters for table scans: comparisons,
// IN, IS [NOT] NULL, AND, OR and NOT over named columns. A scan uses a
// predicate three ways: to prune partitions, to skip files whose column
// statistics rule out every row, and to filter rows exactly.
//
// Literals are plain Go values (int, int64, float64, string, bool,
// time.Time, []byte, …); Bind coerces them to each column's Paimon type.
// Parse reads a SQL-like text form, which String prints back.
package predicate

import (
	"errors"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/floelake/floe/internal/schema"
)

// Errors returned by this package.
var (
	// ErrSyntax reports text Parse cannot read.
	ErrSyntax = errors.New("predicate: syntax error")
	// ErrColumn reports a column that is not in the schema.
	ErrColumn = errors.New("predicate: unknown column")
	// ErrLiteral reports a literal that does not convert to its column's type.
	ErrLiteral = errors.New("predicate: bad literal")
)

// Op is a predicate operator.
type Op int

// Operators.
const (
	OpEqual Op = iota + 1
	OpNotEqual
	OpLess
	OpLessOrEqual
	OpGreater
	OpGreaterOrEqual
	OpIn
	OpNotIn
	OpIsNull
	OpIsNotNull
	OpAnd
	OpOr
	OpNot
)

// Predicate is an immutable predicate tree. The zero value is "no
// predicate" (matches every row); IsZero reports it.
type Predicate struct {
	op       Op
	column   string
	values   []any
	children []Predicate
}

// IsZero reports whether p is the empty predicate.
func (p Predicate) IsZero() bool { return p.op == 0 }

// Equal and the other constructors build leaves and combinations.
func Equal(col string, v any) Predicate { return Predicate{op: OpEqual, column: col, values: []any{v}} }
func NotEqual(col string, v any) Predicate {
	return Predicate{op: OpNotEqual, column: col, values: []any{v}}
}
func Less(col string, v any) Predicate { return Predicate{op: OpLess, column: col, values: []any{v}} }
func LessOrEqual(col string, v any) Predicate {
	return Predicate{op: OpLessOrEqual, column: col, values: []any{v}}
}
func Greater(col string, v any) Predicate {
	return Predicate{op: OpGreater, column: col, values: []any{v}}
}
func GreaterOrEqual(col string, v any) Predicate {
	return Predicate{op: OpGreaterOrEqual, column: col, values: []any{v}}
}
func In(col string, vs ...any) Predicate    { return Predicate{op: OpIn, column: col, values: vs} }
func NotIn(col string, vs ...any) Predicate { return Predicate{op: OpNotIn, column: col, values: vs} }
func IsNull(col string) Predicate           { return Predicate{op: OpIsNull, column: col} }
func IsNotNull(col string) Predicate        { return Predicate{op: OpIsNotNull, column: col} }
func And(ps ...Predicate) Predicate         { return Predicate{op: OpAnd, children: ps} }
func Or(ps ...Predicate) Predicate          { return Predicate{op: OpOr, children: ps} }
func Not(p Predicate) Predicate             { return Predicate{op: OpNot, children: []Predicate{p}} }

// String prints p in the syntax Parse reads.
func (p Predicate) String() string { panic("predicate: String not implemented") }

// Columns returns the column names p references, without duplicates.
func (p Predicate) Columns() []string { panic("predicate: Columns not implemented") }

// MarshalText prints p (String); UnmarshalText parses it, so that a
// predicate travels inside serialized scan splits.
func (p Predicate) MarshalText() ([]byte, error) { panic("predicate: MarshalText not implemented") }

// UnmarshalText implements encoding.TextUnmarshaler.
func (p *Predicate) UnmarshalText(b []byte) error { panic("predicate: UnmarshalText not implemented") }

// Parse reads a SQL-like predicate:
//
//	a = 1 AND (b IN ('x', 'y') OR c IS NULL) AND NOT d >= 2.5
//
// Operators =, != (and <>), <, <=, >, >=, IN (…), NOT IN (…), IS NULL,
// IS NOT NULL, AND, OR, NOT, parentheses; keywords case-insensitive;
// literals: integers, decimals/floats, 'strings' (” escapes a quote),
// TRUE/FALSE, DATE '2024-01-01', TIMESTAMP '2024-01-01 12:00:00.123',
// X'0aff' for binaries; identifiers bare or quoted with backticks or
// double quotes.
func Parse(s string) (Predicate, error) { panic("predicate: Parse not implemented") }

// Bound is a predicate resolved against a list of fields, with literals
// coerced to the fields' types and negations pushed down to the leaves. It
// is safe for concurrent use.
type Bound struct{}

// Bind resolves p against fields. An unknown column gives ErrColumn unless
// partial is true, in which case the parts of p that need it are treated as
// unknown ("may match") — used to prune partitions with the partition
// columns only. A zero p binds to a Bound that matches everything.
func Bind(p Predicate, fields []schema.Field, partial bool) (*Bound, error) {
	panic("predicate: Bind not implemented")
}

// Stats gives per-field statistics of a set of rows (a file, a manifest's
// partitions, one partition). Field indexes are those of the fields passed
// to Bind. Values use internal/binrow's Go representation; nil means
// unknown.
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
func (b *Bound) MayMatch(s Stats) bool { panic("predicate: MayMatch not implemented") }

// Filter evaluates the predicate on every row of rec and returns the
// matching row indexes (ascending), appended to sel[:0]. cols maps each
// bound field index to its column in rec (-1: the column is absent and
// reads as null). SQL semantics: a comparison with null is not true.
func (b *Bound) Filter(rec arrow.Record, cols []int, sel []int32) ([]int32, error) {
	panic("predicate: Filter not implemented")
}

// Fields returns the indexes of the bound fields the predicate reads.
func (b *Bound) Fields() []int { panic("predicate: Fields not implemented") }

// MatchesAll reports whether the bound predicate is empty (matches every row).
func (b *Bound) MatchesAll() bool { panic("predicate: MatchesAll not implemented") }
