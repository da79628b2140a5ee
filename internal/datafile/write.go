package datafile

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/google/uuid"

	"github.com/floelake/floe/internal/binrow"
	"github.com/floelake/floe/internal/kv"
	"github.com/floelake/floe/manifest"
	"github.com/floelake/floe/schema"
	"github.com/floelake/floe/storage"
)

// Row groups are flushed at min(target file size, maxRowGroup), as
// parquet-mr's 128 MiB block size.
const (
	maxRowGroup     = 128 << 20
	writeChunk      = 16 << 10 // rows per write slice, so files roll mid-record
	defaultTruncate = 16       // metadata.stats-mode default truncate(16)
	// dataPageSize is where a data page is cut: after the batch of values
	// that reaches it. arrow-go's page buffers grow by powers of two, so
	// a cut at 1 MiB (its default) leaves every page a little over 1 MiB
	// in a 2 MiB buffer; a cut 64 KiB earlier keeps pages (and buffers)
	// under 1 MiB unless a batch of values is larger than that.
	dataPageSize = 1<<20 - 64<<10
	keyTruncate  = 128 // key statistics mode since Paimon 1.0
)

// state is the per-file part of a Writer.
type fileState struct {
	name     string
	key      string
	ow       *storage.ObjectWriter // the object being streamed
	bw       *bufio.Writer         // buffers writes into ow
	cw       *countingWriter       // counts bytes written into bw
	pw       *pqWriter
	rows     int64
	deletes  int64
	minSeq   int64
	maxSeq   int64
	minKey   []byte
	maxKey   []byte
	keyStats []*colStats
	valStats []*colStats
	rgRaw    int64 // in-memory bytes buffered in the current row group
}

// newFile starts a file whose first record (physical columns) is first;
// its columns decide which are dictionary encoded.
func (w *Writer) newFile(ctx context.Context, first arrow.RecordBatch) error {
	name := fmt.Sprintf("%s%s-%d.parquet", w.o.Prefix, w.uuid, w.counter)
	w.counter++
	key := name
	if w.o.Dir != "" {
		key = strings.TrimSuffix(w.o.Dir, "/") + "/" + name
	}
	// Files stream to storage: memory holds one row group, not one file.
	ow, err := w.o.Store.NewWriter(ctx, key)
	if err != nil {
		return fmt.Errorf("datafile: store %s: %w", key, err)
	}
	bw := bufio.NewWriterSize(ow, 1<<20)
	cw := &countingWriter{w: bw}
	props := w.props
	if first != nil {
		var plain []parquet.WriterProperty
		for j, f := range w.phys.Fields() {
			if !wantDictionary(first.Column(j)) {
				plain = append(plain, parquet.WithDictionaryFor(f.Name, false))
			}
		}
		if len(plain) > 0 {
			props = parquet.NewWriterProperties(append(w.propOpts, plain...)...)
		}
	}
	pw, err := newPQWriter(w.phys, cw, props, w.aprops)
	if err != nil {
		ow.Abort()
		return fmt.Errorf("datafile: new parquet writer: %w", err)
	}
	f := &fileState{name: name, key: key, ow: ow, bw: bw, cw: cw, pw: pw}
	for _, k := range w.o.KeyFields {
		f.keyStats = append(f.keyStats, newColStats(k.Type))
	}
	for _, v := range w.o.Fields {
		f.valStats = append(f.valStats, newColStats(v.Type))
	}
	w.cur = f
	return nil
}

func compression(name string) (compress.Compression, error) {
	switch strings.ToLower(name) {
	case "", "zstd":
		return compress.Codecs.Zstd, nil
	case "snappy":
		return compress.Codecs.Snappy, nil
	case "gzip":
		return compress.Codecs.Gzip, nil
	case "lz4":
		return compress.Codecs.Lz4Raw, nil
	case "none", "uncompressed":
		return compress.Codecs.Uncompressed, nil
	}
	return 0, fmt.Errorf("%w: compression %q", ErrUnsupportedFormat, name)
}

