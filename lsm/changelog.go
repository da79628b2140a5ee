package lsm

import (
	"fmt"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/internal/kv"
	"github.com/floelake/floe/internal/take"
	"github.com/floelake/floe/merge"
	"github.com/floelake/floe/schema"
)

// Changelog is the hook through which a changelog producer (package
// changelog) sees a compaction's merge: for each key it says which of the
// key's records was its version before the compaction and whether the
// key changed, and then which changelog rows the change makes.
type Changelog interface {
	// Before looks at the levels of one key's records, in merge order
	// (level 0 is new data; the looked-up record of a key, if any, is not
	// among them), and returns the index of the record that is the key's
	// version before the merge (-1: none among them), whether the merge
	// changes the key (only such keys make changelog), and whether the
	// version before must be looked up above the merge when none of the
	// records is it.
	Before(levels []int) (before int, changed, lookup bool)
	// Rows appends to dst the changelog rows of a changed key, given the
	// kinds of its version before (hasBefore) and of the merge's result
	// (hasAfter). equal reports whether both versions hold equal values
	// (always false unless row deduplication is on).
	Rows(dst []ChangeRow, before, after schema.RowKind, hasBefore, hasAfter bool, equal func() bool) []ChangeRow
}

// ChangeRow is one changelog row of a key: its kind, and whether it
// carries the version before (else the merge's result).
type ChangeRow struct {
	Kind   schema.RowKind
	Before bool
}

// ChangelogOptions make a merge produce changelog (MergeOptions.Changelog).
type ChangelogOptions struct {
	Hook Changelog
	// Emit receives the changelog as KV records in key order; each record
	// is released after Emit returns.
	Emit func(rec arrow.RecordBatch) error
	// Lookup finds keys (encoded as the merge encodes them, ascending) in
	// the levels above the merge, for keys whose version before is not
	// among the merged records; at[i] is a KV record row holding key i (to
	// read its key columns from). It returns a KV record of the merge
	// schema and, for each key, the row of its version there (-1: absent).
	// A nil record with rows ≥ 0 says only that the keys are present
	// (first-row needs no values). Nil Lookup finds nothing.
	Lookup func(keys [][]byte, at []KeyRow) (arrow.RecordBatch, []int, error)
	// EqualColumns are the KV columns compared for row deduplication
	// (changelog-producer.row-deduplicate); nil compares nothing and every
	// update makes -U/+U.
	EqualColumns []int
}

// KeyRow is a row of a KV record.
type KeyRow struct {
	Rec arrow.RecordBatch
	Row int
}

// keyState is what the changelog keeps of one group of a batch.
type keyState struct {
	before    int  // index into the groups' records of the version before; -1 none
	changed   bool // the key makes changelog
	lookup    bool // look the version before up
	present   bool // found above without a value (presence only)
	presentAs schema.RowKind
}

// levelOf returns the level of the records of cursor c (0 when the runs'
// levels are not known).
func (r *mergeReader) levelOf(c *cursor) int {
	if r.o.Levels == nil {
		return 0
	}
	return r.o.Levels[c.run]
}

// lookupFilter keeps, of the key's records [s, len) of r.groups, those of
// level 0 and the one of the lowest level above 0: Paimon's
// LookupMergeFunction, for tables whose compactions of level 0 look the
// key's version up above (that version already holds all below it).
func (r *mergeReader) lookupFilter(s int) {
	g := &r.groups
	low := -1
	for _, l := range r.glevels[s:] {
		if l > 0 && (low < 0 || l < low) {
			low = l
		}
	}
	w := s
	for i := s; i < len(g.Refs); i++ {
		if l := r.glevels[i]; l > 0 && l != low {
			continue
		}
		g.Refs[w], g.Kinds[w], g.Seqs[w], r.glevels[w] = g.Refs[i], g.Kinds[i], g.Seqs[i], r.glevels[i]
		if r.gords != nil {
			r.gords[w] = r.gords[i]
		}
		w++
	}
	g.Refs, g.Kinds, g.Seqs, r.glevels = g.Refs[:w], g.Kinds[:w], g.Seqs[:w], r.glevels[:w]
	if r.gords != nil {
		r.gords = r.gords[:w]
	}
}

