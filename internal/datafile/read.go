package datafile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/floelake/floe/internal/kv"
	"github.com/floelake/floe/schema"
	"github.com/floelake/floe/storage"
)

const defaultBatchSize = 4096

// wholeFileLimit is the size up to which a data file is read with one
// request; larger files are read with ranged requests.
var wholeFileLimit int64 = 64 << 20 // a variable so tests can exercise ranged reads

// Open opens a data file for reading; the format comes from the file name's
// extension (parquet, avro; orc gives ErrUnsupportedFormat). The caller
// must Release the reader.
func Open(ctx context.Context, o ReadOptions) (array.RecordReader, error) {
	if o.Alloc == nil {
		o.Alloc = memory.DefaultAllocator
	}
	if o.BatchSize <= 0 {
		o.BatchSize = defaultBatchSize
	}
	out, err := outputSchema(o)
	if err != nil {
		return nil, err
	}
	switch strings.ToLower(path.Ext(o.Path)) {
	case ".parquet":
		return openParquet(ctx, o, out, false)
	case ".avro":
		return openAvro(ctx, o, out)
	}
	return nil, fmt.Errorf("%w: %s", ErrUnsupportedFormat, o.Path)
}

func outputSchema(o ReadOptions) (*arrow.Schema, error) {
	var fs []arrow.Field
	if o.KV {
		fs = append(fs, kv.SystemFields()...)
	}
	for _, f := range o.ReadFields {
		at, err := schema.ToArrow(f.Type)
		if err != nil {
			return nil, fmt.Errorf("%w: field %q: %v", ErrSchema, f.Name, err)
		}
		fs = append(fs, arrow.Field{Name: f.Name, Type: at, Nullable: !f.Type.NotNull,
			Metadata: arrow.NewMetadata([]string{schema.FieldIDKey}, []string{strconv.Itoa(f.ID)})})
	}
	return arrow.NewSchema(fs, nil), nil
}

// fileField returns the field of the file schema with id, if any.
func fileField(o ReadOptions, f schema.Field) (schema.Field, bool) {
	if o.FileFields == nil {
		return f, true
	}
	for _, ff := range o.FileFields {
		if ff.ID == f.ID {
			return ff, true
		}
	}
	return schema.Field{}, false
}

func corrupt(p string, err error) error {
	return fmt.Errorf("%w: %s: %v", ErrCorrupt, p, err)
}

// rangeReader is an io.ReaderAt over ranged store reads.
type rangeReader struct {
	ctx  context.Context
	st   *storage.Store
	key  string
	size int64
	pos  int64 // for Seek and Read
	mu   sync.Mutex
	err  error // the first store error (the Parquet reader hides it); columns decode concurrently
}

func (r *rangeReader) firstErr() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

func (r *rangeReader) ReadAt(p []byte, off int64) (int, error) {
	if off >= r.size {
		return 0, io.EOF
	}
	n := int64(len(p))
	if off+n > r.size {
		n = r.size - off
	}
	// Straight into p: arrow-go allocates a column chunk's buffer and
	// reads it here, so a copy through a buffer of the store's would
	// allocate and copy every chunk once more.
	c, err := r.st.ReadRangeInto(r.ctx, r.key, off, p[:n])
	if err != nil && err != io.EOF {
		r.mu.Lock()
		if r.err == nil {
			r.err = err
		}
		r.mu.Unlock()
		return 0, err
	}
	if c < len(p) {
		return c, io.EOF
	}
	return c, nil
}

func (r *rangeReader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += r.pos
	case io.SeekEnd:
		offset += r.size
	default:
		return 0, errors.New("datafile: bad whence")
	}
	if offset < 0 {
		return 0, errors.New("datafile: negative position")
	}
	r.pos = offset
	return offset, nil
}

func (r *rangeReader) Read(p []byte) (int, error) {
	n, err := r.ReadAt(p, r.pos)
	r.pos += int64(n)
	return n, err
}

