package table

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/internal/kv"
	"github.com/floelake/floe/internal/take"
	"github.com/floelake/floe/predicate"
	"github.com/floelake/floe/schema"
	"github.com/floelake/floe/snapshot"
)

// diffRange is an incremental diff still to plan: the rows of to against
// those of from.
type diffRange struct{ from, to *snapshot.Snapshot }

// diffSplits plans the difference between two snapshots' rows, bucket by
// bucket. A primary-key bucket whose files (and deletion vectors) are the
// same at both ends is skipped; any other gets one split holding its files
// at both ends (Split.Before), compared key by key when read. An
// append-table bucket gets a Changes split of the files to added, as
// Paimon's diff reads them.
func (t *Table) diffSplits(ctx context.Context, from, to *snapshot.Snapshot, cols []string, filter string) ([]*Split, error) {
	p := planner{t: t, schema: t.latest, stats: &PlanStats{}}
	if err := p.init(); err != nil {
		return nil, err
	}
	before, err := p.splits(ctx, from)
	if err != nil {
		return nil, err
	}
	after, err := p.splits(ctx, to)
	if err != nil {
		return nil, err
	}
	type key struct {
		part   string
		bucket int32
	}
	was := map[key]*Split{}
	for _, s := range before {
		was[key{string(s.Partition), s.Bucket}] = s
	}
	var out []*Split
	add := func(s *Split) {
		s.SnapshotID, s.SchemaID, s.Columns, s.Filter = to.ID, t.latest.ID, cols, filter
		out = append(out, s)
	}
	for _, a := range after {
		k := key{string(a.Partition), a.Bucket}
		b := was[k]
		delete(was, k)
		if !p.pk {
			if s := addedFiles(b, a); s != nil {
				add(s)
			}
			continue
		}
		if b == nil {
			b = &Split{}
		} else if sameFiles(b, a) {
			continue
		}
		a.Before = bucketSide(b)
		add(a)
	}
	if p.pk {
		for _, b := range before { // buckets the end no longer has
			if _, ok := was[key{string(b.Partition), b.Bucket}]; ok {
				add(&Split{Partition: b.Partition, Bucket: b.Bucket, TotalBuckets: b.TotalBuckets, Before: bucketSide(b)})
			}
		}
	}
	sortSplits(out)
	return out, nil
}

// bucketSide keeps what a diff read needs of one end's split.
func bucketSide(s *Split) *Split {
	return &Split{Files: s.Files, Manifests: s.Manifests, Deletes: s.Deletes, Raw: s.Raw}
}

// sameFiles reports whether two splits of a bucket read the same files
// with the same deletion vectors.
func sameFiles(a, b *Split) bool {
	if len(a.Files) != len(b.Files) {
		return false
	}
	for i := range a.Files {
		if a.Files[i].FileName != b.Files[i].FileName || !sameDeletes(deletesAt(a, i), deletesAt(b, i)) {
			return false
		}
	}
	return true
}

func deletesAt(s *Split, i int) *DeletionFile {
	if len(s.Deletes) == 0 {
		return nil
	}
	return s.Deletes[i]
}

func sameDeletes(a, b *DeletionFile) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.IndexFile == b.IndexFile && a.Offset == b.Offset && a.Length == b.Length
}

// addedFiles is a Changes split of the files of after that before (the
// same append-table bucket, or nil) does not have; nil when there are
// none.
func addedFiles(before, after *Split) *Split {
	had := map[string]bool{}
	if before != nil {
		for _, f := range before.Files {
			had[f.FileName] = true
		}
	}
	s := &Split{Partition: after.Partition, Bucket: after.Bucket, TotalBuckets: after.TotalBuckets, Changes: true}
	var dels []*DeletionFile
	for i, f := range after.Files {
		if !had[f.FileName] {
			s.Files = append(s.Files, f)
			if after.Manifests != nil {
				s.Manifests = append(s.Manifests, after.manifestOf(i))
			}
			dels = append(dels, deletesAt(after, i))
		}
	}
	if len(s.Files) == 0 {
		return nil
	}
	if slices.ContainsFunc(dels, func(d *DeletionFile) bool { return d != nil }) {
		s.Deletes = dels
	}
	return s
}

// diffRow is one row of one end of a diff: its key and where it is.
type diffRow struct {
	key []byte
	ref take.Ref
}

