package table

import (
	"context"
	"errors"
	"fmt"
	"path"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/internal/datafile"
	"github.com/floelake/floe/internal/dv"
	"github.com/floelake/floe/internal/kv"
	"github.com/floelake/floe/lsm"
	"github.com/floelake/floe/manifest"
	"github.com/floelake/floe/merge"
	"github.com/floelake/floe/predicate"
	"github.com/floelake/floe/schema"
	"github.com/floelake/floe/storage"
)

// Read returns the rows of one split. Primary-key splits are merged
// (deduplicate / first-row engines, sequence tie-breaks) unless their files
// need no merging; deletion vectors are applied; rows of older schemas are
// read through field ids with Paimon's casts. The caller must Release the
// reader.
func (t *Table) Read(ctx context.Context, s *Split, opts ReadOptions) (array.RecordReader, error) {
	if opts.Alloc == nil {
		opts.Alloc = memory.DefaultAllocator
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 4096
	}
	if s.Branch != "" && s.Branch != t.branch {
		b, err := t.otherBranch(ctx, s.Branch)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBadSplit, err)
		}
		return b.Read(ctx, s, opts)
	}
	if s.Before != nil {
		return t.readDiff(ctx, s, opts)
	}
	rs, err := t.SchemaByID(ctx, s.SchemaID)
	if err != nil {
		return nil, fmt.Errorf("%w: read schema: %w", ErrBadSplit, err)
	}
	_, outFields, err := projectColumns(rs, s.Columns)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadSplit, err)
	}
	outSchema, err := schema.ArrowSchema(outFields)
	if err != nil {
		return nil, err
	}
	kinds := opts.RowKinds || s.Changes
	if kinds {
		outSchema = withKindField(outSchema)
	}
	var filter predicate.Predicate
	if s.Filter != "" {
		if err := filter.UnmarshalText([]byte(s.Filter)); err != nil {
			return nil, fmt.Errorf("%w: filter: %w", ErrBadSplit, err)
		}
	}
	pk := len(rs.PrimaryKeys) > 0

	// Columns to read: projection, key, sequence fields and filter columns,
	// in schema order.
	need := map[string]bool{}
	for _, c := range s.Columns {
		need[c] = true
	}
	if pk {
		for _, c := range rs.TrimmedPrimaryKeys() {
			need[c] = true
		}
		for _, c := range t.cfg.SequenceFields {
			need[c] = true
		}
	}
	if !filter.IsZero() {
		for _, c := range filter.Columns() {
			need[c] = true
		}
	}
	// The engine of the read schema: needed to merge (an engine that
	// cannot be built fails only a read that merges).
	var eng merge.Engine
	var engErr error
	if pk {
		eng, engErr = t.engineFor(rs)
	}
	if eng != nil {
		// Sequence groups of read columns are needed to merge them.
		var cols []string
		for _, f := range rs.Fields {
			if need[f.Name] {
				cols = append(cols, f.Name)
			}
		}
		for _, c := range eng.ReadColumns(cols) {
			need[c] = true
		}
	}
	var readFields []schema.Field
	for _, f := range rs.Fields {
		if need[f.Name] {
			readFields = append(readFields, f)
		}
	}
	off := 0
	if pk {
		off = kv.ValueOffset
	}
	pos := func(name string) int {
		for i, f := range readFields {
			if f.Name == name {
				return i + off
			}
		}
		return -1
	}
	tr := &transform{out: outSchema, alloc: opts.Alloc, dropRetracts: pk && !s.Changes && !opts.KeepDeletes}
	if kinds {
		tr.kinds = kindsInsert
		if pk && (s.Changes || !s.Raw || opts.KeepDeletes) {
			tr.kinds = kindsStored
		}
		tr.cols = append(tr.cols, kindsColumn)
	}
	for _, f := range outFields {
		tr.cols = append(tr.cols, pos(f.Name))
	}
	if !filter.IsZero() {
		if tr.filter, err = predicate.Bind(filter, readFields, false); err != nil {
			return nil, fmt.Errorf("%w: filter: %w", ErrBadSplit, err)
		}
		if tr.filter.MatchesAll() {
			tr.filter = nil
		} else {
			tr.filterCols = make([]int, len(readFields))
			for i := range readFields {
				tr.filterCols[i] = i + off
			}
		}
	}

	deletes, err := t.loadDeletes(ctx, s)
	if err != nil {
		return nil, err
	}
	dir, err := t.BucketPath(s.Partition, s.Bucket)
	if err != nil {
		return nil, fmt.Errorf("%w: partition: %w", ErrBadSplit, err)
	}
	open := func(i int) lsm.Opener {
		f := &s.Files[i]
		var del datafile.Deletes
		if deletes[i] != nil {
			del = deletes[i]
		}
		return t.opener(ctx, dataFileRead{
			dir: dir, file: f, readFields: readFields, kv: pk, deletes: del,
			batch: opts.BatchSize, alloc: opts.Alloc, manifest: s.manifestOf(i),
		})
	}
	var src array.RecordReader
	if !pk || s.Raw || s.Changes {
		opens := make([]lsm.Opener, len(s.Files))
		for i := range s.Files {
			opens[i] = open(i)
		}
		src = lsm.Concat(nil, opens)
	} else {
		if engErr != nil {
			return nil, engErr
		}
		src, err = t.mergeReader(eng, rs, s, readFields, pos, open, opts)
		if err != nil {
			return nil, err
		}
	}
	return newTransformReader(ctx, src, tr), nil
}

