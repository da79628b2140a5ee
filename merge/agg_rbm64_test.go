package merge

import (
	"bytes"
	"encoding/binary"
	"errors"
	"maps"
	"math/bits"
	"slices"
	"testing"
)

// values64 lists the values of a parsed bitmap in ascending order.
func values64(bm *bitmap64) []uint64 {
	var out []uint64
	if bm.empty {
		return nil
	}
	bm.root.walk(func(l *r64Node) {
		var k [8]byte
		copy(k[:6], l.key[:])
		high := binary.BigEndian.Uint64(k[:])
		w := bm.container(l.cont).bitsOf()
		for i, x := range w {
			for ; x != 0; x &= x - 1 {
				out = append(out, high|uint64(i<<6+bits.TrailingZeros64(x)))
			}
		}
	})
	return out
}

// card64 is the number of values in a bitmap that parses.
func card64(t *testing.T, b []byte) int {
	bm, err := readBitmap64(b)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, arr := range bm.slots {
		for _, c := range arr {
			if c != nil {
				n += c.card
			}
		}
	}
	return n
}

// checkUnion64 checks that out holds exactly the values of x and y.
func checkUnion64(t *testing.T, x, y, out []byte) {
	t.Helper()
	set := map[uint64]bool{}
	for _, b := range [][]byte{x, y} {
		bm, err := readBitmap64(b)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range values64(bm) {
			set[v] = true
		}
	}
	bm, err := readBitmap64(out)
	if err != nil {
		t.Fatalf("result not accepted: %v", err)
	}
	got := values64(bm)
	want := slices.Sorted(maps.Keys(set))
	if !slices.Equal(got, want) {
		t.Fatalf("union holds %d values, want %d", len(got), len(want))
	}
}

// TestBitmap64Values checks the value sets of the Java vectors: the union
// holds the values of both sides, and a bitmap read and written back is
// the same bytes.
func TestBitmap64Values(t *testing.T) {
	for _, v := range vectorsOf(t, "rbm64") {
		checkUnion64(t, v.acc, v.in, v.out)
		for _, b := range [][]byte{v.acc, v.in, v.out} {
			bm, err := readBitmap64(b)
			if err != nil {
				t.Fatalf("%s: %v", v.name, err)
			}
			if got := bm.appendTo(nil); !bytes.Equal(got, b) {
				t.Errorf("%s: read and written back:\n got %x\nwant %x", v.name, got, b)
			}
		}
	}
}

func TestBitmap64Corrupt(t *testing.T) {
	var small []byte // acc of "small": one key, an array of 1, 2, 3
	for _, v := range vectorsOf(t, "rbm64") {
		if v.name == "small" {
			small = v.acc
		}
	}
	mod := func(f func(b []byte)) []byte { b := bytes.Clone(small); f(b); return b }
	// small: tag, keySize (8), leaf header (4) + key (6) + index (8),
	// slot arrays (4), mark (1), slots (4), slot mark (1), type (1),
	// cardinality (4), values (6), size (8), first (4), second (4).
	const leaf, slot = 9, 9 + 18 + 9
	for name, bad := range map[string][]byte{
		"tag":           mod(func(b []byte) { b[0] = 2 }),
		"truncated":     small[:len(small)-1],
		"keySize":       mod(func(b []byte) { b[1] = 2 }),
		"nodeType":      mod(func(b []byte) { b[leaf] = 7 }),
		"prefix":        mod(func(b []byte) { b[leaf+3] = 9 }),
		"absentLeaf":    mod(func(b []byte) { b[leaf+10] = 3 }),
		"slotMark":      mod(func(b []byte) { b[slot] = 5 }),
		"emptySlot":     mod(func(b []byte) { b[slot] = 0 }),
		"containerType": mod(func(b []byte) { b[slot+1] = 3 }),
		"cardinality":   mod(func(b []byte) { b[slot+2] = 2 }),
		"unsorted":      mod(func(b []byte) { b[slot+6], b[slot+8] = 3, 1 }),
		"size":          mod(func(b []byte) { b[slot+12] = 2 }),
		"last":          mod(func(b []byte) { b[slot+24] = 1 }),
	} {
		if _, err := unionBitmap64(small, bad); !errors.Is(err, errBitmap64) {
			t.Errorf("%s: %v, want errBitmap64", name, err)
		}
		if _, err := runBinary(t, "rbm64", false, small, bad); !errors.Is(err, ErrValue) {
			t.Errorf("%s: accumulator error %v does not wrap ErrValue", name, err)
		}
	}
}

func FuzzBitmap64(f *testing.F) {
	for _, v := range vectorsOf(f, "rbm64") {
		if len(v.acc)+len(v.in) < 1<<12 {
			f.Add(v.acc, v.in)
		}
	}
	f.Fuzz(func(t *testing.T, x, y []byte) {
		fuzzUnion(t, "rbm64", unionBitmap64, false, x, y)
		if r, err := unionBitmap64(x, y); err == nil && card64(t, x)+card64(t, y) < 1<<16 {
			checkUnion64(t, x, y, r)
		}
	})
}

// BenchmarkUnionBitmap is one union of Java vectors' bitmaps per op, rbm32
// beside rbm64 (bytes in, bytes out, as each record of a group pays).
func BenchmarkUnionBitmap(b *testing.B) {
	for _, c := range []struct{ fn, name string }{
		{"rbm32", "dense"}, {"rbm64", "dense"},
		{"rbm32", "spread"}, {"rbm64", "spread-keys"},
		{"rbm64", "small"}, {"rbm64", "fold-11"},
	} {
		var v javaVector
		for _, x := range vectorsOf(b, c.fn) {
			if x.name == c.name {
				v = x
			}
		}
		union := unionBitmap32
		if c.fn == "rbm64" {
			union = unionBitmap64
		}
		b.Run(c.fn+"/"+c.name, func(b *testing.B) {
			b.SetBytes(int64(len(v.acc) + len(v.in)))
			for b.Loop() {
				if _, err := union(v.acc, v.in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
