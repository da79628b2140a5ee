package lsm

import (
	"fmt"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/internal/kv"
	"github.com/floelake/floe/manifest"
	"github.com/floelake/floe/schema"
)

// Opener opens one reader; readers built from openers open them lazily,
// one at a time.
type Opener func() (array.RecordReader, error)

// Concat returns a reader of the records of the readers opens returns,
// opened one after another when the previous is exhausted. A nil schema is
// taken from the first reader. The caller must Release it.
func Concat(s *arrow.Schema, opens []Opener) array.RecordReader {
	return &concatReader{refs: 1, schema: s, opens: opens}
}

// MergeFiles is the merging read of one bucket's files, shared by scans
// and compaction: files are cut into sections of overlapping key ranges
// (by MinKey/MaxKey under cmp), each section's files are packed into sorted
// runs, and each section's runs are merged through o.Engine; sections are
// read one after another, each opened only when the previous one is done.
// open(i) opens files[i] as a KV record reader. The caller must Release
// the reader.
//
// A section of a single sorted run (no file overlaps another, as after a
// full compaction or when one flush wrote the files) holds each key once,
// and a key with one record passes through a merge unchanged: its files'
// records are streamed as they are, without the merging reader (retract
// rows dropped when o.DropRetracts), unless o.Changelog must see every key.
func MergeFiles(files []manifest.DataFile, open func(i int) Opener, cmp func(a, b []byte) int, o MergeOptions) array.RecordReader {
	idx := make([]int, len(files))
	for i := range idx {
		idx[i] = i
	}
	sections := Sections(idx,
		func(i int) []byte { return files[i].MinKey },
		func(i int) []byte { return files[i].MaxKey },
		cmp)
	opens := make([]Opener, len(sections))
	for si, sec := range sections {
		if len(sec) == 1 && o.Changelog == nil {
			ro := make([]Opener, len(sec[0]))
			for j, fi := range sec[0] {
				ro[j] = open(fi)
			}
			opens[si] = func() (array.RecordReader, error) {
				var r array.RecordReader = Concat(o.Schema, ro)
				if o.DropRetracts {
					mem := o.Alloc
					if mem == nil {
						mem = memory.DefaultAllocator
					}
					r = &retractDropper{src: r, mem: mem}
				}
				return r, nil
			}
			continue
		}
		opens[si] = func() (array.RecordReader, error) {
			runs := make([]array.RecordReader, 0, len(sec))
			so := o
			if o.LookupMerge || o.Changelog != nil {
				sec = splitByLevel(sec, func(i int) int32 { return files[i].Level })
				so.Levels = make([]int, len(sec))
			}
			for ri, run := range sec {
				ro := make([]Opener, len(run))
				for j, fi := range run {
					ro[j] = open(fi)
				}
				runs = append(runs, Concat(nil, ro))
				if so.Levels != nil {
					so.Levels[ri] = int(files[run[0]].Level)
				}
			}
			r, err := NewMergeReader(runs, so)
			if err != nil {
				for _, r := range runs {
					r.Release()
				}
				return nil, err
			}
			return r, nil
		}
	}
	return Concat(o.Schema, opens)
}

type concatReader struct {
	refs   int64
	schema *arrow.Schema
	opens  []Opener
	cur    array.RecordReader
	rec    arrow.Record
	err    error
}

func (r *concatReader) Retain() { atomic.AddInt64(&r.refs, 1) }
func (r *concatReader) Release() {
	if atomic.AddInt64(&r.refs, -1) == 0 {
		r.close()
	}
}

func (r *concatReader) close() {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	r.rec = nil
	r.opens = nil
}

// Schema returns the schema; for a concatenation without a preset schema
// it opens the first reader.
func (r *concatReader) Schema() *arrow.Schema {
	if r.schema == nil && r.cur == nil && r.err == nil && len(r.opens) > 0 {
		r.advance()
	}
	return r.schema
}
func (r *concatReader) Record() arrow.Record      { return r.rec }
func (r *concatReader) RecordBatch() arrow.Record { return r.rec }
func (r *concatReader) Err() error                { return r.err }

func (r *concatReader) advance() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if len(r.opens) == 0 {
		return false
	}
	open := r.opens[0]
	r.opens = r.opens[1:]
	rd, err := open()
	if err != nil {
		r.err = err
		return false
	}
	r.cur = rd
	if r.schema == nil {
		r.schema = rd.Schema()
	}
	return true
}

func (r *concatReader) Next() bool {
	r.rec = nil
	if r.err != nil {
		return false
	}
	for {
		if r.cur == nil && !r.advance() {
			return false
		}
		if r.cur.Next() {
			r.rec = r.cur.Record()
			return true
		}
		if err := r.cur.Err(); err != nil {
			r.err = err
			return false
		}
		r.cur.Release()
		r.cur = nil
	}
}

// retractDropper passes a KV record reader's records through without their
// -U/-D rows (records left empty are skipped).
type retractDropper struct {
	refs atomic.Int64 // beyond the first reference
	src  array.RecordReader
	mem  memory.Allocator
	cur  arrow.Record
	err  error
}

func (r *retractDropper) Retain() { r.refs.Add(1) }
func (r *retractDropper) Release() {
	if r.refs.Add(-1) >= 0 {
		return
	}
	r.release()
	if r.src != nil {
		r.src.Release()
		r.src = nil
	}
}
func (r *retractDropper) release() {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
}
func (r *retractDropper) Schema() *arrow.Schema          { return r.src.Schema() }
func (r *retractDropper) Record() arrow.Record           { return r.cur }
func (r *retractDropper) RecordBatch() arrow.RecordBatch { return r.cur }
func (r *retractDropper) Err() error                     { return r.err }

func (r *retractDropper) Next() bool {
	r.release()
	if r.err != nil || r.src == nil {
		return false
	}
	for r.src.Next() {
		rec := r.src.RecordBatch()
		kind, ok := rec.Column(kv.KindColumn).(*array.Int8)
		if !ok {
			r.err = fmt.Errorf("%w: record is not a KV record", ErrOptions)
			return false
		}
		if !hasRetract(kind.Int8Values()) {
			rec.Retain()
			r.cur = rec
			return true
		}
		rec.Retain()
		out, err := withoutRetracts(r.mem, rec)
		if err != nil {
			r.err = err
			return false
		}
		if out != nil {
			r.cur = out
			return true
		}
	}
	r.err = r.src.Err()
	return false
}

func hasRetract(kinds []int8) bool {
	for _, k := range kinds {
		if schema.RowKind(k).IsRetract() {
			return true
		}
	}
	return false
}
