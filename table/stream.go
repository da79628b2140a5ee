package table

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/manifest"
	"github.com/floelake/floe/predicate"
	"github.com/floelake/floe/schema"
	"github.com/floelake/floe/snapshot"
)

// ErrSnapshotExpired reports that a stream's next snapshot was expired
// before the stream read it. *SnapshotExpiredError matches it.
var ErrSnapshotExpired = errors.New("table: snapshot expired")

// SnapshotExpiredError says which snapshot a stream needed and which is
// now the earliest.
type SnapshotExpiredError struct {
	Next     int64 // the snapshot the stream was to read
	Earliest int64 // the earliest snapshot left (0: none)
	Cause    error // the read that failed on its deleted files, if any
}

func (e *SnapshotExpiredError) Error() string {
	return fmt.Sprintf("table: the stream's next snapshot %d has expired (earliest left: %d): "+
		"restart it with a full read (StartLatestFull) or from snapshot %d, which skips the changes in between; "+
		"to keep snapshots a stream still needs, give it a consumer id or retain snapshots longer (snapshot.time-retained)",
		e.Next, e.Earliest, e.Earliest)
}

func (e *SnapshotExpiredError) Unwrap() []error {
	if e.Cause != nil {
		return []error{ErrSnapshotExpired, e.Cause}
	}
	return []error{ErrSnapshotExpired}
}

// StreamStart says where a stream begins: Paimon's scan.mode for streams.
type StreamStart int

const (
	// StartLatestFull reads the latest snapshot in full, then the changes
	// of every later snapshot (latest-full, Paimon's default). On an empty
	// table it reads the changes from snapshot 1.
	StartLatestFull StreamStart = iota
	// StartLatest reads only the changes of snapshots committed after the
	// stream starts (latest).
	StartLatest
	// StartFromSnapshot reads the changes of StreamOptions.SnapshotID and
	// later (from-snapshot); an id below the earliest starts at the
	// earliest.
	StartFromSnapshot
	// StartFromSnapshotFull reads snapshot StreamOptions.SnapshotID in
	// full, then the changes after it (from-snapshot-full).
	StartFromSnapshotFull
	// StartFromTime reads the changes of the snapshots committed at or
	// after StreamOptions.Time (from-timestamp).
	StartFromTime
	// StartCompactedFull reads the latest compaction's snapshot in full,
	// then the changes after it (compacted-full): the latest COMPACT
	// snapshot, or, when the table has changelog-producer
	// full-compaction or sets full-compaction.delta-commits, the latest
	// COMPACT snapshot whose commit identifier is a multiple of
	// full-compaction.delta-commits (default 1) or a batch one
	// (math.MaxInt64), as Paimon marks full compactions. With no such
	// snapshot it reads the latest in full.
	StartCompactedFull
)

// StreamOptions configure NewStream. The zero value follows the table
// from a full read of its latest snapshot, every column.
type StreamOptions struct {
	Start      StreamStart
	SnapshotID int64     // StartFromSnapshot, StartFromSnapshotFull
	Time       time.Time // StartFromTime
	// Columns to return after the row kind, in this order (nil: all).
	Columns []string
	// Filter is applied exactly to the rows returned (to each change, as a
	// WHERE over a changelog is).
	Filter predicate.Predicate
	// Until ends the stream (Next returns io.EOF) after snapshot Until; 0
	// follows the table for ever, UntilLatest ends at the latest snapshot
	// present when the stream starts.
	Until int64
	// MaxWait bounds the wait between looks for the next snapshot, which
	// starts at a millisecond and grows to an eighth of the time the
	// table has been idle (default: the table's
	// continuous.discovery-interval).
	MaxWait time.Duration
	// BatchSize and Alloc are as in ReadOptions.
	BatchSize int
	Alloc     memory.Allocator
	// ConsumerID names the stream's progress file, consumer/consumer-<id>,
	// as Paimon's consumer-id does: a stream whose consumer has progress
	// continues from it (Start is then ignored, unless IgnoreProgress),
	// SaveProgress records it, and snapshot expiry keeps what it has not
	// read.
	ConsumerID     string
	IgnoreProgress bool
	// ConsumerMode says when the consumer file is written: by
	// SaveProgress (exactly-once) or by every Next (at-least-once); the
	// zero value follows the table's consumer.mode. A consumer file older
	// than the table's consumer.expiration-time counts as absent, and a
	// stream rewrites its file (SaveProgress, or Next when at-least-once)
	// after half that time even when its position has not moved.
	ConsumerMode ConsumerMode
	// Shard makes the stream read only the buckets the shard owns, so
	// that several streams share a table's changes (give each its own
	// consumer id).
	Shard Shard
	// Position resumes a stream where another stood (Stream.Position):
	// Start, SnapshotID and Time are ignored, and a position whose
	// snapshot has expired fails with SnapshotExpiredError instead of
	// skipping ahead. Its shard is the stream's (Shard must be zero or
	// the same). It does not go with ConsumerID.
	Position *StreamPosition
}

