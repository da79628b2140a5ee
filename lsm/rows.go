package lsm

import (
	"encoding/binary"
	"runtime"
	"slices"
	"sync"

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
	addr  []uint64 // row -> page<<32 | offset, off the heap
	off   offHeap  // addr's array
	bytes int64    // capacity of pages
	used  int64    // bytes of rows

	// scratch of Add
	sizes []int
	pos   []int
}

// rowDecoder is the scratch of one decoding goroutine: a store decodes on
// several at once (rowDecoder.decode), each with a decoder of its own.
type rowDecoder struct {
	outs []colOut
	sink byte // keeps the loads of decode's first pass
}

type rowCol struct {
	kind  int
	width int   // fixed slot bytes
	vbyte int64 // variable bytes of this column in the store
	off   int   // slot offset in the row
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
	rowPageSize = 2 << 20
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
	for i := range s.cols {
		s.cols[i].vbyte = 0
	}
	releaseArr(&s.off, s.addr)
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
			s.cols[ci].vbyte += int64(o32[n] - o32[0])
		} else {
			for i := range n {
				s.sizes[i] += int(o64[i+1] - o64[i])
			}
			s.cols[ci].vbyte += o64[n] - o64[0]
		}
	}
	// Place the rows; pos is each row's start in its page.
	s.pos = slices.Grow(s.pos[:0], n)[:n]
	first := len(s.addr)
	s.addr = growArr(&s.off, s.addr, n)
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
	// The rows are placed: fill them, in two halves at once when there
	// are enough of them (the halves touch disjoint rows).
	if n >= parallelFillRows && runtime.GOMAXPROCS(0) > 1 {
		for ci := range s.cols {
			rec.Column(ci).NullN() // counted once, before the halves read it
		}
		var wg sync.WaitGroup
		wg.Go(func() { s.fill(rec, first, n/2, n) })
		s.fill(rec, first, 0, n/2)
		wg.Wait()
		return
	}
	s.fill(rec, first, 0, n)
}

// parallelFillRows is the least rows of a record whose copy into the store
// is split between two goroutines.
const parallelFillRows = 1024

