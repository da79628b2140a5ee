package manifest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unsafe"

	"github.com/floelake/floe/storage"
)

// BucketKey names one bucket: the serialized partition (as manifests store
// it, with the arity prefix) and the bucket.
type BucketKey struct {
	Partition string
	Bucket    int32
}

// KeyOf returns the bucket of an entry.
func KeyOf(e *Entry) BucketKey { return BucketKey{string(e.Partition), e.Bucket} }

// FileSetOptions select the part of a snapshot LoadFileSet reads. The zero
// value reads everything.
type FileSetOptions struct {
	// Partition, when set, keeps only entries whose serialized partition
	// it accepts. An error fails the load (naming the manifest).
	Partition func(serialized []byte) (bool, error)
	// PartitionStats, when set, is asked for each listed manifest: false
	// skips the manifest unread (its partition statistics rule out every
	// partition the caller wants). It must not return false for a
	// manifest that holds an entry Partition would keep.
	PartitionStats func(m *FileMeta) bool
	// Bucket, when set, keeps only entries of the buckets it accepts.
	Bucket func(bucket int32) bool
	// Cache, when set, keeps the manifests read without Partition and
	// Bucket decoded, and serves them to later loads. Loads with
	// Partition or Bucket use the manifests it holds, and decode others
	// without the data files of the entries they drop.
	Cache *Cache
}

// FileSetStats counts the work of a load.
type FileSetStats struct {
	Manifests        int // manifests the lists name
	ManifestsSkipped int // of them, skipped by PartitionStats
	Entries          int // entries read that Partition and Bucket kept (ADD and DELETE)
}

// FileSet is the set of live data files of a snapshot (or of the part of
// it a load selected), by partition, bucket and level. Entries keep the
// order of the manifests they came from. A FileSet is immutable and safe
// for concurrent use; the entries it returns share its memory (Entry's,
// with a Cache, the cache's too) and must not be modified.
type FileSet struct {
	live []*Entry // the live entries in order
	// entries holds live's entries in one array: the set's own when it
	// has one (live points into it), else built by Entries (live points
	// into a cache's arrays).
	entries []Entry
	owned   bool // entries was the set's from the start
	once    sync.Once
	names   []string // manifests entries came from; nil for NewFileSet
	sources []int32  // names[sources[i]] added live[i]
	buckets map[BucketKey][]int32
	keys    []BucketKey // sorted
	stats   FileSetStats
}

// Lists are a snapshot's manifest lists, read (see ReadLists).
type Lists struct {
	Names []string     // the lists in order, empty names dropped
	Metas [][]FileMeta // Metas[i] are the manifests Names[i] lists
}

// ReadLists reads manifest lists in order (typically a snapshot's base and
// delta lists; empty names are skipped). A manifest named twice, in one
// list or in two, is ErrCorrupt naming both lists: each commit writes
// fresh manifests, so its entries would be applied twice.
func ReadLists(ctx context.Context, st *storage.Store, names ...string) (*Lists, error) {
	l := &Lists{}
	lister := map[string]string{} // manifest -> the list naming it
	for _, n := range names {
		if n == "" {
			continue
		}
		metas, err := ReadList(ctx, st, n)
		if err != nil {
			return nil, err
		}
		for _, m := range metas {
			if prev := lister[m.FileName]; prev != "" {
				return nil, fmt.Errorf("manifest list %s: %w: it names manifest %s, which manifest list %s names too",
					n, ErrCorrupt, m.FileName, prev)
			}
			lister[m.FileName] = n
		}
		l.Names = append(l.Names, n)
		l.Metas = append(l.Metas, metas)
	}
	return l, nil
}

// LoadFileSet reads the manifest lists in order (base then delta; empty
// names are skipped) and the manifests they name that o does not prune,
// and merges the ADD and DELETE entries o keeps into the live files (see
// Load).
func LoadFileSet(ctx context.Context, st *storage.Store, lists []string, o FileSetOptions) (*FileSet, error) {
	l, err := ReadLists(ctx, st, lists...)
	if err != nil {
		return nil, err
	}
	return l.Load(ctx, st, o)
}

