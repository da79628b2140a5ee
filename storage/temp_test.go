package storage

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestLocalListAndDeleteTemp: the temporary files a killed writer leaves
// are invisible to List but found by ListTemp (below a prefix, through a
// Sub view, with size and modification time) and removed by DeleteTemp,
// which touches nothing else; faults apply to both calls.
func TestLocalListAndDeleteTemp(t *testing.T) {
	ctx := t.Context()
	s, dir := openLocal(t)
	mustWrite(t, s, "t/snapshot/snapshot-1", []byte("1"))
	mustWrite(t, s, "t/bucket-0/data-1.parquet", []byte("data"))
	old := time.Now().Add(-48 * time.Hour).Truncate(time.Second)
	plant := map[string]string{
		"t/snapshot/.floe-a.tmp":        "partial",
		"t/bucket-0/.floe-b.tmp":        "pa",
		"t/p=1/bucket-0/.floe-c.tmp":    "p", // alone in its directory
		"u/.floe-d.tmp":                 "other table",
		".floe-e.tmp":                   "root",
		"t/snapshot/.snapshot-2.x.tmp":  "Java's temp file is an object",
		"t/snapshot/floe-f.tmp":         "not hidden: an object",
		"t/snapshot/.floe-g.tmp.parked": "not a temp name",
	}
	for p, body := range plant {
		f := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(f), 0o777); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(f, old, old); err != nil {
			t.Fatal(err)
		}
	}
	keys := func(objs []Object) []string {
		var out []string
		for _, o := range objs {
			out = append(out, o.Key)
		}
		return out
	}
	tmp, err := s.ListTemp(ctx, "")
	if want := []string{".floe-e.tmp", "t/bucket-0/.floe-b.tmp", "t/p=1/bucket-0/.floe-c.tmp", "t/snapshot/.floe-a.tmp", "u/.floe-d.tmp"}; err != nil || !slices.Equal(keys(tmp), want) {
		t.Fatalf("list temp = %q, %v; want %q", keys(tmp), err, want)
	}
	for _, o := range tmp {
		if o.Size != int64(len(plant[o.Key])) || !o.ModTime.Equal(old) {
			t.Errorf("%s: size %d, mod time %v; want %d, %v", o.Key, o.Size, o.ModTime, len(plant[o.Key]), old)
		}
	}
	if tmp, err := s.ListTemp(ctx, "t/b"); err != nil || !slices.Equal(keys(tmp), []string{"t/bucket-0/.floe-b.tmp"}) {
		t.Fatalf("list temp t/b = %q, %v", keys(tmp), err)
	}
	sub := s.Sub("t")
	tmp, err = sub.ListTemp(ctx, "")
	if want := []string{"bucket-0/.floe-b.tmp", "p=1/bucket-0/.floe-c.tmp", "snapshot/.floe-a.tmp"}; err != nil || !slices.Equal(keys(tmp), want) {
		t.Fatalf("sub list temp = %q, %v; want %q", keys(tmp), err, want)
	}
	// List is unchanged: temporary files stay hidden.
	objs, err := sub.List(ctx, "")
	if want := []string{"bucket-0/data-1.parquet", "snapshot/.floe-g.tmp.parked", "snapshot/.snapshot-2.x.tmp", "snapshot/floe-f.tmp", "snapshot/snapshot-1"}; err != nil || !slices.Equal(keys(objs), want) {
		t.Fatalf("list = %q, %v; want %q", keys(objs), err, want)
	}

	var faults Faults
	faulty := WithFaults(sub, &faults)
	faults.Add(Fault{Op: OpList})
	if _, err := faulty.ListTemp(ctx, ""); !errors.Is(err, ErrInjected) {
		t.Fatalf("list temp with a fault: %v", err)
	}
	faults.Clear()
	faults.Add(Fault{Op: OpDelete, Phase: Before, Times: 1})
	if err := faulty.DeleteTemp(ctx, "snapshot/.floe-a.tmp"); !errors.Is(err, ErrInjected) {
		t.Fatalf("delete temp with a fault: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "t/snapshot/.floe-a.tmp")); err != nil {
		t.Fatalf("a failed delete removed the file: %v", err)
	}
	for _, k := range []string{"snapshot/.floe-a.tmp", "p=1/bucket-0/.floe-c.tmp"} {
		if err := faulty.DeleteTemp(ctx, k); err != nil {
			t.Fatalf("delete temp %s: %v", k, err)
		}
		if err := sub.DeleteTemp(ctx, k); !errors.Is(err, ErrNotFound) {
			t.Fatalf("second delete temp %s: %v; want ErrNotFound", k, err)
		}
	}
	for _, k := range []string{"snapshot/snapshot-1", "snapshot/.snapshot-2.x.tmp", "snapshot/.floe-g.tmp.parked", "bucket-0/data-1.parquet/.floe-x.tmp"} {
		err := sub.DeleteTemp(ctx, k)
		if want := ErrInvalidKey; k == "bucket-0/data-1.parquet/.floe-x.tmp" {
			// A parent that is an object: no such temporary file.
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("delete temp %s: %v; want ErrNotFound", k, err)
			}
		} else if !errors.Is(err, want) {
			t.Errorf("delete temp %s: %v; want %v", k, err, want)
		}
	}
	tmp, err = s.ListTemp(ctx, "")
	if want := []string{".floe-e.tmp", "t/bucket-0/.floe-b.tmp", "u/.floe-d.tmp"}; err != nil || !slices.Equal(keys(tmp), want) {
		t.Fatalf("list temp after deletes = %q, %v; want %q", keys(tmp), err, want)
	}
	if err := s.DeleteTemp(ctx, ".floe-e.tmp"); err != nil {
		t.Fatal(err)
	}
	mustRead(t, s, "t/snapshot/snapshot-1", []byte("1"))
	mustRead(t, s, "t/bucket-0/data-1.parquet", []byte("data"))
}
