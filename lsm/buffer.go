package lsm

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/internal/kv"
	"github.com/floelake/floe/merge"
	"github.com/floelake/floe/schema"
)

// Buffer is one bucket's write buffer. It is not safe for concurrent use.
// The owner must Close it.
//
// Add copies rows into a row-major store (rows.go) and encodes their keys
// (and sequence-field order keys) once; schemas with nested columns keep
// the Arrow records they arrived in instead. Spill and Flush sort an index
// vector over all rows, read the rows back in that order a batch at a
// time, reduce each key through the Engine, and assemble KV records.
type Buffer struct {
	o        BufferOptions
	mem      memory.Allocator
	kvSchema *arrow.Schema
	keyEnc   *kv.KeyEncoder
	ordEnc   *kv.KeyEncoder
	reducer  merge.Reducer

	rows     *rowStore // nil: rows stay in recs
	recs     []arrow.Record
	recBytes int64
	rowRec   []int32
	rowIdx   []int32
	seqs     []int64
	kinds    []int8
	keys     []byte
	koffs    []int
	ords     []byte
	ooffs    []int
	scratch  []arrow.Array
	off      *offHeap // seqs, kinds, keys, koffs, ords, ooffs, sort indexes

	spills     []string
	spillBytes int64
	spillRows  int
	closed     bool
}

// NewBuffer returns an empty buffer.
func NewBuffer(o BufferOptions) (*Buffer, error) {
	if o.Schema == nil || o.Engine == nil {
		return nil, fmt.Errorf("%w: buffer needs a schema and an engine", ErrOptions)
	}
	if o.BatchSize <= 0 {
		o.BatchSize = defaultBatchSize
	}
	mem := o.Alloc
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	ke, oe, err := newEncoders(o.Schema, o.KeyColumns, o.SequenceColumns, o.SequenceDescending)
	if err != nil {
		return nil, err
	}
	red, err := o.Engine.Reducer(valueColumns(o.Schema, 0))
	if err != nil {
		return nil, err
	}
	b := &Buffer{o: o, mem: mem, kvSchema: kv.RecordSchema(o.Schema), keyEnc: ke, ordEnc: oe, reducer: red, off: &offHeap{}}
	if b.rows = newRowStore(o.Schema); b.rows != nil {
		// Pages live outside the Go heap: give them back should an owner
		// drop the buffer without Close.
		runtime.AddCleanup(b, func(s *rowStore) { s.reset() }, b.rows)
	}
	runtime.AddCleanup(b, func(o *offHeap) { o.freeAll() }, b.off)
	b.initOffsets()
	return b, nil
}

// Add buffers the rows of rec (value schema) with the given row kinds and
// the sequence numbers firstSeq, firstSeq+1, … in row order. The buffer
// retains rec (the caller may Release its own reference).
func (b *Buffer) Add(rec arrow.Record, kinds []schema.RowKind, firstSeq int64) error {
	n := int(rec.NumRows())
	if len(kinds) != n {
		return fmt.Errorf("%w: %d kinds for %d rows", ErrOptions, len(kinds), n)
	}
	if int(rec.NumCols()) != b.o.Schema.NumFields() {
		return fmt.Errorf("%w: record of %d columns, schema has %d", ErrOptions, rec.NumCols(), b.o.Schema.NumFields())
	}
	for _, k := range kinds {
		if !k.Valid() {
			return fmt.Errorf("%w: %d", schema.ErrRowKind, k)
		}
	}
	if n == 0 {
		return nil
	}
	if b.rows != nil {
		b.rows.add(rec)
	} else {
		rec.Retain()
		ri := int32(len(b.recs))
		b.recs = append(b.recs, rec)
		b.recBytes += kv.RecordSize(rec)
		for i := range n {
			b.rowRec = append(b.rowRec, ri)
			b.rowIdx = append(b.rowIdx, int32(i))
		}
	}
	// The arrays grow here, off the heap, before anything appends to
	// them; the key encoders append within the room made for them (an
	// encoder that needs more grows a heap copy, which adoptArr moves off
	// the heap).
	b.seqs = growArr(b.off, b.seqs, n)
	b.kinds = growArr(b.off, b.kinds, n)
	for i := range n {
		b.seqs = append(b.seqs, firstSeq+int64(i))
		b.kinds = append(b.kinds, int8(kinds[i]))
	}
	b.scratch = b.scratch[:0]
	for _, c := range b.o.KeyColumns {
		b.scratch = append(b.scratch, rec.Column(c))
	}
	b.koffs = growArr(b.off, b.koffs, n)
	b.keys = growArr(b.off, b.keys, n*avgLen(b.keys, b.koffs))
	keys, koffs := b.keyEnc.AppendAll(b.keys, b.koffs, b.scratch)
	b.keys, b.koffs = adoptArr(b.off, b.keys, keys), adoptArr(b.off, b.koffs, koffs)
	if b.ordEnc != nil {
		b.scratch = b.scratch[:0]
		for _, c := range b.o.SequenceColumns {
			b.scratch = append(b.scratch, rec.Column(c))
		}
		b.ooffs = growArr(b.off, b.ooffs, n)
		b.ords = growArr(b.off, b.ords, n*avgLen(b.ords, b.ooffs))
		ords, ooffs := b.ordEnc.AppendAll(b.ords, b.ooffs, b.scratch)
		b.ords, b.ooffs = adoptArr(b.off, b.ords, ords), adoptArr(b.off, b.ooffs, ooffs)
	}
	clear(b.scratch)
	return nil
}

