package table

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"sync"

	"gocloud.dev/blob"

	"github.com/floelake/floe/internal/binrow"
	"github.com/floelake/floe/manifest"
	"github.com/floelake/floe/predicate"
	"github.com/floelake/floe/schema"
	"github.com/floelake/floe/snapshot"
)

// planner holds what one NewScan call needs to prune and group files.
type planner struct {
	t      *Table
	schema *schema.Table // read schema (latest)
	filter predicate.Predicate
	stats  *PlanStats

	pk        bool
	noMerge   bool                   // DV or first-row: level 0 skipped, files read independently
	level     func(level int32) bool // primary-key files of other levels are skipped (nil: all)
	partTypes []schema.DataType
	partBound *predicate.Bound // filter over the partition columns (partial)
	rowBound  *predicate.Bound // filter over all columns
	// seen, when set, collects the partitions that have live files after
	// partition pruning; exclude skips partitions (fallback reads).
	seen    map[string]bool
	exclude map[string]bool
}

func (p *planner) init() error {
	s := p.schema
	p.pk = len(s.PrimaryKeys) > 0
	p.noMerge = p.pk && (p.t.cfg.DeletionVectorsEnabled || p.t.engine != nil && p.t.engine.Traits().SkipLevel0OnRead)
	pf := s.PartitionFields()
	p.partTypes = make([]schema.DataType, len(pf))
	for i, f := range pf {
		p.partTypes[i] = f.Type.Nullable()
	}
	if p.filter.IsZero() {
		return nil
	}
	var err error
	if p.partBound, err = predicate.Bind(p.filter, pf, true); err != nil {
		return fmt.Errorf("scan filter: %w", err)
	}
	if p.partBound.MatchesAll() {
		p.partBound = nil
	}
	if p.rowBound, err = predicate.Bind(p.filter, s.Fields, false); err != nil {
		return fmt.Errorf("scan filter: %w", err)
	}
	if p.rowBound.MatchesAll() {
		p.rowBound = nil
	}
	return nil
}

// liveEntries loads the snapshot's live files, pruning manifests and
// entries by partition. The FileSet remembers, per live entry, the
// manifest that added it (for errors).
func (p *planner) liveEntries(ctx context.Context, snap *snapshot.Snapshot) (*manifest.FileSet, error) {
	o := manifest.FileSetOptions{Cache: ManifestCache()}
	if p.partBound != nil {
		o.PartitionStats = func(m *manifest.FileMeta) bool {
			st := newStats(m.NumAddedFiles+m.NumDeletedFiles, len(p.partTypes))
			st.fill(p.partTypes, m.PartitionStats, identity(len(p.partTypes)))
			return p.partBound.MayMatch(st)
		}
		o.Partition = func(part []byte) (bool, error) { return p.partitionMayMatch(part), nil }
	}
	if len(p.exclude) > 0 {
		match := o.Partition
		o.Partition = func(part []byte) (bool, error) {
			if p.exclude[string(part)] {
				return false, nil
			}
			if match == nil {
				return true, nil
			}
			return match(part)
		}
	}
	whole := o.Partition == nil && o.PartitionStats == nil && o.Bucket == nil
	key := lastLiveKey{p.t.store.Bucket(), p.t.store.URL(), snap.BaseManifestList, snap.DeltaManifestList}
	if whole && o.Cache != nil {
		if fs := lastLive.get(key); fs != nil {
			p.stats.Manifests += fs.Stats().Manifests
			return fs, nil
		}
	}
	fs, err := manifest.LoadFileSet(ctx, p.t.store, []string{snap.BaseManifestList, snap.DeltaManifestList}, o)
	if err != nil {
		return nil, fmt.Errorf("snapshot %d: %w", snap.ID, err)
	}
	if whole && o.Cache != nil && fs.Bytes() <= o.Cache.MaxBytes()/2 {
		lastLive.put(key, fs)
	}
	p.stats.Manifests += fs.Stats().Manifests
	p.stats.ManifestsSkipped += fs.Stats().ManifestsSkipped
	return fs, nil
}

