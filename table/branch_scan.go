package table

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/floelake/floe/schema"
	"github.com/floelake/floe/snapshot"
)

// otherBranch returns branch name of t's table, opened once and kept until
// t closes (it reads splits of that branch and plans fallback reads).
func (t *Table) otherBranch(ctx context.Context, name string) (*Table, error) {
	t.mu.Lock()
	b, ok := t.others[name]
	t.mu.Unlock()
	if ok {
		return b, nil
	}
	b, err := t.OpenBranch(ctx, name)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if prev, ok := t.others[name]; ok {
		b.Close()
		return prev, nil
	}
	if t.others == nil {
		t.others = map[string]*Table{}
	}
	t.others[name] = b
	return b, nil
}

// fallbackTable returns the branch a batch scan of t also reads:
// scan.fallback-branch (primary false), else scan.primary-branch (primary
// true), nil when neither is set, names t's own branch or does not exist
// (Paimon then logs an error and reads t alone).
func (t *Table) fallbackTable(ctx context.Context) (other *Table, primary bool, err error) {
	name := t.cfg.ScanFallbackBranch
	if name == "" {
		name, primary = t.cfg.ScanPrimaryBranch, true
	}
	if name == "" || name == t.branch || isMain(name) && t.branch == MainBranch {
		return nil, false, nil
	}
	other, err = t.otherBranch(ctx, name)
	if errors.Is(err, ErrNoBranch) {
		return nil, false, nil
	}
	return other, primary, err
}

// fallbackScan plans a batch scan of t with another branch, as Paimon's
// FallbackReadFileStoreTable.FallbackReadScan does. One of the two reads
// first: t with scan.fallback-branch, the other branch with
// scan.primary-branch. Every partition the first has (live files that pass
// the filter's partition part, whatever the rest of the filter prunes) is
// read from it alone; the partitions only the second has are read from
// the second. The two latest schemas must have the same column types
// (nullability aside) and, in floe, the same column names. Time travel
// reads t at the snapshot asked for and the other branch as Paimon maps
// it: a snapshot id becomes the other's latest snapshot at or before that
// snapshot's time (its snapshot 1 when it has none that early), a tag the
// other's tag of that name, a time the same time (a branch without a
// snapshot that early adds nothing).
func (t *Table) fallbackScan(ctx context.Context, opts ScanOptions, other *Table, primary bool) (*Plan, error) {
	if err := sameRowType(t, other); err != nil {
		return nil, err
	}
	oopts, skip, err := t.otherScanOptions(ctx, opts, other)
	if err != nil {
		return nil, err
	}
	if oopts.Columns == nil {
		// The other branch returns t's columns (of the snapshot t reads).
		if oopts.Columns, err = t.readColumns(ctx, opts); err != nil {
			return nil, err
		}
	}
	seen := map[string]bool{}
	var mine, theirs *Plan
	if !primary {
		if mine, err = t.newScan(ctx, opts, streamScan{seen: seen}); err != nil {
			return nil, err
		}
		if !skip {
			if theirs, err = other.newScan(ctx, oopts, streamScan{exclude: seen}); err != nil {
				return nil, fmt.Errorf("fallback branch %s: %w", other.branch, err)
			}
		}
	} else {
		if !skip {
			if theirs, err = other.newScan(ctx, oopts, streamScan{seen: seen}); err != nil {
				return nil, fmt.Errorf("primary branch %s: %w", other.branch, err)
			}
		}
		if mine, err = t.newScan(ctx, opts, streamScan{exclude: seen}); err != nil {
			return nil, err
		}
	}
	plan := mine
	if theirs == nil {
		return plan, nil
	}
	for _, s := range theirs.Splits {
		s.Branch = other.branch
	}
	first, second := mine.Splits, theirs.Splits
	if primary {
		first, second = second, first
	}
	plan.Splits = append(append([]*Split(nil), first...), second...)
	st := &plan.Stats
	o := theirs.Stats
	st.Manifests += o.Manifests
	st.ManifestsSkipped += o.ManifestsSkipped
	st.Files += o.Files
	st.FilesSkipped += o.FilesSkipped
	st.Splits += o.Splits
	st.StaleDeletionVectors += o.StaleDeletionVectors
	return plan, nil
}

