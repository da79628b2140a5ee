package schema

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// Limits of type parameters, as Paimon checks them.
const (
	MinDecimalPrecision = 1
	MaxDecimalPrecision = 38
	MaxTimePrecision    = 9

	// Defaults used when a type string leaves a parameter out.
	DefaultDecimalPrecision   = 10
	DefaultDecimalScale       = 0
	DefaultTimePrecision      = 0
	DefaultTimestampPrecision = 6
	DefaultLength             = 1
)

// String returns the type as Paimon writes it. Atomic types give exactly the
// string Java stores in schema files ("INT NOT NULL", "DECIMAL(10, 2)",
// "STRING", "TIMESTAMP(3) WITH LOCAL TIME ZONE"). Composite types give an
// SQL-like form for display and for ParseType ("ARRAY<INT>",
// "MAP<STRING, INT>", "ROW<a INT, b STRING>", "VECTOR<FLOAT, 4>"); schema
// files never hold composite types as strings.
func (t DataType) String() string {
	var b strings.Builder
	t.appendSQL(&b)
	return b.String()
}

func (t DataType) appendSQL(b *strings.Builder) {
	switch t.Kind {
	case Boolean:
		b.WriteString("BOOLEAN")
	case TinyInt:
		b.WriteString("TINYINT")
	case SmallInt:
		b.WriteString("SMALLINT")
	case Int:
		b.WriteString("INT")
	case BigInt:
		b.WriteString("BIGINT")
	case Float:
		b.WriteString("FLOAT")
	case Double:
		b.WriteString("DOUBLE")
	case Decimal:
		fmt.Fprintf(b, "DECIMAL(%d, %d)", t.Precision, t.Scale)
	case Char:
		fmt.Fprintf(b, "CHAR(%d)", t.Length)
	case VarChar:
		if t.Length == MaxLength {
			b.WriteString("STRING")
		} else {
			fmt.Fprintf(b, "VARCHAR(%d)", t.Length)
		}
	case Binary:
		fmt.Fprintf(b, "BINARY(%d)", t.Length)
	case VarBinary:
		if t.Length == MaxLength {
			b.WriteString("BYTES")
		} else {
			fmt.Fprintf(b, "VARBINARY(%d)", t.Length)
		}
	case Date:
		b.WriteString("DATE")
	case Time:
		fmt.Fprintf(b, "TIME(%d)", t.Precision)
	case Timestamp:
		fmt.Fprintf(b, "TIMESTAMP(%d)", t.Precision)
	case TimestampLTZ:
		fmt.Fprintf(b, "TIMESTAMP(%d) WITH LOCAL TIME ZONE", t.Precision)
	case Variant:
		b.WriteString("VARIANT")
	case Blob:
		b.WriteString("BLOB")
	case Array, Multiset:
		if t.Kind == Array {
			b.WriteString("ARRAY<")
		} else {
			b.WriteString("MULTISET<")
		}
		elemOrInvalid(t.Elem).appendSQL(b)
		b.WriteByte('>')
	case Vector:
		b.WriteString("VECTOR<")
		elemOrInvalid(t.Elem).appendSQL(b)
		fmt.Fprintf(b, ", %d>", t.Length)
	case Map:
		b.WriteString("MAP<")
		elemOrInvalid(t.Key).appendSQL(b)
		b.WriteString(", ")
		elemOrInvalid(t.Value).appendSQL(b)
		b.WriteByte('>')
	case Row:
		b.WriteString("ROW<")
		for i, f := range t.Fields {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(quoteIdent(f.Name))
			b.WriteByte(' ')
			f.Type.appendSQL(b)
			if f.Description != nil && *f.Description != "" {
				b.WriteString(" '")
				b.WriteString(strings.ReplaceAll(*f.Description, "'", "''"))
				b.WriteByte('\'')
			}
		}
		b.WriteByte('>')
	default:
		fmt.Fprintf(b, "INVALID(%d)", t.Kind)
	}
	if t.NotNull {
		b.WriteString(" NOT NULL")
	}
}

func elemOrInvalid(p *DataType) DataType {
	if p == nil {
		return DataType{}
	}
	return *p
}

// quoteIdent returns name as is when ParseType reads it back as the same
// identifier, else quoted with back-ticks.
func quoteIdent(name string) string {
	plain := name != ""
	for i, r := range name {
		if !(r == '_' || unicode.IsLetter(r) || (i > 0 && unicode.IsDigit(r))) {
			plain = false
			break
		}
	}
	if plain && !keywords[strings.ToUpper(name)] {
		return name
	}
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}

// keywords are the words the type grammar reserves (Java's list).
var keywords = map[string]bool{}

