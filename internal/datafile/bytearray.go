package datafile

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// byteArrayReader decodes one flat STRING or BYTES column (Parquet
// BYTE_ARRAY, required or optional, not inside a list, map or struct)
// straight from its pages into Arrow offsets, validity and data buffers,
// a batch at a time: PLAIN and dictionary pages (PLAIN_DICTIONARY,
// RLE_DICTIONARY) of data page versions 1 and 2, with RLE definition
// levels. arrow-go's reader appends value by value through a builder;
// this one sizes each batch's buffers once and copies.
//
// A column chunk whose metadata lists another encoding, or that is
// encrypted, is read by pqarrow instead, as is the rest of a chunk from a
// page this reader does not decode (bit-packed definition levels, an
// encoding the metadata did not list), so every file pqarrow reads still
// reads. The values are the same either way.
type byteArrayReader struct {
	ctx      context.Context
	pf       *file.Reader
	fr       *pqarrow.FileReader
	field    int // top-level field index in fr's manifest
	leaf     int // Parquet column index
	typ      arrow.DataType
	nullable bool // maximum definition level 1
	mem      memory.Allocator
	groups   []int // row groups not yet started

	// The current column chunk.
	group    int             // its row group
	rows     int64           // rows of the chunk not yet decoded
	done     int64           // rows of the chunk decoded
	pages    file.PageReader // nil when other reads the chunk
	other    *pqarrow.ColumnReader
	hasDict  bool
	dictOffs []int32 // the dictionary's value i is dictData[dictOffs[i]:dictOffs[i+1]]
	dictData []byte

	// The current data page.
	pageLeft  int    // values (rows) of the page not yet decoded
	pageValid []byte // the page's definition levels as validity bits, when nullable
	pagePos   int    // the page's next row
	pageNulls bool   // the page has a null
	plain     []byte // PLAIN values not yet decoded
	dict      bool   // the values are dictionary indices in idx
	idx       hybrid
	scratch   []uint32

	bytesOut, rowsOut int64 // value bytes and rows produced, to size batches
}

// errUnsupportedPage marks a page this reader leaves to pqarrow.
var errUnsupportedPage = errors.New("unsupported page")

// byteArrayColumn returns a reader of the top-level field f of the file
// when this decoder can read it (a flat BYTE_ARRAY column read as Arrow
// String or Binary), or nil.
func byteArrayColumn(ctx context.Context, fr *pqarrow.FileReader, field int, mem memory.Allocator) *byteArrayReader {
	f := &fr.Manifest.Fields[field]
	if f.ColIndex < 0 || len(f.Children) > 0 || f.Field == nil {
		return nil
	}
	switch f.Field.Type.(type) {
	case *arrow.StringType, *arrow.BinaryType:
	default:
		return nil
	}
	pf := fr.ParquetReader()
	sc := pf.MetaData().Schema
	if f.ColIndex >= sc.NumColumns() {
		return nil
	}
	col := sc.Column(f.ColIndex)
	if col.PhysicalType() != parquet.Types.ByteArray || col.MaxRepetitionLevel() != 0 || col.MaxDefinitionLevel() > 1 {
		return nil
	}
	groups := make([]int, pf.NumRowGroups())
	for i := range groups {
		groups[i] = i
	}
	return &byteArrayReader{ctx: ctx, pf: pf, fr: fr, field: field, leaf: f.ColIndex, typ: f.Field.Type,
		nullable: col.MaxDefinitionLevel() == 1, mem: mem, groups: groups, group: -1}
}

// ownEncodings says whether every encoding a column chunk's metadata lists
// is one this reader decodes (BIT_PACKED included: parquet-mr lists it for
// the repetition levels a flat column does not store).
func ownEncodings(cc *metadata.ColumnChunkMetaData) bool {
	if cc.CryptoMetadata() != nil || cc.Type() != parquet.Types.ByteArray {
		return false
	}
	for _, e := range cc.Encodings() {
		switch e {
		case parquet.Encodings.Plain, parquet.Encodings.PlainDict, parquet.Encodings.RLEDict,
			parquet.Encodings.RLE, parquet.Encodings.BitPacked:
		default:
			return false
		}
	}
	return true
}

