package manifest

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"

	"gocloud.dev/blob/memblob"

	"github.com/floelake/floe/internal/fixtures"
	"github.com/floelake/floe/storage"
)

// docSchema extracts the first ```json block after heading from the format
// reference and strips whitespace.
func docSchema(t *testing.T, heading string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "docs", "paimon-format.md"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, heading)
	if i < 0 {
		t.Fatalf("heading %q not found", heading)
	}
	s = s[i:]
	start := strings.Index(s, "```json\n")
	end := strings.Index(s[start+8:], "```")
	return regexp.MustCompile(`\s+`).ReplaceAllString(s[start+8:start+8+end], "")
}

func TestSchemasMatchReference(t *testing.T) {
	for _, c := range []struct {
		heading, schema string
		encode          func() ([]byte, error)
	}{
		{"### 4.2", ListSchema, func() ([]byte, error) { return EncodeList(nil, EncodeOptions{}) }},
		{"### 4.3", ManifestSchema, func() ([]byte, error) { return EncodeManifest(nil, EncodeOptions{}) }},
		{"### 4.7", IndexManifestSchema, func() ([]byte, error) { return EncodeIndexManifest(nil, EncodeOptions{}) }},
	} {
		if want := docSchema(t, c.heading); c.schema != want {
			t.Errorf("%s schema differs:\n got %s\nwant %s", c.heading, c.schema, want)
		}
		b, err := c.encode()
		if err != nil {
			t.Fatal(err)
		}
		h, meta := header(t, b)
		if string(meta["avro.schema"]) != c.schema || string(meta["avro.codec"]) != "zstandard" || len(meta) != 2 {
			t.Errorf("%s: header %q", c.heading, meta)
		}
		_ = h
	}
}

// TestSchemasMatchJava compares our schemas with those in 2.x Java files:
// list and manifest are identical; the index manifest differs only by the
// 2.x _SOURCE_META field.
func TestSchemasMatchJava(t *testing.T) {
	got := map[string]string{}
	for _, tb := range fixtures.GoldenTables(t) {
		for name, b := range manifestFiles(t, tb.Dir) {
			_, meta := header(t, b)
			got[fileKind(name)] = string(meta["avro.schema"])
		}
	}
	if got["list"] != ListSchema {
		t.Errorf("list schema differs from Java's:\n%s", got["list"])
	}
	if got["manifest"] != ManifestSchema {
		t.Errorf("manifest schema differs from Java's:\n%s", got["manifest"])
	}
	if want := strings.Replace(IndexManifestSchema, indexMetaField, indexMetaField+","+sourceMetaField, 1); got["index"] != want {
		t.Errorf("index schema differs from Java's 2.x:\n%s", got["index"])
	}
}

func header(t *testing.T, b []byte) (*container, map[string]string) {
	t.Helper()
	h, err := parseHeader(b)
	if err != nil {
		t.Fatal(err)
	}
	r := reader{b: b, i: 4}
	meta := map[string]string{}
	for c := r.count(); c > 0; c = r.count() {
		for ; c > 0; c-- {
			k := string(r.bytes())
			meta[k] = string(r.bytes())
		}
	}
	return h, meta
}

// emptyPartition is the serialized BinaryRow of an unpartitioned table.
var emptyPartition = []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}

func p64(v int64) *int64 { return &v }
func p32(v int32) *int32 { return &v }
func ps(v string) *string {
	return &v
}

func sampleEntries(n int) []Entry {
	out := make([]Entry, n)
	for i := range out {
		out[i] = sampleEntry(i)
	}
	return out
}