// lastLive keeps the FileSet of the last whole-snapshot load in the
// process (while a manifest cache is set), so that planning the same
// snapshot again, as a long-lived process does between commits, merges
// nothing. A snapshot's manifest lists never change, and name its files.
var lastLive lastLiveCache

type lastLiveKey struct {
	bucket      *blob.Bucket
	url         string
	base, delta string
}

type lastLiveCache struct {
	mu  sync.Mutex
	key lastLiveKey
	fs  *manifest.FileSet
}

func (c *lastLiveCache) get(k lastLiveKey) *manifest.FileSet {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fs != nil && c.key == k {
		return c.fs
	}
	return nil
}

func (c *lastLiveCache) put(k lastLiveKey, fs *manifest.FileSet) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.key, c.fs = k, fs
}

func (c *lastLiveCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.key, c.fs = lastLiveKey{}, nil
}

func (p *planner) partitionMayMatch(part []byte) bool {
	vals, err := decodeSerialized(p.partTypes, part)
	if err != nil {
		return true // be conservative
	}
	return p.partBound.MayMatch(predicate.RowStats(vals))
}

type dvKey struct {
	partition string
	bucket    int32
	file      string
}

// deletionFiles indexes the snapshot's deletion vectors by data file (live
// holds the snapshot's live entries). A vector whose data file is not live
// in its partition and bucket is either stale or damage:
//   - Paimon's compaction can leave the vectors of files it rewrote in the
//     index (apache/paimon#8778, seen from Java 1.4.2 in interop runs), and
//     Java's readers ignore them; floe ignores them too and counts them in
//     PlanStats.StaleDeletionVectors.
//   - A damaged index manifest moves a vector to another bucket or
//     partition, or changes a byte or two of its data file's name; skipping
//     it would resurrect the rows it deletes from the file it belongs to.
//     So a vector naming a file that is live elsewhere, or a name within a
//     few bytes of a live file of its bucket, is ErrCorrupt naming the
//     index manifest (staleDVName decides, a pure function).
func (p *planner) deletionFiles(ctx context.Context, snap *snapshot.Snapshot, live *manifest.FileSet) (map[dvKey]*DeletionFile, error) {
	if snap.IndexManifest == nil || *snap.IndexManifest == "" {
		return nil, nil
	}
	name := *snap.IndexManifest
	entries, err := manifest.ReadIndexManifest(ctx, p.t.store, name)
	if err != nil {
		return nil, fmt.Errorf("snapshot %d: %w", snap.ID, err)
	}
	files := make(map[dvKey]bool, live.Len())
	liveNames := make(map[string]bool, live.Len())
	inBucket := map[bucketKey][]string{}
	for i := range live.Len() {
		e := live.Entry(i)
		files[dvKey{string(e.Partition), e.Bucket, e.File.FileName}] = true
		liveNames[e.File.FileName] = true
		bk := bucketKey{string(e.Partition), e.Bucket}
		inBucket[bk] = append(inBucket[bk], e.File.FileName)
	}
	out := map[dvKey]*DeletionFile{}
	for _, e := range entries {
		if e.IndexType != manifest.IndexDeletionVectors {
			continue
		}
		if p.partBound != nil && !p.partitionMayMatch(e.Partition) || p.exclude[string(e.Partition)] {
			continue // the partition's files were not read
		}
		for _, r := range e.DVRanges {
			k := dvKey{string(e.Partition), e.Bucket, r.DataFile}
			if out[k] != nil {
				return nil, fmt.Errorf("index manifest %s: %w: two deletion vectors for data file %s (bucket %d)", name, manifest.ErrCorrupt, r.DataFile, e.Bucket)
			}
			if !files[k] {
				if why := staleDVName(r.DataFile, liveNames[r.DataFile], inBucket[bucketKey{string(e.Partition), e.Bucket}]); why != "" {
					return nil, fmt.Errorf("index manifest %s: %w: index file %s holds a deletion vector for data file %s, which is not live in bucket %d of partition %x but %s",
						name, manifest.ErrCorrupt, e.FileName, r.DataFile, e.Bucket, e.Partition, why)
				}
				p.stats.StaleDeletionVectors++
				continue
			}
			out[k] = &DeletionFile{
				IndexManifest: name,
				IndexFile:     e.FileName,
				IndexFileSize: e.FileSize,
				ExternalPath:  e.ExternalPath,
				Offset:        r.Offset,
				Length:        r.Length,
				Cardinality:   r.Cardinality,
			}
		}
	}
	return out, nil
}

