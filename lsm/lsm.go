// Package lsm is one bucket's log-structured merge tree: the sorted write
// buffer that turns input rows into sorted runs (spilling to local disk
// when it is full), the merging reader that combines sorted runs into one
// row per key through a merge.Engine, and the grouping of a bucket's files
// into sections of overlapping sorted runs. It also holds a bucket's files
// by level (Levels) and the pure compaction pickers that choose what to
// compact, following Paimon 1.4.2's rules (Universal, ForceUpLevel0,
// PickFull, and the append-table picks).
//
// Everything here exchanges KV records: Arrow records of _SEQUENCE_NUMBER
// (int64), _VALUE_KIND (int8, a schema.RowKind), then the value columns.
// Hot paths are columnar: keys are encoded once per batch into
// order-preserving bytes, sorting and merging work on index vectors, and
// output records are assembled with take-style copies.
//
// Most programs never use this package directly: table.Writer buffers
// and spills through it, and table scans merge through it. A Buffer spills
// into the directory named by BufferOptions.SpillDir; table.Writer gives
// each writer a directory of its own there and removes those of dead
// processes.
package lsm

import (
	"errors"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/merge"
)

// ErrSpillFull reports that the spill directory reached MaxDiskSize; the
// caller must Flush.
var ErrSpillFull = errors.New("lsm: spill disk limit reached")

// ErrOptions reports options that do not fit the data (a column index out
// of range, a schema that is not a KV record schema, no engine).
var ErrOptions = errors.New("lsm: bad options")

// ErrNotSpillable reports Spill on a buffer made with Spillable false.
var ErrNotSpillable = errors.New("lsm: buffer is not spillable")

const defaultBatchSize = 4096

// SortOptions say how rows of one bucket are ordered and merged.
type SortOptions struct {
	// Schema is the value schema (the table's columns, in order).
	Schema *arrow.Schema
	// KeyColumns are indexes into Schema of the trimmed primary key, in
	// key order.
	KeyColumns []int
	// SequenceColumns are indexes into Schema of the sequence.field columns
	// (empty when unset); records of one key are ordered by them (nulls
	// first; descending when SequenceDescending) before _SEQUENCE_NUMBER.
	SequenceColumns    []int
	SequenceDescending bool
	// Engine selects each key's surviving record.
	Engine merge.Engine
}

// BufferOptions configure NewBuffer.
type BufferOptions struct {
	SortOptions
	// Spillable allows Spill; otherwise Spill returns an error.
	Spillable bool
	// SpillDir is the local directory for spill files ("" = os.TempDir()).
	SpillDir string
	// MaxDiskSize bounds the spill files' total size (0 = unbounded).
	MaxDiskSize int64
	// Alloc allocates Arrow memory (nil = memory.DefaultAllocator).
	Alloc memory.Allocator
	// BatchSize is the number of rows per emitted record (default 4096).
	BatchSize int
	// KeepInput keeps every input record until Flush, spilled ones too
	// (spills then merge nothing), so that Input can hand them all to a
	// changelog (changelog-producer=input).
	KeepInput bool
}

// MergeOptions configure NewMergeReader.
type MergeOptions struct {
	// KeyColumns, SequenceColumns are indexes into the KV record (value
	// index + kv.ValueOffset).
	KeyColumns         []int
	SequenceColumns    []int
	SequenceDescending bool
	Engine             merge.Engine
	// DropRetracts drops keys whose selected record is -U/-D (readers);
	// writers (compaction to a non-top level) keep them.
	DropRetracts bool
	// KeepAll emits every record in merge order, reducing nothing (a
	// k-way merge into one sorted run).
	KeepAll   bool
	BatchSize int // rows per output record (default 4096)
	Alloc     memory.Allocator
	// Schema is the KV record schema of the runs (nil = the first run's);
	// needed when there may be no runs.
	Schema *arrow.Schema
	// Levels are the LSM levels of the runs, in order (nil: unknown, all
	// taken as level 0); LookupMerge and Changelog need them.
	Levels []int
	// LookupMerge reduces, of each key's records, only those of level 0
	// and the one of the lowest level above: Paimon's LookupMergeFunction,
	// used by tables whose compactions of level 0 look each key's version
	// up above and merge it in (lookup changelog, deletion vectors,
	// force-lookup), so that version already holds everything below it.
	LookupMerge bool
	// Changelog, when set, makes the merge's changelog.
	Changelog *ChangelogOptions
}