func init() {
	for _, k := range strings.Fields(`CHAR VARCHAR STRING BOOLEAN BINARY VARBINARY BYTES
		DECIMAL NUMERIC DEC TINYINT SMALLINT INT INTEGER BIGINT FLOAT DOUBLE PRECISION
		DATE TIME WITH WITHOUT LOCAL ZONE TIMESTAMP TIMESTAMP_LTZ INTERVAL YEAR MONTH DAY
		HOUR MINUTE SECOND TO ARRAY VECTOR MULTISET MAP ROW NULL RAW LEGACY VARIANT BLOB
		GEOMETRY GEOGRAPHY NOT`) {
		keywords[k] = true
	}
}

// ParseType parses a Paimon type string. It accepts everything Java's
// parser accepts for atomic types: case-insensitive keywords, INTEGER,
// DOUBLE PRECISION, NUMERIC and DEC for DECIMAL, omitted parameters (taking
// Paimon's defaults: DECIMAL(10, 0), CHAR(1), VARCHAR(1), BINARY(1),
// VARBINARY(1), TIME(0), TIMESTAMP(6), TIMESTAMP_LTZ(6)), TIMESTAMP_LTZ(p),
// "WITH LOCAL TIME ZONE" and "WITHOUT TIME ZONE", an optional NULL or NOT
// NULL, and the suffix forms "INT ARRAY" and "INT MULTISET".
//
// For command-line use it also accepts composite types written in SQL form:
// ARRAY<T>, MULTISET<T>, MAP<K, V>, VECTOR<T, n> and ROW<name T, ...> (or
// ROW(name T, ...)); a ROW field may be followed by a quoted description
// ('text'). ROW fields get ids 0, 1, ... in order of appearance; callers that
// build a schema renumber them (see AssignFieldIDs).
//
// Errors wrap ErrInvalidType.
func ParseType(s string) (DataType, error) {
	toks, err := tokenize(s)
	if err != nil {
		return DataType{}, fmt.Errorf("%w: %q: %v", ErrInvalidType, s, err)
	}
	p := &typeParser{toks: toks}
	t, err := p.typeWithNullability()
	if err == nil && p.pos < len(p.toks) {
		err = fmt.Errorf("unexpected %q at offset %d", p.toks[p.pos].text, p.toks[p.pos].off)
	}
	if err != nil {
		return DataType{}, fmt.Errorf("%w: %q: %v", ErrInvalidType, s, err)
	}
	return t, nil
}

// MustParseType is ParseType for constants in code and tests; it panics on
// error.
func MustParseType(s string) DataType {
	t, err := ParseType(s)
	if err != nil {
		panic(err)
	}
	return t
}

type tokKind uint8

const (
	tokWord   tokKind = iota + 1 // keyword or bare identifier
	tokIdent                     // `quoted identifier`
	tokString                    // 'string literal'
	tokInt
	tokPunct // one of < > ( ) , .
)

type token struct {
	kind tokKind
	text string // for tokWord: as written; for punctuation: the character
	off  int
}

func tokenize(s string) ([]token, error) {
	var toks []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
		case strings.IndexByte("<>(),.", c) >= 0:
			toks = append(toks, token{kind: tokPunct, text: string(c), off: i})
			i++
		case c == '\'' || c == '`':
			var b strings.Builder
			j := i + 1
			closed := false
			for j < len(s) {
				if s[j] == c {
					if j+1 < len(s) && s[j+1] == c {
						b.WriteByte(c)
						j += 2
						continue
					}
					closed = true
					j++
					break
				}
				b.WriteByte(s[j])
				j++
			}
			if !closed {
				return nil, fmt.Errorf("unterminated %c at offset %d", c, i)
			}
			k := tokString
			if c == '`' {
				k = tokIdent
			}
			toks = append(toks, token{kind: k, text: b.String(), off: i})
			i = j
		case c >= '0' && c <= '9':
			j := i
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			toks = append(toks, token{kind: tokInt, text: s[i:j], off: i})
			i = j
		default:
			j := i
			for j < len(s) && !isDelim(s[j]) {
				j++
			}
			toks = append(toks, token{kind: tokWord, text: s[i:j], off: i})
			i = j
		}
	}
	return toks, nil
}

func isDelim(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' ||
		strings.IndexByte("<>(),.'`", c) >= 0
}

type typeParser struct {
	toks  []token
	pos   int
	depth int
	ids   int // next id for ROW fields
}

// maxTypeDepth bounds nesting so hostile input cannot exhaust the stack.
const maxTypeDepth = 256

func (p *typeParser) peek(i int) (token, bool) {
	if p.pos+i < len(p.toks) {
		return p.toks[p.pos+i], true
	}
	return token{}, false
}

// peekKeyword reports whether the next tokens are the given keywords.
func (p *typeParser) peekKeyword(kws ...string) bool {
	for i, kw := range kws {
		t, ok := p.peek(i)
		if !ok || t.kind != tokWord || !strings.EqualFold(t.text, kw) {
			return false
		}
	}
	return true
}

