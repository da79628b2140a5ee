package manifest

import (
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"gocloud.dev/blob/memblob"

	"github.com/floelake/floe/storage"
)

var rewrite = flag.Bool("rewrite", false, "rewrite testdata/fileset.txt with the results")

// ddCase is one case of a datadriven file: input lines, "----", the
// output, a blank line.
type ddCase struct {
	input  []string
	output string
}

func readDD(t *testing.T, path string) (header string, cases []ddCase) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cur *ddCase
	var out []string
	inOut := false
	var head []string
	for _, l := range strings.Split(string(b), "\n") {
		switch {
		case cur == nil && (l == "" || strings.HasPrefix(l, "#")):
			if len(cases) == 0 {
				head = append(head, l)
			}
		case cur == nil:
			cur = &ddCase{input: []string{l}}
		case !inOut && l == "----":
			inOut = true
		case !inOut:
			cur.input = append(cur.input, l)
		case l == "":
			cur.output = strings.Join(out, "\n")
			cases = append(cases, *cur)
			cur, inOut, out = nil, false, nil
		default:
			out = append(out, l)
		}
	}
	if cur != nil {
		cur.output = strings.Join(out, "\n")
		cases = append(cases, *cur)
	}
	return strings.TrimRight(strings.Join(head, "\n"), "\n") + "\n\n", cases
}