func (r *byteArrayReader) release() {
	r.closeChunk()
	r.groups = nil
}

func (r *byteArrayReader) closeChunk() {
	if r.pages != nil {
		r.pages.Close()
		r.pages = nil
	}
	if r.other != nil {
		r.other.Release()
		r.other = nil
	}
	r.hasDict, r.pageLeft, r.plain, r.dict = false, 0, nil, false
}

// nextChunk starts the next row group's column chunk that has rows.
func (r *byteArrayReader) nextChunk() error {
	r.closeChunk()
	for len(r.groups) > 0 {
		g := r.groups[0]
		r.groups = r.groups[1:]
		rg := r.pf.RowGroup(g)
		rows := rg.NumRows()
		if rows < 0 {
			return fmt.Errorf("row group %d: %d rows", g, rows)
		}
		if rows == 0 {
			continue
		}
		cc, err := rg.MetaData().ColumnChunk(r.leaf)
		if err != nil {
			return fmt.Errorf("row group %d: %w", g, err)
		}
		r.group, r.rows, r.done = g, rows, 0
		if !ownEncodings(cc) {
			return r.fallback()
		}
		if cc.NumValues() != rows {
			return fmt.Errorf("row group %d: %d values in a flat column of %d rows", g, cc.NumValues(), rows)
		}
		if r.pages, err = pageReader(rg, r.leaf); err != nil {
			return fmt.Errorf("row group %d: %w", g, err)
		}
		return nil
	}
	return errors.New("no row group left")
}

// fallback hands the rest of the current chunk to pqarrow.
func (r *byteArrayReader) fallback() error {
	if r.pages != nil {
		r.pages.Close()
		r.pages = nil
	}
	cr, err := r.fieldReader()
	if err != nil {
		return fmt.Errorf("row group %d: %w", r.group, err)
	}
	r.other = cr
	for skip := r.done; skip > 0; {
		n := min(skip, 1<<16)
		ch, err := pqBatch(cr, n)
		if err != nil {
			return fmt.Errorf("row group %d: %w", r.group, err)
		}
		got := int64(ch.Len())
		ch.Release()
		if got != n {
			return fmt.Errorf("row group %d: %d rows where %d were expected", r.group, got, n)
		}
		skip -= n
	}
	return nil
}

// pageReader is rg.GetColumnPageReader(leaf), with arrow-go's panic on
// some damaged metadata as an error.
func pageReader(rg *file.RowGroupReader, leaf int) (pr file.PageReader, err error) {
	defer func() {
		if r := recover(); r != nil {
			pr, err = nil, fmt.Errorf("column chunk: %v", r)
		}
	}()
	return rg.GetColumnPageReader(leaf)
}

// pqBatch is cr.NextBatch(n), with a panic of arrow-go's decoders on
// damaged input as an error.
func pqBatch(cr *pqarrow.ColumnReader, n int64) (ch *arrow.Chunked, err error) {
	defer func() {
		if p := recover(); p != nil {
			ch, err = nil, fmt.Errorf("pqarrow: %v", p)
		}
	}()
	return cr.NextBatch(n)
}

// pageNext moves to the next page: false at the end of the chunk.
// arrow-go's page reader panics on some damaged page headers: that is an
// error here.
func (r *byteArrayReader) pageNext() (more bool, err error) {
	defer func() {
		if p := recover(); p != nil {
			more, err = false, fmt.Errorf("page header: %v", p)
		}
	}()
	if r.pages.Next() {
		return true, nil
	}
	return false, r.pages.Err()
}

// fieldReader is a pqarrow reader of the current chunk, with arrow-go's
// panic on some damaged metadata as an error.
func (r *byteArrayReader) fieldReader() (cr *pqarrow.ColumnReader, err error) {
	defer func() {
		if p := recover(); p != nil {
			cr, err = nil, fmt.Errorf("column chunk: %v", p)
		}
	}()
	return r.fr.GetFieldReader(r.ctx, r.field, map[int]bool{r.leaf: true}, []int{r.group})
}