func (p *typeParser) peekPunct(c string) bool {
	t, ok := p.peek(0)
	return ok && t.kind == tokPunct && t.text == c
}

func (p *typeParser) errAt(format string, args ...any) error {
	if p.pos < len(p.toks) {
		return fmt.Errorf("offset %d: %s", p.toks[p.pos].off, fmt.Sprintf(format, args...))
	}
	return fmt.Errorf("at end: %s", fmt.Sprintf(format, args...))
}

func (p *typeParser) expectPunct(c string) error {
	if !p.peekPunct(c) {
		return p.errAt("expected %q", c)
	}
	p.pos++
	return nil
}

func (p *typeParser) expectKeyword(kw string) error {
	if !p.peekKeyword(kw) {
		return p.errAt("expected %s", kw)
	}
	p.pos++
	return nil
}

func (p *typeParser) expectInt() (int, error) {
	t, ok := p.peek(0)
	if !ok || t.kind != tokInt {
		return 0, p.errAt("expected an integer")
	}
	n, err := strconv.ParseInt(t.text, 10, 32)
	if err != nil {
		return 0, p.errAt("integer out of range")
	}
	p.pos++
	return int(n), nil
}

// nullability consumes an optional NULL / NOT NULL and returns NotNull.
func (p *typeParser) nullability() bool {
	if p.peekKeyword("NOT", "NULL") {
		p.pos += 2
		return true
	}
	if p.peekKeyword("NULL") {
		p.pos++
	}
	return false
}

func (p *typeParser) typeWithNullability() (DataType, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxTypeDepth {
		return DataType{}, p.errAt("type nested too deeply")
	}
	t, err := p.typeByKeyword()
	if err != nil {
		return DataType{}, err
	}
	t.NotNull = p.nullability()
	switch {
	case p.peekKeyword("ARRAY"):
		p.pos++
		t = NewArray(t).WithNotNull(p.nullability())
	case p.peekKeyword("MULTISET"):
		p.pos++
		t = NewMultiset(t).WithNotNull(p.nullability())
	}
	return t, nil
}

// optLength parses an optional "(n)".
func (p *typeParser) optParam(def int) (int, error) {
	if !p.peekPunct("(") {
		return def, nil
	}
	p.pos++
	n, err := p.expectInt()
	if err != nil {
		return 0, err
	}
	return n, p.expectPunct(")")
}

