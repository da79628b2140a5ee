package lsm

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/internal/kv"
	"github.com/floelake/floe/internal/take"
	"github.com/floelake/floe/merge"
	"github.com/floelake/floe/schema"
)

// cursor walks one sorted run batch by batch. The keys (and sequence-field
// order keys) of the current batch are encoded once when it is loaded.
type cursor struct {
	run   int
	rr    array.RecordReader
	rec   arrow.Record
	keys  []byte
	koffs []int // koffs[r], koffs[r+1] bound row r's key
	// pfx[r] is the first 8 bytes of row r's key, big-endian, zero-padded:
	// keys whose prefixes differ compare as their prefixes do.
	pfx   []uint64
	ords  []byte
	ooffs []int
	seqs  []int64
	kinds []int8
	pos   int
	n     int
	src   int32 // index of rec in the pending output's sources, -1 if none
	cols  []arrow.Array
}

func (c *cursor) key(r int) []byte { return c.keys[c.koffs[r]:c.koffs[r+1]] }

// keyPrefixes sets pfx[r] to the first 8 bytes of key r (zero-padded),
// read as a big-endian number.
func keyPrefixes(pfx []uint64, keys []byte, offs []int) []uint64 {
	n := len(offs) - 1
	pfx = slices.Grow(pfx[:0], n)[:n]
	for r := range pfx {
		k := keys[offs[r]:offs[r+1]]
		if len(k) >= 8 {
			pfx[r] = binary.BigEndian.Uint64(k)
			continue
		}
		var b [8]byte
		copy(b[:], k)
		pfx[r] = binary.BigEndian.Uint64(b[:])
	}
	return pfx
}

func (c *cursor) ord(r int) []byte {
	if c.ooffs == nil {
		return nil
	}
	return c.ords[c.ooffs[r]:c.ooffs[r+1]]
}

// rowCompare orders (key, order, seq) triples.
func rowCompare(ka, oa []byte, sa int64, kb, ob []byte, sb int64) int {
	if c := bytes.Compare(ka, kb); c != 0 {
		return c
	}
	if c := bytes.Compare(oa, ob); c != 0 {
		return c
	}
	switch {
	case sa < sb:
		return -1
	case sa > sb:
		return 1
	}
	return 0
}

// mergeReader implements array.RecordReader over a k-way merge.
type mergeReader struct {
	refs   atomic.Int64
	schema *arrow.Schema
	o      MergeOptions
	mem    memory.Allocator
	keyEnc *kv.KeyEncoder
	ordEnc *kv.KeyEncoder

	cursors []*cursor
	heap    []*cursor
	started bool

	srcs    []arrow.Record // retained sources of the pending output
	groups  merge.Groups
	reducer merge.Reducer
	gkey    []byte

	// Per record of the pending groups: its level, and its sequence-field
	// order key when looked-up versions must be inserted by it.
	glevels []int
	gords   [][2]int // bounds in gordBuf
	gordBuf []byte
	// Changelog: per group of the batch, and the keys to look up.
	states       []keyState
	lookupKeys   [][]byte
	lookupGroups []int
	lookupAt     []merge.Ref

	cur arrow.Record
	err error
}

// newEncoders returns the key and order encoders for a KV record schema.
func newEncoders(sc *arrow.Schema, keyCols, seqCols []int, seqDesc bool) (*kv.KeyEncoder, *kv.KeyEncoder, error) {
	kt := make([]arrow.DataType, len(keyCols))
	for i, c := range keyCols {
		if c < 0 || c >= sc.NumFields() {
			return nil, nil, fmt.Errorf("%w: key column %d of %d", ErrOptions, c, sc.NumFields())
		}
		kt[i] = sc.Field(c).Type
	}
	ke, err := kv.NewKeyEncoder(kt, nil)
	if err != nil {
		return nil, nil, err
	}
	if len(seqCols) == 0 {
		return ke, nil, nil
	}
	st := make([]arrow.DataType, len(seqCols))
	desc := make([]bool, len(seqCols))
	for i, c := range seqCols {
		if c < 0 || c >= sc.NumFields() {
			return nil, nil, fmt.Errorf("%w: sequence column %d of %d", ErrOptions, c, sc.NumFields())
		}
		st[i] = sc.Field(c).Type
		desc[i] = seqDesc
	}
	oe, err := kv.NewKeyEncoder(st, desc)
	if err != nil {
		return nil, nil, err
	}
	return ke, oe, nil
}