func sampleEntry(i int) Entry {
	row := func(v int32) []byte {
		b := []byte{0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24), 0, 0, 0, 0}
		return b
	}
	e := Entry{
		Kind: Add, Partition: row(int32(i % 7)), Bucket: int32(i % 4), TotalBuckets: 4,
		File: DataFile{
			FileName: "data-6c1c5b5e-2cf7-4d0b-8a51-9f6a1e0d2b3c-" + itoa(i) + ".parquet",
			FileSize: int64(1000 + i), RowCount: int64(i * 10), MinKey: row(int32(i)), MaxKey: row(int32(i + 9)),
			KeyStats:          SimpleStats{Min: row(int32(i)), Max: row(int32(i + 9)), NullCounts: []*int64{p64(0)}},
			ValueStats:        SimpleStats{Min: bytes.Repeat([]byte{1}, 44), Max: bytes.Repeat([]byte{2}, 44), NullCounts: []*int64{p64(0), p64(3), nil, p64(1)}},
			MinSequenceNumber: int64(i), MaxSequenceNumber: int64(i + 9), SchemaID: 1, Level: int32(i % 6),
			CreationTime: p64(1700000000000 + int64(i)), DeleteRowCount: p64(int64(i % 3)), FileSource: p32(int32(i % 2)),
		},
	}
	if i%5 == 0 {
		e.Kind = Delete
		e.File.ExtraFiles = []string{e.File.FileName + ".index"}
		e.File.EmbeddedIndex = []byte{}
		e.File.ValueStatsCols = []string{}
		e.File.ExternalPath = ps("s3://x/y")
		e.File.FirstRowID = p64(int64(i))
		e.File.WriteCols = []string{"a", "b"}
	}
	return e
}

func itoa(i int) string {
	return string(appendInt(nil, i))
}

func appendInt(b []byte, i int) []byte {
	if i >= 10 {
		b = appendInt(b, i/10)
	}
	return append(b, byte('0'+i%10))
}

func TestRoundTripCodecs(t *testing.T) {
	entries := sampleEntries(3000) // several blocks
	metas := []FileMeta{
		{FileName: "manifest-a-0", FileSize: 10, NumAddedFiles: 2, PartitionStats: SimpleStats{Min: []byte{}, Max: []byte{}, NullCounts: []*int64{}}},
		{FileName: "manifest-a-1", FileSize: 11, NumDeletedFiles: 1, SchemaID: 3, PartitionStats: SimpleStats{Min: []byte{1}, Max: []byte{2}},
			MinBucket: p32(0), MaxBucket: p32(3), MinLevel: p32(0), MaxLevel: p32(5), MinRowID: p64(0), MaxRowID: p64(99)},
	}
	index := []IndexEntry{
		{Kind: Add, Partition: emptyPartition, IndexType: IndexDeletionVectors, FileName: "index-x-0", FileSize: 99, RowCount: 2,
			DVRanges: []DVRange{{DataFile: "d1", Offset: 1, Length: 24, Cardinality: p64(2)}, {DataFile: "d2", Offset: 25, Length: 22}}},
		{Kind: Add, Partition: emptyPartition, IndexType: IndexHash, FileName: "index-x-1", ExternalPath: ps("oss://p")},
		{Kind: Add, Partition: emptyPartition, IndexType: "btree", FileName: "index-x-2",
			GlobalIndex: &GlobalIndexMeta{RowRangeStart: 1, RowRangeEnd: 9, IndexFieldID: 2, ExtraFieldIDs: []int32{3, 4}, IndexMeta: []byte{}, SourceMeta: []byte{7}}},
	}
	for _, codec := range []Codec{"", CodecNull, CodecDeflate, CodecSnappy, CodecZstd} {
		t.Run(string(codec), func(t *testing.T) {
			opts := EncodeOptions{Codec: codec}
			b, err := EncodeManifest(entries, opts)
			if err != nil {
				t.Fatal(err)
			}
			got, err := DecodeManifest("m", b)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, entries) {
				t.Errorf("manifest round trip differs")
			}
			lb, err := EncodeList(metas, opts)
			if err != nil {
				t.Fatal(err)
			}
			gotm, err := DecodeList("l", lb)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(gotm, metas) {
				t.Errorf("list round trip differs:\n got %+v\nwant %+v", gotm, metas)
			}
			ib, err := EncodeIndexManifest(index, opts)
			if err != nil {
				t.Fatal(err)
			}
			goti, err := DecodeIndexManifest("i", ib)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(goti, index) {
				t.Errorf("index round trip differs:\n got %+v\nwant %+v", goti, index)
			}
		})
	}
}

