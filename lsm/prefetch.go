package lsm

import (
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// prefetchDepth is the number of records a prefetchReader makes ahead.
const prefetchDepth = 2

// prefetchReader runs another reader on a goroutine of its own, a few
// records ahead of its consumer, so that sorting, merging and decoding
// the buffer's rows overlap with what the consumer does with them
// (encoding Parquet, writing a spill file). The inner reader is used only
// by that goroutine until it ends.
type prefetchReader struct {
	rr    array.RecordReader
	ch    chan arrow.RecordBatch
	stop  chan struct{}
	done  chan struct{}
	once  sync.Once
	cur   arrow.RecordBatch
	ended bool  // Next returned false
	err   error // the inner reader's, read after done
}

func prefetch(rr array.RecordReader) *prefetchReader {
	p := &prefetchReader{
		rr:   rr,
		ch:   make(chan arrow.RecordBatch, prefetchDepth),
		stop: make(chan struct{}),
		done: make(chan struct{}),
	}
	go p.run()
	return p
}

func (p *prefetchReader) run() {
	defer close(p.done)
	defer close(p.ch)
	for p.rr.Next() {
		rec := p.rr.RecordBatch()
		rec.Retain()
		select {
		case p.ch <- rec:
		case <-p.stop:
			rec.Release()
			return
		}
	}
	p.err = p.rr.Err()
}

func (p *prefetchReader) Retain()                        {}
func (p *prefetchReader) Schema() *arrow.Schema          { return p.rr.Schema() }
func (p *prefetchReader) Record() arrow.Record           { return p.cur }
func (p *prefetchReader) RecordBatch() arrow.RecordBatch { return p.cur }

func (p *prefetchReader) Next() bool {
	if p.cur != nil {
		p.cur.Release()
		p.cur = nil
	}
	if p.ended {
		return false
	}
	rec, ok := <-p.ch
	if !ok {
		p.ended = true
		<-p.done
		return false
	}
	p.cur = rec
	return true
}

// Err returns the inner reader's error once Next has returned false.
func (p *prefetchReader) Err() error {
	if !p.ended {
		return nil
	}
	return p.err
}

// Release stops the goroutine, drops the records made ahead and releases
// the inner reader.
func (p *prefetchReader) Release() {
	p.once.Do(func() {
		close(p.stop)
		for rec := range p.ch {
			rec.Release()
		}
		<-p.done
		if p.cur != nil {
			p.cur.Release()
			p.cur = nil
		}
		p.rr.Release()
	})
}
