package kv

import (
	"errors"

	"github.com/apache/arrow-go/v18/arrow"
)

// ErrKeyType reports a column type that cannot be part of a sort key.
var ErrKeyType = errors.New("kv: unsupported key type")

// KeyEncoder turns rows of key columns into byte strings whose
// bytes.Compare order is Paimon's key order: field by field, each field in
// its natural order (strings and binaries as unsigned bytes, floats in
// Java's Float.compare order with -0.0 < 0.0 and NaN largest, decimals and
// timestamps numerically), nulls first. A column can be marked descending.
//
// Encoding a row never allocates once dst has grown; a KeyEncoder is safe
// for concurrent use (it holds no per-call state).
type KeyEncoder struct {
	types      []arrow.DataType
	descending []bool
}

// NewKeyEncoder returns an encoder for columns of the given Arrow types.
// descending may be nil (all ascending). Supported: boolean, integers,
// floats, decimal128, string, binary, fixed-size binary, date32, time32/64,
// timestamp. Anything else gives ErrKeyType.
func NewKeyEncoder(types []arrow.DataType, descending []bool) (*KeyEncoder, error) {
	panic("kv: NewKeyEncoder not implemented")
}

// Append appends the encoding of row i of cols (one array per key column,
// in key order) to dst.
func (e *KeyEncoder) Append(dst []byte, cols []arrow.Array, i int) []byte {
	panic("kv: KeyEncoder.Append not implemented")
}

// AppendAll encodes every row of cols into buf (appending) and records in
// offs the end offset of each row's key (appending), so that row r's key is
// buf[offs[r-1]:offs[r]] relative to the start offset. One allocation-free
// pass per column.
func (e *KeyEncoder) AppendAll(buf []byte, offs []int, cols []arrow.Array) ([]byte, []int) {
	panic("kv: KeyEncoder.AppendAll not implemented")
}
