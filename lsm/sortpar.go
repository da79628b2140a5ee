package lsm

import (
	"runtime"
	"slices"
	"sync"
)

// parallelSortMin is the number of entries from which sortEntries sorts
// on several goroutines (tests lower it).
var parallelSortMin = 1 << 15

// sortEntries sorts ents by cmp, in place. A large index is cut into one
// part per core, the parts sorted at once and merged pairwise, each
// round's merges at once too, through scratch of o (half of ents for two
// parts). The merge takes the left part's entry on a tie; sortIndex's cmp
// has none (sequence numbers are unique), so its order is one whatever
// the number of cores.
func sortEntries(o *offHeap, ents []sortEntry, cmp func(x, y sortEntry) int) {
	n := len(ents)
	parts := min(runtime.GOMAXPROCS(0), n/max(1, parallelSortMin/4))
	if parts < 2 || n < parallelSortMin {
		slices.SortFunc(ents, cmp)
		return
	}
	bounds := make([]int, parts+1)
	for i := range bounds {
		bounds[i] = n * i / parts
	}
	var wg sync.WaitGroup
	for i := range parts {
		wg.Go(func() { slices.SortFunc(ents[bounds[i]:bounds[i+1]], cmp) })
	}
	wg.Wait()
	// Each merge copies its left part aside and merges into place: the
	// scratch a round needs is the sum of its left parts.
	need := 0
	for b := bounds; len(b) > 2; b = mergedBounds(b) {
		left := 0
		for i := 0; i+2 < len(b); i += 2 {
			left += b[i+1] - b[i]
		}
		need = max(need, left)
	}
	scratch := growArr(o, []sortEntry(nil), need)[:need]
	for len(bounds) > 2 {
		so := 0
		for i := 0; i+2 < len(bounds); i += 2 {
			lo, mid, hi := bounds[i], bounds[i+1], bounds[i+2]
			sc := scratch[so : so+mid-lo]
			so += mid - lo
			wg.Go(func() { mergeInPlace(ents[lo:hi], mid-lo, sc, cmp) })
		}
		wg.Wait()
		bounds = mergedBounds(bounds)
	}
	releaseArr(o, scratch)
}

// mergedBounds returns the part bounds after a round of pairwise merges
// (an odd part out stays as it is).
func mergedBounds(b []int) []int {
	next := []int{0}
	for i := 2; i < len(b); i += 2 {
		next = append(next, b[i])
	}
	if len(b)%2 == 0 {
		next = append(next, b[len(b)-1])
	}
	return next
}

// mergeInPlace merges the sorted s[:m] and s[m:] into s, s[:m]'s entry
// first on a tie, through sc (m entries): s[:m] is copied there, and the
// merge writes s from the start, never past the next unread entry of
// s[m:].
func mergeInPlace(s []sortEntry, m int, sc []sortEntry, cmp func(x, y sortEntry) int) {
	a := sc[:copy(sc, s[:m])]
	b := s[m:]
	i, j, k := 0, 0, 0
	for i < len(a) && j < len(b) {
		if cmp(b[j], a[i]) < 0 {
			s[k] = b[j]
			j++
		} else {
			s[k] = a[i]
			i++
		}
		k++
	}
	copy(s[k:], a[i:])
}
