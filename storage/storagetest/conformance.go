// Package storagetest checks that a storage backend behaves as floe needs.
package storagetest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/floelake/floe/storage"
)

// ConformanceOptions tunes RunConformance for slow backends. The zero
// value means the defaults.
type ConformanceOptions struct {
	// RaceKeys is how many keys the create-only race runs on (default 5).
	RaceKeys int
	// RaceWriters is how many goroutines race per key (default 100: two
	// groups of 50).
	RaceWriters int
}

// RunConformance checks that a backend behaves as floe needs: read after
// write, overwrite, empty objects, ranged reads, Size and Exists, listing
// in lexical order with prefixes and the "/" delimiter, Delete, storage.ErrNotFound
// and storage.ErrInvalidKey mapping, create-only writes (storage.ErrExist) and races of
// create-only writers with exactly one winner per key, atomic overwrites
// under concurrent readers, and that finished, failed and aborted writes
// leave no temporary file for ListTemp to find.
//
// open is called once per sub-test and must return a usable store; the
// suite works below a fresh random sub-directory each time, so a shared,
// non-empty bucket is fine. The suite closes the returned store.
func RunConformance(t *testing.T, open func(t *testing.T) *storage.Store, opts *ConformanceOptions) {
	var o ConformanceOptions
	if opts != nil {
		o = *opts
	}
	if o.RaceKeys <= 0 {
		o.RaceKeys = 5
	}
	if o.RaceWriters <= 0 {
		o.RaceWriters = 100
	}
	fresh := func(t *testing.T) *storage.Store {
		t.Helper()
		s := open(t)
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("close: %v", err)
			}
		})
		return s.Sub("conformance-" + uuid.NewString())
	}
	t.Run("ReadAfterWrite", func(t *testing.T) { testReadAfterWrite(t, fresh(t)) })
	t.Run("Overwrite", func(t *testing.T) { testOverwrite(t, fresh(t)) })
	t.Run("NotFound", func(t *testing.T) { testNotFound(t, fresh(t)) })
	t.Run("InvalidKey", func(t *testing.T) { testInvalidKey(t, fresh(t)) })
	t.Run("RangedRead", func(t *testing.T) { testRangedRead(t, fresh(t)) })
	t.Run("List", func(t *testing.T) { testList(t, fresh(t)) })
	t.Run("Delete", func(t *testing.T) { testDelete(t, fresh(t)) })
	t.Run("Sub", func(t *testing.T) { testSub(t, fresh(t)) })
	t.Run("CreateOnly", func(t *testing.T) { testCreateOnly(t, fresh(t)) })
	t.Run("CreateRace", func(t *testing.T) { testCreateRace(t, fresh(t), o.RaceKeys, o.RaceWriters) })
	t.Run("AtomicOverwrite", func(t *testing.T) { testAtomicOverwrite(t, fresh(t)) })
	t.Run("TempFiles", func(t *testing.T) { testTempFiles(t, fresh(t)) })
}

func mustWrite(t *testing.T, s *storage.Store, k string, data []byte) {
	t.Helper()
	if err := s.Write(t.Context(), k, data); err != nil {
		t.Fatalf("write %s: %v", k, err)
	}
}