// lookupMerge says whether merges of the table's levels reduce level 0
// with the key's version of the lowest level above only: tables whose
// compactions of level 0 look that version up and merge it in (lookup
// changelog, deletion vectors, force-lookup), as Paimon wraps their merge
// function in LookupMergeFunction. First-row needs no wrapping.
func (cfg *Config) lookupMerge(engine merge.Engine) bool {
	return !engine.Traits().NeedsLookup &&
		(cfg.DeletionVectorsEnabled || cfg.ForceLookup || cfg.ChangelogProducer == ChangelogLookup)
}

// mergeReader merges a primary-key split: sections of overlapping files,
// each a set of sorted runs merged through the table's merge engine.
func (t *Table) mergeReader(engine merge.Engine, rs *schema.Table, s *Split, readFields []schema.Field, pos func(string) int,
	open func(int) lsm.Opener, opts ReadOptions) (array.RecordReader, error) {
	mo := lsm.MergeOptions{
		Engine: engine, DropRetracts: !opts.KeepDeletes, BatchSize: opts.BatchSize, Alloc: opts.Alloc,
		SequenceDescending: t.cfg.SequenceSortOrder == "descending",
		LookupMerge:        t.cfg.lookupMerge(engine),
	}
	vs, err := schema.ArrowSchema(readFields)
	if err != nil {
		return nil, err
	}
	// A preset schema keeps an open error of a run's first file from
	// surfacing as a schema problem: it is reported by the reader.
	mo.Schema = kv.RecordSchema(vs)
	for _, k := range rs.TrimmedPrimaryKeys() {
		mo.KeyColumns = append(mo.KeyColumns, pos(k))
	}
	for _, c := range t.cfg.SequenceFields {
		p := pos(c)
		if p < 0 {
			return nil, fmt.Errorf("table: sequence.field %q is not a column", c)
		}
		mo.SequenceColumns = append(mo.SequenceColumns, p)
	}
	keyTypes := make([]schema.DataType, 0, len(mo.KeyColumns))
	for _, f := range rs.TrimmedPrimaryKeyFields() {
		keyTypes = append(keyTypes, f.Type)
	}
	return lsm.MergeFiles(s.Files, open, keyCompare(keyTypes), mo), nil
}