// Load reads the manifests of the lists that o does not prune (each checked
// against its list entry, see CheckListed) and merges the entries o keeps
// into the live files. Manifests are read and decoded in parallel
// (ReadLimit at once); o's functions are called one at a time, Partition
// and Bucket about once per distinct value and manifest.
//
// Errors name the metadata file at fault: a failed manifest read names the
// list that names the manifest; an ADD of a file already present is
// ErrCorrupt (wrapping a *DuplicateAddError) naming both manifests; and,
// when no manifest was skipped by PartitionStats, a DELETE that cancels no
// earlier ADD is ErrCorrupt naming its manifest and those adding a file
// like it. Paimon's commit deletes only live files, so in a whole snapshot
// every DELETE cancels an earlier ADD; Partition and Bucket keep or drop a
// DELETE together with its ADD, so the check holds for them too.
func (l *Lists) Load(ctx context.Context, st *storage.Store, o FileSetOptions) (*FileSet, error) {
	var stats FileSetStats
	var metas []FileMeta
	var listOf []int // the list naming metas[i]
	for i, ms := range l.Metas {
		stats.Manifests += len(ms)
		for j := range ms {
			if o.PartitionStats != nil && !o.PartitionStats(&ms[j]) {
				stats.ManifestsSkipped++
				continue
			}
			metas = append(metas, ms[j])
			listOf = append(listOf, i)
		}
	}
	// Manifests decode into one array, each into the place its list
	// entry's counts give it, so that the entries need no copy into one
	// slice afterwards. The counts are only a hint (bounded by the file
	// size, so a bogus one cannot force a large allocation).
	offs := make([]int, len(metas)+1)
	for i := range metas {
		m := &metas[i]
		offs[i+1] = offs[i] + int(min(m.NumAddedFiles+m.NumDeletedFiles, m.FileSize, 1<<26))
	}
	// With a cache, each manifest decodes into an array of its own,
	// which the cache keeps and the set shares.
	var all []Entry
	if o.Cache == nil {
		all = make([]Entry, offs[len(metas)])
	}
	var mu sync.Mutex // o's functions are called one at a time
	parts, failed, err := readManifests(ctx, metas, func(ctx context.Context, i int, m *FileMeta) ([]Entry, error) {
		var dst []Entry
		if all != nil {
			dst = all[offs[i]:offs[i]:offs[i+1]]
		}
		return o.read(ctx, st, m, dst, &mu)
	})
	if err != nil {
		if failed >= 0 {
			return nil, fmt.Errorf("manifest list %s: %w", l.Names[listOf[failed]], err)
		}
		return nil, err
	}
	n := 0
	fits := all != nil
	for i, es := range parts {
		n += len(es)
		fits = fits && len(es) <= offs[i+1]-offs[i]
	}
	var entries []Entry // the entries in one array (nil: with a cache)
	live := make([]*Entry, 0, n)
	if all == nil {
		for _, es := range parts {
			for j := range es {
				live = append(live, &es[j])
			}
		}
	} else if fits {
		// Move each manifest's entries down to the end of the previous
		// ones (in place, or from the cache). Without filters every
		// manifest fills its place exactly and nothing moves.
		w := 0
		for _, es := range parts {
			if len(es) > 0 && &es[0] != &all[w] {
				copy(all[w:], es)
			}
			w += len(es)
		}
		clear(all[w:])
		entries = all[:w:w]
	} else {
		entries = make([]Entry, 0, n)
		for _, es := range parts {
			entries = append(entries, es...)
		}
	}
	for i := range entries {
		live = append(live, &entries[i])
	}
	from := make([]int32, 0, n)
	names := make([]string, len(metas))
	for i, es := range parts {
		names[i] = metas[i].FileName
		for range es {
			from = append(from, int32(i))
		}
	}
	stats.Entries = len(live)
	s, err := newFileSet(live, entries, names, from, stats.ManifestsSkipped == 0)
	if err != nil {
		return nil, err
	}
	s.stats = stats
	return s, nil
}

