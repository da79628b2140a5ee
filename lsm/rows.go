package lsm

import (
	"encoding/binary"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// rowStore keeps a buffer's rows row-major: each row's cells side by side
// in pages of bytes, so that reading rows back in sorted order touches one
// short stretch of memory per row instead of one (or two) random places
// per column. Add copies the rows of the incoming Arrow records into it
// and lets the records go, so the buffer holds exactly what it counts.
//
// A row is a null bitmap (one bit per column), then one fixed slot per
// column (its value for fixed-width and boolean columns, its length for
// variable-length ones; zero when null), then the bytes of its
// variable-length cells in column order. A row never spans two pages.
type rowStore struct {
	cols  []rowCol
	nb    int // null bitmap bytes
	fixed int // bitmap plus fixed slots
	pages [][]byte
	maps  []bool   // pages[i] is mapped outside the Go heap
	cur   []byte   // the page being filled (pages[len-1])
	addr  []uint64 // row -> page<<32 | offset
	bytes int64    // capacity of pages
	used  int64    // bytes of rows

	// scratch of Add and decode
	sizes []int
	pos   []int
	outs  []colOut
	sink  byte // keeps the loads of decode's first pass
}

// touchBlock is the number of rows decode loads ahead.
const touchBlock = 32

type rowCol struct {
	kind  int
	width int // fixed slot bytes
	off   int // slot offset in the row
	dt    arrow.DataType
}

const (
	colFixed = iota
	colBool
	colVar   // int32 offsets
	colLarge // int64 offsets
)

// rowPageSize is the largest size of a page of rows (the first is
// minRowPage); a larger row gets a page of its own.
const (
	rowPageSize = 1 << 20
	minRowPage  = 16 << 10
	osPage      = 4096
)

// newRowStore returns a store for sc, or nil when a column has a type the
// row layout does not hold (nested types: the buffer then keeps records).
func newRowStore(sc *arrow.Schema) *rowStore {
	s := &rowStore{nb: (sc.NumFields() + 7) / 8}
	off := s.nb
	for _, f := range sc.Fields() {
		c := rowCol{dt: f.Type, off: off}
		switch f.Type.ID() {
		case arrow.BOOL:
			c.kind, c.width = colBool, 1
		case arrow.STRING, arrow.BINARY:
			c.kind, c.width = colVar, 4
		case arrow.LARGE_STRING, arrow.LARGE_BINARY:
			c.kind, c.width = colLarge, 4
		case arrow.INT8, arrow.UINT8, arrow.INT16, arrow.UINT16, arrow.INT32, arrow.UINT32,
			arrow.INT64, arrow.UINT64, arrow.FLOAT16, arrow.FLOAT32, arrow.FLOAT64,
			arrow.DATE32, arrow.DATE64, arrow.TIME32, arrow.TIME64, arrow.TIMESTAMP,
			arrow.DURATION, arrow.DECIMAL32, arrow.DECIMAL64, arrow.DECIMAL128, arrow.DECIMAL256,
			arrow.FIXED_SIZE_BINARY, arrow.INTERVAL_MONTHS, arrow.INTERVAL_DAY_TIME,
			arrow.INTERVAL_MONTH_DAY_NANO:
			fw, ok := f.Type.(arrow.FixedWidthDataType)
			if !ok || fw.BitWidth()%8 != 0 || fw.BitWidth() == 0 {
				return nil
			}
			c.kind, c.width = colFixed, fw.BitWidth()/8
		default:
			return nil
		}
		off += c.width
		s.cols = append(s.cols, c)
	}
	s.fixed = off
	s.outs = make([]colOut, len(s.cols))
	return s
}

// memory returns the bytes the store holds.
func (s *rowStore) memory() int64 { return s.bytes + 8*int64(cap(s.addr)) }

// reset drops every row.
func (s *rowStore) reset() {
	for i, p := range s.pages {
		if s.maps[i] {
			freePage(p)
		}
	}
	s.maps = nil
	s.pages, s.cur, s.addr, s.bytes, s.used = nil, nil, nil, 0, 0
}

func varBytes(a arrow.Array) (offs32 []int32, offs64 []int64, data []byte) {
	switch a := a.(type) {
	case *array.String:
		return a.ValueOffsets(), nil, a.ValueBytes()
	case *array.Binary:
		return a.ValueOffsets(), nil, a.ValueBytes()
	case *array.LargeString:
		return nil, a.ValueOffsets(), a.ValueBytes()
	case *array.LargeBinary:
		return nil, a.ValueOffsets(), a.ValueBytes()
	}
	return nil, nil, nil
}

// add copies the rows of rec (its schema's layout) into the store.
func (s *rowStore) add(rec arrow.Record) {
	n := int(rec.NumRows())
	s.sizes = slices.Grow(s.sizes[:0], n)[:n]
	for i := range s.sizes {
		s.sizes[i] = s.fixed
	}
	for ci, c := range s.cols {
		if c.kind != colVar && c.kind != colLarge {
			continue
		}
		a := rec.Column(ci)
		o32, o64, _ := varBytes(a)
		if o32 != nil {
			for i := range n {
				s.sizes[i] += int(o32[i+1] - o32[i])
			}
		} else {
			for i := range n {
				s.sizes[i] += int(o64[i+1] - o64[i])
			}
		}
	}
	// Place the rows; pos is each row's start in its page.
	s.pos = slices.Grow(s.pos[:0], n)[:n]
	first := len(s.addr)
	for i, sz := range s.sizes {
		if len(s.cur)+sz > cap(s.cur) {
			// Pages grow with the store (a small buffer stays small),
			// up to rowPageSize.
			want := max(sz, min(rowPageSize, max(minRowPage, int(s.bytes))))
			var mapped bool
			s.cur, mapped = allocPage((want + osPage - 1) &^ (osPage - 1))
			s.pages = append(s.pages, s.cur)
			s.maps = append(s.maps, mapped)
			s.bytes += int64(cap(s.cur))
		}
		p := len(s.pages) - 1
		s.pos[i] = len(s.cur)
		s.addr = append(s.addr, uint64(p)<<32|uint64(len(s.cur)))
		s.cur = s.cur[:len(s.cur)+sz]
		s.pages[p] = s.cur
		s.used += int64(sz)
	}
	row := func(i int) []byte {
		a := s.addr[first+i]
		return s.pages[a>>32][a&0xffffffff:]
	}
	// Bitmaps, then each column's slots (and variable bytes, appended
	// behind the fixed part in column order).
	for i := range n {
		r := row(i)
		for j := range s.nb {
			r[j] = 0
		}
		s.pos[i] = s.fixed // next variable byte of row i
	}
	for ci, c := range s.cols {
		a := rec.Column(ci)
		nulls := a.NullN() > 0
		if nulls {
			bit := byte(1) << (ci % 8)
			for i := range n {
				if a.IsNull(i) {
					row(i)[ci/8] |= bit
				}
			}
		}
		switch c.kind {
		case colFixed:
			d := a.Data()
			w := c.width
			var raw []byte
			if b := d.Buffers()[1]; b != nil {
				raw = b.Bytes()[d.Offset()*w:]
			}
			for i := range n {
				slot := row(i)[c.off : c.off+w]
				if raw == nil || nulls && a.IsNull(i) {
					clear(slot)
					continue
				}
				copy(slot, raw[i*w:i*w+w])
			}
		case colBool:
			b := a.(*array.Boolean)
			for i := range n {
				v := byte(0)
				if b.Value(i) && !(nulls && a.IsNull(i)) {
					v = 1
				}
				row(i)[c.off] = v
			}
		default:
			o32, o64, data := varBytes(a)
			for i := range n {
				var v []byte
				if o32 != nil {
					v = data[o32[i]-o32[0] : o32[i+1]-o32[0]]
				} else {
					v = data[o64[i]-o64[0] : o64[i+1]-o64[0]]
				}
				r := row(i)
				binary.LittleEndian.PutUint32(r[c.off:], uint32(len(v)))
				s.pos[i] += copy(r[s.pos[i]:], v)
			}
		}
	}
}

// colOut collects one output column of a decode.
type colOut struct {
	valid []byte
	nulls int
	vals  []byte
	offs  []int64
	data  []byte
}

// decode builds a record (schema sc) of the rows ids, in order.
func (s *rowStore) decode(mem memory.Allocator, sc *arrow.Schema, ids []int32) arrow.Record {
	n := len(ids)
	nvb := int(bitutil.BytesForBits(int64(n)))
	for ci, c := range s.cols {
		o := &s.outs[ci]
		o.valid = append(o.valid[:0], make([]byte, nvb)...)
		o.nulls = 0
		switch c.kind {
		case colFixed, colBool:
			o.vals = append(o.vals[:0], make([]byte, n*c.width)...)
		default:
			o.offs = append(o.offs[:0], 0)
			o.data = o.data[:0]
		}
	}
	// Rows are read in random order: load each row of the next block once
	// first, with loads that do not depend on each other, so that the
	// processor has many of these cache misses in flight at once rather
	// than one at a time in the decoding loop.
	avg := s.fixed
	if len(s.addr) > 0 {
		avg = int(s.used / int64(len(s.addr)))
	}
	var touched byte
	for i, id := range ids {
		if i%touchBlock == 0 {
			for _, id := range ids[i:min(len(ids), i+touchBlock)] {
				a := s.addr[id]
				r := s.pages[a>>32][a&0xffffffff:]
				for j := 0; j < min(avg, len(r)); j += 64 {
					touched += r[j]
				}
			}
		}
		a := s.addr[id]
		r := s.pages[a>>32][a&0xffffffff:]
		vp := s.fixed
		for ci := range s.cols {
			c := &s.cols[ci]
			o := &s.outs[ci]
			null := r[ci/8]&(1<<(ci%8)) != 0
			if null {
				o.nulls++
			} else {
				o.valid[i/8] |= 1 << (i % 8)
			}
			switch c.kind {
			case colFixed:
				copy(o.vals[i*c.width:(i+1)*c.width], r[c.off:c.off+c.width])
			case colBool:
				o.vals[i] = r[c.off]
			default:
				l := int(binary.LittleEndian.Uint32(r[c.off:]))
				o.data = append(o.data, r[vp:vp+l]...)
				vp += l
				o.offs = append(o.offs, int64(len(o.data)))
			}
		}
	}
	s.sink += touched
	cols := make([]arrow.Array, len(s.cols))
	for ci, c := range s.cols {
		o := &s.outs[ci]
		var validity *memory.Buffer
		if o.nulls > 0 {
			validity = copyBuffer(mem, o.valid)
		}
		var bufs []*memory.Buffer
		switch c.kind {
		case colFixed:
			bufs = []*memory.Buffer{validity, copyBuffer(mem, o.vals)}
		case colBool:
			vb := memory.NewResizableBuffer(mem)
			vb.Resize(nvb)
			bits := vb.Bytes()
			clear(bits)
			for i, v := range o.vals {
				if v != 0 {
					bitutil.SetBit(bits, i)
				}
			}
			bufs = []*memory.Buffer{validity, vb}
		case colVar:
			ob := memory.NewResizableBuffer(mem)
			ob.Resize(4 * (n + 1))
			offs := arrow.Int32Traits.CastFromBytes(ob.Bytes())
			for i, v := range o.offs {
				offs[i] = int32(v)
			}
			bufs = []*memory.Buffer{validity, ob, copyBuffer(mem, o.data)}
		case colLarge:
			ob := memory.NewResizableBuffer(mem)
			ob.Resize(8 * (n + 1))
			copy(arrow.Int64Traits.CastFromBytes(ob.Bytes()), o.offs)
			bufs = []*memory.Buffer{validity, ob, copyBuffer(mem, o.data)}
		}
		d := array.NewData(c.dt, n, bufs, nil, o.nulls, 0)
		for _, b := range bufs {
			if b != nil {
				b.Release()
			}
		}
		cols[ci] = array.MakeFromData(d)
		d.Release()
	}
	rec := array.NewRecordBatch(sc, cols, int64(n))
	for _, c := range cols {
		c.Release()
	}
	return rec
}

// copyBuffer returns a buffer of mem holding a copy of b.
func copyBuffer(mem memory.Allocator, b []byte) *memory.Buffer {
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(len(b))
	copy(buf.Bytes(), b)
	return buf
}