// loadDeletes reads the deletion vectors of a split's files, one read per
// index file. A vector that does not decode where the index manifest
// places it, holds another number of positions than it records, or
// deletes a row beyond its data file's end, is an error: when the index
// file itself is whole (dv.CheckBlocks) the index manifest is the damaged
// one (manifest.ErrCorrupt), otherwise the index file (dv.ErrCorrupt).
func (t *Table) loadDeletes(ctx context.Context, s *Split) ([]*dv.Vector, error) {
	out := make([]*dv.Vector, len(s.Files))
	if len(s.Deletes) == 0 {
		return out, nil
	}
	type indexFile struct {
		b     []byte
		whole error // dv.CheckBlocks
	}
	files := map[string]*indexFile{}
	for i, d := range s.Deletes {
		if d == nil {
			continue
		}
		p := t.indexPath(s, d)
		where := "index file " + p
		if d.IndexManifest != "" {
			where += " listed in index manifest " + d.IndexManifest
		}
		manifestErr := func(format string, args ...any) error {
			im := d.IndexManifest
			if im == "" {
				im = "(unknown)"
			}
			return fmt.Errorf("index manifest %s: %w: %s", im, manifest.ErrCorrupt, fmt.Sprintf(format, args...))
		}
		f, ok := files[p]
		if !ok {
			b, err := t.store.Read(ctx, p)
			if err != nil {
				return nil, fmt.Errorf("read deletion vectors: %s: %w", where, err)
			}
			f = &indexFile{b: b, whole: dv.CheckBlocks(b)}
			files[p] = f
			if d.IndexFileSize > 0 && int64(len(b)) != d.IndexFileSize {
				if f.whole != nil {
					return nil, fmt.Errorf("%s: %w", where, f.whole)
				}
				return nil, manifestErr("it records %d bytes for index file %s, which has %d", d.IndexFileSize, p, len(b))
			}
		}
		name := s.Files[i].FileName
		v, err := dv.Decode(f.b, d.Offset, d.Length)
		if err != nil {
			if f.whole != nil {
				return nil, fmt.Errorf("deletion vector of %s in %s: %w", name, where, err)
			}
			return nil, manifestErr("no deletion vector of %s at offset %d, length %d of index file %s: %v", name, d.Offset, d.Length, p, err)
		}
		if d.Cardinality != nil && uint64(*d.Cardinality) != v.Cardinality() {
			return nil, manifestErr("it records %d deleted rows for %s, the vector in %s holds %d", *d.Cardinality, name, p, v.Cardinality())
		}
		if last, ok := v.Max(); ok && last >= uint64(s.Files[i].RowCount) {
			return nil, manifestErr("the deletion vector for %s in %s deletes row %d, but manifest %s lists the file with %d rows",
				name, p, last, s.manifestOf(i), s.Files[i].RowCount)
		}
		out[i] = v
	}
	return out, nil
}

func (t *Table) indexPath(s *Split, d *DeletionFile) string {
	if d.ExternalPath != nil {
		return *d.ExternalPath
	}
	if v, ok := t.latest.Option("index-file-in-data-file-dir"); ok && v == "true" {
		if dir, err := t.BucketPath(s.Partition, s.Bucket); err == nil {
			return path.Join(dir, d.IndexFile)
		}
	}
	return path.Join("index", d.IndexFile)
}

// namedReader names the data file (and its manifest) in read errors.
type namedReader struct {
	array.RecordReader
	what string
}

func (r *namedReader) Err() error {
	if err := r.RecordReader.Err(); err != nil {
		return fmt.Errorf("%s: %w", r.what, err)
	}
	return nil
}

// transform filters, drops retract rows and projects the records of a
// split to the plan's schema.
type transform struct {
	out          *arrow.Schema
	cols         []int // output column -> source column (kindsColumn: the row kinds)
	filter       *predicate.Bound
	filterCols   []int
	dropRetracts bool
	kinds        kindsMode
	alloc        memory.Allocator
	sel          []int32
}

// kindsMode says where the output's row kinds come from.
type kindsMode int8