// UntilLatest as StreamOptions.Until ends a stream at the latest snapshot
// present when it starts.
const UntilLatest = -1

// ChangeBatch is rows of one snapshot's changes: Record's first column is
// RowKindColumn (+I, -U, +U, -D), then the stream's columns. Record is
// valid until the next call to Next; Retain it to keep it.
type ChangeBatch struct {
	SnapshotID int64
	Record     arrow.Record
	// Last says this is the snapshot's last batch: the stream's position
	// (NextSnapshot) has moved past it.
	Last bool
}

// Stream follows a table: its Next returns the rows each new snapshot
// changes, snapshot by snapshot, as Paimon's streaming read does. What a
// snapshot's changes are depends on the table's changelog-producer: with
// none, the data files of APPEND snapshots (compactions are skipped),
// each file's rows as the writer merged them; with input, lookup or
// full-compaction, the snapshot's changelog files. Rows come unmerged and
// with their row kinds.
//
// A Stream is not safe for concurrent use. Close releases it.
type Stream struct {
	t          *Table
	opts       StreamOptions
	cols       []string
	filterText string
	schema     *arrow.Schema // of every batch

	next    int64    // the first snapshot whose changes are not all returned
	planned int64    // the snapshot of splits and cur (0: none)
	splits  []*Split // the rest of planned's splits
	cur     array.RecordReader
	until   int64
	full    *snapshot.Snapshot // a full read still to plan
	diff    *diffRange         // an incremental diff still to plan
	mode    changeMode         // what a snapshot's changes are
	done    bool
	misses  int
	saved   int64        // the position last saved for the consumer
	savedAt time.Time    // when the consumer file was written
	inFull  bool         // the planned splits are a full read
	auto    bool         // at-least-once: Next saves the position
	ahead   arrow.Record // the batch after the one returned (nil: none read)
	out     arrow.Record // the batch returned last
}

// newStream checks a stream's columns and filter and sets its defaults.
func (t *Table) newStream(opts StreamOptions) (*Stream, error) {
	cols, fields, err := projectColumns(t.latest, opts.Columns)
	if err != nil {
		return nil, err
	}
	sc, err := schema.ArrowSchema(fields)
	if err != nil {
		return nil, err
	}
	s := &Stream{t: t, opts: opts, cols: cols, until: opts.Until, schema: withKindField(sc)}
	if s.filterText, err = filterText(t.latest, opts.Filter, "stream filter"); err != nil {
		return nil, err
	}
	if s.opts.MaxWait <= 0 {
		s.opts.MaxWait = t.cfg.DiscoveryInterval
	}
	if s.opts.BatchSize <= 0 {
		s.opts.BatchSize = 4096
	}
	return s, nil
}

