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
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// byteArrayReader decodes one flat STRING or BYTES column (Parquet
// BYTE_ARRAY, required or optional, not inside a list, map or struct)
// straight from its pages into Arrow offsets, validity and data buffers,
// a batch at a time: PLAIN and dictionary pages (PLAIN_DICTIONARY,
// RLE_DICTIONARY) of data page versions 1 and 2, with RLE definition
// levels. arrow-go's reader appends value by value through a builder;
// this one sizes each batch's buffers once and copies. Pages, levels and
// the hand-over to pqarrow are flatPages'.
type byteArrayReader struct {
	flatPages
	dictOffs []int32 // the dictionary's value i is dictData[dictOffs[i]:dictOffs[i+1]]
	dictData []byte
	b        *baBatch // the batch being decoded

	bytesOut, rowsOut int64 // value bytes and rows produced, to size batches
}

// byteArrayColumn returns a reader of the top-level field f of the file
// when this decoder can read it (a flat BYTE_ARRAY column read as Arrow
// String or Binary), or nil.
func byteArrayColumn(ctx context.Context, fr *pqarrow.FileReader, field int, mem memory.Allocator) *byteArrayReader {
	f := &fr.Manifest.Fields[field]
	if f.Field == nil {
		return nil
	}
	switch f.Field.Type.(type) {
	case *arrow.StringType, *arrow.BinaryType:
	default:
		return nil
	}
	fp, ok := flatColumn(ctx, fr, field, parquet.Types.ByteArray, mem)
	if !ok {
		return nil
	}
	return &byteArrayReader{flatPages: fp}
}

// loadDict decodes a dictionary page's n PLAIN values into dictOffs and
// dictData (the page's buffer is the page reader's to reuse).
func (r *byteArrayReader) loadDict(data []byte, n int) error {
	if n > len(data)/4 {
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
	r.dictOffs, r.dictData = offs, vals
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
		r.b = &b
		var err error
		if r.other != nil {
			err = r.copyOther(at, m)
		} else {
			err = r.decode(r, b.valid, at, m)
		}
		r.b = nil
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

// plainValues decodes k rows of PLAIN values (present of them not null).
func (r *byteArrayReader) plainValues(at, k, present int) error {
	b := r.b
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
func (r *byteArrayReader) dictValues(ix []uint32, at, k int) error {
	b := r.b
	present := len(ix)
	need := 0
	for _, v := range ix {
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
func (r *byteArrayReader) copyOther(at, m int) error {
	b := r.b
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
