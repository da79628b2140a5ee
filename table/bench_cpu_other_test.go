//go:build !unix

package table_test

// cpuSeconds is 0 where getrusage is unavailable: the benchmarks then
// report 0 cores busy.
func cpuSeconds() float64 { return 0 }