// physField adjusts an Arrow field to the physical representation Java
// writes: TIME as INT32 millis, BINARY(n) as a plain BINARY.
func physType(t schema.DataType, at arrow.DataType) arrow.DataType {
	switch t.Kind {
	case schema.Time:
		return arrow.FixedWidthTypes.Time32ms
	case schema.Binary:
		return arrow.BinaryTypes.Binary
	}
	return at
}

// NewWriter returns a writer; no file is created before the first Write.
func NewWriter(o WriterOptions) (*Writer, error) {
	if o.Format != "" && !strings.EqualFold(o.Format, "parquet") {
		return nil, fmt.Errorf("%w: write %q", ErrUnsupportedFormat, o.Format)
	}
	if o.Store == nil {
		return nil, fmt.Errorf("%w: no store", ErrSchema)
	}
	if o.Alloc == nil {
		o.Alloc = memory.DefaultAllocator
	}
	if o.Prefix == "" {
		o.Prefix = "data-"
	}
	if o.TargetFileSize <= 0 {
		o.TargetFileSize = 128 << 20
	}
	if len(o.StatsModes) != len(o.Fields) {
		modes := make([]StatsMode, len(o.Fields))
		for i := range modes {
			modes[i] = StatsMode{Kind: StatsTruncate, Length: 16}
		}
		copy(modes, o.StatsModes)
		o.StatsModes = modes
	}
	codec, err := compression(o.Compression)
	if err != nil {
		return nil, err
	}
	level := compress.DefaultCompressionLevel
	if codec == compress.Codecs.Zstd {
		level = o.ZstdLevel
		if level == 0 {
			level = 1
		}
	}
	w := &Writer{o: o, uuid: uuid.NewString()}
	w.propOpts = []parquet.WriterProperty{
		parquet.WithAllocator(o.Alloc),
		parquet.WithCompression(codec),
		parquet.WithCompressionLevel(level),
		parquet.WithStoreDecimalAsInteger(true),
		parquet.WithMaxRowGroupLength(1 << 40),
		parquet.WithDataPageVersion(parquet.DataPageV1),
		parquet.WithDataPageSize(dataPageSize),
		parquet.WithDictionaryDefault(true),
		parquet.WithStats(true),
	}
	w.props = parquet.NewWriterProperties(w.propOpts...)
	w.aprops = pqarrow.NewArrowWriterProperties(
		pqarrow.WithAllocator(o.Alloc),
		pqarrow.WithDeprecatedInt96Timestamps(true),
	)
	w.rowGroup = min(o.TargetFileSize, maxRowGroup)
	if o.RowGroupSize > 0 {
		w.rowGroup = min(w.rowGroup, o.RowGroupSize)
	}
	var fs []arrow.Field
	add := func(f schema.Field) error {
		af, err := schema.ArrowField(f)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrSchema, err)
		}
		af.Type = physType(f.Type, af.Type)
		fs = append(fs, af)
		w.physFields = append(w.physFields, f)
		return nil
	}
	if o.KeyFields != nil {
		for _, k := range o.KeyFields {
			idx := -1
			for i, f := range o.Fields {
				if f.ID == k.ID || f.Name == k.Name {
					idx = i
					break
				}
			}
			if idx < 0 {
				return nil, fmt.Errorf("%w: key field %q is not a table column", ErrSchema, k.Name)
			}
			w.keyIdx = append(w.keyIdx, idx)
			if !o.ThinMode {
				if err := add(schema.Field{ID: schema.KeyFieldIDStart + k.ID, Name: kv.KeyPrefix + k.Name, Type: k.Type}); err != nil {
					return nil, err
				}
			}
		}
		fs = append(fs,
			arrow.Field{Name: kv.SequenceNumber, Type: arrow.PrimitiveTypes.Int64,
				Metadata: arrow.NewMetadata([]string{schema.FieldIDKey}, []string{strconv.Itoa(schema.SequenceNumberFieldID)})},
			arrow.Field{Name: kv.ValueKind, Type: arrow.PrimitiveTypes.Int8,
				Metadata: arrow.NewMetadata([]string{schema.FieldIDKey}, []string{strconv.Itoa(schema.ValueKindFieldID)})})
		w.physFields = append(w.physFields,
			schema.Field{ID: schema.SequenceNumberFieldID, Name: kv.SequenceNumber, Type: schema.NewBigInt().WithNotNull(true)},
			schema.Field{ID: schema.ValueKindFieldID, Name: kv.ValueKind, Type: schema.NewTinyInt().WithNotNull(true)})
	}
	for _, f := range o.Fields {
		if err := add(f); err != nil {
			return nil, err
		}
	}
	w.phys = arrow.NewSchema(fs, nil)
	// Map each physical column to the value column (and key statistics)
	// whose statistics its encoding goroutine gathers.
	w.valOfPhys = make([]int, len(fs))
	for j := range w.valOfPhys {
		w.valOfPhys[j] = -1
	}
	first := len(fs) - len(o.Fields)
	w.keysOfVal = make([][]int, len(o.Fields))
	for i := range o.Fields {
		w.valOfPhys[first+i] = i
	}
	for k, i := range w.keyIdx {
		w.keysOfVal[i] = append(w.keysOfVal[i], k)
	}
	w.nextSeq = o.FirstSequence
	return w, nil
}

