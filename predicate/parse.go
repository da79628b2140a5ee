package predicate

import (
	"encoding/hex"
	"math"
	"strconv"
	"strings"
	"time"
)

// Parse reads a SQL-like predicate:
//
//	a = 1 AND (b IN ('x', 'y') OR c IS NULL) AND NOT d >= 2.5
//
// Operators =, != (and <>), <, <=, >, >=, IN (…), NOT IN (…), IS NULL,
// IS NOT NULL, AND, OR, NOT, parentheses; keywords case-insensitive;
// literals: integers, decimals/floats, 'strings' (a doubled quote stands for one),
// TRUE/FALSE, DATE '2024-01-01', TIMESTAMP '2024-01-01 12:00:00.123',
// X'0aff' for binaries; identifiers bare or quoted with backticks or
// double quotes.
//
// NOT binds tighter than AND, and AND tighter than OR. A comparison is
// always column, operator, literal. Literals become Go values:
//
//	42, -7                         int64 (Decimal when beyond int64)
//	12.345, .5, 3.                 Decimal (exact decimal text)
//	2.5E0, 1e-3, NAN, INFINITY     float64 (an exponent makes a float)
//	'text'                         string
//	TRUE, FALSE                    bool
//	NULL                           nil (a comparison with NULL is never true)
//	X'0aff'                        []byte
//	DATE '2024-01-31'              Date
//	TIMESTAMP '2024-01-31 12:00:00.123456789'
//	                               time.Time in UTC, or with a fixed zone
//	                               when an offset follows ("…+02:00")
//
// TRUE alone (or empty text) is the zero predicate, FALSE alone matches no
// row. Errors are *SyntaxError values wrapping ErrSyntax.
func Parse(s string) (Predicate, error) {
	p := &parser{src: s}
	if err := p.next(); err != nil {
		return Predicate{}, err
	}
	if p.tok.kind == tEOF {
		return Predicate{}, nil
	}
	out, err := p.parseOr(0)
	if err != nil {
		return Predicate{}, err
	}
	if p.tok.kind != tEOF {
		return Predicate{}, p.errf("unexpected %s", p.tok.describe())
	}
	return out, nil
}

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tQuotedIdent
	tNumber
	tString
	tHex
	tOp
	tLParen
	tRParen
	tComma
)

type token struct {
	kind tokKind
	text string // identifier name, string contents, number text, operator
	pos  int
}

func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "end of input"
	case tString:
		return "string literal"
	}
	return strconv.Quote(t.text)
}

// keyword reports whether t is the bare keyword kw (upper case).
func (t token) keyword(kw string) bool {
	return t.kind == tIdent && strings.EqualFold(t.text, kw)
}

type parser struct {
	src   string
	pos   int
	tok   token
	depth int
}

const maxDepth = 1000

func (p *parser) errf(format string, args ...any) error {
	return p.errAt(p.tok.pos, format, args...)
}

func (p *parser) errAt(pos int, format string, args ...any) error {
	msg := format
	if len(args) > 0 {
		msg = sprintf(format, args...)
	}
	return &SyntaxError{Pos: pos, Msg: msg}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}
func isIdentPart(c byte) bool { return isIdentStart(c) || isDigit(c) || c == '$' }

// next reads the next token into p.tok.
func (p *parser) next() error {
	s := p.src
	for p.pos < len(s) && isSpace(s[p.pos]) {
		p.pos++
	}
	start := p.pos
	if p.pos >= len(s) {
		p.tok = token{kind: tEOF, pos: start}
		return nil
	}
	c := s[p.pos]
	switch {
	case c == '(':
		p.pos++
		p.tok = token{kind: tLParen, text: "(", pos: start}
	case c == ')':
		p.pos++
		p.tok = token{kind: tRParen, text: ")", pos: start}
	case c == ',':
		p.pos++
		p.tok = token{kind: tComma, text: ",", pos: start}
	case c == '=':
		p.pos++
		p.tok = token{kind: tOp, text: "=", pos: start}
	case c == '!':
		if p.pos+1 < len(s) && s[p.pos+1] == '=' {
			p.pos += 2
			p.tok = token{kind: tOp, text: "!=", pos: start}
			return nil
		}
		return p.errAt(start, "unexpected '!'")
	case c == '<':
		p.pos++
		op := "<"
		if p.pos < len(s) && s[p.pos] == '=' {
			p.pos++
			op = "<="
		} else if p.pos < len(s) && s[p.pos] == '>' {
			p.pos++
			op = "!="
		}
		p.tok = token{kind: tOp, text: op, pos: start}
	case c == '>':
		p.pos++
		op := ">"
		if p.pos < len(s) && s[p.pos] == '=' {
			p.pos++
			op = ">="
		}
		p.tok = token{kind: tOp, text: op, pos: start}
	case c == '\'':
		str, err := p.quoted('\'')
		if err != nil {
			return err
		}
		p.tok = token{kind: tString, text: str, pos: start}
	case c == '`' || c == '"':
		str, err := p.quoted(c)
		if err != nil {
			return err
		}
		p.tok = token{kind: tQuotedIdent, text: str, pos: start}
	case (c == 'x' || c == 'X') && p.pos+1 < len(s) && s[p.pos+1] == '\'':
		p.pos++
		str, err := p.quoted('\'')
		if err != nil {
			return err
		}
		p.tok = token{kind: tHex, text: str, pos: start}
	case isDigit(c) || c == '.' || c == '-' || c == '+':
		return p.number()
	case isIdentStart(c):
		for p.pos < len(s) && isIdentPart(s[p.pos]) {
			p.pos++
		}
		p.tok = token{kind: tIdent, text: s[start:p.pos], pos: start}
	default:
		return p.errAt(start, "unexpected character %q", c)
	}
	return nil
}

