package table

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/predicate"
	"github.com/floelake/floe/snapshot"
)

// IncrementalMode says what an incremental read returns: Paimon's
// incremental-between-scan-mode.
type IncrementalMode int

const (
	// IncrementalAuto reads the changelog when the table has a changelog
	// producer, else the delta; between tags it reads the diff (Paimon's
	// default, incremental-between-tag-to-snapshot=false).
	IncrementalAuto IncrementalMode = iota
	// IncrementalDelta reads the data files each APPEND snapshot of the
	// range added, as a stream without a changelog producer does
	// (compactions and overwrites skipped).
	IncrementalDelta
	// IncrementalChangelog reads the changelog files of each snapshot of
	// the range (overwrites skipped).
	IncrementalChangelog
	// IncrementalDiff compares the table's rows at the two ends: for a
	// primary-key table each key whose row is new or differs comes with
	// its row at the end (and its merged kind), each key the end no longer
	// has comes as -D with its row at the start; for an append table the
	// rows of the data files added, +I.
	IncrementalDiff
)

func (m IncrementalMode) String() string {
	switch m {
	case IncrementalAuto:
		return "auto"
	case IncrementalDelta:
		return "delta"
	case IncrementalChangelog:
		return "changelog"
	case IncrementalDiff:
		return "diff"
	}
	return fmt.Sprintf("IncrementalMode(%d)", int(m))
}

// ParseIncrementalMode parses auto, delta, changelog or diff (Paimon's
// incremental-between-scan-mode values).
func ParseIncrementalMode(s string) (IncrementalMode, error) {
	for m := IncrementalAuto; m <= IncrementalDiff; m++ {
		if s == m.String() {
			return m, nil
		}
	}
	return 0, fmt.Errorf("%w: incremental mode %q: want auto, delta, changelog or diff", ErrInvalidOption, s)
}

// IncrementalOptions configure NewIncremental: the changes after a start
// (exclusive) up to an end (inclusive), Paimon's incremental-between.
// Give both ends as snapshot ids (FromSnapshot may be 0: from the
// beginning), as tags, or as times (incremental-between-timestamp).
type IncrementalOptions struct {
	FromSnapshot, ToSnapshot int64
	FromTag, ToTag           string
	// Times select the snapshots committed after FromTime, up to and
	// including ToTime.
	FromTime, ToTime time.Time
	Mode             IncrementalMode
	// Columns, Filter, BatchSize and Alloc are as in StreamOptions.
	Columns   []string
	Filter    predicate.Predicate
	BatchSize int
	Alloc     memory.Allocator
}

// NewIncremental reads the changes between two snapshots, as Paimon's
// batch incremental read (scan.mode incremental) does, through a Stream
// that ends (io.EOF) after the end snapshot; it never waits. The range
// must lie within the snapshots present (the start may be the one before
// the earliest) unless the mode is IncrementalDiff, which reads the two
// ends only (a tag keeps its snapshot readable after it expired). Delta
// and changelog rows come snapshot by snapshot (Paimon's batch read
// groups them by bucket instead; a key's rows come in the same order);
// a diff comes as one batch series whose SnapshotID is the end.
// An empty range (equal ends, times outside the table's, an empty
// table) reads nothing.
func (t *Table) NewIncremental(ctx context.Context, opts IncrementalOptions) (*Stream, error) {
	if opts.Mode < IncrementalAuto || opts.Mode > IncrementalDiff {
		return nil, fmt.Errorf("%w: incremental mode %d", ErrInvalidOption, opts.Mode)
	}
	s, err := t.newStream(StreamOptions{Columns: opts.Columns, Filter: opts.Filter, BatchSize: opts.BatchSize, Alloc: opts.Alloc})
	if err != nil {
		return nil, err
	}
	r, err := t.incrementalRange(ctx, opts)
	if err != nil {
		return nil, err
	}
	switch {
	case r.empty:
		s.done = true
	case r.diff:
		s.diff = &diffRange{from: r.fromSnap, to: r.toSnap}
		s.next, s.until = r.to, r.to
	default:
		s.mode = changesDelta
		if r.changelog {
			s.mode = changesChangelog
		}
		s.next, s.until = r.from+1, r.to
	}
	return s, nil
}

// incrRange is a resolved incremental read: snapshots from (exclusive)
// to (inclusive), read as a diff of fromSnap and toSnap or as the delta
// or changelog of the snapshots between.
type incrRange struct {
	from, to         int64
	fromSnap, toSnap *snapshot.Snapshot // diff only
	diff, changelog  bool
	empty            bool
}