// fill copies rows lo..hi-1 of rec, already placed at s.addr[first+lo:],
// into the store. Calls for disjoint row ranges may run at once.
func (s *rowStore) fill(rec arrow.Record, first, lo, hi int) {
	row := func(i int) []byte {
		a := s.addr[first+i]
		return s.pages[a>>32][a&0xffffffff:]
	}
	// Bitmaps, then each column's slots (and variable bytes, appended
	// behind the fixed part in column order).
	for i := lo; i < hi; i++ {
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
			for i := lo; i < hi; i++ {
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
			for i := lo; i < hi; i++ {
				slot := row(i)[c.off : c.off+w]
				if raw == nil || nulls && a.IsNull(i) {
					clear(slot)
					continue
				}
				copy(slot, raw[i*w:i*w+w])
			}
		case colBool:
			b := a.(*array.Boolean)
			for i := lo; i < hi; i++ {
				v := byte(0)
				if b.Value(i) && !(nulls && a.IsNull(i)) {
					v = 1
				}
				row(i)[c.off] = v
			}
		default:
			o32, o64, data := varBytes(a)
			for i := lo; i < hi; i++ {
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

// colOut is one output column of a decode: Arrow buffers of the exact
// size, written in place.
type colOut struct {
	validity *memory.Buffer // allocated at the column's first null
	valid    []byte
	nulls    int
	vals     *memory.Buffer // values (fixed, bool) or offsets (variable)
	vb       []byte
	data     *memory.Buffer // variable bytes
	db       []byte
	dp       int
}

// grow makes room for at least l more variable bytes.
func (o *colOut) grow(l int) {
	o.data.ResizeNoShrink(o.dp)
	o.data.Reserve(max(2*o.dp, o.dp+l))
	o.db = o.data.Buf()[:o.data.Cap()]
}

// touchBlock is the number of rows decode loads ahead.
const touchBlock = 32

// decode builds a record (schema sc) of the rows ids of s, in order. The
// store is only read: decoders of one store may run at once.
func (d *rowDecoder) decode(s *rowStore, mem memory.Allocator, sc *arrow.Schema, ids []int32) arrow.Record {
	if len(d.outs) != len(s.cols) {
		d.outs = make([]colOut, len(s.cols))
	}
	n := len(ids)
	nvb := int(bitutil.BytesForBits(int64(n)))
	// Rows are read in random order: before decoding a block of them, load
	// each once with loads that do not depend on each other, so that the
	// processor has many of these cache misses in flight at once
	// rather than one at a time in the decoding loop.
	avg := s.fixed
	if len(s.addr) > 0 {
		avg = int(s.used / int64(len(s.addr)))
	}
	var touched byte
	for ci, c := range s.cols {
		o := &d.outs[ci]
		o.validity, o.valid, o.nulls = nil, nil, 0
		o.vals = memory.NewResizableBuffer(mem)
		switch c.kind {
		case colFixed:
			o.vals.Resize(n * c.width)
		case colBool:
			o.vals.Resize(nvb)
		case colVar:
			o.vals.Resize(4 * (n + 1))
		case colLarge:
			o.vals.Resize(8 * (n + 1))
		}
		o.vb = o.vals.Bytes()
		o.data, o.db = nil, nil
		if c.kind >= colVar {
			// Sized from the column's mean length; grown when short.
			o.data = memory.NewResizableBuffer(mem)
			est := 64
			if len(s.addr) > 0 {
				est += int(c.vbyte * int64(n) / int64(len(s.addr)) * 9 / 8)
			}
			o.data.Reserve(est)
			o.db = o.data.Buf()[:o.data.Cap()]
			o.dp = 0
			clear(o.vb[:c.kind*4-4]) // the first offset (4 or 8 bytes)
		}
		if c.kind == colBool {
			clear(o.vb)
		}
	}
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
			o := &d.outs[ci]
			if r[ci/8]&(1<<(ci%8)) != 0 {
				if o.validity == nil {
					o.validity = memory.NewResizableBuffer(mem)
					o.validity.Resize(nvb)
					o.valid = o.validity.Bytes()
					clear(o.valid)
					for j := range i {
						bitutil.SetBit(o.valid, j)
					}
				}
				o.nulls++
			} else if o.valid != nil {
				o.valid[i/8] |= 1 << (i % 8)
			}
			switch c.kind {
			case colFixed:
				w := c.width
				copy(o.vb[i*w:i*w+w], r[c.off:c.off+w])
			case colBool:
				if r[c.off] != 0 {
					o.vb[i/8] |= 1 << (i % 8)
				}
			case colVar:
				l := int(binary.LittleEndian.Uint32(r[c.off:]))
				if o.dp+l > len(o.db) {
					o.grow(l)
				}
				o.dp += copy(o.db[o.dp:], r[vp:vp+l])
				vp += l
				binary.LittleEndian.PutUint32(o.vb[4*i+4:], uint32(o.dp))
			default:
				l := int(binary.LittleEndian.Uint32(r[c.off:]))
				if o.dp+l > len(o.db) {
					o.grow(l)
				}
				o.dp += copy(o.db[o.dp:], r[vp:vp+l])
				vp += l
				binary.LittleEndian.PutUint64(o.vb[8*i+8:], uint64(o.dp))
			}
		}
	}
	d.sink += touched
	cols := make([]arrow.Array, len(s.cols))
	for ci, c := range s.cols {
		o := &d.outs[ci]
		bufs := []*memory.Buffer{o.validity, o.vals}
		if o.data != nil {
			o.data.ResizeNoShrink(o.dp)
			bufs = append(bufs, o.data)
		}
		d := array.NewData(c.dt, n, bufs, nil, o.nulls, 0)
		for _, b := range bufs {
			if b != nil {
				b.Release()
			}
		}
		cols[ci] = array.MakeFromData(d)
		d.Release()
		*o = colOut{}
	}
	rec := array.NewRecordBatch(sc, cols, int64(n))
	for _, c := range cols {
		c.Release()
	}
	return rec
}
