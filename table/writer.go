package table

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/internal/binrow"
	"github.com/floelake/floe/internal/datafile"
	"github.com/floelake/floe/internal/spilldir"
	"github.com/floelake/floe/lsm"
	"github.com/floelake/floe/manifest"
	"github.com/floelake/floe/merge"
	"github.com/floelake/floe/schema"
	"github.com/floelake/floe/snapshot"
	"github.com/floelake/floe/storage"
)

// Errors of the write path.
var (
	// ErrConstraint reports input rows that violate the table's schema:
	// a null in a NOT NULL column or primary key, or a bad row kind. The
	// *ConstraintError says where.
	ErrConstraint = errors.New("table: constraint violated")
	// ErrInputSchema reports a record whose columns do not match the table.
	ErrInputSchema = errors.New("table: input schema mismatch")
	// ErrClosed reports use of a closed writer.
	ErrClosed = errors.New("table: writer closed")
	// ErrCorruptIndex reports an index file that does not decode.
	ErrCorruptIndex = errors.New("table: corrupt index file")
)

// ConstraintError locates a rejected row. errors.Is(err, ErrConstraint).
type ConstraintError struct {
	Column string // column name
	Row    int    // row index within the record passed to Write
	Reason string // "null in NOT NULL column", "null primary key", "invalid row kind"
}

func (e *ConstraintError) Error() string {
	return "table: constraint violated: column " + e.Column + " row " + strconv.Itoa(e.Row) + ": " + e.Reason
}

// Is makes errors.Is(err, ErrConstraint) true.
func (e *ConstraintError) Is(target error) bool { return target == ErrConstraint }

// RowKindColumn is the default name of the optional input column that
// carries each row's kind: a string column (+I, -U, +U, -D) or an int8
// column (0–3). Rows default to +I when the column is absent.
const RowKindColumn = "_ROW_KIND"

// WriterOptions configure NewWriter. The zero value means the defaults.
type WriterOptions struct {
	// RowKindColumn names the input column carrying row kinds (default
	// RowKindColumn). The table option rowkind.field, when set, wins.
	RowKindColumn string
	// SpillDir is the local directory in which the writer makes its own
	// directory for write-buffer spill files (default os.TempDir()). A
	// primary-key writer that may spill first removes the spill
	// directories there of writers whose process died (see Writer).
	SpillDir string
	// Alloc allocates Arrow memory (default memory.DefaultAllocator).
	Alloc memory.Allocator
	// Logger receives lifecycle events (nil discards them).
	Logger *slog.Logger
	// NoWaitCompaction makes Prepare hand over only the compactions that
	// have finished, leaving a running one to a later Prepare, as a
	// streaming Paimon writer does. By default Prepare waits for them (a
	// batch write). Tables whose readers skip level 0 (first-row,
	// deletion vectors, lookup) wait anyway while lookup-wait is true.
	NoWaitCompaction bool
}

// WriterStats counts what a Writer did since it was created.
type WriterStats struct {
	Rows       int64 // rows accepted by Write (rows dropped by ignore-delete excluded)
	Spills     int   // write buffers spilled to local disk under memory pressure
	Flushes    int   // write buffers flushed to level-0 files under memory pressure
	Files      int   // data files written
	IndexFiles int   // index files written
	// MemoryUsed is the write buffers' memory now; PeakMemory the most
	// they held at once (measured after each buffered batch, before the
	// writer spilled or flushed to get back under write-buffer-size).
	MemoryUsed int64
	PeakMemory int64
	// Compactions counts compactions the writer ran (write-only=false);
	// CompactionStalls the flushes that waited for one because a bucket had
	// more sorted runs than num-sorted-run.stop-trigger.
	Compactions      int
	CompactionStalls int
}

