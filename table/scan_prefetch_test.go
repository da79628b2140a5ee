package table

import (
	"errors"
	"fmt"
	"runtime"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/lsm"
)

// TestReadSplitsPrefetch: splits read ahead on goroutines come out in
// split order, an error ends the read where reading one split after
// another would, and an early Release stops the goroutines and releases
// everything they decoded.
func TestReadSplitsPrefetch(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	}
	sc := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Int64}}, nil)
	errSplit := errors.New("split failed")
	// split i has i%4 records of 3 rows; failAt fails opening it, failIn
	// fails after its records.
	makeOpens := func(mem memory.Allocator, n, failAt, failIn int) []lsm.Opener {
		opens := make([]lsm.Opener, n)
		for i := range opens {
			opens[i] = func() (array.RecordReader, error) {
				if i == failAt {
					return nil, fmt.Errorf("split %d: %w", i, errSplit)
				}
				var recs []arrow.RecordBatch
				for j := range i % 4 {
					b := array.NewInt64Builder(mem)
					for k := range 3 {
						b.Append(int64(i*100 + j*10 + k))
					}
					a := b.NewArray()
					b.Release()
					recs = append(recs, array.NewRecordBatch(sc, []arrow.Array{a}, 3))
					a.Release()
				}
				rr, err := array.NewRecordReader(sc, recs)
				for _, r := range recs {
					r.Release()
				}
				if i == failIn {
					return &failingReader{RecordReader: rr, err: fmt.Errorf("split %d: %w", i, errSplit)}, err
				}
				return rr, err
			}
		}
		return opens
	}
	read := func(rr array.RecordReader, limit int) ([]int64, error) {
		var out []int64
		for rr.Next() {
			out = append(out, rr.RecordBatch().Column(0).(*array.Int64).Int64Values()...)
			if len(out) >= limit {
				break
			}
		}
		return out, rr.Err()
	}
	for _, c := range []struct{ failAt, failIn, limit int }{
		{-1, -1, 1 << 30}, {5, -1, 1 << 30}, {-1, 6, 1 << 30}, {-1, -1, 7}, {0, -1, 1 << 30},
	} {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		seq := lsm.Concat(sc, makeOpens(mem, 12, c.failAt, c.failIn))
		want, wantErr := read(seq, c.limit)
		seq.Release()
		par := readSplits(sc, makeOpens(mem, 12, c.failAt, c.failIn))
		if _, ok := par.(*prefetchReader); !ok {
			t.Fatalf("readSplits of 12 splits is a %T", par)
		}
		got, gotErr := read(par, c.limit)
		par.Release()
		if fmt.Sprint(got) != fmt.Sprint(want) || fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
			t.Errorf("%+v: got %v, %v; want %v, %v", c, got, gotErr, want, wantErr)
		}
		mem.AssertSize(t, 0)
	}
}

type failingReader struct {
	array.RecordReader
	err  error
	done bool
}

func (r *failingReader) Next() bool {
	if r.RecordReader.Next() {
		return true
	}
	r.done = true
	return false
}

func (r *failingReader) Err() error {
	if r.done {
		return r.err
	}
	return nil
}
