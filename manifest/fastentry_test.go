package manifest

import (
	"reflect"
	"testing"
)

// decodeBoth decodes a manifest with and without the fast path.
func decodeBoth(b []byte) (fast, slow []Entry, fastErr, slowErr error) {
	fast, fastErr = decodeFile("fuzz-file", b, entrySpec, Version, &decoder{}, nil, (*decoder).entry)
	slow, slowErr = decodeFile("fuzz-file", b, entrySpec, Version, &decoder{generic: true}, nil, (*decoder).entry)
	return
}

func sameDecode(t *testing.T, b []byte) {
	t.Helper()
	fast, slow, fe, se := decodeBoth(b)
	if (fe == nil) != (se == nil) || fe != nil && fe.Error() != se.Error() {
		t.Fatalf("fast path error %v, schema-driven error %v", fe, se)
	}
	if !reflect.DeepEqual(fast, slow) {
		for i := range min(len(fast), len(slow)) {
			if !reflect.DeepEqual(fast[i], slow[i]) {
				t.Fatalf("entry %d: fast path %+v, schema-driven %+v", i, fast[i], slow[i])
			}
		}
		t.Fatalf("fast path %d entries, schema-driven %d", len(fast), len(slow))
	}
}

// fastSeeds are manifests in layouts the fast path reads, uncompressed so
// that mutations hit the records.
func fastSeeds(t testing.TB) [][]byte {
	entries := sampleEntries(40)
	entries[3].File.WriteColsSequences = []int64{}
	entries[7].File.WriteColsSequences = []int64{4, -1, 1 << 40}
	entries[9].File.KeyStats.NullCounts = nil
	entries[11].File.ValueStats.NullCounts = []*int64{}
	var out [][]byte
	for _, es := range [][]Entry{entries, sampleEntries(3)} {
		b, err := EncodeManifest(es, EncodeOptions{Codec: CodecNull})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// TestFastEntryLayouts checks which layouts take the fast path: floe's,
// and Java's from 1.0 on (the fixtures hold several releases), but none
// with a field out of place or of another type.
func TestFastEntryLayouts(t *testing.T) {
	layout := func(b []byte) *fastEntryLayout {
		h, err := parseHeader(b)
		if err != nil {
			t.Fatal(err)
		}
		p, err := topPlan(h, entrySpec)
		if err != nil {
			t.Fatal(err)
		}
		return p.fast
	}
	for _, b := range fastSeeds(t) {
		if l := layout(b); l == nil || l.fileFields != 20 && l.fileFields != 21 {
			t.Fatalf("floe's layout: %+v", l)
		}
	}
	fast := 0
	files := fixtureFiles(t, "manifest")
	for _, b := range files {
		if _, err := parseHeader(b); err != nil {
			continue // ORC
		}
		if layout(b) != nil {
			fast++
		}
		sameDecode(t, b)
	}
	if fast == 0 {
		t.Fatalf("no fixture manifest of %d takes the fast path", len(files))
	}
	t.Logf("%d of %d fixture manifests take the fast path", fast, len(files))
	// Layouts the schema-driven decoder reads but the fast path leaves to it.
	for i, edit := range []schemaEdit{
		retype("_FILE._LEVEL", `"long"`),
		retype("_FILE._FILE_NAME", `"bytes"`),
		retype("_FILE._CREATION_TIME", `["long","null"]`),
		retype("_FILE._DELETE_ROW_COUNT", `"long"`),
		retype("_FILE._KEY_STATS._NULL_COUNTS", `{"type":"array","items":"long"}`),
		add("_FILE", `{"name":"_NEW","type":["null","long"],"default":null}`),
	} {
		b := emptyFile(t, ManifestSchema, edit)
		h, err := parseHeader(b)
		if err != nil {
			t.Fatal(err)
		}
		p, err := topPlan(h, entrySpec)
		if err != nil {
			t.Fatalf("edit %d: %v", i, err)
		}
		if p.fast != nil {
			t.Errorf("edit %d takes the fast path", i)
		}
	}
}

// TestFastEntryFallback damages records of a manifest the fast path reads
// byte by byte: the fast path must give what the schema-driven decoder
// gives, entries or error.
func TestFastEntryFallback(t *testing.T) {
	b := fastSeeds(t)[1]
	h, err := parseHeader(b)
	if err != nil {
		t.Fatal(err)
	}
	for i := h.body; i < len(b); i++ {
		for _, v := range []byte{0, 3, 0x80, b[i] ^ 1} {
			c := append([]byte(nil), b...)
			c[i] = v
			sameDecode(t, c)
		}
	}
}

// FuzzFastEntry compares the fast path with the schema-driven decoder.
func FuzzFastEntry(f *testing.F) {
	for _, b := range fastSeeds(f) {
		f.Add(b)
	}
	for _, b := range fixtureFiles(f, "manifest") {
		if len(b) < 4<<10 { // larger ones slow the fuzzer down
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		sameDecode(t, b)
		_, err := DecodeManifest("fuzz-file", b)
		checkFuzzErr(t, err)
	})
}

// TestFastEntrySharedCounts checks that records whose null counts are
// encoded alike share one slice, and that one with other counts, or none,
// between them does not disturb it.
func TestFastEntrySharedCounts(t *testing.T) {
	es := sampleEntries(6)
	es[3].File.ValueStats.NullCounts = []*int64{p64(5), nil}
	es[4].File.KeyStats.NullCounts = nil
	b, err := EncodeManifest(es, EncodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sameDecode(t, b)
	got, err := DecodeManifest("shared", b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, es) {
		t.Fatalf("decoded %+v, want %+v", got, es)
	}
	shared := func(a, b []*int64) bool { return len(a) > 0 && len(a) == len(b) && &a[0] == &b[0] }
	v := func(i int) []*int64 { return got[i].File.ValueStats.NullCounts }
	k := func(i int) []*int64 { return got[i].File.KeyStats.NullCounts }
	if !shared(v(0), v(1)) || !shared(v(1), v(2)) || shared(v(2), v(3)) || shared(v(3), v(4)) || !shared(v(4), v(5)) {
		t.Error("value null counts not shared as expected")
	}
	if !shared(k(0), k(3)) || k(4) != nil || !shared(k(3), k(5)) {
		t.Error("key null counts not shared as expected")
	}
}
