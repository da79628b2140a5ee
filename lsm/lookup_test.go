package lsm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/internal/kv"
	"github.com/floelake/floe/manifest"
)

// lkSchema is a KV record schema with a two-column key (a nullable string
// with shared prefixes, an int64) and a string value.
var lkSchema = kv.RecordSchema(arrow.NewSchema([]arrow.Field{
	{Name: "ks", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "ki", Type: arrow.PrimitiveTypes.Int64},
	{Name: "v", Type: arrow.BinaryTypes.String, Nullable: true},
}, nil))

var lkKeyCols = []int{2, 3}

type lkRow struct {
	ks   *string
	ki   int64
	v    string
	kind int8
}

// lkUniverse returns n distinct key tuples.
func lkUniverse(rng *rand.Rand, n int) []lkRow {
	seen := map[string]bool{}
	var out []lkRow
	for len(out) < n {
		var r lkRow
		if rng.IntN(10) > 0 {
			s := fmt.Sprintf("prefix/%03d", rng.IntN(40))
			if rng.IntN(4) == 0 {
				s += "\x00tail"
			}
			r.ks = &s
		}
		r.ki = rng.Int64N(1000) - 500
		id := fmt.Sprint(r.ki)
		if r.ks != nil {
			id += "/" + *r.ks
		}
		if seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, r)
	}
	return out
}

func lkRecord(mem memory.Allocator, rows []lkRow) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, lkSchema)
	defer b.Release()
	for i, r := range rows {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		b.Field(1).(*array.Int8Builder).Append(r.kind)
		if r.ks == nil {
			b.Field(2).AppendNull()
		} else {
			b.Field(2).(*array.StringBuilder).Append(*r.ks)
		}
		b.Field(3).(*array.Int64Builder).Append(r.ki)
		b.Field(4).(*array.StringBuilder).Append(r.v)
	}
	return b.NewRecordBatch()
}

// lkKeys encodes the keys of rows.
func lkKeys(t testing.TB, rows []lkRow) [][]byte {
	t.Helper()
	enc, err := NewKeyEncoder(lkSchema, lkKeyCols)
	if err != nil {
		t.Fatal(err)
	}
	rec := lkRecord(memory.DefaultAllocator, rows)
	defer rec.Release()
	keys, err := enc.Keys(rec)
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

// lkFile is an in-memory data file: rows sorted by key, cut into batches.
type lkFile struct {
	meta  manifest.DataFile
	recs  []arrow.RecordBatch
	want  map[string]int64 // key -> last row position
	opens atomic.Int64
}

// lkMakeFile makes a sorted file from a random subset of universe (some
// keys repeated) in batches of random sizes, empty ones included.
func lkMakeFile(t testing.TB, rng *rand.Rand, name string, universe []lkRow, frac float64) *lkFile {
	t.Helper()
	var rows []lkRow
	for _, u := range universe {
		if rng.Float64() < frac {
			for range 1 + rng.IntN(2)*rng.IntN(3) {
				r := u
				r.v = fmt.Sprint(name, len(rows))
				r.kind = int8(rng.IntN(4))
				rows = append(rows, r)
			}
		}
	}
	keys := lkKeys(t, rows)
	perm := make([]int, len(rows))
	for i := range perm {
		perm[i] = i
	}
	slices.SortStableFunc(perm, func(a, b int) int { return bytes.Compare(keys[a], keys[b]) })
	sorted := make([]lkRow, len(rows))
	f := &lkFile{meta: manifest.DataFile{FileName: name, RowCount: int64(len(rows)), Level: 1}, want: map[string]int64{}}
	for i, p := range perm {
		sorted[i] = rows[p]
		f.want[string(keys[p])] = int64(i)
	}
	for start := 0; start < len(sorted); {
		n := 1 + rng.IntN(300)
		if rng.IntN(10) == 0 {
			n = 0 // an empty batch
		}
		end := min(start+n, len(sorted))
		f.recs = append(f.recs, lkRecord(memory.DefaultAllocator, sorted[start:end]))
		start = end
	}
	t.Cleanup(func() {
		for _, r := range f.recs {
			r.Release()
		}
	})
	return f
}

func (f *lkFile) open(ctx context.Context) (array.RecordReader, error) {
	f.opens.Add(1)
	return array.NewRecordReader(lkSchema, f.recs)
}

// lkQuery returns ascending distinct keys: about half of universe, and
// keys no file can hold.
func lkQuery(t testing.TB, rng *rand.Rand, universe []lkRow) [][]byte {
	t.Helper()
	var rows []lkRow
	for _, u := range universe {
		if rng.IntN(2) == 0 {
			rows = append(rows, u)
		}
	}
	for range 20 {
		s := fmt.Sprintf("absent/%d", rng.IntN(1000))
		rows = append(rows, lkRow{ks: &s, ki: rng.Int64N(1 << 40)})
	}
	keys := lkKeys(t, rows)
	slices.SortFunc(keys, bytes.Compare)
	return keys
}

func lkCheck(t testing.TB, l *Lookup, f *lkFile, keys [][]byte) {
	t.Helper()
	got, err := l.Positions(context.Background(), f.meta, f.open, lkKeyCols, keys)
	if err != nil {
		t.Fatalf("%s: %v", f.meta.FileName, err)
	}
	if len(got) != len(keys) {
		t.Fatalf("%s: %d answers for %d keys", f.meta.FileName, len(got), len(keys))
	}
	for i, k := range keys {
		want, ok := f.want[string(k)]
		if !ok {
			want = -1
		}
		if got[i] != want {
			t.Fatalf("%s: key %d (%x): position %d, want %d", f.meta.FileName, i, k, got[i], want)
		}
	}
}

// lkDirFiles returns the cache files in l's directory and their total size.
func lkDirFiles(t testing.TB, l *Lookup) ([]string, int64) {
	t.Helper()
	ents, err := os.ReadDir(l.dir.Path())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	var size int64
	for _, e := range ents {
		if e.Name() == "lock" {
			continue
		}
		info, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) {
			continue // removed since ReadDir, e.g. by the retention timer
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, e.Name())
		size += info.Size()
	}
	return names, size
}