func mustRead(t *testing.T, s *storage.Store, k string, want []byte) {
	t.Helper()
	got, err := s.Read(t.Context(), k)
	if err != nil {
		t.Fatalf("read %s: %v", k, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("read %s = %q, want %q", k, clip(got), clip(want))
	}
}

func clip(b []byte) []byte {
	if len(b) > 64 {
		return append(b[:64:64], "..."...)
	}
	return b
}

func testReadAfterWrite(t *testing.T, s *storage.Store) {
	ctx := t.Context()
	data := []byte(`{"id":1,"note":"snapshot body"}`)
	mustWrite(t, s, "snapshot/snapshot-1", data)
	mustRead(t, s, "snapshot/snapshot-1", data)
	if n, err := s.Size(ctx, "snapshot/snapshot-1"); err != nil || n != int64(len(data)) {
		t.Fatalf("size = %d, %v; want %d", n, err, len(data))
	}
	if ok, err := s.Exists(ctx, "snapshot/snapshot-1"); err != nil || !ok {
		t.Fatalf("exists = %v, %v; want true", ok, err)
	}
	if ok, err := s.Exists(ctx, "snapshot/snapshot-2"); err != nil || ok {
		t.Fatalf("exists(missing) = %v, %v; want false", ok, err)
	}
	if ok, err := s.Exists(ctx, "snapshot"); err != nil || ok {
		t.Fatalf("exists(directory) = %v, %v; want false", ok, err)
	}
	// Empty objects and binary content.
	mustWrite(t, s, "empty", nil)
	mustRead(t, s, "empty", []byte{})
	if n, err := s.Size(ctx, "empty"); err != nil || n != 0 {
		t.Fatalf("size(empty) = %d, %v", n, err)
	}
	bin := make([]byte, 3<<20+7) // larger than typical buffers, not a round size
	for i := range bin {
		bin[i] = byte(i * 7)
	}
	mustWrite(t, s, "data/bucket-0/data-1.parquet", bin)
	mustRead(t, s, "data/bucket-0/data-1.parquet", bin)
}

func testOverwrite(t *testing.T, s *storage.Store) {
	mustWrite(t, s, "LATEST", []byte("100"))
	mustWrite(t, s, "LATEST", []byte("7"))
	mustRead(t, s, "LATEST", []byte("7"))
	if n, err := s.Size(t.Context(), "LATEST"); err != nil || n != 1 {
		t.Fatalf("size after overwrite = %d, %v; want 1", n, err)
	}
	objs, err := s.List(t.Context(), "")
	if err != nil || len(objs) != 1 || objs[0].Key != "LATEST" || objs[0].Size != 1 {
		t.Fatalf("list after overwrite = %+v, %v", objs, err)
	}
}

func testNotFound(t *testing.T, s *storage.Store) {
	ctx := t.Context()
	mustWrite(t, s, "dir/present", []byte("x"))
	for _, k := range []string{"missing", "dir/missing", "missing/deeper", "dir"} {
		if _, err := s.Read(ctx, k); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("read %s: %v; want ErrNotFound", k, err)
		}
		if _, err := s.ReadRange(ctx, k, 1, 2); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("read range %s: %v; want ErrNotFound", k, err)
		}
		if _, err := s.Size(ctx, k); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("size %s: %v; want ErrNotFound", k, err)
		}
		if err := s.Delete(ctx, k); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("delete %s: %v; want ErrNotFound", k, err)
		}
	}
	if objs, err := s.List(ctx, "missing/"); err != nil || len(objs) != 0 {
		t.Errorf("list missing = %v, %v; want empty", objs, err)
	}
	if names, err := s.ListDir(ctx, "missing"); err != nil || len(names) != 0 {
		t.Errorf("list dir missing = %v, %v; want empty", names, err)
	}
}

func testInvalidKey(t *testing.T, s *storage.Store) {
	ctx := t.Context()
	for _, k := range []string{"", "/abs", "a//b", "../up", "a/../../up", "a/./b", ".", ".."} {
		if err := s.Write(ctx, k, []byte("x")); !errors.Is(err, storage.ErrInvalidKey) {
			t.Errorf("write %q: %v; want ErrInvalidKey", k, err)
		}
		if err := s.Create(ctx, k, []byte("x")); !errors.Is(err, storage.ErrInvalidKey) {
			t.Errorf("create %q: %v; want ErrInvalidKey", k, err)
		}
		if _, err := s.Read(ctx, k); !errors.Is(err, storage.ErrInvalidKey) {
			t.Errorf("read %q: %v; want ErrInvalidKey", k, err)
		}
	}
	if _, err := s.List(ctx, "../"); !errors.Is(err, storage.ErrInvalidKey) {
		t.Errorf("list ../: %v; want ErrInvalidKey", err)
	}
	if _, err := s.ListDir(ctx, ".."); !errors.Is(err, storage.ErrInvalidKey) {
		t.Errorf("list dir ..: %v; want ErrInvalidKey", err)
	}
	if _, err := s.Sub("..").Read(ctx, "x"); !errors.Is(err, storage.ErrInvalidKey) {
		t.Errorf("Sub(..).Read: %v; want ErrInvalidKey", err)
	}
}

