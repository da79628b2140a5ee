package lsm

import (
	"container/heap"
	"slices"
)

// Sections groups files of one bucket into sections of sorted runs, as
// Paimon's IntervalPartition does: files sorted by (minKey, maxKey), cut
// into sections wherever a file's minKey is above every maxKey seen so far
// in the section, and inside a section packed greedily into runs of
// non-overlapping files (each run in key order). cmp compares two keys.
//
// Runs of a section are ordered by their last file's maxKey. files is not
// modified.
func Sections[T any](files []T, minKey, maxKey func(T) []byte, cmp func(a, b []byte) int) [][][]T {
	sorted := slices.Clone(files)
	slices.SortStableFunc(sorted, func(a, b T) int {
		if c := cmp(minKey(a), minKey(b)); c != 0 {
			return c
		}
		return cmp(maxKey(a), maxKey(b))
	})
	var out [][][]T
	var section []T
	var bound []byte
	for _, f := range sorted {
		if len(section) > 0 && cmp(minKey(f), bound) > 0 {
			out = append(out, packRuns(section, minKey, maxKey, cmp))
			section = nil
		}
		if len(section) == 0 || cmp(maxKey(f), bound) > 0 {
			bound = maxKey(f)
		}
		section = append(section, f)
	}
	if len(section) > 0 {
		out = append(out, packRuns(section, minKey, maxKey, cmp))
	}
	return out
}

// runHeap orders runs by their last file's maxKey.
type runHeap[T any] struct {
	runs   [][]T
	maxKey func(T) []byte
	cmp    func(a, b []byte) int
}

func (h *runHeap[T]) Len() int { return len(h.runs) }
func (h *runHeap[T]) Less(i, j int) bool {
	a, b := h.runs[i], h.runs[j]
	return h.cmp(h.maxKey(a[len(a)-1]), h.maxKey(b[len(b)-1])) < 0
}
func (h *runHeap[T]) Swap(i, j int) { h.runs[i], h.runs[j] = h.runs[j], h.runs[i] }
func (h *runHeap[T]) Push(x any)    { h.runs = append(h.runs, x.([]T)) }
func (h *runHeap[T]) Pop() any {
	n := len(h.runs) - 1
	x := h.runs[n]
	h.runs = h.runs[:n]
	return x
}

// packRuns puts each file (in sorted order) at the end of the run with the
// smallest last maxKey when that key is below the file's minKey, else
// starts a new run.
func packRuns[T any](section []T, minKey, maxKey func(T) []byte, cmp func(a, b []byte) int) [][]T {
	h := &runHeap[T]{maxKey: maxKey, cmp: cmp}
	for _, f := range section {
		if h.Len() > 0 {
			top := h.runs[0]
			if cmp(maxKey(top[len(top)-1]), minKey(f)) < 0 {
				h.runs[0] = append(top, f)
				heap.Fix(h, 0)
				continue
			}
		}
		heap.Push(h, []T{f})
	}
	out := make([][]T, 0, h.Len())
	for h.Len() > 0 {
		out = append(out, heap.Pop(h).([]T))
	}
	return out
}