const (
	kindsNone   kindsMode = iota
	kindsInsert           // every row is +I
	kindsStored           // the KV record's _VALUE_KIND
)

// kindsColumn in transform.cols marks the row-kind output column.
const kindsColumn = -2

// apply returns the output record for rec (nil when no row survives).
func (tr *transform) apply(ctx context.Context, rec arrow.Record) (arrow.Record, error) {
	n := int(rec.NumRows())
	sel := tr.sel[:0]
	all := true
	if tr.filter != nil {
		var err error
		if sel, err = tr.filter.Filter(rec, tr.filterCols, sel); err != nil {
			return nil, err
		}
		all = len(sel) == n
	} else {
		for i := 0; i < n; i++ {
			sel = append(sel, int32(i))
		}
	}
	if tr.dropRetracts {
		kinds, ok := rec.Column(kv.KindColumn).(*array.Int8)
		if !ok {
			return nil, errors.New("table: KV record without an int8 _VALUE_KIND column")
		}
		k := sel[:0]
		for _, i := range sel {
			if !schema.RowKind(kinds.Value(int(i))).IsRetract() {
				k = append(k, i)
			}
		}
		all = all && len(k) == len(sel)
		sel = k
	}
	tr.sel = sel
	if len(sel) == 0 && n > 0 {
		return nil, nil
	}
	cols := make([]arrow.Array, len(tr.cols))
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	var idx arrow.Array
	if !all {
		b := array.NewInt32Builder(tr.alloc)
		b.AppendValues(sel, nil)
		idx = b.NewArray()
		b.Release()
		defer idx.Release()
	}
	for i, c := range tr.cols {
		want := tr.out.Field(i).Type
		if c == kindsColumn {
			a, err := tr.kindStrings(rec, sel)
			if err != nil {
				return nil, err
			}
			cols[i] = a
			continue
		}
		if c < 0 {
			a := array.MakeArrayOfNull(tr.alloc, want, len(sel))
			cols[i] = a
			continue
		}
		src := rec.Column(c)
		if !arrow.TypeEqual(src.DataType(), want) {
			return nil, fmt.Errorf("table: column %q read as %s, want %s", tr.out.Field(i).Name, src.DataType(), want)
		}
		if all {
			src.Retain()
			cols[i] = src
			continue
		}
		d, err := compute.TakeArray(compute.WithAllocator(ctx, tr.alloc), src, idx)
		if err != nil {
			return nil, err
		}
		cols[i] = d
	}
	return array.NewRecord(tr.out, cols, int64(len(sel))), nil
}

// transformReader applies a transform to every record of a source.
type transformReader struct {
	ctx  context.Context // bound to the Read call that opened it
	refs int64
	src  array.RecordReader
	tr   *transform
	cur  arrow.Record
	err  error
}

func newTransformReader(ctx context.Context, src array.RecordReader, tr *transform) *transformReader {
	return &transformReader{ctx: ctx, refs: 1, src: src, tr: tr}
}

func (r *transformReader) Retain() { atomic.AddInt64(&r.refs, 1) }
func (r *transformReader) Release() {
	if atomic.AddInt64(&r.refs, -1) == 0 {
		if r.cur != nil {
			r.cur.Release()
			r.cur = nil
		}
		if r.src != nil {
			r.src.Release()
			r.src = nil
		}
	}
}
func (r *transformReader) Schema() *arrow.Schema { return r.tr.out }
func (r *transformReader) Record() arrow.Record  { return r.cur }
func (r *transformReader) RecordBatch() arrow.Record {
	return r.cur
}
func (r *transformReader) Err() error { return r.err }

func (r *transformReader) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if r.err != nil || r.src == nil {
		return false
	}
	for r.src.Next() {
		out, err := r.tr.apply(r.ctx, r.src.Record())
		if err != nil {
			r.err = err
			return false
		}
		if out != nil {
			r.cur = out
			return true
		}
	}
	r.err = r.src.Err()
	return false
}

