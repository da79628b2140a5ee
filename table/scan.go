package table

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/lsm"
	"github.com/floelake/floe/manifest"
	"github.com/floelake/floe/predicate"
	"github.com/floelake/floe/schema"
	"github.com/floelake/floe/snapshot"
)

// ErrBadSplit reports a serialized split that does not decode or does not
// fit the table it is read with.
var ErrBadSplit = errors.New("table: bad split")

// ScanOptions choose what a scan reads. The zero value reads every column
// of the latest snapshot.
type ScanOptions struct {
	// At most one of SnapshotID, Tag and AsOf may be set.
	SnapshotID int64     // a snapshot id
	Tag        string    // a tag name
	AsOf       time.Time // the latest snapshot committed at or before this time
	// Columns to return, in this order (nil: all columns).
	Columns []string
	// Filter prunes partitions and files by statistics and is applied
	// exactly to the rows returned.
	Filter predicate.Predicate
}

// Plan is a planned scan: the snapshot it reads and its splits.
type Plan struct {
	// Snapshot is nil when the table has no snapshot (then there are no
	// splits).
	Snapshot *snapshot.Snapshot
	// Schema is the Arrow schema of every record the splits return.
	Schema *arrow.Schema
	Splits []*Split
	// Stats counts what planning read and pruned.
	Stats PlanStats
}

// PlanStats are the counts of a planned scan.
type PlanStats struct {
	Manifests        int // manifests listed by the snapshot
	ManifestsSkipped int // manifests pruned by partition statistics
	Files            int // live data files before pruning
	FilesSkipped     int // files pruned by partition, statistics or level
	Splits           int
	// StaleDeletionVectors counts deletion vectors of data files that are
	// no longer live, which Paimon's compaction can leave in the index
	// (apache/paimon#8778); they are ignored, as Java's readers do.
	StaleDeletionVectors int
}

// DeletionFile locates one data file's deletion vector inside an index
// file.
type DeletionFile struct {
	IndexFile string `json:"indexFile"`
	// IndexFileSize is the index file's size as the index manifest
	// records it (0: unknown).
	IndexFileSize int64   `json:"indexFileSize,omitempty"`
	ExternalPath  *string `json:"externalPath,omitempty"`
	Offset        int32   `json:"offset"`
	Length        int32   `json:"length"`
	Cardinality   *int64  `json:"cardinality,omitempty"`
	// IndexManifest names the index manifest that lists the vector (for
	// errors; "" when unknown).
	IndexManifest string `json:"indexManifest,omitempty"`
}

// Split is an independent unit of reading: data files of one partition
// and bucket (with their deletion vectors), plus what to read from them.
// It serializes with MarshalBinary so that other processes can read it
// with their own open Table. A Split is immutable once planned and safe
// for concurrent use.
type Split struct {
	SnapshotID   int64
	Partition    []byte // serialized BinaryRow
	Bucket       int32
	TotalBuckets int32
	// Files are the data files to read, in read order (sequence order for
	// append tables, manifest order for primary-key tables).
	Files []manifest.DataFile
	// Manifests[i] names the manifest that added Files[i], so that read
	// errors name it (nil, or "", when unknown).
	Manifests []string `json:",omitempty"`
	// Deletes holds, per file of Files, its deletion vector (nil: none).
	Deletes []*DeletionFile
	// Raw says the primary-key files need no merging: they are read one
	// after the other (retract rows dropped).
	Raw bool
	// SchemaID is the schema the split reads with (the latest at planning,
	// or the time-travel snapshot's).
	SchemaID int64
	// Columns are the column names returned, in order.
	Columns []string
	// Filter is the scan predicate in predicate text form ("" for none).
	Filter string
	// Branch, when set, names the branch whose table reads the split:
	// the splits NewScan plans on a branch other than main, and those a
	// fallback read (scan.fallback-branch, scan.primary-branch) takes from
	// the other branch. Read on any Table of the same table hands them to
	// that branch. Empty: the Table Read is called on.
	Branch string `json:",omitempty"`
	// Changes says the files are one snapshot's changes (its delta files,
	// or its changelog files when the table has a changelog producer), as
	// a stream reads them: one after the other, nothing merged, every row
	// kind kept. Read returns them with a leading RowKindColumn.
	Changes bool `json:",omitempty"`
	// Before, when set, makes the split one bucket's difference between
	// two snapshots (an incremental diff, NewIncremental): Before holds the
	// bucket's files at the earlier one (none for a new bucket), Files
	// those at SnapshotID. Read compares them key by key and returns the
	// changed rows with a leading RowKindColumn.
	Before *Split `json:",omitempty"`
}

const splitVersion = 1

type splitJSON struct {
	Version int `json:"version"`
	*Split
}

// MarshalBinary encodes s (versioned JSON; byte slices as base64).
func (s *Split) MarshalBinary() ([]byte, error) {
	return json.Marshal(splitJSON{Version: splitVersion, Split: s})
}