// quoted reads a string delimited by q in which a doubled q stands for one.
func (p *parser) quoted(q byte) (string, error) {
	start := p.pos
	p.pos++
	var sb strings.Builder
	s := p.src
	for {
		i := strings.IndexByte(s[p.pos:], q)
		if i < 0 {
			return "", p.errAt(start, "unterminated quoted text")
		}
		sb.WriteString(s[p.pos : p.pos+i])
		p.pos += i + 1
		if p.pos < len(s) && s[p.pos] == q {
			sb.WriteByte(q)
			p.pos++
			continue
		}
		return sb.String(), nil
	}
}

// number reads [+-]digits[.digits][(e|E)[+-]digits], or a sign followed
// by a keyword literal (-INFINITY), which is returned as an identifier
// token with the sign.
func (p *parser) number() error {
	s := p.src
	start := p.pos
	if s[p.pos] == '-' || s[p.pos] == '+' {
		p.pos++
		if p.pos < len(s) && isIdentStart(s[p.pos]) {
			for p.pos < len(s) && isIdentPart(s[p.pos]) {
				p.pos++
			}
			p.tok = token{kind: tIdent, text: s[start:p.pos], pos: start}
			return nil
		}
	}
	digits := 0
	for p.pos < len(s) && isDigit(s[p.pos]) {
		p.pos++
		digits++
	}
	if p.pos < len(s) && s[p.pos] == '.' {
		p.pos++
		for p.pos < len(s) && isDigit(s[p.pos]) {
			p.pos++
			digits++
		}
	}
	if digits == 0 {
		return p.errAt(start, "malformed number")
	}
	if p.pos < len(s) && (s[p.pos] == 'e' || s[p.pos] == 'E') {
		p.pos++
		if p.pos < len(s) && (s[p.pos] == '-' || s[p.pos] == '+') {
			p.pos++
		}
		ed := 0
		for p.pos < len(s) && isDigit(s[p.pos]) {
			p.pos++
			ed++
		}
		if ed == 0 {
			return p.errAt(start, "malformed exponent")
		}
	}
	if p.pos < len(s) && (isIdentPart(s[p.pos]) || s[p.pos] == '.') {
		return p.errAt(start, "malformed number")
	}
	p.tok = token{kind: tNumber, text: s[start:p.pos], pos: start}
	return nil
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > maxDepth {
		return p.errf("nesting deeper than %d", maxDepth)
	}
	return nil
}

func (p *parser) parseOr(int) (Predicate, error) {
	if err := p.enter(); err != nil {
		return Predicate{}, err
	}
	defer func() { p.depth-- }()
	first, err := p.parseAnd()
	if err != nil {
		return Predicate{}, err
	}
	if !p.tok.keyword("OR") {
		return first, nil
	}
	kids := []Predicate{first}
	for p.tok.keyword("OR") {
		if err := p.next(); err != nil {
			return Predicate{}, err
		}
		k, err := p.parseAnd()
		if err != nil {
			return Predicate{}, err
		}
		kids = append(kids, k)
	}
	return Or(kids...), nil
}

func (p *parser) parseAnd() (Predicate, error) {
	first, err := p.parseNot()
	if err != nil {
		return Predicate{}, err
	}
	if !p.tok.keyword("AND") {
		return first, nil
	}
	kids := []Predicate{first}
	for p.tok.keyword("AND") {
		if err := p.next(); err != nil {
			return Predicate{}, err
		}
		k, err := p.parseNot()
		if err != nil {
			return Predicate{}, err
		}
		kids = append(kids, k)
	}
	return And(kids...), nil
}

