package merge

import (
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
)

// parallelCells is the size of an output (rows times columns) from which
// its columns are built from several goroutines (tests lower it).
var parallelCells = 16 << 10

// forColumns calls fn for each of n columns of an output of rows rows:
// one after another for a small output, else from up to GOMAXPROCS
// goroutines, each column once. Each goroutine has a scratch slice of its
// own (the first uses scratch). It returns the error of the lowest column
// that failed, as a loop over the columns would; a panic in fn is raised
// again on the calling goroutine.
func forColumns(n, rows int, scratch *[]arrow.Array, fn func(c int, scratch *[]arrow.Array) error) error {
	workers := min(n, runtime.GOMAXPROCS(0))
	if workers < 2 || n*rows < parallelCells {
		for c := range n {
			if err := fn(c, scratch); err != nil {
				return err
			}
		}
		return nil
	}
	errs := make([]error, n)
	var next atomic.Int64
	var failed atomic.Bool
	var wg sync.WaitGroup
	var mu sync.Mutex
	var panicked any
	for w := range workers {
		wg.Go(func() {
			sc := scratch
			if w > 0 {
				sc = new([]arrow.Array)
			}
			defer func() {
				if p := recover(); p != nil {
					mu.Lock()
					if panicked == nil {
						panicked = p
					}
					mu.Unlock()
					failed.Store(true)
				}
			}()
			for !failed.Load() {
				c := int(next.Add(1)) - 1
				if c >= n {
					return
				}
				if errs[c] = fn(c, sc); errs[c] != nil {
					failed.Store(true)
				}
			}
		})
	}
	wg.Wait()
	if panicked != nil {
		panic(panicked)
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
