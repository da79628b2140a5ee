package datafile

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// pqWriter writes the Parquet file of a data file. When every column is a
// flat (non-nested) column, the columns of each record are encoded and
// compressed in parallel, up to GOMAXPROCS at a time, into the column
// writers of a buffered row group: each column writer has its own encoder,
// page buffer and statistics, so independent columns can be filled at
// once, and the row group is laid out column by column when it is closed,
// exactly as a serial write lays it out. Schemas with nested columns
// (ARRAY, MAP, ROW, …), whose definition and repetition levels pqarrow
// derives, go through pqarrow's serial writer.
type pqWriter struct {
	serial *pqarrow.FileWriter // nested schemas

	wr      *file.Writer
	rg      file.BufferedRowGroupWriter
	order   []int      // columns, costliest first, for balance
	workers []*encoder // one per goroutine
	aprops  pqarrow.ArrowWriterProperties
	ones    []int16 // all-valid definition levels, shared read-only
}

// encoder is one goroutine's scratch: the pqarrow write context (which
// holds a conversion buffer) and definition levels.
type encoder struct {
	ctx context.Context
	def []int16
}

// flatSchema reports whether every field of sc is a flat leaf column.
func flatSchema(sc *arrow.Schema) bool {
	for _, f := range sc.Fields() {
		switch f.Type.ID() {
		case arrow.LIST, arrow.LARGE_LIST, arrow.FIXED_SIZE_LIST, arrow.LIST_VIEW, arrow.LARGE_LIST_VIEW,
			arrow.STRUCT, arrow.MAP, arrow.SPARSE_UNION, arrow.DENSE_UNION, arrow.DICTIONARY,
			arrow.EXTENSION, arrow.RUN_END_ENCODED:
			return false
		}
	}
	return true
}

func newPQWriter(sc *arrow.Schema, w io.Writer, props *parquet.WriterProperties, aprops pqarrow.ArrowWriterProperties) (*pqWriter, error) {
	if !flatSchema(sc) {
		fw, err := pqarrow.NewFileWriter(sc, w, props, aprops)
		if err != nil {
			return nil, err
		}
		return &pqWriter{serial: fw}, nil
	}
	ps, err := pqarrow.ToParquet(sc, props, aprops)
	if err != nil {
		return nil, err
	}
	// An empty key-value list, as pqarrow writes, rather than none.
	meta := make(metadata.KeyValueMetadata, 0)
	md := sc.Metadata()
	for i, k := range md.Keys() {
		meta.Append(k, md.Values()[i])
	}
	wr, err := file.NewParquetWriterWithError(w, ps.Root(), file.WithWriterProps(props), file.WithWriteMetadata(meta))
	if err != nil {
		return nil, err
	}
	p := &pqWriter{wr: wr, aprops: aprops}
	p.order = make([]int, sc.NumFields())
	for i := range p.order {
		p.order[i] = i
	}
	// Variable-width columns cost the most to encode: start them first so
	// that the cheap ones fill the gaps at the end.
	sort.SliceStable(p.order, func(a, b int) bool {
		return colCost(sc.Field(p.order[a]).Type) > colCost(sc.Field(p.order[b]).Type)
	})
	n := min(runtime.GOMAXPROCS(0), sc.NumFields())
	for range max(n, 1) {
		p.workers = append(p.workers, &encoder{ctx: pqarrow.NewArrowWriteContext(context.Background(), &p.aprops)})
	}
	return p, nil
}

// colCost ranks the encoding cost of a column type.
func colCost(t arrow.DataType) int {
	switch t.ID() {
	case arrow.STRING, arrow.BINARY, arrow.LARGE_STRING, arrow.LARGE_BINARY, arrow.STRING_VIEW, arrow.BINARY_VIEW:
		return 3
	case arrow.DECIMAL128, arrow.DECIMAL256, arrow.FIXED_SIZE_BINARY, arrow.TIMESTAMP:
		return 2
	case arrow.BOOL, arrow.INT8:
		return 0
	}
	return 1
}

// write appends rec to the current row group and calls done(j) once
// column j of rec is written (from the goroutine that wrote it; done must
// be safe to call for different columns at once).
func (p *pqWriter) write(rec arrow.RecordBatch, done func(j int)) error {
	if p.serial != nil {
		if err := p.serial.WriteBuffered(rec); err != nil {
			return err
		}
		for j := range int(rec.NumCols()) {
			done(j)
		}
		return nil
	}
	if p.rg == nil {
		rg, err := p.wr.AppendBufferedRowGroupChecked()
		if err != nil {
			return err
		}
		p.rg = rg
	}
	n := int(rec.NumRows())
	if len(p.ones) < n {
		p.ones = make([]int16, n)
		for i := range p.ones {
			p.ones[i] = 1
		}
	}
	return p.parallel(func(e *encoder, j int) error {
		if err := p.encodeColumn(e, j, rec.Column(j)); err != nil {
			return err
		}
		done(j)
		return nil
	})
}