type readerAtSeeker interface {
	io.ReaderAt
	io.ReadSeeker
}

func source(ctx context.Context, o ReadOptions) (readerAtSeeker, int64, error) {
	size := o.Size
	if o.LowMemory && size <= 0 {
		n, err := o.Store.Size(ctx, o.Path)
		if err != nil {
			return nil, 0, fmt.Errorf("datafile: read %s: %w", o.Path, err)
		}
		size = n
	}
	if size <= 0 || (size <= wholeFileLimit && !o.LowMemory) {
		b, err := o.Store.Read(ctx, o.Path)
		if err != nil {
			return nil, 0, fmt.Errorf("datafile: read %s: %w", o.Path, err)
		}
		if size > 0 && int64(len(b)) != size {
			return nil, 0, fmt.Errorf("%w: %s has %d bytes, its manifest records %d", ErrSize, o.Path, len(b), size)
		}
		return bytes.NewReader(b), int64(len(b)), nil
	}
	return &rangeReader{ctx: ctx, st: o.Store, key: o.Path, size: size}, size, nil
}

// recordReader is the array.RecordReader Open returns.
type recordReader struct {
	refs   atomic.Int64
	schema *arrow.Schema
	next   func() (arrow.RecordBatch, error) // nil, nil at the end
	close  func()
	cur    arrow.RecordBatch
	err    error
	done   bool
}

func newRecordReader(s *arrow.Schema, next func() (arrow.RecordBatch, error), close func()) *recordReader {
	r := &recordReader{schema: s, next: next, close: close}
	r.refs.Store(1)
	return r
}

func (r *recordReader) Retain() { r.refs.Add(1) }
func (r *recordReader) Release() {
	if r.refs.Add(-1) == 0 {
		if r.cur != nil {
			r.cur.Release()
			r.cur = nil
		}
		if r.close != nil {
			r.close()
			r.close = nil
		}
	}
}
func (r *recordReader) Schema() *arrow.Schema          { return r.schema }
func (r *recordReader) RecordBatch() arrow.RecordBatch { return r.cur }
func (r *recordReader) Record() arrow.RecordBatch      { return r.cur }
func (r *recordReader) Err() error                     { return r.err }
func (r *recordReader) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if r.done {
		return false
	}
	for {
		rec, err := r.next()
		if err != nil {
			r.err = err
			r.done = true
			return false
		}
		if rec == nil {
			r.done = true
			return false
		}
		if rec.NumRows() == 0 {
			rec.Release()
			continue
		}
		r.cur = rec
		return true
	}
}

// column describes how to produce one output column from the file.
type column struct {
	src      int // index in the file batch, -1: all null
	from, to schema.DataType
}

// parquetTopLevel returns the Paimon view of a top-level Parquet column.
func leafIndices(f *pqarrow.SchemaField, out []int) []int {
	if f.ColIndex >= 0 {
		return append(out, f.ColIndex)
	}
	for i := range f.Children {
		out = leafIndices(&f.Children[i], out)
	}
	return out
}