// NextSequence returns the sequence number the next appended row gets
// (append layouts).
func (w *Writer) NextSequence() int64 { return w.nextSeq }

func (w *Writer) isKV() bool { return w.o.KeyFields != nil }

// Write appends rec: a KV record sorted by key for primary-key layouts, a
// value record for append layouts. Files roll at TargetFileSize.
func (w *Writer) Write(ctx context.Context, rec arrow.RecordBatch) error {
	if w.closed {
		return fmt.Errorf("%w: write after close", ErrSchema)
	}
	want := len(w.o.Fields)
	off := 0
	if w.isKV() {
		want += kv.ValueOffset
		off = kv.ValueOffset
	}
	if int(rec.NumCols()) != want {
		return fmt.Errorf("%w: record has %d columns, want %d", ErrSchema, rec.NumCols(), want)
	}
	if w.isKV() {
		if rec.Column(kv.SeqColumn).DataType().ID() != arrow.INT64 || rec.Column(kv.KindColumn).DataType().ID() != arrow.INT8 {
			return fmt.Errorf("%w: KV record without int64 %s and int8 %s", ErrSchema, kv.SequenceNumber, kv.ValueKind)
		}
	}
	for i, f := range w.o.Fields {
		at, err := schema.ToArrow(f.Type)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrSchema, err)
		}
		if got := rec.Column(off + i).DataType(); !arrow.TypeEqual(got, at) && got.ID() != at.ID() {
			return fmt.Errorf("%w: column %q is %s, want %s", ErrSchema, f.Name, got, at)
		}
	}
	n := rec.NumRows()
	var perRow float64
	if n > 0 {
		perRow = float64(kv.RecordSize(rec)) / float64(n)
	}
	for start := int64(0); start < n; start += writeChunk {
		if err := ctx.Err(); err != nil {
			return err
		}
		end := min(n, start+writeChunk)
		sl := rec.NewSlice(start, end)
		err := w.writeChunk(ctx, sl, int64(perRow*float64(end-start)))
		sl.Release()
		if err != nil {
			return err
		}
	}
	return nil
}