// MemoryUsed returns the bytes of Arrow memory the buffer holds (data it
// retains plus its sort index and encoded keys).
func (b *Buffer) MemoryUsed() int64 {
	var rows int64
	if b.rows != nil {
		rows = b.rows.memory()
	}
	return rows + b.recBytes + int64(cap(b.keys)+cap(b.ords)) +
		8*int64(cap(b.koffs)+cap(b.ooffs)+cap(b.seqs)) +
		4*int64(cap(b.rowRec)+cap(b.rowIdx)) + int64(cap(b.kinds))
}

// Rows returns the number of buffered rows, in memory and spilled (spilled
// rows counted after the merge of their spill).
func (b *Buffer) Rows() int { return len(b.seqs) + b.spillRows }

// avgLen is the room to make per row in an array of encoded keys: a
// quarter over the average so far (16 bytes for the first rows).
func avgLen(data []byte, offs []int) int {
	if len(offs) <= 1 {
		return 16
	}
	avg := len(data) / (len(offs) - 1)
	return avg + avg/4 + 1
}

// initOffsets starts the key offset arrays, on the heap: the first Add
// moves them off it as it grows them.
func (b *Buffer) initOffsets() {
	b.koffs, b.ooffs = []int{0}, nil
	if b.ordEnc != nil {
		b.ooffs = []int{0}
	}
}

func (b *Buffer) key(r int32) []byte { return b.keys[b.koffs[r]:b.koffs[r+1]] }

func (b *Buffer) ord(r int32) []byte {
	if b.ooffs == nil {
		return nil
	}
	return b.ords[b.ooffs[r]:b.ooffs[r+1]]
}

// sortEntry is a row id with the first 8 bytes of its key, so that most
// comparisons of a sort touch only this contiguous array.
type sortEntry struct {
	prefix uint64
	row    int32
}

// sortIndex returns the in-memory rows ordered by (key, sequence fields,
// sequence number).
func (b *Buffer) sortIndex() []sortEntry {
	n := len(b.seqs)
	// Keys of a primary key share their first byte (the null marker of a
	// never-null column); skip it so the prefix holds 8 bytes of value.
	skip := 1
	for r := 0; r < n; r++ {
		k := b.key(int32(r))
		if len(k) == 0 || k[0] != b.keys[0] {
			skip = 0
			break
		}
	}
	ents := growArr(b.off, []sortEntry(nil), n)[:n]
	var buf [8]byte
	for r := range ents {
		k := b.key(int32(r))
		if len(k) > skip {
			k = k[skip:]
		} else {
			k = nil
		}
		buf = [8]byte{}
		copy(buf[:], k)
		ents[r] = sortEntry{prefix: binary.BigEndian.Uint64(buf[:]), row: int32(r)}
	}
	sortEntries(b.off, ents, func(x, y sortEntry) int {
		if x.prefix != y.prefix {
			if x.prefix < y.prefix {
				return -1
			}
			return 1
		}
		return rowCompare(b.key(x.row), b.ord(x.row), b.seqs[x.row], b.key(y.row), b.ord(y.row), b.seqs[y.row])
	})
	return ents
}

