//go:build !linux

package lsm

// mapArr returns n bytes on the Go heap: arrays are mapped on Linux only.
func mapArr(n int) (b []byte, mapped bool) { return make([]byte, n), false }

// remapArr is never called for heap arrays.
func remapArr(m []byte, n int) ([]byte, bool) { return nil, false }

// unmapArr is never called for heap arrays.
func unmapArr([]byte) {}
