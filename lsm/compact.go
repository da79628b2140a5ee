package lsm

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/internal/kv"
	"github.com/floelake/floe/internal/take"
	"github.com/floelake/floe/manifest"
	"github.com/floelake/floe/schema"
)

// FileWriter writes rolling data files of one bucket at one level. The
// table's data-file writer implements it.
type FileWriter interface {
	Write(ctx context.Context, rec arrow.RecordBatch) error
	Close(ctx context.Context) ([]manifest.DataFile, error)
	Abort(ctx context.Context) error
}

// RewriteOptions configure Rewrite.
type RewriteOptions struct {
	// Merge merges each section of the unit; Rewrite sets DropRetracts
	// from DropDelete.
	Merge MergeOptions
	// DropDelete drops keys whose surviving record is a retract (the
	// output is the highest non-empty level, or deletion vectors are on).
	DropDelete bool
	// KeyCompare orders serialized MinKey/MaxKey rows.
	KeyCompare func(a, b []byte) int
	// Open opens a file of the unit as KV records with the table's current
	// value fields (Merge.Schema).
	Open func(f manifest.DataFile) Opener
	// NewWriter makes the writer of the output files at level.
	NewWriter func(level int) (FileWriter, error)
	// Remove deletes an output file already closed when a later step of
	// the rewrite fails (nil leaves it; it is unreferenced either way).
	Remove func(ctx context.Context, f manifest.DataFile) error
	// MaxLevel is the highest level of the tree (NumLevels-1).
	MaxLevel int
	// MinFileSize: a file of a section alone is upgraded (its level
	// changed, not rewritten) when at least this big (Paimon's
	// compactionFileSize, target-file-size * 0.7); smaller ones are
	// rewritten with their neighbours.
	MinFileSize int64
	// NoUpgrade rewrites every file (lookup compaction of level-0 files,
	// compaction.force-rewrite-all-files).
	NoUpgrade func(f manifest.DataFile) bool
	// MaxFanIn bounds the sorted runs merged at once (Paimon's
	// local-sort.max-num-file-handles; 0 = 128). A section of more runs is
	// first merged in groups into local spill files in SpillDir, so memory
	// does not grow with the number of files.
	MaxFanIn int
	SpillDir string
	// Filter, when set, sees every merged batch before it is written, in
	// key order, with the retracts still in it, and returns the rows to
	// keep (nil keeps all). Lookup compaction uses it to consult the upper
	// levels.
	Filter func(ctx context.Context, rec arrow.RecordBatch) ([]bool, error)
	// Changelog, when set, makes the rewrite's changelog (Emit is set by
	// Rewrite) into files of NewChangelogWriter at the output level.
	Changelog          *ChangelogOptions
	NewChangelogWriter func(level int) (FileWriter, error)
}

// Result is what a compaction changed: files removed and files added.
// An upgraded file appears in both, at its old and its new level.
type Result struct {
	Before, After []manifest.DataFile
	// Changelog are the changelog files the rewrite made.
	Changelog []manifest.DataFile
	// Rewritten counts the input files read and rewritten; Upgraded the
	// files whose level changed without a rewrite.
	Rewritten, Upgraded int
	RowsIn, RowsOut     int64
	BytesIn, BytesOut   int64
}

