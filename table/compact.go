package table

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/google/uuid"
	"golang.org/x/sync/errgroup"

	"github.com/floelake/floe/changelog"
	"github.com/floelake/floe/internal/binrow"
	"github.com/floelake/floe/internal/datafile"
	"github.com/floelake/floe/internal/dv"
	"github.com/floelake/floe/internal/kv"
	"github.com/floelake/floe/internal/take"
	"github.com/floelake/floe/lsm"
	"github.com/floelake/floe/manifest"
	"github.com/floelake/floe/predicate"
	"github.com/floelake/floe/schema"
	"github.com/floelake/floe/snapshot"
)

// CompactOptions configure Compact. The zero value compacts every bucket
// of the table by its compaction options, using every core.
type CompactOptions struct {
	// Where selects partitions: a predicate over partition columns only
	// (zero = all partitions).
	Where predicate.Predicate
	// Full rewrites each selected bucket into one sorted run at the top
	// level (retracts dropped); otherwise each bucket compacts what its
	// options pick (universal compaction; level-0 files always go up for
	// first-row, deletion-vector and lookup tables; small files for append
	// tables).
	Full bool
	// Parallelism bounds the buckets compacted at once (0 = GOMAXPROCS).
	Parallelism int
	// CommitUser names the committer (empty = a random one). Each Compact
	// commits with the id of the snapshot it planned from as its
	// identifier (exactly-once: an unknown outcome is settled by
	// committing again), so a user given here must not commit anything
	// else.
	CommitUser string
	// MaxAttempts bounds how often a compaction that lost a conflict
	// (another commit removed its input files) is planned again from the
	// newer snapshot (0 = 3).
	MaxAttempts int
	// Progress, when set, is called after each bucket and, while buckets
	// compact, about once a second (from one goroutine at a time).
	Progress func(CompactProgress)
	// TempDir holds the lookup cache of lookup compaction (default
	// os.TempDir()).
	TempDir string
	Alloc   memory.Allocator
	Logger  *slog.Logger
}

// CompactProgress reports a compaction under way.
type CompactProgress struct {
	Buckets, BucketsDone int
	// BytesRead counts the input bytes of the files opened so far,
	// buckets still under way included.
	BytesRead         int64
	FilesIn, FilesOut int
	RowsIn, RowsOut   int64
	BytesIn, BytesOut int64
	Elapsed           time.Duration
}

// CompactResult describes a finished compaction.
type CompactResult struct {
	// Snapshot is the COMPACT snapshot published (nil when nothing needed
	// compacting).
	Snapshot *snapshot.Snapshot
	// Buckets is the number of buckets looked at; Compacted of them changed.
	Buckets, Compacted int
	// FilesIn counts files removed (rewritten or moved up a level);
	// FilesOut files added; Upgraded files moved up without a rewrite.
	FilesIn, FilesOut, Upgraded int
	RowsIn, RowsOut             int64
	BytesIn, BytesOut           int64
	// Attempts counts plans made (more than one after lost conflicts).
	Attempts int
	Duration time.Duration
}