// free drops the in-memory rows.
func (b *Buffer) free() {
	for _, r := range b.recs {
		r.Release()
	}
	b.recs, b.recBytes = nil, 0
	if b.rows != nil {
		b.rows.reset()
	}
	for _, a := range [][]byte{arrBytes(b.seqs), arrBytes(b.kinds), arrBytes(b.keys), arrBytes(b.koffs), arrBytes(b.ords), arrBytes(b.ooffs)} {
		b.off.release(a)
	}
	b.rowRec, b.rowIdx, b.seqs, b.kinds = nil, nil, nil, nil
	b.keys, b.ords = nil, nil
	b.initOffsets()
}

// countingWriter counts bytes and fails past a limit.
type countingWriter struct {
	w     io.Writer
	n     int64
	limit int64 // 0 = none
}

func (c *countingWriter) Write(p []byte) (int, error) {
	if c.limit > 0 && c.n+int64(len(p)) > c.limit {
		return 0, ErrSpillFull
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// maxSpillRuns bounds the spill files a Buffer keeps: when a spill makes
// more, they are merged into one. Merging reads every run at once, so this
// fan-in (not the input size) bounds the memory a Flush needs.
const maxSpillRuns = 16

// spillReadBuffer is the read buffer of a spill file's reader. A merge
// holds one per run, up to maxSpillRuns of them, while the Parquet writer
// runs behind it; the IPC messages it reads are a batch of one run each
// (tens of KiB, spillBatchRows rows), so a larger one saves few reads.
const spillReadBuffer = 64 << 10

// spillBatchRows bounds the rows per record of a spill file (spillBatch).
// The final merge of a write that spilled its 64 MB buffer 16 times holds
// about 15 MiB of records of 4096 narrow rows, 4 MiB of 1024.
const spillBatchRows = 1024

// Spill sorts and merges the in-memory rows into one sorted run written to
// a local spill file and frees their memory. It returns ErrSpillFull when
// MaxDiskSize would be exceeded (nothing is lost; the caller then Flushes).
func (b *Buffer) Spill(ctx context.Context) error {
	if !b.o.Spillable {
		return ErrNotSpillable
	}
	if len(b.seqs) == 0 {
		return nil
	}
	var limit int64
	if b.o.MaxDiskSize > 0 {
		limit = b.o.MaxDiskSize - b.spillBytes
		if limit <= 0 {
			return ErrSpillFull
		}
	}
	rr, err := b.parallelRun(b.spillRun())
	if err != nil {
		return err
	}
	name, n, rows, err := b.writeSpill(ctx, rr, limit)
	if err != nil {
		return err
	}
	b.spills = append(b.spills, name)
	b.spillBytes += n
	b.spillRows += rows
	b.free()
	if len(b.spills) >= maxSpillRuns {
		return b.compactSpills(ctx)
	}
	return nil
}

// compactSpills merges every spill file into one. On failure the old files
// stay in place and nothing is lost.
func (b *Buffer) compactSpills(ctx context.Context) error {
	runs, err := b.openSpills()
	if err != nil {
		return err
	}
	mo := b.mergeOptions()
	mo.KeepAll = b.o.KeepInput
	mo.BatchSize = b.spillBatch()
	mr, err := NewMergeReader(runs, mo)
	if err != nil {
		for _, r := range runs {
			r.Release()
		}
		return err
	}
	name, n, rows, err := b.writeSpill(ctx, prefetch(mr), 0)
	if err != nil {
		return err
	}
	for _, old := range b.spills {
		os.Remove(old)
	}
	b.spills, b.spillBytes, b.spillRows = []string{name}, n, rows
	return nil
}

// writeSpill writes every record of rr (which it releases) to a new spill
// file, up to limit bytes (0 = unbounded).
func (b *Buffer) writeSpill(ctx context.Context, rr array.RecordReader, limit int64) (string, int64, int, error) {
	return writeSpillFile(ctx, b.o.SpillDir, b.kvSchema, b.mem, rr, limit, true)
}

// writeSpillFile writes every record of rr (which it releases) to a new
// Arrow IPC file in dir, LZ4-compressed when lz4 is set, up to limit bytes
// (0 = unbounded). On error nothing is left behind.
func writeSpillFile(ctx context.Context, dir string, sc *arrow.Schema, mem memory.Allocator, rr array.RecordReader, limit int64, lz4 bool) (string, int64, int, error) {
	defer rr.Release()
	f, err := os.CreateTemp(dir, "floe-spill-*.arrows")
	if err != nil {
		return "", 0, 0, fmt.Errorf("lsm: create spill file: %w", err)
	}
	fail := func(err error) (string, int64, int, error) {
		f.Close()
		os.Remove(f.Name())
		if errors.Is(err, ErrSpillFull) {
			return "", 0, 0, ErrSpillFull
		}
		return "", 0, 0, err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	cw := &countingWriter{w: bw, limit: limit}
	opts := []ipc.Option{ipc.WithSchema(sc), ipc.WithAllocator(mem)}
	if lz4 {
		opts = append(opts, ipc.WithLZ4())
	}
	w := ipc.NewWriter(cw, opts...)
	rows := 0
	for rr.Next() {
		if err := ctx.Err(); err != nil {
			w.Close()
			return fail(err)
		}
		rec := rr.RecordBatch()
		rows += int(rec.NumRows())
		if err := w.Write(rec); err != nil {
			w.Close()
			return fail(fmt.Errorf("lsm: write spill file: %w", err))
		}
	}
	if err := rr.Err(); err != nil {
		w.Close()
		return fail(err)
	}
	if err := w.Close(); err != nil {
		return fail(fmt.Errorf("lsm: write spill file: %w", err))
	}
	if err := bw.Flush(); err != nil {
		return fail(fmt.Errorf("lsm: write spill file: %w", err))
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return "", 0, 0, fmt.Errorf("lsm: close spill file: %w", err)
	}
	return f.Name(), cw.n, rows, nil
}

// openSpillFile opens a reader of a spill file; Release closes the file.
func openSpillFile(name string, mem memory.Allocator) (array.RecordReader, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("lsm: read spill file %s: %w", name, err)
	}
	ir, err := ipc.NewReader(bufio.NewReaderSize(f, spillReadBuffer), ipc.WithAllocator(mem))
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lsm: read spill file %s: %w", name, err)
	}
	return &fileRun{Reader: ir, f: f}, nil
}

// fileRun reads a spill file and closes it on Release.
type fileRun struct {
	*ipc.Reader
	f *os.File
}

func (r *fileRun) Release() {
	r.Reader.Release()
	if r.f != nil {
		r.f.Close()
		r.f = nil
	}
}

// openSpills opens a reader on every spill file.
func (b *Buffer) openSpills() ([]array.RecordReader, error) {
	var runs []array.RecordReader
	for _, name := range b.spills {
		f, err := os.Open(name)
		if err == nil {
			var ir *ipc.Reader
			ir, err = ipc.NewReader(bufio.NewReaderSize(f, spillReadBuffer), ipc.WithAllocator(b.mem))
			if err == nil {
				runs = append(runs, &fileRun{Reader: ir, f: f})
				continue
			}
			f.Close()
		}
		for _, r := range runs {
			r.Release()
		}
		return nil, fmt.Errorf("lsm: read spill file %s: %w", name, err)
	}
	return runs, nil
}

// mergeOptions returns the options merging this buffer's runs.
func (b *Buffer) mergeOptions() MergeOptions {
	o := b.o.SortOptions
	keyCols := make([]int, len(o.KeyColumns))
	for i, c := range o.KeyColumns {
		keyCols[i] = c + kv.ValueOffset
	}
	seqCols := make([]int, len(o.SequenceColumns))
	for i, c := range o.SequenceColumns {
		seqCols[i] = c + kv.ValueOffset
	}
	return MergeOptions{
		KeyColumns:         keyCols,
		SequenceColumns:    seqCols,
		SequenceDescending: o.SequenceDescending,
		Engine:             o.Engine,
		BatchSize:          b.o.BatchSize,
		Alloc:              b.mem,
		Schema:             b.kvSchema,
	}
}

// Flush emits every buffered row, in memory and spilled, as KV records
// sorted by key with one record per key (the one Engine selects; a
// selected retract is emitted too), then empties the buffer. Each record
// is released after emit returns; emit must Retain it to keep it.
func (b *Buffer) Flush(ctx context.Context, emit func(arrow.Record) error) error {
	if len(b.spills) > 0 && len(b.seqs) > 0 {
		// The rows in memory join the merge of the spilled runs as a
		// run of their own. Spill them first: the merge and the Parquet
		// writer behind it then run without the buffer's pages, which
		// are written and freed before either starts. On a WriteMemory
		// run (20,000,000 rows, 64 MB buffer) this takes the peak RSS
		// from 270 to 208 MiB, for one more spill per flush. Out of
		// spill space, they are merged from memory as before.
		if err := b.Spill(ctx); err != nil && !errors.Is(err, ErrSpillFull) {
			return err
		}
	}
	rr, err := b.sorted(false)
	if err != nil {
		return err
	}
	err = drainTo(ctx, rr, emit)
	rr.Release()
	if err != nil {
		return err
	}
	b.reset()
	return nil
}

// Input emits every buffered record, in memory and spilled, as KV records
// sorted by key, sequence fields and sequence number, none merged: the
// input changelog of the flush that follows. It needs KeepInput and
// leaves the buffer as it is. Each record is released after emit returns.
func (b *Buffer) Input(ctx context.Context, emit func(arrow.Record) error) error {
	if !b.o.KeepInput {
		return fmt.Errorf("%w: Input needs KeepInput", ErrOptions)
	}
	rr, err := b.sorted(true)
	if err != nil {
		return err
	}
	err = drainTo(ctx, rr, emit)
	rr.Release()
	return err
}

// sorted reads the buffer's rows in key order: merged per key, or all of
// them (raw), made on goroutines of their own ahead of the reader.
func (b *Buffer) sorted(raw bool) (array.RecordReader, error) {
	var mem *memRun
	switch {
	case raw:
		mem = b.rawRun()
	case len(b.spills) > 0:
		// What the spills hold (raw records when the buffer keeps its
		// input), so every key is merged once, as a whole.
		mem = b.spillRun()
	default:
		mem = b.memRun()
	}
	if len(b.spills) == 0 {
		return b.parallelRun(mem)
	}
	runs, err := b.openSpills()
	if err != nil {
		mem.Release()
		return nil, err
	}
	if len(b.seqs) > 0 {
		pr, err := b.parallelRun(mem)
		if err != nil {
			for _, r := range runs {
				r.Release()
			}
			return nil, err
		}
		runs = append(runs, pr)
	} else {
		mem.Release()
	}
	mo := b.mergeOptions()
	mo.KeepAll = raw
	mr, err := NewMergeReader(runs, mo)
	if err != nil {
		return nil, err
	}
	return prefetch(mr), nil
}

func drainTo(ctx context.Context, rr array.RecordReader, emit func(arrow.Record) error) error {
	for rr.Next() {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := emit(rr.RecordBatch()); err != nil {
			return err
		}
	}
	return rr.Err()
}

func (b *Buffer) reset() {
	b.free()
	for _, s := range b.spills {
		os.Remove(s)
	}
	b.spills, b.spillBytes, b.spillRows = nil, 0, 0
}

// Close frees memory and removes spill files.
func (b *Buffer) Close() error {
	if b.closed {
		return nil
	}
	b.closed = true
	b.reset()
	b.off.freeAll()
	return nil
}