// nextPage loads the next data page of the current chunk, decoding a
// dictionary page on the way. errUnsupportedPage: pqarrow should read the
// chunk from this page on.
func (r *byteArrayReader) nextPage() error {
	for {
		more, err := r.pageNext()
		if err != nil {
			return err
		}
		if !more {
			return fmt.Errorf("column chunk ends after %d of %d rows", r.done, r.done+r.rows)
		}
		switch p := r.pages.Page().(type) {
		case *file.DictionaryPage:
			if r.hasDict {
				return errors.New("a second dictionary page")
			}
			if r.done > 0 {
				return errors.New("a dictionary page after data pages")
			}
			if err := r.loadDict(p); err != nil {
				return err
			}
		case *file.DataPageV1:
			nv := int64(p.NumValues())
			if err := r.pageRows(nv); err != nil || nv == 0 {
				if err != nil {
					return err
				}
				continue
			}
			data := p.Data()
			if r.nullable {
				if p.DefinitionLevelEncoding() != parquet.Encodings.RLE {
					return errUnsupportedPage
				}
				if len(data) < 4 {
					return errors.New("definition levels cut short")
				}
				l := binary.LittleEndian.Uint32(data)
				if uint64(l) > uint64(len(data)-4) {
					return fmt.Errorf("definition levels of %d bytes in a page of %d", l, len(data))
				}
				if err := r.pageLevels(data[4:4+l], int(nv)); err != nil {
					return err
				}
				data = data[4+l:]
			}
			if err := r.values(parquet.Encoding(p.Encoding()), data); err != nil {
				return err
			}
			r.pageLeft = int(nv)
			return nil
		case *file.DataPageV2:
			nv := int64(p.NumValues())
			if int64(p.NumRows()) != nv {
				return fmt.Errorf("page of %d values in %d rows of a flat column", nv, p.NumRows())
			}
			if err := r.pageRows(nv); err != nil || nv == 0 {
				if err != nil {
					return err
				}
				continue
			}
			data := p.Data()
			rl, dl := int64(p.RepetitionLevelByteLen()), int64(p.DefinitionLevelByteLen())
			if rl < 0 || dl < 0 || rl+dl > int64(len(data)) {
				return fmt.Errorf("levels of %d+%d bytes in a page of %d", rl, dl, len(data))
			}
			if r.nullable {
				if err := r.pageLevels(data[rl:rl+dl], int(nv)); err != nil {
					return err
				}
			}
			if err := r.values(parquet.Encoding(p.Encoding()), data[rl+dl:]); err != nil {
				return err
			}
			r.pageLeft = int(nv)
			return nil
		default:
			return errUnsupportedPage
		}
	}
}

// pageLevels decodes all n definition levels of a page (so that damaged
// levels fail the page as a whole, as in pqarrow).
func (r *byteArrayReader) pageLevels(levels []byte, n int) error {
	nb := int(bitutil.BytesForBits(int64(n)))
	if cap(r.pageValid) < nb {
		r.pageValid = make([]byte, nb)
	}
	r.pageValid = r.pageValid[:nb]
	var h hybrid
	h.init(levels, 1)
	set, err := h.levels(r.pageValid, 0, n)
	if err != nil {
		return fmt.Errorf("definition levels: %w", err)
	}
	r.pagePos, r.pageNulls = 0, set < n
	return nil
}

// pageRows checks a data page's value count against the chunk's rows.
func (r *byteArrayReader) pageRows(nv int64) error {
	if nv < 0 || nv > r.rows {
		return fmt.Errorf("page of %d values where the chunk has %d rows left", nv, r.rows)
	}
	return nil
}

// values sets up the decoding of a data page's values.
func (r *byteArrayReader) values(enc parquet.Encoding, data []byte) error {
	switch enc {
	case parquet.Encodings.Plain:
		r.plain, r.dict = data, false
	case parquet.Encodings.PlainDict, parquet.Encodings.RLEDict:
		if !r.hasDict {
			return errors.New("dictionary-encoded page without a dictionary page")
		}
		r.plain, r.dict = nil, true
		if len(data) == 0 {
			// No bit width: only nulls may follow (an index is an error).
			r.idx.init(nil, 0)
			return nil
		}
		if data[0] > 32 {
			return fmt.Errorf("dictionary index bit width %d", data[0])
		}
		r.idx.init(data[1:], uint(data[0]))
	default:
		return errUnsupportedPage
	}
	return nil
}