// Writer turns Arrow record batches into data files and commit messages.
// It routes rows to partitions and buckets, buffers and sorts them per
// bucket within the table's write-buffer-size (spilling to local disk
// when write-buffer-spillable), and flushes level-0 files. It is not safe
// for concurrent use; several Writers (in one process or many) may write
// one table and commit together or separately. The caller must Close it.
//
// Spill files live in a directory of the writer's own,
// SpillDir/floe-spill-<pid>-<random>, made at the first spill and removed
// by Close. The writer holds a flock on a lock file inside it, which the
// kernel releases when the process dies however it dies; NewWriter of a
// primary-key table removes the directories in SpillDir whose lock it can
// take (their writer's process is gone), so a killed writer's spill files
// do not pile up. Sweeping needs flock (Linux, macOS, the BSDs) and a
// local file system.
type Writer struct {
	t   *Table
	o   WriterOptions
	s   *schema.Table
	cfg *Config
	log *slog.Logger

	fields       []schema.Field
	arrowSchema  *arrow.Schema
	colIndex     map[string]int
	pkIdx        []int // primary key columns
	keyIdx       []int // trimmed primary key columns
	keyFields    []schema.Field
	seqIdx       []int
	rowKindName  string
	rowKindField int // table column of rowkind.field, or -1
	hasPK        bool
	engine       merge.Engine
	retracts     merge.RetractChecker // engine's, when it checks retract values
	statsModes   []datafile.StatsMode
	maxSpillDisk int64
	spill        *spilldir.Dir // created at the first spill

	route *router
	base  *snapshot.Snapshot // nil for an empty table

	baseSeq     baseSequences
	indexLoaded bool
	baseIndex   map[string][]manifest.IndexEntry // HASH entries by partition bytes
	indexNames  *manifest.NameGenerator

	parts     map[string]*partState // by raw partition row bytes
	partOrder []*partState
	buckets   []*bucketState // every bucket, in creation order

	// scratch reused across Write calls
	targets  []*bucketState
	rowTo    []*bucketState
	lastPart *partState
	lastRaw  []byte
	epoch    uint64

	// Compaction (write-only=false): built at the first primary-key bucket.
	comp       *compactor
	bgCtx      context.Context // the compactions' context, cancelled by Close
	bgCancel   context.CancelFunc
	compactSem chan struct{} // bounds compactions running at once
	compactWG  sync.WaitGroup
	baseDV     []manifest.IndexEntry // index manifest of the base snapshot, when read
	prepares   int

	stats  WriterStats
	closed bool
}

type bucketID struct {
	part   string // serialized partition row
	bucket int32
}

// partState is one partition the writer has seen.
type partState struct {
	raw        []byte // BinaryRow bytes
	serialized []byte // with the arity prefix, as manifests store it
	buckets    map[int32]*bucketState
	assigner   *hashAssigner // dynamic bucket mode
}

// bucketState is one (partition, bucket) the writer writes.
type bucketState struct {
	part    *partState
	bucket  int32
	dir     string
	nextSeq int64

	buf       *lsm.Buffer      // primary-key tables
	app       *datafile.Writer // append tables
	files     []manifest.DataFile
	changelog []manifest.DataFile // changelog files not yet prepared
	tree      *bucketTree         // primary-key tables that compact
	live      *bucketFiles        // append tables that compact: the bucket's live files

	// routing scratch
	mark uint64
	rows []int32
}