type bucketKey struct {
	partition string
	bucket    int32
}

// staleDVName decides whether a deletion vector for a data file that is
// not live in its bucket may be a stale one Paimon left behind (""), or
// says why it must be damage: its file is live in another bucket or
// partition, or its name looks derived from a live file's of its own
// bucket (bucketFiles). Paimon names data files by random UUIDs, so a stale
// vector's name shares little with any live name beyond the fixed
// "data-" and "-N.parquet" parts, while a damaged name keeps most of the
// name it came from (a flipped bit changes one byte; in a compressed block
// it garbles a short run).
func staleDVName(file string, liveElsewhere bool, bucketFiles []string) string {
	if liveElsewhere {
		return "is live in another bucket or partition"
	}
	for _, f := range bucketFiles {
		if n := sharedChars(file, f); 3*n >= 2*max(len(file), len(f)) {
			return fmt.Sprintf("shares %d of its %d characters with live data file %s", n, len(file), f)
		}
	}
	return ""
}

// sharedChars is how many characters a and b share: their common prefix
// and suffix, or, for names of one length, the positions where they agree,
// whichever is more.
func sharedChars(a, b string) int {
	n := min(len(a), len(b))
	p := 0
	for p < n && a[p] == b[p] {
		p++
	}
	s := 0
	for s < n-p && a[len(a)-1-s] == b[len(b)-1-s] {
		s++
	}
	shared := p + s
	if len(a) == len(b) {
		same := 0
		for i := range len(a) {
			if a[i] == b[i] {
				same++
			}
		}
		shared = max(shared, same)
	}
	return shared
}

// splits plans snap's live files into one split per partition and bucket,
// with their deletion vectors.
func (p *planner) splits(ctx context.Context, snap *snapshot.Snapshot) ([]*Split, error) {
	live, err := p.liveEntries(ctx, snap)
	if err != nil {
		return nil, err
	}
	if p.seen != nil {
		for _, k := range live.Buckets() {
			p.seen[k.Partition] = true
		}
	}
	dvs, err := p.deletionFiles(ctx, snap, live)
	if err != nil {
		return nil, err
	}
	splits, err := p.group(ctx, live)
	if err != nil {
		return nil, err
	}
	for _, s := range splits {
		s.SnapshotID = snap.ID
		if len(dvs) == 0 {
			continue
		}
		var any bool
		ds := make([]*DeletionFile, len(s.Files))
		for i := range s.Files {
			if d, ok := dvs[dvKey{string(s.Partition), s.Bucket, s.Files[i].FileName}]; ok {
				ds[i] = d
				any = true
			}
		}
		if any {
			s.Deletes = ds
		}
	}
	return splits, nil
}

