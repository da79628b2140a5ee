package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
)

// Options are a table's string options in a fixed order: the order they
// were read in, with keys set later appended. Keeping the order makes a
// schema file re-encode to the bytes it was read from.
//
// The zero value is empty and ready to use. Options are not safe for
// concurrent mutation; Clone before sharing a copy that will change.
type Options struct {
	keys []string
	vals map[string]string
}

// NewOptions builds options from key/value pairs (k1, v1, k2, v2, ...).
// It panics on an odd number of arguments.
func NewOptions(kv ...string) Options {
	if len(kv)%2 != 0 {
		panic("schema: NewOptions needs key/value pairs")
	}
	var o Options
	for i := 0; i < len(kv); i += 2 {
		o.Set(kv[i], kv[i+1])
	}
	return o
}

// Len returns the number of options.
func (o *Options) Len() int { return len(o.keys) }

// Keys returns the keys in order. The caller may modify the returned slice.
func (o *Options) Keys() []string { return slices.Clone(o.keys) }

// Get returns the value of key and whether it is set.
func (o *Options) Get(key string) (string, bool) {
	v, ok := o.vals[key]
	return v, ok
}

// Set sets key to value. A new key goes to the end; an existing key keeps
// its place.
func (o *Options) Set(key, value string) {
	if o.vals == nil {
		o.vals = make(map[string]string)
	}
	if _, ok := o.vals[key]; !ok {
		o.keys = append(o.keys, key)
	}
	o.vals[key] = value
}

// Delete removes key if present.
func (o *Options) Delete(key string) {
	if _, ok := o.vals[key]; !ok {
		return
	}
	delete(o.vals, key)
	o.keys = slices.DeleteFunc(o.keys, func(k string) bool { return k == key })
}

// Clone returns an independent copy.
func (o *Options) Clone() Options {
	c := Options{keys: slices.Clone(o.keys)}
	if o.vals != nil {
		c.vals = make(map[string]string, len(o.vals))
		for k, v := range o.vals {
			c.vals[k] = v
		}
	}
	return c
}

// Map returns the options as a new map.
func (o *Options) Map() map[string]string {
	m := make(map[string]string, len(o.vals))
	for k, v := range o.vals {
		m[k] = v
	}
	return m
}

// Equal reports whether o and p hold the same keys, values and order.
func (o *Options) Equal(p *Options) bool {
	if !slices.Equal(o.keys, p.keys) {
		return false
	}
	for _, k := range o.keys {
		if o.vals[k] != p.vals[k] {
			return false
		}
	}
	return true
}

// MarshalJSON writes the options as a JSON object in order.
func (o Options) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		appendJSONString(&b, k)
		b.WriteByte(':')
		appendJSONString(&b, o.vals[k])
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads a JSON object of strings, keeping the key order. A
// repeated key keeps its first place and its last value.
func (o *Options) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("options are not an object")
	}
	var n Options
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		k, _ := tok.(string) // object keys are always strings
		tok, err = dec.Token()
		if err != nil {
			return err
		}
		v, ok := tok.(string)
		if !ok {
			return fmt.Errorf("option %q is not a string", k)
		}
		n.Set(k, v)
	}
	if _, err := dec.Token(); err != nil {
		return err
	}
	*o = n
	return nil
}
