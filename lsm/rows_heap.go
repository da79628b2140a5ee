//go:build !unix

package lsm

// allocPage returns an empty page of capacity n on the Go heap.
func allocPage(n int) (page []byte, mapped bool) { return make([]byte, 0, n), false }

// freePage is never called for heap pages.
func freePage([]byte) {}