// Compact compacts the table's buckets and commits the result as one
// COMPACT snapshot. It runs beside writers in other processes: its inputs
// are the latest snapshot's files, and when a concurrent commit removed
// some of them first the commit is refused by Paimon's conflict rules,
// the compaction's own new files are deleted, and it is planned again
// from the newer snapshot (up to MaxAttempts times). It never blocks
// writers and never publishes a file set that lost a row.
func (t *Table) Compact(ctx context.Context, opts CompactOptions) (*CompactResult, error) {
	if opts.Alloc == nil {
		opts.Alloc = memory.DefaultAllocator
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Parallelism <= 0 {
		opts.Parallelism = runtime.GOMAXPROCS(0)
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 3
	}
	if err := checkWritable(t.latest, t.cfg); err != nil {
		return nil, err
	}
	if !opts.Where.IsZero() {
		for _, c := range opts.Where.Columns() {
			if !slices.Contains(t.latest.PartitionKeys, c) {
				return nil, fmt.Errorf("%w: compact: the partition filter names column %q, which is not a partition key", ErrInvalidCompact, c)
			}
		}
	}
	start := time.Now()
	res := &CompactResult{}
	for {
		res.Attempts++
		err := t.compactOnce(ctx, opts, res)
		res.Duration = time.Since(start)
		if err == nil || !errors.Is(err, ErrCommitConflict) || res.Attempts >= opts.MaxAttempts {
			return res, err
		}
		opts.Logger.Info("compaction lost a conflict; planning again", "attempt", res.Attempts, "error", err)
		*res = CompactResult{Attempts: res.Attempts}
	}
}

// ErrInvalidCompact reports compaction options that cannot apply.
var ErrInvalidCompact = errors.New("table: invalid compaction")

func (t *Table) compactOnce(ctx context.Context, opts CompactOptions, res *CompactResult) error {
	snap, err := snapshot.Latest(ctx, t.meta)
	if errors.Is(err, snapshot.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("compact: read latest snapshot: %w", err)
	}
	buckets, err := t.loadBuckets(ctx, snap, opts.Where)
	if err != nil {
		return err
	}
	c, err := t.newCompactor(opts.Alloc, opts.Logger, opts.TempDir)
	if err != nil {
		return err
	}
	defer c.close()
	res.Buckets = len(buckets)

	msgs := make([]*CommitMessage, len(buckets))
	var mu sync.Mutex
	progress := CompactProgress{Buckets: len(buckets)}
	started := time.Now()
	var bytesRead atomic.Int64
	c.onOpen = func(f *manifest.DataFile) { bytesRead.Add(f.FileSize) }
	report := func() { // with mu held
		progress.BytesRead = bytesRead.Load()
		progress.Elapsed = time.Since(started)
		if opts.Progress != nil {
			opts.Progress(progress)
		}
	}
	if opts.Progress != nil {
		tick := time.NewTicker(time.Second)
		stop, done := make(chan struct{}), make(chan struct{})
		defer func() { tick.Stop(); close(stop); <-done }()
		go func() {
			defer close(done)
			for {
				select {
				case <-tick.C:
					mu.Lock()
					report()
					mu.Unlock()
				case <-stop:
					return
				}
			}
		}()
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(opts.Parallelism)
	for i, b := range buckets {
		g.Go(func() error {
			m, r, err := c.compactBucket(gctx, b, opts.Full)
			if err != nil {
				return fmt.Errorf("compact bucket %d of partition %s: %w", b.bucket, c.partitionName(b.part), err)
			}
			mu.Lock()
			defer mu.Unlock()
			msgs[i] = m
			progress.BucketsDone++
			if r != nil {
				progress.FilesIn += len(r.Before)
				progress.FilesOut += len(r.After)
				progress.RowsIn += r.RowsIn
				progress.RowsOut += r.RowsOut
				progress.BytesIn += r.BytesIn
				progress.BytesOut += r.BytesOut
				res.Upgraded += r.Upgraded
			}
			report()
			return nil
		})
	}
	werr := g.Wait()
	var out []CommitMessage
	for _, m := range msgs {
		if m != nil {
			out = append(out, *m)
		}
	}
	if werr != nil {
		c.removeOutputs(context.WithoutCancel(ctx), out)
		return werr
	}
	res.FilesIn, res.FilesOut = progress.FilesIn, progress.FilesOut
	res.RowsIn, res.RowsOut = progress.RowsIn, progress.RowsOut
	res.BytesIn, res.BytesOut = progress.BytesIn, progress.BytesOut
	res.Compacted = len(out)
	if len(out) == 0 {
		return nil
	}
	// The commit is exactly-once: its identifier is the snapshot the plan
	// read, so an unknown outcome is settled by committing again.
	user := opts.CommitUser
	if user == "" {
		user = "floe-compact-" + uuid.NewString()
	}
	co := CommitOptions{CommitUser: user, Identifier: snap.ID, Logger: opts.Logger}
	var cr *CommitResult
	for attempt := 0; ; attempt++ {
		cr, err = t.Commit(ctx, out, co)
		if err == nil || !errors.Is(err, snapshot.ErrAmbiguous) || attempt >= 2 || ctx.Err() != nil {
			break
		}
		opts.Logger.Info("compaction commit outcome unknown; committing again", "attempt", attempt+1, "error", err)
	}
	if err != nil {
		if errors.Is(err, ErrCommitConflict) || !errors.Is(err, snapshot.ErrAmbiguous) {
			// Certainly not published: our new files are garbage.
			c.removeOutputs(context.WithoutCancel(ctx), out)
		}
		return err
	}
	if len(cr.Snapshots) > 0 {
		res.Snapshot = cr.Snapshots[len(cr.Snapshots)-1]
	} else if cr.AlreadyCommitted {
		if s, err := snapshot.LatestByUser(ctx, t.meta, user); err == nil && s.CommitIdentifier == snap.ID {
			res.Snapshot = s
		}
	}
	opts.Logger.Info("compaction committed", "buckets", res.Compacted, "files_in", res.FilesIn, "files_out", res.FilesOut,
		"bytes_in", res.BytesIn, "bytes_out", res.BytesOut)
	return nil
}

// bucketFiles is one bucket's live files and deletion vectors.
type bucketFiles struct {
	part          []byte // serialized partition
	bucket, total int32
	files         []manifest.DataFile
	manifests     map[string]string        // file -> manifest listing it
	deletes       map[string]*DeletionFile // file -> its deletion vector
	// vectors are the decoded deletion vectors (nil: read from deletes
	// when needed); indexFiles the live DELETION_VECTORS index files
	// that hold them.
	vectors    map[string]*dv.Vector
	indexFiles []string
}

// hasDV reports a file with a deletion vector.
func (b *bucketFiles) hasDV(f manifest.DataFile) bool {
	if b.vectors != nil {
		return b.vectors[f.FileName] != nil
	}
	return b.deletes[f.FileName] != nil
}

// compactPlan is a picked unit with what the rewrite needs to know of the
// levels, taken before the rewrite starts (a writer's levels keep changing
// while its compaction runs).
type compactPlan struct {
	unit       lsm.Unit
	dropDelete bool
	maxLevel   int
	upper      []manifest.DataFile // lookup: files above the output level, not in the unit
}

func (c *compactor) plan(levels *lsm.Levels, u lsm.Unit) compactPlan {
	var upper []manifest.DataFile
	if c.lookup && hasLevel0(u.Files) {
		upper = upperFiles(levels, u)
	}
	if len(upper) > 0 && c.dvOn && len(c.cfg.SequenceFields) > 0 {
		// The lookup finds where a key sits above, not its sequence.field
		// value, so it cannot tell which version wins: such a unit takes
		// the whole tree and merges it instead.
		if full, ok := lsm.PickFull(levels.NumLevels(), levels.Runs()); ok {
			u, upper = full, nil
		}
	}
	return compactPlan{unit: u, dropDelete: levels.DropDelete(u, c.dvOn), maxLevel: levels.MaxLevel(), upper: upper}
}

// loadBuckets reads a snapshot's live files (of partitions where selects)
// grouped by bucket, with their deletion vectors.
func (t *Table) loadBuckets(ctx context.Context, snap *snapshot.Snapshot, where predicate.Predicate) ([]*bucketFiles, error) {
	p := &planner{t: t, schema: t.latest, filter: where, stats: &PlanStats{}}
	if err := p.init(); err != nil {
		return nil, err
	}
	fs, err := p.liveEntries(ctx, snap)
	if err != nil {
		return nil, err
	}
	live := fs.Entries()
	dfs, err := p.deletionFiles(ctx, snap, fs)
	if err != nil {
		return nil, err
	}
	byKey := map[bucketKey]*bucketFiles{}
	var out []*bucketFiles
	for i := range live {
		e := &live[i]
		if e.Bucket < 0 && len(t.latest.PrimaryKeys) > 0 {
			continue // postponed files are not compacted here
		}
		k := bucketKey{string(e.Partition), e.Bucket}
		b := byKey[k]
		if b == nil {
			b = &bucketFiles{part: e.Partition, bucket: e.Bucket, total: e.TotalBuckets,
				manifests: map[string]string{}, deletes: map[string]*DeletionFile{}}
			byKey[k] = b
			out = append(out, b)
		}
		b.files = append(b.files, e.File)
		b.manifests[e.File.FileName] = fs.Source(i)
		if d := dfs[dvKey{k.partition, k.bucket, e.File.FileName}]; d != nil {
			b.deletes[e.File.FileName] = d
			if !slices.Contains(b.indexFiles, d.IndexFile) {
				b.indexFiles = append(b.indexFiles, d.IndexFile)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if c := bytes.Compare(out[i].part, out[j].part); c != 0 {
			return c < 0
		}
		return out[i].bucket < out[j].bucket
	})
	return out, nil
}

// compactor compacts buckets of one table with its latest schema. It is
// safe for concurrent use by several buckets.
type compactor struct {
	t      *Table
	s      *schema.Table
	cfg    *Config
	pk     bool
	keyCmp func(a, b []byte) int
	merge  lsm.MergeOptions
	alloc  memory.Allocator
	log    *slog.Logger

	dvOn     bool // deletion vectors
	lookup   bool // level 0 always goes up (first-row, DV, force-lookup, lookup changelog)
	firstRow bool

	// Changelog of compactions (lookup, full-compaction; nil: none), the
	// KV columns compared for row deduplication (nil: none).
	producer  lsm.Changelog
	dedupCols []int

	// Lookup compaction: the upper levels' keys, and how to read them.
	lk          *lsm.Lookup
	keyOnlyCols []int // key columns of key-only KV records (lookup input)
	keyFields   []schema.Field
	keyTypes    []schema.DataType

	tempDir string                     // spill files of wide merges, the lookup cache
	onOpen  func(f *manifest.DataFile) // progress: an input file is opened (set before use)
}

func (t *Table) newCompactor(alloc memory.Allocator, log *slog.Logger, tempDir string) (*compactor, error) {
	s, cfg := t.latest, t.cfg
	c := &compactor{t: t, s: s, cfg: cfg, pk: len(s.PrimaryKeys) > 0, alloc: alloc, log: log, tempDir: tempDir}
	if !c.pk {
		c.dvOn = cfg.DeletionVectorsEnabled
		return c, nil
	}
	var keyTypes []schema.DataType
	for _, f := range s.TrimmedPrimaryKeyFields() {
		keyTypes = append(keyTypes, f.Type)
	}
	c.keyCmp = keyCompare(keyTypes)
	engine, err := t.mergeEngine()
	if err != nil {
		return nil, err
	}
	vs, err := s.ArrowSchema()
	if err != nil {
		return nil, err
	}
	c.merge = lsm.MergeOptions{Engine: engine, Alloc: alloc, Schema: kv.RecordSchema(vs),
		SequenceDescending: cfg.SequenceSortOrder == Descending}
	for _, k := range s.TrimmedPrimaryKeys() {
		c.merge.KeyColumns = append(c.merge.KeyColumns, s.FieldIndex(k)+kv.ValueOffset)
	}
	for _, f := range cfg.SequenceFields {
		c.merge.SequenceColumns = append(c.merge.SequenceColumns, s.FieldIndex(f)+kv.ValueOffset)
	}
	c.dvOn = cfg.DeletionVectorsEnabled
	// first-row: compaction looks new keys up and drops those already
	// above (its reads skip level 0).
	c.firstRow = engine.Traits().NeedsLookup
	c.lookup = c.dvOn || c.firstRow || cfg.ForceLookup || cfg.ChangelogProducer == ChangelogLookup
	// Every merge of such a table reduces level 0 with the key's version
	// of the lowest level above only (Paimon wraps the merge function in
	// LookupMergeFunction; first-row needs no wrapping).
	c.merge.LookupMerge = cfg.lookupMerge(engine)
	switch cfg.ChangelogProducer {
	case ChangelogLookup:
		c.producer = changelog.Lookup{}
		if c.firstRow {
			c.producer = changelog.FirstRow{}
		}
	case ChangelogFullCompaction:
		c.producer = changelog.Full{MaxLevel: cfg.NumLevels - 1}
	}
	if c.producer != nil && cfg.ChangelogRowDeduplicate {
		for i, f := range s.Fields {
			if !slices.Contains(cfg.ChangelogRowDeduplicateIgnoreFields, f.Name) {
				c.dedupCols = append(c.dedupCols, i+kv.ValueOffset)
			}
		}
		if c.dedupCols == nil {
			c.dedupCols = []int{} // every field ignored: all values equal
		}
	}
	if c.lookup {
		if err := c.initLookup(tempDir, keyTypes); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *compactor) initLookup(tempDir string, keyTypes []schema.DataType) error {
	s := c.s
	c.keyFields = s.TrimmedPrimaryKeyFields()
	c.keyTypes = keyTypes
	c.keyOnlyCols = make([]int, len(c.keyFields))
	for i := range c.keyOnlyCols {
		c.keyOnlyCols[i] = kv.ValueOffset + i
	}
	var err error
	c.lk, err = lsm.NewLookup(lsm.LookupOptions{Dir: tempDir, MaxDiskSize: c.cfg.LookupCacheMaxDiskSize,
		Retention: c.cfg.LookupCacheFileRetention})
	return err
}

func (c *compactor) close() {
	if c.lk != nil {
		_ = c.lk.Close()
	}
}

func (c *compactor) partitionName(part []byte) string {
	if len(c.s.PartitionKeys) == 0 {
		return "(none)"
	}
	p, err := c.t.PartitionPath(part)
	if err != nil {
		return fmt.Sprintf("%x", part)
	}
	return p
}

// removeOutputs deletes the files messages added that are not files they
// removed (upgraded files keep their names and stay), and their new
// index files.
func (c *compactor) removeOutputs(ctx context.Context, msgs []CommitMessage) {
	for _, m := range msgs {
		dir, err := c.t.BucketPath(m.Partition, m.Bucket)
		if err != nil {
			continue
		}
		before := map[string]bool{}
		for _, f := range m.CompactBefore {
			before[f.FileName] = true
		}
		for _, f := range m.CompactAfter {
			if !before[f.FileName] {
				_ = c.t.store.Delete(ctx, dir+"/"+f.FileName)
			}
		}
		for _, f := range m.CompactChangelog {
			_ = c.t.store.Delete(ctx, dir+"/"+f.FileName)
		}
		for _, e := range m.NewIndexFiles {
			_ = c.t.store.Delete(ctx, c.t.indexKey(m.Partition, m.Bucket, e.FileName))
		}
	}
}

// levels is a bucket's tree of files.
func (c *compactor) levels(files []manifest.DataFile) *lsm.Levels {
	return lsm.NewLevels(files, c.cfg.NumLevels, c.keyCmp)
}

// universal returns the table's universal picker (stateful: early full
// compaction remembers when it last ran).
func (c *compactor) universal() *lsm.Universal {
	return lsm.NewUniversal(lsm.UniversalOptions{
		MaxSizeAmp:               c.cfg.CompactionMaxSizeAmplificationPercent,
		SizeRatio:                c.cfg.CompactionSizeRatio,
		NumRunTrigger:            c.cfg.NumSortedRunCompactionTrigger,
		OffPeakRatio:             c.cfg.CompactionOffPeakRatio,
		OffPeakStartHour:         c.cfg.CompactionOffPeakStartHour,
		OffPeakEndHour:           c.cfg.CompactionOffPeakEndHour,
		OptimizationInterval:     c.cfg.CompactionOptimizationInterval,
		TotalSizeThreshold:       c.cfg.CompactionTotalSizeThreshold,
		IncrementalSizeThreshold: c.cfg.CompactionIncrementalSizeThreshold,
	})
}

// forceUp returns the picker of lookup compaction around u.
func (c *compactor) forceUp(u *lsm.Universal) *lsm.ForceUpLevel0 {
	gentle := 0
	if c.cfg.LookupCompactGentle {
		gentle = lsm.GentleMaxInterval(c.cfg.NumSortedRunCompactionTrigger, c.cfg.LookupCompactMaxInterval)
	}
	return lsm.NewForceUpLevel0(u, gentle)
}

// pick chooses a bucket's compaction: full, or by the table's options.
// A full compaction of a bucket that is already one run at the top level
// rewrites the files that have deletion vectors (hasDV), as Paimon does.
func (c *compactor) pick(levels *lsm.Levels, full bool, u *lsm.Universal, hasDV func(manifest.DataFile) bool) (lsm.Unit, bool) {
	runs := levels.Runs()
	n := levels.NumLevels()
	if full {
		return lsm.PickFullRewrite(n, runs, hasDV)
	}
	if c.lookup || c.cfg.CompactionForceUpLevel0 {
		return c.forceUp(u).Pick(n, runs, time.Now())
	}
	return u.Pick(n, runs, time.Now())
}

// compactBucket compacts one bucket (nil message when nothing to do).
func (c *compactor) compactBucket(ctx context.Context, b *bucketFiles, full bool) (*CommitMessage, *lsm.Result, error) {
	if !c.pk {
		return c.compactAppend(ctx, b, full)
	}
	levels := c.levels(b.files)
	if err := levels.Validate(); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", manifest.ErrCorrupt, err)
	}
	u, ok := c.pick(levels, full, c.universal(), b.hasDV)
	if !ok || len(u.Files) == 0 {
		return nil, nil, nil
	}
	return c.rewriteUnit(ctx, b, c.plan(levels, u))
}

func hasLevel0(files []manifest.DataFile) bool {
	for _, f := range files {
		if f.Level == 0 {
			return true
		}
	}
	return false
}

// bucketInputs returns a bucket's directory and deletion vectors.
func (c *compactor) bucketInputs(ctx context.Context, b *bucketFiles) (string, map[string]*dv.Vector, error) {
	dir, err := c.t.BucketPath(b.part, b.bucket)
	if err != nil {
		return "", nil, err
	}
	vectors, err := c.loadVectors(ctx, b)
	return dir, vectors, err
}

// openInput opens a compaction input with the latest schema's columns (KV
// records for primary-key tables), without the rows its vector deletes.
func (c *compactor) openInput(ctx context.Context, dir string, b *bucketFiles, vectors map[string]*dv.Vector, f *manifest.DataFile) lsm.Opener {
	var del datafile.Deletes
	if v := vectors[f.FileName]; v != nil {
		del = v
	}
	open := c.t.opener(ctx, dataFileRead{dir: dir, file: f, readFields: c.s.Fields, kv: c.pk,
		deletes: del, alloc: c.alloc, manifest: b.manifests[f.FileName], lowMemory: c.pk})
	if c.onOpen == nil {
		return open
	}
	return func() (array.RecordReader, error) {
		c.onOpen(f)
		return open()
	}
}

// rewriteUnit runs one picked unit of a primary-key bucket and returns its
// commit message.
func (c *compactor) rewriteUnit(ctx context.Context, b *bucketFiles, p compactPlan) (*CommitMessage, *lsm.Result, error) {
	u := p.unit
	dir, vectors, err := c.bucketInputs(ctx, b)
	if err != nil {
		return nil, nil, err
	}
	target := c.cfg.TargetFileSizeFor(true)
	o := lsm.RewriteOptions{
		Merge:       c.merge,
		DropDelete:  p.dropDelete,
		KeyCompare:  c.keyCmp,
		MaxLevel:    p.maxLevel,
		MaxFanIn:    c.fanIn(),
		SpillDir:    c.tempDir,
		MinFileSize: lsm.CompactionFileSize(target),
		Open: func(f manifest.DataFile) lsm.Opener {
			return c.openInput(ctx, dir, b, vectors, &f)
		},
		NewWriter: func(level int) (lsm.FileWriter, error) {
			return datafile.NewWriter(c.t.dataWriterOptions(c.s, dir, int32(level), manifest.FileSourceCompact, c.alloc))
		},
		Remove: func(ctx context.Context, f manifest.DataFile) error {
			return c.t.store.Delete(ctx, dir+"/"+f.FileName)
		},
		NoUpgrade: func(f manifest.DataFile) bool {
			// A full rewrite of a one-run bucket rewrites every picked
			// file; level-0 files of lookup tables go through the lookup;
			// files going up into a full compaction's top level go
			// through its changelog.
			return u.FileRewrite || (c.lookup && f.Level == 0) || (c.fullChangelog(u, p.maxLevel) && int(f.Level) != u.OutputLevel)
		},
	}
	if c.makesChangelog(u, p.maxLevel) {
		o.Changelog = &lsm.ChangelogOptions{Hook: c.producer, EqualColumns: c.dedupCols}
		if c.cfg.ChangelogProducer == ChangelogLookup {
			o.Changelog.Lookup = c.changelogLookup(ctx, dir, p.upper, vectors)
		}
		o.NewChangelogWriter = func(level int) (lsm.FileWriter, error) {
			return datafile.NewWriter(c.t.changelogWriterOptions(c.s, dir, int32(level), manifest.FileSourceAppend, c.alloc))
		}
	}
	var marks map[string]*roaring.Bitmap
	if len(p.upper) > 0 {
		marks = map[string]*roaring.Bitmap{}
		if o.Filter, err = c.lookupFilter(dir, p.upper, vectors, marks); err != nil {
			return nil, nil, err
		}
	}
	r, err := lsm.Rewrite(ctx, u.Files, u.OutputLevel, o)
	if err != nil {
		return nil, nil, err
	}
	m := &CommitMessage{Partition: b.part, Bucket: b.bucket, TotalBuckets: b.total,
		CompactBefore: r.Before, CompactAfter: r.After, CompactChangelog: r.Changelog}
	if c.lookup {
		m.LookupBase = upperNames(b.files)
	}
	if err := c.updateVectors(ctx, b, m, vectors, marks); err != nil {
		c.removeOutputs(context.WithoutCancel(ctx), []CommitMessage{*m})
		return nil, nil, err
	}
	return m, r, nil
}

// makesChangelog says whether the compaction of u makes changelog:
// lookup, when it takes level-0 files up; full-compaction, when it
// writes the top level.
func (c *compactor) makesChangelog(u lsm.Unit, maxLevel int) bool {
	switch c.producer.(type) {
	case changelog.Lookup, changelog.FirstRow:
		return u.OutputLevel > 0 && hasLevel0(u.Files)
	case changelog.Full:
		return c.fullChangelog(u, maxLevel)
	}
	return false
}

func (c *compactor) fullChangelog(u lsm.Unit, maxLevel int) bool {
	_, ok := c.producer.(changelog.Full)
	return ok && u.OutputLevel == maxLevel
}

// changelogLookup finds the versions of keys in the levels above a lookup
// compaction's output (upper, lowest level first): the first level that
// holds a key, less the rows deletion vectors delete, has its version.
// First-row needs only presence.
func (c *compactor) changelogLookup(ctx context.Context, dir string, upper []manifest.DataFile, vectors map[string]*dv.Vector) func(keys [][]byte, at []lsm.KeyRow) (arrow.RecordBatch, []int, error) {
	keyRow, keyRowErr := newRowEncoder(c.s, c.s.TrimmedPrimaryKeys())
	return func(keys [][]byte, at []lsm.KeyRow) (arrow.RecordBatch, []int, error) {
		if keyRowErr != nil {
			return nil, nil, keyRowErr
		}
		rows := make([]int, len(keys))
		for i := range rows {
			rows[i] = -1
		}
		left := len(keys)
		// The keys as BinaryRows, to skip the files whose key range
		// cannot hold them (a level's files are disjoint ranges).
		bkeys := make([][]byte, len(keys))
		for i, a := range at {
			b, err := keyRow.encode(a.Rec.Columns()[kv.ValueOffset:], a.Row)
			if err != nil {
				return nil, nil, err
			}
			bkeys[i] = slices.Clone(b)
		}
		inRange := func(f *manifest.DataFile, i int) bool {
			return len(f.MinKey) >= 4 && len(f.MaxKey) >= 4 &&
				binrow.CompareRows(c.keyTypes, f.MinKey[4:], bkeys[i]) <= 0 && binrow.CompareRows(c.keyTypes, f.MaxKey[4:], bkeys[i]) >= 0
		}
		var srcs []arrow.RecordBatch
		defer func() {
			for _, r := range srcs {
				r.Release()
			}
		}()
		var refs []take.Ref
		for fi := range upper {
			if left == 0 {
				break
			}
			f := upper[fi]
			var sub [][]byte
			var idx []int
			for i, k := range keys {
				if rows[i] < 0 && inRange(&f, i) {
					sub = append(sub, k)
					idx = append(idx, i)
				}
			}
			if len(sub) == 0 {
				continue
			}
			v := vectors[f.FileName]
			deleted := func(p int64) bool { return p < 0 || (v != nil && v.Contains64(uint64(p))) }
			if c.firstRow {
				open := c.t.opener(ctx, dataFileRead{dir: dir, file: &f, readFields: c.keyFields, kv: true, alloc: c.alloc})
				pos, err := c.lk.Positions(ctx, f, func(context.Context) (array.RecordReader, error) { return open() }, c.keyOnlyCols, sub)
				if err != nil {
					return nil, nil, fmt.Errorf("lookup in %s: %w", f.FileName, err)
				}
				for j, p := range pos {
					if !deleted(p) {
						rows[idx[j]] = 0
						left--
					}
				}
				continue
			}
			open := c.t.opener(ctx, dataFileRead{dir: dir, file: &f, readFields: c.s.Fields, kv: true, alloc: c.alloc, lowMemory: true})
			rec, found, pos, err := c.lk.Rows(ctx, f, func(context.Context) (array.RecordReader, error) { return open() }, c.merge.KeyColumns, sub, c.alloc)
			if err != nil {
				return nil, nil, fmt.Errorf("lookup in %s: %w", f.FileName, err)
			}
			if rec == nil {
				continue
			}
			src := int32(len(srcs))
			srcs = append(srcs, rec)
			for j, p := range pos {
				if found[j] < 0 || deleted(p) {
					continue
				}
				rows[idx[j]] = len(refs)
				refs = append(refs, take.Ref{Src: src, Row: int32(found[j])})
				left--
			}
		}
		if c.firstRow || len(refs) == 0 {
			return nil, rows, nil
		}
		rec, err := take.Record(c.alloc, c.merge.Schema, srcs, refs)
		if err != nil {
			return nil, nil, err
		}
		return rec, rows, nil
	}
}

// loadVectors reads the deletion vectors of a bucket's files.
func (c *compactor) loadVectors(ctx context.Context, b *bucketFiles) (map[string]*dv.Vector, error) {
	if b.vectors != nil || len(b.deletes) == 0 {
		return b.vectors, nil
	}
	s := &Split{Partition: b.part, Bucket: b.bucket}
	for _, f := range b.files {
		if d := b.deletes[f.FileName]; d != nil {
			s.Files = append(s.Files, f)
			s.Manifests = append(s.Manifests, b.manifests[f.FileName])
			s.Deletes = append(s.Deletes, d)
		}
	}
	vs, err := c.t.loadDeletes(ctx, s)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*dv.Vector, len(vs))
	for i, v := range vs {
		if v != nil {
			out[s.Files[i].FileName] = v
		}
	}
	return out, nil
}

// updateVectors records in m the bucket's deletion-vector index after the
// compaction: the vectors of files m removes go, added marks (file ->
// positions) join. When anything changed, one new index file holds the
// bucket's vectors and the old ones are deleted.
func (c *compactor) updateVectors(ctx context.Context, b *bucketFiles, m *CommitMessage, vectors map[string]*dv.Vector, added map[string]*roaring.Bitmap) error {
	if len(vectors) == 0 && len(added) == 0 {
		return nil
	}
	gone := map[string]bool{}
	for _, f := range m.CompactBefore {
		gone[f.FileName] = true
	}
	for _, f := range m.CompactAfter {
		delete(gone, f.FileName) // upgraded: same file, same rows
	}
	changed := len(added) > 0
	final := map[string]*roaring.Bitmap{}
	for name, v := range vectors {
		if gone[name] {
			changed = true
			continue
		}
		final[name] = v.Bitmap().Clone()
	}
	for name, bm := range added {
		if cur := final[name]; cur != nil {
			cur.Or(bm)
		} else {
			final[name] = bm
		}
	}
	if !changed {
		return nil
	}
	for _, name := range b.indexFiles {
		m.DeletedIndexFiles = append(m.DeletedIndexFiles, manifest.IndexEntry{
			Kind: manifest.Delete, Partition: b.part, Bucket: b.bucket,
			IndexType: manifest.IndexDeletionVectors, FileName: name})
	}
	b.vectors = make(map[string]*dv.Vector, len(final))
	for name, bm := range final {
		b.vectors[name] = dv.FromBitmap(bm)
	}
	b.indexFiles = nil
	if len(final) == 0 {
		return nil
	}
	e, err := c.t.writeDeletionVectors(ctx, b.part, b.bucket, final)
	if err != nil {
		return err
	}
	m.NewIndexFiles = append(m.NewIndexFiles, e)
	b.indexFiles = []string{e.FileName}
	return nil
}

// appendTasks picks the file groups of an append bucket to rewrite, each
// into its own files.
func (c *compactor) appendTasks(b *bucketFiles, full bool) [][]manifest.DataFile {
	files := slices.Clone(b.files)
	sort.SliceStable(files, func(i, j int) bool { return files[i].MinSequenceNumber < files[j].MinSequenceNumber })
	target := c.cfg.TargetFileSizeFor(false)
	o := lsm.AppendOptions{
		MinFileNum:         c.cfg.CompactionMinFileNum,
		FileNumLimit:       c.cfg.CompactionFileNumLimit,
		TargetFileSize:     target,
		CompactionFileSize: lsm.CompactionFileSize(target),
		OpenFileCost:       c.cfg.SourceSplitOpenFileCost,
	}
	if full {
		if pick, ok := lsm.PickAppendFull(files, o, c.dvOn, false, b.hasDV); ok {
			return [][]manifest.DataFile{pick}
		}
		return nil
	}
	if c.cfg.Bucket == -1 {
		// Unaware buckets: Paimon's coordinator packs a partition's small
		// files (and, with deletion vectors, files by index file).
		var cand []manifest.DataFile
		for _, f := range files {
			if lsm.AppendUnawareCandidate(f, o) || b.hasDV(f) {
				cand = append(cand, f)
			}
		}
		var indexFile func(manifest.DataFile) string
		if c.dvOn {
			indexFile = func(f manifest.DataFile) string {
				if d := b.deletes[f.FileName]; d != nil {
					return d.IndexFile
				}
				return ""
			}
		}
		tasks, _, _ := lsm.PickAppendUnaware(cand, o, 0, indexFile)
		return tasks
	}
	if pick, _, ok := lsm.PickAppendQueue(files, o); ok {
		return [][]manifest.DataFile{pick}
	}
	return nil
}

// compactAppend compacts an append bucket: each picked group of files is
// rewritten, in sequence order, into files of target-file-size, without
// the rows its deletion vectors delete.
func (c *compactor) compactAppend(ctx context.Context, b *bucketFiles, full bool) (*CommitMessage, *lsm.Result, error) {
	tasks := c.appendTasks(b, full)
	if len(tasks) == 0 {
		return nil, nil, nil
	}
	dir, vectors, err := c.bucketInputs(ctx, b)
	if err != nil {
		return nil, nil, err
	}
	r := &lsm.Result{}
	m := &CommitMessage{Partition: b.part, Bucket: b.bucket, TotalBuckets: b.total}
	fail := func(err error) (*CommitMessage, *lsm.Result, error) {
		m.CompactBefore, m.CompactAfter = nil, r.After
		c.removeOutputs(context.WithoutCancel(ctx), []CommitMessage{*m})
		return nil, nil, err
	}
	for _, pick := range tasks {
		slices.SortStableFunc(pick, func(a, b manifest.DataFile) int {
			return cmp.Compare(a.MinSequenceNumber, b.MinSequenceNumber)
		})
		o := c.t.dataWriterOptions(c.s, dir, 0, manifest.FileSourceCompact, c.alloc)
		o.FirstSequence = pick[0].MinSequenceNumber
		w, err := datafile.NewWriter(o)
		if err != nil {
			return fail(err)
		}
		opens := make([]lsm.Opener, len(pick))
		for i := range pick {
			f := pick[i]
			opens[i] = c.openInput(ctx, dir, b, vectors, &pick[i])
			r.Before = append(r.Before, f)
			r.Rewritten++
			r.RowsIn += f.RowCount
			r.BytesIn += f.FileSize
		}
		rr := lsm.Concat(nil, opens)
		err = copyRecords(ctx, rr, w)
		rr.Release()
		if err != nil {
			_ = w.Abort(context.WithoutCancel(ctx))
			return fail(err)
		}
		out, err := w.Close(ctx)
		if err != nil {
			_ = w.Abort(context.WithoutCancel(ctx))
			return fail(err)
		}
		r.After = append(r.After, out...)
		for _, f := range out {
			r.RowsOut += f.RowCount
			r.BytesOut += f.FileSize
		}
	}
	m.CompactBefore, m.CompactAfter = r.Before, r.After
	if err := c.updateVectors(ctx, b, m, vectors, nil); err != nil {
		c.removeOutputs(context.WithoutCancel(ctx), []CommitMessage{*m})
		return nil, nil, err
	}
	return m, r, nil
}

func copyRecords(ctx context.Context, rr array.RecordReader, w lsm.FileWriter) error {
	for rr.Next() {
		if err := w.Write(ctx, rr.RecordBatch()); err != nil {
			return err
		}
	}
	if err := rr.Err(); err != nil {
		return err
	}
	return ctx.Err()
}

// indexKey is the object key of an index file of a bucket.
func (t *Table) indexKey(part []byte, bucket int32, name string) string {
	if v, ok := t.latest.Option("index-file-in-data-file-dir"); ok && v == "true" {
		if dir, err := t.BucketPath(part, bucket); err == nil {
			return dir + "/" + name // beside the data files, as Java's IndexInDataFileDirPathFactory
		}
	}
	return indexDir + name
}

// writeDeletionVectors writes one DELETION_VECTORS index file holding the
// given vectors (data file name -> deleted positions) of a bucket, in the
// table's bitmap format, and returns its index entry.
func (t *Table) writeDeletionVectors(ctx context.Context, part []byte, bucket int32, vectors map[string]*roaring.Bitmap) (manifest.IndexEntry, error) {
	names := make([]string, 0, len(vectors))
	for n := range vectors {
		names = append(names, n)
	}
	sort.Strings(names)
	b := []byte{dv.Version}
	ranges := make([]manifest.DVRange, 0, len(names))
	for _, n := range names {
		bm := vectors[n]
		bm.RunOptimize()
		off := int32(len(b))
		var length int32
		var err error
		if t.cfg.DeletionVectorsBitmap64 {
			b, length, err = dv.Encode64(b, bm)
		} else {
			b, length, err = dv.Encode32(b, bm)
		}
		if err != nil {
			return manifest.IndexEntry{}, err
		}
		card := int64(bm.GetCardinality())
		ranges = append(ranges, manifest.DVRange{DataFile: n, Offset: off, Length: length, Cardinality: &card})
	}
	name := manifest.NewNameGenerator("index-").Next()
	if err := t.store.Write(ctx, t.indexKey(part, bucket, name), b); err != nil {
		return manifest.IndexEntry{}, fmt.Errorf("write deletion vectors %s: %w", name, err)
	}
	return manifest.IndexEntry{
		Kind: manifest.Add, Partition: part, Bucket: bucket,
		IndexType: manifest.IndexDeletionVectors, FileName: name,
		FileSize: int64(len(b)), RowCount: int64(len(ranges)), DVRanges: ranges,
	}, nil
}

// upperFiles are the files of the levels above a unit's output level that
// the unit does not take: data its level-0 rows may shadow.
func upperFiles(levels *lsm.Levels, u lsm.Unit) []manifest.DataFile {
	in := map[string]bool{}
	for _, f := range u.Files {
		in[f.FileName] = true
	}
	var out []manifest.DataFile
	for l := u.OutputLevel + 1; l <= levels.MaxLevel(); l++ {
		for _, f := range levels.Level(l) {
			if !in[f.FileName] {
				out = append(out, f)
			}
		}
	}
	return out
}

// lookupFilter is lookup compaction's view of the upper levels (Paimon's
// LookupMergeTreeCompactRewriter): for every key the merge of the unit
// produces, the upper files whose key range holds it are asked for its
// row. First-row: a key already above keeps its older row there, so the
// new one is dropped. Deletion vectors: the key's row above is marked
// deleted in marks (file -> positions), so that readers, which do not
// merge levels, see only the new version; a position the file's vector
// already deletes does not count.
func (c *compactor) lookupFilter(dir string, upper []manifest.DataFile, vectors map[string]*dv.Vector, marks map[string]*roaring.Bitmap) (func(context.Context, arrow.RecordBatch) ([]bool, error), error) {
	// Encoders keep scratch buffers: one pair per rewrite.
	keyRow, err := newRowEncoder(c.s, c.s.TrimmedPrimaryKeys())
	if err != nil {
		return nil, err
	}
	keyEnc, err := lsm.NewKeyEncoder(c.merge.Schema, c.merge.KeyColumns)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, rec arrow.RecordBatch) ([]bool, error) {
		n := int(rec.NumRows())
		if n == 0 {
			return nil, nil
		}
		cols := rec.Columns()[kv.ValueOffset:]
		lo, err := keyRow.encode(cols, 0)
		if err != nil {
			return nil, err
		}
		lo = slices.Clone(lo)
		hi, err := keyRow.encode(cols, n-1)
		if err != nil {
			return nil, err
		}
		var keys [][]byte
		var keep []bool
		for _, f := range upper {
			if len(f.MinKey) < 4 || len(f.MaxKey) < 4 ||
				binrow.CompareRows(c.keyTypes, f.MaxKey[4:], lo) < 0 || binrow.CompareRows(c.keyTypes, f.MinKey[4:], hi) > 0 {
				continue
			}
			if keys == nil {
				if keys, err = keyEnc.Keys(rec); err != nil {
					return nil, err
				}
			}
			open := c.t.opener(ctx, dataFileRead{dir: dir, file: &f, readFields: c.keyFields, kv: true, alloc: c.alloc})
			pos, err := c.lk.Positions(ctx, f, func(context.Context) (array.RecordReader, error) { return open() }, c.keyOnlyCols, keys)
			if err != nil {
				return nil, fmt.Errorf("lookup in %s: %w", f.FileName, err)
			}
			v := vectors[f.FileName]
			for i, p := range pos {
				if p < 0 || (v != nil && v.Contains64(uint64(p))) {
					continue
				}
				if c.firstRow {
					if keep == nil {
						keep = make([]bool, n)
						for j := range keep {
							keep[j] = true
						}
					}
					keep[i] = false
					continue
				}
				if c.dvOn {
					bm := marks[f.FileName]
					if bm == nil {
						bm = roaring.New()
						marks[f.FileName] = bm
					}
					bm.Add(uint32(p))
				}
			}
		}
		return keep, nil
	}, nil
}

// fanIn is how many sorted runs a compaction merges at once: Paimon's
// local-sort.max-num-file-handles, and no more than write-buffer-size
// allows when each open Parquet file holds a page and a dictionary of
// every column (about 4 MiB a column, measured with arrow-go): wider
// sections merge in groups through spill files, so a compaction's memory
// does not grow with the number of files.
func (c *compactor) fanIn() int {
	perFile := int64(len(c.s.Fields)+2) * (4 << 20)
	return max(4, min(c.cfg.LocalSortMaxNumFileHandles, int(c.cfg.WriteBufferSize/perFile)))
}

// upperNames are the names of the files above level 0.
func upperNames(files []manifest.DataFile) []string {
	var out []string
	for _, f := range files {
		if f.Level > 0 {
			out = append(out, f.FileName)
		}
	}
	return out
}
