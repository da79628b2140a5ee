package manifest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

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
// for concurrent use; the entries it returns share its memory and must not
// be modified.
type FileSet struct {
	entries []Entry
	sources []string // manifest that added entries[i]; nil for NewFileSet
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
// into the live files.
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
	var entries []Entry
	var from []string
	for i, metas := range l.Metas {
		stats.Manifests += len(metas)
		if o.PartitionStats != nil {
			kept := make([]FileMeta, 0, len(metas))
			for j := range metas {
				if o.PartitionStats(&metas[j]) {
					kept = append(kept, metas[j])
				}
			}
			stats.ManifestsSkipped += len(metas) - len(kept)
			metas = kept
		}
		parts, err := ReadManifests(ctx, st, metas)
		if err != nil {
			return nil, fmt.Errorf("manifest list %s: %w", l.Names[i], err)
		}
		for j, es := range parts {
			for k := range es {
				e := &es[k]
				if o.Bucket != nil && !o.Bucket(e.Bucket) {
					continue
				}
				if o.Partition != nil {
					ok, err := o.Partition(e.Partition)
					if err != nil {
						return nil, fmt.Errorf("manifest %s: partition of %s: %w", metas[j].FileName, e.File.FileName, err)
					}
					if !ok {
						continue
					}
				}
				entries = append(entries, *e)
				from = append(from, metas[j].FileName)
			}
		}
	}
	stats.Entries = len(entries)
	s, err := newFileSet(entries, from, stats.ManifestsSkipped == 0)
	if err != nil {
		return nil, err
	}
	s.stats = stats
	return s, nil
}

// NewFileSet merges entries (in order, see Merge) into a file set. A
// DELETE that cancels no ADD is dropped: entries may be a partial set of
// manifests.
func NewFileSet(entries []Entry) (*FileSet, error) {
	s, err := newFileSet(entries, nil, false)
	if err != nil {
		return nil, err
	}
	s.stats.Entries = len(entries)
	return s, nil
}

// newFileSet merges entries; from names the manifest of each (nil: none
// known). With strict a DELETE cancelling no ADD is ErrCorrupt.
func newFileSet(entries []Entry, from []string, strict bool) (*FileSet, error) {
	keep, err := MergeIndexes(entries)
	if err != nil {
		var dup *DuplicateAddError
		if from != nil && errors.As(err, &dup) {
			return nil, fmt.Errorf("manifest %s: %w: %w (after manifest %s)", from[dup.Index], ErrCorrupt, err, from[dup.Prior])
		}
		return nil, err
	}
	s := &FileSet{buckets: map[BucketKey][]int32{}}
	s.entries = make([]Entry, 0, len(keep))
	if from != nil {
		s.sources = make([]string, 0, len(keep))
	}
	for _, k := range keep {
		e := &entries[k]
		if e.Kind != Add {
			if strict {
				return nil, unmatchedDelete(entries, from, k)
			}
			continue
		}
		bk := KeyOf(e)
		if _, ok := s.buckets[bk]; !ok {
			s.keys = append(s.keys, bk)
		}
		s.buckets[bk] = append(s.buckets[bk], int32(len(s.entries)))
		s.entries = append(s.entries, *e)
		if from != nil {
			s.sources = append(s.sources, from[k])
		}
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
func unmatchedDelete(entries []Entry, from []string, k int) error {
	e := &entries[k]
	var adds []string
	for j := range k {
		a := &entries[j]
		if a.Kind != Add || slices.Contains(adds, from[j]) {
			continue
		}
		if a.File.FileName == e.File.FileName ||
			string(a.Partition) == string(e.Partition) && a.Bucket == e.Bucket && nearName(a.File.FileName, e.File.FileName) {
			adds = append(adds, from[j])
		}
	}
	msg := fmt.Sprintf("DELETE of data file %s (bucket %d, level %d), which no earlier manifest adds", e.File.FileName, e.Bucket, e.File.Level)
	if len(adds) > 0 {
		msg += fmt.Sprintf(" (manifest %s adds a file like it)", strings.Join(adds, ", "))
	}
	return fmt.Errorf("manifest %s: %w: %s", from[k], ErrCorrupt, msg)
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
func (s *FileSet) Len() int { return len(s.entries) }

// Entries returns the live (ADD) entries in manifest order.
func (s *FileSet) Entries() []Entry { return s.entries }

// Source returns the manifest that added Entries()[i], or "" when the set
// was built by NewFileSet.
func (s *FileSet) Source(i int) string {
	if s.sources == nil {
		return ""
	}
	return s.sources[i]
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
		out[i] = s.entries[j]
	}
	return out
}

// Levels returns the levels of a bucket's live files, ascending.
func (s *FileSet) Levels(k BucketKey) []int32 {
	var out []int32
	for _, j := range s.buckets[k] {
		if l := s.entries[j].File.Level; !slices.Contains(out, l) {
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
		if s.entries[j].File.Level == level {
			out = append(out, s.entries[j])
		}
	}
	return out
}

// MaxSequence returns the largest MaxSequenceNumber of a bucket's live
// files; ok is false when the bucket has none.
func (s *FileSet) MaxSequence(k BucketKey) (seq int64, ok bool) {
	for _, j := range s.buckets[k] {
		if m := s.entries[j].File.MaxSequenceNumber; !ok || m > seq {
			seq, ok = m, true
		}
	}
	return seq, ok
}