// group prunes files by level and statistics and groups the rest into
// one split per (partition, bucket).
func (p *planner) group(ctx context.Context, fs *manifest.FileSet) ([]*Split, error) {
	p.stats.Files = fs.Len()
	keys := fs.Buckets()
	// Buckets are independent: large sets are grouped in parallel, in
	// chunks of buckets.
	workers := min(runtime.GOMAXPROCS(0), max(1, fs.Len()/groupChunkFiles), len(keys))
	byKey := make([]*Split, len(keys))
	skipped := make([]int, workers)
	errAt := make([]int, workers) // key position of each worker's error
	errs := make([]error, workers)
	var wg sync.WaitGroup
	per := (len(keys) + workers - 1) / max(workers, 1)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var checked string // the last partition checked (keys come sorted)
			// The splits' Files and Manifests are cut from one array each.
			lo, hi := min(len(keys), w*per), min(len(keys), (w+1)*per)
			n := 0
			for _, k := range keys[lo:hi] {
				n += len(fs.Indexes(k))
			}
			slab := splitSlab{files: make([]manifest.DataFile, 0, n), manifests: make([]string, 0, n)}
			for ki := lo; ki < hi; ki++ {
				s, skip, err := p.bucketSplit(fs, keys[ki], &checked, &slab)
				if err != nil {
					errAt[w], errs[w] = ki, err
					return
				}
				byKey[ki], skipped[w] = s, skipped[w]+skip
			}
		}()
	}
	wg.Wait()
	var first error
	firstAt := len(keys)
	for w := range workers {
		p.stats.FilesSkipped += skipped[w]
		if errs[w] != nil && errAt[w] < firstAt {
			first, firstAt = errs[w], errAt[w]
		}
	}
	if first != nil {
		return nil, first
	}
	splits := make([]*Split, 0, len(keys))
	for _, s := range byKey {
		if s != nil {
			splits = append(splits, s)
		}
	}
	kept := splits[:0]
	for _, s := range splits {
		if err := p.pruneSplit(ctx, s); err != nil {
			return nil, err
		}
		if len(s.Files) == 0 {
			continue
		}
		if p.pk {
			s.Raw = p.noMerge || rawConvertible(s.Files)
		} else {
			sortBySequence(s)
		}
		kept = append(kept, s)
	}
	sortSplits(kept)
	return kept, nil
}

// groupChunkFiles is about the number of live files per goroutine of
// group.
const groupChunkFiles = 20_000

// bucketSplit makes the split of one bucket's live files (nil when none
// is read) and returns the number of files skipped. checked is the last
// partition whose serialized form was checked (the buckets of a partition
// come one after the other).
func (p *planner) bucketSplit(fs *manifest.FileSet, k manifest.BucketKey, checked *string, slab *splitSlab) (*Split, int, error) {
	idx := fs.Indexes(k)
	first := fs.Entry(int(idx[0]))
	if p.pk && first.Bucket == -2 {
		return nil, len(idx), nil // postponed files are invisible until redistributed
	}
	n := 0
	for _, i := range idx {
		if p.levelKept(fs.Entry(int(i)).File.Level) {
			n++
		}
	}
	if n == 0 {
		return nil, len(idx), nil
	}
	if *checked != k.Partition || k.Partition == "" {
		if _, err := decodeSerialized(p.partTypes, first.Partition); err != nil {
			return nil, 0, fmt.Errorf("manifest %s: %w: partition of %s: %v", fs.Source(int(idx[0])), manifest.ErrCorrupt, first.File.FileName, err)
		}
		*checked = k.Partition
	}
	s := &Split{Partition: first.Partition, Bucket: first.Bucket, TotalBuckets: first.TotalBuckets,
		Files:     slab.files[len(slab.files) : len(slab.files) : len(slab.files)+n],
		Manifests: slab.manifests[len(slab.manifests) : len(slab.manifests) : len(slab.manifests)+n]}
	for _, i := range idx {
		e := fs.Entry(int(i))
		if !p.levelKept(e.File.Level) {
			continue
		}
		s.Files = append(s.Files, e.File)
		s.Manifests = append(s.Manifests, fs.Source(int(i)))
	}
	slab.files, slab.manifests = slab.files[:len(slab.files)+n], slab.manifests[:len(slab.manifests)+n]
	return s, len(idx) - n, nil
}

// sortBySequence orders an append table's split (bucketSplit's: Files and
// Manifests in step) by the files' first sequence numbers, stable.
func sortBySequence(s *Split) {
	sort.Stable(filesBySequence{s.Files, s.Manifests})
}

type filesBySequence struct {
	files     []manifest.DataFile
	manifests []string
}

func (f filesBySequence) Len() int { return len(f.files) }
func (f filesBySequence) Less(i, j int) bool {
	return f.files[i].MinSequenceNumber < f.files[j].MinSequenceNumber
}
func (f filesBySequence) Swap(i, j int) {
	f.files[i], f.files[j] = f.files[j], f.files[i]
	f.manifests[i], f.manifests[j] = f.manifests[j], f.manifests[i]
}

// splitSlab holds the arrays a group worker cuts its splits' Files and
// Manifests from (each split's capacity ends at its length).
type splitSlab struct {
	files     []manifest.DataFile
	manifests []string
}