// read reads, decodes and checks manifest m and returns the entries o
// keeps.
func (o *FileSetOptions) read(ctx context.Context, st *storage.Store, m *FileMeta, dst []Entry, mu *sync.Mutex) ([]Entry, error) {
	f := o.newFilter(m, mu)
	var key cacheKey
	if o.Cache != nil {
		key = newCacheKey(st, m)
		if es, ok := o.Cache.get(key); ok {
			if f == nil {
				return es, nil
			}
			return f.apply(es, false)
		}
	}
	b, err := st.Read(ctx, Key(m.FileName))
	if err != nil {
		return nil, fmt.Errorf("read manifest %s: %w", m.FileName, err)
	}
	d := &decoder{}
	if f != nil {
		d.keep = f.keep
	}
	es, err := decodeFile(m.FileName, b, entrySpec, Version, d, dst, (*decoder).entry)
	if err == nil {
		err = f.error()
	}
	if err != nil {
		return nil, err
	}
	if err := checkListed(m, es, d.droppedKinds); err != nil {
		return nil, err
	}
	if f == nil {
		if o.Cache != nil {
			es = o.Cache.put(st, key, es, d.blockBytes)
		}
		return es, nil
	}
	// Entries whose partition and bucket followed _FILE in the writer
	// schema were decoded whole: filter them now.
	return f.apply(es, true)
}

// entryFilter applies a FileSetOptions' Partition and Bucket to the
// entries of one manifest, asking Partition once per partition.
type entryFilter struct {
	o       *FileSetOptions
	m       *FileMeta
	mu      *sync.Mutex // held while calling o's functions (shared by a load)
	memo    map[string]bool
	buckets map[int32]bool
	err     error
}

// newFilter returns nil when o keeps every entry.
func (o *FileSetOptions) newFilter(m *FileMeta, mu *sync.Mutex) *entryFilter {
	if o.Bucket == nil && o.Partition == nil {
		return nil
	}
	return &entryFilter{o: o, m: m, mu: mu}
}

// keep reports whether o keeps an entry of a partition and bucket. A
// failure of Partition keeps it and is reported by error.
func (f *entryFilter) keep(partition []byte, bucket int32) bool {
	if f.o.Bucket != nil {
		ok, seen := f.buckets[bucket]
		if !seen {
			f.mu.Lock()
			ok = f.o.Bucket(bucket)
			f.mu.Unlock()
			if f.buckets == nil {
				f.buckets = map[int32]bool{}
			}
			f.buckets[bucket] = ok
		}
		if !ok {
			return false
		}
	}
	if f.o.Partition == nil {
		return true
	}
	ok, seen := f.memo[string(partition)]
	if !seen {
		var err error
		f.mu.Lock()
		ok, err = f.o.Partition(partition)
		f.mu.Unlock()
		if err != nil {
			if f.err == nil {
				f.err = err
			}
			return true
		}
		if f.memo == nil {
			f.memo = map[string]bool{}
		}
		f.memo[string(partition)] = ok
	}
	return ok
}

func (f *entryFilter) error() error {
	if f == nil || f.err == nil {
		return nil
	}
	return fmt.Errorf("manifest %s: partition: %w", f.m.FileName, f.err)
}

// apply returns the entries of es that f keeps: in es itself when owned,
// else in a new slice (es is shared).
func (f *entryFilter) apply(es []Entry, owned bool) ([]Entry, error) {
	var kept []Entry
	if owned {
		kept = es[:0]
	}
	for k := range es {
		e := &es[k]
		if f.keep(e.Partition, e.Bucket) {
			kept = append(kept, *e)
		}
	}
	if f.err != nil {
		return nil, f.error()
	}
	if owned {
		clear(es[len(kept):]) // drop what the entries filtered out point to
	}
	return kept, nil
}

