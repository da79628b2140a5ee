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
	idx := make(map[string]int, len(entries))
	keep := make([]bool, len(entries))
	var buf []byte
	for i := range entries {
		e := &entries[i]
		buf = e.appendIdentity(buf[:0])
		switch e.Kind {
		case Add:
			if j, ok := idx[string(buf)]; ok {
				return nil, &DuplicateAddError{Index: i, Prior: j, File: e.File.FileName, Bucket: e.Bucket, Level: e.File.Level}
			}
			idx[string(buf)] = i
			keep[i] = true
		case Delete:
			if j, ok := idx[string(buf)]; ok {
				keep[j] = false
				delete(idx, string(buf))
			} else {
				idx[string(buf)] = i
				keep[i] = true
			}
		default:
			return nil, fmt.Errorf("manifest: entry %s has kind %d", e.File.FileName, e.Kind)
		}
	}
	out := make([]int, 0, len(idx))
	for i := range entries {
		if keep[i] {
			out = append(out, i)
		}
	}
	return out, nil
}
