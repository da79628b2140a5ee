package jsonrow

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// ErrSyntax marks text that is not one JSON value.
var ErrSyntax = errors.New("invalid JSON")

// maxDepth bounds the nesting of arrays and objects.
const maxDepth = 10000

// Parse decodes the JSON value that s holds (surrounded by optional
// whitespace) into nil, bool, json.Number, string, []any or Object.
// Object members keep their input order, duplicates included.
//
// Strings without escapes are substrings of s: they share its memory, so
// a parsed line costs little more than the line itself. String bytes are
// not checked for UTF-8 here; the converters of string columns reject
// invalid UTF-8 (a lone UTF-16 surrogate escape such as "\ud800" decodes
// to bytes that are not UTF-8, so it is rejected the same way).
func Parse(s string) (any, error) {
	p := parser{s: s}
	p.space()
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i < len(p.s) {
		return nil, p.fail("data after the JSON value")
	}
	return v, nil
}

type parser struct {
	s     string
	i     int
	depth int
	buf   []byte // scratch for strings with escapes
}

func (p *parser) fail(msg string) error {
	return fmt.Errorf("%w: %s at byte %d", ErrSyntax, msg, p.i+1)
}

func (p *parser) unexpected() error {
	if p.i >= len(p.s) {
		return p.fail("unexpected end")
	}
	c := p.s[p.i]
	if c >= 0x20 && c < 0x7f {
		return p.fail("unexpected " + strconv.QuoteRune(rune(c)))
	}
	return p.fail(fmt.Sprintf("unexpected byte 0x%02x", c))
}

func (p *parser) space() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) literal(word string, v any) (any, error) {
	if len(p.s)-p.i >= len(word) && p.s[p.i:p.i+len(word)] == word {
		p.i += len(word)
		return v, nil
	}
	return nil, p.unexpected()
}

func (p *parser) value() (any, error) {
	if p.i >= len(p.s) {
		return nil, p.unexpected()
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		return p.str()
	case c == 't':
		return p.literal("true", true)
	case c == 'f':
		return p.literal("false", false)
	case c == 'n':
		return p.literal("null", nil)
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	}
	return nil, p.unexpected()
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > maxDepth {
		return p.fail(fmt.Sprintf("nested deeper than %d", maxDepth))
	}
	return nil
}

func (p *parser) object() (any, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	p.i++ // {
	obj := Object{}
	p.space()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		p.depth--
		return obj, nil
	}
	for {
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return nil, p.unexpected()
		}
		k, err := p.str()
		if err != nil {
			return nil, err
		}
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return nil, p.unexpected()
		}
		p.i++
		p.space()
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		obj = append(obj, Member{Key: k.(string), Val: v})
		p.space()
		if p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
			p.space()
			continue
		}
		if p.i < len(p.s) && p.s[p.i] == '}' {
			p.i++
			p.depth--
			return obj, nil
		}
		return nil, p.unexpected()
	}
}

func (p *parser) array() (any, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	p.i++ // [
	arr := []any{}
	p.space()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		p.depth--
		return arr, nil
	}
	for {
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		arr = append(arr, v)
		p.space()
		if p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
			p.space()
			continue
		}
		if p.i < len(p.s) && p.s[p.i] == ']' {
			p.i++
			p.depth--
			return arr, nil
		}
		return nil, p.unexpected()
	}
}

// number checks the JSON number grammar and returns its text.
func (p *parser) number() (any, error) {
	start := p.i
	digits := func() int {
		n := 0
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	if p.s[p.i] == '-' {
		p.i++
	}
	switch {
	case p.i < len(p.s) && p.s[p.i] == '0':
		p.i++
	case digits() == 0:
		return nil, p.unexpected()
	}
	if p.i < len(p.s) && p.s[p.i] == '.' {
		p.i++
		if digits() == 0 {
			return nil, p.unexpected()
		}
	}
	if p.i < len(p.s) && (p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		p.i++
		if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			return nil, p.unexpected()
		}
	}
	return json.Number(p.s[start:p.i]), nil
}

// str reads a string starting at its opening quote.
func (p *parser) str() (any, error) {
	p.i++ // "
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			v := p.s[start:p.i]
			p.i++
			return v, nil
		case c == '\\':
			return p.escaped(start)
		case c < 0x20:
			return nil, p.fail("control character in string")
		}
		p.i++
	}
	return nil, p.fail("unterminated string")
}

// escaped finishes a string that has escapes; s[start:p.i] is its text so
// far and p.i is at a backslash.
func (p *parser) escaped(start int) (any, error) {
	b := append(p.buf[:0], p.s[start:p.i]...)
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			p.buf = b[:0]
			return string(b), nil
		case c < 0x20:
			return nil, p.fail("control character in string")
		case c != '\\':
			// Copy the run up to the next quote, backslash or control.
			j := p.i + 1
			for j < len(p.s) && p.s[j] != '"' && p.s[j] != '\\' && p.s[j] >= 0x20 {
				j++
			}
			b = append(b, p.s[p.i:j]...)
			p.i = j
			continue
		}
		if p.i+1 >= len(p.s) {
			return nil, p.fail("unterminated string")
		}
		e := p.s[p.i+1]
		p.i += 2
		switch e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return nil, p.fail(`bad \u escape`)
			}
			if utf16.IsSurrogate(r) {
				// A pair makes one code point; a lone half is kept as its
				// (invalid UTF-8) three-byte form for the converters to
				// reject.
				if r < 0xdc00 && len(p.s)-p.i >= 6 && p.s[p.i] == '\\' && p.s[p.i+1] == 'u' {
					save := p.i
					p.i += 2
					if r2, ok := p.hex4(); ok && r2 >= 0xdc00 && r2 <= 0xdfff {
						b = utf8.AppendRune(b, utf16.DecodeRune(r, r2))
						continue
					}
					p.i = save
				}
				b = append(b, 0xe0|byte(r>>12), 0x80|byte(r>>6)&0x3f, 0x80|byte(r)&0x3f)
				continue
			}
			b = utf8.AppendRune(b, r)
		default:
			p.i -= 1
			return nil, p.fail("bad escape")
		}
	}
	return nil, p.fail("unterminated string")
}

// hex4 reads four hex digits.
func (p *parser) hex4() (rune, bool) {
	if len(p.s)-p.i < 4 {
		return 0, false
	}
	var r rune
	for _, c := range []byte(p.s[p.i : p.i+4]) {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	p.i += 4
	return r, true
}
