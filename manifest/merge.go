package manifest

import (
	"encoding/binary"
	"fmt"
	"hash/maphash"
)

// Identity returns the key identifying the file an entry adds or deletes:
// (partition bytes, bucket, level, file name, extra files, embedded index,
// external path). Two entries refer to the same file iff their identities
// are equal.
func (e *Entry) Identity() string {
	return string(e.appendIdentity(nil))
}

func (e *Entry) appendIdentity(b []byte) []byte {
	f := &e.File
	appendBytes := func(b, v []byte) []byte {
		b = binary.AppendUvarint(b, uint64(len(v)))
		return append(b, v...)
	}
	appendStr := func(b []byte, v string) []byte {
		b = binary.AppendUvarint(b, uint64(len(v)))
		return append(b, v...)
	}
	b = appendBytes(b, e.Partition)
	b = binary.BigEndian.AppendUint32(b, uint32(e.Bucket))
	b = binary.BigEndian.AppendUint32(b, uint32(f.Level))
	b = appendStr(b, f.FileName)
	b = binary.AppendUvarint(b, uint64(len(f.ExtraFiles)))
	for _, x := range f.ExtraFiles {
		b = appendStr(b, x)
	}
	if f.EmbeddedIndex == nil {
		b = append(b, 0)
	} else {
		b = append(b, 1)
		b = appendBytes(b, f.EmbeddedIndex)
	}
	if f.ExternalPath == nil {
		b = append(b, 0)
	} else {
		b = append(b, 1)
		b = appendStr(b, *f.ExternalPath)
	}
	return b
}

// DuplicateAddError reports an ADD of a file that is already present,
// live or as a tombstone. It wraps ErrDuplicateAdd.
type DuplicateAddError struct {
	Index  int // position of the second ADD among the merged entries
	Prior  int // position of the entry it collides with (an ADD or a DELETE)
	File   string
	Bucket int32
	Level  int32
}

func (e *DuplicateAddError) Error() string {
	return fmt.Sprintf("%v: %s (bucket %d, level %d)", ErrDuplicateAdd, e.File, e.Bucket, e.Level)
}

func (e *DuplicateAddError) Unwrap() error { return ErrDuplicateAdd }

// Merge applies entries in order by file identity: an ADD inserts the
// file (adding a file that is already present, live or as a tombstone,
// fails with a *DuplicateAddError), a DELETE removes the matching ADD or,
// when none was seen, stays as a tombstone (merging a partial set of
// manifests). The survivors are returned in the order they were first
// inserted. Merge does not modify entries.
func Merge(entries []Entry) ([]Entry, error) {
	keep, err := MergeIndexes(entries)
	if err != nil {
		return nil, err
	}
	out := make([]Entry, len(keep))
	for i, k := range keep {
		out[i] = entries[k]
	}
	return out, nil
}

// MergeIndexes is Merge returning the positions of the surviving entries
// in entries, in order.
func MergeIndexes(entries []Entry) ([]int, error) {
	ptrs := make([]*Entry, len(entries))
	for i := range entries {
		ptrs[i] = &entries[i]
	}
	return mergeIndexes(ptrs)
}

func mergeIndexes(entries []*Entry) ([]int, error) {
	// Entries are found by file name (a view into the decoded manifest,
	// so no key is built per entry), hashed once each into an
	// open-addressing table; names that collide are told apart by the
	// rest of the identity along a chain.
	names := newNameTable(len(entries))
	next := make([]int32, len(entries)) // chain of entries sharing a name, -1 ends
	keep := make([]bool, len(entries))
	live := 0
	for i, e := range entries {
		if e.Kind != Add && e.Kind != Delete {
			return nil, fmt.Errorf("manifest: entry %s has kind %d", e.File.FileName, e.Kind)
		}
		slot := names.find(entries, e.File.FileName)
		j := int32(-1) // the present entry with e's identity
		for c := slot.head; c >= 0; c = next[c] {
			if keep[c] && sameIdentity(entries[c], e) {
				j = c
				break
			}
		}
		switch {
		case j >= 0 && e.Kind == Add:
			return nil, &DuplicateAddError{Index: i, Prior: int(j), File: e.File.FileName, Bucket: e.Bucket, Level: e.File.Level}
		case j >= 0: // a DELETE cancels its ADD (or an earlier tombstone)
			keep[j] = false
			live--
			unlink(slot, next, j)
		default: // a new file, or a tombstone
			keep[i] = true
			live++
			if slot.key == 0 {
				slot.key = int32(i) + 1
			}
			next[i] = slot.head
			slot.head = int32(i)
		}
	}
	out := make([]int, 0, live)
	for i := range entries {
		if keep[i] {
			out = append(out, i)
		}
	}
	return out, nil
}

// nameTable is a hash table from file names to the chain of entries
// with that name: open addressing with linear probing, slots never
// removed. A map would hash each name twice (look up, then insert).
type nameTable struct {
	seed  maphash.Seed
	mask  uint64
	slots []nameSlot
}

type nameSlot struct {
	hash uint32 // high bits of the name's hash
	key  int32  // 1 + an entry with the name; 0: free slot
	head int32  // the chain's first entry, -1: none
}

func newNameTable(n int) *nameTable {
	size := 8
	for size < 2*n {
		size *= 2
	}
	return &nameTable{seed: maphash.MakeSeed(), mask: uint64(size - 1), slots: make([]nameSlot, size)}
}

// find returns the slot of name: the one holding it, or the free slot
// where it goes (key 0, head -1).
func (t *nameTable) find(entries []*Entry, name string) *nameSlot {
	h := maphash.String(t.seed, name)
	hi := uint32(h >> 32)
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		s := &t.slots[i]
		if s.key == 0 {
			s.hash, s.head = hi, -1
			return s
		}
		if s.hash == hi && entries[s.key-1].File.FileName == name {
			return s
		}
	}
}

// unlink removes entry j from the chain of slot.
func unlink(slot *nameSlot, next []int32, j int32) {
	if slot.head == j {
		slot.head = next[j]
		return
	}
	for c := slot.head; c >= 0; c = next[c] {
		if next[c] == j {
			next[c] = next[j]
			return
		}
	}
}

// sameIdentity reports whether a and b name the same file (equal
// Identity, compared without building it).
func sameIdentity(a, b *Entry) bool {
	fa, fb := &a.File, &b.File
	if a.Bucket != b.Bucket || fa.Level != fb.Level || fa.FileName != fb.FileName ||
		string(a.Partition) != string(b.Partition) || len(fa.ExtraFiles) != len(fb.ExtraFiles) ||
		(fa.EmbeddedIndex == nil) != (fb.EmbeddedIndex == nil) || string(fa.EmbeddedIndex) != string(fb.EmbeddedIndex) ||
		(fa.ExternalPath == nil) != (fb.ExternalPath == nil) || fa.ExternalPath != nil && *fa.ExternalPath != *fb.ExternalPath {
		return false
	}
	for i := range fa.ExtraFiles {
		if fa.ExtraFiles[i] != fb.ExtraFiles[i] {
			return false
		}
	}
	return true
}
