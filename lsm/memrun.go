package lsm

import (
	"runtime"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/floelake/floe/merge"
	"github.com/floelake/floe/schema"
)

// memRun reads the buffer's rows sorted and reduced, one row per key, as
// KV records.
//
// Making a record has two steps: cutting the next batch of whole key
// groups from the sorted index (cheap, in order), then decoding its rows
// and reducing them (most of the cost). Next does both on the caller's
// goroutine; parallel runs the second on several goroutines and hands the
// records back in order.
type memRun struct {
	b     *Buffer
	red   merge.Reducer
	raw   bool // every row is a group of its own
	batch int  // rows per record
	rows  []sortEntry
	pos   int
	job   gatherJob
	dec   rowDecoder
	cur   arrow.Record
	err   error
}

// gatherJob is one batch of key groups and the record made from it.
type gatherJob struct {
	groups merge.Groups
	ids    []int32 // rows to decode from the row store, in Refs order
	rec    arrow.Record
	err    error
	done   chan struct{}
}

func (b *Buffer) memRun() *memRun {
	return &memRun{b: b, red: b.reducer, rows: b.sortIndex(), batch: b.o.BatchSize}
}

// rawRun reads every in-memory row sorted, none merged.
func (b *Buffer) rawRun() *memRun {
	return &memRun{b: b, red: merge.KeepAll(), raw: true, rows: b.sortIndex(), batch: b.o.BatchSize}
}

// spillRun is what a spill writes: the rows merged per key, or all of
// them when the buffer keeps its input.
func (b *Buffer) spillRun() *memRun {
	m := b.memRun()
	if b.o.KeepInput {
		m = b.rawRun()
	}
	m.batch = b.spillBatch()
	return m
}

// spillBatch is the number of rows per record of a spill file: at most
// spillBatchRows. A merge of spilled runs holds a record or two of every
// run at once, read and decoded, while the Parquet writer runs behind it;
// small records keep that small.
func (b *Buffer) spillBatch() int { return min(b.o.BatchSize, spillBatchRows) }

func (m *memRun) Retain()                        {}
func (m *memRun) Schema() *arrow.Schema          { return m.b.kvSchema }
func (m *memRun) Record() arrow.Record           { return m.cur }
func (m *memRun) RecordBatch() arrow.RecordBatch { return m.cur }
func (m *memRun) Err() error                     { return m.err }
func (m *memRun) Release() {
	if m.cur != nil {
		m.cur.Release()
		m.cur = nil
	}
	releaseArr(m.b.off, m.rows)
	m.rows, m.pos = nil, 0
}

func (m *memRun) Next() bool {
	if m.cur != nil {
		m.cur.Release()
		m.cur = nil
	}
	for m.err == nil && m.cut(&m.job) {
		m.make(&m.job, m.red, &m.dec)
		if m.job.err != nil {
			m.err = m.job.err
			return false
		}
		if m.job.rec != nil {
			m.cur, m.job.rec = m.job.rec, nil
			return true
		}
	}
	return false
}

// cut fills j with the next batch of whole key groups; false when every
// row has been cut.
func (m *memRun) cut(j *gatherJob) bool {
	if m.pos >= len(m.rows) {
		return false
	}
	b := m.b
	g := &j.groups
	g.Reset()
	g.Srcs = append(g.Srcs, b.recs...)
	j.ids = j.ids[:0]
	n := len(m.rows)
	for g.Len() < m.batch && m.pos < n {
		k := b.key(m.rows[m.pos].row)
		for {
			r := m.rows[m.pos].row
			if b.rows != nil {
				// Rows are decoded in this order by make.
				g.Refs = append(g.Refs, merge.Ref{Src: 0, Row: int32(len(j.ids))})
				j.ids = append(j.ids, r)
			} else {
				g.Refs = append(g.Refs, merge.Ref{Src: b.rowRec[r], Row: b.rowIdx[r]})
			}
			g.Kinds = append(g.Kinds, schema.RowKind(b.kinds[r]))
			g.Seqs = append(g.Seqs, b.seqs[r])
			m.pos++
			if m.raw || m.pos >= n || string(b.key(m.rows[m.pos].row)) != string(k) {
				break
			}
		}
		g.Ends = append(g.Ends, len(g.Refs))
	}
	return true
}