// readDiff reads a diff split (Split.Before set): both ends of the bucket
// are read merged, deletes kept, and compared key by key, as Paimon's
// IncrementalDiffSplitRead does: a key whose end row is new or differs
// (in a value, or from a retraction) comes as that row with its merged
// kind; a key the end no longer has comes as -D with its start row. A
// retraction still stored at either end counts as no row, so a key
// absent at the start and deleted by the end is no change, and a removal
// always carries the start row (Paimon's audit_log returns such stored
// retractions as they are). Rows come in key order; the filter applies
// to the rows returned. Both ends of the bucket are held in memory.
func (t *Table) readDiff(ctx context.Context, s *Split, opts ReadOptions) (array.RecordReader, error) {
	rs, err := t.SchemaByID(ctx, s.SchemaID)
	if err != nil {
		return nil, fmt.Errorf("%w: read schema: %w", ErrBadSplit, err)
	}
	if len(rs.PrimaryKeys) == 0 {
		return nil, fmt.Errorf("%w: a diff split of a table without a primary key", ErrBadSplit)
	}
	cols, fields, err := projectColumns(rs, s.Columns)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadSplit, err)
	}
	sc, err := schema.ArrowSchema(fields)
	if err != nil {
		return nil, err
	}
	out := withKindField(sc)
	var filter *predicate.Bound
	if s.Filter != "" {
		var f predicate.Predicate
		if err := f.UnmarshalText([]byte(s.Filter)); err != nil {
			return nil, fmt.Errorf("%w: filter: %w", ErrBadSplit, err)
		}
		if filter, err = predicate.Bind(f, rs.Fields, false); err != nil {
			return nil, fmt.Errorf("%w: filter: %w", ErrBadSplit, err)
		}
	}
	// Read each end whole (every column, row kinds, deletes kept): column
	// 0 is the kind, column i+1 field i of rs.
	var recs []arrow.Record
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	keyIdx := make([]int, 0, len(rs.PrimaryKeys))
	var keyTypes []arrow.DataType
	for _, k := range rs.TrimmedPrimaryKeys() {
		i := slices.IndexFunc(rs.Fields, func(f schema.Field) bool { return f.Name == k })
		keyIdx = append(keyIdx, i+1)
	}
	var enc *kv.KeyEncoder
	side := func(sp *Split) ([]diffRow, error) {
		c := *sp
		c.Partition, c.Bucket, c.TotalBuckets, c.SchemaID = s.Partition, s.Bucket, s.TotalBuckets, s.SchemaID
		c.Columns, c.Filter, c.Changes, c.Before = rs.FieldNames(), "", false, nil
		if len(c.Files) == 0 {
			return nil, nil
		}
		rr, err := t.Read(ctx, &c, ReadOptions{BatchSize: opts.BatchSize, Alloc: opts.Alloc, RowKinds: true, KeepDeletes: true})
		if err != nil {
			return nil, err
		}
		defer rr.Release()
		var rows []diffRow
		keyCols := make([]arrow.Array, len(keyIdx))
		for rr.Next() {
			rec := rr.RecordBatch()
			rec.Retain()
			recs = append(recs, rec)
			for i, k := range keyIdx {
				keyCols[i] = rec.Column(k)
			}
			if enc == nil {
				for _, c := range keyCols {
					keyTypes = append(keyTypes, c.DataType())
				}
				if enc, err = kv.NewKeyEncoder(keyTypes, nil); err != nil {
					return nil, err
				}
			}
			for r := range int(rec.NumRows()) {
				rows = append(rows, diffRow{key: enc.Append(nil, keyCols, r), ref: take.Ref{Src: int32(len(recs) - 1), Row: int32(r)}})
			}
		}
		if err := rr.Err(); err != nil {
			return nil, err
		}
		slices.SortStableFunc(rows, func(a, b diffRow) int { return bytes.Compare(a.key, b.key) })
		return rows, nil
	}
	before, err := side(s.Before)
	if err != nil {
		return nil, err
	}
	after, err := side(s)
	if err != nil {
		return nil, err
	}

	kindOf := func(r take.Ref) string { return recs[r.Src].Column(0).(*array.String).Value(int(r.Row)) }
	isAdd := func(k string) bool { return k == "+I" || k == "+U" }
	sameRow := func(a, b take.Ref) bool {
		ra, rb := recs[a.Src], recs[b.Src]
		for c := 1; c < int(ra.NumCols()); c++ {
			if !array.SliceEqual(ra.Column(c), int64(a.Row), int64(a.Row)+1, rb.Column(c), int64(b.Row), int64(b.Row)+1) {
				return false
			}
		}
		return true
	}
	var refs []take.Ref
	var kinds []string
	emit := func(r take.Ref, kind string) {
		refs = append(refs, r)
		kinds = append(kinds, kind)
	}
	i, j := 0, 0
	for i < len(before) || j < len(after) {
		c := 0
		switch {
		case i == len(before):
			c = 1
		case j == len(after):
			c = -1
		default:
			c = bytes.Compare(before[i].key, after[j].key)
		}
		switch {
		case c < 0: // gone at the end
			if k := kindOf(before[i].ref); isAdd(k) {
				emit(before[i].ref, "-D")
			}
			i++
		case c > 0: // new at the end
			if k := kindOf(after[j].ref); isAdd(k) {
				emit(after[j].ref, k)
			}
			j++
		default:
			b, a := before[i].ref, after[j].ref
			kb, ka := kindOf(b), kindOf(a)
			switch {
			case isAdd(kb) && isAdd(ka):
				if !sameRow(b, a) {
					emit(a, ka)
				}
			case isAdd(kb):
				emit(b, "-D")
			case isAdd(ka):
				emit(a, ka)
			}
			i++
			j++
		}
	}
	return diffRecords(recs, refs, kinds, rs, cols, out, filter, opts)
}