// loadDict decodes a dictionary page (PLAIN values) into dictOffs and
// dictData (the page's buffer is the page reader's to reuse).
func (r *byteArrayReader) loadDict(p *file.DictionaryPage) error {
	switch parquet.Encoding(p.Encoding()) {
	case parquet.Encodings.Plain, parquet.Encodings.PlainDict:
	default:
		return errUnsupportedPage
	}
	data := p.Data()
	n := int(p.NumValues())
	if n < 0 || n > len(data)/4 {
		return fmt.Errorf("dictionary of %d values in %d bytes", n, len(data))
	}
	offs := r.dictOffs[:0]
	if cap(offs) < n+1 {
		offs = make([]int32, 0, n+1)
	}
	vals := r.dictData[:0]
	if need := len(data) - 4*n; cap(vals) < need {
		vals = make([]byte, 0, need)
	}
	offs = append(offs, 0)
	for range n {
		if len(data) < 4 {
			return errors.New("dictionary values cut short")
		}
		l := binary.LittleEndian.Uint32(data)
		data = data[4:]
		if uint64(l) > uint64(len(data)) {
			return fmt.Errorf("dictionary value of %d bytes where %d are left", l, len(data))
		}
		vals = append(vals, data[:l]...)
		data = data[l:]
		offs = append(offs, int32(len(vals)))
	}
	r.dictOffs, r.dictData, r.hasDict = offs, vals, true
	return nil
}

// baBatch is the batch being decoded: n rows of offsets, validity and
// value bytes.
type baBatch struct {
	offs  []int32
	valid []byte // nil for a required column
	data  *memory.Buffer
	used  int // value bytes so far
}

// grow makes room for need more value bytes.
func (b *baBatch) grow(need int) error {
	want := b.used + need
	if want > math.MaxInt32 {
		return fmt.Errorf("more than %d bytes of values in one batch", math.MaxInt32)
	}
	if want > b.data.Cap() {
		b.data.Reserve(min(max(want, 2*b.data.Cap()), math.MaxInt32))
	}
	return nil
}

// next decodes the next n rows as one array.
func (r *byteArrayReader) next(n int64) (arrow.Array, error) {
	if n <= 0 || n > math.MaxInt32 {
		return nil, fmt.Errorf("batch of %d rows", n)
	}
	offsBuf := memory.NewResizableBuffer(r.mem)
	defer offsBuf.Release()
	offsBuf.Resize(int(n+1) * 4)
	b := baBatch{offs: arrow.Int32Traits.CastFromBytes(offsBuf.Bytes())}
	b.offs[0] = 0
	var validBuf *memory.Buffer
	if r.nullable {
		validBuf = memory.NewResizableBuffer(r.mem)
		defer validBuf.Release()
		validBuf.Resize(int(bitutil.BytesForBits(n)))
		b.valid = validBuf.Bytes()
	}
	b.data = memory.NewResizableBuffer(r.mem)
	defer b.data.Release()
	b.data.Reserve(r.estimate(n))

	for at := 0; at < int(n); {
		if r.rows == 0 {
			if err := r.nextChunk(); err != nil {
				return nil, err
			}
		}
		m := int(min(int64(int(n)-at), r.rows))
		var err error
		if r.other != nil {
			err = r.copyOther(&b, at, m)
		} else {
			err = r.decode(&b, at, m)
		}
		if err != nil {
			return nil, fmt.Errorf("row group %d: %w", r.group, err)
		}
		at += m
		if r.rows == 0 {
			if err := r.endChunk(); err != nil {
				return nil, fmt.Errorf("row group %d: %w", r.group, err)
			}
		}
	}
	r.bytesOut += int64(b.used)
	r.rowsOut += n
	b.data.ResizeNoShrink(b.used)
	nulls := 0
	bufs := []*memory.Buffer{nil, offsBuf, b.data}
	if r.nullable {
		nulls = int(n) - bitutil.CountSetBits(b.valid, 0, int(n))
		if nulls > 0 {
			bufs[0] = validBuf
		}
	}
	d := array.NewData(r.typ, int(n), bufs, nil, nulls, 0)
	defer d.Release()
	return array.MakeFromData(d), nil
}