// dataFileRead says how to open one data file.
type dataFileRead struct {
	dir        string // bucket directory
	file       *manifest.DataFile
	readFields []schema.Field
	kv         bool
	deletes    datafile.Deletes
	batch      int
	alloc      memory.Allocator
	manifest   string // the manifest that lists it, for errors ("" = unknown)
	lowMemory  bool   // many files open at once: read in ranges
}

// opener opens a data file with the schema it was written with, read as
// r.readFields. Errors name the file and the manifest that lists it; a
// file whose size is not the one its manifest records is ErrCorrupt.
func (t *Table) opener(ctx context.Context, r dataFileRead) lsm.Opener {
	f := r.file
	return func() (array.RecordReader, error) {
		fs, err := t.SchemaByID(ctx, f.SchemaID)
		if err != nil {
			return nil, err
		}
		p := r.dir + "/" + f.FileName
		if f.ExternalPath != nil {
			p = *f.ExternalPath
		}
		o := datafile.ReadOptions{
			Store: t.store, Path: p, Size: f.FileSize,
			FileFields: fs.Fields, ReadFields: r.readFields, KV: r.kv,
			BatchSize: r.batch, Alloc: r.alloc, Deletes: r.deletes, LowMemory: r.lowMemory,
		}
		what := "data file " + p
		if r.manifest != "" {
			what += " listed in manifest " + r.manifest
		}
		rd, err := datafile.Open(ctx, o)
		if err != nil {
			if errors.Is(err, datafile.ErrUnsupportedFormat) {
				// A name with an unknown extension that does not
				// exist is a missing file, not a new format.
				if _, serr := t.store.Size(ctx, p); errors.Is(serr, storage.ErrNotFound) {
					err = serr
				}
			}
			if errors.Is(err, datafile.ErrSize) {
				// The manifest's record of the file is wrong (or
				// the file was replaced): the metadata is corrupt.
				return nil, fmt.Errorf("%s: %w: %w", what, manifest.ErrCorrupt, err)
			}
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		return &namedReader{RecordReader: rd, what: what}, nil
	}
}

// kindStrings is the row-kind column of the selected rows: two bytes a
// row ("+I", "-U", "+U", "-D"), built directly as a string array.
func (tr *transform) kindStrings(rec arrow.Record, sel []int32) (arrow.Array, error) {
	n := len(sel)
	offsets := memory.NewResizableBuffer(tr.alloc)
	offsets.Resize(4 * (n + 1))
	data := memory.NewResizableBuffer(tr.alloc)
	data.Resize(2 * n)
	defer offsets.Release()
	defer data.Release()
	off := arrow.Int32Traits.CastFromBytes(offsets.Bytes())
	d := data.Bytes()
	var stored *array.Int8
	if tr.kinds == kindsStored {
		var ok bool
		if stored, ok = rec.Column(kv.KindColumn).(*array.Int8); !ok {
			return nil, errors.New("table: KV record without an int8 _VALUE_KIND column")
		}
	}
	for i, r := range sel {
		off[i] = int32(2 * i)
		k := schema.Insert
		if stored != nil {
			k = schema.RowKind(stored.Value(int(r)))
		}
		sign, letter := byte('+'), byte('I')
		switch k {
		case schema.Insert:
		case schema.UpdateBefore:
			sign, letter = '-', 'U'
		case schema.UpdateAfter:
			letter = 'U'
		case schema.Delete:
			sign, letter = '-', 'D'
		default:
			return nil, fmt.Errorf("table: %w %d", schema.ErrRowKind, int8(k))
		}
		d[2*i], d[2*i+1] = sign, letter
	}
	off[n] = int32(2 * n)
	ad := array.NewData(arrow.BinaryTypes.String, n, []*memory.Buffer{nil, offsets, data}, nil, 0, 0)
	defer ad.Release()
	return array.NewStringData(ad), nil
}