// UnmarshalBinary decodes what MarshalBinary wrote.
func (s *Split) UnmarshalBinary(b []byte) error {
	var v splitJSON
	v.Split = &Split{}
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("%w: %v", ErrBadSplit, err)
	}
	if v.Version != splitVersion {
		return fmt.Errorf("%w: version %d", ErrBadSplit, v.Version)
	}
	for _, x := range []*Split{v.Split, v.Split.Before} {
		if x != nil && len(x.Deletes) != 0 && len(x.Deletes) != len(x.Files) {
			return fmt.Errorf("%w: %d deletion files for %d files", ErrBadSplit, len(x.Deletes), len(x.Files))
		}
	}
	if b := v.Split.Before; b != nil && (b.Before != nil || v.Split.Changes) {
		return fmt.Errorf("%w: a diff split nested or of changes", ErrBadSplit)
	}
	*s = *v.Split
	return nil
}

// ReadOptions configure Read. The zero value means the defaults.
type ReadOptions struct {
	BatchSize int              // rows per record (default 4096)
	Alloc     memory.Allocator // default memory.DefaultAllocator
	// RowKinds prepends a RowKindColumn (STRING: +I, -U, +U, -D) to the
	// rows: a merged row's kind, +I for rows read without merging (as
	// Paimon reads them). Reads of Changes splits always have it.
	RowKinds bool
	// KeepDeletes keeps the rows a primary-key read would drop because
	// their kind retracts (-U, -D), as Paimon's audit_log system table
	// reads: with RowKinds, each key's merged row and its kind, +I/+U/-U/-D.
	KeepDeletes bool
}

// NewScan plans a scan: it resolves the snapshot, reads its manifests,
// prunes partitions and files with the filter, and groups the remaining
// files into splits. A scan of the latest snapshot reads with the table's
// latest schema; time travel (SnapshotID, Tag, AsOf) reads with the schema
// of the snapshot it selects, as Paimon does, so columns added, renamed or
// dropped later do not show.
//
// A table whose options set scan.fallback-branch (or scan.primary-branch)
// plans as Paimon's FallbackReadFileStoreTable does: see fallbackScan. The
// splits of a branch other than main name it (Split.Branch), so that any
// Table of the same table reads them.
func (t *Table) NewScan(ctx context.Context, opts ScanOptions) (*Plan, error) {
	other, primary, err := t.fallbackTable(ctx)
	if err != nil {
		return nil, err
	}
	var plan *Plan
	if other != nil {
		plan, err = t.fallbackScan(ctx, opts, other, primary)
	} else {
		plan, err = t.newScan(ctx, opts, streamScan{})
	}
	if err != nil {
		return nil, err
	}
	if t.branch != MainBranch {
		for _, s := range plan.Splits {
			if s.Branch == "" {
				s.Branch = t.branch
			}
		}
	}
	return plan, nil
}

// streamScan is how a stream's full read differs from NewScan: it reads a
// given snapshot with the table's latest schema (as the stream's changes
// are), and may read only some levels. A fallback read's scans use the
// partition sets: seen collects the partitions (serialized) that have live
// files after partition pruning, exclude skips partitions.
type streamScan struct {
	snap    *snapshot.Snapshot
	level   func(level int32) bool
	seen    map[string]bool
	exclude map[string]bool
}

func (t *Table) newScan(ctx context.Context, opts ScanOptions, x streamScan) (*Plan, error) {
	rs := t.latest
	timeTravel := x.snap == nil && (opts.SnapshotID != 0 || opts.Tag != "" || !opts.AsOf.IsZero())
	snap := x.snap
	if timeTravel {
		// As Paimon does, time travel reads with the schema the snapshot
		// was committed with: its columns, names and types.
		var err error
		if snap, err = t.resolveSnapshot(ctx, opts); err != nil {
			return nil, err
		}
		if rs, err = t.SchemaByID(ctx, snap.SchemaID); err != nil {
			return nil, err
		}
	}
	cols, fields, err := projectColumns(rs, opts.Columns)
	if err != nil {
		return nil, err
	}
	arrowSchema, err := schema.ArrowSchema(fields)
	if err != nil {
		return nil, err
	}
	plan := &Plan{Schema: arrowSchema}
	filterText, err := filterText(rs, opts.Filter, "scan filter")
	if err != nil {
		return nil, err
	}
	if !timeTravel && snap == nil {
		snap, err = t.resolveSnapshot(ctx, opts)
		if errors.Is(err, ErrNoSnapshot) {
			return plan, nil // empty table
		}
		if err != nil {
			return nil, err
		}
	}
	plan.Snapshot = snap
	p := planner{t: t, schema: rs, filter: opts.Filter, stats: &plan.Stats, level: x.level, seen: x.seen, exclude: x.exclude}
	if err := p.init(); err != nil {
		return nil, err
	}
	splits, err := p.splits(ctx, snap)
	if err != nil {
		return nil, err
	}
	for _, s := range splits {
		s.SchemaID = rs.ID
		s.Columns = cols
		s.Filter = filterText
	}
	plan.Splits = splits
	plan.Stats.Splits = len(splits)
	return plan, nil
}