func (p *typeParser) typeByKeyword() (DataType, error) {
	t, ok := p.peek(0)
	if !ok {
		return DataType{}, p.errAt("expected a type")
	}
	if t.kind != tokWord || !keywords[strings.ToUpper(t.text)] {
		return DataType{}, p.errAt("expected a type, got %q", t.text)
	}
	p.pos++
	kw := strings.ToUpper(t.text)
	switch kw {
	case "BOOLEAN":
		return NewBoolean(), nil
	case "TINYINT":
		return NewTinyInt(), nil
	case "SMALLINT":
		return NewSmallInt(), nil
	case "INT", "INTEGER":
		return NewInt(), nil
	case "BIGINT":
		return NewBigInt(), nil
	case "FLOAT":
		return NewFloat(), nil
	case "DOUBLE":
		if p.peekKeyword("PRECISION") {
			p.pos++
		}
		return NewDouble(), nil
	case "DATE":
		return NewDate(), nil
	case "VARIANT":
		return DataType{Kind: Variant}, nil
	case "BLOB":
		return DataType{Kind: Blob}, nil
	case "STRING":
		return NewString(), nil
	case "BYTES":
		return NewBytes(), nil
	case "CHAR", "VARCHAR", "BINARY", "VARBINARY":
		n, err := p.optParam(DefaultLength)
		if err != nil {
			return DataType{}, err
		}
		if n < 1 {
			return DataType{}, p.errAt("%s length must be between 1 and %d", kw, MaxLength)
		}
		k := map[string]Kind{"CHAR": Char, "VARCHAR": VarChar, "BINARY": Binary, "VARBINARY": VarBinary}[kw]
		return DataType{Kind: k, Length: n}, nil
	case "DECIMAL", "NUMERIC", "DEC":
		prec, scale := DefaultDecimalPrecision, DefaultDecimalScale
		if p.peekPunct("(") {
			p.pos++
			var err error
			if prec, err = p.expectInt(); err != nil {
				return DataType{}, err
			}
			if p.peekPunct(",") {
				p.pos++
				if scale, err = p.expectInt(); err != nil {
					return DataType{}, err
				}
			}
			if err := p.expectPunct(")"); err != nil {
				return DataType{}, err
			}
		}
		if prec < MinDecimalPrecision || prec > MaxDecimalPrecision {
			return DataType{}, p.errAt("DECIMAL precision %d outside [%d, %d]", prec, MinDecimalPrecision, MaxDecimalPrecision)
		}
		if scale < 0 || scale > prec {
			return DataType{}, p.errAt("DECIMAL scale %d outside [0, %d]", scale, prec)
		}
		return NewDecimal(prec, scale), nil
	case "TIME":
		prec, err := p.precision(DefaultTimePrecision)
		if err != nil {
			return DataType{}, err
		}
		if p.peekKeyword("WITHOUT") {
			p.pos++
			if err := p.timeZone(); err != nil {
				return DataType{}, err
			}
		}
		return NewTime(prec), nil
	case "TIMESTAMP":
		prec, err := p.precision(DefaultTimestampPrecision)
		if err != nil {
			return DataType{}, err
		}
		switch {
		case p.peekKeyword("WITHOUT"):
			p.pos++
			if err := p.timeZone(); err != nil {
				return DataType{}, err
			}
		case p.peekKeyword("WITH", "LOCAL"):
			p.pos += 2
			if err := p.timeZone(); err != nil {
				return DataType{}, err
			}
			return NewTimestampLTZ(prec), nil
		}
		return NewTimestamp(prec), nil
	case "TIMESTAMP_LTZ":
		prec, err := p.precision(DefaultTimestampPrecision)
		if err != nil {
			return DataType{}, err
		}
		return NewTimestampLTZ(prec), nil
	case "ARRAY", "MULTISET":
		if err := p.expectPunct("<"); err != nil {
			return DataType{}, err
		}
		e, err := p.typeWithNullability()
		if err != nil {
			return DataType{}, err
		}
		if err := p.expectPunct(">"); err != nil {
			return DataType{}, err
		}
		if kw == "ARRAY" {
			return NewArray(e), nil
		}
		return NewMultiset(e), nil
	case "VECTOR":
		if err := p.expectPunct("<"); err != nil {
			return DataType{}, err
		}
		e, err := p.typeWithNullability()
		if err != nil {
			return DataType{}, err
		}
		if err := p.expectPunct(","); err != nil {
			return DataType{}, err
		}
		n, err := p.expectInt()
		if err != nil {
			return DataType{}, err
		}
		if n < 1 {
			return DataType{}, p.errAt("VECTOR length must be positive")
		}
		if err := p.expectPunct(">"); err != nil {
			return DataType{}, err
		}
		return NewVector(e, n), nil
	case "MAP":
		if err := p.expectPunct("<"); err != nil {
			return DataType{}, err
		}
		k, err := p.typeWithNullability()
		if err != nil {
			return DataType{}, err
		}
		if err := p.expectPunct(","); err != nil {
			return DataType{}, err
		}
		v, err := p.typeWithNullability()
		if err != nil {
			return DataType{}, err
		}
		if err := p.expectPunct(">"); err != nil {
			return DataType{}, err
		}
		return NewMap(k, v), nil
	case "ROW":
		return p.row()
	}
	return DataType{}, fmt.Errorf("offset %d: unsupported type %s", t.off, kw)
}

func (p *typeParser) precision(def int) (int, error) {
	prec, err := p.optParam(def)
	if err != nil {
		return 0, err
	}
	if prec < 0 || prec > MaxTimePrecision {
		return 0, p.errAt("precision %d outside [0, %d]", prec, MaxTimePrecision)
	}
	return prec, nil
}

func (p *typeParser) timeZone() error {
	if err := p.expectKeyword("TIME"); err != nil {
		return err
	}
	return p.expectKeyword("ZONE")
}

func (p *typeParser) row() (DataType, error) {
	closer := ">"
	switch {
	case p.peekPunct("<"):
	case p.peekPunct("("):
		closer = ")"
	default:
		return DataType{}, p.errAt("expected < or ( after ROW")
	}
	p.pos++
	t := DataType{Kind: Row, Fields: []Field{}}
	if p.peekPunct(closer) {
		p.pos++
		return t, nil
	}
	for {
		name, ok := p.peek(0)
		if !ok || (name.kind != tokWord && name.kind != tokIdent) {
			return DataType{}, p.errAt("expected a field name")
		}
		p.pos++
		f := Field{ID: p.ids, Name: name.text}
		p.ids++
		ft, err := p.typeWithNullability()
		if err != nil {
			return DataType{}, err
		}
		f.Type = ft
		if d, ok := p.peek(0); ok && d.kind == tokString {
			p.pos++
			f.Description = &d.text
		}
		t.Fields = append(t.Fields, f)
		if p.peekPunct(",") {
			p.pos++
			continue
		}
		if err := p.expectPunct(closer); err != nil {
			return DataType{}, err
		}
		return t, nil
	}
}
