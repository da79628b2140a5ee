package table

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/floelake/floe/lsm"
)

// readSplits returns one reader over the readers opens returns, in order.
// With more than one split and more than one CPU, up to GOMAXPROCS splits
// are read on their own goroutines ahead of the consumer, each at most
// prefetchDepth records ahead: the output (records, their order, and the
// error that ends it) is that of reading the splits one after another.
func readSplits(sc *arrow.Schema, opens []lsm.Opener) array.RecordReader {
	n := runtime.GOMAXPROCS(0)
	if n < 2 || len(opens) < 2 {
		return lsm.Concat(sc, opens)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &prefetchReader{schema: sc, opens: opens, ahead: n, ctx: ctx, cancel: cancel,
		chans: make([]chan prefetched, len(opens))}
	r.refs.Store(1)
	return r
}

// prefetchDepth is the number of records a split's goroutine decodes
// ahead of the consumer (besides the one it holds).
const prefetchDepth = 1

type prefetched struct {
	rec arrow.RecordBatch
	err error
}

// prefetchReader reads splits on goroutines ahead of its consumer.
type prefetchReader struct {
	refs   atomic.Int64
	schema *arrow.Schema
	opens  []lsm.Opener
	ahead  int // splits read at once
	ctx    context.Context
	cancel context.CancelFunc
	chans  []chan prefetched // per split, once started
	wg     sync.WaitGroup
	cur    int // the split being consumed
	rec    arrow.RecordBatch
	err    error
}

func (r *prefetchReader) Retain() { r.refs.Add(1) }
func (r *prefetchReader) Release() {
	if r.refs.Add(-1) != 0 {
		return
	}
	r.release()
	r.stop()
}

func (r *prefetchReader) release() {
	if r.rec != nil {
		r.rec.Release()
		r.rec = nil
	}
}

// stop ends every started goroutine and releases what they decoded.
func (r *prefetchReader) stop() {
	r.cancel()
	for i, ch := range r.chans {
		if ch == nil {
			continue
		}
		for it := range ch {
			if it.rec != nil {
				it.rec.Release()
			}
		}
		r.chans[i] = nil
	}
	r.wg.Wait()
	r.cur = len(r.opens)
}

func (r *prefetchReader) Schema() *arrow.Schema          { return r.schema }
func (r *prefetchReader) Record() arrow.RecordBatch      { return r.rec }
func (r *prefetchReader) RecordBatch() arrow.RecordBatch { return r.rec }
func (r *prefetchReader) Err() error                     { return r.err }

func (r *prefetchReader) Next() bool {
	r.release()
	for r.err == nil && r.cur < len(r.opens) {
		for i := r.cur; i < min(r.cur+r.ahead, len(r.opens)); i++ {
			if r.chans[i] == nil && r.opens[i] != nil {
				ch := make(chan prefetched, prefetchDepth)
				r.chans[i] = ch
				r.wg.Add(1)
				go r.produce(r.opens[i], ch)
				r.opens[i] = nil
			}
		}
		it, ok := <-r.chans[r.cur]
		if !ok {
			r.chans[r.cur] = nil
			r.cur++
			continue
		}
		if it.err != nil {
			r.err = it.err
			r.stop()
			return false
		}
		r.rec = it.rec
		return true
	}
	return false
}

// produce reads one split into ch, then closes it.
func (r *prefetchReader) produce(open lsm.Opener, ch chan<- prefetched) {
	defer r.wg.Done()
	defer close(ch)
	send := func(it prefetched) bool {
		select {
		case ch <- it:
			return true
		case <-r.ctx.Done():
			if it.rec != nil {
				it.rec.Release()
			}
			return false
		}
	}
	defer func() {
		if p := recover(); p != nil {
			send(prefetched{err: fmt.Errorf("table: read split: panic: %v", p)})
		}
	}()
	rd, err := open()
	if err != nil {
		send(prefetched{err: err})
		return
	}
	defer rd.Release()
	for rd.Next() {
		rec := rd.RecordBatch()
		rec.Retain()
		if !send(prefetched{rec: rec}) {
			return
		}
	}
	if err := rd.Err(); err != nil {
		send(prefetched{err: err})
	}
}
