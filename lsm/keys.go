package lsm

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/floelake/floe/internal/kv"
)

// KeyEncoder encodes the trimmed primary key of KV records into the
// order-preserving bytes the merge reader compares and Lookup.Positions
// takes: bytes.Compare on two encoded keys is Paimon's key order. A
// KeyEncoder is safe for concurrent use.
type KeyEncoder struct {
	enc   *kv.KeyEncoder
	cols  []int
	types []arrow.DataType
	width int // the record's column count the columns were checked against
}

// NewKeyEncoder returns the encoder for the key columns keyColumns
// (indexes into the KV record, value index + 2) of records of the KV record
// schema sc. A column out of range gives ErrOptions, a type that cannot be
// a key kv's key-type error.
func NewKeyEncoder(sc *arrow.Schema, keyColumns []int) (*KeyEncoder, error) {
	ke, _, err := newEncoders(sc, keyColumns, nil, false)
	if err != nil {
		return nil, err
	}
	return &KeyEncoder{enc: ke, cols: append([]int(nil), keyColumns...), types: ke.Types(), width: sc.NumFields()}, nil
}

// check reports whether rec has the key columns the encoder was made for.
func (e *KeyEncoder) check(rec arrow.RecordBatch) error {
	if int(rec.NumCols()) != e.width {
		return fmt.Errorf("%w: record of %d columns, key encoder made for %d", ErrOptions, rec.NumCols(), e.width)
	}
	for i, c := range e.cols {
		if !arrow.TypeEqual(rec.Column(c).DataType(), e.types[i]) {
			return fmt.Errorf("%w: key column %d is %s, key encoder made for %s", ErrOptions, c, rec.Column(c).DataType(), e.types[i])
		}
	}
	return nil
}

// AppendKeys appends the keys of rec's rows to buf and the end offset of
// each row's key to ends: row r's key is buf[start:ends[r]] where start is
// ends[r-1] (or len(buf) on entry for the first row). A record whose key
// columns differ from the encoder's gives ErrOptions.
func (e *KeyEncoder) AppendKeys(buf []byte, ends []int, rec arrow.RecordBatch) ([]byte, []int, error) {
	if err := e.check(rec); err != nil {
		return buf, ends, err
	}
	if rec.NumRows() == 0 {
		return buf, ends, nil
	}
	cols := make([]arrow.Array, len(e.cols))
	for i, c := range e.cols {
		cols[i] = rec.Column(c)
	}
	buf, ends = e.enc.AppendAll(buf, ends, cols)
	return buf, ends, nil
}

// Keys returns the keys of rec's rows, one slice per row, all sharing one
// new buffer.
func (e *KeyEncoder) Keys(rec arrow.RecordBatch) ([][]byte, error) {
	buf, ends, err := e.AppendKeys(nil, nil, rec)
	if err != nil {
		return nil, err
	}
	keys := make([][]byte, len(ends))
	start := 0
	for r, end := range ends {
		keys[r] = buf[start:end:end]
		start = end
	}
	return keys, nil
}
