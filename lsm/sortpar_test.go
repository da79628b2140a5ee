package lsm

import (
	"cmp"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
)

// TestSortEntries: the parallel sort gives what a plain sort gives, for
// every part count (odd ones leave a part out of a merge round) and for
// sizes around the cuts.
func TestSortEntries(t *testing.T) {
	defer func(m int) { parallelSortMin = m }(parallelSortMin)
	parallelSortMin = 16
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	rng := rand.New(rand.NewPCG(13, 14))
	byPrefix := func(x, y sortEntry) int {
		if c := cmp.Compare(x.prefix, y.prefix); c != 0 {
			return c
		}
		return cmp.Compare(x.row, y.row)
	}
	o := &offHeap{}
	defer o.freeAll()
	for _, procs := range []int{1, 2, 3, 4, 5, 7, 8} {
		runtime.GOMAXPROCS(procs)
		for _, n := range []int{0, 1, 15, 16, 17, 31, 64, 100, 1000, 4099} {
			ents := growArr(o, []sortEntry(nil), n)[:n]
			for i := range ents {
				// Few distinct prefixes: most comparisons go to the tie-break.
				ents[i] = sortEntry{prefix: rng.Uint64N(7), row: int32(i)}
			}
			rng.Shuffle(n, func(i, j int) { ents[i], ents[j] = ents[j], ents[i] })
			want := slices.Clone(ents)
			slices.SortFunc(want, byPrefix)
			sortEntries(o, ents, byPrefix)
			if !slices.Equal(ents, want) {
				t.Fatalf("GOMAXPROCS %d, %d entries: order differs", procs, n)
			}
			releaseArr(o, ents)
		}
	}
	if m := o.mapped(); m != 0 {
		t.Fatalf("%d bytes still mapped", m)
	}
}