func newMergeReader(runs []array.RecordReader, o MergeOptions) (*mergeReader, error) {
	if o.Engine == nil {
		return nil, fmt.Errorf("%w: no merge engine", ErrOptions)
	}
	if o.BatchSize <= 0 {
		o.BatchSize = defaultBatchSize
	}
	sc := o.Schema
	if sc == nil && len(runs) > 0 {
		sc = runs[0].Schema()
	}
	if sc == nil {
		return nil, fmt.Errorf("%w: no schema and no runs", ErrOptions)
	}
	if sc.NumFields() < kv.ValueOffset || sc.Field(kv.SeqColumn).Type.ID() != arrow.INT64 || sc.Field(kv.KindColumn).Type.ID() != arrow.INT8 {
		return nil, fmt.Errorf("%w: not a KV record schema: %s", ErrOptions, sc)
	}
	ke, oe, err := newEncoders(sc, o.KeyColumns, o.SequenceColumns, o.SequenceDescending)
	if err != nil {
		return nil, err
	}
	mem := o.Alloc
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	red := merge.KeepAll()
	if !o.KeepAll {
		var err error
		if red, err = o.Engine.Reducer(valueColumns(sc, kv.ValueOffset)); err != nil {
			return nil, err
		}
	}
	if o.Levels != nil && len(o.Levels) != len(runs) {
		return nil, fmt.Errorf("%w: %d levels for %d runs", ErrOptions, len(o.Levels), len(runs))
	}
	if (o.LookupMerge || o.Changelog != nil) && o.KeepAll {
		return nil, fmt.Errorf("%w: a merge that keeps every record makes no lookup merge or changelog", ErrOptions)
	}
	r := &mergeReader{schema: sc, o: o, mem: mem, keyEnc: ke, ordEnc: oe, reducer: red}
	r.refs.Store(1)
	for i, rr := range runs {
		r.cursors = append(r.cursors, &cursor{run: i, rr: rr, src: -1})
	}
	return r, nil
}

// NewMergeReader merges sorted runs into one stream of KV records with one
// record per key. Each run yields KV records sorted by key (and, within a
// key, by sequence); all runs share one schema. Runs listed later are not
// assumed newer: ties on key are ordered by sequence fields and
// _SEQUENCE_NUMBER. The reader owns the runs and releases them.
//
// The reader is not safe for concurrent use. Each record it returns is
// valid until the next call to Next or Release.
func NewMergeReader(runs []array.RecordReader, o MergeOptions) (array.RecordReader, error) {
	r, err := newMergeReader(runs, o)
	if err != nil {
		for _, rr := range runs {
			rr.Release()
		}
		return nil, err
	}
	return r, nil
}

func (r *mergeReader) Retain() { r.refs.Add(1) }

func (r *mergeReader) Release() {
	if r.refs.Add(-1) != 0 {
		return
	}
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	r.releaseSources()
	for _, c := range r.cursors {
		if c.rec != nil {
			c.rec.Release()
			c.rec = nil
		}
		c.rr.Release()
	}
	r.cursors, r.heap = nil, nil
}

func (r *mergeReader) Schema() *arrow.Schema          { return r.schema }
func (r *mergeReader) Record() arrow.Record           { return r.cur }
func (r *mergeReader) RecordBatch() arrow.RecordBatch { return r.cur }
func (r *mergeReader) Err() error                     { return r.err }

func (r *mergeReader) releaseSources() {
	for _, s := range r.srcs {
		s.Release()
	}
	r.srcs = r.srcs[:0]
	for _, c := range r.cursors {
		c.src = -1
	}
}