// make decodes and reduces the batch j holds into j.rec (nil when no row
// survives) or j.err. It only reads the buffer, so makes of different
// jobs, each with its own reducer and decoder, may run at once.
func (m *memRun) make(j *gatherJob, red merge.Reducer, dec *rowDecoder) {
	b := m.b
	g := &j.groups
	var batch arrow.Record
	if b.rows != nil {
		batch = dec.decode(b.rows, b.mem, b.o.Schema, j.ids)
		g.Srcs = append(g.Srcs, batch)
	}
	j.rec, j.err = reduceToRecord(red, g, b.mem, b.kvSchema, false)
	if batch != nil {
		batch.Release()
	}
	clear(g.Srcs) // the batch is released; recs stay the buffer's
	g.Srcs = g.Srcs[:0]
}

// parallelRun reads m's records in order, making them on up to
// GOMAXPROCS goroutines, each with a reducer of its own; it runs ahead of
// its reader by at most two batches per goroutine, like prefetch. With
// one goroutine to spare, or rows kept as records (nested columns: the
// makers would share their arrays, whose null counts arrow computes on
// first use, unsynchronized), it is m behind a prefetch.
func (b *Buffer) parallelRun(m *memRun) (array.RecordReader, error) {
	workers := runtime.GOMAXPROCS(0)
	if workers < 2 || b.rows == nil || len(m.rows) <= m.batch {
		return prefetch(m), nil
	}
	reds := []merge.Reducer{m.red}
	for len(reds) < workers {
		var red merge.Reducer = merge.KeepAll()
		if !m.raw {
			var err error
			if red, err = b.o.Engine.Reducer(valueColumns(b.o.Schema, 0)); err != nil {
				m.Release()
				return nil, err
			}
		}
		reds = append(reds, red)
	}
	depth := 2 * workers
	p := &parallelReader{
		m:     m,
		free:  make(chan *gatherJob, depth),
		work:  make(chan *gatherJob, depth),
		order: make(chan *gatherJob, depth),
		stop:  make(chan struct{}),
	}
	for range depth {
		p.free <- &gatherJob{done: make(chan struct{}, 1)}
	}
	p.wg.Add(1 + workers)
	go p.cut()
	for _, red := range reds {
		go p.make(red)
	}
	return p, nil
}

// parallelReader is the reader parallelRun returns. Jobs circulate: cut
// takes a free one, fills it, and queues it both for a maker (work) and
// for the reader in order (order); the reader waits for each in turn and
// returns it to free.
type parallelReader struct {
	m     *memRun
	free  chan *gatherJob
	work  chan *gatherJob
	order chan *gatherJob
	stop  chan struct{}
	wg    sync.WaitGroup
	once  sync.Once
	cur   arrow.Record
	err   error
}

func (p *parallelReader) cut() {
	defer p.wg.Done()
	defer close(p.work)
	defer close(p.order)
	for {
		var j *gatherJob
		select {
		case j = <-p.free:
		case <-p.stop:
			return
		}
		if !p.m.cut(j) {
			return
		}
		// Both have room for every job: neither send blocks.
		p.order <- j
		p.work <- j
	}
}

func (p *parallelReader) make(red merge.Reducer) {
	defer p.wg.Done()
	var dec rowDecoder
	for j := range p.work {
		p.m.make(j, red, &dec)
		j.done <- struct{}{}
	}
}

func (p *parallelReader) Retain()                        {}
func (p *parallelReader) Schema() *arrow.Schema          { return p.m.Schema() }
func (p *parallelReader) Record() arrow.Record           { return p.cur }
func (p *parallelReader) RecordBatch() arrow.RecordBatch { return p.cur }
func (p *parallelReader) Err() error                     { return p.err }

func (p *parallelReader) Next() bool {
	if p.cur != nil {
		p.cur.Release()
		p.cur = nil
	}
	for p.err == nil {
		j, ok := <-p.order
		if !ok {
			return false
		}
		<-j.done
		rec, err := j.rec, j.err
		j.rec, j.err = nil, nil
		p.free <- j
		if err != nil {
			p.err = err
			return false
		}
		if rec != nil {
			p.cur = rec
			return true
		}
	}
	return false
}

// Release stops the goroutines, drops the records made ahead and
// releases the run.
func (p *parallelReader) Release() {
	p.once.Do(func() {
		if p.cur != nil {
			p.cur.Release()
			p.cur = nil
		}
		close(p.stop)
		for j := range p.order {
			<-j.done
			if j.rec != nil {
				j.rec.Release()
				j.rec = nil
			}
		}
		p.wg.Wait()
		p.m.Release()
	})
}