func TestWriteColsSequences(t *testing.T) {
	e := sampleEntries(2)
	e[1].File.WriteColsSequences = []int64{5, 6}
	b, err := EncodeManifest(e, EncodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeManifest("m", b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, e) {
		t.Errorf("round trip differs")
	}
}

func TestBadInput(t *testing.T) {
	good, err := EncodeManifest(sampleEntries(10), EncodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	check := func(what string, b []byte, want error) {
		t.Helper()
		_, err := DecodeManifest("manifest-bad-0", b)
		if !errors.Is(err, want) {
			t.Errorf("%s: got %v, want %v", what, err, want)
		} else if !strings.Contains(err.Error(), "manifest-bad-0") {
			t.Errorf("%s: error does not name the file: %v", what, err)
		}
	}
	check("empty", nil, ErrCorrupt)
	check("json", []byte(`{"version":3}`), ErrCorrupt)
	check("orc", []byte("ORC\x00\x01"), ErrUnsupportedFormat)
	h, _ := header(t, good)
	for n := 0; n < len(good); n++ {
		// Avro containers have no end marker: a cut right after a sync
		// marker is a valid, shorter file.
		if n >= h.body && bytes.HasSuffix(good[:n], h.sync[:]) {
			if es, err := DecodeManifest("m", good[:n]); err != nil || len(es) >= 10 {
				t.Errorf("cut at block boundary %d: %d entries, %v", n, len(es), err)
			}
			continue
		}
		check("truncated", good[:n], ErrCorrupt)
	}
	for i := 0; i < len(good); i++ {
		for _, bit := range []byte{1, 0x80} {
			b := bytes.Clone(good)
			b[i] ^= bit
			// A flipped bit may still decode (e.g. in a value); it must
			// never panic and any error must be typed.
			_, err := DecodeManifest("manifest-bad-0", b)
			if err != nil && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrUnsupportedVersion) && !errors.Is(err, ErrUnsupportedFormat) {
				t.Errorf("flip %d: untyped error %v", i, err)
			}
		}
	}
	// Version 3 is not ours.
	e := sampleEntries(1)
	b, _ := EncodeManifest(e, EncodeOptions{Codec: CodecNull})
	// The first record byte after the block header is _VERSION (zigzag 2 = 4).
	vh, _ := header(t, b)
	r := reader{b: b, i: vh.body}
	r.long()
	r.long()
	if b[r.i] != 4 {
		t.Fatalf("no version at %d", r.i)
	}
	b[r.i] = 6
	check("version", b, ErrUnsupportedVersion)
	// An index manifest is not a list (no _VERSION mismatch but wrong shape).
	ib, _ := EncodeIndexManifest([]IndexEntry{{IndexType: "HASH", Partition: []byte{}}}, EncodeOptions{})
	if _, err := DecodeList("x", ib); !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrUnsupportedVersion) {
		t.Errorf("index as list: %v", err)
	}
}