// load moves c to its next non-empty batch; false at the end of the run.
func (r *mergeReader) load(c *cursor) (bool, error) {
	for c.rr.Next() {
		rec := c.rr.RecordBatch()
		if rec.NumRows() == 0 {
			continue
		}
		seq, ok1 := rec.Column(kv.SeqColumn).(*array.Int64)
		kind, ok2 := rec.Column(kv.KindColumn).(*array.Int8)
		if !ok1 || !ok2 || rec.NumCols() != int64(r.schema.NumFields()) {
			return false, fmt.Errorf("%w: run %d: record is not a KV record of the merge schema", ErrOptions, c.run)
		}
		rec.Retain()
		if c.rec != nil {
			c.rec.Release()
		}
		c.rec, c.src, c.pos, c.n = rec, -1, 0, int(rec.NumRows())
		c.seqs, c.kinds = seq.Int64Values(), kind.Int8Values()
		c.cols = c.cols[:0]
		for _, k := range r.o.KeyColumns {
			c.cols = append(c.cols, rec.Column(k))
		}
		c.keys, c.koffs = r.keyEnc.AppendAll(c.keys[:0], append(c.koffs[:0], 0), c.cols)
		c.pfx = keyPrefixes(c.pfx, c.keys, c.koffs)
		if r.ordEnc != nil {
			c.cols = c.cols[:0]
			for _, k := range r.o.SequenceColumns {
				c.cols = append(c.cols, rec.Column(k))
			}
			c.ords, c.ooffs = r.ordEnc.AppendAll(c.ords[:0], append(c.ooffs[:0], 0), c.cols)
		}
		return true, nil
	}
	if err := c.rr.Err(); err != nil {
		return false, fmt.Errorf("lsm: run %d: %w", c.run, err)
	}
	if c.rec != nil {
		c.rec.Release()
		c.rec = nil
	}
	return false, nil
}

func (r *mergeReader) less(a, b *cursor) bool {
	if pa, pb := a.pfx[a.pos], b.pfx[b.pos]; pa != pb {
		return pa < pb
	}
	c := rowCompare(a.key(a.pos), a.ord(a.pos), a.seqs[a.pos], b.key(b.pos), b.ord(b.pos), b.seqs[b.pos])
	if c != 0 {
		return c < 0
	}
	return a.run < b.run
}