func testRangedRead(t *testing.T, s *storage.Store) {
	data := make([]byte, 1000)
	for i := range data {
		data[i] = byte(i % 251)
	}
	mustWrite(t, s, "f", data)
	for _, c := range []struct{ off, n int64 }{
		{0, -1}, {0, 1000}, {0, 10}, {10, 20}, {999, 1}, {990, -1}, {500, 1000}, {0, 0}, {123, 0},
	} {
		got, err := s.ReadRange(t.Context(), "f", c.off, c.n)
		if err != nil {
			t.Errorf("ReadRange(%d, %d): %v", c.off, c.n, err)
			continue
		}
		end := int64(len(data))
		if c.n >= 0 && c.off+c.n < end {
			end = c.off + c.n
		}
		if want := data[c.off:end]; !bytes.Equal(got, want) {
			t.Errorf("ReadRange(%d, %d) = %d bytes, want %d", c.off, c.n, len(got), len(want))
		}
		if c.n < 0 {
			continue
		}
		p := make([]byte, c.n)
		n, err := s.ReadRangeInto(t.Context(), "f", c.off, p)
		want := data[c.off:end]
		if n != len(want) || !bytes.Equal(p[:n], want) {
			t.Errorf("ReadRangeInto(%d, %d) = %d bytes, want %d", c.off, c.n, n, len(want))
		}
		if short := n < len(p); short != (err == io.EOF) || (err != nil && err != io.EOF) {
			t.Errorf("ReadRangeInto(%d, %d) = %d, %v", c.off, c.n, n, err)
		}
	}
	if _, err := s.ReadRangeInto(t.Context(), "missing", 0, make([]byte, 1)); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("ReadRangeInto missing: %v; want ErrNotFound", err)
	}
}