// NewStream starts a stream.
func (t *Table) NewStream(ctx context.Context, opts StreamOptions) (*Stream, error) {
	s, err := t.newStream(opts)
	if err != nil {
		return nil, err
	}
	latest, err := snapshot.LatestID(ctx, t.meta)
	if err != nil {
		return nil, err
	}
	earliest := int64(0)
	if latest > 0 {
		if earliest, err = snapshot.EarliestID(ctx, t.meta); err != nil {
			return nil, err
		}
		if t.changelogDecoupled() {
			// Expired snapshots whose changelog lives on can be read.
			cl, err := snapshot.Changelogs.EarliestID(ctx, t.meta)
			switch {
			case err == nil && cl < earliest:
				earliest = cl
			case err != nil && !errors.Is(err, snapshot.ErrNotFound):
				return nil, err
			}
		}
	}
	if s.until == UntilLatest {
		s.until = latest
		if latest == 0 {
			s.done = true
		}
	} else if s.until < 0 {
		return nil, fmt.Errorf("%w: stream until %d", ErrInvalidOption, s.until)
	}
	if err := opts.Shard.check(); err != nil {
		return nil, err
	}
	if p := opts.Position; p != nil {
		return s, s.resume(ctx, *p, earliest)
	}
	start := opts.Start
	if opts.ConsumerID != "" {
		if err := snapshot.ValidateConsumerID(opts.ConsumerID); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidOption, err)
		}
		switch opts.ConsumerMode {
		case ConsumerTableMode:
			s.auto = t.cfg.ConsumerAtLeastOnce
		case ConsumerExactlyOnce:
		case ConsumerAtLeastOnce:
			s.auto = true
		default:
			return nil, fmt.Errorf("%w: consumer mode %d", ErrInvalidOption, opts.ConsumerMode)
		}
		// A consumer that names nothing (or has expired) starts as
		// Start says.
		c, err := t.readConsumer(ctx, opts.ConsumerID)
		switch {
		case err == nil && !opts.IgnoreProgress:
			start, opts.SnapshotID = StartFromSnapshot, c.NextSnapshot
			s.saved, s.savedAt = c.NextSnapshot, c.modTime
		case err != nil && !errors.Is(err, snapshot.ErrNotFound):
			return nil, err
		}
	}
	switch start {
	case StartLatestFull, StartFromSnapshotFull, StartCompactedFull:
		id := latest
		switch start {
		case StartFromSnapshotFull:
			if opts.SnapshotID <= 0 {
				return nil, fmt.Errorf("%w: StartFromSnapshotFull needs a snapshot id", ErrInvalidOption)
			}
			id = max(opts.SnapshotID, earliest)
		case StartCompactedFull:
			if id, err = t.compactedSnapshot(ctx, earliest, latest); err != nil {
				return nil, err
			}
		}
		if id == 0 {
			s.next = 1 // empty table: every change from the first snapshot
			break
		}
		if s.full, err = t.Snapshot(ctx, id); err != nil {
			return nil, err
		}
		s.next = id
	case StartLatest:
		s.next = latest + 1
	case StartFromSnapshot:
		if opts.SnapshotID <= 0 {
			return nil, fmt.Errorf("%w: StartFromSnapshot needs a snapshot id", ErrInvalidOption)
		}
		s.next = max(opts.SnapshotID, earliest)
	case StartFromTime:
		if opts.Time.IsZero() {
			return nil, fmt.Errorf("%w: StartFromTime needs a time", ErrInvalidOption)
		}
		// The first snapshot committed at or after the time.
		s.next = max(earliest, 1)
		before, err := snapshot.AtOrBefore(ctx, t.meta, opts.Time.UnixMilli()-1)
		switch {
		case err == nil:
			s.next = before.ID + 1
		case !errors.Is(err, snapshot.ErrNotFound):
			return nil, err
		}
	default:
		return nil, fmt.Errorf("%w: stream start %d", ErrInvalidOption, opts.Start)
	}
	return s, nil
}

