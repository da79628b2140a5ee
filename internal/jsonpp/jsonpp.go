// Package jsonpp re-indents JSON the way Jackson's default pretty printer
// does, which is how Java Paimon writes snapshot, schema, tag and consumer
// files: two-space indentation counted by enclosing objects only,
// `"key" : value`, arrays inline as `[ a, b ]`, and `{ }` / `[ ]` when empty.
//
// Matching Jackson byte for byte is not needed by any reader, but it keeps
// files that floe writes indistinguishable from Java's and makes golden
// tests exact.
package jsonpp

import (
	"bytes"
	"encoding/json"
	"errors"
)

// ErrSyntax reports input that is not valid JSON.
var ErrSyntax = errors.New("jsonpp: invalid JSON")

// Marshal encodes v with encoding/json (without HTML escaping) and returns it
// in Jackson's pretty form.
func Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return Indent(bytes.TrimRight(buf.Bytes(), "\n"))
}

// Indent rewrites a JSON document in Jackson's pretty form.
func Indent(src []byte) ([]byte, error) {
	var compact bytes.Buffer
	if err := json.Compact(&compact, src); err != nil {
		return nil, errors.Join(ErrSyntax, err)
	}
	in := compact.Bytes()
	out := make([]byte, 0, len(in)+len(in)/2)
	depth := 0       // number of enclosing objects
	var stack []bool // true for an object, false for an array
	for i := 0; i < len(in); i++ {
		c := in[i]
		switch c {
		case '"':
			j := i + 1
			for j < len(in) && in[j] != '"' {
				if in[j] == '\\' {
					j++
				}
				j++
			}
			out = append(out, in[i:j+1]...)
			i = j
		case '{':
			if i+1 < len(in) && in[i+1] == '}' {
				out = append(out, "{ }"...)
				i++
				continue
			}
			depth++
			stack = append(stack, true)
			out = append(out, '{', '\n')
			out = appendIndent(out, depth)
		case '}':
			depth--
			stack = stack[:len(stack)-1]
			out = append(out, '\n')
			out = appendIndent(out, depth)
			out = append(out, '}')
		case '[':
			if i+1 < len(in) && in[i+1] == ']' {
				out = append(out, "[ ]"...)
				i++
				continue
			}
			stack = append(stack, false)
			out = append(out, '[', ' ')
		case ']':
			stack = stack[:len(stack)-1]
			out = append(out, ' ', ']')
		case ':':
			out = append(out, " : "...)
		case ',':
			if stack[len(stack)-1] {
				out = append(out, ',', '\n')
				out = appendIndent(out, depth)
			} else {
				out = append(out, ',', ' ')
			}
		default:
			out = append(out, c)
		}
	}
	return out, nil
}

func appendIndent(b []byte, depth int) []byte {
	for range depth {
		b = append(b, ' ', ' ')
	}
	return b
}