// keyDone finishes the key whose records start at s.
func (r *mergeReader) keyDone(s int) {
	if r.o.LookupMerge {
		r.lookupFilter(s)
	}
	if r.o.Changelog == nil {
		return
	}
	b, changed, lookup := r.o.Changelog.Hook.Before(r.glevels[s:])
	st := keyState{before: -1, changed: changed, lookup: changed && lookup && b < 0}
	if b >= 0 {
		st.before = s + b
	}
	r.states = append(r.states, st)
	if st.lookup {
		r.lookupKeys = append(r.lookupKeys, slices.Clone(r.gkey))
		r.lookupGroups = append(r.lookupGroups, len(r.states)-1)
		r.lookupAt = append(r.lookupAt, r.groups.Refs[s])
	}
}

// lookUp asks ChangelogOptions.Lookup for the batch's keys that need it
// and inserts the versions found into their groups, in sequence order.
func (r *mergeReader) lookUp() error {
	lk := r.o.Changelog.Lookup
	if lk == nil || len(r.lookupKeys) == 0 {
		return nil
	}
	at := make([]KeyRow, len(r.lookupAt))
	for i, ref := range r.lookupAt {
		at[i] = KeyRow{Rec: r.srcs[ref.Src], Row: int(ref.Row)}
	}
	rec, rows, err := lk(r.lookupKeys, at)
	if err != nil {
		return err
	}
	if len(rows) != len(r.lookupKeys) {
		if rec != nil {
			rec.Release()
		}
		return fmt.Errorf("%w: changelog lookup answered %d of %d keys", ErrOptions, len(rows), len(r.lookupKeys))
	}
	found := map[int]int{} // group -> row of rec
	for i, row := range rows {
		if row < 0 {
			continue
		}
		gi := r.lookupGroups[i]
		if rec == nil {
			r.states[gi].present = true
			r.states[gi].presentAs = schema.Insert
			continue
		}
		found[gi] = row
	}
	if rec == nil {
		return nil
	}
	if len(found) == 0 {
		rec.Release()
		return nil
	}
	src := int32(len(r.srcs))
	r.srcs = append(r.srcs, rec) // owned: released with the sources
	seqs := rec.Column(kv.SeqColumn).(*array.Int64).Int64Values()
	kinds := rec.Column(kv.KindColumn).(*array.Int8).Int8Values()
	var ords []byte
	var ooffs []int
	if r.ordEnc != nil {
		var cols []arrow.Array
		for _, k := range r.o.SequenceColumns {
			cols = append(cols, rec.Column(k))
		}
		ords, ooffs = r.ordEnc.AppendAll(nil, []int{0}, cols)
	}
	// Rebuild the groups with the found versions inserted.
	g := &r.groups
	old := merge.Groups{Refs: g.Refs, Kinds: g.Kinds, Seqs: g.Seqs, Ends: g.Ends}
	oldLevels, oldOrds := r.glevels, r.gords
	g.Refs, g.Kinds, g.Seqs, g.Ends = nil, nil, nil, nil
	r.glevels, r.gords = nil, nil
	if oldOrds != nil {
		r.gords = make([][2]int, 0, len(oldOrds)+len(found))
	}
	s := 0
	for gi, e := range old.Ends {
		row, ok := found[gi]
		var ord []byte
		if ok && ords != nil {
			ord = ords[ooffs[row]:ooffs[row+1]]
		}
		inserted := !ok
		oldBefore := r.states[gi].before
		for i := s; i < e; i++ {
			if !inserted {
				var oi []byte
				if oldOrds != nil {
					oi = r.gordBuf[oldOrds[i][0]:oldOrds[i][1]]
				}
				if rowCompare(nil, ord, seqs[row], nil, oi, old.Seqs[i]) < 0 {
					r.insertFound(gi, src, row, schema.RowKind(kinds[row]), seqs[row], ord)
					inserted = true
				}
			}
			if oldBefore >= 0 && oldBefore == i {
				r.states[gi].before = len(g.Refs)
			}
			g.Refs = append(g.Refs, old.Refs[i])
			g.Kinds = append(g.Kinds, old.Kinds[i])
			g.Seqs = append(g.Seqs, old.Seqs[i])
			r.glevels = append(r.glevels, oldLevels[i])
			if oldOrds != nil {
				r.gords = append(r.gords, oldOrds[i])
			}
		}
		if !inserted {
			r.insertFound(gi, src, row, schema.RowKind(kinds[row]), seqs[row], ord)
		}
		g.Ends = append(g.Ends, len(g.Refs))
		s = e
	}
	return nil
}