// resume starts the stream at a position.
func (s *Stream) resume(ctx context.Context, p StreamPosition, earliest int64) error {
	switch {
	case p.Next < 1:
		return fmt.Errorf("%w: stream position at snapshot %d", ErrInvalidOption, p.Next)
	case s.opts.ConsumerID != "":
		return fmt.Errorf("%w: a stream resumes from a position or a consumer, not both", ErrInvalidOption)
	case s.opts.Shard != (Shard{}) && s.opts.Shard != p.Shard:
		return fmt.Errorf("%w: shard %d of %d resuming a position of shard %d of %d",
			ErrInvalidOption, s.opts.Shard.Index, s.opts.Shard.Count, p.Shard.Index, p.Shard.Count)
	}
	if err := p.Shard.check(); err != nil {
		return err
	}
	s.opts.Shard, s.next = p.Shard, p.Next
	if p.Next < earliest {
		return &SnapshotExpiredError{Next: p.Next, Earliest: earliest}
	}
	if !p.Full {
		return nil
	}
	snap, err := snapshot.Read(ctx, s.t.meta, p.Next)
	if errors.Is(err, snapshot.ErrNotFound) {
		earliest, _ := snapshot.EarliestID(ctx, s.t.meta)
		return &SnapshotExpiredError{Next: p.Next, Earliest: earliest, Cause: err}
	}
	s.full = snap
	return err
}

// Position is the stream's position (see StreamPosition), moving as
// NextSnapshot does; during the full first read it is that snapshot,
// to be read in full again.
func (s *Stream) Position() StreamPosition {
	return StreamPosition{Next: s.next, Full: s.full != nil || s.inFull, Shard: s.opts.Shard}
}

// compactedSnapshot picks the snapshot a compacted-full stream reads in
// full: the latest COMPACT snapshot that counts as a full compaction
// (fullCompacted), else the latest. Snapshots expired while it looks are
// skipped.
func (t *Table) compactedSnapshot(ctx context.Context, earliest, latest int64) (int64, error) {
	deltaCommits := 0 // any compaction counts
	if t.cfg.ChangelogProducer == ChangelogFullCompaction || t.cfg.FullCompactionDeltaCommits > 0 {
		deltaCommits = max(t.cfg.FullCompactionDeltaCommits, 1)
	}
	for id := latest; id >= earliest && id > 0; id-- {
		snap, err := snapshot.Read(ctx, t.meta, id)
		if errors.Is(err, snapshot.ErrNotFound) {
			continue
		}
		if err != nil {
			return 0, err
		}
		if fullCompacted(snap, deltaCommits) {
			return id, nil
		}
	}
	return latest, nil
}

// fullCompacted says whether snap is a compaction a compacted-full stream
// starts from: any COMPACT snapshot when deltaCommits is 0, else one whose
// commit identifier is a multiple of deltaCommits or math.MaxInt64 (a batch
// compaction), which is how Paimon tells a full compaction
// (full-compaction.delta-commits) from the others.
func fullCompacted(snap *snapshot.Snapshot, deltaCommits int) bool {
	if snap.CommitKind != snapshot.KindCompact {
		return false
	}
	id := snap.CommitIdentifier
	return deltaCommits == 0 || id%int64(deltaCommits) == 0 || id == math.MaxInt64
}

// Schema is the schema of every batch: RowKindColumn, then the columns.
func (s *Stream) Schema() *arrow.Schema { return s.schema }

// NextSnapshot is the stream's position: the first snapshot whose changes
// it has not returned in full (it moves with the batch marked Last). A
// stream started again from this snapshot (StartFromSnapshot) continues
// with no gap; rows of a snapshot returned only in part come again.
// During a full first read it is the snapshot read in full, which
// StartFromSnapshot would not read again: resume from Position then.
func (s *Stream) NextSnapshot() int64 { return s.next }