// NewWriter returns a writer over the table's latest schema.
func (t *Table) NewWriter(ctx context.Context, opts WriterOptions) (*Writer, error) {
	if opts.RowKindColumn == "" {
		opts.RowKindColumn = RowKindColumn
	}
	if opts.Alloc == nil {
		opts.Alloc = memory.DefaultAllocator
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s, cfg := t.latest, t.cfg
	w := &Writer{
		t: t, o: opts, s: s, cfg: cfg, log: log,
		fields:       s.Fields,
		colIndex:     make(map[string]int, len(s.Fields)),
		rowKindName:  opts.RowKindColumn,
		rowKindField: -1,
		hasPK:        len(s.PrimaryKeys) > 0,
		parts:        make(map[string]*partState),
		indexNames:   manifest.NewNameGenerator("index-"),
	}
	if err := checkWritable(s, cfg); err != nil {
		return nil, err
	}
	var err error
	if w.arrowSchema, err = s.ArrowSchema(); err != nil {
		return nil, err
	}
	for i, f := range s.Fields {
		w.colIndex[f.Name] = i
	}
	for _, k := range s.PrimaryKeys {
		w.pkIdx = append(w.pkIdx, w.colIndex[k])
	}
	w.keyFields = s.TrimmedPrimaryKeyFields()
	for _, f := range w.keyFields {
		w.keyIdx = append(w.keyIdx, w.colIndex[f.Name])
	}
	for _, c := range cfg.SequenceFields {
		i, ok := w.colIndex[c]
		if !ok {
			return nil, &OptionError{Key: "sequence.field", Value: strings.Join(cfg.SequenceFields, ","), Reason: "column " + c + " does not exist"}
		}
		w.seqIdx = append(w.seqIdx, i)
	}
	if v, ok := s.Option("rowkind.field"); ok {
		i, ok := w.colIndex[v]
		if !ok {
			return nil, &OptionError{Key: "rowkind.field", Value: v, Reason: "column does not exist"}
		}
		w.rowKindField = i
	}
	if w.hasPK {
		if w.engine, err = t.mergeEngine(); err != nil {
			return nil, err
		}
		w.retracts, _ = w.engine.(merge.RetractChecker)
	}
	if w.route, err = newRouter(s, cfg); err != nil {
		return nil, err
	}
	w.statsModes = resolveStatsModes(s.Fields, cfg)
	if w.hasPK && cfg.WriteBufferSpillable {
		removed, err := spilldir.Sweep(opts.SpillDir)
		if len(removed) > 0 {
			log.Info("removed spill directories of dead writers", "dirs", len(removed))
		}
		if err != nil {
			log.Warn("sweep spill directories", "error", err)
		}
		w.spill = spilldir.New(opts.SpillDir)
	}
	if v, ok := cfg.Unknown.Get("write-buffer-spill.max-disk-size"); ok {
		n, err := parseMemorySize(v)
		if err != nil {
			return nil, &OptionError{Key: "write-buffer-spill.max-disk-size", Value: v, Reason: err.Error()}
		}
		w.maxSpillDisk = n
	}
	w.base, err = snapshot.Latest(ctx, t.meta)
	if errors.Is(err, snapshot.ErrNotFound) {
		w.base, err = nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("new writer: read latest snapshot: %w", err)
	}
	var baseID int64
	if w.base != nil {
		baseID = w.base.ID
	}
	w.baseSeq.keepFiles = w.compacts() || w.compactsAppend()
	log.Info("writer opened", "schema_id", s.ID, "base_snapshot", baseID, "bucket_mode", w.route.mode.String())
	return w, nil
}

// resolveStatsModes gives each column its stats mode: fields.<c>.stats-mode
// when set, else none beyond metadata.stats-keep-first-n-columns, else
// metadata.stats-mode.
func resolveStatsModes(fields []schema.Field, cfg *Config) []datafile.StatsMode {
	out := make([]datafile.StatsMode, len(fields))
	for i, f := range fields {
		m, ok := cfg.FieldStatsModes[f.Name]
		if !ok {
			m = cfg.StatsMode
			if cfg.StatsKeepFirstNColumns >= 0 && i >= cfg.StatsKeepFirstNColumns {
				m = StatsMode{Kind: StatsNone}
			}
		}
		switch m.Kind {
		case StatsNone:
			out[i] = datafile.StatsMode{Kind: datafile.StatsNone}
		case StatsCounts:
			out[i] = datafile.StatsMode{Kind: datafile.StatsCounts}
		case StatsFull:
			out[i] = datafile.StatsMode{Kind: datafile.StatsFull}
		default:
			out[i] = datafile.StatsMode{Kind: datafile.StatsTruncate, Length: m.Length}
		}
	}
	return out
}

// Stats returns what the writer did so far.
func (w *Writer) Stats() WriterStats {
	s := w.stats
	s.MemoryUsed = w.memoryUsed()
	return s
}

// Write adds the rows of rec. rec's columns are matched to the table's by
// name (the row-kind column may be added); types must be the table's Arrow
// types. Rows violating NOT NULL, carrying a null primary key or an invalid
// row kind are rejected with a *ConstraintError and nothing of rec is
// written. Write does not retain rec after it returns. After any other
// error (storage, spill) part of rec may have been buffered; Close the
// writer and retry from the last commit.
func (w *Writer) Write(ctx context.Context, rec arrow.Record) error {
	if w.closed {
		return ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if rec.NumRows() == 0 {
		return nil
	}
	in, err := w.matchInput(rec)
	if err != nil {
		return err
	}
	defer in.release()
	keep, err := w.acceptKinds(in)
	if err != nil {
		return err
	}
	targets, err := w.routeRows(ctx, in, keep)
	if err != nil {
		return w.rolledBack(ctx, err)
	}
	for _, bs := range targets {
		if err := w.addRows(ctx, bs, in, len(targets) == 1 && keep == nil); err != nil {
			return w.rolledBack(ctx, err)
		}
	}
	return nil
}

// rolledBack turns err, a file of the base snapshot missing, into
// ErrRolledBack when a rollback removed the base snapshot (it is gone
// while an older one stays, or the table has none: expiry removes oldest
// first, rollback newest first). The writer must then be closed and the
// rows written again with a new one.
func (w *Writer) rolledBack(ctx context.Context, err error) error {
	if w.base == nil || !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	ctx = context.WithoutCancel(ctx)
	if ok, xerr := snapshot.Snapshots.Exists(ctx, w.t.meta, w.base.ID); xerr != nil || ok {
		return err
	}
	earliest, eerr := snapshot.EarliestID(ctx, w.t.meta)
	if eerr == nil && earliest > w.base.ID {
		return err // expired, not rolled back
	}
	if eerr != nil && !errors.Is(eerr, snapshot.ErrNotFound) {
		return err
	}
	return fmt.Errorf("%w: the writer's base snapshot %d is gone: %w", ErrRolledBack, w.base.ID, err)
}

// acceptKinds checks every row kind against the table before anything is
// buffered. It returns the rows to keep, or nil when all are kept.
func (w *Writer) acceptKinds(in *input) ([]bool, error) {
	var keep []bool
	name := w.rowKindName
	if w.rowKindField >= 0 {
		name = w.fields[w.rowKindField].Name
	}
	for r, k := range in.kinds {
		var ok bool
		if w.hasPK {
			var err error
			ok, err = w.engine.Accept(k)
			if err == nil && ok && k.IsRetract() && w.retracts != nil {
				err = w.retracts.CheckRetract(in.cols, r)
			}
			if err != nil {
				return nil, fmt.Errorf("%w: %w", &ConstraintError{Column: name, Row: r, Reason: "row kind " + k.String() + " not accepted by merge engine " + w.engine.Name()}, err)
			}
		} else {
			// Append tables take inserts only; ignore-delete drops retracts.
			ok = !k.IsRetract()
			if !ok && !w.cfg.IgnoreDelete {
				return nil, &ConstraintError{Column: name, Row: r, Reason: "row kind " + k.String() + " on an append table (append tables accept +I and +U only; set ignore-delete to drop retracts)"}
			}
		}
		if !ok {
			if keep == nil {
				keep = make([]bool, len(in.kinds))
				for i := range r {
					keep[i] = true
				}
			}
			continue
		}
		if keep != nil {
			keep[r] = true
		}
	}
	return keep, nil
}

// routeRows assigns each kept row to its bucket and returns the buckets
// touched, each with its row indexes in bs.rows.
func (w *Writer) routeRows(ctx context.Context, in *input, keep []bool) ([]*bucketState, error) {
	w.epoch++
	w.targets = w.targets[:0]
	n := len(in.kinds)
	cols := in.cols
	for r := range n {
		if keep != nil && !keep[r] {
			continue
		}
		ps, err := w.partitionOf(ctx, cols, r)
		if err != nil {
			return nil, err
		}
		var b int32
		switch w.route.mode {
		case bucketFixed:
			if b, err = w.route.fixedBucket(cols, r); err != nil {
				return nil, err
			}
		case bucketDynamic:
			h, err := w.route.keyHash(cols, r)
			if err != nil {
				return nil, err
			}
			b = ps.assigner.assign(h)
		}
		bs := ps.buckets[b]
		if bs == nil {
			if bs, err = w.newBucket(ctx, ps, b); err != nil {
				return nil, err
			}
		}
		if bs.mark != w.epoch {
			bs.mark = w.epoch
			bs.rows = bs.rows[:0]
			w.targets = append(w.targets, bs)
		}
		bs.rows = append(bs.rows, int32(r))
	}
	return w.targets, nil
}

// partitionOf returns the partition state of row r, creating it on first
// sight. Consecutive rows of one partition cost one row encoding and a
// byte comparison.
func (w *Writer) partitionOf(ctx context.Context, cols []arrow.Array, r int) (*partState, error) {
	raw, err := w.route.partition(cols, r)
	if err != nil {
		return nil, err
	}
	if w.lastPart != nil && string(raw) == string(w.lastRaw) {
		return w.lastPart, nil
	}
	ps := w.parts[string(raw)]
	if ps == nil {
		if ps, err = w.newPartition(ctx, raw); err != nil {
			return nil, err
		}
	}
	w.lastPart = ps
	w.lastRaw = append(w.lastRaw[:0], raw...)
	return ps, nil
}

func (w *Writer) newPartition(ctx context.Context, raw []byte) (*partState, error) {
	key := string(raw)
	if raw == nil {
		raw = binrow.EmptyRow()
	}
	raw = append([]byte(nil), raw...)
	ps := &partState{
		raw:        raw,
		serialized: binrow.Serialize(len(w.s.PartitionKeys), raw),
		buckets:    make(map[int32]*bucketState),
	}
	if w.route.mode == bucketDynamic {
		a, err := w.loadAssigner(ctx, ps)
		if err != nil {
			return nil, err
		}
		ps.assigner = a
	}
	w.parts[key] = ps
	w.partOrder = append(w.partOrder, ps)
	return ps, nil
}

// loadAssigner builds a partition's hash assigner from the HASH index
// files of the base snapshot.
func (w *Writer) loadAssigner(ctx context.Context, ps *partState) (*hashAssigner, error) {
	if !w.indexLoaded {
		w.baseIndex = make(map[string][]manifest.IndexEntry)
		if w.base != nil && w.base.IndexManifest != nil {
			entries, err := manifest.ReadIndexManifest(ctx, w.t.store, *w.base.IndexManifest)
			if err != nil {
				return nil, fmt.Errorf("read index manifest of snapshot %d: %w", w.base.ID, err)
			}
			for _, e := range entries {
				if e.IndexType == manifest.IndexHash && e.Kind == manifest.Add {
					w.baseIndex[string(e.Partition)] = append(w.baseIndex[string(e.Partition)], e)
				}
			}
		}
		w.indexLoaded = true
	}
	a := newHashAssigner(w.cfg.DynamicBucketTargetRowNum, w.cfg.DynamicBucketMaxBuckets)
	for _, e := range w.baseIndex[string(ps.serialized)] {
		hashes, err := readHashIndex(ctx, w.t.store, &e)
		if err != nil {
			return nil, err
		}
		a.load(e, hashes)
	}
	a.finishLoad()
	return a, nil
}

// baseSequences caches what a writer learned of the base snapshot's live
// files: the largest sequence number per bucket, loaded lazily per
// partition. A partition's load reads only the manifests whose partition
// statistics may hold it; when that would read a manifest again, the
// writer loads every live file once instead (so no manifest is read more
// than twice, and a writer touching many partitions reads the table once
// or twice, as before).
type baseSequences struct {
	lists  *manifest.Lists
	read   map[string]bool // manifests read by partition loads
	parts  map[string]bool // partitions loaded
	all    bool            // every partition loaded
	maxSeq map[bucketID]int64
	// files are the live files of each loaded bucket, when the writer
	// compacts (keepFiles).
	keepFiles bool
	files     map[bucketID][]manifest.Entry
}

// baseSequence returns the first sequence number for a bucket: one past
// the largest of its live files in the base snapshot.
func (w *Writer) baseSequence(ctx context.Context, id bucketID) (int64, error) {
	if w.base == nil {
		return 0, nil
	}
	b := &w.baseSeq
	if !b.all && !b.parts[id.part] {
		if err := w.loadBaseSequences(ctx, []byte(id.part)); err != nil {
			return 0, fmt.Errorf("read live files of snapshot %d: %w", w.base.ID, err)
		}
	}
	if m, ok := b.maxSeq[id]; ok {
		return m + 1, nil
	}
	return 0, nil
}

// loadBaseSequences loads the sequence numbers of partition part's
// buckets (or of every partition; see baseSequences).
func (w *Writer) loadBaseSequences(ctx context.Context, part []byte) error {
	b := &w.baseSeq
	if b.lists == nil {
		l, err := manifest.ReadLists(ctx, w.t.store, w.base.BaseManifestList, w.base.DeltaManifestList)
		if err != nil {
			return err
		}
		b.lists = l
		b.read, b.parts, b.maxSeq = map[string]bool{}, map[string]bool{}, map[bucketID]int64{}
	}
	o := manifest.FileSetOptions{}
	stats := partitionStatsFilter(w.t.partitionTypes(), [][]byte{part})
	if stats != nil {
		var need []string
		again := false
		for _, metas := range b.lists.Metas {
			for i := range metas {
				if stats(&metas[i]) {
					need = append(need, metas[i].FileName)
					again = again || b.read[metas[i].FileName]
				}
			}
		}
		if !again {
			o.PartitionStats = stats
			o.Partition = func(p []byte) (bool, error) { return string(p) == string(part), nil }
			for _, n := range need {
				b.read[n] = true
			}
		}
	}
	fs, err := b.lists.Load(ctx, w.t.store, o)
	if err != nil {
		return err
	}
	for _, k := range fs.Buckets() {
		if m, ok := fs.MaxSequence(k); ok {
			b.maxSeq[bucketID{k.Partition, k.Bucket}] = m
		}
		if b.keepFiles {
			if b.files == nil {
				b.files = map[bucketID][]manifest.Entry{}
			}
			b.files[bucketID{k.Partition, k.Bucket}] = fs.Bucket(k)
		}
	}
	if o.Partition == nil {
		b.all = true
	} else {
		b.parts[string(part)] = true
	}
	return nil
}

func (w *Writer) newBucket(ctx context.Context, ps *partState, b int32) (*bucketState, error) {
	seq, err := w.baseSequence(ctx, bucketID{string(ps.serialized), b})
	if err != nil {
		return nil, err
	}
	dir, err := w.t.BucketPath(ps.serialized, b)
	if err != nil {
		return nil, err
	}
	bs := &bucketState{part: ps, bucket: b, dir: dir, nextSeq: seq}
	if w.compacts() {
		if err := w.restoreTree(ctx, bs); err != nil {
			return nil, err
		}
	}
	ps.buckets[b] = bs
	w.buckets = append(w.buckets, bs)
	return bs, nil
}

func (w *Writer) fileOptions(bs *bucketState) datafile.WriterOptions {
	o := w.t.dataWriterOptions(w.s, bs.dir, 0, manifest.FileSourceAppend, w.o.Alloc)
	o.StatsModes = w.statsModes
	o.FirstSequence = bs.nextSeq
	return o
}

// dataWriterOptions are the options of a data-file writer of this table
// (schema s) for one bucket directory, level and file source.
func (t *Table) dataWriterOptions(s *schema.Table, dir string, level int32, source int32, alloc memory.Allocator) datafile.WriterOptions {
	cfg := t.cfg
	hasPK := len(s.PrimaryKeys) > 0
	o := datafile.WriterOptions{
		Store:           t.store,
		Dir:             dir,
		Prefix:          cfg.DataFilePrefix,
		Format:          cfg.FileFormat,
		Compression:     cfg.FileCompression,
		ZstdLevel:       cfg.ZstdLevel,
		TargetFileSize:  cfg.TargetFileSizeFor(hasPK),
		Fields:          s.Fields,
		ThinMode:        cfg.DataFileThinMode,
		StatsModes:      resolveStatsModes(s.Fields, cfg),
		StatsDenseStore: cfg.StatsDenseStore,
		SchemaID:        s.ID,
		Level:           level,
		FileSource:      source,
		// Row groups are held in memory, encoded, until they close (their
		// columns encode in parallel), at about twice their raw size
		// once garbage is counted: a quarter of the write buffer keeps
		// a flush near write-buffer-size. On a WriteMemory run
		// (20,000,000 narrow rows, 64 MB buffer) a quarter instead of
		// half takes the peak live heap from 109 to 94 MiB. Smaller
		// row groups cost reads (a few percent at 16 MiB on
		// BenchmarkRead/micro, about 15 % at 8 MiB).
		RowGroupSize: max(1<<20, cfg.WriteBufferSize/4),
		Alloc:        alloc,
	}
	if hasPK {
		o.KeyFields = s.TrimmedPrimaryKeyFields()
	}
	return o
}

// changelogWriterOptions are those of a bucket's changelog-file writer at
// level: the data files' options under changelog-file.prefix,
// changelog-file.compression.
func (t *Table) changelogWriterOptions(s *schema.Table, dir string, level int32, source int32, alloc memory.Allocator) datafile.WriterOptions {
	o := t.dataWriterOptions(s, dir, level, source, alloc)
	o.Prefix = t.cfg.ChangelogFilePrefix
	if c := t.cfg.ChangelogFileCompression; c != "" {
		o.Compression = c
	}
	return o
}

func (w *Writer) newBuffer() (*lsm.Buffer, error) {
	return lsm.NewBuffer(lsm.BufferOptions{
		SortOptions: lsm.SortOptions{
			Schema:             w.arrowSchema,
			KeyColumns:         w.keyIdx,
			SequenceColumns:    w.seqIdx,
			SequenceDescending: w.cfg.SequenceSortOrder == Descending,
			Engine:             w.engine,
		},
		Spillable:   w.cfg.WriteBufferSpillable,
		SpillDir:    w.spillPath(),
		MaxDiskSize: w.maxSpillDisk,
		Alloc:       w.o.Alloc,
		KeepInput:   w.cfg.ChangelogProducer == ChangelogInput,
	})
}

// spillPath is the directory buffers spill into.
func (w *Writer) spillPath() string {
	if w.spill == nil {
		return w.o.SpillDir // never used: the buffers do not spill
	}
	return w.spill.Path()
}

// addRows hands the rows routed to bs to its buffer (or file writer).
// whole says bs takes every row of the input, in order.
func (w *Writer) addRows(ctx context.Context, bs *bucketState, in *input, whole bool) error {
	var sub arrow.Record
	var kinds []schema.RowKind
	if whole {
		sub = in.rec
		sub.Retain()
		kinds = in.kinds
	} else {
		var err error
		if sub, err = takeRows(ctx, w.o.Alloc, in.rec, bs.rows); err != nil {
			return err
		}
		if w.hasPK {
			kinds = make([]schema.RowKind, len(bs.rows))
			for i, r := range bs.rows {
				kinds[i] = in.kinds[r]
			}
		}
	}
	defer sub.Release()
	n := sub.NumRows()
	if !w.hasPK {
		if bs.app == nil {
			a, err := datafile.NewWriter(w.fileOptions(bs))
			if err != nil {
				return err
			}
			bs.app = a
		}
		if err := bs.app.Write(ctx, sub); err != nil {
			return fmt.Errorf("write %s: %w", bs.dir, err)
		}
		w.stats.Rows += n
		return nil
	}
	if bs.buf == nil {
		b, err := w.newBuffer()
		if err != nil {
			return err
		}
		bs.buf = b
	}
	if err := bs.buf.Add(sub, kinds, bs.nextSeq); err != nil {
		return fmt.Errorf("buffer %s: %w", bs.dir, err)
	}
	bs.nextSeq += n
	w.stats.Rows += n
	return w.controlMemory(ctx)
}

func (w *Writer) memoryUsed() int64 {
	var m int64
	for _, bs := range w.buckets {
		if bs.buf != nil {
			m += bs.buf.MemoryUsed()
		}
	}
	return m
}

// controlMemory keeps the buffers' total memory within write-buffer-size:
// while above it, the largest buffer is spilled (write-buffer-spillable)
// or flushed to level-0 files.
func (w *Writer) controlMemory(ctx context.Context) error {
	used := w.memoryUsed()
	w.stats.PeakMemory = max(w.stats.PeakMemory, used)
	for used > w.cfg.WriteBufferSize {
		var big *bucketState
		var bigMem int64
		for _, bs := range w.buckets {
			if bs.buf != nil {
				if m := bs.buf.MemoryUsed(); m > bigMem {
					big, bigMem = bs, m
				}
			}
		}
		if big == nil {
			return nil
		}
		flush := !w.cfg.WriteBufferSpillable
		if !flush {
			err := w.spill.Ensure()
			if err == nil {
				err = big.buf.Spill(ctx)
			}
			switch {
			case err == nil:
				w.stats.Spills++
			case errors.Is(err, lsm.ErrSpillFull):
				flush = true
			default:
				return fmt.Errorf("spill %s: %w", big.dir, err)
			}
		}
		if flush {
			if err := w.flushBuffer(ctx, big); err != nil {
				return err
			}
			w.stats.Flushes++
		}
		after := w.memoryUsed()
		if after >= used {
			// Nothing more to free (the buffer keeps fixed overhead).
			return nil
		}
		used = after
	}
	return nil
}

// flushBuffer writes a bucket's buffered rows to level-0 files.
func (w *Writer) flushBuffer(ctx context.Context, bs *bucketState) error {
	if bs.buf == nil || bs.buf.Rows() == 0 {
		return nil
	}
	if w.cfg.ChangelogProducer == ChangelogInput {
		if err := w.flushInput(ctx, bs); err != nil {
			return err
		}
	}
	fw, err := datafile.NewWriter(w.fileOptions(bs))
	if err != nil {
		return err
	}
	err = bs.buf.Flush(ctx, func(r arrow.Record) error { return fw.Write(ctx, r) })
	if err != nil {
		_ = fw.Abort(ctx)
		return fmt.Errorf("flush %s: %w", bs.dir, err)
	}
	files, err := fw.Close(ctx)
	if err != nil {
		return fmt.Errorf("flush %s: %w", bs.dir, err)
	}
	bs.files = append(bs.files, files...)
	w.stats.Files += len(files)
	if bs.tree != nil {
		return w.afterFlush(ctx, bs, files)
	}
	return nil
}

// flushInput writes every buffered record of a bucket, sorted and none
// merged, to level-0 changelog files (changelog-producer=input).
func (w *Writer) flushInput(ctx context.Context, bs *bucketState) error {
	o := w.t.changelogWriterOptions(w.s, bs.dir, 0, manifest.FileSourceAppend, w.o.Alloc)
	o.StatsModes = w.statsModes
	o.FirstSequence = bs.nextSeq
	cw, err := datafile.NewWriter(o)
	if err != nil {
		return err
	}
	if err := bs.buf.Input(ctx, func(r arrow.Record) error { return cw.Write(ctx, r) }); err != nil {
		_ = cw.Abort(ctx)
		return fmt.Errorf("flush changelog %s: %w", bs.dir, err)
	}
	files, err := cw.Close(ctx)
	if err != nil {
		return fmt.Errorf("flush changelog %s: %w", bs.dir, err)
	}
	bs.changelog = append(bs.changelog, files...)
	return nil
}

// Prepare flushes every buffer into data files and returns the commit
// messages describing them (one per touched partition and bucket, plus
// index changes for dynamic buckets). The writer stays usable: the next
// Prepare returns only what was written after this one. When a rollback
// removed the writer's base snapshot and with it a file the writer needs
// (its inline compaction reads them), Write and Prepare fail with
// ErrRolledBack: close the writer and write the rows again with a new one.
func (w *Writer) Prepare(ctx context.Context) ([]CommitMessage, error) {
	msgs, err := w.prepare(ctx)
	if err != nil {
		return nil, w.rolledBack(ctx, err)
	}
	return msgs, nil
}

func (w *Writer) prepare(ctx context.Context) ([]CommitMessage, error) {
	if w.closed {
		return nil, ErrClosed
	}
	w.prepares++
	for _, bs := range w.buckets {
		if w.hasPK {
			if err := w.flushBuffer(ctx, bs); err != nil {
				return nil, err
			}
			continue
		}
		if bs.app != nil {
			files, err := bs.app.Close(ctx)
			next := bs.app.NextSequence()
			bs.app = nil
			if err != nil {
				return nil, fmt.Errorf("write %s: %w", bs.dir, err)
			}
			bs.files = append(bs.files, files...)
			bs.nextSeq = next
			w.stats.Files += len(files)
		}
	}
	total := int32(-1)
	if w.route.mode == bucketFixed {
		total = int32(w.cfg.Bucket)
	}
	var msgs []CommitMessage
	var written []string // index files, removed again if Prepare fails
	type indexUpdate struct {
		hb *hashBucket
		e  manifest.IndexEntry
	}
	var updates []indexUpdate
	fail := func(err error) ([]CommitMessage, error) {
		for _, n := range written {
			_ = w.t.store.Delete(context.WithoutCancel(ctx), indexDir+n)
		}
		return nil, err
	}
	for _, ps := range w.partOrder {
		ids := make([]int32, 0, len(ps.buckets))
		seen := make(map[int32]bool)
		for id := range ps.buckets {
			ids = append(ids, id)
			seen[id] = true
		}
		if ps.assigner != nil {
			for id, hb := range ps.assigner.buckets {
				if hb.changed && !seen[id] {
					ids = append(ids, id)
				}
			}
		}
		slices.Sort(ids)
		for _, id := range ids {
			m := CommitMessage{Partition: ps.serialized, Bucket: id, TotalBuckets: total}
			if bs := ps.buckets[id]; bs != nil {
				m.NewFiles = bs.files
				m.ChangelogFiles = bs.changelog
				if bs.tree != nil {
					if err := w.prepareTree(ctx, bs, &m, w.waitCompaction(), w.fullCompactionDue()); err != nil {
						return fail(err)
					}
				} else if w.compactsAppend() && len(bs.files) > 0 {
					if err := w.compactAppendBucket(ctx, bs, &m); err != nil {
						return fail(err)
					}
				}
			}
			if ps.assigner != nil {
				if hb := ps.assigner.buckets[id]; hb != nil && hb.changed {
					e, err := w.writeHashIndex(ctx, ps, id, hb.hashes)
					if err != nil {
						return fail(err)
					}
					written = append(written, e.FileName)
					updates = append(updates, indexUpdate{hb, e})
					m.NewIndexFiles = []manifest.IndexEntry{e}
					if hb.live != nil {
						m.DeletedIndexFiles = []manifest.IndexEntry{*hb.live}
					}
				}
			}
			if len(m.NewFiles)+len(m.ChangelogFiles)+len(m.NewIndexFiles)+len(m.DeletedIndexFiles)+len(m.CompactBefore)+len(m.CompactAfter) > 0 {
				msgs = append(msgs, m)
			}
		}
	}
	// Success: the round's files belong to the messages now.
	for _, u := range updates {
		u.hb.live, u.hb.changed = &u.e, false
	}
	for _, bs := range w.buckets {
		bs.files, bs.changelog = nil, nil
	}
	w.stats.IndexFiles += len(written)
	w.log.Info("writer prepared", "messages", len(msgs), "files", w.stats.Files)
	return msgs, nil
}

// writeHashIndex writes a bucket's full HASH index file.
func (w *Writer) writeHashIndex(ctx context.Context, ps *partState, bucket int32, hashes []int32) (manifest.IndexEntry, error) {
	name := w.indexNames.Next()
	b := encodeHashIndex(hashes)
	if err := w.t.store.Write(ctx, indexDir+name, b); err != nil {
		return manifest.IndexEntry{}, fmt.Errorf("write hash index %s: %w", name, err)
	}
	return manifest.IndexEntry{
		Kind:      manifest.Add,
		Partition: ps.serialized,
		Bucket:    bucket,
		IndexType: manifest.IndexHash,
		FileName:  name,
		FileSize:  int64(len(b)),
		RowCount:  int64(len(hashes)),
	}, nil
}

// Close releases the writer's memory and spill files. Data files already
// returned by Prepare stay; files written for rows never prepared are
// deleted.
func (w *Writer) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	ctx := context.Background()
	var errs []error
	if err := w.closeCompactions(); err != nil {
		errs = append(errs, err)
	}
	for _, bs := range w.buckets {
		if bs.buf != nil {
			if err := bs.buf.Close(); err != nil {
				errs = append(errs, err)
			}
			bs.buf = nil
		}
		if bs.app != nil {
			if err := bs.app.Abort(ctx); err != nil {
				errs = append(errs, err)
			}
			bs.app = nil
		}
		for _, f := range slices.Concat(bs.files, bs.changelog) {
			if err := w.t.store.Delete(ctx, bs.dir+"/"+f.FileName); err != nil {
				errs = append(errs, err)
			}
		}
		bs.files, bs.changelog = nil, nil
	}
	if w.spill != nil {
		if err := w.spill.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	w.log.Info("writer closed", "rows", w.stats.Rows, "files", w.stats.Files)
	return errors.Join(errs...)
}

// waitCompaction says whether Prepare waits for compactions.
func (w *Writer) waitCompaction() bool {
	return !w.o.NoWaitCompaction || (w.comp != nil && w.comp.lookup && w.cfg.LookupWait)
}

// fullCompactionDue says whether this Prepare forces a full compaction
// (full-compaction.delta-commits).
func (w *Writer) fullCompactionDue() bool {
	n := w.cfg.FullCompactionDeltaCommits
	if n == 0 && w.cfg.ChangelogProducer == ChangelogFullCompaction {
		n = 1 // as Paimon's writers: the changelog comes with each commit
	}
	return n > 0 && w.prepares%n == 0
}