// NewFileSet merges entries (in order, see Merge) into a file set. A
// DELETE that cancels no ADD is dropped: entries may be a partial set of
// manifests.
func NewFileSet(entries []Entry) (*FileSet, error) {
	live := make([]*Entry, len(entries))
	for i := range entries {
		live[i] = &entries[i]
	}
	s, err := newFileSet(live, entries, nil, nil, false)
	if err != nil {
		return nil, err
	}
	s.stats.Entries = len(entries)
	return s, nil
}

// newFileSet merges entries; names[from[i]] is the manifest of entries[i]
// (nil: none known). With strict a DELETE cancelling no ADD is ErrCorrupt.
// owned, when set, is the array entries point into, in order: the set
// keeps it when every entry survives, and otherwise its survivors in an
// array of their own. Without owned the set shares what entries point
// to (a cache's arrays).
func newFileSet(entries []*Entry, owned []Entry, names []string, from []int32, strict bool) (*FileSet, error) {
	keep, err := mergeIndexes(entries)
	if err != nil {
		var dup *DuplicateAddError
		if from != nil && errors.As(err, &dup) {
			return nil, fmt.Errorf("manifest %s: %w: %w (after manifest %s)", names[from[dup.Index]], ErrCorrupt, err, names[from[dup.Prior]])
		}
		return nil, err
	}
	s := &FileSet{buckets: map[BucketKey][]int32{}, names: names}
	all := len(keep) == len(entries) // nothing cancelled: maybe no copy
	for _, k := range keep {
		if entries[k].Kind != Add {
			if strict {
				return nil, unmatchedDelete(entries, names, from, k)
			}
			all = false
		}
	}
	if all {
		s.live, s.entries, s.sources, s.owned = entries, owned, from, owned != nil
	} else {
		s.live = make([]*Entry, 0, len(keep))
		if from != nil {
			s.sources = make([]int32, 0, len(keep))
		}
		for _, k := range keep {
			if entries[k].Kind != Add {
				continue
			}
			s.live = append(s.live, entries[k])
			if from != nil {
				s.sources = append(s.sources, from[k])
			}
		}
		if owned != nil {
			// Copy the survivors, so that the set does not hold what
			// was cancelled.
			s.entries = make([]Entry, len(s.live))
			for i, e := range s.live {
				s.entries[i] = *e
				s.live[i] = &s.entries[i]
			}
			s.owned = true
		}
	}
	// Entries of a bucket come in runs: look the key up once per run.
	// A bucket's first run takes its part of one array (capacity ending
	// at its length, so a later run appends elsewhere), and the buckets
	// of a partition share one string.
	idxs := make([]int32, len(s.live))
	var part string
	for i := 0; i < len(s.live); {
		e := s.live[i]
		j := i + 1
		for j < len(s.live) && s.live[j].Bucket == e.Bucket && string(s.live[j].Partition) == string(e.Partition) {
			j++
		}
		if i == 0 || part != string(e.Partition) {
			part = string(e.Partition)
		}
		k := BucketKey{part, e.Bucket}
		idx, ok := s.buckets[k]
		if !ok {
			s.keys = append(s.keys, k)
			idx = idxs[i:i:j]
		}
		for x := i; x < j; x++ {
			idx = append(idx, int32(x))
		}
		s.buckets[k] = idx
		i = j
	}
	slices.SortFunc(s.keys, func(a, b BucketKey) int {
		return cmp.Or(strings.Compare(a.Partition, b.Partition), cmp.Compare(a.Bucket, b.Bucket))
	})
	return s, nil
}

// unmatchedDelete reports the DELETE entries[k] that cancels no earlier
// ADD. Either it or the ADD it should cancel is damaged, so the error also
// names the manifests of earlier ADDs of a file with its name, or in its
// bucket with a name a few bytes off.
func unmatchedDelete(entries []*Entry, names []string, from []int32, k int) error {
	e := entries[k]
	var adds []string
	for j := range k {
		a := entries[j]
		if a.Kind != Add || slices.Contains(adds, names[from[j]]) {
			continue
		}
		if a.File.FileName == e.File.FileName ||
			string(a.Partition) == string(e.Partition) && a.Bucket == e.Bucket && nearName(a.File.FileName, e.File.FileName) {
			adds = append(adds, names[from[j]])
		}
	}
	msg := fmt.Sprintf("DELETE of data file %s (bucket %d, level %d), which no earlier manifest adds", e.File.FileName, e.Bucket, e.File.Level)
	if len(adds) > 0 {
		msg += fmt.Sprintf(" (manifest %s adds a file like it)", strings.Join(adds, ", "))
	}
	return fmt.Errorf("manifest %s: %w: %s", names[from[k]], ErrCorrupt, msg)
}

