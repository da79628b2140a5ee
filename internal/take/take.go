// Package take assembles Arrow arrays and records from rows of several
// source records: the copy step of merging, where each output row (or
// cell) comes from some input row.
package take

import (
	"context"
	"encoding/binary"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/internal/kv"
)

// Ref names row Row of source Src. A negative Src is a null cell (Column
// only).
type Ref struct {
	Src int32
	Row int32
}

// Null is the Ref of a null cell.
var Null = Ref{Src: -1}

// Contiguous reports whether refs are consecutive rows of one source.
func Contiguous(refs []Ref) bool {
	for i := 1; i < len(refs); i++ {
		if refs[i].Src != refs[0].Src || refs[i].Row != refs[i-1].Row+1 {
			return false
		}
	}
	return true
}

// Record builds a record of the rows refs of srcs (all with schema
// sc). A run of consecutive rows of one source is a zero-copy slice.
func Record(mem memory.Allocator, sc *arrow.Schema, srcs []arrow.Record, refs []Ref) (arrow.Record, error) {
	if len(refs) > 0 && Contiguous(refs) {
		s := refs[0]
		return srcs[s.Src].NewSlice(int64(s.Row), int64(s.Row)+int64(len(refs))), nil
	}
	cols := make([]arrow.Array, sc.NumFields())
	arrs := make([]arrow.Array, len(srcs))
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	for c := range cols {
		for i, s := range srcs {
			arrs[i] = s.Column(c)
		}
		a, err := Column(mem, sc.Field(c).Type, arrs, refs)
		if err != nil {
			return nil, err
		}
		cols[c] = a
	}
	return array.NewRecordBatch(sc, cols, int64(len(refs))), nil
}

// Column builds one array of type dt from the rows refs of srcs (a Ref
// with a negative Src gives a null). Fixed-width, boolean, string and
// binary columns are copied directly; other types (nested) go through
// compute.TakeArray per source.
func Column(mem memory.Allocator, dt arrow.DataType, srcs []arrow.Array, refs []Ref) (arrow.Array, error) {
	for i, r := range refs {
		if r.Src < 0 {
			// Null cells come from one extra all-null source.
			na := array.MakeArrayOfNull(mem, dt, 1)
			defer na.Release()
			srcs = append(srcs[:len(srcs):len(srcs)], na)
			nr := make([]Ref, len(refs))
			copy(nr, refs[:i])
			for j := i; j < len(refs); j++ {
				if nr[j] = refs[j]; refs[j].Src < 0 {
					nr[j] = Ref{Src: int32(len(srcs) - 1)}
				}
			}
			refs = nr
			break
		}
	}
	n := len(refs)
	var validity *memory.Buffer
	nulls := 0
	anyNulls := false
	for _, s := range srcs {
		if s.NullN() > 0 {
			anyNulls = true
			break
		}
	}
	switch dt.ID() {
	case arrow.STRUCT, arrow.LIST, arrow.LARGE_LIST, arrow.MAP, arrow.FIXED_SIZE_LIST,
		arrow.DENSE_UNION, arrow.SPARSE_UNION, arrow.DICTIONARY, arrow.EXTENSION,
		arrow.RUN_END_ENCODED, arrow.LIST_VIEW, arrow.LARGE_LIST_VIEW,
		arrow.STRING_VIEW, arrow.BINARY_VIEW, arrow.NULL:
		return gatherByTake(mem, srcs, refs)
	}
	if anyNulls {
		validity = memory.NewResizableBuffer(mem)
		validity.Resize(int(bitutil.BytesForBits(int64(n))))
		vb := validity.Bytes()
		clear(vb)
		for i, r := range refs {
			if srcs[r.Src].IsValid(int(r.Row)) {
				bitutil.SetBit(vb, i)
			} else {
				nulls++
			}
		}
	}
	release := func(bufs ...*memory.Buffer) {
		for _, b := range bufs {
			if b != nil {
				b.Release()
			}
		}
	}
	switch dt.ID() {
	case arrow.BOOL:
		vals := memory.NewResizableBuffer(mem)
		vals.Resize(int(bitutil.BytesForBits(int64(n))))
		vb := vals.Bytes()
		clear(vb)
		for i, r := range refs {
			if srcs[r.Src].(*array.Boolean).Value(int(r.Row)) {
				bitutil.SetBit(vb, i)
			}
		}
		d := array.NewData(dt, n, []*memory.Buffer{validity, vals}, nil, nulls, 0)
		release(validity, vals)
		defer d.Release()
		return array.MakeFromData(d), nil
	case arrow.STRING, arrow.BINARY:
		so := make([][]int32, len(srcs))
		sd := make([][]byte, len(srcs))
		base := make([]int32, len(srcs))
		for i, a := range srcs {
			switch a := a.(type) {
			case *array.String:
				so[i], sd[i] = a.ValueOffsets(), a.ValueBytes()
			case *array.Binary:
				so[i], sd[i] = a.ValueOffsets(), a.ValueBytes()
			}
			if len(so[i]) > 0 {
				base[i] = so[i][0] // ValueBytes starts at the first offset
			}
		}
		total := 0
		for _, r := range refs {
			o := so[r.Src]
			total += int(o[r.Row+1] - o[r.Row])
		}
		offs := memory.NewResizableBuffer(mem)
		offs.Resize((n + 1) * 4)
		data := memory.NewResizableBuffer(mem)
		data.Resize(total)
		ob := arrow.Int32Traits.CastFromBytes(offs.Bytes())
		db := data.Bytes()
		p := int32(0)
		ob[0] = 0
		for i, r := range refs {
			o := so[r.Src]
			s, e := o[r.Row]-base[r.Src], o[r.Row+1]-base[r.Src]
			p += int32(copy(db[p:], sd[r.Src][s:e]))
			ob[i+1] = p
		}
		d := array.NewData(dt, n, []*memory.Buffer{validity, offs, data}, nil, nulls, 0)
		release(validity, offs, data)
		defer d.Release()
		return array.MakeFromData(d), nil
	case arrow.LARGE_STRING, arrow.LARGE_BINARY:
		total := 0
		for _, r := range refs {
			total += varLen(srcs[r.Src], int(r.Row))
		}
		offs := memory.NewResizableBuffer(mem)
		offs.Resize((n + 1) * 8)
		data := memory.NewResizableBuffer(mem)
		data.Resize(total)
		ob, db := offs.Bytes(), data.Bytes()
		p := 0
		binary.LittleEndian.PutUint64(ob, 0)
		for i, r := range refs {
			p += copy(db[p:], kv.VarBytes(srcs[r.Src], int(r.Row)))
			binary.LittleEndian.PutUint64(ob[(i+1)*8:], uint64(p))
		}
		d := array.NewData(dt, n, []*memory.Buffer{validity, offs, data}, nil, nulls, 0)
		release(validity, offs, data)
		defer d.Release()
		return array.MakeFromData(d), nil
	}
	fw, ok := dt.(arrow.FixedWidthDataType)
	if !ok || fw.BitWidth()%8 != 0 {
		release(validity)
		return gatherByTake(mem, srcs, refs)
	}
	w := fw.BitWidth() / 8
	vals := memory.NewResizableBuffer(mem)
	vals.Resize(n * w)
	vb := vals.Bytes()
	raw := make([][]byte, len(srcs))
	for i, s := range srcs {
		d := s.Data()
		if b := d.Buffers()[1]; b != nil {
			raw[i] = b.Bytes()[d.Offset()*w:]
		}
	}
	switch w {
	case 8:
		for i, r := range refs {
			copy(vb[i*8:i*8+8], raw[r.Src][int(r.Row)*8:])
		}
	case 4:
		for i, r := range refs {
			copy(vb[i*4:i*4+4], raw[r.Src][int(r.Row)*4:])
		}
	default:
		for i, r := range refs {
			copy(vb[i*w:(i+1)*w], raw[r.Src][int(r.Row)*w:])
		}
	}
	if anyNulls {
		// Null slots may hold anything in the source; zero them.
		vbits := validity.Bytes()
		for i := range n {
			if !bitutil.BitIsSet(vbits, i) {
				clear(vb[i*w : (i+1)*w])
			}
		}
	}
	d := array.NewData(dt, n, []*memory.Buffer{validity, vals}, nil, nulls, 0)
	release(validity, vals)
	defer d.Release()
	return array.MakeFromData(d), nil
}