func (w *Writer) writeChunk(ctx context.Context, rec arrow.RecordBatch, rawSize int64) error {
	n := rec.NumRows()
	if n == 0 {
		return nil
	}
	cols := make([]arrow.Array, 0, len(w.phys.Fields()))
	var release []arrow.Array
	defer func() {
		for _, a := range release {
			a.Release()
		}
	}()
	off := 0
	if w.isKV() {
		off = kv.ValueOffset
		if !w.o.ThinMode {
			for _, i := range w.keyIdx {
				cols = append(cols, rec.Column(off+i))
			}
		}
		cols = append(cols, rec.Column(kv.SeqColumn), rec.Column(kv.KindColumn))
	}
	for i := range w.o.Fields {
		cols = append(cols, rec.Column(off+i))
	}
	// Physical conversions and Arrow type normalisation.
	for j, a := range cols {
		pf := w.phys.Field(j)
		if arrow.TypeEqual(a.DataType(), pf.Type, arrow.CheckMetadata()) {
			continue
		}
		var c arrow.Array
		var err error
		switch pt := pf.Type.(type) {
		case *arrow.Time32Type:
			c, err = convertTime(w.o.Alloc, a, pt)
		case *arrow.BinaryType:
			if fb, ok := a.(*array.FixedSizeBinary); ok {
				b := array.NewBinaryBuilder(w.o.Alloc, arrow.BinaryTypes.Binary)
				for i := 0; i < fb.Len(); i++ {
					if fb.IsNull(i) {
						b.AppendNull()
					} else {
						b.Append(fb.Value(i))
					}
				}
				c = b.NewArray()
				b.Release()
			} else {
				c = retype(a.Data(), pt)
			}
		default:
			c, err = reshape(ctx, w.o.Alloc, a, w.physFields[j].Type, w.physFields[j].Type, pt)
		}
		if err != nil {
			return err
		}
		release = append(release, c)
		cols[j] = c
	}
	prec := array.NewRecordBatch(w.phys, cols, n)
	defer prec.Release()
	if w.cur == nil {
		if err := w.newFile(ctx, prec); err != nil {
			return err
		}
	}
	f := w.cur
	// Column statistics are gathered by the goroutine that encodes the
	// column they describe.
	done := func(j int) {
		i := w.valOfPhys[j]
		if i < 0 {
			return
		}
		a := rec.Column(off + i)
		f.valStats[i].update(a)
		for _, k := range w.keysOfVal[i] {
			f.keyStats[k].update(a)
		}
	}
	if err := f.pw.write(prec, done); err != nil {
		return fmt.Errorf("datafile: write %s: %w", f.name, err)
	}
	// Metadata.
	if w.isKV() {
		seq := rec.Column(kv.SeqColumn).(*array.Int64)
		kinds := rec.Column(kv.KindColumn).(*array.Int8)
		for i := 0; i < int(n); i++ {
			s := seq.Value(i)
			if f.rows == 0 && i == 0 {
				f.minSeq, f.maxSeq = s, s
			}
			f.minSeq = min(f.minSeq, s)
			f.maxSeq = max(f.maxSeq, s)
			if k := schema.RowKind(kinds.Value(i)); k.IsRetract() {
				f.deletes++
			}
		}
		if f.rows == 0 {
			k, err := w.keyOf(rec, 0)
			if err != nil {
				return err
			}
			f.minKey = k
		}
		k, err := w.keyOf(rec, int(n)-1)
		if err != nil {
			return err
		}
		f.maxKey = k
	} else {
		if f.rows == 0 {
			f.minSeq = w.nextSeq
		}
		w.nextSeq += n
		f.maxSeq = w.nextSeq - 1
	}
	f.rows += n
	// Buffered row groups report no bytes until flushed: estimate them by
	// their in-memory size, flush at the row-group size, roll on the bytes
	// actually flushed.
	f.rgRaw += rawSize
	if f.rgRaw >= w.rowGroup {
		if err := f.pw.newRowGroup(); err != nil {
			return fmt.Errorf("datafile: write %s: %w", f.name, err)
		}
		f.rgRaw = 0
	}
	if f.cw.n >= w.o.TargetFileSize {
		return w.finish(ctx)
	}
	return nil
}

// keyOf returns the serialized trimmed key of row i of a KV record.
func (w *Writer) keyOf(rec arrow.RecordBatch, i int) ([]byte, error) {
	bw := w.keyWriter
	if bw == nil {
		bw = binrow.NewWriter(len(w.o.KeyFields))
		w.keyWriter = bw
	}
	bw.Reset(len(w.o.KeyFields))
	for j, idx := range w.keyIdx {
		if err := bw.SetArrow(j, w.o.KeyFields[j].Type, rec.Column(kv.ValueOffset+idx), i); err != nil {
			return nil, fmt.Errorf("%w: key: %v", ErrSchema, err)
		}
	}
	raw := bw.Bytes()
	return binrow.Serialize(len(w.o.KeyFields), raw), nil
}

