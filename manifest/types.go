package manifest

import (
	"crypto/rand"
	"errors"
)

// Sentinel errors. Every error returned for bad input wraps one of them and
// names the file.
var (
	// ErrCorrupt reports bytes that do not decode as a manifest file.
	ErrCorrupt = errors.New("manifest: corrupt")
	// ErrUnsupportedVersion reports a _VERSION this package does not know.
	ErrUnsupportedVersion = errors.New("manifest: unsupported version")
	// ErrUnsupportedFormat reports a well-formed file in a format this
	// package does not read (ORC or Parquet manifests, unknown Avro codecs).
	ErrUnsupportedFormat = errors.New("manifest: unsupported format")
	// ErrDuplicateAdd reports an ADD of a file that is already live.
	ErrDuplicateAdd = errors.New("manifest: file added twice")
)

// Serializer versions (the _VERSION field).
const (
	// Version is the _VERSION of manifest lists and manifests.
	Version = 2
	// IndexVersion is the _VERSION of index manifests.
	IndexVersion = 1
)

// FileKind says whether an entry adds or deletes a file.
type FileKind int8

// File kinds as stored in _KIND.
const (
	Add    FileKind = 0
	Delete FileKind = 1
)

func (k FileKind) String() string {
	switch k {
	case Add:
		return "ADD"
	case Delete:
		return "DELETE"
	}
	return "UNKNOWN"
}

// File sources as stored in _FILE_SOURCE.
const (
	FileSourceAppend  int32 = 0 // written from new input
	FileSourceCompact int32 = 1 // written by compaction
)

// SimpleStats holds min/max rows and null counts of a set of columns.
// Min and Max are serialized BinaryRows exactly as stored in Avro (with
// the 4-byte big-endian arity prefix). A nil NullCounts is a null array;
// a nil element is an unknown count.
type SimpleStats struct {
	Min, Max   []byte
	NullCounts []*int64
}

// FileMeta is one manifest-list entry: a manifest file and a summary of it.
// Optional fields are nil when absent (older writers or null).
type FileMeta struct {
	FileName        string
	FileSize        int64
	NumAddedFiles   int64
	NumDeletedFiles int64
	PartitionStats  SimpleStats
	SchemaID        int64
	MinBucket       *int32 // 1.1+
	MaxBucket       *int32
	MinLevel        *int32
	MaxLevel        *int32
	MinRowID        *int64 // 1.4+
	MaxRowID        *int64
}

// Entry is one manifest entry: a data file added to or deleted from a
// partition and bucket.
type Entry struct {
	Kind         FileKind
	Partition    []byte // serialized BinaryRow
	Bucket       int32
	TotalBuckets int32
	File         DataFile
}

// DataFile describes one data (or changelog) file. Byte slices are
// serialized BinaryRows or opaque bytes; nil pointers and nil slices of
// nullable fields mean null.
type DataFile struct {
	FileName          string
	FileSize          int64
	RowCount          int64
	MinKey, MaxKey    []byte
	KeyStats          SimpleStats
	ValueStats        SimpleStats
	MinSequenceNumber int64
	MaxSequenceNumber int64
	SchemaID          int64
	Level             int32
	ExtraFiles        []string // never null on disk; nil and empty both mean none
	CreationTime      *int64   // epoch millis of the writer's local wall clock, stored as if UTC
	DeleteRowCount    *int64
	EmbeddedIndex     []byte
	FileSource        *int32   // FileSourceAppend or FileSourceCompact (0.9+)
	ValueStatsCols    []string // nil = stats cover all columns; empty = no columns
	ExternalPath      *string
	FirstRowID        *int64   // 1.3+
	WriteCols         []string // 1.3+; nil = all columns
	// WriteColsSequences is the 2.1 _WRITE_COLS_SEQUENCES field; nil = null.
	// It is written only when set (1.4 readers ignore it).
	WriteColsSequences []int64
}

// IndexEntry is one index-manifest entry.
type IndexEntry struct {
	Kind         FileKind
	Partition    []byte
	Bucket       int32
	IndexType    string // "HASH", "DELETION_VECTORS", or a global index type
	FileName     string
	FileSize     int64
	RowCount     int64
	DVRanges     []DVRange // nil = null
	ExternalPath *string
	GlobalIndex  *GlobalIndexMeta // 1.4+
}

// Index types written by Paimon.
const (
	IndexHash            = "HASH"
	IndexDeletionVectors = "DELETION_VECTORS"
)

// DVRange locates one data file's deletion vector inside an index file.
type DVRange struct {
	DataFile    string
	Offset      int32
	Length      int32
	Cardinality *int64 // 1.0+
}

// GlobalIndexMeta describes a global-index file (1.4+).
type GlobalIndexMeta struct {
	RowRangeStart int64
	RowRangeEnd   int64
	IndexFieldID  int32
	ExtraFieldIDs []int32 // nil = null
	IndexMeta     []byte  // nil = null
	SourceMeta    []byte  // 2.x; nil = null; written only when set
}

func randomSync(s *[16]byte) {
	_, _ = rand.Read(s[:])
}
