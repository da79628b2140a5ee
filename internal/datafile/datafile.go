package datafile

import (
	"errors"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/floelake/floe/internal/binrow"

	"github.com/floelake/floe/manifest"
	"github.com/floelake/floe/schema"
	"github.com/floelake/floe/storage"
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
	// ErrSize reports a file whose size differs from ReadOptions.Size
	// (the size its manifest records, which Paimon always records
	// exactly).
	ErrSize = errors.New("datafile: size differs from the manifest's")
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
	Store *storage.Store
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
	// metadata.stats-keep-first-n-columns). Nil means truncate(16) for all.
	// Nested columns (ARRAY, MAP, ROW, …) never get statistics, as in Java.
	StatsModes []StatsMode
	// KeyStatsMode is the mode of the key statistics. Nil means
	// truncate(128), what Paimon 1.x uses; Paimon 0.9 applied
	// metadata.stats-mode (default truncate(16)) to keys.
	KeyStatsMode *StatsMode
	// StatsDenseStore is metadata.stats-dense-store.
	StatsDenseStore bool
	SchemaID        int64
	Level           int32
	FileSource      int32
	// FirstSequence is the sequence number of the first row written by an
	// append writer (append files number rows per bucket). Ignored for
	// primary-key layouts, which carry _SEQUENCE_NUMBER.
	FirstSequence int64
	// RowGroupSize caps the in-memory bytes buffered per Parquet row group
	// (0: min(TargetFileSize, 128 MiB), parquet-mr's block size). A row
	// group is held in memory until it is flushed, so this bounds the
	// writer's memory.
	RowGroupSize int64
	Alloc        memory.Allocator
}

// Writer writes rolling data files of one bucket. It is not safe for
// concurrent use. The caller must call Close or Abort.
type Writer struct {
	o          WriterOptions
	uuid       string
	counter    int
	props      *parquet.WriterProperties
	propOpts   []parquet.WriterProperty // the options of props
	aprops     pqarrow.ArrowWriterProperties
	rowGroup   int64
	phys       *arrow.Schema
	physFields []schema.Field
	keyIdx     []int   // position in Fields of each key field
	valOfPhys  []int   // value column of each physical column, or -1
	keysOfVal  [][]int // key statistics fed by each value column
	keyWriter  *binrow.Writer
	nextSeq    int64
	cur        *fileState
	files      []manifest.DataFile
	written    []string
	closed     bool
}

// Deletes is a set of deleted row positions (a deletion vector).
type Deletes interface {
	Contains(pos uint32) bool
}

// ReadOptions configure Open.
type ReadOptions struct {
	// LowMemory reads the file in ranges, page by page, instead of
	// whole: for readers that keep many files open at once (compaction).
	LowMemory bool
	Store     *storage.Store
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
	// Parallel is the number of goroutines decoding the columns of a
	// Parquet batch at once (0: GOMAXPROCS; 1: one column after another).
	Parallel int
}
