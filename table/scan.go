package table

import (
	"context"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/predicate"
	"github.com/floelake/floe/snapshot"
)

// ScanOptions choose what a scan reads. The zero value reads every column
// of the latest snapshot.
type ScanOptions struct {
	// At most one of SnapshotID, Tag and AsOf may be set.
	SnapshotID int64     // a snapshot id
	Tag        string    // a tag name
	AsOf       time.Time // the latest snapshot committed at or before this time
	// Columns to return, in this order (nil: all columns).
	Columns []string
	// Filter prunes partitions and files by statistics and is applied
	// exactly to the rows returned.
	Filter predicate.Predicate
}

// Plan is a planned scan: the snapshot it reads and its splits.
type Plan struct {
	// Snapshot is nil when the table has no snapshot (then there are no
	// splits).
	Snapshot *snapshot.Snapshot
	// Schema is the Arrow schema of every record the splits return.
	Schema *arrow.Schema
	Splits []*Split
}

// Split is an independent unit of reading: data files of one partition
// and bucket (with their deletion vectors), plus what to read from them.
// It serializes with MarshalBinary so that other processes can read it
// with their own open Table.
type Split struct {
	// (fields are defined by the scan implementation; exported ones
	// serialize)
	SnapshotID int64
	Partition  []byte
	Bucket     int32
}

// MarshalBinary encodes s.
func (s *Split) MarshalBinary() ([]byte, error) { panic("table: Split.MarshalBinary not implemented") }

// UnmarshalBinary decodes what MarshalBinary wrote.
func (s *Split) UnmarshalBinary(b []byte) error {
	panic("table: Split.UnmarshalBinary not implemented")
}

// ReadOptions configure Read. The zero value means the defaults.
type ReadOptions struct {
	BatchSize int              // rows per record (default 4096)
	Alloc     memory.Allocator // default memory.DefaultAllocator
}

// NewScan plans a scan: it resolves the snapshot, reads its manifests,
// prunes partitions and files with the filter, and groups the remaining
// files into splits.
func (t *Table) NewScan(ctx context.Context, opts ScanOptions) (*Plan, error) {
	panic("table: NewScan not implemented")
}

// Read returns the rows of one split. Primary-key splits are merged
// (deduplicate / first-row engines, sequence tie-breaks) unless their files
// need no merging; deletion vectors are applied; rows of older schemas are
// read through field ids with Paimon's casts. The caller must Release the
// reader.
func (t *Table) Read(ctx context.Context, s *Split, opts ReadOptions) (array.RecordReader, error) {
	panic("table: Read not implemented")
}

// ReadAll plans a scan and returns one reader over all its splits in
// order.
func (t *Table) ReadAll(ctx context.Context, scan ScanOptions, opts ReadOptions) (array.RecordReader, error) {
	panic("table: ReadAll not implemented")
}
