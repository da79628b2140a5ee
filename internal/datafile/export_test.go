package datafile

// SetWholeFileLimit lowers the size above which files are read with ranged
// requests; it returns a function restoring the old limit.
func SetWholeFileLimit(n int64) func() {
	old := wholeFileLimit
	wholeFileLimit = n
	return func() { wholeFileLimit = old }
}