// SaveProgress writes the stream's position (NextSnapshot) to its
// consumer file, as Paimon's exactly-once consumers do once the rows up to
// it are processed: a stream restarted with the same consumer id resumes
// there, with no gap and no duplicate. It does nothing without a
// ConsumerID or when the position has not moved since the last save.
func (s *Stream) SaveProgress(ctx context.Context) error {
	if s.opts.ConsumerID == "" || s.full != nil || s.inFull {
		return nil // a full read in progress has no position to record
	}
	exp := s.t.cfg.ConsumerExpirationTime
	if s.next == s.saved && (exp <= 0 || time.Since(s.savedAt) < exp/2) {
		return nil
	}
	if err := snapshot.WriteConsumer(ctx, s.t.meta, s.opts.ConsumerID, snapshot.Consumer{NextSnapshot: s.next}); err != nil {
		return err
	}
	s.saved, s.savedAt = s.next, time.Now()
	return nil
}

// keepConsumer rewrites the consumer file of a stream waiting for
// snapshots once half its expiration time has passed, so that it does not
// expire while the stream runs: the position Next would save when
// at-least-once, else the one last saved.
func (s *Stream) keepConsumer(ctx context.Context) error {
	if s.auto {
		return s.SaveProgress(ctx)
	}
	exp := s.t.cfg.ConsumerExpirationTime
	if s.opts.ConsumerID == "" || s.saved == 0 || exp <= 0 || time.Since(s.savedAt) < exp/2 {
		return nil
	}
	if err := snapshot.WriteConsumer(ctx, s.t.meta, s.opts.ConsumerID, snapshot.Consumer{NextSnapshot: s.saved}); err != nil {
		return err
	}
	s.savedAt = time.Now()
	return nil
}

// Next returns the next batch of changes, waiting for new snapshots when
// the stream has read them all. It returns io.EOF after the Until
// snapshot, and an error matching ErrSnapshotExpired when the snapshot it
// needs was expired first.
func (s *Stream) Next(ctx context.Context) (ChangeBatch, error) {
	if s.out != nil {
		s.out.Release()
		s.out = nil
	}
	if s.auto {
		// At-least-once: the rows returned so far count as processed.
		if err := s.SaveProgress(ctx); err != nil {
			return ChangeBatch{}, err
		}
	}
	for {
		if s.planned != 0 {
			out := s.ahead
			s.ahead = nil
			if out == nil {
				var err error
				if out, err = s.pull(ctx); err != nil {
					return ChangeBatch{}, err
				}
			}
			if out == nil { // nothing (left) in this snapshot
				s.next, s.planned, s.inFull = s.planned+1, 0, false
				continue
			}
			// Look one batch ahead, so that the last batch of a snapshot
			// says so and moves the position at once.
			ahead, err := s.pull(ctx)
			if err != nil {
				out.Release()
				return ChangeBatch{}, err
			}
			b := ChangeBatch{SnapshotID: s.planned, Record: out, Last: ahead == nil}
			s.ahead, s.out = ahead, out
			if b.Last {
				s.next, s.planned, s.inFull = s.planned+1, 0, false
			}
			return b, nil
		}
		if err := s.plan(ctx); err != nil {
			return ChangeBatch{}, err
		}
	}
}

// pull returns the next record (retained) of the planned snapshot's
// splits, or nil when they are exhausted.
func (s *Stream) pull(ctx context.Context) (arrow.Record, error) {
	for {
		if s.cur != nil {
			if s.cur.Next() {
				r := s.cur.RecordBatch()
				r.Retain()
				return r, nil
			}
			err := s.cur.Err()
			s.cur.Release()
			s.cur = nil
			if err != nil {
				return nil, s.gone(ctx, s.planned, err)
			}
		}
		if len(s.splits) == 0 {
			return nil, nil
		}
		sp := s.splits[0]
		s.splits = s.splits[1:]
		r, err := s.t.Read(ctx, sp, ReadOptions{BatchSize: s.opts.BatchSize, Alloc: s.opts.Alloc, RowKinds: true})
		if err != nil {
			return nil, s.gone(ctx, s.planned, err)
		}
		s.cur = r
	}
}