// encodeColumn writes arr into column j of the current row group.
func (p *pqWriter) encodeColumn(e *encoder, j int, arr arrow.Array) (err error) {
	defer func() {
		// arrow-go reports some failures by panicking: keep them errors,
		// as in the serial path, instead of crashing a worker goroutine.
		if r := recover(); r != nil {
			err = fmt.Errorf("column %d: %v", j, r)
		}
	}()
	cw, err := p.rg.Column(j)
	if err != nil {
		return err
	}
	var def []int16
	nullable := cw.Descr().MaxDefinitionLevel() > 0
	if nullable {
		def = p.ones[:arr.Len()]
		if arr.NullN() > 0 {
			e.def = defLevels(e.def[:0], arr)
			def = e.def
		}
	}
	return pqarrow.WriteArrowToColumn(e.ctx, cw, arr, def, nil, nullable)
}

// defLevels appends the definition levels of a flat optional column: 1 for
// a value, 0 for a null.
func defLevels(dst []int16, arr arrow.Array) []int16 {
	n := arr.Len()
	if cap(dst) < n {
		dst = make([]int16, n)
	}
	dst = dst[:n]
	if nb := arr.NullBitmapBytes(); len(nb) > 0 {
		off := arr.Data().Offset()
		for i := range n {
			k := off + i
			dst[i] = int16(nb[k>>3] >> (k & 7) & 1)
		}
		return dst
	}
	// No bitmap: all null (a null-typed array) or all valid.
	if arr.NullN() == 0 {
		for i := range dst {
			dst[i] = 1
		}
	}
	return dst
}

// pageFlusher is what the column writers of package file (which embed
// its columnWriter) offer beyond ColumnChunkWriter.
type pageFlusher interface {
	FlushCurrentPage() error
	EstimatedBufferedValueBytes() int64
}

// parallel runs fn for every column, on up to len(p.workers) goroutines,
// and returns the first error.
func (p *pqWriter) parallel(fn func(e *encoder, j int) error) error {
	errs := make([]error, len(p.order))
	var next atomic.Int32
	run := func(e *encoder) {
		for {
			k := int(next.Add(1)) - 1
			if k >= len(p.order) {
				return
			}
			j := p.order[k]
			errs[j] = fn(e, j)
		}
	}
	var wg sync.WaitGroup
	for _, e := range p.workers[1:] {
		wg.Go(func() { run(e) })
	}
	run(p.workers[0])
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// closeRowGroup closes the current row group. Closing a column writer
// compresses its last page and, for a dictionary column, writes the
// dictionary, then copies the column chunk to the file; the copy must
// follow column order, but the last page of every PLAIN column is first
// compressed in parallel: closing then finds no page left to cut, so the
// bytes are those a serial close writes.
func (p *pqWriter) closeRowGroup() error {
	rg := p.rg
	p.rg = nil
	err := p.parallel(func(_ *encoder, j int) (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("column %d: %v", j, r)
			}
		}()
		cw, err := rg.Column(j)
		if err != nil {
			return err
		}
		pf, ok := cw.(pageFlusher)
		if !ok || cw.CurrentEncoder() == nil || cw.CurrentEncoder().Encoding() != parquet.Encodings.Plain {
			return nil // dictionary pages are ordered by Close
		}
		if pf.EstimatedBufferedValueBytes() == 0 {
			return nil // nothing, or only nulls, buffered: Close cuts it
		}
		return pf.FlushCurrentPage()
	})
	if err != nil {
		rg.Close()
		return err
	}
	return rg.Close()
}

// newRowGroup ends the current row group; the next write starts another.
func (p *pqWriter) newRowGroup() error {
	if p.serial != nil {
		return p.serial.NewBufferedRowGroupChecked()
	}
	if p.rg == nil {
		return nil
	}
	return p.closeRowGroup()
}

// close ends the row group and writes the footer.
func (p *pqWriter) close() error {
	if p.serial != nil {
		return p.serial.Close()
	}
	if p.wr == nil {
		return nil
	}
	wr := p.wr
	p.wr = nil
	if p.rg != nil {
		if err := p.closeRowGroup(); err != nil {
			wr.Close()
			return err
		}
	}
	return wr.Close()
}