// otherScanOptions maps the time travel of opts on t to the other branch
// (Paimon's FallbackReadFileStoreTable.rewriteOtherOptions). skip says the
// other branch has nothing to read.
func (t *Table) otherScanOptions(ctx context.Context, opts ScanOptions, other *Table) (ScanOptions, bool, error) {
	o := opts
	if !opts.AsOf.IsZero() {
		at, err := snapshot.AtOrBefore(ctx, other.meta, opts.AsOf.UnixMilli())
		if err != nil && !errors.Is(err, snapshot.ErrNotFound) {
			return o, false, err
		}
		return o, at == nil, nil
	}
	if opts.SnapshotID == 0 {
		return o, false, nil
	}
	s, err := t.Snapshot(ctx, opts.SnapshotID)
	if err != nil {
		return o, false, err
	}
	at, err := snapshot.AtOrBefore(ctx, other.meta, s.TimeMillis)
	if err != nil && !errors.Is(err, snapshot.ErrNotFound) {
		return o, false, err
	}
	if at != nil {
		o.SnapshotID = at.ID
		return o, false, nil
	}
	// None that early: Paimon reads the other's first snapshot.
	ok, err := snapshot.Snapshots.Exists(ctx, other.meta, 1)
	if err != nil {
		return o, false, err
	}
	o.SnapshotID = 1
	return o, !ok, nil
}

// readColumns names the columns a scan of t with opts returns when it
// names none: those of the latest schema, or of the time-travel
// snapshot's.
func (t *Table) readColumns(ctx context.Context, opts ScanOptions) ([]string, error) {
	rs := t.latest
	if opts.SnapshotID != 0 || opts.Tag != "" || !opts.AsOf.IsZero() {
		snap, err := t.resolveSnapshot(ctx, opts)
		if err != nil {
			return nil, err
		}
		if rs, err = t.SchemaByID(ctx, snap.SchemaID); err != nil {
			return nil, err
		}
	}
	return rs.FieldNames(), nil
}

// sameRowType checks that two branches' latest schemas have the same
// columns: Paimon compares the types, ignoring nullability; floe also
// needs the names (splits name their columns).
func sameRowType(a, b *Table) error {
	fa, fb := a.latest.Fields, b.latest.Fields
	same := len(fa) == len(fb)
	for i := 0; same && i < len(fa); i++ {
		same = fa[i].Name == fb[i].Name && fa[i].Type.Nullable().String() == fb[i].Type.Nullable().String()
	}
	if !same {
		return fmt.Errorf("%w: branch %s and %s do not have the same row type: %s has %s, %s has %s",
			ErrInvalidOption, a.branch, b.branch, a.branch, rowTypeString(fa), b.branch, rowTypeString(fb))
	}
	return nil
}

func rowTypeString(fs []schema.Field) string {
	s := "ROW<"
	for i, f := range fs {
		if i > 0 {
			s += ", "
		}
		s += f.Name + " " + f.Type.String()
	}
	return s + ">"
}

// relabel presents r's records under sc, which may differ from r's
// schema in nullability only.
func relabel(r array.RecordReader, sc *arrow.Schema) (array.RecordReader, error) {
	rs := r.Schema()
	if rs.Equal(sc) {
		return r, nil
	}
	ok := rs.NumFields() == sc.NumFields()
	for i := 0; ok && i < sc.NumFields(); i++ {
		ok = rs.Field(i).Name == sc.Field(i).Name && arrow.TypeEqual(rs.Field(i).Type, sc.Field(i).Type)
	}
	if !ok {
		r.Release()
		return nil, fmt.Errorf("%w: the other branch's split reads %s, the scan %s", ErrBadSplit, rs, sc)
	}
	return &relabelReader{refs: 1, src: r, sc: sc}, nil
}

type relabelReader struct {
	refs int64
	src  array.RecordReader
	sc   *arrow.Schema
	cur  arrow.RecordBatch
}

func (r *relabelReader) Retain() { atomic.AddInt64(&r.refs, 1) }
func (r *relabelReader) Release() {
	if atomic.AddInt64(&r.refs, -1) == 0 {
		if r.cur != nil {
			r.cur.Release()
			r.cur = nil
		}
		r.src.Release()
	}
}
func (r *relabelReader) Schema() *arrow.Schema          { return r.sc }
func (r *relabelReader) RecordBatch() arrow.RecordBatch { return r.cur }
func (r *relabelReader) Record() arrow.RecordBatch      { return r.cur }
func (r *relabelReader) Err() error                     { return r.src.Err() }

func (r *relabelReader) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if !r.src.Next() {
		return false
	}
	rec := r.src.RecordBatch()
	r.cur = array.NewRecordBatch(r.sc, rec.Columns(), rec.NumRows())
	return true
}