// TestFileSetDatadriven runs testdata/fileset.txt. Commands:
//
//	merge
//	+|- p=<int> b=<bucket> l=<level> f=<name> s=<min>..<max>
//
// merges the entries with NewFileSet;
//
//	load [part=<int>] [bucket=<int>] [stats]
//	list <name>
//	manifest <name>
//	+|- …
//
// writes the manifests and lists to a store and loads them in order with
// LoadFileSet, keeping partition part and bucket bucket, and pruning
// manifests by their partition statistics with stats. The output is the
// set by bucket and level (each file with its sequence range and, for
// load, its manifest) or the error.
func TestFileSetDatadriven(t *testing.T) {
	path := "testdata/fileset.txt"
	header, cases := readDD(t, path)
	for i := range cases {
		c := &cases[i]
		got, err := runFileSetCase(c.input)
		if err != nil {
			t.Fatalf("%s: %v", c.input[0], err)
		}
		if *rewrite {
			c.output = got
			continue
		}
		if got != c.output {
			t.Errorf("case %d (%s):\ngot:\n%s\nwant:\n%s", i, strings.Join(c.input, " | "), got, c.output)
		}
	}
	if *rewrite {
		var sb strings.Builder
		sb.WriteString(header)
		for _, c := range cases {
			sb.WriteString(strings.Join(c.input, "\n") + "\n----\n" + c.output + "\n\n")
		}
		if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// loadCached makes runLoad load through a cache warmed by a load of
// everything.
var loadCached bool

// TestFileSetDatadrivenCached runs the load cases with their manifests
// served from a cache: the results must be those read from the files.
func TestFileSetDatadrivenCached(t *testing.T) {
	_, cases := readDD(t, "testdata/fileset.txt")
	loadCached = true
	defer func() { loadCached = false }()
	for i, c := range cases {
		if !strings.HasPrefix(c.input[0], "load") {
			continue
		}
		got, err := runFileSetCase(c.input)
		if err != nil {
			t.Fatalf("%s: %v", c.input[0], err)
		}
		if got != c.output {
			t.Errorf("case %d (%s):\ngot:\n%s\nwant:\n%s", i, strings.Join(c.input, " | "), got, c.output)
		}
	}
}

// TestCache checks that a cache serves a manifest to loads from the same
// store only, and drops the least recently used beyond its size.
func TestCache(t *testing.T) {
	ctx := context.Background()
	write := func(st *storage.Store, name string, n int) FileMeta {
		es := sampleEntries(n)
		for i := range es {
			es[i].Kind = Add
			es[i].File.FileName = fmt.Sprintf("%s-data-%d", name, i)
		}
		size, err := WriteManifest(ctx, st, name, es, EncodeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return FileMeta{FileName: name, FileSize: size, NumAddedFiles: int64(n), SchemaID: 1}
	}
	a := storage.New(memblob.OpenBucket(nil), "mem://")
	b := storage.New(memblob.OpenBucket(nil), "mem://")
	defer a.Close()
	defer b.Close()
	ma, mb := write(a, "manifest-x-0", 100), write(b, "manifest-x-0", 50)
	for _, x := range []struct {
		st *storage.Store
		m  FileMeta
	}{{a, ma}, {b, mb}} {
		if _, err := WriteList(ctx, x.st, "manifest-list-x-0", []FileMeta{x.m}, EncodeOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	c := NewCache(1 << 30)
	load := func(st *storage.Store, o FileSetOptions) *FileSet {
		t.Helper()
		o.Cache = c
		s, err := LoadFileSet(ctx, st, []string{"manifest-list-x-0"}, o)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if n := load(a, FileSetOptions{}).Len(); n != 100 {
		t.Fatalf("%d files", n)
	}
	if n := load(b, FileSetOptions{}).Len(); n != 50 {
		t.Fatalf("%d files from the other store", n)
	}
	if s := c.Stats(); s.Hits != 0 || s.Misses != 2 || s.Manifests != 2 {
		t.Fatalf("stats %+v", s)
	}
	if n := load(a, FileSetOptions{Bucket: func(b int32) bool { return b == 1 }}).Len(); n != 25 {
		t.Fatalf("%d files of bucket 1", n)
	}
	if n := load(a, FileSetOptions{}).Len(); n != 100 { // the filter left the cached entries alone
		t.Fatalf("%d files", n)
	}
	if s := c.Stats(); s.Hits != 2 {
		t.Fatalf("stats %+v", s)
	}
	// A cache too small for both keeps the one used last.
	small := NewCache(c.Stats().Bytes - 1)
	c = small
	load(a, FileSetOptions{})
	load(b, FileSetOptions{})
	if s := c.Stats(); s.Manifests != 1 || s.Evictions != 1 {
		t.Fatalf("stats %+v", s)
	}
	load(b, FileSetOptions{})
	if s := c.Stats(); s.Hits != 1 {
		t.Fatalf("stats %+v", s)
	}
	c.Reset()
	if s := c.Stats(); s.Manifests != 0 || s.Bytes != 0 {
		t.Fatalf("stats after Reset %+v", s)
	}
}

// intPartition is the serialized BinaryRow of one INT partition column.
func intPartition(v int32) []byte {
	b := make([]byte, 20)
	b[3] = 1
	binary.LittleEndian.PutUint32(b[12:], uint32(v))
	return b
}

func partitionValue(b []byte) int32 {
	if len(b) != 20 {
		return -1
	}
	return int32(binary.LittleEndian.Uint32(b[12:]))
}

func parseEntry(l string) (Entry, error) {
	fs := strings.Fields(l)
	e := sampleEntry(1)
	e.Kind = Add
	e.Partition, e.Bucket, e.File.Level, e.TotalBuckets = intPartition(0), 0, 0, 4
	if fs[0] == "-" {
		e.Kind = Delete
	} else if fs[0] != "+" {
		return e, fmt.Errorf("unknown entry kind %q", fs[0])
	}
	for _, kv := range fs[1:] {
		k, v, _ := strings.Cut(kv, "=")
		var err error
		num := func(s string) int64 {
			var n int64
			if err == nil {
				n, err = strconv.ParseInt(s, 10, 64)
			}
			return n
		}
		switch k {
		case "p":
			e.Partition = intPartition(int32(num(v)))
		case "b":
			e.Bucket = int32(num(v))
		case "l":
			e.File.Level = int32(num(v))
		case "f":
			e.File.FileName = v
		case "s":
			lo, hi, _ := strings.Cut(v, "..")
			e.File.MinSequenceNumber, e.File.MaxSequenceNumber = num(lo), num(hi)
		default:
			err = fmt.Errorf("unknown field %q", k)
		}
		if err != nil {
			return e, err
		}
	}
	return e, nil
}

func runFileSetCase(input []string) (string, error) {
	cmd := strings.Fields(input[0])
	switch cmd[0] {
	case "merge":
		var entries []Entry
		for _, l := range input[1:] {
			e, err := parseEntry(l)
			if err != nil {
				return "", err
			}
			entries = append(entries, e)
		}
		s, err := NewFileSet(entries)
		if err != nil {
			return "error: " + err.Error(), nil
		}
		return printFileSet(s), nil
	case "load":
		return runLoad(cmd[1:], input[1:])
	}
	return "", fmt.Errorf("unknown command %q", cmd[0])
}

func runLoad(args, lines []string) (string, error) {
	ctx := context.Background()
	st := storage.New(memblob.OpenBucket(nil), "mem://")
	defer st.Close()
	var o FileSetOptions
	stats := false
	part := int32(-1)
	for _, a := range args {
		k, v, _ := strings.Cut(a, "=")
		switch k {
		case "part":
			n, err := strconv.Atoi(v)
			if err != nil {
				return "", err
			}
			part = int32(n)
			want := string(intPartition(part))
			o.Partition = func(b []byte) (bool, error) { return string(b) == want, nil }
		case "bucket":
			n, err := strconv.Atoi(v)
			if err != nil {
				return "", err
			}
			o.Bucket = func(b int32) bool { return b == int32(n) }
		case "stats":
			stats = true
		default:
			return "", fmt.Errorf("unknown load option %q", a)
		}
	}
	if stats {
		o.PartitionStats = statsFilter(part)
	}
	type manifestIn struct {
		name    string
		entries []Entry
	}
	type listIn struct {
		name      string
		manifests []*manifestIn
	}
	var lists []*listIn
	for _, l := range lines {
		fs := strings.Fields(l)
		switch fs[0] {
		case "list":
			lists = append(lists, &listIn{name: fs[1]})
		case "manifest":
			if len(lists) == 0 {
				return "", errors.New("manifest before list")
			}
			ls := lists[len(lists)-1]
			ls.manifests = append(ls.manifests, &manifestIn{name: fs[1]})
		default:
			if len(lists) == 0 || len(lists[len(lists)-1].manifests) == 0 {
				return "", errors.New("entry before manifest")
			}
			ms := lists[len(lists)-1].manifests
			e, err := parseEntry(l)
			if err != nil {
				return "", err
			}
			ms[len(ms)-1].entries = append(ms[len(ms)-1].entries, e)
		}
	}
	var names []string
	written := map[string]bool{}
	for _, ls := range lists {
		var metas []FileMeta
		for _, m := range ls.manifests {
			meta := FileMeta{FileName: m.name, PartitionStats: SimpleStats{Min: intPartition(0), Max: intPartition(0)}}
			for i, e := range m.entries {
				if e.Kind == Add {
					meta.NumAddedFiles++
				} else {
					meta.NumDeletedFiles++
				}
				meta.SchemaID = max(meta.SchemaID, e.File.SchemaID)
				p := partitionValue(e.Partition)
				if i == 0 || p < partitionValue(meta.PartitionStats.Min) {
					meta.PartitionStats.Min = intPartition(p)
				}
				if i == 0 || p > partitionValue(meta.PartitionStats.Max) {
					meta.PartitionStats.Max = intPartition(p)
				}
			}
			if !written[m.name] {
				size, err := WriteManifest(ctx, st, m.name, m.entries, EncodeOptions{})
				if err != nil {
					return "", err
				}
				meta.FileSize = size
				written[m.name] = true
			}
			metas = append(metas, meta)
		}
		if _, err := WriteList(ctx, st, ls.name, metas, EncodeOptions{}); err != nil {
			return "", err
		}
		names = append(names, ls.name)
	}
	if loadCached {
		// Warm a cache with a load of everything first; the load below
		// must read the same from it.
		o.Cache = NewCache(1 << 30)
		if _, err := LoadFileSet(ctx, st, names, FileSetOptions{Cache: o.Cache}); err != nil {
			o.Cache = nil // a load that fails caches nothing useful
		}
	}
	s, err := LoadFileSet(ctx, st, names, o)
	if err != nil {
		return "error: " + err.Error(), nil
	}
	n := s.Stats()
	return printFileSet(s) + fmt.Sprintf("\nmanifests %d, skipped %d, entries %d", n.Manifests, n.ManifestsSkipped, n.Entries), nil
}

// statsFilter keeps manifests whose partition range holds p.
func statsFilter(p int32) func(*FileMeta) bool {
	return func(m *FileMeta) bool {
		return partitionValue(m.PartitionStats.Min) <= p && p <= partitionValue(m.PartitionStats.Max)
	}
}

// printFileSet prints a set by bucket and level, then its entries in
// order.
func printFileSet(s *FileSet) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%d files", s.Len())
	src := map[string]string{}
	for i, e := range s.Entries() {
		src[e.Identity()] = s.Source(i)
	}
	for _, k := range s.Buckets() {
		seq, _ := s.MaxSequence(k)
		fmt.Fprintf(&sb, "\np=%d b=%d max-seq=%d", partitionValue([]byte(k.Partition)), k.Bucket, seq)
		for _, l := range s.Levels(k) {
			fmt.Fprintf(&sb, "\n  L%d:", l)
			for _, e := range s.Level(k, l) {
				fmt.Fprintf(&sb, " %s[%d..%d]", e.File.FileName, e.File.MinSequenceNumber, e.File.MaxSequenceNumber)
				if m := src[e.Identity()]; m != "" {
					fmt.Fprintf(&sb, "@%s", m)
				}
			}
		}
	}
	return sb.String()
}

// TestFileSetPruneSkipsReads checks that manifests whose partition
// statistics rule out the partition are never read: reading them fails
// through a storage fault, and no fault fires.
func TestFileSetPruneSkipsReads(t *testing.T) {
	ctx := context.Background()
	base := storage.New(memblob.OpenBucket(nil), "mem://")
	defer base.Close()
	var metas []FileMeta
	for p := range int32(10) {
		var es []Entry
		for b := range int32(2) {
			e, err := parseEntry(fmt.Sprintf("+ p=%d b=%d f=data-%d-%d s=%d..%d", p, b, p, b, p*10, p*10+9))
			if err != nil {
				t.Fatal(err)
			}
			es = append(es, e)
		}
		name := fmt.Sprintf("manifest-p%d", p)
		size, err := WriteManifest(ctx, base, name, es, EncodeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		metas = append(metas, FileMeta{FileName: name, FileSize: size, NumAddedFiles: 2, SchemaID: 1,
			PartitionStats: SimpleStats{Min: intPartition(p), Max: intPartition(p)}})
	}
	if _, err := WriteList(ctx, base, "manifest-list-0", metas, EncodeOptions{}); err != nil {
		t.Fatal(err)
	}
	var faults storage.Faults
	for p := range 10 {
		if p != 7 {
			faults.Add(storage.Fault{Op: storage.OpRead, Key: fmt.Sprintf("manifest-p%d", p)})
		}
	}
	st := storage.WithFaults(base, &faults)
	s, err := LoadFileSet(ctx, st, []string{"manifest-list-0", ""}, FileSetOptions{
		Partition:      func(b []byte) (bool, error) { return partitionValue(b) == 7, nil },
		PartitionStats: statsFilter(7),
	})
	if err != nil {
		t.Fatal(err)
	}
	if faults.Fired() != 0 || faults.Ops(storage.OpRead) != 2 {
		t.Errorf("%d faults fired, %d reads; want 0 and 2 (the list and one manifest)", faults.Fired(), faults.Ops(storage.OpRead))
	}
	if got := s.Stats(); got != (FileSetStats{Manifests: 10, ManifestsSkipped: 9, Entries: 2}) {
		t.Errorf("stats %+v", got)
	}
	k := BucketKey{string(intPartition(7)), 1}
	if seq, ok := s.MaxSequence(k); !ok || seq != 79 || s.Len() != 2 || s.Source(1) != "manifest-p7" {
		t.Errorf("max seq %d %v, %d files, source %q", seq, ok, s.Len(), s.Source(1))
	}
	// Without statistics every manifest is read (and the faults fire).
	if _, err := LoadFileSet(ctx, st, []string{"manifest-list-0"}, FileSetOptions{
		Partition: func(b []byte) (bool, error) { return partitionValue(b) == 7, nil },
	}); !errors.Is(err, storage.ErrInjected) || !strings.Contains(err.Error(), "manifest-list-0") {
		t.Errorf("unpruned load: %v", err)
	}
}

func TestFileSetErrors(t *testing.T) {
	add := func(name string) Entry {
		e, _ := parseEntry("+ f=" + name)
		return e
	}
	e := add("a")
	_, err := NewFileSet([]Entry{e, e})
	var dup *DuplicateAddError
	if !errors.As(err, &dup) || !errors.Is(err, ErrDuplicateAdd) {
		t.Errorf("duplicate add: %v", err)
	}
	if _, err := LoadFileSet(context.Background(), storage.New(memblob.OpenBucket(nil), "mem://"), []string{"manifest-list-x"}, FileSetOptions{}); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("missing list: %v", err)
	}
}

// TestCacheCheck: a FileSet's Entries is a copy of the cache's entries, and Check
// finds what a caller wrote into what they share.
func TestCacheCheck(t *testing.T) {
	ctx := context.Background()
	st := storage.New(memblob.OpenBucket(nil), "mem://")
	entries := sampleEntries(50)
	for i := range entries {
		entries[i].Kind = Add
	}
	writeTestList(t, st, "list-a", entries)
	c := NewCache(64 << 20)
	load := func() *FileSet {
		s, err := LoadFileSet(ctx, st, []string{"list-a"}, FileSetOptions{Cache: c})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	for range 2 { // a miss, then a hit
		s := load()
		s.Entries()[3].File.Level = 99 // what a careless caller might do
		s.Entries()[4].Kind = Delete
		if err := c.Check(ctx); err != nil {
			t.Fatalf("a FileSet's entries are the cache's: %v", err)
		}
	}
	if s := c.Stats(); s.Hits != 1 || s.Misses != 1 {
		t.Fatalf("stats %+v", s)
	}
	s := load()
	s.Entries()[5].File.MinKey[len(s.Entries()[5].File.MinKey)-1] ^= 1 // shared bytes
	if err := c.Check(ctx); !errors.Is(err, ErrCacheModified) {
		t.Fatalf("Check after a write to shared bytes: %v", err)
	}
}

// TestFileSetSharesCache: with a cache, loads share the cache's entry
// arrays (no copy at load), Entry agrees with Entries, and Entries is a
// copy of the set's own.
func TestFileSetSharesCache(t *testing.T) {
	ctx := context.Background()
	st := storage.New(memblob.OpenBucket(nil), "mem://")
	entries := sampleEntries(60)
	for i := range entries {
		entries[i].Kind = Add
	}
	entries[59] = entries[7]
	entries[59].Kind = Delete // cancels entry 7
	writeTestList(t, st, "list-a", entries[:30], entries[30:])
	c := NewCache(64 << 20)
	var sets []*FileSet
	for _, cache := range []*Cache{nil, c, c} {
		s, err := LoadFileSet(ctx, st, []string{"list-a"}, FileSetOptions{Cache: cache})
		if err != nil {
			t.Fatal(err)
		}
		if s.Len() != 58 || len(s.Entries()) != 58 {
			t.Fatalf("%d live entries, Entries %d; want 58", s.Len(), len(s.Entries()))
		}
		for i := range s.Len() {
			if !reflect.DeepEqual(*s.Entry(i), s.Entries()[i]) || &s.Entries()[i] == s.Entry(i) && cache != nil {
				t.Fatalf("entry %d: Entry %+v, Entries %+v (cache %v)", i, *s.Entry(i), s.Entries()[i], cache != nil)
			}
		}
		sets = append(sets, s)
	}
	if sets[1].Entry(0) != sets[2].Entry(0) || sets[0].Entry(0) == sets[1].Entry(0) {
		t.Error("loads with a cache do not share its entries")
	}
	if err := c.Check(ctx); err != nil {
		t.Fatal(err)
	}
}

// writeTestList writes each part as a manifest and a manifest list, list,
// of them (schema 1).
func writeTestList(t *testing.T, st *storage.Store, list string, parts ...[]Entry) {
	t.Helper()
	ctx := context.Background()
	var metas []FileMeta
	for i, part := range parts {
		name := fmt.Sprintf("manifest-%s-%d", list, i)
		size, err := WriteManifest(ctx, st, name, part, EncodeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		m := FileMeta{FileName: name, FileSize: size, SchemaID: 1}
		for _, e := range part {
			if e.Kind == Add {
				m.NumAddedFiles++
			} else {
				m.NumDeletedFiles++
			}
		}
		metas = append(metas, m)
	}
	if _, err := WriteList(ctx, st, list, metas, EncodeOptions{}); err != nil {
		t.Fatal(err)
	}
}
