package storage

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"gocloud.dev/blob"
)

func openLocal(t *testing.T) (*Store, string) {
	t.Helper()
	dir := t.TempDir()
	s, err := OpenLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, dir
}

// files returns every file and directory under root, relative, with "/"
// after directories.
func files(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == root {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			rel += "/"
		}
		out = append(out, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestLocalPlainFilesNoSidecars(t *testing.T) {
	ctx := t.Context()
	s, dir := openLocal(t)
	mustWrite(t, s, "snapshot/snapshot-1", []byte("one"))
	if err := s.Create(ctx, "snapshot/snapshot-2", []byte("two")); err != nil {
		t.Fatal(err)
	}
	if err := s.Create(ctx, "snapshot/snapshot-2", []byte("lost")); !errors.Is(err, ErrExist) {
		t.Fatal(err)
	}
	mustWrite(t, s, "LATEST", []byte("2"))
	want := []string{"LATEST", "snapshot/", "snapshot/snapshot-1", "snapshot/snapshot-2"}
	if got := files(t, dir); !slices.Equal(got, want) {
		t.Fatalf("files = %q, want %q", got, want)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "snapshot", "snapshot-2")); err != nil || string(b) != "two" {
		t.Fatalf("file content = %q, %v", b, err)
	}
	// Files written by others (Java Paimon) are read as they are.
	if err := os.WriteFile(filepath.Join(dir, "snapshot", "EARLIEST"), []byte("1"), 0o644); err != nil {
		t.Fatal(err)
	}
	mustRead(t, s, "snapshot/EARLIEST", []byte("1"))
	if s.URL() != "file://"+filepath.ToSlash(dir) {
		t.Errorf("URL = %q", s.URL())
	}
}

func TestLocalTempFilesHidden(t *testing.T) {
	ctx := t.Context()
	s, dir := openLocal(t)
	mustWrite(t, s, "snapshot/snapshot-1", []byte("1"))
	// Leftovers of a crashed writer, one next to an object and one alone.
	for _, p := range []string{"snapshot/.floe-0b1e.tmp", "orphan/.floe-dead.tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o777); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), []byte("partial"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	objs, err := s.List(ctx, "")
	if err != nil || len(objs) != 1 || objs[0].Key != "snapshot/snapshot-1" {
		t.Fatalf("list = %+v, %v", objs, err)
	}
	if names, err := s.ListDir(ctx, ""); err != nil || !slices.Equal(names, []string{"snapshot/"}) {
		t.Fatalf("list dir = %q, %v", names, err)
	}
	if names, err := s.ListDir(ctx, "snapshot"); err != nil || !slices.Equal(names, []string{"snapshot-1"}) {
		t.Fatalf("list dir snapshot = %q, %v", names, err)
	}
	// Temp names cannot be used as keys, so they never collide with objects.
	for _, k := range []string{"snapshot/.floe-0b1e.tmp", ".floe-x.tmp/y"} {
		if _, err := s.Read(ctx, k); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("read %s: %v; want ErrInvalidKey", k, err)
		}
		if err := s.Write(ctx, k, nil); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("write %s: %v; want ErrInvalidKey", k, err)
		}
	}
	// Other hidden files (Java Paimon's own .name.uuid.tmp) are objects.
	mustWrite(t, s, "snapshot/.snapshot-2.abc.tmp", []byte("java"))
	mustRead(t, s, "snapshot/.snapshot-2.abc.tmp", []byte("java"))
}

