package table

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// javaBranchDir is where testdata/branches/make.sh keeps the tables Java
// Paimon wrote (README.md there).
func javaBranchDir(version string) string {
	return filepath.Join("testdata", "branches", version)
}

// javaDumpRows turns a Java dump (canonical JSON lines, Tool dump) into
// the form castEnv.readFrom gives: "a b c" per row, values as Arrow's
// ValueStr prints them, sorted, joined by ", ".
func javaDumpRows(t *testing.T, path string, cols []string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for l := range strings.SplitSeq(strings.TrimSpace(string(b)), "\n") {
		if l == "" {
			continue
		}
		d := json.NewDecoder(strings.NewReader(l))
		d.UseNumber()
		var m map[string]any
		if err := d.Decode(&m); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		var row []string
		for _, c := range cols {
			switch v := m[c].(type) {
			case nil:
				row = append(row, "(null)")
			default:
				row = append(row, fmt.Sprint(v))
			}
		}
		rows = append(rows, strings.Join(row, " "))
	}
	slices.Sort(rows)
	return strings.Join(rows, ", ")
}

// readTable reads tb with so as castEnv.readFrom does.
func readTable(t *testing.T, tb *Table, so ScanOptions) string {
	t.Helper()
	alloc := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer alloc.AssertSize(t, 0)
	e := &castEnv{t: t, ctx: context.Background(), alloc: alloc}
	return e.mustRead(tb, so)
}

// TestBranchJavaTables: floe reads the branches Java Paimon 1.4.2 and
// 2.0.0 made and wrote (a branch from a tag with its own snapshots and
// tag, an empty branch of two buckets that main falls back to), as Java
// reads them; Java's branch files are byte copies of main's, as floe's
// CreateBranch makes them.
func TestBranchJavaTables(t *testing.T) {
	ctx := context.Background()
	for _, v := range []string{"1.4.2", "2.0.0"} {
		t.Run(v, func(t *testing.T) {
			dir := javaBranchDir(v)
			tb, err := Open(ctx, filepath.Join(dir, "db.db", "t"))
			if err != nil {
				t.Fatal(err)
			}
			defer tb.Close()
			cols := tb.Schema().FieldNames()
			names, err := tb.Branches(ctx)
			if err != nil {
				t.Fatal(err)
			}
			javaNames, _ := os.ReadFile(filepath.Join(dir, "t.branches.txt"))
			jn := strings.Fields(string(javaNames))
			slices.Sort(jn)
			if !slices.Equal(names, jn) {
				t.Errorf("branches %v, Java lists %v", names, jn)
			}
			if tb.Config().ScanFallbackBranch != "fb" {
				t.Fatalf("scan.fallback-branch %q", tb.Config().ScanFallbackBranch)
			}
			check := func(what string, tb *Table, so ScanOptions, dump string) {
				t.Helper()
				got := readTable(t, tb, so)
				want := javaDumpRows(t, filepath.Join(dir, dump), cols)
				if got != want || got == "" {
					t.Errorf("%s:\n floe %s\n Java %s", what, got, want)
				}
			}
			check("main with fallback branch fb", tb, ScanOptions{}, "t.dump.jsonl")
			b1, err := tb.OpenBranch(ctx, "b1")
			if err != nil {
				t.Fatal(err)
			}
			defer b1.Close()
			check("b1", b1, ScanOptions{}, "b1.dump.jsonl")
			check("b1 snapshot 3", b1, ScanOptions{SnapshotID: 3}, "b1.s3.dump.jsonl")
			check("b1 tag t2", b1, ScanOptions{Tag: "t2"}, "b1.t2.dump.jsonl")
			fb, err := tb.OpenBranch(ctx, "fb")
			if err != nil {
				t.Fatal(err)
			}
			defer fb.Close()
			if fb.Config().Bucket != 2 {
				t.Errorf("fb bucket %d", fb.Config().Bucket)
			}
			check("fb", fb, ScanOptions{}, "fb.dump.jsonl")
			if tags, err := b1.Tags(ctx); err != nil || len(tags) != 2 || tags[0].Name != "t2" || tags[1].Name != "b1t4" {
				t.Errorf("b1 tags: %v %v", tags, err)
			}

			// Java's CreateBranch copied these files; floe's makes the
			// same ones.
			root := filepath.Join(dir, "db.db", "t")
			for _, k := range []struct{ src, dst string }{
				{"schema/schema-0", "branch/branch-b1/schema/schema-0"},
				{"snapshot/snapshot-2", "branch/branch-b1/snapshot/snapshot-2"},
				{"tag/tag-t2", "branch/branch-b1/tag/tag-t2"},
				{"schema/schema-0", "branch/branch-fb/schema/schema-0"},
			} {
				a, err := os.ReadFile(filepath.Join(root, k.src))
				if err != nil {
					t.Fatal(err)
				}
				b, err := os.ReadFile(filepath.Join(root, k.dst))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(a, b) {
					t.Errorf("Java's %s is not a copy of %s", k.dst, k.src)
				}
			}
			cp := copyDir(t, root)
			ft, err := Open(ctx, cp)
			if err != nil {
				t.Fatal(err)
			}
			defer ft.Close()
			if err := ft.CreateBranch(ctx, "b9", BranchOptions{Tag: "t2"}); err != nil {
				t.Fatal(err)
			}
			if err := ft.CreateBranch(ctx, "e9", BranchOptions{}); err != nil {
				t.Fatal(err)
			}
			if got := fileNames(t, filepath.Join(cp, "branch", "branch-b9")); got != "schema/schema-0 snapshot/snapshot-2 tag/tag-t2" {
				t.Errorf("floe's branch from t2: %s", got)
			}
			if got := fileNames(t, filepath.Join(cp, "branch", "branch-e9")); got != "schema/schema-0 schema/schema-1" {
				t.Errorf("floe's empty branch: %s", got)
			}
		})
	}
}

