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

// Merge applies entries in order by file identity: an ADD inserts the
// file (adding a file that is already present, live or as a tombstone,
// fails with ErrDuplicateAdd), a DELETE removes the matching ADD or, when
// none was seen, stays as a tombstone (merging a partial set of
// manifests). The survivors are returned in the order they were first
// inserted. Merge does not modify entries.
func Merge(entries []Entry) ([]Entry, error) {
	idx := make(map[string]int, len(entries))
	keep := make([]bool, len(entries))
	var buf []byte
	for i := range entries {
		e := &entries[i]
		buf = e.appendIdentity(buf[:0])
		switch e.Kind {
		case Add:
			if _, ok := idx[string(buf)]; ok {
				return nil, fmt.Errorf("%w: %s (bucket %d, level %d)", ErrDuplicateAdd, e.File.FileName, e.Bucket, e.File.Level)
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
	out := make([]Entry, 0, len(idx))
	for i := range entries {
		if keep[i] {
			out = append(out, entries[i])
		}
	}
	return out, nil
}