func varLen(a arrow.Array, i int) int {
	switch a := a.(type) {
	case *array.String:
		return a.ValueLen(i)
	case *array.Binary:
		return a.ValueLen(i)
	case *array.LargeString:
		return a.ValueLen(i)
	case *array.LargeBinary:
		return a.ValueLen(i)
	}
	return 0
}

// gatherByTake takes each source's rows with compute.TakeArray, concatenates
// the pieces and puts them in refs order with one more take.
func gatherByTake(mem memory.Allocator, srcs []arrow.Array, refs []Ref) (arrow.Array, error) {
	ctx := compute.WithAllocator(context.Background(), mem)
	count := make([]int, len(srcs))
	for _, r := range refs {
		count[r.Src]++
	}
	idx := make([][]int32, len(srcs))
	for s, c := range count {
		if c > 0 {
			idx[s] = make([]int32, 0, c)
		}
	}
	for _, r := range refs {
		idx[r.Src] = append(idx[r.Src], r.Row)
	}
	start := make([]int, len(srcs))
	var pieces []arrow.Array
	defer func() {
		for _, p := range pieces {
			p.Release()
		}
	}()
	pos := 0
	for s, rows := range idx {
		if len(rows) == 0 {
			continue
		}
		start[s] = pos
		pos += len(rows)
		ia := array.NewInt32Data(array.NewData(arrow.PrimitiveTypes.Int32, len(rows),
			[]*memory.Buffer{nil, memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(rows))}, nil, 0, 0))
		p, err := compute.TakeArray(ctx, srcs[s], ia)
		ia.Release()
		if err != nil {
			return nil, fmt.Errorf("lsm: take %s: %w", srcs[s].DataType(), err)
		}
		pieces = append(pieces, p)
	}
	if len(pieces) == 1 {
		// Rows of one source are in refs order already (refs of a source
		// appear in the order they were added to idx).
		p := pieces[0]
		pieces = nil
		return p, nil
	}
	var all arrow.Array
	if len(pieces) == 0 {
		return array.MakeArrayOfNull(mem, srcs[0].DataType(), 0), nil
	}
	all, err := array.Concatenate(pieces, mem)
	if err != nil {
		return nil, fmt.Errorf("lsm: concatenate %s: %w", srcs[0].DataType(), err)
	}
	defer all.Release()
	perm := make([]int32, len(refs))
	for i, r := range refs {
		perm[i] = int32(start[r.Src])
		start[r.Src]++
	}
	pa := array.NewInt32Data(array.NewData(arrow.PrimitiveTypes.Int32, len(perm),
		[]*memory.Buffer{nil, memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(perm))}, nil, 0, 0))
	defer pa.Release()
	out, err := compute.TakeArray(ctx, all, pa)
	if err != nil {
		return nil, fmt.Errorf("lsm: take %s: %w", all.DataType(), err)
	}
	return out, nil
}
