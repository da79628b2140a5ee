package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/floelake/floe/internal/fixtures"
	"github.com/floelake/floe/manifest"
)

func runCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), args, &out)
	return out.String(), err
}

var orcTables = map[string]bool{
	"append_09": true, "append_10": true, "pk_table_nested_type": true, "parquet_append_table": true,
	"append_with_empty_partition": true, "append_with_empty_partition_with_empty_value": true,
	"append_with_empty_partition_with_specific_name": true,
}

// TestFilesOnEveryFixture: `floe files --json` on every fixture table lists
// live files that exist at the printed path with the printed size, and the
// human form prints one line per file. ORC-manifest tables fail clearly.
func TestFilesOnEveryFixture(t *testing.T) {
	tables := append(fixtures.CppTables(t), fixtures.GoldenTables(t)...)
	for _, fx := range tables {
		t.Run(fx.Name, func(t *testing.T) {
			out, err := runCLI(t, "files", fx.Dir, "--json")
			if orcTables[filepath.Base(fx.Dir)] {
				if !errors.Is(err, manifest.ErrUnsupportedFormat) {
					t.Fatalf("want ErrUnsupportedFormat, got %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var files []fileJSON
			if err := json.Unmarshal([]byte(out), &files); err != nil {
				t.Fatal(err)
			}
			if len(files) == 0 {
				t.Fatal("no files")
			}
			for _, f := range files {
				st, err := os.Stat(filepath.Join(fx.Dir, f.Path))
				if err != nil {
					t.Error(err)
				} else if st.Size() != f.Size {
					t.Errorf("%s: %d bytes on disk, listed %d", f.Path, st.Size(), f.Size)
				}
			}
			human, err := runCLI(t, "files", fx.Dir)
			if err != nil {
				t.Fatal(err)
			}
			if n := strings.Count(human, ".parquet") + strings.Count(human, ".avro") + strings.Count(human, ".orc"); n != len(files) {
				t.Errorf("human output lists %d files, JSON %d:\n%s", n, len(files), human)
			}
			for _, cmd := range []string{"schema", "snapshots"} {
				for _, extra := range [][]string{nil, {"--json"}} {
					if _, err := runCLI(t, append([]string{cmd, fx.Dir}, extra...)...); err != nil {
						t.Errorf("%s %v: %v", cmd, extra, err)
					}
				}
			}
		})
	}
}

func TestFilesPK09(t *testing.T) {
	dir := fixtures.Path(t, "paimon-cpp", "tables", "parquet")
	out, err := runCLI(t, "files", dir, "pk_09.pk_09", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var files []fileJSON
	if err := json.Unmarshal([]byte(out), &files); err != nil {
		t.Fatal(err)
	}
	// Snapshot 8 of pk_09 (full compaction, DV on): three level-5 files.
	if len(files) != 3 {
		t.Fatalf("got %d files", len(files))
	}
	var rows int64
	for _, f := range files {
		if f.Level != 5 || f.TotalBuckets != 2 || len(f.Partition) != 1 || len(f.MinKey) != 2 {
			t.Errorf("unexpected file %+v", f)
		}
		rows += f.RowCount
	}
	if rows != 10 {
		t.Errorf("rows = %d", rows)
	}
	// Time travel to snapshot 1: the first APPEND, all level 0.
	out, err = runCLI(t, "files", dir, "pk_09.pk_09", "--snapshot", "1", "--json")
	if err != nil {
		t.Fatal(err)
	}
	files = nil
	if err := json.Unmarshal([]byte(out), &files); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if f.Level != 0 {
			t.Errorf("snapshot 1 file at level %d", f.Level)
		}
	}
}

func TestLs(t *testing.T) {
	out, err := runCLI(t, "ls", fixtures.GoldenWarehouse(t), "--json")
	if err != nil {
		t.Fatal(err)
	}
	var dbs []struct {
		Database string
		Tables   []string
	}
	if err := json.Unmarshal([]byte(out), &dbs); err != nil {
		t.Fatal(err)
	}
	if len(dbs) != 1 || dbs[0].Database != "default" || len(dbs[0].Tables) != 3 {
		t.Fatalf("ls: %s", out)
	}
	if _, err := runCLI(t, "ls", t.TempDir()); err != nil {
		t.Fatal(err)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		nil, {"nope"}, {"files"}, {"files", "a", "b", "c"}, {"files", "x", "--snapshot", "abc"},
		{"ls"}, {"schema", "wh", "not-an-identifier"},
	} {
		if _, err := runCLI(t, args...); !errors.Is(err, errUsage) {
			t.Errorf("%v: want usage error, got %v", args, err)
		}
	}
	// Escaping identifiers are rejected by the catalog, not opened.
	if _, err := runCLI(t, "schema", t.TempDir(), "...x"); err == nil {
		t.Error("want error for ...x")
	}
	if _, err := runCLI(t, "files", filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("want error for a missing table")
	}
}
