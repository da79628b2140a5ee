// Package kv is the shared vocabulary of floe's key-value (primary-key)
// layer: the system columns of Paimon's key-value data files,
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
	"github.com/apache/arrow-go/v18/arrow"
)

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