func projectColumns(s *schema.Table, cols []string) ([]string, []schema.Field, error) {
	if cols == nil {
		return s.FieldNames(), s.Fields, nil
	}
	fields := make([]schema.Field, len(cols))
	seen := map[string]bool{}
	for i, c := range cols {
		f, ok := s.Field(c)
		if !ok {
			return nil, nil, fmt.Errorf("scan: %w: %q", predicate.ErrColumn, c)
		}
		if seen[c] {
			return nil, nil, fmt.Errorf("scan: column %q requested twice", c)
		}
		seen[c] = true
		fields[i] = f
	}
	return append([]string(nil), cols...), fields, nil
}

func (t *Table) resolveSnapshot(ctx context.Context, opts ScanOptions) (*snapshot.Snapshot, error) {
	n := 0
	if opts.SnapshotID != 0 {
		n++
	}
	if opts.Tag != "" {
		n++
	}
	if !opts.AsOf.IsZero() {
		n++
	}
	if n > 1 {
		return nil, errors.New("scan: set at most one of SnapshotID, Tag and AsOf")
	}
	switch {
	case opts.Tag != "":
		tag, err := snapshot.ReadTag(ctx, t.meta, opts.Tag)
		if err != nil {
			if errors.Is(err, snapshot.ErrNotFound) {
				return nil, fmt.Errorf("%w: tag %q: %w", ErrNoSnapshot, opts.Tag, err)
			}
			return nil, err
		}
		s := tag.Snapshot
		return &s, nil
	case !opts.AsOf.IsZero():
		s, err := snapshot.AtOrBefore(ctx, t.meta, opts.AsOf.UnixMilli())
		if err != nil {
			if errors.Is(err, snapshot.ErrNotFound) {
				return nil, fmt.Errorf("%w: none at or before %s: %w", ErrNoSnapshot, opts.AsOf.Format(time.RFC3339Nano), err)
			}
			return nil, err
		}
		if s == nil {
			return nil, fmt.Errorf("%w: none at or before %s", ErrNoSnapshot, opts.AsOf.Format(time.RFC3339Nano))
		}
		return s, nil
	}
	return t.Snapshot(ctx, opts.SnapshotID)
}

// ReadAll plans a scan and returns one reader over all its splits in
// order. Up to GOMAXPROCS splits are read at once on their own goroutines,
// each at most one record ahead of the caller; records, their order and
// errors are those of reading the splits one after another.
func (t *Table) ReadAll(ctx context.Context, scan ScanOptions, opts ReadOptions) (array.RecordReader, error) {
	plan, err := t.NewScan(ctx, scan)
	if err != nil {
		return nil, err
	}
	sc := plan.Schema
	if opts.RowKinds {
		sc = withKindField(sc)
	}
	opens := make([]lsm.Opener, len(plan.Splits))
	for i, s := range plan.Splits {
		opens[i] = func() (array.RecordReader, error) {
			r, err := t.Read(ctx, s, opts)
			if err != nil || s.Branch == "" || s.Branch == t.branch {
				return r, err
			}
			// Another branch's columns may differ in nullability only
			// (fallbackScan checked): present them as the plan's.
			return relabel(r, sc)
		}
	}
	return readSplits(sc, opens), nil
}

// sortSplits orders splits by partition bytes, then bucket.
func sortSplits(splits []*Split) {
	less := func(a, b *Split) bool {
		if c := bytes.Compare(a.Partition, b.Partition); c != 0 {
			return c < 0
		}
		return a.Bucket < b.Bucket
	}
	sorted := true // as a FileSet's buckets come
	for i := 1; i < len(splits) && sorted; i++ {
		sorted = !less(splits[i], splits[i-1])
	}
	if sorted {
		return
	}
	sort.SliceStable(splits, func(i, j int) bool { return less(splits[i], splits[j]) })
}

// filterText validates f against the columns of rs (binding it once) and
// returns it in the predicate text form splits carry ("" for none).
func filterText(rs *schema.Table, f predicate.Predicate, what string) (string, error) {
	if f.IsZero() {
		return "", nil
	}
	if _, err := predicate.Bind(f, rs.Fields, false); err != nil {
		return "", fmt.Errorf("%s: %w", what, err)
	}
	b, err := f.MarshalText()
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// withKindField prepends the RowKindColumn field to sc.
func withKindField(sc *arrow.Schema) *arrow.Schema {
	return arrow.NewSchema(append([]arrow.Field{{Name: RowKindColumn, Type: arrow.BinaryTypes.String}}, sc.Fields()...), nil)
}

// manifestOf returns the manifest that added Files[i] ("" when unknown).
func (s *Split) manifestOf(i int) string {
	if i < len(s.Manifests) {
		return s.Manifests[i]
	}
	return ""
}
