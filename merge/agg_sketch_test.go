package merge

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

// vectorsOf returns the Java vectors of one function.
func vectorsOf(t testing.TB, fn string) []javaVector {
	t.Helper()
	var out []javaVector
	for _, v := range readJavaVectorsTB(t) {
		if v.fn == fn {
			out = append(out, v)
		}
	}
	if len(out) == 0 {
		t.Fatalf("no %s vectors", fn)
	}
	return out
}

// fuzzUnion checks that union never panics, that its errors wrap
// ErrValue through the accumulator, and that a result is a value it
// accepts again; idempotent: unchanged by a union with itself.
func fuzzUnion(t *testing.T, fn string, union func(x, y []byte) ([]byte, error), idempotent bool, x, y []byte) {
	r, err := union(x, y)
	if err != nil {
		if _, err2 := runBinary(t, fn, false, x, y); !errors.Is(err2, ErrValue) {
			t.Fatalf("accumulator error %v does not wrap ErrValue", err2)
		}
		return
	}
	r2, err := union(r, r)
	if err != nil {
		t.Fatalf("result %x not accepted: %v", r, err)
	}
	if idempotent && !bytes.Equal(r, r2) {
		t.Fatalf("union of %x with itself:\n got %x", r, r2)
	}
}

func TestThetaSketchReversed(t *testing.T) {
	// The theta union is symmetric: aggReversed gives Java's agg(in, acc)
	// which equals agg(acc, in).
	for _, v := range vectorsOf(t, "theta_sketch") {
		got, err := runBinary(t, "theta_sketch", true, v.in, v.acc)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, v.out) {
			t.Errorf("%s reversed:\n got %x\nwant %x", v.name, got, v.out)
		}
	}
}

func TestThetaSketchCorrupt(t *testing.T) {
	good := vectorsOf(t, "theta_sketch")[0].acc // exact, 3 hashes
	mod := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(good)) }
	for name, bad := range map[string][]byte{
		"short":        {1, 2, 3},
		"truncated":    good[:len(good)-1],
		"serVer":       mod(func(b []byte) []byte { b[1] = 2; return b }),
		"family":       mod(func(b []byte) []byte { b[2] = 4; return b }),
		"seed":         mod(func(b []byte) []byte { b[6] ^= 1; return b }),
		"count":        mod(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[8:], 1000); return b }),
		"negCount":     mod(func(b []byte) []byte { binary.LittleEndian.PutUint32(b[8:], 1<<31); return b }),
		"negHash":      mod(func(b []byte) []byte { b[23] = 0x80; return b }),
		"preLongs":     mod(func(b []byte) []byte { b[0] = 5; return b }),
		"thetaZero":    append(mod(func(b []byte) []byte { b[0] = 3; return b[:16] }), make([]byte, 8)...),
		"hashTableBig": mod(func(b []byte) []byte { b[5] = thetaFlagReadOnly; b[4] = 20; return b }),
	} {
		if _, err := runBinary(t, "theta_sketch", false, good, bad); !errors.Is(err, ErrValue) {
			t.Errorf("%s: %v, want ErrValue", name, err)
		}
	}
}

func FuzzThetaSketch(f *testing.F) {
	for _, v := range vectorsOf(f, "theta_sketch") {
		if len(v.acc)+len(v.in) < 1<<12 {
			f.Add(v.acc, v.in)
		}
	}
	f.Fuzz(func(t *testing.T, x, y []byte) { fuzzUnion(t, "theta_sketch", unionTheta, true, x, y) })
}

func TestHllSketchCorrupt(t *testing.T) {
	var list, hll []byte
	for _, v := range vectorsOf(t, "hll_sketch") {
		switch v.name {
		case "list-list":
			list = v.acc
		case "hll-hll":
			hll = v.in // HLL_4 with an exception
		}
	}
	mod := func(b []byte, f func(b []byte)) []byte { b = bytes.Clone(b); f(b); return b }
	for name, bad := range map[string][]byte{
		"short":       {1, 2, 3},
		"family":      mod(list, func(b []byte) { b[2] = 3 }),
		"serVer":      mod(list, func(b []byte) { b[1] = 2 }),
		"lgK":         mod(list, func(b []byte) { b[3] = 22 }),
		"preInts":     mod(list, func(b []byte) { b[0] = 3 }),
		"listCount":   mod(list, func(b []byte) { b[6] = 9 }),
		"truncated":   list[:len(list)-1],
		"tgtType":     mod(hll, func(b []byte) { b[7] = 3<<2 | 2 }),
		"hllShort":    hll[:100],
		"noException": mod(hll, func(b []byte) { binary.LittleEndian.PutUint32(b[36:], 0) }),
		"bigValue":    mod(hll, func(b []byte) { b[6] = 60 }),
	} {
		if _, err := runBinary(t, "hll_sketch", false, hll, bad); !errors.Is(err, ErrValue) {
			t.Errorf("%s: %v, want ErrValue", name, err)
		}
	}
}

func FuzzHllSketch(f *testing.F) {
	for _, v := range vectorsOf(f, "hll_sketch") {
		if len(v.acc)+len(v.in) < 1<<12 {
			f.Add(v.acc, v.in)
		}
	}
	f.Fuzz(func(t *testing.T, x, y []byte) { fuzzUnion(t, "hll_sketch", unionHll, false, x, y) })
}
