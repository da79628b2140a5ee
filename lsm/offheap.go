package lsm

import (
	"sync"
	"unsafe"
)

// offHeap holds the large pointer-free arrays of a Buffer (sequence
// numbers, row kinds, encoded keys and their offsets, row addresses, the
// sort index) outside the Go heap where the platform allows it (Linux),
// as the row pages are (rows_mmap.go). Kept on the heap, they made most of
// the live heap of a full buffer, and the garbage collector's headroom
// doubled them on top of the pages. Mapped, they cost what they hold: a
// page is backed on first write, so capacity never written costs nothing,
// arrays grow by remapping instead of copying, and freeing one gives it
// back to the OS at once. Elsewhere (or should a mapping fail) they are
// ordinary heap slices.
//
// Only bytes and integers live here, and nothing may keep a slice of an
// array after it is released: readers of a Buffer's rows copy them out.
type offHeap struct {
	mu   sync.Mutex
	maps map[*byte][]byte // first byte -> its whole mapping
}

// growArr returns s with room for at least n more elements: s itself when
// it has it, or else s's elements in a larger array (s is then released).
func growArr[T any](o *offHeap, s []T, n int) []T {
	if cap(s)-len(s) >= n {
		return s
	}
	size := int(unsafe.Sizeof(*new(T)))
	c := cap(s)
	want := c * 2
	if c*size >= 1<<20 {
		want = c + c/4 // as append grows large slices
	}
	want = max(want, len(s)+n, osPage/size)
	b := o.grow(arrBytes(s), want*size)
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), cap(b)/size)[:len(s)]
}

// adoptArr returns next, what an append to prev (an array growArr
// returned) gave back: when the append outgrew prev onto the heap, prev is
// released and next's elements move off the heap.
func adoptArr[T any](o *offHeap, prev, next []T) []T {
	if cap(next) == 0 || (cap(prev) > 0 && unsafe.SliceData(prev) == unsafe.SliceData(next)) {
		return next
	}
	releaseArr(o, prev)
	size := int(unsafe.Sizeof(*new(T)))
	b := o.grow(arrBytes(next), cap(next)*size)
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), cap(b)/size)[:len(next)]
}

// releaseArr frees an array growArr returned; s must not be used after.
func releaseArr[T any](o *offHeap, s []T) {
	if cap(s) > 0 {
		o.release(arrBytes(s))
	}
}

// arrBytes is s's whole capacity as bytes, its length the bytes of its
// elements.
func arrBytes[T any](s []T) []byte {
	if cap(s) == 0 {
		return nil
	}
	size := int(unsafe.Sizeof(*new(T)))
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), cap(s)*size)[:len(s)*size]
}

// grow returns b's bytes in an array of capacity n or more.
func (o *offHeap) grow(b []byte, n int) []byte {
	o.mu.Lock()
	defer o.mu.Unlock()
	n = (n + osPage - 1) &^ (osPage - 1)
	if len(b) > 0 || cap(b) > 0 {
		key := unsafe.SliceData(b)
		if m, ok := o.maps[key]; ok {
			if nm, ok := remapArr(m, n); ok {
				delete(o.maps, key)
				o.maps[unsafe.SliceData(nm)] = nm
				return nm[:len(b)]
			}
		}
	}
	nb, mapped := mapArr(n)
	if mapped {
		if o.maps == nil {
			o.maps = make(map[*byte][]byte)
		}
		o.maps[unsafe.SliceData(nb)] = nb
	}
	nb = nb[:len(b)]
	copy(nb, b)
	o.releaseLocked(b)
	return nb
}

// release frees b's array if it is mapped (a heap array is left to the
// garbage collector).
func (o *offHeap) release(b []byte) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.releaseLocked(b)
}

func (o *offHeap) releaseLocked(b []byte) {
	if cap(b) == 0 {
		return
	}
	key := unsafe.SliceData(b)
	if m, ok := o.maps[key]; ok {
		delete(o.maps, key)
		unmapArr(m)
	}
}

// freeAll frees every mapped array.
func (o *offHeap) freeAll() {
	o.mu.Lock()
	defer o.mu.Unlock()
	for k, m := range o.maps {
		delete(o.maps, k)
		unmapArr(m)
	}
}

// mapped reports the bytes mapped now (for tests).
func (o *offHeap) mapped() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := 0
	for _, m := range o.maps {
		n += len(m)
	}
	return n
}