// fileNames lists the files below dir (slash-separated, sorted).
func fileNames(t *testing.T, dir string) string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return strings.Join(out, " ")
}

// TestBranchJavaFastForward: floe's FastForward of the table Java
// fast-forwarded (ff_before is that table before it) leaves the same
// snapshot, schema and tag files, byte for byte, and reads as Java reads
// the result.
func TestBranchJavaFastForward(t *testing.T) {
	ctx := context.Background()
	for _, v := range []string{"1.4.2", "2.0.0"} {
		t.Run(v, func(t *testing.T) {
			dir := javaBranchDir(v)
			java := filepath.Join(dir, "db.db", "ff")
			cp := copyDir(t, filepath.Join(dir, "db.db", "ff_before"))
			tb, err := Open(ctx, cp)
			if err != nil {
				t.Fatal(err)
			}
			defer tb.Close()
			res, err := tb.FastForward(ctx, "dev")
			if err != nil {
				t.Fatal(err)
			}
			if res.From != 2 {
				t.Errorf("from %d", res.From)
			}
			for _, sub := range []string{"snapshot", "schema", "tag"} {
				want := metaFiles(t, filepath.Join(java, sub))
				got := metaFiles(t, filepath.Join(cp, sub))
				if !slices.Equal(slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want))) {
					t.Errorf("%s: floe %v, Java %v", sub, slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)))
					continue
				}
				for name, b := range want {
					if !bytes.Equal(got[name], b) {
						t.Errorf("%s/%s differs from Java's", sub, name)
					}
				}
			}
			after, err := Open(ctx, cp)
			if err != nil {
				t.Fatal(err)
			}
			defer after.Close()
			got := readTable(t, after, ScanOptions{})
			if want := javaDumpRows(t, filepath.Join(dir, "ff.dump.jsonl"), after.Schema().FieldNames()); got != want {
				t.Errorf("after fast-forward: floe %s, Java %s", got, want)
			}
			if got := readTable(t, after, ScanOptions{Tag: "t1"}); got != "1 a (null), 2 b (null)" && got != "1 a, 2 b" {
				t.Errorf("tag t1 after fast-forward: %s", got)
			}
		})
	}
}

// metaFiles reads the files of a metadata directory, hints left out
// (floe writes its own; Java copies the branch's).
func metaFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, e := range ents {
		n := e.Name()
		if e.IsDir() || n == "LATEST" || n == "EARLIEST" || strings.HasPrefix(n, ".") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		out[n] = b
	}
	return out
}