func testList(t *testing.T, s *storage.Store) {
	ctx := t.Context()
	keys := []string{"dir/a", "dir/b/c", "dir/b/d", "dir/b-x", "dir/b0", "dir2/e", "other", "dir/b/deep/er/f"}
	for i, k := range keys {
		mustWrite(t, s, k, bytes.Repeat([]byte{'x'}, i+1))
	}
	size := map[string]int64{}
	for i, k := range keys {
		size[k] = int64(i + 1)
	}
	list := func(prefix string, want ...string) {
		t.Helper()
		objs, err := s.List(ctx, prefix)
		if err != nil {
			t.Fatalf("list %q: %v", prefix, err)
		}
		var got []string
		for _, o := range objs {
			got = append(got, o.Key)
			if o.Size != size[o.Key] {
				t.Errorf("list %q: %s has size %d, want %d", prefix, o.Key, o.Size, size[o.Key])
			}
			if o.ModTime.IsZero() {
				t.Errorf("list %q: %s has no mod time", prefix, o.Key)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("list %q = %q, want %q", prefix, got, want)
		}
	}
	sorted := slices.Clone(keys)
	slices.Sort(sorted)
	list("", sorted...)
	list("dir/", "dir/a", "dir/b-x", "dir/b/c", "dir/b/d", "dir/b/deep/er/f", "dir/b0")
	list("dir", "dir/a", "dir/b-x", "dir/b/c", "dir/b/d", "dir/b/deep/er/f", "dir/b0", "dir2/e")
	list("dir/b", "dir/b-x", "dir/b/c", "dir/b/d", "dir/b/deep/er/f", "dir/b0")
	list("dir/b/", "dir/b/c", "dir/b/d", "dir/b/deep/er/f")
	list("dir/b/d", "dir/b/d", "dir/b/deep/er/f")
	list("oth", "other")
	list("nothing")

	listDir := func(dir string, want ...string) {
		t.Helper()
		got, err := s.ListDir(ctx, dir)
		if err != nil {
			t.Fatalf("list dir %q: %v", dir, err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("list dir %q = %q, want %q", dir, got, want)
		}
	}
	listDir("", "dir/", "dir2/", "other")
	listDir("dir", "a", "b-x", "b/", "b0")
	listDir("dir/", "a", "b-x", "b/", "b0")
	listDir("dir/b", "c", "d", "deep/")
	listDir("dir/b/deep/er", "f")
	listDir("dir/a")
}

func testDelete(t *testing.T, s *storage.Store) {
	ctx := t.Context()
	for _, k := range []string{"snapshot/snapshot-1", "snapshot/snapshot-2", "manifest/m/x", "keep"} {
		mustWrite(t, s, k, []byte(k))
	}
	if err := s.Delete(ctx, "snapshot/snapshot-1"); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.Exists(ctx, "snapshot/snapshot-1"); err != nil || ok {
		t.Fatalf("exists after delete = %v, %v", ok, err)
	}
	if _, err := s.Read(ctx, "snapshot/snapshot-1"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("read after delete: %v; want ErrNotFound", err)
	}
	if err := s.Delete(ctx, "snapshot/snapshot-1"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("second delete: %v; want ErrNotFound", err)
	}
	mustRead(t, s, "snapshot/snapshot-2", []byte("snapshot/snapshot-2"))
	if err := s.Delete(ctx, "manifest/m/x"); err != nil {
		t.Fatal(err)
	}
	// A directory whose last object is gone is no longer listed.
	got, err := s.ListDir(ctx, "")
	if want := []string{"keep", "snapshot/"}; err != nil || !slices.Equal(got, want) {
		t.Fatalf("list dir after deletes = %q, %v; want %q", got, err, want)
	}
	objs, err := s.List(ctx, "")
	if err != nil || len(objs) != 2 || objs[0].Key != "keep" || objs[1].Key != "snapshot/snapshot-2" {
		t.Fatalf("list after deletes = %+v, %v", objs, err)
	}
	// The key can be written again.
	mustWrite(t, s, "manifest/m/x", []byte("again"))
	mustRead(t, s, "manifest/m/x", []byte("again"))
}

func testSub(t *testing.T, s *storage.Store) {
	ctx := t.Context()
	sub := s.Sub("/t/db.db/orders/")
	mustWrite(t, sub, "schema/schema-0", []byte("{}"))
	mustRead(t, s, "t/db.db/orders/schema/schema-0", []byte("{}"))
	objs, err := sub.List(ctx, "")
	if err != nil || len(objs) != 1 || objs[0].Key != "schema/schema-0" {
		t.Fatalf("sub list = %+v, %v", objs, err)
	}
	if got, err := sub.ListDir(ctx, ""); err != nil || !slices.Equal(got, []string{"schema/"}) {
		t.Fatalf("sub list dir = %q, %v", got, err)
	}
	if got := sub.Sub("x").URL(); !strings.Contains(got, "t/db.db/orders/x") {
		t.Errorf("URL of nested sub = %q", got)
	}
	if err := sub.Close(); err != nil {
		t.Fatal(err)
	}
	mustRead(t, s, "t/db.db/orders/schema/schema-0", []byte("{}")) // still open
}

func testCreateOnly(t *testing.T, s *storage.Store) {
	ctx := t.Context()
	if err := s.Create(ctx, "snapshot/snapshot-1", []byte("first")); err != nil {
		t.Fatal(err)
	}
	err := s.Create(ctx, "snapshot/snapshot-1", []byte("second"))
	if !errors.Is(err, storage.ErrExist) {
		t.Fatalf("second create: %v; want ErrExist", err)
	}
	if errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("second create also matches ErrNotFound: %v", err)
	}
	mustRead(t, s, "snapshot/snapshot-1", []byte("first"))
	// An object written by Write also blocks Create.
	mustWrite(t, s, "schema/schema-0", []byte("w"))
	if err := s.Create(ctx, "schema/schema-0", []byte("c")); !errors.Is(err, storage.ErrExist) {
		t.Fatalf("create over written object: %v; want ErrExist", err)
	}
	mustRead(t, s, "schema/schema-0", []byte("w"))
	// After a delete the key can be created again.
	if err := s.Delete(ctx, "snapshot/snapshot-1"); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(ctx, "snapshot/snapshot-1", []byte("third")); err != nil {
		t.Fatalf("create after delete: %v", err)
	}
	mustRead(t, s, "snapshot/snapshot-1", []byte("third"))
	// An empty object can be created too.
	if err := s.Create(ctx, "empty", nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(ctx, "empty", nil); !errors.Is(err, storage.ErrExist) {
		t.Fatalf("second create of empty: %v; want ErrExist", err)
	}
	objs, err := s.List(ctx, "")
	if err != nil || len(objs) != 3 {
		t.Fatalf("list after creates = %+v, %v; want 3 objects and no leftovers", objs, err)
	}
}

// raceBody returns the bytes writer w uses for key k in create-only races:
// distinct per writer, and large enough that writes overlap in time.
func raceBody(k, w string) []byte {
	head := fmt.Sprintf("%s by %s\n", k, w)
	return append([]byte(head), bytes.Repeat([]byte(w+"."), 8<<10/(len(w)+1))...)
}

func testCreateRace(t *testing.T, s *storage.Store, keys, writers int) {
	ctx := t.Context()
	type result struct {
		writer string
		err    error
	}
	results := make([][]result, keys)
	for k := range results {
		results[k] = make([]result, writers)
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	for k := range keys {
		key := fmt.Sprintf("snapshot/snapshot-%d", k+1)
		for w := range writers {
			wg.Go(func() {
				name := fmt.Sprintf("group%d-writer%d", w%2, w/2)
				<-start
				results[k][w] = result{name, s.Create(ctx, key, raceBody(key, name))}
			})
		}
	}
	close(start)
	wg.Wait()
	for k := range keys {
		key := fmt.Sprintf("snapshot/snapshot-%d", k+1)
		var winners []string
		for _, r := range results[k] {
			switch {
			case r.err == nil:
				winners = append(winners, r.writer)
			case errors.Is(r.err, storage.ErrExist):
			default:
				t.Errorf("%s: %s: unexpected error %v", key, r.writer, r.err)
			}
		}
		if len(winners) != 1 {
			t.Errorf("%s: %d winners %q; want exactly one", key, len(winners), winners)
			continue
		}
		mustRead(t, s, key, raceBody(key, winners[0]))
	}
	objs, err := s.List(ctx, "")
	if err != nil || len(objs) != keys {
		t.Fatalf("list after races: %d objects, %v; want %d (no leftovers)", len(objs), err, keys)
	}
}

func testAtomicOverwrite(t *testing.T, s *storage.Store) {
	ctx := t.Context()
	a := bytes.Repeat([]byte("a"), 64<<10)
	b := bytes.Repeat([]byte("b"), 32<<10)
	mustWrite(t, s, "LATEST", a)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				got, err := s.Read(ctx, "LATEST")
				if err != nil {
					t.Errorf("read during overwrite: %v", err)
					return
				}
				if !bytes.Equal(got, a) && !bytes.Equal(got, b) {
					t.Errorf("read a torn object of %d bytes", len(got))
					return
				}
			}
		})
	}
	for i := range 20 {
		data := a
		if i%2 == 0 {
			data = b
		}
		if err := s.Write(ctx, "LATEST", data); err != nil {
			t.Error(err)
			break
		}
	}
	close(stop)
	wg.Wait()
	objs, err := s.List(ctx, "")
	if err != nil || len(objs) != 1 {
		t.Fatalf("list after overwrites = %+v, %v; want one object", objs, err)
	}
}

