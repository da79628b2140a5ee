package table

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"

	"github.com/floelake/floe/manifest"
	"github.com/floelake/floe/predicate"
	"github.com/floelake/floe/snapshot"
)

// Errors of the commit path.
var (
	// ErrCommitConflict reports a commit that cannot be applied on top of
	// the latest snapshot by Paimon's conflict rules (a deleted file that is
	// no longer live, overlapping key ranges in a level ≥ 1, a changed
	// bucket count). Retrying will not help; *CommitConflictError says why.
	ErrCommitConflict = errors.New("table: commit conflict")
	// ErrAlreadyCommitted reports a commit whose identifier is not above
	// the last one committed by the same commit user.
	ErrAlreadyCommitted = errors.New("table: already committed")
)

// CommitMessage carries the files one writer produced for one partition
// and bucket. It serializes with MarshalBinary so that writers in other
// processes can hand it to a single committer.
type CommitMessage struct {
	Partition    []byte // serialized BinaryRow of the partition values
	Bucket       int32
	TotalBuckets int32 // the table's bucket count, or -1 (dynamic / unaware)

	NewFiles       []manifest.DataFile // new level-0 (or append) files
	DeletedFiles   []manifest.DataFile // files removed without compaction
	CompactBefore  []manifest.DataFile
	CompactAfter   []manifest.DataFile
	ChangelogFiles []manifest.DataFile // changelog of the new files (input)
	// CompactChangelog is the changelog compaction made (lookup,
	// full-compaction): it commits with the COMPACT snapshot.
	CompactChangelog []manifest.DataFile

	NewIndexFiles     []manifest.IndexEntry // Kind is ignored (ADD)
	DeletedIndexFiles []manifest.IndexEntry

	// LookupBase, set by lookup compaction (first-row, deletion vectors),
	// names the bucket's files above level 0 that the compaction saw and
	// looked keys up in. Readers of such tables do not merge levels, so
	// the compaction is only right if nobody changed those levels since:
	// the commit refuses the compaction (a conflict) unless the bucket's
	// files above level 0 are still exactly these, less CompactBefore.
	LookupBase []string
}

// CommitOptions configure Commit. The zero value is a batch commit: a
// random commit user and identifier math.MaxInt64.
type CommitOptions struct {
	// CommitUser identifies the writer job; with Identifier it makes
	// commits exactly-once: a Commit retried with the same user and
	// identifier after an error (or after success) is recognised and never
	// applied twice. Empty means a fresh random user, which cannot be
	// retried safely. A batch user (Identifier 0) commits once.
	CommitUser string
	// Identifier is the transaction id, strictly increasing per commit user
	// (0 means math.MaxInt64, a one-off batch commit).
	Identifier int64
	// Overwrite replaces data instead of adding it: with
	// OverwritePartition set, the files of the matching partitions (a
	// static, possibly partial, partition spec: column → value as text);
	// with DynamicOverwrite, the files of the partitions the messages
	// write to; otherwise every file of the table.
	Overwrite          bool
	OverwritePartition map[string]string
	DynamicOverwrite   bool
	// Properties are stored in the snapshot's properties.
	Properties map[string]string
	// Watermark, when set, is recorded (max with the previous snapshot's).
	Watermark *int64
	Logger    *slog.Logger
}

// CommitResult describes a commit.
type CommitResult struct {
	// Snapshots published (APPEND/OVERWRITE, then COMPACT when messages
	// carry compaction results); empty for an empty commit.
	Snapshots []*snapshot.Snapshot
	// AlreadyCommitted is true when a retried commit was found to have
	// landed before; nothing was applied twice.
	AlreadyCommitted bool
	// Attempts counts snapshot ids tried (lost races included).
	Attempts int
	// CompactionAbandoned is set when the new data was committed but the
	// compaction results the messages also carried conflicted with a
	// concurrent commit (a *CommitConflictError): the COMPACT snapshot was
	// not published and the table keeps its earlier files. The writer that
	// made those messages keeps building on its own compaction, so its
	// later compactions will be abandoned too; open a new Writer.
	CompactionAbandoned error
	// Maintenance is the error of the upkeep that follows a commit
	// (consumer and snapshot expiry, unless write-only); the commit itself
	// succeeded.
	Maintenance error
}

