// Package lsm is one bucket's log-structured merge tree: the sorted write
// buffer that turns input rows into sorted runs (spilling to local disk
// when it is full), the merging reader that combines sorted runs into one
// row per key through a merge.Engine, and the grouping of a bucket's files
// into sections of overlapping sorted runs.
//
// Everything here exchanges KV records (see package kv): _SEQUENCE_NUMBER,
// _VALUE_KIND, then value columns. Hot paths are columnar: keys are encoded
// once per batch with kv.KeyEncoder, sorting and merging work on index
// vectors, and output records are assembled with take-style copies.
package lsm

import (
	"context"
	"errors"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/internal/kv"
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
}

// Buffer is one bucket's write buffer. It is not safe for concurrent use.
// The owner must Close it.
type Buffer struct {
	o BufferOptions
}

// NewBuffer returns an empty buffer.
func NewBuffer(o BufferOptions) (*Buffer, error) {
	panic("lsm: NewBuffer not implemented")
}

// Add buffers the rows of rec (value schema) with the given row kinds and
// the sequence numbers firstSeq, firstSeq+1, … in row order. The buffer
// retains rec (the caller may Release its own reference).
func (b *Buffer) Add(rec arrow.Record, kinds []kv.RowKind, firstSeq int64) error {
	panic("lsm: Buffer.Add not implemented")
}

// MemoryUsed returns the bytes of Arrow memory the buffer holds (data it
// retains plus its sort index and encoded keys).
func (b *Buffer) MemoryUsed() int64 { panic("lsm: Buffer.MemoryUsed not implemented") }

// Rows returns the number of buffered rows, in memory and spilled.
func (b *Buffer) Rows() int { panic("lsm: Buffer.Rows not implemented") }

// Spill sorts and merges the in-memory rows into one sorted run written to
// a local spill file and frees their memory. It returns ErrSpillFull when
// MaxDiskSize would be exceeded (nothing is lost; the caller then Flushes).
func (b *Buffer) Spill(ctx context.Context) error { panic("lsm: Buffer.Spill not implemented") }

// Flush emits every buffered row, in memory and spilled, as KV records
// sorted by key with one record per key (the one Engine selects; a
// selected retract is emitted too), then empties the buffer. Each record
// is released after emit returns; emit must Retain it to keep it.
func (b *Buffer) Flush(ctx context.Context, emit func(arrow.Record) error) error {
	panic("lsm: Buffer.Flush not implemented")
}

// Close frees memory and removes spill files.
func (b *Buffer) Close() error { return nil }

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
	BatchSize    int // rows per output record (default 4096)
	Alloc        memory.Allocator
	// Schema is the KV record schema of the runs (nil = the first run's);
	// needed when there may be no runs.
	Schema *arrow.Schema
}
