package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// MarshalJSON encodes the type as Java does: atomic types as their type
// string, ARRAY/MULTISET/MAP/ROW/VECTOR as objects whose "type" member
// carries " NOT NULL" when the type is not nullable.
func (t DataType) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	if err := t.appendJSON(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func (t DataType) appendJSON(b *bytes.Buffer) error {
	nn := ""
	if t.NotNull {
		nn = " NOT NULL"
	}
	switch t.Kind {
	case Array, Multiset, Vector:
		if t.Elem == nil {
			return fmt.Errorf("%w: %s without element type", ErrInvalidType, kindName(t.Kind))
		}
		b.WriteString(`{"type":"` + kindName(t.Kind) + nn + `","element":`)
		if err := t.Elem.appendJSON(b); err != nil {
			return err
		}
		if t.Kind == Vector {
			fmt.Fprintf(b, `,"length":%d`, t.Length)
		}
		b.WriteByte('}')
	case Map:
		if t.Key == nil || t.Value == nil {
			return fmt.Errorf("%w: MAP without key or value type", ErrInvalidType)
		}
		b.WriteString(`{"type":"MAP` + nn + `","key":`)
		if err := t.Key.appendJSON(b); err != nil {
			return err
		}
		b.WriteString(`,"value":`)
		if err := t.Value.appendJSON(b); err != nil {
			return err
		}
		b.WriteByte('}')
	case Row:
		b.WriteString(`{"type":"ROW` + nn + `","fields":[`)
		for i, f := range t.Fields {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := f.appendJSON(b); err != nil {
				return err
			}
		}
		b.WriteString("]}")
	default:
		if t.Kind < Boolean || t.Kind > Vector {
			return fmt.Errorf("%w: unknown kind %d", ErrInvalidType, t.Kind)
		}
		appendJSONString(b, t.String())
	}
	return nil
}

func kindName(k Kind) string {
	switch k {
	case Array:
		return "ARRAY"
	case Multiset:
		return "MULTISET"
	case Vector:
		return "VECTOR"
	case Map:
		return "MAP"
	case Row:
		return "ROW"
	}
	return fmt.Sprintf("KIND(%d)", k)
}

// appendJSONString writes s as a JSON string without HTML escaping.
func appendJSONString(b *bytes.Buffer, s string) {
	var tmp bytes.Buffer
	enc := json.NewEncoder(&tmp)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	b.Write(bytes.TrimRight(tmp.Bytes(), "\n"))
}

// MarshalJSON encodes the field with Java's key order: id, name, type, then
// description and defaultValue when set.
func (f Field) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	if err := f.appendJSON(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func (f Field) appendJSON(b *bytes.Buffer) error {
	fmt.Fprintf(b, `{"id":%d,"name":`, f.ID)
	appendJSONString(b, f.Name)
	b.WriteString(`,"type":`)
	if err := f.Type.appendJSON(b); err != nil {
		return err
	}
	if f.Description != nil {
		b.WriteString(`,"description":`)
		appendJSONString(b, *f.Description)
	}
	if f.DefaultValue != nil {
		b.WriteString(`,"defaultValue":`)
		appendJSONString(b, *f.DefaultValue)
	}
	b.WriteByte('}')
	return nil
}

// UnmarshalJSON decodes a type in Java's JSON form. Errors wrap
// ErrInvalidType.
func (t *DataType) UnmarshalJSON(b []byte) error {
	v, err := decodeType(b, 0)
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// UnmarshalJSON decodes a field object. Every field must carry an id.
// Errors wrap ErrInvalidType.
func (f *Field) UnmarshalJSON(b []byte) error {
	v, err := decodeField(b, 0)
	if err != nil {
		return err
	}
	*f = v
	return nil
}

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidType, fmt.Sprintf(format, args...))
}

func decodeType(b []byte, depth int) (DataType, error) {
	if depth > maxTypeDepth {
		return DataType{}, invalidf("type nested too deeply")
	}
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return DataType{}, invalidf("%v", err)
		}
		t, err := ParseType(s)
		if err != nil {
			return DataType{}, err
		}
		if t.Kind >= Array && t.Kind <= Row || t.Kind == Vector {
			// Java's JSON form never holds composite types as strings.
			return DataType{}, invalidf("composite type as a string: %q", s)
		}
		return t, nil
	}
	var obj struct {
		Type    *string           `json:"type"`
		Element json.RawMessage   `json:"element"`
		Key     json.RawMessage   `json:"key"`
		Value   json.RawMessage   `json:"value"`
		Fields  []json.RawMessage `json:"fields"`
		Length  *int32            `json:"length"`
	}
	if len(b) == 0 || b[0] != '{' {
		return DataType{}, invalidf("type is neither a string nor an object: %.40q", b)
	}
	if err := json.Unmarshal(b, &obj); err != nil {
		return DataType{}, invalidf("%v", err)
	}
	if obj.Type == nil {
		return DataType{}, invalidf(`type object without "type"`)
	}
	ts := *obj.Type
	root, rest, _ := strings.Cut(ts, " ")
	var t DataType
	switch rest {
	case "":
	case "NOT NULL":
		t.NotNull = true
	default:
		return DataType{}, invalidf("bad composite type %q", ts)
	}
	sub := func(name string, raw json.RawMessage) (*DataType, error) {
		if raw == nil {
			return nil, invalidf("%s without %q", root, name)
		}
		e, err := decodeType(raw, depth+1)
		if err != nil {
			return nil, err
		}
		return &e, nil
	}
	var err error
	switch root {
	case "ARRAY", "MULTISET", "VECTOR":
		t.Kind = map[string]Kind{"ARRAY": Array, "MULTISET": Multiset, "VECTOR": Vector}[root]
		if t.Elem, err = sub("element", obj.Element); err != nil {
			return DataType{}, err
		}
		if t.Kind == Vector {
			if obj.Length == nil || *obj.Length < 1 {
				return DataType{}, invalidf("VECTOR without a positive length")
			}
			t.Length = int(*obj.Length)
		}
	case "MAP":
		t.Kind = Map
		if t.Key, err = sub("key", obj.Key); err != nil {
			return DataType{}, err
		}
		if t.Value, err = sub("value", obj.Value); err != nil {
			return DataType{}, err
		}
	case "ROW":
		t.Kind = Row
		if obj.Fields == nil {
			return DataType{}, invalidf(`ROW without "fields"`)
		}
		t.Fields = make([]Field, 0, len(obj.Fields))
		for _, raw := range obj.Fields {
			f, err := decodeField(raw, depth+1)
			if err != nil {
				return DataType{}, err
			}
			t.Fields = append(t.Fields, f)
		}
	default:
		return DataType{}, invalidf("unknown composite type %q", ts)
	}
	return t, nil
}

func decodeField(b []byte, depth int) (Field, error) {
	var obj struct {
		ID           *int32          `json:"id"`
		Name         *string         `json:"name"`
		Type         json.RawMessage `json:"type"`
		Description  *string         `json:"description"`
		DefaultValue *string         `json:"defaultValue"`
	}
	if b = bytes.TrimSpace(b); len(b) == 0 || b[0] != '{' {
		return Field{}, invalidf("field is not an object: %.40q", b)
	}
	if err := json.Unmarshal(b, &obj); err != nil {
		return Field{}, invalidf("field: %v", err)
	}
	switch {
	case obj.ID == nil:
		return Field{}, invalidf("field without id")
	case obj.Name == nil:
		return Field{}, invalidf("field %d without name", *obj.ID)
	case obj.Type == nil || bytes.Equal(obj.Type, []byte("null")):
		return Field{}, invalidf("field %q without type", *obj.Name)
	}
	t, err := decodeType(obj.Type, depth+1)
	if err != nil {
		return Field{}, fmt.Errorf("field %q: %w", *obj.Name, err)
	}
	return Field{ID: int(*obj.ID), Name: *obj.Name, Type: t, Description: obj.Description, DefaultValue: obj.DefaultValue}, nil
}
