// Package kv is the shared vocabulary of floe's key-value (primary-key)
// layer: row kinds, the system columns of Paimon's key-value data files,
// and the in-memory layout of a "KV record".
//
// A KV record is an arrow.Record whose first two columns are
// _SEQUENCE_NUMBER (int64, not null) and _VALUE_KIND (int8, not null),
// followed by the table's value columns (all table columns, or a
// projection of them). The _KEY_* columns of the on-disk layout are not
// part of it: writers derive them from the value columns and readers drop
// them. Buffers, merge readers and data-file readers/writers exchange KV
// records.
package kv

import (
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
)

// RowKind is the change a row carries, with Paimon's byte values.
type RowKind int8

// The row kinds.
const (
	Insert       RowKind = 0 // +I
	UpdateBefore RowKind = 1 // -U
	UpdateAfter  RowKind = 2 // +U
	Delete       RowKind = 3 // -D
)

// ErrRowKind reports an unknown row kind.
var ErrRowKind = errors.New("kv: invalid row kind")

// String returns Paimon's short form: +I, -U, +U, -D.
func (k RowKind) String() string {
	switch k {
	case Insert:
		return "+I"
	case UpdateBefore:
		return "-U"
	case UpdateAfter:
		return "+U"
	case Delete:
		return "-D"
	}
	return fmt.Sprintf("RowKind(%d)", int8(k))
}

// IsRetract reports whether k retracts a row (-U or -D).
func (k RowKind) IsRetract() bool { return k == UpdateBefore || k == Delete }

// Valid reports whether k is one of the four kinds.
func (k RowKind) Valid() bool { return k >= Insert && k <= Delete }

// ParseRowKind parses +I, -U, +U or -D (also the names INSERT,
// UPDATE_BEFORE, UPDATE_AFTER, DELETE).
func ParseRowKind(s string) (RowKind, error) {
	switch s {
	case "+I", "INSERT", "I":
		return Insert, nil
	case "-U", "UPDATE_BEFORE":
		return UpdateBefore, nil
	case "+U", "UPDATE_AFTER", "U":
		return UpdateAfter, nil
	case "-D", "DELETE", "D":
		return Delete, nil
	}
	return 0, fmt.Errorf("%w: %q", ErrRowKind, s)
}

// System column names of key-value data files.
const (
	KeyPrefix      = "_KEY_"
	SequenceNumber = "_SEQUENCE_NUMBER"
	ValueKind      = "_VALUE_KIND"
)

// Column positions in a KV record.
const (
	SeqColumn   = 0 // _SEQUENCE_NUMBER, int64
	KindColumn  = 1 // _VALUE_KIND, int8
	ValueOffset = 2 // first value column
)

// SystemFields returns the two leading fields of a KV record schema.
func SystemFields() []arrow.Field {
	return []arrow.Field{
		{Name: SequenceNumber, Type: arrow.PrimitiveTypes.Int64},
		{Name: ValueKind, Type: arrow.PrimitiveTypes.Int8},
	}
}

// RecordSchema returns the KV record schema for the given value schema.
func RecordSchema(values *arrow.Schema) *arrow.Schema {
	fs := append(SystemFields(), values.Fields()...)
	md := values.Metadata()
	return arrow.NewSchema(fs, &md)
}

// RecordSize returns the bytes of the Arrow buffers rec references
// (children and dictionaries included).
func RecordSize(rec arrow.RecordBatch) int64 {
	var n int64
	for _, c := range rec.Columns() {
		n += dataSize(c.Data())
	}
	return n
}

func dataSize(d arrow.ArrayData) int64 {
	var n int64
	for _, b := range d.Buffers() {
		if b != nil {
			n += int64(b.Len())
		}
	}
	for _, c := range d.Children() {
		n += dataSize(c)
	}
	if d.DataType().ID() == arrow.DICTIONARY {
		if dict := d.Dictionary(); dict != nil {
			n += dataSize(dict)
		}
	}
	return n
}