func (r *mergeReader) down(i int) {
	h := r.heap
	n := len(h)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if rr := l + 1; rr < n && r.less(h[rr], h[l]) {
			m = rr
		}
		if !r.less(h[m], h[i]) {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

func (r *mergeReader) start() error {
	r.started = true
	for _, c := range r.cursors {
		ok, err := r.load(c)
		if err != nil {
			return err
		}
		if ok {
			r.heap = append(r.heap, c)
		}
	}
	for i := len(r.heap)/2 - 1; i >= 0; i-- {
		r.down(i)
	}
	return nil
}

func (r *mergeReader) srcOf(c *cursor) int32 {
	if c.src < 0 {
		c.rec.Retain()
		r.srcs = append(r.srcs, c.rec)
		c.src = int32(len(r.srcs) - 1)
	}
	return c.src
}

// group consumes all records of the smallest key into r.groups.
func (r *mergeReader) group() error {
	top := r.heap[0]
	r.gkey = append(r.gkey[:0], top.key(top.pos)...)
	gpfx := top.pfx[top.pos]
	g := &r.groups
	s := len(g.Refs)
	track := r.o.LookupMerge || r.o.Changelog != nil
	for len(r.heap) > 0 {
		top = r.heap[0]
		if top.pfx[top.pos] != gpfx || !bytes.Equal(top.key(top.pos), r.gkey) {
			break
		}
		g.Kinds = append(g.Kinds, schema.RowKind(top.kinds[top.pos]))
		g.Seqs = append(g.Seqs, top.seqs[top.pos])
		g.Refs = append(g.Refs, merge.Ref{Src: r.srcOf(top), Row: int32(top.pos)})
		if track {
			r.glevels = append(r.glevels, r.levelOf(top))
			if r.ordEnc != nil && r.o.Changelog != nil && r.o.Changelog.Lookup != nil {
				start := len(r.gordBuf)
				r.gordBuf = append(r.gordBuf, top.ord(top.pos)...)
				r.gords = append(r.gords, [2]int{start, len(r.gordBuf)})
			}
		}
		top.pos++
		if top.pos >= top.n {
			ok, err := r.load(top)
			if err != nil {
				return err
			}
			if !ok {
				last := len(r.heap) - 1
				r.heap[0] = r.heap[last]
				r.heap = r.heap[:last]
			}
		}
		if len(r.heap) > 1 {
			r.down(0)
		}
		if r.o.KeepAll {
			// Nothing is merged: every record is a group of its own, so
			// that batches keep their size.
			break
		}
	}
	if track {
		r.keyDone(s)
	}
	g.Ends = append(g.Ends, len(g.Refs))
	return nil
}

func (r *mergeReader) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if r.err != nil {
		return false
	}
	if !r.started {
		if err := r.start(); err != nil {
			r.err = err
			return false
		}
	}
	for len(r.heap) > 0 {
		r.groups.Reset()
		r.glevels, r.gords, r.gordBuf = r.glevels[:0], r.gords[:0], r.gordBuf[:0]
		r.states, r.lookupKeys, r.lookupGroups, r.lookupAt = r.states[:0], r.lookupKeys[:0], r.lookupGroups[:0], r.lookupAt[:0]
		for r.groups.Len() < r.o.BatchSize && len(r.heap) > 0 {
			if err := r.group(); err != nil {
				r.err = err
				r.releaseSources()
				return false
			}
		}
		if r.o.Changelog != nil {
			if err := r.lookUp(); err != nil {
				r.err = err
				r.releaseSources()
				return false
			}
		}
		r.groups.Srcs = append(r.groups.Srcs[:0], r.srcs...)
		r.groups.Offset = kv.ValueOffset
		var rec arrow.Record
		var err error
		if r.o.Changelog != nil {
			rec, err = r.reduceWithChangelog()
		} else {
			rec, err = reduceToRecord(r.reducer, &r.groups, r.mem, r.schema, r.o.DropRetracts)
		}
		r.releaseSources()
		if err != nil {
			r.err = err
			return false
		}
		if rec != nil {
			r.cur = rec
			return true
		}
	}
	r.releaseSources()
	return false
}

// valueColumns returns the names of sc's value columns (from column off).
func valueColumns(sc *arrow.Schema, off int) []string {
	out := make([]string, 0, sc.NumFields()-off)
	for i := off; i < sc.NumFields(); i++ {
		out = append(out, sc.Field(i).Name)
	}
	return out
}

// reduceToRecord reduces g and assembles the KV record of its output (kv
// schema sc), without retracts when dropRetracts. It returns nil when no
// row survives.
func reduceToRecord(red merge.Reducer, g *merge.Groups, mem memory.Allocator, sc *arrow.Schema, dropRetracts bool) (arrow.Record, error) {
	out, err := red.Reduce(g, mem)
	if err != nil {
		return nil, err
	}
	defer out.Release()
	rec := outputRecord(out, mem, sc)
	if dropRetracts {
		return withoutRetracts(mem, rec)
	}
	return rec, nil
}

// reduceWithChangelog reduces the batch's groups, hands their changelog
// to the hook, and returns the output (nil when no row survives).
func (r *mergeReader) reduceWithChangelog() (arrow.Record, error) {
	out, err := r.reducer.Reduce(&r.groups, r.mem)
	if err != nil {
		return nil, err
	}
	defer out.Release()
	rec := outputRecord(out, r.mem, r.schema)
	if err := r.emitChangelog(rec, out.Groups); err != nil {
		if rec != nil {
			rec.Release()
		}
		return nil, err
	}
	if r.o.DropRetracts {
		return withoutRetracts(r.mem, rec)
	}
	return rec, nil
}

// outputRecord assembles the KV record of a reduction (nil when empty).
func outputRecord(out *merge.Output, mem memory.Allocator, sc *arrow.Schema) arrow.Record {
	n := len(out.Kinds)
	if n == 0 {
		return nil
	}
	sb := array.NewInt64Builder(mem)
	kb := array.NewInt8Builder(mem)
	sb.AppendValues(out.Seqs, nil)
	kb.Reserve(n)
	for _, k := range out.Kinds {
		kb.UnsafeAppend(int8(k))
	}
	cols := make([]arrow.Array, 0, sc.NumFields())
	cols = append(cols, sb.NewArray(), kb.NewArray())
	sb.Release()
	kb.Release()
	for _, c := range out.Cols {
		c.Retain()
		cols = append(cols, c)
	}
	rec := array.NewRecordBatch(sc, cols, int64(n))
	for _, c := range cols {
		c.Release()
	}
	return rec
}

// withoutRetracts returns rec without its -U/-D rows (nil when none is
// left); it takes ownership of rec.
func withoutRetracts(mem memory.Allocator, rec arrow.Record) (arrow.Record, error) {
	if rec == nil {
		return nil, nil
	}
	kinds := rec.Column(kv.KindColumn).(*array.Int8).Int8Values()
	var keep []take.Ref
	for i, k := range kinds {
		if schema.RowKind(k).IsRetract() {
			if keep == nil {
				keep = make([]take.Ref, 0, len(kinds))
				for j := range i {
					keep = append(keep, take.Ref{Row: int32(j)})
				}
			}
			continue
		}
		if keep != nil {
			keep = append(keep, take.Ref{Row: int32(i)})
		}
	}
	if keep == nil {
		return rec, nil
	}
	defer rec.Release()
	if len(keep) == 0 {
		return nil, nil
	}
	return take.Record(mem, rec.Schema(), []arrow.Record{rec}, keep)
}