func lkNew(t testing.TB, o LookupOptions) *Lookup {
	t.Helper()
	if o.Dir == "" {
		o.Dir = t.TempDir()
	}
	l, err := NewLookup(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func TestLookupModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	universe := lkUniverse(rng, 5000)
	l := lkNew(t, LookupOptions{})
	var files []*lkFile
	for i := range 6 {
		files = append(files, lkMakeFile(t, rng, fmt.Sprintf("data-%d.parquet", i), universe, []float64{0, 0.05, 0.3, 0.6, 0.9, 1}[i]))
	}
	for range 5 {
		for _, f := range files {
			lkCheck(t, l, f, lkQuery(t, rng, universe))
		}
	}
	// Unsorted keys with repeats.
	keys := lkQuery(t, rng, universe)
	keys = append(keys, keys[:10]...)
	rng.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
	for _, f := range files {
		lkCheck(t, l, f, keys)
	}
	// Every key of a file, and the keys just around them.
	for _, f := range files {
		var all [][]byte
		for k := range f.want {
			all = append(all, []byte(k), append([]byte(k), 0))
		}
		slices.SortFunc(all, bytes.Compare)
		lkCheck(t, l, f, all)
	}
	for _, f := range files {
		if n := f.opens.Load(); n != 1 {
			t.Errorf("%s opened %d times, want 1 (no eviction)", f.meta.FileName, n)
		}
	}
	if l.DiskSize() <= 0 {
		t.Fatal("DiskSize 0 with cached files")
	}
	if got, err := l.Positions(context.Background(), files[0].meta, files[0].open, lkKeyCols, nil); err != nil || len(got) != 0 {
		t.Fatalf("no keys: %v, %v", got, err)
	}
}

func TestLookupEvictsBeyondMaxDiskSize(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	universe := lkUniverse(rng, 4000)
	var files []*lkFile
	for i := range 5 {
		files = append(files, lkMakeFile(t, rng, fmt.Sprintf("f%d", i), universe, 0.5))
	}
	// Learn one file's cache size.
	probe := lkNew(t, LookupOptions{})
	lkCheck(t, probe, files[0], lkQuery(t, rng, universe))
	one := probe.DiskSize()
	probe.Close()
	files[0].opens.Store(0)

	max := one*5/2 + one/10
	l := lkNew(t, LookupOptions{MaxDiskSize: max})
	for i := range 40 {
		f := files[rng.IntN(len(files))]
		if i%3 == 0 {
			f = files[0] // keep one file hot
		}
		lkCheck(t, l, f, lkQuery(t, rng, universe))
		if d := l.DiskSize(); d > max {
			t.Fatalf("call %d: DiskSize %d > max %d", i, d, max)
		}
		names, size := lkDirFiles(t, l)
		if size > max || len(names) > 2 {
			t.Fatalf("call %d: %d files of %d bytes on disk, max %d", i, len(names), size, max)
		}
	}
	var opens int64
	for _, f := range files {
		opens += f.opens.Load()
	}
	if opens <= int64(len(files)) {
		t.Fatalf("%d opens for %d files: nothing was evicted and rebuilt", opens, len(files))
	}

	// A file larger than the bound answers, then leaves nothing behind.
	small := lkNew(t, LookupOptions{MaxDiskSize: one / 2})
	lkCheck(t, small, files[0], lkQuery(t, rng, universe))
	if d := small.DiskSize(); d != 0 {
		t.Fatalf("DiskSize %d after a file larger than the bound", d)
	}
	if names, _ := lkDirFiles(t, small); len(names) != 0 {
		t.Fatalf("files left: %v", names)
	}
}

type lkClock struct{ ns atomic.Int64 }

func (c *lkClock) now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *lkClock) advance(d time.Duration) { c.ns.Add(int64(d)) }