// plan sets splits to the next snapshot's rows: the full read still due,
// or the changes of snapshot next once it exists.
func (s *Stream) plan(ctx context.Context) error {
	if snap := s.full; snap != nil && (s.until <= 0 || snap.ID <= s.until) {
		s.full = nil
		x := streamScan{snap: snap}
		switch s.t.cfg.ChangelogProducer {
		case ChangelogLookup: // as Paimon: the first read skips level 0
			x.level = func(l int32) bool { return l > 0 }
		case ChangelogFullCompaction: // only what full compactions wrote
			top := int32(s.t.cfg.NumLevels - 1)
			x.level = func(l int32) bool { return l == top }
		}
		p, err := s.t.newScan(ctx, ScanOptions{Columns: s.opts.Columns, Filter: s.opts.Filter}, x)
		if err != nil {
			return s.gone(ctx, snap.ID, err)
		}
		s.planned, s.splits, s.inFull = snap.ID, s.opts.Shard.keep(p.Splits), true
		return nil
	}
	s.full = nil // past Until
	if d := s.diff; d != nil {
		s.diff = nil
		splits, err := s.t.diffSplits(ctx, d.from, d.to, s.cols, s.filterText)
		if err != nil {
			return err
		}
		s.planned, s.splits = d.to.ID, splits
		if len(splits) == 0 {
			s.next, s.planned, s.done = d.to.ID+1, 0, true
			return io.EOF
		}
		return nil
	}
	for {
		if s.done || s.until > 0 && s.next > s.until {
			s.done = true
			return io.EOF
		}
		snap, err := s.await(ctx, s.next)
		if err != nil {
			return err
		}
		splits, err := s.t.changeSplits(ctx, snap, s.mode, s.cols, s.filterText)
		if err != nil {
			return s.gone(ctx, snap.ID, err)
		}
		splits = s.opts.Shard.keep(splits)
		if len(splits) > 0 {
			s.planned, s.splits = snap.ID, splits
			return nil
		}
		s.next++ // nothing to read in it
	}
}