// Commit makes msgs one atomic change of the table: it writes manifests,
// checks conflicts against the latest snapshot, and publishes the next
// snapshot with a create-only write, retrying on a lost race with backoff
// (commit.max-retries, commit.min/max-retry-wait). A retry of a commit that
// already landed (same CommitUser and Identifier) is recognised and not
// applied again. Nothing a published snapshot references is ever deleted.
// Commit is safe for concurrent use, also across processes.
//
// Messages with new or deleted files make an APPEND snapshot (OVERWRITE when
// files are deleted, deletion vectors change or opts.Overwrite is set);
// compaction results follow in a COMPACT snapshot with the same commit user
// and identifier. An empty commit publishes nothing. A conflict gives a
// *CommitConflictError, except that a conflict of the COMPACT snapshot
// after the data was published only abandons the compaction
// (CommitResult.CompactionAbandoned); an unknown publish outcome gives an error matching
// snapshot.ErrAmbiguous, after which the caller should retry Commit with
// the same CommitUser and Identifier.
func (t *Table) Commit(ctx context.Context, msgs []CommitMessage, opts CommitOptions) (*CommitResult, error) {
	var ow *overwriteSpec
	if opts.Overwrite {
		var err error
		if ow, err = t.overwriteFor(opts, msgs); err != nil {
			return nil, err
		}
	}
	return t.commit(ctx, msgs, opts, ow)
}

// Truncate removes every row of the table (an OVERWRITE snapshot with no
// new files).
func (t *Table) Truncate(ctx context.Context, opts CommitOptions) (*CommitResult, error) {
	return t.commit(ctx, nil, opts, &overwriteSpec{})
}

// DropPartitions removes the partitions matching each spec (column → value
// as text, possibly partial) in one OVERWRITE snapshot.
func (t *Table) DropPartitions(ctx context.Context, specs []map[string]string, opts CommitOptions) (*CommitResult, error) {
	if len(specs) == 0 {
		return &CommitResult{}, nil
	}
	matchers := make([]func([]byte) (bool, error), len(specs))
	for i, spec := range specs {
		m, err := t.partitionMatcher(spec)
		if err != nil {
			return nil, err
		}
		matchers[i] = m
	}
	ow := &overwriteSpec{match: func(p []byte) (bool, error) {
		for _, m := range matchers {
			ok, err := m(p)
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	}}
	return t.commit(ctx, nil, opts, ow)
}

// DropPartitionsWhere removes, in one OVERWRITE snapshot, the partitions
// whose values satisfy where, a predicate over partition columns only.
func (t *Table) DropPartitionsWhere(ctx context.Context, where predicate.Predicate, opts CommitOptions) (*CommitResult, error) {
	pf := t.latest.PartitionFields()
	if len(pf) == 0 {
		return nil, fmt.Errorf("%w: drop partitions: the table is not partitioned", ErrInvalidOption)
	}
	if where.IsZero() {
		return nil, fmt.Errorf("%w: drop partitions: no partition filter (truncate the table to remove every row)", ErrInvalidOption)
	}
	for _, c := range where.Columns() {
		if !slices.Contains(t.latest.PartitionKeys, c) {
			return nil, fmt.Errorf("%w: drop partitions: the filter names column %q, which is not a partition key", ErrInvalidOption, c)
		}
	}
	b, err := predicate.Bind(where, pf, false)
	if err != nil {
		return nil, fmt.Errorf("drop partitions: %w", err)
	}
	types := t.partitionTypes()
	ow := &overwriteSpec{match: func(p []byte) (bool, error) {
		vals, err := decodeSerialized(types, p)
		if err != nil {
			return false, err
		}
		return b.MayMatch(predicate.RowStats(vals)), nil
	}}
	return t.commit(ctx, nil, opts, ow)
}

// FilterCommitted returns the identifiers, of those given, that commitUser
// has not committed yet (those above the identifier of its latest
// snapshot), for a writer recovering pending commits.
func (t *Table) FilterCommitted(ctx context.Context, commitUser string, identifiers []int64) ([]int64, error) {
	last, err := snapshot.LatestByUser(ctx, t.meta, commitUser)
	if errors.Is(err, snapshot.ErrNotFound) {
		return append([]int64(nil), identifiers...), nil
	}
	if err != nil {
		return nil, err
	}
	out := make([]int64, 0, len(identifiers))
	for _, id := range identifiers {
		if id > last.CommitIdentifier {
			out = append(out, id)
		}
	}
	return out, nil
}