// diffRecords builds the output of a diff read: the rows refs of recs
// with the given kinds, filtered, projected to cols, in batches.
func diffRecords(recs []arrow.Record, refs []take.Ref, kinds []string, rs *schema.Table, cols []string,
	out *arrow.Schema, filter *predicate.Bound, opts ReadOptions) (array.RecordReader, error) {
	alloc := opts.Alloc
	if alloc == nil {
		alloc = memory.DefaultAllocator
	}
	batch := opts.BatchSize
	if batch <= 0 {
		batch = 4096
	}
	var filterCols []int
	if filter != nil {
		for i := range rs.Fields {
			filterCols = append(filterCols, i+1)
		}
	}
	proj := make([]int, len(cols))
	for i, c := range cols {
		proj[i] = slices.IndexFunc(rs.Fields, func(f schema.Field) bool { return f.Name == c }) + 1
	}
	var res []arrow.Record
	release := func() {
		for _, r := range res {
			r.Release()
		}
	}
	srcCols := make([]arrow.Array, len(recs))
	column := func(c int, rr []take.Ref) (arrow.Array, error) {
		for i, r := range recs {
			srcCols[i] = r.Column(c)
		}
		return take.Column(alloc, recs[0].Schema().Field(c).Type, srcCols, rr)
	}
	for start := 0; start < len(refs); start += batch {
		rr, kk := refs[start:min(start+batch, len(refs))], kinds[start:min(start+batch, len(refs))]
		if filter != nil {
			full, err := take.Record(alloc, recs[0].Schema(), recs, rr)
			if err != nil {
				release()
				return nil, err
			}
			sel, err := filter.Filter(full, filterCols, nil)
			full.Release()
			if err != nil {
				release()
				return nil, err
			}
			var fr []take.Ref
			var fk []string
			for _, x := range sel {
				fr, fk = append(fr, rr[x]), append(fk, kk[x])
			}
			rr, kk = fr, fk
			if len(rr) == 0 {
				continue
			}
		}
		arrs := make([]arrow.Array, 0, 1+len(proj))
		kb := array.NewStringBuilder(alloc)
		kb.AppendValues(kk, nil)
		arrs = append(arrs, kb.NewArray())
		kb.Release()
		for _, c := range proj {
			a, err := column(c, rr)
			if err != nil {
				for _, a := range arrs {
					a.Release()
				}
				release()
				return nil, err
			}
			arrs = append(arrs, a)
		}
		res = append(res, array.NewRecordBatch(out, arrs, int64(len(rr))))
		for _, a := range arrs {
			a.Release()
		}
	}
	rd, err := array.NewRecordReader(out, res)
	release()
	if err != nil {
		return nil, err
	}
	return rd, nil
}