// levelKept reports whether files of a level are read: no-merge
// primary-key reads skip level 0, and a stream's full read may read only
// some levels.
func (p *planner) levelKept(level int32) bool {
	return !(p.noMerge && level == 0 || p.pk && p.level != nil && !p.level(level))
}

// rawConvertible reports whether a merge-on-read bucket needs no merging:
// every file is in the same level ≥ 1 and has no retract rows.
func rawConvertible(files []manifest.DataFile) bool {
	for _, f := range files {
		if f.Level == 0 || f.DeleteRowCount == nil || *f.DeleteRowCount != 0 || f.Level != files[0].Level {
			return false
		}
	}
	return true
}

// pruneSplit drops files whose statistics rule out the filter. Append
// tables and no-merge primary-key reads use value statistics per file.
// Merge-on-read buckets use key statistics per file, and drop the whole
// bucket only when no file's value statistics may match (then no version
// of any key matches, whichever version the merge selects).
func (p *planner) pruneSplit(ctx context.Context, s *Split) error {
	if p.rowBound == nil {
		return nil
	}
	n := len(s.Files)
	var files []manifest.DataFile
	var manifests []string
	valueMatch := false
	for i, f := range s.Files {
		fs, err := p.t.SchemaByID(ctx, f.SchemaID)
		if err != nil {
			return err
		}
		vm := p.rowBound.MayMatch(p.valueStats(fs, &f))
		if !p.pk || p.noMerge {
			if vm {
				files, manifests = append(files, f), append(manifests, s.manifestOf(i))
			}
			continue
		}
		valueMatch = valueMatch || vm
		if p.rowBound.MayMatch(p.keyStats(fs, &f)) {
			files, manifests = append(files, f), append(manifests, s.manifestOf(i))
		}
	}
	// Only selecting engines return one of a key's records unchanged;
	// partial-update and aggregation build new values from several.
	selecting := p.t.engine != nil && p.t.engine.Traits().Selecting
	if p.pk && !p.noMerge && !valueMatch && selecting {
		files, manifests = nil, nil
	}
	s.Files, s.Manifests = files, manifests
	p.stats.FilesSkipped += n - len(files)
	return nil
}

// valueStats maps a file's _VALUE_STATS (over its write schema's columns,
// or _VALUE_STATS_COLS) to the read schema's fields by field id.
func (p *planner) valueStats(fs *schema.Table, f *manifest.DataFile) *stats {
	rf := p.schema.Fields
	st := newStats(f.RowCount, len(rf))
	statFields := fs.Fields
	if f.ValueStatsCols != nil {
		statFields = make([]schema.Field, 0, len(f.ValueStatsCols))
		for _, c := range f.ValueStatsCols {
			sf, ok := fs.Field(c)
			if !ok {
				return newStats(f.RowCount, len(rf)) // unknown
			}
			statFields = append(statFields, sf)
		}
	}
	idx := make([]int, len(rf))
	for i, r := range rf {
		idx[i] = -1
		if _, ok := fieldByID(fs.Fields, r.ID); !ok {
			// The column did not exist when the file was written: all null.
			st.known[i] = true
			st.nulls[i] = f.RowCount
			continue
		}
		// Statistics of a column whose type changed since the file was
		// written are not used (casts need not keep the order: INT 9 <
		// 100 but STRING "9" > "100"), except for integer widening,
		// whose values convert exactly. Java drops such filters the
		// same way (SimpleStatsEvolutions.filterUnsafeFilter).
		if sf, ok := fieldByID(statFields, r.ID); ok && (sameType(sf.Type, r.Type) || intWidening(sf.Type, r.Type)) {
			idx[i] = fieldIndexByID(statFields, r.ID)
		}
	}
	st.fill(typesNullable(statFields), f.ValueStats, idx)
	for i, r := range rf {
		if idx[i] >= 0 && !sameType(statFields[idx[i]].Type, r.Type) {
			st.min[i], st.max[i] = widenInt(st.min[i], r.Type.Kind), widenInt(st.max[i], r.Type.Kind)
		}
	}
	return st
}

