package manifest

import (
	"encoding/binary"
	"fmt"
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
	// Entries are found by file name (a view into the decoded manifest,
	// so no key is built per entry); names that collide are told apart by
	// the rest of the identity along a chain.
	idx := make(map[string]int32, len(entries))
	next := make([]int32, len(entries)) // chain of entries sharing a name, -1 ends
	keep := make([]bool, len(entries))
	live := 0
	for i := range entries {
		e := &entries[i]
		if e.Kind != Add && e.Kind != Delete {
			return nil, fmt.Errorf("manifest: entry %s has kind %d", e.File.FileName, e.Kind)
		}
		head, ok := idx[e.File.FileName]
		j := int32(-1) // the present entry with e's identity
		if ok {
			for c := head; c >= 0; c = next[c] {
				if keep[c] && sameIdentity(&entries[c], e) {
					j = c
					break
				}
			}
		}
		switch {
		case j >= 0 && e.Kind == Add:
			return nil, &DuplicateAddError{Index: i, Prior: int(j), File: e.File.FileName, Bucket: e.Bucket, Level: e.File.Level}
		case j >= 0: // a DELETE cancels its ADD (or an earlier tombstone)
			keep[j] = false
			live--
			unlink(idx, next, e.File.FileName, j)
		default: // a new file, or a tombstone
			keep[i] = true
			live++
			next[i] = -1
			if ok {
				next[i] = idx[e.File.FileName]
			}
			idx[e.File.FileName] = int32(i)
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

// unlink removes entry j from the chain of name.
func unlink(idx map[string]int32, next []int32, name string, j int32) {
	head := idx[name]
	if head == j {
		if next[j] < 0 {
			delete(idx, name)
		} else {
			idx[name] = next[j]
		}
		return
	}
	for c := head; c >= 0; c = next[c] {
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
