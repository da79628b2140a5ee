package lsm

import "golang.org/x/sys/unix"

// mapArr maps n bytes (a multiple of the OS page size), or falls back to
// the heap (mapped false).
func mapArr(n int) (b []byte, mapped bool) {
	m, err := unix.Mmap(-1, 0, n, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		return make([]byte, n), false
	}
	return m, true
}

// remapArr grows mapping m to n bytes, moving it if it must; the pages
// move with it, uncopied.
func remapArr(m []byte, n int) ([]byte, bool) {
	nm, err := unix.Mremap(m, n, unix.MREMAP_MAYMOVE)
	if err != nil {
		return nil, false
	}
	return nm, true
}

// unmapArr frees mapping m.
func unmapArr(m []byte) { _ = unix.Munmap(m) }