// Rewrite compacts files into outputLevel, as Paimon's merge-tree compaction
// task does: the unit's files are cut into sections of overlapping key
// ranges; a section of several sorted runs is merged and rewritten; a
// section of one run keeps its big files, changing only their level
// ("upgrade"), and rewrites its small files together with the neighbouring
// rewritten sections. A file that holds retracts is never upgraded to the
// top level (its retracts must go). Files already at the output level and
// not rewritten are left alone. On error nothing written is left behind.
func Rewrite(ctx context.Context, files []manifest.DataFile, outputLevel int, o RewriteOptions) (*Result, error) {
	res := &Result{}
	var written []manifest.DataFile
	var cw FileWriter // the changelog's writer, made at its first row
	if o.Changelog != nil {
		if o.NewChangelogWriter == nil {
			return nil, fmt.Errorf("%w: changelog without a changelog writer", ErrOptions)
		}
		co := *o.Changelog
		co.Emit = func(rec arrow.RecordBatch) error {
			if cw == nil {
				w, err := o.NewChangelogWriter(outputLevel)
				if err != nil {
					return err
				}
				cw = w
			}
			return cw.Write(ctx, rec)
		}
		o.Merge.Changelog = &co
	}
	defer func() {
		if cw != nil {
			_ = cw.Abort(context.WithoutCancel(ctx))
		}
	}()
	fail := func(err error) (*Result, error) {
		if o.Remove != nil {
			for _, f := range written {
				_ = o.Remove(context.WithoutCancel(ctx), f)
			}
		}
		return nil, err
	}
	var cleanup []FileWriter
	defer func() {
		for _, w := range cleanup {
			_ = w.Abort(context.WithoutCancel(ctx))
		}
	}()

	var candidate [][][]manifest.DataFile // sections, each its runs
	rewrite := func(c [][][]manifest.DataFile) error {
		if len(c) == 0 {
			return nil
		}
		w, err := o.NewWriter(outputLevel)
		if err != nil {
			return err
		}
		cleanup = append(cleanup, w)
		for _, sec := range c {
			if err := o.rewriteSection(ctx, w, sec, res); err != nil {
				return err
			}
		}
		out, err := w.Close(ctx)
		if err != nil {
			return err // the deferred Abort removes what the writer made
		}
		cleanup = cleanup[:len(cleanup)-1]
		written = append(written, out...)
		res.After = append(res.After, out...)
		for _, f := range out {
			res.RowsOut += f.RowCount
			res.BytesOut += f.FileSize
		}
		return nil
	}
	upgrade := func(f manifest.DataFile) error {
		hasDeletes := f.DeleteRowCount == nil || *f.DeleteRowCount > 0
		if (outputLevel == o.MaxLevel && hasDeletes) || (o.NoUpgrade != nil && o.NoUpgrade(f)) {
			return rewrite([][][]manifest.DataFile{{{f}}})
		}
		if int(f.Level) != outputLevel {
			up := f
			up.Level = int32(outputLevel)
			res.Before = append(res.Before, f)
			res.After = append(res.After, up)
			res.Upgraded++
		}
		return nil
	}
	flush := func() error {
		c := candidate
		candidate = nil
		if len(c) == 1 && len(c[0]) == 1 {
			for _, f := range c[0][0] {
				if err := upgrade(f); err != nil {
					return err
				}
			}
			return nil
		}
		return rewrite(c)
	}

	for _, sec := range Sections(files,
		func(f manifest.DataFile) []byte { return f.MinKey },
		func(f manifest.DataFile) []byte { return f.MaxKey },
		o.KeyCompare) {
		if err := ctx.Err(); err != nil {
			return fail(err)
		}
		if len(sec) > 1 {
			candidate = append(candidate, sec)
			continue
		}
		for _, f := range sec[0] {
			if f.FileSize < o.MinFileSize {
				candidate = append(candidate, [][]manifest.DataFile{{f}})
				continue
			}
			if err := flush(); err != nil {
				return fail(err)
			}
			if err := upgrade(f); err != nil {
				return fail(err)
			}
		}
	}
	if err := flush(); err != nil {
		return fail(err)
	}
	if cw != nil {
		out, err := cw.Close(ctx)
		if err != nil {
			return fail(err) // the deferred Abort removes what it made
		}
		cw = nil
		written = append(written, out...)
		res.Changelog = out
	}
	return res, nil
}