// finish closes the current file, stores it and records its metadata.
func (w *Writer) finish(ctx context.Context) error {
	f := w.cur
	if f == nil {
		return nil
	}
	w.cur = nil
	if err := f.pw.close(); err != nil {
		f.ow.Abort()
		return fmt.Errorf("datafile: close %s: %w", f.name, err)
	}
	if f.rows == 0 {
		f.ow.Abort()
		return nil
	}
	key := f.key
	if err := f.bw.Flush(); err != nil {
		f.ow.Abort()
		return fmt.Errorf("datafile: store %s: %w", key, err)
	}
	if err := f.ow.Close(); err != nil {
		// The object may exist: remember it so Abort removes it.
		w.written = append(w.written, key)
		return fmt.Errorf("datafile: store %s: %w", key, err)
	}
	w.written = append(w.written, key)
	size := f.ow.Size()
	meta, err := w.meta(f, size)
	if err != nil {
		return err
	}
	w.files = append(w.files, meta)
	return nil
}

func (w *Writer) meta(f *fileState, size int64) (manifest.DataFile, error) {
	names := make([]string, len(w.o.Fields))
	for i, fl := range w.o.Fields {
		names[i] = fl.Name
	}
	vs, cols, err := buildStats(f.valStats, w.o.StatsModes, names, w.o.StatsDenseStore)
	if err != nil {
		return manifest.DataFile{}, fmt.Errorf("%w: value stats: %v", ErrSchema, err)
	}
	var ks manifest.SimpleStats
	minKey, maxKey := f.minKey, f.maxKey
	if w.isKV() {
		kn := make([]string, len(w.o.KeyFields))
		km := make([]StatsMode, len(w.o.KeyFields))
		for i, k := range w.o.KeyFields {
			kn[i] = k.Name
			km[i] = StatsMode{Kind: StatsTruncate, Length: keyTruncate}
			if w.o.KeyStatsMode != nil {
				km[i] = *w.o.KeyStatsMode
			}
		}
		ks, _, err = buildStats(f.keyStats, km, kn, false)
		if err != nil {
			return manifest.DataFile{}, fmt.Errorf("%w: key stats: %v", ErrSchema, err)
		}
	} else {
		ks = EmptyStats()
		minKey = binrow.Serialize(0, binrow.EmptyRow())
		maxKey = minKey
	}
	now := time.Now()
	_, offset := now.Zone()
	ct := now.UnixMilli() + int64(offset)*1000
	del := f.deletes
	src := w.o.FileSource
	return manifest.DataFile{
		FileName:          f.name,
		FileSize:          size,
		RowCount:          f.rows,
		MinKey:            minKey,
		MaxKey:            maxKey,
		KeyStats:          ks,
		ValueStats:        vs,
		MinSequenceNumber: f.minSeq,
		MaxSequenceNumber: f.maxSeq,
		SchemaID:          w.o.SchemaID,
		Level:             w.o.Level,
		ExtraFiles:        []string{},
		CreationTime:      &ct,
		DeleteRowCount:    &del,
		FileSource:        &src,
		ValueStatsCols:    cols,
	}, nil
}

// EmptyStats returns the statistics of no columns (two empty rows and an
// empty null-count array), as append tables store for their keys.
func EmptyStats() manifest.SimpleStats {
	e := binrow.Serialize(0, binrow.EmptyRow())
	return manifest.SimpleStats{Min: e, Max: append([]byte(nil), e...), NullCounts: []*int64{}}
}

// Close finishes the current file and returns the metadata of every file
// written, in order.
func (w *Writer) Close(ctx context.Context) ([]manifest.DataFile, error) {
	if w.closed {
		return w.files, nil
	}
	if err := w.finish(ctx); err != nil {
		return nil, err
	}
	w.closed = true
	return w.files, nil
}

// Abort deletes every file written so far (best effort) and releases
// resources.
func (w *Writer) Abort(ctx context.Context) error {
	if w.cur != nil {
		w.cur.pw.close()
		w.cur.ow.Abort()
		w.cur = nil
	}
	w.closed = true
	var first error
	for _, k := range w.written {
		if err := w.o.Store.Delete(ctx, k); err != nil && first == nil {
			first = err
		}
	}
	w.written = nil
	w.files = nil
	return first
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