func (p *parser) parseNot() (Predicate, error) {
	if p.tok.keyword("NOT") {
		if err := p.enter(); err != nil {
			return Predicate{}, err
		}
		defer func() { p.depth-- }()
		if err := p.next(); err != nil {
			return Predicate{}, err
		}
		inner, err := p.parseNot()
		if err != nil {
			return Predicate{}, err
		}
		return Not(inner), nil
	}
	return p.parsePrimary()
}

func (p *parser) parsePrimary() (Predicate, error) {
	switch {
	case p.tok.kind == tLParen:
		if err := p.next(); err != nil {
			return Predicate{}, err
		}
		inner, err := p.parseOr(0)
		if err != nil {
			return Predicate{}, err
		}
		if p.tok.kind != tRParen {
			return Predicate{}, p.errf("expected ')', found %s", p.tok.describe())
		}
		return inner, p.next()
	case p.tok.keyword("TRUE"):
		return Predicate{}, p.next()
	case p.tok.keyword("FALSE"):
		return Predicate{op: OpOr}, p.next()
	case p.tok.kind == tQuotedIdent:
	case p.tok.kind == tIdent && isIdentStart(p.tok.text[0]) && !keywords[strings.ToUpper(p.tok.text)]:
	default:
		return Predicate{}, p.errf("expected a column name, found %s", p.tok.describe())
	}
	col := p.tok.text
	if err := p.next(); err != nil {
		return Predicate{}, err
	}
	switch {
	case p.tok.kind == tOp:
		var op Op
		switch p.tok.text {
		case "=":
			op = OpEqual
		case "!=":
			op = OpNotEqual
		case "<":
			op = OpLess
		case "<=":
			op = OpLessOrEqual
		case ">":
			op = OpGreater
		case ">=":
			op = OpGreaterOrEqual
		}
		if err := p.next(); err != nil {
			return Predicate{}, err
		}
		v, err := p.literal()
		if err != nil {
			return Predicate{}, err
		}
		return leaf(op, col, v), nil
	case p.tok.keyword("IS"):
		if err := p.next(); err != nil {
			return Predicate{}, err
		}
		neg := false
		if p.tok.keyword("NOT") {
			neg = true
			if err := p.next(); err != nil {
				return Predicate{}, err
			}
		}
		if !p.tok.keyword("NULL") {
			return Predicate{}, p.errf("expected NULL, found %s", p.tok.describe())
		}
		if neg {
			return IsNotNull(col), p.next()
		}
		return IsNull(col), p.next()
	case p.tok.keyword("NOT"), p.tok.keyword("IN"):
		op := OpIn
		if p.tok.keyword("NOT") {
			op = OpNotIn
			if err := p.next(); err != nil {
				return Predicate{}, err
			}
			if !p.tok.keyword("IN") {
				return Predicate{}, p.errf("expected IN, found %s", p.tok.describe())
			}
		}
		if err := p.next(); err != nil {
			return Predicate{}, err
		}
		if p.tok.kind != tLParen {
			return Predicate{}, p.errf("expected '(', found %s", p.tok.describe())
		}
		if err := p.next(); err != nil {
			return Predicate{}, err
		}
		vals := []any{}
		if p.tok.kind != tRParen {
			for {
				v, err := p.literal()
				if err != nil {
					return Predicate{}, err
				}
				vals = append(vals, v)
				if p.tok.kind == tComma {
					if err := p.next(); err != nil {
						return Predicate{}, err
					}
					continue
				}
				break
			}
		}
		if p.tok.kind != tRParen {
			return Predicate{}, p.errf("expected ',' or ')', found %s", p.tok.describe())
		}
		return Predicate{op: op, column: col, values: vals}, p.next()
	}
	return Predicate{}, p.errf("expected an operator after column %q, found %s", col, p.tok.describe())
}

// literal reads one literal and advances past it.
func (p *parser) literal() (any, error) {
	t := p.tok
	var v any
	switch t.kind {
	case tNumber:
		n, err := parseNumber(t.text)
		if err != nil {
			return nil, p.errAt(t.pos, "%v", err)
		}
		v = n
	case tString:
		v = t.text
	case tHex:
		b, err := hex.DecodeString(t.text)
		if err != nil {
			return nil, p.errAt(t.pos, "bad hex literal")
		}
		v = b
	case tIdent:
		switch strings.ToUpper(t.text) {
		case "TRUE":
			v = true
		case "FALSE":
			v = false
		case "NULL":
			v = nil
		case "NAN", "+NAN", "-NAN":
			v = math.NaN()
		case "INFINITY", "+INFINITY":
			v = math.Inf(1)
		case "-INFINITY":
			v = math.Inf(-1)
		case "DATE", "TIMESTAMP":
			if err := p.next(); err != nil {
				return nil, err
			}
			if p.tok.kind != tString {
				return nil, p.errf("expected a quoted %s, found %s", strings.ToUpper(t.text), p.tok.describe())
			}
			var err error
			if strings.EqualFold(t.text, "DATE") {
				v, err = parseDate(p.tok.text)
			} else {
				v, err = parseTimestamp(p.tok.text)
			}
			if err != nil {
				return nil, p.errAt(p.tok.pos, "%v", err)
			}
		default:
			return nil, p.errAt(t.pos, "expected a literal, found %s", t.describe())
		}
	default:
		return nil, p.errAt(t.pos, "expected a literal, found %s", t.describe())
	}
	return v, p.next()
}

