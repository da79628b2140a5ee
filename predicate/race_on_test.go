//go:build race

package predicate

// raceEnabled reports a -race build: sync.Pool drops items at random
// there, so allocation counts say nothing.
const raceEnabled = true