func TestLookupRetention(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	universe := lkUniverse(rng, 1000)
	a := lkMakeFile(t, rng, "a", universe, 0.5)
	b := lkMakeFile(t, rng, "b", universe, 0.5)
	clk := &lkClock{}
	clk.ns.Store(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	l := lkNew(t, LookupOptions{}) // default retention: 1 h
	l.now = clk.now
	q := lkQuery(t, rng, universe)
	lkCheck(t, l, a, q)
	clk.advance(40 * time.Minute)
	lkCheck(t, l, b, q)
	clk.advance(21 * time.Minute) // a unused for 61 min, b for 21
	lkCheck(t, l, b, q)
	names, _ := lkDirFiles(t, l)
	if len(names) != 1 {
		t.Fatalf("files after a's retention: %v", names)
	}
	lkCheck(t, l, a, q)
	if a.opens.Load() != 2 || b.opens.Load() != 1 {
		t.Fatalf("opens a=%d b=%d, want 2 and 1", a.opens.Load(), b.opens.Load())
	}
	clk.advance(2 * time.Hour)
	if d := l.DiskSize(); d != 0 {
		t.Fatalf("DiskSize %d after every file's retention", d)
	}

	// Without calls, a timer expires idle files.
	l2 := lkNew(t, LookupOptions{Retention: 20 * time.Millisecond})
	lkCheck(t, l2, a, q)
	deadline := time.Now().Add(5 * time.Second)
	for {
		names, _ := lkDirFiles(t, l2)
		if len(names) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("files still cached long after their retention: %v", names)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestLookupConcurrent(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	universe := lkUniverse(rng, 3000)
	var files []*lkFile
	for i := range 6 {
		files = append(files, lkMakeFile(t, rng, fmt.Sprintf("c%d", i), universe, 0.4))
	}
	probe := lkNew(t, LookupOptions{})
	lkCheck(t, probe, files[0], lkQuery(t, rng, universe))
	one := probe.DiskSize()
	probe.Close()

	l := lkNew(t, LookupOptions{MaxDiskSize: 3 * one})
	queries := make([][][]byte, 8)
	for i := range queries {
		queries[i] = lkQuery(t, rng, universe)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), 9))
			for range 30 {
				f := files[r.IntN(len(files))]
				switch r.IntN(10) {
				case 0:
					l.Forget(f.meta.FileName)
				case 1:
					l.DiskSize()
				}
				lkCheck(t, l, f, queries[r.IntN(len(queries))])
			}
		}()
	}
	wg.Wait()
	if d := l.DiskSize(); d > 3*one {
		t.Fatalf("DiskSize %d > max %d", d, 3*one)
	}
	if _, size := lkDirFiles(t, l); size != l.DiskSize() {
		t.Fatalf("%d bytes on disk, DiskSize %d", size, l.DiskSize())
	}
}