// nearName reports names of equal length that differ in a few bytes (at
// most one in eight): a damaged copy, as Paimon's names differ in the
// random UUID. A flipped bit in a compressed block may change several
// bytes of the decoded name.
func nearName(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	d := 0
	for i := 0; i < len(a); i++ {
		if a[i] != b[i] {
			d++
		}
	}
	return d > 0 && d <= max(2, len(a)/8)
}

// Len returns the number of live files.
func (s *FileSet) Len() int { return len(s.live) }

// Entry returns Entries()[i] without building Entries.
func (s *FileSet) Entry(i int) *Entry { return s.live[i] }

// Entries returns the live (ADD) entries in manifest order. A set loaded
// with a cache builds the array on the first call (its entries are the
// cache's, in several arrays); Len and Entry do not need it.
func (s *FileSet) Entries() []Entry {
	s.once.Do(func() {
		if s.entries == nil && len(s.live) > 0 {
			s.entries = make([]Entry, len(s.live))
			for i, e := range s.live {
				s.entries[i] = *e
			}
		}
	})
	return s.entries
}

// Source returns the manifest that added Entries()[i], or "" when the set
// was built by NewFileSet.
func (s *FileSet) Source(i int) string {
	if s.sources == nil {
		return ""
	}
	return s.names[s.sources[i]]
}

// Indexes returns the positions in Entries() of one bucket's live
// entries, in manifest order. The slice is shared: do not modify it.
func (s *FileSet) Indexes(k BucketKey) []int32 { return s.buckets[k] }

// Bytes estimates the memory the set's entries take (their structs, not
// the decoded blocks they point into, which a cache may share).
func (s *FileSet) Bytes() int64 {
	n := int64(cap(s.live))*8 + int64(cap(s.sources))*4
	if s.owned {
		n += int64(len(s.live)) * int64(unsafe.Sizeof(Entry{}))
	}
	return n
}

// Stats returns what the load read and skipped.
func (s *FileSet) Stats() FileSetStats { return s.stats }

// Buckets returns the buckets holding live files, sorted by partition
// bytes, then bucket.
func (s *FileSet) Buckets() []BucketKey { return s.keys }

// Bucket returns the live entries of one bucket, in manifest order.
func (s *FileSet) Bucket(k BucketKey) []Entry {
	idx := s.buckets[k]
	out := make([]Entry, len(idx))
	for i, j := range idx {
		out[i] = *s.live[j]
	}
	return out
}

// Levels returns the levels of a bucket's live files, ascending.
func (s *FileSet) Levels(k BucketKey) []int32 {
	var out []int32
	for _, j := range s.buckets[k] {
		if l := s.live[j].File.Level; !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	slices.Sort(out)
	return out
}

// Level returns the live entries of one level of a bucket, in manifest
// order.
func (s *FileSet) Level(k BucketKey, level int32) []Entry {
	var out []Entry
	for _, j := range s.buckets[k] {
		if s.live[j].File.Level == level {
			out = append(out, *s.live[j])
		}
	}
	return out
}

// MaxSequence returns the largest MaxSequenceNumber of a bucket's live
// files; ok is false when the bucket has none.
func (s *FileSet) MaxSequence(k BucketKey) (seq int64, ok bool) {
	for _, j := range s.buckets[k] {
		if m := s.live[j].File.MaxSequenceNumber; !ok || m > seq {
			seq, ok = m, true
		}
	}
	return seq, ok
}
