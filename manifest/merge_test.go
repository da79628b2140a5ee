package manifest

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
)

// mergeByIdentity is Merge's definition, by Identity strings.
func mergeByIdentity(entries []Entry) ([]int, error) {
	present := map[string]int{} // identity -> entry (ADD or tombstone)
	var order []int
	keep := map[int]bool{}
	for i := range entries {
		e := &entries[i]
		id := e.Identity()
		j, ok := present[id]
		switch {
		case ok && e.Kind == Add:
			return nil, &DuplicateAddError{Index: i, Prior: j}
		case ok:
			delete(present, id)
			delete(keep, j)
		default:
			present[id] = i
			keep[i] = true
			order = append(order, i)
		}
	}
	out := []int{}
	for _, i := range order {
		if keep[i] {
			out = append(out, i)
		}
	}
	return out, nil
}

// TestMergeIndexesRandom compares MergeIndexes with its definition on
// random sequences over few names (many collisions and chains).
func TestMergeIndexesRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	names := []string{"a", "b", "c", "d", "e"}
	for range 3000 {
		n := rng.IntN(24)
		es := make([]Entry, n)
		for i := range es {
			es[i] = Entry{Kind: FileKind(rng.IntN(2)), Partition: []byte{byte(rng.IntN(2))}, Bucket: int32(rng.IntN(2)),
				File: DataFile{FileName: names[rng.IntN(len(names))], Level: int32(rng.IntN(2))}}
		}
		got, err := MergeIndexes(es)
		want, werr := mergeByIdentity(es)
		var g, w *DuplicateAddError
		if errors.As(err, &g) != errors.As(werr, &w) || g != nil && (g.Index != w.Index || g.Prior != w.Prior) {
			t.Fatalf("%+v: error %v, want %v", es, err, werr)
		}
		if err == nil && !slices.Equal(got, want) {
			t.Fatalf("%+v: got %v, want %v", es, got, want)
		}
	}
}