// lkCancelReader cancels its context after a few batches.
type lkCancelReader struct {
	array.RecordReader
	n      int
	cancel func()
}

func (r *lkCancelReader) Next() bool {
	r.n++
	if r.n == 3 {
		r.cancel()
	}
	return r.RecordReader.Next()
}

func TestLookupCancelLeavesNoFiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	universe := lkUniverse(rng, 3000)
	f := lkMakeFile(t, rng, "x", universe, 0.9)
	l := lkNew(t, LookupOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	open := func(ctx context.Context) (array.RecordReader, error) {
		rr, err := f.open(ctx)
		return &lkCancelReader{RecordReader: rr, cancel: cancel}, err
	}
	_, err := l.Positions(ctx, f.meta, open, lkKeyCols, lkQuery(t, rng, universe))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if names, _ := lkDirFiles(t, l); len(names) != 0 {
		t.Fatalf("files left after cancel: %v", names)
	}
	if l.DiskSize() != 0 {
		t.Fatal("DiskSize counts a cancelled build")
	}
	// A waiter whose context ends gives up; the builder carries on.
	release := make(chan struct{})
	slow := func(ctx context.Context) (array.RecordReader, error) {
		<-release
		return f.open(ctx)
	}
	done := make(chan error)
	go func() {
		_, err := l.Positions(context.Background(), f.meta, slow, lkKeyCols, lkQuery(t, rng, universe))
		done <- err
	}()
	for {
		l.mu.Lock()
		building := l.files[f.meta.FileName] != nil
		l.mu.Unlock()
		if building {
			break
		}
		time.Sleep(time.Millisecond)
	}
	wctx, wcancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer wcancel()
	if _, err := l.Positions(wctx, f.meta, f.open, lkKeyCols, lkQuery(t, rng, universe)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("waiter: %v, want DeadlineExceeded", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	lkCheck(t, l, f, lkQuery(t, rng, universe))
}

func TestLookupRebuildsDamagedFile(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	universe := lkUniverse(rng, 4000)
	f := lkMakeFile(t, rng, "d", universe, 0.8)
	for _, damage := range []string{"flip", "truncate", "empty"} {
		t.Run(damage, func(t *testing.T) {
			f.opens.Store(0)
			l := lkNew(t, LookupOptions{})
			lkCheck(t, l, f, lkQuery(t, rng, universe))
			l.mu.Lock()
			e := l.files["d"]
			l.mu.Unlock()
			if e.idx.blocks() < 4 {
				t.Fatalf("only %d blocks", e.idx.blocks())
			}
			switch damage {
			case "flip":
				// One bit in the middle of every block.
				w, err := os.OpenFile(e.path, os.O_RDWR, 0)
				if err != nil {
					t.Fatal(err)
				}
				for b := range e.idx.blocks() {
					var c [1]byte
					off := e.idx.offs[b] + int64(e.idx.lens[b])/2
					w.ReadAt(c[:], off)
					c[0] ^= 0x10
					w.WriteAt(c[:], off)
				}
				w.Close()
			case "truncate":
				if err := os.Truncate(e.path, e.size/2); err != nil {
					t.Fatal(err)
				}
			case "empty":
				if err := os.Truncate(e.path, 0); err != nil {
					t.Fatal(err)
				}
			}
			lkCheck(t, l, f, lkQuery(t, rng, universe))
			if n := f.opens.Load(); n != 2 {
				t.Fatalf("opened %d times, want 2 (a rebuild)", n)
			}
			if names, _ := lkDirFiles(t, l); len(names) != 1 {
				t.Fatalf("files: %v", names)
			}
		})
	}
}

func TestLookupErrors(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	universe := lkUniverse(rng, 500)
	f := lkMakeFile(t, rng, "e", universe, 0.5)
	l := lkNew(t, LookupOptions{})
	q := lkQuery(t, rng, universe)

	// Unsorted data.
	rows := universe[:50]
	rec := lkRecord(memory.DefaultAllocator, rows)
	defer rec.Release()
	unsorted := func(context.Context) (array.RecordReader, error) {
		return array.NewRecordReader(lkSchema, []arrow.RecordBatch{rec})
	}
	if _, err := l.Positions(context.Background(), manifest.DataFile{FileName: "u"}, unsorted, lkKeyCols, q); !errors.Is(err, ErrUnsorted) {
		t.Fatalf("unsorted: %v", err)
	}
	// Bad key columns.
	if _, err := l.Positions(context.Background(), f.meta, f.open, []int{9}, q); !errors.Is(err, ErrOptions) {
		t.Fatalf("column out of range: %v", err)
	}
	// open failing.
	boom := errors.New("boom")
	if _, err := l.Positions(context.Background(), f.meta, func(context.Context) (array.RecordReader, error) { return nil, boom }, lkKeyCols, q); !errors.Is(err, boom) {
		t.Fatalf("open error: %v", err)
	}
	if names, _ := lkDirFiles(t, l); len(names) != 0 {
		t.Fatalf("files left after failed builds: %v", names)
	}
	// Other key columns for a cached file.
	lkCheck(t, l, f, q)
	if _, err := l.Positions(context.Background(), f.meta, f.open, []int{3}, q); !errors.Is(err, ErrOptions) {
		t.Fatalf("other key columns: %v", err)
	}
	// Forget.
	l.Forget("e")
	if l.DiskSize() != 0 {
		t.Fatal("DiskSize after Forget")
	}
	if names, _ := lkDirFiles(t, l); len(names) != 0 {
		t.Fatalf("files left after Forget: %v", names)
	}
	lkCheck(t, l, f, q)
	// Close.
	dir := l.dir.Path()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("directory after Close: %v", err)
	}
	if _, err := l.Positions(context.Background(), f.meta, f.open, lkKeyCols, q); !errors.Is(err, ErrLookupClosed) {
		t.Fatalf("after Close: %v", err)
	}
	if _, err := NewLookup(LookupOptions{Dir: t.TempDir(), MaxDiskSize: -1}); !errors.Is(err, ErrOptions) {
		t.Fatalf("negative MaxDiskSize: %v", err)
	}
}

func TestKeyEncoderKeys(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	rows := lkUniverse(rng, 300)
	enc, err := NewKeyEncoder(lkSchema, lkKeyCols)
	if err != nil {
		t.Fatal(err)
	}
	rec := lkRecord(memory.DefaultAllocator, rows)
	defer rec.Release()
	keys, err := enc.Keys(rec)
	if err != nil {
		t.Fatal(err)
	}
	// The same bytes as the merge reader's encoder.
	ke, _, err := newEncoders(lkSchema, lkKeyCols, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	cols := []arrow.Array{rec.Column(2), rec.Column(3)}
	for i, k := range keys {
		if want := ke.Append(nil, cols, i); !bytes.Equal(k, want) {
			t.Fatalf("row %d: %x, want %x", i, k, want)
		}
	}
	// AppendKeys appends after what is there.
	buf, ends, err := enc.AppendKeys([]byte("xx"), []int{2}, rec.NewSlice(5, 7))
	if err != nil {
		t.Fatal(err)
	}
	if len(ends) != 3 || !bytes.Equal(buf[2:ends[1]], keys[5]) || !bytes.Equal(buf[ends[1]:ends[2]], keys[6]) {
		t.Fatalf("AppendKeys: %x %v", buf, ends)
	}
	// A record of another shape.
	other := kv.RecordSchema(arrow.NewSchema([]arrow.Field{
		{Name: "ks", Type: arrow.PrimitiveTypes.Int32},
		{Name: "ki", Type: arrow.PrimitiveTypes.Int64},
		{Name: "v", Type: arrow.BinaryTypes.String},
	}, nil))
	ob := array.NewRecordBuilder(memory.DefaultAllocator, other)
	orec := ob.NewRecordBatch()
	ob.Release()
	defer orec.Release()
	if _, err := enc.Keys(orec); !errors.Is(err, ErrOptions) {
		t.Fatalf("other record: %v", err)
	}
}

// FuzzLookupBlock feeds arbitrary payloads (past their checksum) to the
// block decoder: it must report damage, never panic or loop.
func FuzzLookupBlock(f *testing.F) {
	rng := rand.New(rand.NewPCG(17, 18))
	universe := lkUniverse(rng, 200)
	keys := lkKeys(f, universe)
	slices.SortFunc(keys, bytes.Compare)
	var w lookupWriter
	for i, k := range keys[:40] {
		w.add(k, int64(3*i))
	}
	payload := w.block
	// Close the block by hand (flushBlock writes to a file).
	for _, r := range w.restart {
		payload = append(payload, byte(r), byte(r>>8), byte(r>>16), byte(r>>24))
	}
	payload = append(payload, byte(len(w.restart)), 0, 0, 0)
	f.Add(payload, keys[7])
	f.Add(payload, []byte{0})
	f.Add([]byte{}, []byte{1})
	f.Fuzz(func(t *testing.T, payload, key []byte) {
		var c blockCursor
		if c.reset(payload) != nil {
			return
		}
		for range 3 {
			if ok, err := c.seek(key); !ok || err != nil {
				return
			}
			key = append(key, 0)
		}
		for {
			ok, err := c.next()
			if !ok || err != nil {
				return
			}
		}
	})
}

// TestLookupRows: a values lookup answers positions as Positions does and
// returns each found key's whole row; its cache files count in DiskSize
// and go with Forget.
func TestLookupRows(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rng := rand.New(rand.NewPCG(3, 9))
	universe := lkUniverse(rng, 400)
	l := lkNew(t, LookupOptions{Dir: t.TempDir()})
	files := []*lkFile{lkMakeFile(t, rng, "a", universe, 0.5), lkMakeFile(t, rng, "b", universe, 0.05), lkMakeFile(t, rng, "empty", universe, 0)}
	for round := range 3 {
		for _, f := range files {
			keys := lkQuery(t, rng, universe)
			// The expected rows, by position, from the file's batches.
			var all []arrow.RecordBatch
			all = append(all, f.recs...)
			rowAt := func(p int64) string {
				for _, r := range all {
					if p < r.NumRows() {
						return fmt.Sprint(r.Column(0).(*array.Int64).Value(int(p)), r.Column(4).(*array.String).Value(int(p)))
					}
					p -= r.NumRows()
				}
				return "?"
			}
			rec, rows, pos, err := l.Rows(context.Background(), f.meta, f.open, lkKeyCols, keys, mem)
			if err != nil {
				t.Fatal(err)
			}
			for i, k := range keys {
				want, ok := f.want[string(k)]
				if !ok {
					want = -1
				}
				if pos[i] != want {
					t.Fatalf("round %d %s key %d: position %d, want %d", round, f.meta.FileName, i, pos[i], want)
				}
				if (rows[i] >= 0) != (want >= 0) {
					t.Fatalf("round %d %s key %d: row %d for position %d", round, f.meta.FileName, i, rows[i], want)
				}
				if want < 0 {
					continue
				}
				got := fmt.Sprint(rec.Column(0).(*array.Int64).Value(rows[i]), rec.Column(4).(*array.String).Value(rows[i]))
				if got != rowAt(want) {
					t.Fatalf("round %d %s key %d: row %q, want %q", round, f.meta.FileName, i, got, rowAt(want))
				}
			}
			if rec != nil {
				rec.Release()
			}
			// Positions of the same file is a separate, key-only entry.
			lkCheck(t, l, f, keys)
		}
	}
	for _, f := range files {
		if n := f.opens.Load(); n != 2 {
			t.Errorf("%s opened %d times, want 2 (a key entry and a values entry)", f.meta.FileName, n)
		}
	}
	_, size := lkDirFiles(t, l)
	if got := l.DiskSize(); got != size {
		t.Errorf("DiskSize %d, files on disk %d", got, size)
	}
	for _, f := range files {
		l.Forget(f.meta.FileName)
	}
	if names, _ := lkDirFiles(t, l); len(names) != 0 {
		t.Errorf("after Forget: %v", names)
	}
}