// estimate is the value bytes to reserve for n rows: the bytes per row of
// the batches so far, at most maxPrealloc; for the first batch the
// chunk's uncompressed size per row (PLAIN pages: the values and their
// 4-byte lengths), at most firstPrealloc, as the metadata may be damaged.
func (r *byteArrayReader) estimate(n int64) int {
	if r.rowsOut > 0 {
		est := float64(r.bytesOut)/float64(r.rowsOut)*1.0625*float64(n) + 64
		return int(min(est, maxPrealloc))
	}
	est := 64.0
	if len(r.groups) > 0 {
		rg := r.pf.MetaData().RowGroup(r.groups[0])
		if cc, err := rg.ColumnChunk(r.leaf); err == nil && rg.NumRows() > 0 && cc.TotalUncompressedSize() > 0 {
			est += float64(cc.TotalUncompressedSize()) / float64(rg.NumRows()) * float64(n)
		}
	}
	return int(min(est, firstPrealloc))
}

// firstPrealloc bounds the value bytes reserved for a column's first
// batch, when all there is to go by is the file's metadata.
const firstPrealloc = 1 << 20

// endChunk checks that the chunk holds no values past its rows.
func (r *byteArrayReader) endChunk() error {
	if r.pages == nil {
		return nil
	}
	if r.pageLeft > 0 {
		return fmt.Errorf("%d values past the row group's rows", r.pageLeft)
	}
	more, err := r.pageNext()
	if more {
		return errors.New("pages past the row group's rows")
	}
	return err
}

// decode decodes m rows of the current chunk into the batch at row at.
func (r *byteArrayReader) decode(b *baBatch, at, m int) error {
	for m > 0 {
		if r.pageLeft == 0 {
			err := r.nextPage()
			if errors.Is(err, errUnsupportedPage) {
				if err := r.fallback(); err != nil {
					return err
				}
				return r.copyOther(b, at, m)
			}
			if err != nil {
				return err
			}
		}
		k := min(m, r.pageLeft)
		present := k
		if r.nullable {
			if r.pageNulls {
				bitutil.CopyBitmap(r.pageValid, r.pagePos, k, b.valid, at)
				present = bitutil.CountSetBits(b.valid, at, k)
			} else {
				bitutil.SetBitsTo(b.valid, int64(at), int64(k), true)
			}
			r.pagePos += k
		}
		var err error
		if r.dict {
			err = r.dictValues(b, at, k, present)
		} else {
			err = r.plainValues(b, at, k, present)
		}
		if err != nil {
			return err
		}
		r.pageLeft -= k
		r.done += int64(k)
		r.rows -= int64(k)
		at += k
		m -= k
	}
	return nil
}

var errPlainShort = errors.New("PLAIN values end before the page's values")

// plainValues decodes k rows of PLAIN values (present of them not null).
func (r *byteArrayReader) plainValues(b *baBatch, at, k, present int) error {
	p := r.plain
	data := b.data.Buf()
	used := b.used
	offs := b.offs[at+1 : at+k+1]
	// Two loops on purpose: the one without nulls tests no bitmap. One
	// loop with the test measured about 4 % slower (BenchmarkReadKV/micro).
	if present == k {
		for i := range offs {
			if len(p) < 4 {
				return errPlainShort
			}
			l := int(binary.LittleEndian.Uint32(p))
			p = p[4:]
			if l > len(p) {
				return fmt.Errorf("PLAIN value of %d bytes where %d are left", l, len(p))
			}
			if used+l > len(data) {
				b.used = used
				if err := b.grow(l); err != nil {
					return err
				}
				data = b.data.Buf()
			}
			if l <= 16 && len(p) >= 16 && len(data)-used >= 16 {
				// A short value moves as 16 bytes, inline, where both
				// buffers have them (the bytes past l are overwritten by
				// the next value or lie past the batch's data).
				*(*[16]byte)(data[used:]) = *(*[16]byte)(p)
			} else {
				copy(data[used:], p[:l])
			}
			used += l
			p = p[l:]
			offs[i] = int32(used)
		}
	} else {
		for i := range offs {
			if bitutil.BitIsSet(b.valid, at+i) {
				if len(p) < 4 {
					return errPlainShort
				}
				l := int(binary.LittleEndian.Uint32(p))
				p = p[4:]
				if l > len(p) {
					return fmt.Errorf("PLAIN value of %d bytes where %d are left", l, len(p))
				}
				if used+l > len(data) {
					b.used = used
					if err := b.grow(l); err != nil {
						return err
					}
					data = b.data.Buf()
				}
				copy(data[used:], p[:l])
				used += l
				p = p[l:]
			}
			offs[i] = int32(used)
		}
	}
	r.plain = p
	b.used = used
	return nil
}

