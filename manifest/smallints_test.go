package manifest

import (
	"testing"
	"unsafe"
)

func TestSmallInts(t *testing.T) {
	if smallInts == nil {
		t.Skip("no shared small values on this machine")
	}
	t.Logf("table at %p (aligned: %v)", smallInts, uintptr(unsafe.Pointer(smallInts))%8 == 0)
	var s slab
	for v := range int64(smallValues + 2) {
		if p := s.int64p(v); *p != v {
			t.Fatalf("int64p(%d) = %d", v, *p)
		}
		if p := s.int32p(int32(v)); *p != int32(v) {
			t.Fatalf("int32p(%d) = %d", v, *p)
		}
	}
	for _, v := range []int64{-1, -128, 1 << 40} {
		if p := s.int64p(v); *p != v {
			t.Fatalf("int64p(%d) = %d", v, *p)
		}
	}
	if p := s.int32p(-1); *p != -1 {
		t.Fatalf("int32p(-1) = %d", *p)
	}
}
