package datafile

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// columnSource decodes one column of a file a batch of rows at a time.
type columnSource interface {
	// next decodes the next n rows as one array.
	next(n int64) (arrow.Array, error)
	release()
}

// columnBatches decodes the selected columns of a Parquet file a batch of
// rows at a time, the columns of one batch on up to workers goroutines at
// once (each column has its own page reader and decoder, so columns
// decode independently). A panic while decoding a column (arrow-go panics
// on some damaged input) becomes an error, whichever goroutine decodes it.
type columnBatches struct {
	cols    []columnSource
	workers int
}

// decodeWorkers is the number of goroutines decoding the columns of one
// batch: o.Parallel, or GOMAXPROCS when it is 0.
func decodeWorkers(o ReadOptions) int {
	if o.Parallel > 0 {
		return o.Parallel
	}
	return runtime.GOMAXPROCS(0)
}

func (c *columnBatches) release() {
	for _, r := range c.cols {
		r.release()
	}
	c.cols = nil
}

// next decodes the next n rows of every column. Each array has n rows, or
// the result is an error.
func (c *columnBatches) next(n int64) ([]arrow.Array, error) {
	out := make([]arrow.Array, len(c.cols))
	errs := make([]error, len(c.cols))
	w := min(c.workers, len(c.cols))
	if w <= 1 {
		for i := range c.cols {
			out[i], errs[i] = c.column(i, n)
			if errs[i] != nil {
				break
			}
		}
	} else {
		var next atomic.Int64
		var failed atomic.Bool
		work := func() {
			for !failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= len(c.cols) {
					return
				}
				out[i], errs[i] = c.column(i, n)
				if errs[i] != nil {
					failed.Store(true)
				}
			}
		}
		var wg sync.WaitGroup
		wg.Add(w - 1)
		for range w - 1 {
			go func() {
				defer wg.Done()
				work()
			}()
		}
		work()
		wg.Wait()
	}
	if err := errors.Join(errs...); err != nil {
		for _, a := range out {
			if a != nil {
				a.Release()
			}
		}
		return nil, err
	}
	return out, nil
}

// column decodes the next n rows of column i as one array.
func (c *columnBatches) column(i int, n int64) (a arrow.Array, err error) {
	defer func() {
		if r := recover(); r != nil {
			if a != nil {
				a.Release()
			}
			a, err = nil, fmt.Errorf("column %d: %v", i, r)
		}
	}()
	if a, err = c.cols[i].next(n); err != nil {
		return nil, fmt.Errorf("column %d: %w", i, err)
	}
	if int64(a.Len()) != n {
		l := a.Len()
		a.Release()
		return nil, fmt.Errorf("column %d: %d values where %d rows are left", i, l, n)
	}
	return a, nil
}

// pqColumn is a column decoded by pqarrow.
type pqColumn struct {
	r   *pqarrow.ColumnReader
	mem memory.Allocator
}

func (c *pqColumn) release() { c.r.Release() }

func (c *pqColumn) next(n int64) (arrow.Array, error) {
	ch, err := c.r.NextBatch(n)
	if err != nil {
		return nil, err
	}
	defer ch.Release()
	switch len(ch.Chunks()) {
	case 0:
		return nil, fmt.Errorf("no values where %d rows are left", n)
	case 1:
		a := ch.Chunk(0)
		a.Retain()
		return a, nil
	}
	return array.Concatenate(ch.Chunks(), c.mem)
}

// maxPrealloc bounds the string bytes reserved for one column of a batch
// from the file's metadata.
const maxPrealloc = 64 << 20

// preallocSafe says whether binary columns may reserve their batch's bytes
// up front from the column chunks' uncompressed sizes (saving the
// builder's repeated growth): only when the metadata asks for no more than
// maxPrealloc per column and batch, so that damaged metadata cannot make a
// huge allocation.
func preallocSafe(pf *file.Reader, batch int) bool {
	md := pf.MetaData()
	for g := range md.NumRowGroups() {
		rg := md.RowGroup(g)
		rows := rg.NumRows()
		if rows <= 0 {
			continue
		}
		for c := range rg.NumColumns() {
			cc, err := rg.ColumnChunk(c)
			if err != nil {
				return false
			}
			size := cc.TotalUncompressedSize()
			if size < 0 || size/rows*int64(min(int64(batch), rows)) > maxPrealloc || size > 1<<40 {
				return false
			}
		}
	}
	return true
}
