//go:build unix

package lsm

import "syscall"

// allocPage returns an empty page of capacity n (a multiple of the OS
// page size) outside the Go heap, so that a full write buffer neither
// doubles through the garbage collector's headroom nor lingers after a
// spill: freePage gives it back to the OS at once. Pages hold only bytes
// and nothing keeps a slice of one after it is freed (decode copies rows
// out). It falls back to the heap when the mapping fails (mapped false).
func allocPage(n int) (page []byte, mapped bool) {
	b, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return make([]byte, 0, n), false
	}
	return b[:0], true
}

// freePage unmaps a page allocPage mapped.
func freePage(b []byte) {
	_ = syscall.Munmap(b[:cap(b)])
}
