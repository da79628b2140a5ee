package snapshot

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

const fuzzName = "snapshot/snapshot-fuzz"

// checkDecodeErr requires a typed error that names the file.
func checkDecodeErr(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrUnsupportedVersion) {
		t.Fatalf("untyped error: %v", err)
	}
	if !strings.Contains(err.Error(), fuzzName) {
		t.Fatalf("error does not name the file: %v", err)
	}
}

func addSnapshotSeeds(f *testing.F) {
	for _, ff := range fixtureSnapshots(f) {
		b := readFile(f, ff.path)
		f.Add(b)
		f.Add(b[:len(b)/2])               // truncated
		f.Add(b[:len(b)-1])               // missing closing brace
		f.Add(append([]byte{}, b[1:]...)) // missing opening brace
		flipped := append([]byte{}, b...)
		flipped[len(flipped)/3] ^= 0x20 // bit flip
		f.Add(flipped)
	}
	f.Add([]byte(example21))
	f.Add([]byte{})
	f.Add([]byte("null"))
	f.Add([]byte("{}"))
}

func FuzzDecodeSnapshot(f *testing.F) {
	addSnapshotSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := Decode(fuzzName, b)
		if err != nil {
			checkDecodeErr(t, err)
			return
		}
		out, err := s.Encode()
		if err != nil {
			t.Fatalf("decoded snapshot does not encode: %v", err)
		}
		s2, err := Decode(fuzzName, out)
		if err != nil {
			t.Fatalf("re-decode: %v\n%s", err, out)
		}
		want := *s
		want.LogOffsets = nil
		if !reflect.DeepEqual(&want, s2) {
			t.Fatalf("round trip differs:\n%+v\n%+v", want, *s2)
		}
	})
}

func FuzzDecodeTag(f *testing.F) {
	addSnapshotSeeds(f)
	for _, tail := range []string{
		`"tagCreateTime" : [ 2024, 6, 1, 13, 5, 7, 123456789 ], "tagTimeRetained" : 86400.000000000`,
		`"tagCreateTime" : [ 2024, 6, 1, 13, 5 ], "tagTimeRetained" : 1E-9`,
		`"tagCreateTime" : "2024-06-01T13:05:07", "tagTimeRetained" : "5.00E-7"`,
		`"tagCreateTime" : null, "tagTimeRetained" : null`,
	} {
		f.Add([]byte(strings.TrimSuffix(example21, "}") + ", " + tail + "}"))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		tag, err := DecodeTag(fuzzName, b)
		if err != nil {
			checkDecodeErr(t, err)
			return
		}
		if tag.TimeRetained != nil && *tag.TimeRetained < 0 {
			return // decodable but never written by us
		}
		out, err := tag.Encode()
		if err != nil {
			t.Fatalf("decoded tag does not encode: %v", err)
		}
		tag2, err := DecodeTag(fuzzName, out)
		if err != nil {
			t.Fatalf("re-decode: %v\n%s", err, out)
		}
		want := *tag
		want.LogOffsets = nil
		if !reflect.DeepEqual(&want, tag2) {
			t.Fatalf("round trip differs:\n%+v\n%+v", want, *tag2)
		}
	})
}

func FuzzDecodeConsumer(f *testing.F) {
	for _, s := range []string{"{\n  \"nextSnapshot\" : 12\n}", `{"nextSnapshot":1}`, `{}`, `{"nextSnapshot" : -1}`, ``} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := DecodeConsumer(fuzzName, b)
		if err != nil {
			checkDecodeErr(t, err)
			return
		}
		out, err := c.Encode()
		if err != nil {
			t.Fatal(err)
		}
		c2, err := DecodeConsumer(fuzzName, out)
		if err != nil || c2 != c {
			t.Fatalf("round trip: %v %v", c2, err)
		}
	})
}
