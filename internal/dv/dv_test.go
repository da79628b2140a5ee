package dv

import (
	"errors"
	"os"
	"slices"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/floelake/floe/internal/fixtures"
)

type dvRange struct {
	off, length int32
	want        []uint32
}

// Ranges and positions from the fixture README (Java's
// DeletionVectorsIndexFileTest compatibility files).
var fixtureRanges = map[string][]dvRange{
	"dvindex-32": {{1, 24, []uint32{2, 3}}, {33, 22, []uint32{1}}},
	"dvindex-64": {{1, 44, []uint32{2, 3}}, {45, 42, []uint32{1}}},
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(fixtures.Path(t, "apache-paimon", "compatibility", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeFixtures(t *testing.T) {
	for name, ranges := range fixtureRanges {
		b := readFixture(t, name)
		for _, r := range ranges {
			v, err := Decode(b, r.off, r.length)
			if err != nil {
				t.Fatalf("%s at %d: %v", name, r.off, err)
			}
			if got := v.Bitmap().ToArray(); !slices.Equal(got, r.want) {
				t.Errorf("%s at %d: positions %v, want %v", name, r.off, got, r.want)
			}
			if v.Cardinality() != uint64(len(r.want)) {
				t.Errorf("%s at %d: cardinality %d", name, r.off, v.Cardinality())
			}
			for p := uint32(0); p < 8; p++ {
				if v.Contains(p) != slices.Contains(r.want, p) {
					t.Errorf("%s at %d: Contains(%d) = %v", name, r.off, p, v.Contains(p))
				}
				if v.Contains64(uint64(p)) != v.Contains(p) {
					t.Errorf("%s: Contains64(%d) differs", name, p)
				}
			}
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	b := readFixture(t, "dvindex-32")
	bad := slices.Clone(b)
	bad[20] ^= 0xff // inside DV1's payload
	if _, err := Decode(bad, 1, 24); !errors.Is(err, ErrCorrupt) {
		t.Errorf("flipped payload byte: %v", err)
	}
	v2 := slices.Clone(b)
	v2[0] = 2
	if _, err := Decode(v2, 1, 24); !errors.Is(err, ErrUnsupportedVersion) {
		t.Errorf("version 2: %v", err)
	}
	for _, r := range [][2]int32{{1, 23}, {0, 24}, {60, 24}, {-1, 24}, {1, -1}, {1 << 30, 24}} {
		if _, err := Decode(b, r[0], r[1]); !errors.Is(err, ErrCorrupt) {
			t.Errorf("range %v: %v", r, err)
		}
	}
	if _, err := Decode(nil, 1, 1); !errors.Is(err, ErrCorrupt) {
		t.Errorf("empty file: %v", err)
	}
}

func TestEncode32RoundTrip(t *testing.T) {
	bm := roaring.BitmapOf(0, 5, 70000, 1<<31)
	file := []byte{Version}
	file, n, err := Encode32(file, bm)
	if err != nil {
		t.Fatal(err)
	}
	v, err := Decode(file, 1, n)
	if err != nil {
		t.Fatal(err)
	}
	if !v.Bitmap().Equals(bm) {
		t.Errorf("round trip: %v, want %v", v.Bitmap().ToArray(), bm.ToArray())
	}
	// The fixture's first vector re-encodes to Java's bytes.
	want := readFixture(t, "dvindex-32")[:33]
	got, _, _ := Encode32([]byte{Version}, roaring.BitmapOf(2, 3))
	if !slices.Equal(got, want) {
		t.Errorf("encode {2,3}:\n got %x\nwant %x", got, want)
	}
}

// FuzzDecode checks that no input makes Decode panic and that whatever
// decodes is self-consistent. The fixtures seed it.
func FuzzDecode(f *testing.F) {
	for name, ranges := range fixtureRanges {
		b := readFixture(f, name)
		for _, r := range ranges {
			f.Add(b, r.off, r.length)
		}
	}
	f.Add([]byte{1, 0, 0, 0, 4, 0x5e, 0x43, 0xf2, 0xd0, 0, 0, 0, 0}, int32(1), int32(4))
	f.Fuzz(func(t *testing.T, b []byte, off, length int32) {
		v, err := Decode(b, off, length)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrUnsupportedVersion) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		n := uint64(0)
		it := v.Bitmap().Iterator()
		for it.HasNext() && n < 1000 {
			if !v.Contains(it.Next()) {
				t.Fatal("iterated position not contained")
			}
			n++
		}
	})
}

// TestCheckBlocks: the Java-written index files are whole; a cut or a
// flipped bit anywhere after the version byte is not.
func TestCheckBlocks(t *testing.T) {
	for name, ranges := range fixtureRanges {
		b := readFixture(t, name)
		if err := CheckBlocks(b); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for n := 1; n < len(b); n++ {
			// A cut at a block boundary leaves a whole, shorter file.
			if err := CheckBlocks(b[:n]); !errors.Is(err, ErrCorrupt) && n != 1 && n != int(ranges[1].off) {
				t.Errorf("%s cut at %d: %v", name, n, err)
			}
		}
		for i := 1; i < len(b); i++ {
			c := slices.Clone(b)
			c[i] ^= 0x10
			if err := CheckBlocks(c); !errors.Is(err, ErrCorrupt) {
				t.Errorf("%s: flip at %d: %v", name, i, err)
			}
		}
		for _, r := range ranges {
			v, err := Decode(b, r.off, r.length)
			if err != nil {
				t.Fatal(err)
			}
			if m, ok := v.Max(); !ok || m != uint64(slices.Max(r.want)) {
				t.Errorf("%s at %d: Max %d, %v", name, r.off, m, ok)
			}
		}
	}
	if _, ok := FromBitmap(roaring.New()).Max(); ok {
		t.Error("empty vector has a maximum")
	}
}

// TestEncode64AgainstJava: a 64-bit vector re-encodes to the bytes Java
// wrote in the dvindex-64 fixture, and round-trips.
func TestEncode64AgainstJava(t *testing.T) {
	want := readFixture(t, "dvindex-64")
	got, n, err := Encode64([]byte{Version}, roaring.BitmapOf(2, 3))
	if err != nil {
		t.Fatal(err)
	}
	if n != 44 || !slices.Equal(got, want[:45]) {
		t.Errorf("encode {2,3}: length %d\n got %x\nwant %x", n, got, want[:45])
	}
	bm := roaring.BitmapOf(0, 5, 70000, 1<<31)
	file, n, err := Encode64([]byte{Version}, bm)
	if err != nil {
		t.Fatal(err)
	}
	v, err := Decode(file, 1, n)
	if err != nil {
		t.Fatal(err)
	}
	if !v.Bitmap().Equals(bm) {
		t.Errorf("round trip: %v, want %v", v.Bitmap().ToArray(), bm.ToArray())
	}
}