// rewriteSection merges one section's runs into w.
func (o *RewriteOptions) rewriteSection(ctx context.Context, w FileWriter, sec [][]manifest.DataFile, res *Result) error {
	if o.Merge.LookupMerge || o.Changelog != nil {
		sec = splitByLevel(sec, func(f manifest.DataFile) int32 { return f.Level })
	}
	runs := make([]array.RecordReader, 0, len(sec))
	levels := make([]int, 0, len(sec))
	sizes := make([]int64, 0, len(sec))
	for _, run := range sec {
		levels = append(levels, int(run[0].Level))
		opens := make([]Opener, len(run))
		var size int64
		for i, f := range run {
			opens[i] = o.Open(f)
			res.Before = append(res.Before, f)
			res.Rewritten++
			res.RowsIn += f.RowCount
			res.BytesIn += f.FileSize
			size += f.FileSize
		}
		// Each run decodes its next batches on a goroutine of its own
		// while the merge consumes the current one.
		runs = append(runs, &lazyPrefetch{rr: Concat(o.Merge.Schema, opens)})
		sizes = append(sizes, size)
	}
	mo := o.Merge
	var spills []string
	defer func() {
		for _, name := range spills {
			os.Remove(name)
		}
	}()
	fanIn := o.MaxFanIn
	if fanIn <= 1 {
		fanIn = 128
	}
	if mo.Schema == nil && len(runs) > 0 {
		mo.Schema = runs[0].Schema()
	}
	leveled := mo.LookupMerge || mo.Changelog != nil
	for len(runs) > fanIn {
		// Merge some runs in groups into spill files (retracts kept: they
		// still shadow older runs), then merge those with the rest. Only
		// as many runs as it takes to get down to fanIn are pre-merged,
		// the smallest first: each byte spilled is written and read once
		// more. Runs of a group are not contiguous in time, so an engine
		// that computes values must not fold them yet (a folded record
		// takes its newest sequence number and would sort after records
		// older than its oldest): its groups are merged keeping every
		// record. A merge that tells levels apart pre-merges only level-0
		// runs (all but a few runs are; the result stays level 0), keeping
		// every record.
		pre := mo
		pre.DropRetracts, pre.LookupMerge, pre.Changelog, pre.Levels = false, false, nil, nil
		pre.KeepAll = leveled || !mo.Engine.Traits().Selecting
		var pool []int // the runs that may be pre-merged, smallest first
		for i := range runs {
			if !leveled || levels[i] == 0 {
				pool = append(pool, i)
			}
		}
		if len(pool) < 2 {
			break
		}
		slices.SortStableFunc(pool, func(a, b int) int { return cmp.Compare(sizes[a], sizes[b]) })
		merged := make([]bool, len(runs))
		var next []array.RecordReader
		var nextLevels []int
		var nextSizes []int64
		excess := len(runs) - fanIn // runs to get rid of
		for excess > 0 && len(pool) >= 2 {
			k := min(fanIn, excess+1, len(pool))
			g := make([]array.RecordReader, k)
			var size int64
			for j, i := range pool[:k] {
				g[j] = runs[i]
				merged[i] = true
				size += sizes[i]
			}
			pool = pool[k:]
			excess -= k - 1
			name, err := premerge(ctx, o.SpillDir, g, pre)
			if err == nil {
				spills = append(spills, name)
				var r array.RecordReader
				if r, err = openSpillFile(name, allocOr(mo.Alloc)); err == nil {
					next = append(next, r)
					nextLevels = append(nextLevels, 0)
					nextSizes = append(nextSizes, size)
					continue
				}
			}
			for i, rr := range runs {
				if !merged[i] {
					rr.Release()
				}
			}
			releaseReaders(next)
			return err
		}
		for i, rr := range runs {
			if !merged[i] {
				next = append(next, rr)
				nextLevels = append(nextLevels, levels[i])
				nextSizes = append(nextSizes, sizes[i])
			}
		}
		runs, levels, sizes = next, nextLevels, nextSizes
	}
	mo.DropRetracts = o.DropDelete && o.Filter == nil
	mo.KeepAll = false
	if leveled {
		mo.Levels = levels
	}
	mr, err := NewMergeReader(runs, mo)
	if err != nil {
		return err
	}
	// The merge runs ahead of the writer, on a goroutine of its own.
	rr := prefetch(mr)
	defer rr.Release()
	for rr.Next() {
		rec := rr.RecordBatch()
		if o.Filter != nil {
			keep, err := o.Filter(ctx, rec)
			if err != nil {
				return err
			}
			if o.DropDelete {
				keep = dropRetracts(rec, keep)
			}
			if keep != nil {
				sub, err := takeKept(mo.Alloc, rec, keep)
				if err != nil {
					return err
				}
				if sub == nil {
					continue
				}
				err = w.Write(ctx, sub)
				sub.Release()
				if err != nil {
					return err
				}
				continue
			}
		}
		if err := w.Write(ctx, rec); err != nil {
			return err
		}
	}
	if err := rr.Err(); err != nil {
		return err
	}
	return ctx.Err()
}