// incrementalRange resolves the ends of an incremental read as Paimon's
// incremental starting scanners do.
func (t *Table) incrementalRange(ctx context.Context, o IncrementalOptions) (incrRange, error) {
	byIDs := o.ToSnapshot != 0
	byTags := o.ToTag != "" || o.FromTag != ""
	byTimes := !o.ToTime.IsZero() || !o.FromTime.IsZero()
	n := 0
	for _, b := range []bool{byIDs || o.FromSnapshot != 0, byTags, byTimes} {
		if b {
			n++
		}
	}
	switch {
	case n == 0:
		return incrRange{}, fmt.Errorf("%w: an incremental read needs its ends: snapshot ids, tags or times", ErrInvalidOption)
	case n > 1:
		return incrRange{}, fmt.Errorf("%w: give an incremental read's ends as snapshot ids, tags or times, not a mix", ErrInvalidOption)
	case byTags && (o.FromTag == "" || o.ToTag == ""):
		return incrRange{}, fmt.Errorf("%w: an incremental read between tags needs both", ErrInvalidOption)
	case byTimes && (o.FromTime.IsZero() || o.ToTime.IsZero()):
		return incrRange{}, fmt.Errorf("%w: an incremental read between times needs both", ErrInvalidOption)
	case !byTags && !byTimes && o.ToSnapshot <= 0:
		return incrRange{}, fmt.Errorf("%w: an incremental read needs an end snapshot", ErrInvalidOption)
	case o.FromSnapshot < 0:
		return incrRange{}, fmt.Errorf("%w: incremental start snapshot %d", ErrInvalidOption, o.FromSnapshot)
	}
	mode := o.Mode
	if mode == IncrementalAuto && !byTags {
		mode = IncrementalDelta
		if t.cfg.ChangelogProducer != ChangelogNone && len(t.latest.PrimaryKeys) > 0 {
			mode = IncrementalChangelog
		}
	}
	r := incrRange{diff: mode == IncrementalDiff || mode == IncrementalAuto, changelog: mode == IncrementalChangelog}

	if byTags {
		from, err := t.tagSnapshot(ctx, o.FromTag)
		if err != nil {
			return r, err
		}
		to, err := t.tagSnapshot(ctx, o.ToTag)
		if err != nil {
			return r, err
		}
		if to.ID < from.ID {
			return r, fmt.Errorf("%w: incremental end tag %q (snapshot %d) is before start tag %q (snapshot %d)",
				ErrInvalidOption, o.ToTag, to.ID, o.FromTag, from.ID)
		}
		r.from, r.to, r.fromSnap, r.toSnap, r.empty = from.ID, to.ID, from, to, from.ID == to.ID
		if r.diff || r.empty {
			return r, nil
		}
		return r, t.checkRange(ctx, r.from, r.to)
	}

	earliest, latest, err := t.snapshotRange(ctx)
	if err != nil {
		return r, err
	}
	if byTimes {
		start, end := o.FromTime.UnixMilli(), o.ToTime.UnixMilli()
		if end < start {
			return r, fmt.Errorf("%w: incremental end time %s is before the start %s",
				ErrInvalidOption, o.ToTime.Format(time.RFC3339Nano), o.FromTime.Format(time.RFC3339Nano))
		}
		if latest == 0 {
			r.empty = true
			return r, nil
		}
		first, err := t.Snapshot(ctx, earliest)
		if err != nil {
			return r, err
		}
		last, err := t.Snapshot(ctx, latest)
		if err != nil {
			return r, err
		}
		if start == end || start > last.TimeMillis || end < first.TimeMillis {
			r.empty = true
			return r, nil
		}
		// The last snapshot committed at or before each time (Paimon's
		// earlierOrEqualTimeMills).
		atOrBefore := func(ms int64) (*snapshot.Snapshot, error) {
			s, err := snapshot.AtOrBefore(ctx, t.meta, ms)
			if errors.Is(err, snapshot.ErrNotFound) {
				return nil, nil
			}
			return s, err
		}
		fromSnap, err := atOrBefore(start)
		if err != nil {
			return r, err
		}
		toSnap, err := atOrBefore(end)
		if err != nil {
			return r, err
		}
		if toSnap == nil {
			toSnap = last
		}
		r.to, r.toSnap = toSnap.ID, toSnap
		if r.diff {
			if fromSnap == nil {
				fromSnap = first // as Paimon: the diff then starts at the earliest
			}
			r.from, r.fromSnap = fromSnap.ID, fromSnap
		} else {
			r.from = earliest - 1
			if fromSnap != nil && first.TimeMillis <= start {
				r.from = fromSnap.ID
			}
		}
		r.empty = r.from >= r.to
		return r, nil
	}

	// Snapshot ids.
	r.from, r.to = o.FromSnapshot, o.ToSnapshot
	if r.to < r.from {
		return r, fmt.Errorf("%w: incremental end snapshot %d is before the start %d", ErrInvalidOption, r.to, r.from)
	}
	if latest == 0 || r.from == r.to {
		r.empty = true
		return r, nil
	}
	if !r.diff {
		return r, t.checkRange(ctx, r.from, r.to)
	}
	if r.from == 0 {
		return r, fmt.Errorf("%w: a diff needs a start snapshot (0 is none)", ErrNoSnapshot)
	}
	if r.fromSnap, err = t.Snapshot(ctx, r.from); err != nil {
		return r, err
	}
	r.toSnap, err = t.Snapshot(ctx, r.to)
	return r, err
}

// checkRange refuses a delta or changelog range outside the snapshots
// present: from may be the one before the earliest, to at most the latest.
func (t *Table) checkRange(ctx context.Context, from, to int64) error {
	earliest, latest, err := t.snapshotRange(ctx)
	if err != nil {
		return err
	}
	if latest == 0 || from < earliest-1 || to > latest {
		return fmt.Errorf("%w: incremental range (%d, %d] is outside the snapshots present [%d, %d]",
			ErrNoSnapshot, from, to, earliest, latest)
	}
	return nil
}

// snapshotRange returns the earliest and latest snapshot ids (0, 0 for an
// empty table).
func (t *Table) snapshotRange(ctx context.Context) (earliest, latest int64, err error) {
	if latest, err = snapshot.LatestID(ctx, t.meta); err != nil || latest == 0 {
		return 0, 0, err
	}
	earliest, err = snapshot.EarliestID(ctx, t.meta)
	return earliest, latest, err
}

// tagSnapshot returns the snapshot a tag holds.
func (t *Table) tagSnapshot(ctx context.Context, name string) (*snapshot.Snapshot, error) {
	tag, err := snapshot.ReadTag(ctx, t.meta, name)
	if err != nil {
		if errors.Is(err, snapshot.ErrNotFound) {
			return nil, fmt.Errorf("%w: tag %q: %w", ErrNoSnapshot, name, err)
		}
		return nil, err
	}
	s := tag.Snapshot
	return &s, nil
}