// testTempFiles: whatever a write does (overwrite, create-only win or
// loss, streamed, aborted), no temporary file is left for ListTemp, which
// never lists objects; DeleteTemp refuses object keys and finds no
// temporary file that is not there.
func testTempFiles(t *testing.T, s *storage.Store) {
	ctx := t.Context()
	mustWrite(t, s, "a/b", []byte("b"))
	mustWrite(t, s, "a/b", []byte("b2"))
	if err := s.Create(ctx, "a/c", []byte("c")); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(ctx, "a/c", []byte("c2")); !errors.Is(err, storage.ErrExist) {
		t.Fatalf("second create: %v; want ErrExist", err)
	}
	w, err := s.NewWriter(ctx, "a/d")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("aborted")); err != nil {
		t.Fatal(err)
	}
	w.Abort()
	w, err = s.NewWriter(ctx, "a/e/f")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("streamed")); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	for _, prefix := range []string{"", "a/", "a/e/", "none/"} {
		if tmp, err := s.ListTemp(ctx, prefix); err != nil || len(tmp) != 0 {
			t.Errorf("list temp %q = %+v, %v; want none", prefix, tmp, err)
		}
	}
	if _, err := s.ListTemp(ctx, "/a"); !errors.Is(err, storage.ErrInvalidKey) {
		t.Errorf("list temp /a: %v; want ErrInvalidKey", err)
	}
	for _, k := range []string{"a/b", "a/e/f", "a/.floe-x.tmp/g", "../.floe-x.tmp"} {
		if err := s.DeleteTemp(ctx, k); !errors.Is(err, storage.ErrInvalidKey) {
			t.Errorf("delete temp %s: %v; want ErrInvalidKey", k, err)
		}
	}
	for _, k := range []string{".floe-" + uuid.NewString() + ".tmp", "a/.floe-" + uuid.NewString() + ".tmp"} {
		if err := s.DeleteTemp(ctx, k); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("delete temp %s: %v; want ErrNotFound", k, err)
		}
	}
	objs, err := s.List(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range objs {
		keys = append(keys, o.Key)
	}
	if want := []string{"a/b", "a/c", "a/e/f"}; !slices.Equal(keys, want) {
		t.Errorf("objects = %q, want %q", keys, want)
	}
}
