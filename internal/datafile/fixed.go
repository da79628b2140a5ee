package datafile

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// fixedReader decodes one flat column of Parquet INT32 or INT64 values
// read as a signed Arrow integer of at most their width (TINYINT,
// SMALLINT, INT, BIGINT) or DATE, straight from its pages into one
// values buffer and one validity bitmap per batch: PLAIN and dictionary
// pages of data page versions 1 and 2. P is the Parquet physical type,
// O the Arrow value type; a value wider than O is truncated, as pqarrow
// does. Pages, levels and the hand-over to pqarrow are flatPages'.
type fixedReader[P int32 | int64, O int8 | int16 | int32 | int64] struct {
	flatPages
	dictVals []O

	// The batch being decoded.
	out   []O
	valid []byte
}

// fixedColumn returns a reader of the top-level field f of the file when
// fixedReader can read it, or nil.
func fixedColumn(ctx context.Context, fr *pqarrow.FileReader, field int, mem memory.Allocator) columnSource {
	f := &fr.Manifest.Fields[field]
	if f.Field == nil {
		return nil
	}
	flat := func(phys parquet.Type) (flatPages, bool) {
		return flatColumn(ctx, fr, field, phys, mem)
	}
	switch f.Field.Type.ID() {
	case arrow.INT8:
		if fp, ok := flat(parquet.Types.Int32); ok {
			return &fixedReader[int32, int8]{flatPages: fp}
		}
	case arrow.INT16:
		if fp, ok := flat(parquet.Types.Int32); ok {
			return &fixedReader[int32, int16]{flatPages: fp}
		}
	case arrow.INT32, arrow.DATE32:
		if fp, ok := flat(parquet.Types.Int32); ok {
			return &fixedReader[int32, int32]{flatPages: fp}
		}
	case arrow.INT64:
		if fp, ok := flat(parquet.Types.Int64); ok {
			return &fixedReader[int64, int64]{flatPages: fp}
		}
	}
	return nil
}

// width is the bytes of a PLAIN value of P.
func (r *fixedReader[P, O]) width() int { return int(unsafe.Sizeof(P(0))) }

// plainValue is the PLAIN value at the start of p (len(p) >= width).
func plainValue[P int32 | int64](p []byte) P {
	if unsafe.Sizeof(P(0)) == 4 {
		return P(int32(binary.LittleEndian.Uint32(p)))
	}
	return P(int64(binary.LittleEndian.Uint64(p)))
}

func (r *fixedReader[P, O]) loadDict(data []byte, n int) error {
	w := r.width()
	if n > len(data)/w {
		return fmt.Errorf("dictionary of %d values in %d bytes", n, len(data))
	}
	if cap(r.dictVals) < n {
		r.dictVals = make([]O, n)
	}
	d := r.dictVals[:n]
	for i := range d {
		d[i] = O(plainValue[P](data[i*w:]))
	}
	r.dictVals = d
	return nil
}

func (r *fixedReader[P, O]) plainValues(at, k, present int) error {
	w := r.width()
	p := r.plain
	if len(p) < present*w {
		return errPlainShort
	}
	out := r.out[at : at+k]
	switch {
	case present == k && unsafe.Sizeof(O(0)) == unsafe.Sizeof(P(0)):
		// The same width: PLAIN is the little-endian layout of the
		// values, as Arrow's on the platforms Go's arrow runs on.
		copy(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(out))), k*w), p)
	case present == k:
		for i := range out {
			out[i] = O(plainValue[P](p[i*w:]))
		}
	default:
		j := 0
		for i := range out {
			if bitutil.BitIsSet(r.valid, at+i) {
				out[i] = O(plainValue[P](p[j*w:]))
				j++
			}
		}
	}
	r.plain = p[present*w:]
	return nil
}

func (r *fixedReader[P, O]) dictValues(ix []uint32, at, k int) error {
	out := r.out[at : at+k]
	d := r.dictVals
	if len(ix) == k {
		for i, v := range ix {
			out[i] = d[v]
		}
		return nil
	}
	j := 0
	for i := range out {
		if bitutil.BitIsSet(r.valid, at+i) {
			out[i] = d[ix[j]]
			j++
		}
	}
	return nil
}

func (r *fixedReader[P, O]) copyOther(at, m int) error {
	ch, err := pqBatch(r.other, int64(m))
	if err != nil {
		return err
	}
	defer ch.Release()
	got := 0
	for _, c := range ch.Chunks() {
		if !arrow.TypeEqual(c.DataType(), r.typ) {
			return fmt.Errorf("pqarrow read %s where %s was expected", c.DataType(), r.typ)
		}
		l := c.Len()
		if got+l > m {
			return fmt.Errorf("pqarrow read more than %d rows", m)
		}
		if c.NullN() > 0 && r.valid == nil {
			return errors.New("nulls in a required column")
		}
		if l > 0 {
			d := c.Data()
			vals := d.Buffers()[1]
			if vals == nil {
				return errors.New("pqarrow read no values buffer")
			}
			src := unsafe.Slice((*O)(unsafe.Pointer(unsafe.SliceData(vals.Bytes()))), vals.Len()/int(unsafe.Sizeof(O(0))))
			if d.Offset()+l > len(src) {
				return errors.New("pqarrow read a short values buffer")
			}
			copy(r.out[at+got:at+got+l], src[d.Offset():d.Offset()+l])
		}
		if r.valid != nil {
			if c.NullN() == 0 {
				bitutil.SetBitsTo(r.valid, int64(at+got), int64(l), true)
			} else {
				for i := range l {
					bitutil.SetBitTo(r.valid, at+got+i, c.IsValid(i))
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

// next decodes the next n rows as one array.
func (r *fixedReader[P, O]) next(n int64) (arrow.Array, error) {
	size := int64(unsafe.Sizeof(O(0)))
	if n <= 0 || n > math.MaxInt32/size {
		return nil, fmt.Errorf("batch of %d rows", n)
	}
	valsBuf := memory.NewResizableBuffer(r.mem)
	defer valsBuf.Release()
	valsBuf.Resize(int(n * size))
	r.out = unsafe.Slice((*O)(unsafe.Pointer(unsafe.SliceData(valsBuf.Bytes()))), n)
	var validBuf *memory.Buffer
	if r.nullable {
		validBuf = memory.NewResizableBuffer(r.mem)
		defer validBuf.Release()
		validBuf.Resize(int(bitutil.BytesForBits(n)))
		r.valid = validBuf.Bytes()
	}
	defer func() { r.out, r.valid = nil, nil }()

	for at := 0; at < int(n); {
		if r.rows == 0 {
			if err := r.nextChunk(); err != nil {
				return nil, err
			}
		}
		m := int(min(int64(int(n)-at), r.rows))
		var err error
		if r.other != nil {
			err = r.copyOther(at, m)
		} else {
			err = r.decode(r, r.valid, at, m)
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
	nulls := 0
	bufs := []*memory.Buffer{nil, valsBuf}
	if r.nullable {
		nulls = int(n) - bitutil.CountSetBits(r.valid, 0, int(n))
		if nulls > 0 {
			bufs[0] = validBuf
		}
	}
	d := array.NewData(r.typ, int(n), bufs, nil, nulls, 0)
	defer d.Release()
	return array.MakeFromData(d), nil
}