func TestMerge(t *testing.T) {
	add := func(name string, level int32) Entry {
		return Entry{Kind: Add, Partition: []byte{1}, Bucket: 0, File: DataFile{FileName: name, Level: level}}
	}
	del := func(name string, level int32) Entry {
		e := add(name, level)
		e.Kind = Delete
		return e
	}
	names := func(es []Entry) string {
		var s []string
		for _, e := range es {
			s = append(s, e.Kind.String()+":"+e.File.FileName+"@"+itoa(int(e.File.Level)))
		}
		return strings.Join(s, " ")
	}
	for _, c := range []struct {
		in   []Entry
		want string
		err  error
	}{
		{[]Entry{add("a", 0), add("b", 0), del("a", 0)}, "ADD:b@0", nil},
		{[]Entry{add("a", 0), del("a", 0), add("a", 5)}, "ADD:a@5", nil}, // upgrade
		{[]Entry{del("x", 0), add("b", 0)}, "DELETE:x@0 ADD:b@0", nil},   // tombstone
		{[]Entry{add("a", 0), add("a", 0)}, "", ErrDuplicateAdd},
		{[]Entry{del("a", 0), add("a", 0)}, "", ErrDuplicateAdd},
		{[]Entry{add("a", 0), del("a", 0), add("a", 0)}, "ADD:a@0", nil},
		{[]Entry{add("a", 0), add("a", 1)}, "ADD:a@0 ADD:a@1", nil},
	} {
		got, err := Merge(c.in)
		if !errors.Is(err, c.err) {
			t.Errorf("%s: err %v, want %v", names(c.in), err, c.err)
			continue
		}
		if err == nil && names(got) != c.want {
			t.Errorf("%s: got %s, want %s", names(c.in), names(got), c.want)
		}
	}
	// Identity includes partition bytes, bucket, extra files, embedded
	// index and external path.
	a := add("a", 0)
	for _, mod := range []func(*Entry){
		func(e *Entry) { e.Partition = []byte{2} },
		func(e *Entry) { e.Bucket = 1 },
		func(e *Entry) { e.File.ExtraFiles = []string{"a.index"} },
		func(e *Entry) { e.File.EmbeddedIndex = []byte{} },
		func(e *Entry) { e.File.ExternalPath = ps("") },
	} {
		b := add("a", 0)
		mod(&b)
		if a.Identity() == b.Identity() {
			t.Errorf("identity ignores a field: %+v", b)
		}
	}
	b := add("a", 0)
	b.File.RowCount = 99
	b.TotalBuckets = 3
	if a.Identity() != b.Identity() {
		t.Error("identity depends on non-identity fields")
	}
}

func TestStoreRoundTrip(t *testing.T) {
	ctx := context.Background()
	st := storage.New(memblob.OpenBucket(nil), "mem://")
	defer st.Close()
	mg, lg := NewNameGenerator(PrefixManifest), NewNameGenerator(PrefixList)
	entries := sampleEntries(50)
	var metas []FileMeta
	for i := 0; i < 3; i++ {
		name := mg.Next()
		if !strings.HasSuffix(name, "-"+itoa(i)) || !strings.HasPrefix(name, PrefixManifest) {
			t.Fatalf("name %s", name)
		}
		part := entries[i*10 : i*10+20]
		size, err := WriteManifest(ctx, st, name, part, EncodeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		m := FileMeta{FileName: name, FileSize: size, PartitionStats: SimpleStats{Min: []byte{}, Max: []byte{}}}
		for _, e := range part {
			if e.Kind == Add {
				m.NumAddedFiles++
			} else {
				m.NumDeletedFiles++
			}
			m.SchemaID = max(m.SchemaID, e.File.SchemaID)
		}
		metas = append(metas, m)
	}
	list := lg.Next()
	size, err := WriteList(ctx, st, list, metas, EncodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := st.Size(ctx, Key(list)); n != size {
		t.Errorf("size %d vs %d", n, size)
	}
	// Overlapping slices: entries 10..19 are added twice.
	if _, err := LiveFiles(ctx, st, list); !errors.Is(err, ErrDuplicateAdd) {
		t.Errorf("duplicate add: %v", err)
	}
	if _, err := LiveFiles(ctx, st, "manifest-list-missing-0"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("missing list: %v", err)
	}

	// Concurrent names are unique.
	g := NewNameGenerator(PrefixIndexManifest)
	var mu sync.Mutex
	seen := map[string]bool{}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				n := g.Next()
				mu.Lock()
				seen[n] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != 800 {
		t.Errorf("%d unique names", len(seen))
	}
}