func (r *mergeReader) insertFound(gi int, src int32, row int, kind schema.RowKind, seq int64, ord []byte) {
	g := &r.groups
	r.states[gi].before = len(g.Refs)
	g.Refs = append(g.Refs, merge.Ref{Src: src, Row: int32(row)})
	g.Kinds = append(g.Kinds, kind)
	g.Seqs = append(g.Seqs, seq)
	r.glevels = append(r.glevels, int(^uint(0)>>1)) // above every merged level
	if r.gords != nil {
		start := len(r.gordBuf)
		r.gordBuf = append(r.gordBuf, ord...)
		r.gords = append(r.gords, [2]int{start, len(r.gordBuf)})
	}
}

// emitChangelog makes the changelog of the batch: out is the merge's
// result as a KV record (retracts kept), groups maps its rows to groups
// (nil: row i is group i).
func (r *mergeReader) emitChangelog(out arrow.RecordBatch, groups []int32) error {
	co := r.o.Changelog
	after := make([]int, len(r.states))
	for i := range after {
		after[i] = -1
	}
	n := 0
	if out != nil {
		n = int(out.NumRows())
	}
	for i := range n {
		gi := i
		if groups != nil {
			gi = int(groups[i])
		}
		after[gi] = i
	}
	var outKinds []int8
	if out != nil {
		outKinds = out.Column(kv.KindColumn).(*array.Int8).Int8Values()
	}
	g := &r.groups
	outSrc := int32(len(g.Srcs))
	var refs []take.Ref
	var kinds []schema.RowKind
	var rows []ChangeRow
	for gi, st := range r.states {
		if !st.changed {
			continue
		}
		hasBefore := st.before >= 0 || st.present
		var bk, ak schema.RowKind
		if st.before >= 0 {
			bk = g.Kinds[st.before]
		} else if st.present {
			bk = st.presentAs
		}
		hasAfter := after[gi] >= 0
		if hasAfter {
			ak = schema.RowKind(outKinds[after[gi]])
		}
		equal := func() bool {
			if co.EqualColumns == nil || st.before < 0 || !hasAfter {
				return false
			}
			b := g.Refs[st.before]
			return rowsEqual(g.Srcs[b.Src], int(b.Row), out, after[gi], co.EqualColumns)
		}
		rows = co.Hook.Rows(rows[:0], bk, ak, hasBefore, hasAfter, equal)
		for _, cr := range rows {
			var ref take.Ref
			switch {
			case cr.Before && st.before >= 0:
				ref = take.Ref(g.Refs[st.before])
			case !cr.Before && hasAfter:
				ref = take.Ref{Src: outSrc, Row: int32(after[gi])}
			default:
				return fmt.Errorf("%w: changelog hook asked for a version the key lacks", ErrOptions)
			}
			refs = append(refs, ref)
			kinds = append(kinds, cr.Kind)
		}
	}
	if len(refs) == 0 {
		return nil
	}
	srcs := g.Srcs
	if out != nil {
		srcs = append(slices.Clip(srcs), out)
	}
	rec, err := take.Record(r.mem, r.schema, srcs, refs)
	if err != nil {
		return err
	}
	rec, err = withKinds(r.mem, rec, kinds)
	if err != nil {
		return err
	}
	defer rec.Release()
	return co.Emit(rec)
}

// withKinds replaces the _VALUE_KIND column of rec (which it releases).
func withKinds(mem memory.Allocator, rec arrow.RecordBatch, kinds []schema.RowKind) (arrow.RecordBatch, error) {
	defer rec.Release()
	b := array.NewInt8Builder(mem)
	defer b.Release()
	b.Reserve(len(kinds))
	for _, k := range kinds {
		b.UnsafeAppend(int8(k))
	}
	kc := b.NewArray()
	defer kc.Release()
	cols := slices.Clone(rec.Columns())
	cols[kv.KindColumn] = kc
	return array.NewRecordBatch(rec.Schema(), cols, rec.NumRows()), nil
}

// rowsEqual compares row i of a and row j of b on cols.
func rowsEqual(a arrow.RecordBatch, i int, b arrow.RecordBatch, j int, cols []int) bool {
	for _, c := range cols {
		if !array.SliceEqual(a.Column(c), int64(i), int64(i+1), b.Column(c), int64(j), int64(j+1)) {
			return false
		}
	}
	return true
}