// await returns snapshot id once it exists: it looks for the file itself
// (never listing the directory while waiting), waiting between looks an
// eighth of the time it has waited so far (at least a millisecond, at
// most MaxWait): a snapshot that follows soon is seen within an eighth of
// its delay, and an idle table costs a look per eighth of its idle time.
func (s *Stream) await(ctx context.Context, id int64) (*snapshot.Snapshot, error) {
	start := time.Now()
	for {
		snap, err := snapshot.Read(ctx, s.t.meta, id)
		if errors.Is(err, snapshot.ErrNotFound) && s.t.changelogDecoupled() {
			// An expired snapshot whose changelog outlives it: its copy
			// in changelog/ (decoupled changelog retention).
			if c, cerr := snapshot.ReadChangelog(ctx, s.t.meta, id); cerr == nil {
				snap, err = c, nil
			}
		}
		if err == nil {
			s.misses = 0
			return snap, nil
		}
		if !errors.Is(err, snapshot.ErrNotFound) {
			return nil, err
		}
		present, err := s.checkExpired(ctx, id)
		if err != nil {
			return nil, err
		}
		if present {
			continue // published since the look: read it now
		}
		if err := s.keepConsumer(ctx); err != nil {
			return nil, err
		}
		t := time.NewTimer(min(max(time.Since(start)/8, time.Millisecond), s.opts.MaxWait))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
}

// gone turns a failure to read snapshot id's files into a
// SnapshotExpiredError when the snapshot has been expired meanwhile (its
// files deleted under the stream); other failures stay as they are.
func (s *Stream) gone(ctx context.Context, id int64, err error) error {
	if ok, xerr := snapshot.Snapshots.Exists(ctx, s.t.meta, id); xerr != nil || ok {
		return err
	}
	earliest, _ := snapshot.EarliestID(ctx, s.t.meta)
	return &SnapshotExpiredError{Next: id, Earliest: earliest, Cause: err}
}

// checkExpired tells a snapshot not written yet from one expired: ids are
// published in order, so a later snapshot that exists means id is gone,
// unless id was published between the look that missed it and this check
// (present). Every 16th miss it also asks for the earliest snapshot, in
// case all of them up to the latest are gone.
func (s *Stream) checkExpired(ctx context.Context, id int64) (present bool, err error) {
	s.misses++
	later, err := snapshot.Snapshots.Exists(ctx, s.t.meta, id+1)
	if err != nil {
		return false, err
	}
	if later {
		// Commits may have published id and id+1 since the look.
		if present, err = snapshot.Snapshots.Exists(ctx, s.t.meta, id); err != nil || present {
			return present, err
		}
	} else if s.misses%16 != 0 {
		return false, nil
	}
	earliest, err := snapshot.EarliestID(ctx, s.t.meta)
	if err != nil {
		return false, err
	}
	if later || earliest > id {
		return false, &SnapshotExpiredError{Next: id, Earliest: earliest}
	}
	return false, nil
}

// Close releases the stream.
func (s *Stream) Close() error {
	if s.cur != nil {
		s.cur.Release()
		s.cur = nil
	}
	for _, r := range []*arrow.Record{&s.ahead, &s.out} {
		if *r != nil {
			(*r).Release()
			*r = nil
		}
	}
	s.splits = nil
	s.done = true
	return nil
}

// changeMode says what a snapshot's changes are.
type changeMode int8

const (
	changesAuto      changeMode = iota // the table's: changelog with a producer, else delta
	changesDelta                       // the data files of APPEND snapshots
	changesChangelog                   // the changelog files (overwrites skipped)
)

// changeSplits plans what a stream reads of snap: its delta files when
// the table has no changelog producer (APPEND snapshots only), else its
// changelog files (mode may force either); one split per partition and
// bucket, files in manifest order.
func (t *Table) changeSplits(ctx context.Context, snap *snapshot.Snapshot, mode changeMode, cols []string, filter string) ([]*Split, error) {
	if mode == changesAuto {
		mode = changesChangelog
		if t.cfg.ChangelogProducer == ChangelogNone || len(t.latest.PrimaryKeys) == 0 {
			mode = changesDelta
		}
	}
	var list string
	switch {
	case mode == changesDelta:
		if snap.CommitKind != snapshot.KindAppend {
			return nil, nil
		}
		list = snap.DeltaManifestList
	case snap.ChangelogManifestList != nil && snap.CommitKind != snapshot.KindOverwrite:
		list = *snap.ChangelogManifestList
	default:
		return nil, nil
	}
	if list == "" {
		return nil, nil
	}
	metas, err := manifest.ReadList(ctx, t.store, list)
	if err != nil {
		return nil, fmt.Errorf("snapshot %d: %w", snap.ID, err)
	}
	per, err := manifest.ReadManifests(ctx, t.store, metas)
	if err != nil {
		return nil, fmt.Errorf("snapshot %d: %w", snap.ID, err)
	}
	pk := len(t.latest.PrimaryKeys) > 0
	byBucket := map[manifest.BucketKey]*Split{}
	var splits []*Split
	for i, entries := range per {
		for _, e := range entries {
			if e.Kind != manifest.Add || pk && e.Bucket == -2 {
				continue
			}
			k := manifest.KeyOf(&e)
			sp := byBucket[k]
			if sp == nil {
				sp = &Split{SnapshotID: snap.ID, Partition: e.Partition, Bucket: e.Bucket, TotalBuckets: e.TotalBuckets,
					SchemaID: t.latest.ID, Columns: cols, Filter: filter, Changes: true}
				byBucket[k] = sp
				splits = append(splits, sp)
			}
			sp.Files = append(sp.Files, e.File)
			sp.Manifests = append(sp.Manifests, metas[i].FileName)
		}
	}
	return splits, nil
}
