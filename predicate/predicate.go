package predicate

import (
	"errors"
	"fmt"
	"strings"
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

// SyntaxError is the error Parse returns: it wraps ErrSyntax and carries
// the byte offset in the input where reading failed.
type SyntaxError struct {
	Pos int    // byte offset into the input
	Msg string // what was wrong
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("predicate: syntax error at offset %d: %s", e.Pos, e.Msg)
}

// Unwrap returns ErrSyntax.
func (e *SyntaxError) Unwrap() error { return ErrSyntax }

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

var opText = [...]string{
	OpEqual:          "=",
	OpNotEqual:       "!=",
	OpLess:           "<",
	OpLessOrEqual:    "<=",
	OpGreater:        ">",
	OpGreaterOrEqual: ">=",
	OpIn:             "IN",
	OpNotIn:          "NOT IN",
	OpIsNull:         "IS NULL",
	OpIsNotNull:      "IS NOT NULL",
	OpAnd:            "AND",
	OpOr:             "OR",
	OpNot:            "NOT",
}

// String returns the operator's SQL spelling.
func (o Op) String() string {
	if o > 0 && int(o) < len(opText) {
		return opText[o]
	}
	return fmt.Sprintf("Op(%d)", int(o))
}

// Predicate is an immutable predicate tree. The zero value is "no
// predicate" (matches every row); IsZero reports it.
//
// And and Or drop zero operands and collapse to their single operand, so
// that every tree prints to text that parses back to the same tree.
// Or() with no operands matches no row; it prints as FALSE.
type Predicate struct {
	op       Op
	column   string
	values   []any
	children []Predicate
}

// IsZero reports whether p is the empty predicate.
func (p Predicate) IsZero() bool { return p.op == 0 }

// Op returns p's operator (0 for the zero predicate).
func (p Predicate) Op() Op { return p.op }

// Column returns the column of a leaf ("" for AND, OR, NOT).
func (p Predicate) Column() string { return p.column }

// Values returns the literals of a leaf (one for comparisons, the list for
// IN and NOT IN). The slice must not be modified.
func (p Predicate) Values() []any { return p.values }

// Children returns the operands of AND, OR and NOT. The slice must not be
// modified.
func (p Predicate) Children() []Predicate { return p.children }

func leaf(op Op, col string, v any) Predicate {
	return Predicate{op: op, column: col, values: []any{v}}
}

// Equal builds col = v.
func Equal(col string, v any) Predicate { return leaf(OpEqual, col, v) }

// NotEqual builds col != v.
func NotEqual(col string, v any) Predicate { return leaf(OpNotEqual, col, v) }

// Less builds col < v.
func Less(col string, v any) Predicate { return leaf(OpLess, col, v) }

// LessOrEqual builds col <= v.
func LessOrEqual(col string, v any) Predicate { return leaf(OpLessOrEqual, col, v) }

// Greater builds col > v.
func Greater(col string, v any) Predicate { return leaf(OpGreater, col, v) }

// GreaterOrEqual builds col >= v.
func GreaterOrEqual(col string, v any) Predicate { return leaf(OpGreaterOrEqual, col, v) }

// In builds col IN (vs...). An empty list matches no row.
func In(col string, vs ...any) Predicate {
	return Predicate{op: OpIn, column: col, values: append([]any(nil), vs...)}
}

// NotIn builds col NOT IN (vs...).
func NotIn(col string, vs ...any) Predicate {
	return Predicate{op: OpNotIn, column: col, values: append([]any(nil), vs...)}
}

// IsNull builds col IS NULL.
func IsNull(col string) Predicate { return Predicate{op: OpIsNull, column: col} }

// IsNotNull builds col IS NOT NULL.
func IsNotNull(col string) Predicate { return Predicate{op: OpIsNotNull, column: col} }

// And builds the conjunction of ps. Zero operands are dropped; with none
// left the result is the zero predicate, with one it is that operand.
func And(ps ...Predicate) Predicate {
	var kids []Predicate
	for _, p := range ps {
		if !p.IsZero() {
			kids = append(kids, p)
		}
	}
	switch len(kids) {
	case 0:
		return Predicate{}
	case 1:
		return kids[0]
	}
	return Predicate{op: OpAnd, children: kids}
}

// Or builds the disjunction of ps. A zero operand makes the whole
// disjunction match everything (the zero predicate); a single operand is
// returned as is; no operands give a predicate that matches no row.
func Or(ps ...Predicate) Predicate {
	for _, p := range ps {
		if p.IsZero() {
			return Predicate{}
		}
	}
	if len(ps) == 1 {
		return ps[0]
	}
	return Predicate{op: OpOr, children: append([]Predicate(nil), ps...)}
}

// Not builds NOT p. Not of the zero predicate matches no row.
func Not(p Predicate) Predicate {
	if p.IsZero() {
		return Predicate{op: OpOr}
	}
	return Predicate{op: OpNot, children: []Predicate{p}}
}

// String prints p in the syntax Parse reads: Parse(p.String()) gives back
// p for every tree whose literals are of the types Parse produces (int64,
// float64, string, bool, []byte, nil, Decimal, Date, time.Time). Other
// accepted literal types print as the nearest of those (int32 as an
// integer, float32 as a float, …). The zero predicate prints as TRUE.
func (p Predicate) String() string {
	var sb strings.Builder
	p.write(&sb)
	return sb.String()
}

func (p Predicate) write(sb *strings.Builder) {
	switch p.op {
	case 0:
		sb.WriteString("TRUE")
	case OpAnd, OpOr:
		if len(p.children) == 0 {
			if p.op == OpOr {
				sb.WriteString("FALSE")
			} else {
				sb.WriteString("TRUE")
			}
			return
		}
		for i, c := range p.children {
			if i > 0 {
				sb.WriteByte(' ')
				sb.WriteString(p.op.String())
				sb.WriteByte(' ')
			}
			c.writeOperand(sb)
		}
	case OpNot:
		sb.WriteString("NOT ")
		if len(p.children) == 1 {
			p.children[0].writeOperand(sb)
		} else {
			sb.WriteString("TRUE")
		}
	case OpIsNull, OpIsNotNull:
		writeIdent(sb, p.column)
		sb.WriteByte(' ')
		sb.WriteString(p.op.String())
	case OpIn, OpNotIn:
		writeIdent(sb, p.column)
		sb.WriteByte(' ')
		sb.WriteString(p.op.String())
		sb.WriteString(" (")
		for i, v := range p.values {
			if i > 0 {
				sb.WriteString(", ")
			}
			writeLiteral(sb, v)
		}
		sb.WriteByte(')')
	default:
		writeIdent(sb, p.column)
		sb.WriteByte(' ')
		sb.WriteString(p.op.String())
		sb.WriteByte(' ')
		var v any
		if len(p.values) > 0 {
			v = p.values[0]
		}
		writeLiteral(sb, v)
	}
}

// writeOperand writes an operand of AND, OR or NOT: nested AND and OR
// always get parentheses so that the tree shape survives a round trip.
func (p Predicate) writeOperand(sb *strings.Builder) {
	if (p.op == OpAnd || p.op == OpOr) && len(p.children) > 0 {
		sb.WriteByte('(')
		p.write(sb)
		sb.WriteByte(')')
		return
	}
	p.write(sb)
}

// Columns returns the column names p references, without duplicates, in
// order of first appearance.
func (p Predicate) Columns() []string {
	var out []string
	seen := map[string]bool{}
	var walk func(Predicate)
	walk = func(q Predicate) {
		switch q.op {
		case 0:
		case OpAnd, OpOr, OpNot:
			for _, c := range q.children {
				walk(c)
			}
		default:
			if !seen[q.column] {
				seen[q.column] = true
				out = append(out, q.column)
			}
		}
	}
	walk(p)
	return out
}

// MarshalText prints p (String); UnmarshalText parses it, so that a
// predicate travels inside serialized scan splits. MarshalText fails with
// ErrLiteral when a literal has a Go type that has no text form.
func (p Predicate) MarshalText() ([]byte, error) {
	if err := p.checkLiterals(); err != nil {
		return nil, err
	}
	return []byte(p.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (p *Predicate) UnmarshalText(b []byte) error {
	q, err := Parse(string(b))
	if err != nil {
		return err
	}
	*p = q
	return nil
}

func (p Predicate) checkLiterals() error {
	for _, c := range p.children {
		if err := c.checkLiterals(); err != nil {
			return err
		}
	}
	for _, v := range p.values {
		if !printable(v) {
			return fmt.Errorf("%w: column %q: %T has no text form", ErrLiteral, p.column, v)
		}
	}
	return nil
}
