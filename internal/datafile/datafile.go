// Package datafile reads and writes Paimon data files (Parquet, written
// with arrow-go's pqarrow; Avro data files are read only) in Paimon's two
// layouts, and computes the file metadata a manifest records about them:
// row counts, sequence ranges, min/max keys and column statistics exactly as
// Java Paimon computes them.
//
// Layouts (paimon-format.md §6): append tables store the table columns;
// primary-key tables store _KEY_<k>… (omitted in thin mode),
// _SEQUENCE_NUMBER, _VALUE_KIND, then the table columns. In memory both
// directions use KV records (package kv) for primary-key tables and plain
// value records for append tables.
package datafile

import (
	"context"
	"errors"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/internal/objstore"
	"github.com/floelake/floe/internal/schema"
	"github.com/floelake/floe/manifest"
)

// Errors returned by this package.
var (
	// ErrCorrupt reports a data file that does not decode; the error names
	// the file.
	ErrCorrupt = errors.New("datafile: corrupt data file")
	// ErrUnsupportedFormat reports a file format floe cannot read (ORC) or
	// write (anything but Parquet).
	ErrUnsupportedFormat = errors.New("datafile: unsupported file format")
	// ErrSchema reports a record whose columns do not match the writer's
	// layout, or a read field that cannot be cast from the file's type.
	ErrSchema = errors.New("datafile: schema mismatch")
)

// StatsKind is a column statistics mode (metadata.stats-mode).
type StatsKind int

// Stats modes.
const (
	StatsNone     StatsKind = iota // no statistics
	StatsCounts                    // null count only
	StatsTruncate                  // min/max, strings truncated to Length code points
	StatsFull                      // min/max untruncated
)

// StatsMode is one column's statistics mode.
type StatsMode struct {
	Kind   StatsKind
	Length int // for StatsTruncate
}

// WriterOptions configure NewWriter.
type WriterOptions struct {
	Store *objstore.Store
	// Dir is the bucket directory key, e.g. "dt=2024-01-01/bucket-0".
	Dir string
	// Prefix is the file name prefix, data-file.prefix ("data-") or
	// changelog-file.prefix ("changelog-").
	Prefix string
	// Format is file.format; only "parquet" is written.
	Format string
	// Compression is file.compression ("zstd", "snappy", "gzip", "lz4",
	// "none"); ZstdLevel its zstd level.
	Compression string
	ZstdLevel   int
	// TargetFileSize rolls to a new file once the current one reaches it.
	TargetFileSize int64
	// Fields are the table's columns (the value columns).
	Fields []schema.Field
	// KeyFields are the trimmed primary-key fields; nil for append tables.
	KeyFields []schema.Field
	// ThinMode leaves out the _KEY_ columns (data-file.thin-mode).
	ThinMode bool
	// StatsModes holds one mode per field of Fields (already resolved from
	// fields.<c>.stats-mode, metadata.stats-mode and
	// metadata.stats-keep-first-n-columns). Key columns always use
	// truncate(128).
	StatsModes []StatsMode
	// StatsDenseStore is metadata.stats-dense-store.
	StatsDenseStore bool
	SchemaID        int64
	Level           int32
	FileSource      int32
	// FirstSequence is the sequence number of the first row written by an
	// append writer (append files number rows per bucket). Ignored for
	// primary-key layouts, which carry _SEQUENCE_NUMBER.
	FirstSequence int64
	Alloc         memory.Allocator
}

// Writer writes rolling data files of one bucket. It is not safe for
// concurrent use. The caller must call Close or Abort.
type Writer struct {
	o WriterOptions
}

// NewWriter returns a writer; no file is created before the first Write.
func NewWriter(o WriterOptions) (*Writer, error) {
	panic("datafile: NewWriter not implemented")
}

// Write appends rec: a KV record sorted by key for primary-key layouts, a
// value record for append layouts. Files roll at TargetFileSize.
func (w *Writer) Write(ctx context.Context, rec arrow.Record) error {
	panic("datafile: Writer.Write not implemented")
}

// NextSequence returns the sequence number the next appended row gets
// (append layouts).
func (w *Writer) NextSequence() int64 { panic("datafile: Writer.NextSequence not implemented") }

// Close finishes the current file and returns the metadata of every file
// written, in order.
func (w *Writer) Close(ctx context.Context) ([]manifest.DataFile, error) {
	panic("datafile: Writer.Close not implemented")
}

// Abort deletes every file written so far (best effort) and releases
// resources.
func (w *Writer) Abort(ctx context.Context) error { panic("datafile: Writer.Abort not implemented") }

// Deletes is a set of deleted row positions (a deletion vector).
type Deletes interface {
	Contains(pos uint32) bool
}

// ReadOptions configure Open.
type ReadOptions struct {
	Store *objstore.Store
	// Path is the file's object key (bucket directory + file name).
	Path string
	// Size is the file size from the manifest (0: ask the store).
	Size int64
	// FileFields are the fields of the schema the file was written with
	// (the schema of its _SCHEMA_ID).
	FileFields []schema.Field
	// ReadFields are the fields to return, matched to file columns by
	// field id (name in the file's schema). A field the file lacks reads as
	// null; a type change is cast with Paimon's cast rules.
	ReadFields []schema.Field
	// KV says the file has the primary-key layout; the result is then KV
	// records [_SEQUENCE_NUMBER, _VALUE_KIND, ReadFields…].
	KV bool
	// Deletes, when set, drops the rows at these positions.
	Deletes Deletes
	// BatchSize is the number of rows per record (default 4096).
	BatchSize int
	Alloc     memory.Allocator
}