// dictValues decodes k rows of dictionary indices (present of them not
// null) into their values.
func (r *byteArrayReader) dictValues(b *baBatch, at, k, present int) error {
	if cap(r.scratch) < present {
		r.scratch = make([]uint32, max(present, 1024))
	}
	ix := r.scratch[:present]
	if err := r.idx.decode(ix); err != nil {
		return fmt.Errorf("dictionary indices: %w", err)
	}
	dn := uint32(len(r.dictOffs) - 1)
	need := 0
	for _, v := range ix {
		if v >= dn {
			return fmt.Errorf("dictionary index %d of a dictionary of %d values", v, dn)
		}
		need += int(r.dictOffs[v+1] - r.dictOffs[v])
	}
	if b.used+need > b.data.Cap() {
		if err := b.grow(need); err != nil {
			return err
		}
	}
	data := b.data.Buf()
	used := b.used
	offs := b.offs[at+1 : at+k+1]
	dict, doffs := r.dictData, r.dictOffs
	if present == k {
		for i, v := range ix {
			s, e := doffs[v], doffs[v+1]
			used += copy(data[used:], dict[s:e])
			offs[i] = int32(used)
		}
	} else {
		j := 0
		for i := range offs {
			if bitutil.BitIsSet(b.valid, at+i) {
				v := ix[j]
				j++
				s, e := doffs[v], doffs[v+1]
				used += copy(data[used:], dict[s:e])
			}
			offs[i] = int32(used)
		}
	}
	b.used = used
	return nil
}

// copyOther appends m rows read by pqarrow to the batch at row at.
func (r *byteArrayReader) copyOther(b *baBatch, at, m int) error {
	ch, err := pqBatch(r.other, int64(m))
	if err != nil {
		return err
	}
	defer ch.Release()
	got := 0
	for _, c := range ch.Chunks() {
		var offs []int32
		var vals []byte
		switch a := c.(type) {
		case *array.String:
			offs, vals = a.ValueOffsets(), a.ValueBytes()
		case *array.Binary:
			offs, vals = a.ValueOffsets(), a.ValueBytes()
		default:
			return fmt.Errorf("pqarrow read %s where %s was expected", c.DataType(), r.typ)
		}
		l := c.Len()
		if got+l > m {
			return fmt.Errorf("pqarrow read more than %d rows", m)
		}
		if c.NullN() > 0 && b.valid == nil {
			return errors.New("nulls in a required column")
		}
		if err := b.grow(len(vals)); err != nil {
			return err
		}
		data := b.data.Buf()
		copy(data[b.used:], vals)
		base := int32(b.used) - offs[0]
		for i := range l {
			b.offs[at+got+i+1] = offs[i+1] + base
		}
		b.used += len(vals)
		if b.valid != nil {
			if c.NullN() == 0 {
				bitutil.SetBitsTo(b.valid, int64(at+got), int64(l), true)
			} else {
				for i := range l {
					bitutil.SetBitTo(b.valid, at+got+i, c.IsValid(i))
				}
			}
		}
		got += l
	}
	if got != m {
		return fmt.Errorf("pqarrow read %d rows where %d were expected", got, m)
	}
	r.rows -= int64(m)
	r.done += int64(m)
	return nil
}