var intRank = map[schema.Kind]int{schema.TinyInt: 1, schema.SmallInt: 2, schema.Int: 3, schema.BigInt: 4}

// intWidening reports whether from → to is an integer type widening (every
// value of from converts exactly and in order).
func intWidening(from, to schema.DataType) bool {
	a, b := intRank[from.Kind], intRank[to.Kind]
	return a > 0 && b > a
}

// widenInt converts a decoded integer statistic to the Go type of kind k.
func widenInt(v any, k schema.Kind) any {
	var n int64
	switch x := v.(type) {
	case int8:
		n = int64(x)
	case int16:
		n = int64(x)
	case int32:
		n = int64(x)
	case int64:
		n = x
	default:
		return v // nil (unknown)
	}
	switch k {
	case schema.SmallInt:
		return int16(n)
	case schema.Int:
		return int32(n)
	}
	return n
}

// keyStats maps a primary-key file's _KEY_STATS (over the trimmed primary
// key of its write schema) to the read schema's fields; other fields are
// unknown.
func (p *planner) keyStats(fs *schema.Table, f *manifest.DataFile) *stats {
	rf := p.schema.Fields
	st := newStats(f.RowCount, len(rf))
	keys := fs.TrimmedPrimaryKeyFields()
	idx := make([]int, len(rf))
	for i, r := range rf {
		idx[i] = -1
		if kf, ok := fieldByID(keys, r.ID); ok && sameType(kf.Type, r.Type) {
			idx[i] = fieldIndexByID(keys, r.ID)
		}
	}
	st.fill(typesNullable(keys), f.KeyStats, idx)
	return st
}

func fieldByID(fields []schema.Field, id int) (schema.Field, bool) {
	if i := fieldIndexByID(fields, id); i >= 0 {
		return fields[i], true
	}
	return schema.Field{}, false
}

func fieldIndexByID(fields []schema.Field, id int) int {
	for i := range fields {
		if fields[i].ID == id {
			return i
		}
	}
	return -1
}

func sameType(a, b schema.DataType) bool {
	return a.Nullable().String() == b.Nullable().String()
}

func typesNullable(fields []schema.Field) []schema.DataType {
	out := make([]schema.DataType, len(fields))
	for i, f := range fields {
		out[i] = f.Type.Nullable()
	}
	return out
}

func identity(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// stats implements predicate.Stats over decoded SimpleStats.
type stats struct {
	rows     int64
	min, max []any
	nulls    []int64
	known    []bool // null count known
}

func newStats(rows int64, n int) *stats {
	return &stats{rows: rows, min: make([]any, n), max: make([]any, n), nulls: make([]int64, n), known: make([]bool, n)}
}

// fill sets field i from stats column idx[i] (-1: leave as is).
// Undecodable statistics leave everything unknown.
func (s *stats) fill(types []schema.DataType, ss manifest.SimpleStats, idx []int) {
	mins, err1 := decodeSerialized(types, ss.Min)
	maxs, err2 := decodeSerialized(types, ss.Max)
	if err1 != nil || err2 != nil {
		return
	}
	for i, j := range idx {
		if j < 0 || j >= len(types) {
			continue
		}
		s.min[i], s.max[i] = mins[j], maxs[j]
		if j < len(ss.NullCounts) && ss.NullCounts[j] != nil {
			s.nulls[i], s.known[i] = *ss.NullCounts[j], true
		}
	}
}

func (s *stats) RowCount() int64 { return s.rows }
func (s *stats) Min(i int) any   { return s.min[i] }
func (s *stats) Max(i int) any   { return s.max[i] }
func (s *stats) NullCount(i int) (int64, bool) {
	return s.nulls[i], s.known[i]
}

var _ predicate.Stats = (*stats)(nil)

// keyCompare compares serialized trimmed-primary-key rows.
func keyCompare(types []schema.DataType) func(a, b []byte) int {
	return func(a, b []byte) int {
		if len(a) < 4 || len(b) < 4 {
			return len(a) - len(b)
		}
		return binrow.CompareRows(types, a[4:], b[4:])
	}
}
