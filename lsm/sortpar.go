package lsm

import (
	"runtime"
	"slices"
	"sync"
)

// parallelSortMin is the number of entries from which sortEntries sorts
// on several goroutines (tests lower it).
var parallelSortMin = 1 << 15

// sortEntries sorts ents by cmp and returns them sorted: ents itself, or
// a new array of o (ents is then released). A large index is cut into one
// part per core, the parts sorted at once and merged pairwise, each
// round's merges at once too. The merge takes the left part's entry on a
// tie; sortIndex's cmp has none (sequence numbers are unique), so its
// order is one whatever the number of cores.
func sortEntries(o *offHeap, ents []sortEntry, cmp func(x, y sortEntry) int) []sortEntry {
	n := len(ents)
	parts := min(runtime.GOMAXPROCS(0), n/max(1, parallelSortMin/4))
	if parts < 2 || n < parallelSortMin {
		slices.SortFunc(ents, cmp)
		return ents
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
	tmp := growArr(o, []sortEntry(nil), n)[:n]
	src, dst := ents, tmp
	for len(bounds) > 2 {
		next := []int{0}
		for i := 0; i+1 < len(bounds); i += 2 {
			lo := bounds[i]
			if i+2 >= len(bounds) {
				// An odd part out moves as it is.
				wg.Go(func() { copy(dst[lo:], src[lo:]) })
				next = append(next, n)
				break
			}
			mid, hi := bounds[i+1], bounds[i+2]
			wg.Go(func() { mergeEntries(dst[lo:hi], src[lo:mid], src[mid:hi], cmp) })
			next = append(next, hi)
		}
		wg.Wait()
		src, dst, bounds = dst, src, next
	}
	releaseArr(o, dst)
	return src
}

// mergeEntries merges the sorted a and b into dst (len(a)+len(b) long),
// a's entry first on a tie.
func mergeEntries(dst, a, b []sortEntry, cmp func(x, y sortEntry) int) {
	i, j, k := 0, 0, 0
	for i < len(a) && j < len(b) {
		if cmp(b[j], a[i]) < 0 {
			dst[k] = b[j]
			j++
		} else {
			dst[k] = a[i]
			i++
		}
		k++
	}
	k += copy(dst[k:], a[i:])
	copy(dst[k:], b[j:])
}