// splitByLevel splits each run that packs files of several levels (a
// section packs files of disjoint key ranges into one run, whatever their
// levels) into one run per level, in the order the levels first appear:
// merges that tell levels apart need every run to be of one level.
func splitByLevel[T any](runs [][]T, level func(T) int32) [][]T {
	var out [][]T
	for _, run := range runs {
		mixed := false
		for _, f := range run[1:] {
			if level(f) != level(run[0]) {
				mixed = true
				break
			}
		}
		if !mixed {
			out = append(out, run)
			continue
		}
		var order []int32
		by := map[int32][]T{}
		for _, f := range run {
			l := level(f)
			if _, ok := by[l]; !ok {
				order = append(order, l)
			}
			by[l] = append(by[l], f)
		}
		for _, l := range order {
			out = append(out, by[l])
		}
	}
	return out
}

// dropRetracts clears keep for the retract rows of a KV record (keep nil
// means all kept); it returns nil when every row stays.
func dropRetracts(rec arrow.RecordBatch, keep []bool) []bool {
	kinds := rec.Column(kv.KindColumn).(*array.Int8).Int8Values()
	for i, k := range kinds {
		if !schema.RowKind(k).IsRetract() {
			continue
		}
		if keep == nil {
			keep = make([]bool, len(kinds))
			for j := range keep {
				keep[j] = true
			}
		}
		keep[i] = false
	}
	return keep
}

// takeKept returns the rows of rec that keep marks (nil when none).
func takeKept(mem memory.Allocator, rec arrow.RecordBatch, keep []bool) (arrow.RecordBatch, error) {
	refs := make([]take.Ref, 0, len(keep))
	for i, k := range keep {
		if k {
			refs = append(refs, take.Ref{Row: int32(i)})
		}
	}
	if len(refs) == 0 {
		return nil, nil
	}
	if mem == nil {
		mem = memory.DefaultAllocator
	}
	return take.Record(mem, rec.Schema(), []arrow.Record{rec}, refs)
}

// premerge merges runs (which it releases) into a new spill file in dir
// and returns its name. The file is an uncompressed Arrow IPC stream: it
// is read back once, soon, and LZ4 cost more CPU than it saved in writes.
func premerge(ctx context.Context, dir string, runs []array.RecordReader, o MergeOptions) (string, error) {
	mr, err := NewMergeReader(runs, o)
	if err != nil {
		return "", err
	}
	rr := prefetch(mr) // the merge runs ahead of the encoding
	name, _, _, err := writeSpillFile(ctx, dir, o.Schema, allocOr(o.Alloc), rr, 0, false)
	return name, err
}

// lazyPrefetch is a prefetching reader whose goroutine starts at the first
// Next: a run waiting for its turn in a later merge opens no file yet.
type lazyPrefetch struct {
	rr array.RecordReader
	p  *prefetchReader
}

func (l *lazyPrefetch) Retain()               {}
func (l *lazyPrefetch) Schema() *arrow.Schema { return l.rr.Schema() }

func (l *lazyPrefetch) Record() arrow.Record { return l.RecordBatch() }

func (l *lazyPrefetch) RecordBatch() arrow.RecordBatch {
	if l.p == nil {
		return nil
	}
	return l.p.RecordBatch()
}

func (l *lazyPrefetch) Next() bool {
	if l.p == nil {
		l.p = prefetch(l.rr)
	}
	return l.p.Next()
}

func (l *lazyPrefetch) Err() error {
	if l.p == nil {
		return nil
	}
	return l.p.Err()
}

func (l *lazyPrefetch) Release() {
	if l.rr == nil {
		return
	}
	if l.p != nil {
		l.p.Release() // releases l.rr
	} else {
		l.rr.Release()
	}
	l.p, l.rr = nil, nil
}

func releaseReaders(rs []array.RecordReader) {
	for _, r := range rs {
		r.Release()
	}
}

func allocOr(mem memory.Allocator) memory.Allocator {
	if mem == nil {
		return memory.DefaultAllocator
	}
	return mem
}