// openParquet opens a Parquet data file; pqarrowOnly (for tests) decodes
// every column with pqarrow.
func openParquet(ctx context.Context, o ReadOptions, out *arrow.Schema, pqarrowOnly bool) (rr array.RecordReader, err error) {
	src, size, err := source(ctx, o)
	if err != nil {
		return nil, err
	}
	// A failed ranged read surfaces from the Parquet reader as a decoding
	// error; report the store's error instead, which is not damage.
	corrupt := func(p string, err error) error {
		if rr, ok := src.(*rangeReader); ok && rr.firstErr() != nil {
			return fmt.Errorf("datafile: read %s: %w", p, rr.firstErr())
		}
		return corrupt(p, err)
	}
	defer func() {
		if r := recover(); r != nil {
			err = corrupt(o.Path, fmt.Errorf("%v", r))
			rr = nil
		}
	}()
	props := parquet.NewReaderProperties(o.Alloc)
	if o.LowMemory {
		// Column chunks are read page by page, not whole.
		props.BufferedStreamEnabled = true
		props.BufferSize = 64 << 10
	}
	pf, err := file.NewParquetReader(src, file.WithReadProps(props))
	if err != nil {
		return nil, corrupt(o.Path, err)
	}
	_ = size
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: int64(o.BatchSize), PreAllocBinaryData: preallocSafe(pf, o.BatchSize)}, o.Alloc)
	if err != nil {
		pf.Close()
		return nil, corrupt(o.Path, err)
	}
	top := fr.Manifest.Fields
	byName := make(map[string]int, len(top))
	byID := make(map[int]int, len(top))
	for i, f := range top {
		byName[f.Field.Name] = i
		if v, ok := f.Field.Metadata.GetValue(schema.FieldIDKey); ok {
			if id, err := strconv.Atoi(v); err == nil {
				byID[id] = i
			}
		}
	}
	find := func(name string, id int) int {
		if i, ok := byName[name]; ok {
			return i
		}
		if o.FileFields == nil {
			if i, ok := byID[id]; ok {
				return i
			}
		}
		return -1
	}
	var want []int // top-level file columns to read, in file order after sorting
	var cols []column
	need := func(i int) {
		for _, w := range want {
			if w == i {
				return
			}
		}
		want = append(want, i)
	}
	if o.KV {
		s := find(kv.SequenceNumber, schema.SequenceNumberFieldID)
		k := find(kv.ValueKind, schema.ValueKindFieldID)
		if s < 0 || k < 0 {
			pf.Close()
			return nil, fmt.Errorf("%w: %s has no %s/%s columns", ErrSchema, o.Path, kv.SequenceNumber, kv.ValueKind)
		}
		need(s)
		need(k)
		cols = append(cols, column{src: s, from: schema.NewBigInt().WithNotNull(true), to: schema.NewBigInt().WithNotNull(true)},
			column{src: k, from: schema.NewTinyInt().WithNotNull(true), to: schema.NewTinyInt().WithNotNull(true)})
	}
	for _, f := range o.ReadFields {
		ff, ok := fileField(o, f)
		c := column{src: -1, from: ff.Type, to: f.Type}
		if ok {
			c.src = find(ff.Name, ff.ID)
			if c.src >= 0 {
				need(c.src)
			}
		}
		cols = append(cols, c)
	}
	pos := make(map[int]int) // top-level index -> position in the batch
	// pqarrow returns selected fields in file order.
	sorted := append([]int(nil), want...)
	sortInts(sorted)
	int96 := map[int]arrow.Array{}
	releaseInt96 := func() {
		for _, a := range int96 {
			a.Release()
		}
	}
	j := 0
	for _, i := range sorted {
		if c := top[i].ColIndex; c >= 0 && pf.MetaData().Schema.Column(c).PhysicalType() == parquet.Types.Int96 {
			a, err := readInt96Column(o.Alloc, pf, c, top[i].Field.Nullable)
			if err != nil {
				releaseInt96()
				pf.Close()
				return nil, corrupt(o.Path, err)
			}
			int96[i] = a
			continue
		}
		pos[i] = j
		j++
	}
	nrows := pf.NumRows()
	var cb *columnBatches
	if j > 0 {
		// Flat STRING/BYTES columns decode with byteArrayReader, the
		// others with pqarrow's readers (returned in file order).
		cols := make([]columnSource, j)
		var pqLeaves []int
		var pqAt []int // positions of the pqarrow columns
		for _, i := range sorted {
			p, ok := pos[i]
			if !ok {
				continue
			}
			if !pqarrowOnly {
				if br := byteArrayColumn(ctx, fr, i, o.Alloc); br != nil {
					cols[p] = br
					continue
				}
			}
			pqLeaves = leafIndices(&top[i], pqLeaves)
			pqAt = append(pqAt, p)
		}
		if len(pqAt) > 0 {
			groups := make([]int, pf.NumRowGroups())
			for i := range groups {
				groups[i] = i
			}
			readers, _, err := fr.GetFieldReaders(ctx, pqLeaves, groups)
			if err == nil && len(readers) != len(pqAt) {
				for _, r := range readers {
					r.Release()
				}
				err = fmt.Errorf("%d column readers for %d columns", len(readers), len(pqAt))
			}
			if err != nil {
				releaseInt96()
				pf.Close()
				return nil, corrupt(o.Path, err)
			}
			for k, r := range readers {
				cols[pqAt[k]] = &pqColumn{r: r, mem: o.Alloc}
			}
		}
		cb = &columnBatches{cols: cols, workers: decodeWorkers(o)}
	}
	var row int64
	done := false
	next := func() (rec arrow.RecordBatch, err error) {
		defer func() {
			if r := recover(); r != nil {
				err = corrupt(o.Path, fmt.Errorf("%v", r))
				rec = nil
			}
		}()
		if done {
			return nil, nil
		}
		n := min(int64(o.BatchSize), nrows-row)
		if n <= 0 {
			done = true
			return nil, nil
		}
		var in []arrow.Array // the decoded columns, by position
		if cb != nil {
			if in, err = cb.next(n); err != nil {
				return nil, corrupt(o.Path, err)
			}
		}
		arrs := make([]arrow.Array, len(cols))
		defer func() {
			for _, a := range arrs {
				if a != nil {
					a.Release()
				}
			}
			for _, a := range in {
				a.Release()
			}
		}()
		for j, c := range cols {
			if c.src < 0 {
				arrs[j] = array.MakeArrayOfNull(o.Alloc, out.Field(j).Type, int(n))
				continue
			}
			var src arrow.Array
			if a, ok := int96[c.src]; ok {
				if row+n > int64(a.Len()) {
					return nil, corrupt(o.Path, fmt.Errorf("INT96 column shorter than the file"))
				}
				src = array.NewSlice(a, row, row+n)
			} else {
				src = in[pos[c.src]]
				src.Retain()
			}
			a, err := conform(ctx, o.Alloc, src, c.from, c.to)
			src.Release()
			if err != nil {
				return nil, castFailure(err, o.Path, out.Field(j).Name, row)
			}
			arrs[j] = a
		}
		rec = array.NewRecordBatch(out, arrs, n)
		start := row
		row += n
		if o.Deletes != nil {
			return applyDeletes(ctx, o, rec, start)
		}
		return rec, nil
	}
	closeFn := func() {
		if cb != nil {
			cb.release()
		}
		releaseInt96()
		pf.Close()
	}
	return newRecordReader(out, next, closeFn), nil
}

func sortInts(a []int) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

// applyDeletes drops the rows of rec whose file positions (start + i) are
// in o.Deletes. It takes ownership of rec.
func applyDeletes(ctx context.Context, o ReadOptions, rec arrow.RecordBatch, start int64) (arrow.RecordBatch, error) {
	n := int(rec.NumRows())
	any := false
	for i := 0; i < n; i++ {
		if o.Deletes.Contains(uint32(start + int64(i))) {
			any = true
			break
		}
	}
	if !any {
		return rec, nil
	}
	defer rec.Release()
	b := array.NewBooleanBuilder(o.Alloc)
	defer b.Release()
	b.Reserve(n)
	for i := 0; i < n; i++ {
		b.UnsafeAppend(!o.Deletes.Contains(uint32(start + int64(i))))
	}
	mask := b.NewArray()
	defer mask.Release()
	out, err := compute.FilterRecordBatch(compute.WithAllocator(ctx, o.Alloc), rec, mask, compute.DefaultFilterOptions())
	if err != nil {
		return nil, fmt.Errorf("datafile: %s: apply deletes: %w", o.Path, err)
	}
	return out, nil
}