// parseNumber turns number text into int64, Decimal or float64.
func parseNumber(s string) (any, error) {
	if strings.ContainsAny(s, "eE") {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil && !isRangeErr(err) {
			return nil, err
		}
		return f, nil
	}
	if !strings.Contains(s, ".") {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n, nil
		}
	}
	return Decimal(s).normalize(), nil
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// parseDate reads [-]yyyy-mm-dd (four or more year digits).
func parseDate(s string) (Date, error) {
	y, rest, err := parseYear(s)
	if err != nil {
		return Date{}, err
	}
	if len(rest) != 6 || rest[0] != '-' || rest[3] != '-' {
		return Date{}, errorf("malformed date %q", s)
	}
	m, ok1 := two(rest[1:3])
	d, ok2 := two(rest[4:6])
	dt := Date{y, time.Month(m), d}
	if !ok1 || !ok2 || !dt.valid() {
		return Date{}, errorf("malformed date %q", s)
	}
	return dt, nil
}

func parseYear(s string) (int, string, error) {
	i := 0
	neg := false
	if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
		neg = s[0] == '-'
		i = 1
	}
	j := i
	for j < len(s) && isDigit(s[j]) {
		j++
	}
	if j-i < 4 || j-i > 9 {
		return 0, "", errorf("malformed year in %q", s)
	}
	y, _ := strconv.Atoi(s[i:j])
	if neg {
		y = -y
	}
	return y, s[j:], nil
}

func two(s string) (int, bool) {
	if len(s) != 2 || !isDigit(s[0]) || !isDigit(s[1]) {
		return 0, false
	}
	return int(s[0]-'0')*10 + int(s[1]-'0'), true
}

// parseTimestamp reads "yyyy-mm-dd[ |T]hh:mm[:ss[.f…]][Z|±hh:mm[:ss]]".
func parseTimestamp(s string) (time.Time, error) {
	bad := func() (time.Time, error) { return time.Time{}, errorf("malformed timestamp %q", s) }
	y, rest, err := parseYear(s)
	if err != nil {
		return bad()
	}
	if len(rest) < 12 || rest[0] != '-' || rest[3] != '-' || (rest[6] != ' ' && rest[6] != 'T') || rest[9] != ':' {
		return bad()
	}
	mo, ok1 := two(rest[1:3])
	d, ok2 := two(rest[4:6])
	h, ok3 := two(rest[7:9])
	mi, ok4 := two(rest[10:12])
	if !ok1 || !ok2 || !ok3 || !ok4 || !(Date{y, time.Month(mo), d}).valid() || h > 23 || mi > 59 {
		return bad()
	}
	rest = rest[12:]
	sec, nanos := 0, 0
	if strings.HasPrefix(rest, ":") {
		var ok bool
		if sec, ok = two(rest[1:min(3, len(rest))]); !ok || sec > 59 {
			return bad()
		}
		rest = rest[3:]
		if strings.HasPrefix(rest, ".") {
			j := 1
			for j < len(rest) && isDigit(rest[j]) {
				j++
			}
			frac := rest[1:j]
			if frac == "" || len(frac) > 9 {
				return bad()
			}
			nanos, _ = strconv.Atoi(frac + strings.Repeat("0", 9-len(frac)))
			rest = rest[j:]
		}
	}
	loc := time.UTC
	switch {
	case rest == "":
	case rest == "Z":
	case rest[0] == '+' || rest[0] == '-':
		oh, ok1 := two(rest[1:min(3, len(rest))])
		if !ok1 || len(rest) < 6 || rest[3] != ':' {
			return bad()
		}
		om, ok2 := two(rest[4:6])
		os := 0
		ok3 := true
		switch len(rest) {
		case 6:
		case 9:
			if rest[6] != ':' {
				return bad()
			}
			os, ok3 = two(rest[7:9])
		default:
			return bad()
		}
		if !ok2 || !ok3 || oh > 23 || om > 59 || os > 59 {
			return bad()
		}
		off := oh*3600 + om*60 + os
		if rest[0] == '-' {
			off = -off
		}
		loc = time.FixedZone("", off)
	default:
		return bad()
	}
	return time.Date(y, time.Month(mo), d, h, mi, sec, nanos, loc), nil
}