func TestLocalCanceledWriteLeavesNothing(t *testing.T) {
	s, dir := openLocal(t)
	mustWrite(t, s, "LATEST", []byte("old"))
	for _, create := range []bool{false, true} {
		ctx, cancel := context.WithCancel(t.Context())
		w, err := s.Bucket().NewWriter(ctx, "LATEST", &blob.WriterOptions{IfNotExist: create, ContentType: "text/plain"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte("new")); err != nil {
			t.Fatal(err)
		}
		cancel()
		if err := w.Close(); !errors.Is(err, context.Canceled) {
			t.Fatalf("close after cancel: %v; want context.Canceled", err)
		}
		mustRead(t, s, "LATEST", []byte("old"))
	}
	if err := s.Write(canceled(t), "other", []byte("x")); !errors.Is(err, context.Canceled) {
		t.Fatalf("write with canceled ctx: %v", err)
	}
	if _, err := s.Read(canceled(t), "LATEST"); !errors.Is(err, context.Canceled) {
		t.Fatalf("read with canceled ctx: %v", err)
	}
	if got := files(t, dir); !slices.Equal(got, []string{"LATEST"}) {
		t.Fatalf("files = %q; want only LATEST", got)
	}
}

func canceled(t *testing.T) context.Context {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	return ctx
}

func TestLocalFileDirectoryConflicts(t *testing.T) {
	ctx := t.Context()
	s, _ := openLocal(t)
	mustWrite(t, s, "a", []byte("file"))
	mustWrite(t, s, "d/x", []byte("in dir"))
	// "a/b" would need "a" to be a directory.
	if err := s.Write(ctx, "a/b", []byte("x")); err == nil || errors.Is(err, ErrExist) {
		t.Errorf("write a/b under file a: %v; want a plain error", err)
	}
	if err := s.Create(ctx, "a/b", []byte("x")); err == nil || errors.Is(err, ErrExist) {
		t.Errorf("create a/b under file a: %v; want a plain error", err)
	}
	if _, err := s.Read(ctx, "a/b"); !errors.Is(err, ErrNotFound) {
		t.Errorf("read a/b: %v; want ErrNotFound", err)
	}
	// "d" is a directory, not an object.
	if err := s.Create(ctx, "d", []byte("x")); err == nil || errors.Is(err, ErrExist) {
		t.Errorf("create over directory d: %v; want a plain error", err)
	}
	if err := s.Write(ctx, "d", []byte("x")); err == nil {
		t.Errorf("write over directory d succeeded")
	}
	if err := s.Delete(ctx, "d"); !errors.Is(err, ErrNotFound) {
		t.Errorf("delete directory d: %v; want ErrNotFound", err)
	}
	mustRead(t, s, "d/x", []byte("in dir"))
	mustRead(t, s, "a", []byte("file"))
}

func TestLocalRoot(t *testing.T) {
	ctx := t.Context()
	parent := t.TempDir()
	root := filepath.Join(parent, "wh", "db")
	s, err := Open(ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// Reading and listing a root that does not exist yet is not an error.
	if objs, err := s.List(ctx, ""); err != nil || len(objs) != 0 {
		t.Fatalf("list = %v, %v", objs, err)
	}
	if _, err := s.Read(ctx, "x"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("read: %v", err)
	}
	if _, err := os.Stat(root); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("root created before the first write: %v", err)
	}
	mustWrite(t, s, "t/schema/schema-0", []byte("{}"))
	if b, err := os.ReadFile(filepath.Join(root, "t", "schema", "schema-0")); err != nil || string(b) != "{}" {
		t.Fatalf("file = %q, %v", b, err)
	}
	// Deleting the last object leaves the root in place.
	if err := s.Delete(ctx, "t/schema/schema-0"); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(root); err != nil || !fi.IsDir() {
		t.Fatalf("root after delete: %v", err)
	}
	// A relative path is resolved against the working directory.
	t.Chdir(parent)
	rel, err := Open(ctx, "wh")
	if err != nil {
		t.Fatal(err)
	}
	defer rel.Close()
	mustWrite(t, rel, "db/k", []byte("v"))
	mustRead(t, s, "k", []byte("v"))
	// A file is not a root.
	if _, err := OpenLocal(filepath.Join(root, "k")); err == nil {
		t.Fatal("OpenLocal on a file succeeded")
	}
}

func TestLocalListPagingAndDelimiters(t *testing.T) {
	ctx := t.Context()
	s, _ := openLocal(t)
	var keys []string
	for _, k := range []string{"x-b", "x/b", "x/c/d", "x/c-e", "y/z-w/q", "y/z", "z"} {
		keys = append(keys, k)
		mustWrite(t, s, k, []byte(k))
	}
	slices.Sort(keys)
	// Pages of two give the same keys as one listing.
	var got []string
	token := blob.FirstPageToken
	for {
		objs, next, err := s.Bucket().ListPage(ctx, token, 2, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(objs) > 2 {
			t.Fatalf("page of %d objects", len(objs))
		}
		for _, o := range objs {
			got = append(got, o.Key)
		}
		if next == nil {
			break
		}
		token = next
	}
	if !slices.Equal(got, keys) {
		t.Fatalf("paged = %q, want %q", got, keys)
	}
	// A delimiter other than "/" groups like an object store would.
	list := func(prefix, delim string) []string {
		var out []string
		it := s.Bucket().List(&blob.ListOptions{Prefix: prefix, Delimiter: delim})
		for {
			o, err := it.Next(ctx)
			if err == io.EOF {
				return out
			}
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprintf("%s:%v", o.Key, o.IsDir))
		}
	}
	if got, want := list("x", "-"), []string{"x-:true", "x/b:false", "x/c-:true", "x/c/d:false"}; !slices.Equal(got, want) {
		t.Errorf("list x with - = %q, want %q", got, want)
	}
	if got, want := list("", "/"), []string{"x-b:false", "x/:true", "y/:true", "z:false"}; !slices.Equal(got, want) {
		t.Errorf("list with / = %q, want %q", got, want)
	}
	if got, want := list("y/z", "/"), []string{"y/z:false", "y/z-w/:true"}; !slices.Equal(got, want) {
		t.Errorf("list y/z with / = %q, want %q", got, want)
	}
}

// TestLocalCreateRaceProcesses races create-only writes from two processes
// (this test binary re-executed as TestHelperProcess), 50 goroutines each,
// on the same keys in one directory: every key must have exactly one
// winner, and the file must hold the winner's bytes.
func TestLocalCreateRaceProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	const procs, goroutines, keys = 2, 50, 10
	s, dir := openLocal(t)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	type child struct {
		cmd   *exec.Cmd
		stdin io.WriteCloser
		out   *bufio.Scanner
	}
	var children []child
	for p := range procs {
		cmd := exec.CommandContext(t.Context(), exe, "-test.run=^TestHelperProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(),
			"FLOE_OBJSTORE_HELPER=create-race",
			"FLOE_OBJSTORE_HELPER_DIR="+dir,
			fmt.Sprintf("FLOE_OBJSTORE_HELPER_NAME=proc%d", p),
			fmt.Sprintf("FLOE_OBJSTORE_HELPER_ARGS=%d %d", goroutines, keys))
		cmd.Stderr = os.Stderr
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		children = append(children, child{cmd, stdin, bufio.NewScanner(stdout)})
	}
	// Wait until every child is ready, then release them together.
	for _, c := range children {
		for c.out.Scan() && c.out.Text() != "READY" {
		}
	}
	for _, c := range children {
		io.WriteString(c.stdin, "go\n")
		c.stdin.Close()
	}
	winners := map[string][]string{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, c := range children {
		wg.Go(func() {
			for c.out.Scan() {
				f := strings.Fields(c.out.Text())
				if len(f) == 3 && f[0] == "WIN" {
					mu.Lock()
					winners[f[1]] = append(winners[f[1]], f[2])
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	for _, c := range children {
		if err := c.cmd.Wait(); err != nil {
			t.Fatalf("helper process: %v", err)
		}
	}
	for k := range keys {
		key := fmt.Sprintf("snapshot/snapshot-%d", k+1)
		if w := winners[key]; len(w) != 1 {
			t.Errorf("%s: winners %q; want exactly one", key, w)
			continue
		}
		mustRead(t, s, key, raceBody(key, winners[key][0]))
	}
	if got := files(t, filepath.Join(dir, "snapshot")); len(got) != keys {
		t.Errorf("files after race = %q; want %d snapshots and no leftovers", got, keys)
	}
}

// TestHelperProcess is the child side of TestLocalCreateRaceProcesses. It
// does nothing unless FLOE_OBJSTORE_HELPER is set. It prints READY, waits
// for a line on stdin, races its goroutines over the keys and prints
// "WIN key writer" for each create it won; any error other than ErrExist
// fails the process.
func TestHelperProcess(t *testing.T) {
	if os.Getenv("FLOE_OBJSTORE_HELPER") != "create-race" {
		return
	}
	var goroutines, keys int
	if _, err := fmt.Sscan(os.Getenv("FLOE_OBJSTORE_HELPER_ARGS"), &goroutines, &keys); err != nil {
		t.Fatal(err)
	}
	name := os.Getenv("FLOE_OBJSTORE_HELPER_NAME")
	s, err := OpenLocal(os.Getenv("FLOE_OBJSTORE_HELPER_DIR"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	start := make(chan struct{})
	var mu sync.Mutex
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			writer := fmt.Sprintf("%s-g%d", name, g)
			<-start
			for k := range keys {
				key := fmt.Sprintf("snapshot/snapshot-%d", k+1)
				err := s.Create(context.Background(), key, raceBody(key, writer))
				mu.Lock()
				switch {
				case err == nil:
					fmt.Printf("WIN %s %s\n", key, writer)
				case !errors.Is(err, ErrExist):
					t.Errorf("%s: %s: %v", writer, key, err)
				}
				mu.Unlock()
			}
		})
	}
	fmt.Println("READY")
	bufio.NewReader(os.Stdin).ReadString('\n')
	close(start)
	wg.Wait()
}

func TestLocalDriverRejectsEscapes(t *testing.T) {
	ctx := t.Context()
	s, dir := openLocal(t)
	b := s.Bucket() // bypasses Store's own key checks
	for _, k := range []string{"../x", "a/../../x", "/etc/x", "a//b", "a/./b", "a/", "a\x00b"} {
		if err := b.WriteAll(ctx, k, []byte("x"), nil); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("write %q: %v; want ErrInvalidKey", k, err)
		}
		if _, err := b.ReadAll(ctx, k); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("read %q: %v; want ErrInvalidKey", k, err)
		}
	}
	if _, err := b.List(&blob.ListOptions{Prefix: "../"}).Next(ctx); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("list ../: %v; want ErrInvalidKey", err)
	}
	if got := files(t, filepath.Dir(dir)); !slices.Equal(got, []string{filepath.Base(dir) + "/"}) {
		t.Errorf("files next to the root = %q", got)
	}
	// Copy goes through the same atomic write.
	mustWrite(t, s, "src", []byte("copy me"))
	if err := b.Copy(ctx, "dst/x", "src", nil); err != nil {
		t.Fatal(err)
	}
	mustRead(t, s, "dst/x", []byte("copy me"))
	if err := b.Copy(ctx, "dst/y", "missing", nil); !errors.Is(err, ErrNotFound) && !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("copy of a missing key: %v", err)
	}
}
