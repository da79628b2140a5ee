package main

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/floelake/floe/table"
)

// TestRemoveOrphans: floe remove-orphans lists (--dry-run) and deletes
// the orphan files older than --older-than (default a day), prints them
// with --json, refuses a threshold in the future, and leaves the table's
// rows as they were.
func TestRemoveOrphans(t *testing.T) {
	t.Setenv(warehouseEnv, "")
	wh := t.TempDir()
	mustRun(t, "create", wh, "db.t", "--column", "id INT NOT NULL", "--column", "v STRING", "--primary-key", "id", "--option", "bucket=1")
	in := t.TempDir()
	mustRun(t, "write", "--warehouse", wh, "db.t", writeFile(t, in, "a.jsonl", `{"id":1,"v":"a"}`+"\n"+`{"id":2,"v":"b"}`+"\n"))
	mustRun(t, "write", "--warehouse", wh, "db.t", writeFile(t, in, "b.jsonl", `{"id":2,"v":"B"}`+"\n"))
	mustRun(t, "compact", wh, "db.t", "--full")
	rows := mustRun(t, "scan", wh, "db.t", "--format", "jsonl")

	dir := filepath.Join(wh, "db.db", "t")
	old := time.Now().Add(-49 * time.Hour)
	if err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		return os.Chtimes(p, old, old)
	}); err != nil {
		t.Fatal(err)
	}
	orphans := []string{
		"bucket-0/data-" + uuid.NewString() + "-0.parquet",
		"bucket-0/.floe-" + uuid.NewString() + ".tmp",
		"manifest/manifest-" + uuid.NewString() + "-0",
	}
	young := "bucket-0/data-" + uuid.NewString() + "-1.parquet"
	for _, p := range append(slices.Clone(orphans), young) {
		f := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.WriteFile(f, []byte("orphan"), 0o644); err != nil {
			t.Fatal(err)
		}
		if p != young {
			if err := os.Chtimes(f, old, old); err != nil {
				t.Fatal(err)
			}
		}
	}
	slices.Sort(orphans)
	exists := func(p string) bool {
		_, err := os.Stat(filepath.Join(dir, filepath.FromSlash(p)))
		return err == nil
	}

	out := mustRun(t, "remove-orphans", wh, "db.t", "--dry-run")
	for _, p := range orphans {
		if !strings.Contains(out, p) || !exists(p) {
			t.Errorf("dry run: %s not listed or deleted:\n%s", p, out)
		}
	}
	if strings.Contains(out, young) || !strings.Contains(out, "would delete 3 orphan files (18 B)") {
		t.Errorf("dry run:\n%s", out)
	}
	if out := mustRun(t, "remove-orphans", dir, "--dry-run", "--older-than", "3d"); !strings.Contains(out, "would delete 0 orphan files") {
		t.Errorf("older than 3 days:\n%s", out)
	}
	for _, bad := range []string{"2999-01-01", "-1h", "0s"} {
		if _, err := runCLI(t, "remove-orphans", wh, "db.t", "--older-than", bad); !errors.Is(err, table.ErrOrphanThreshold) {
			t.Errorf("--older-than %s: %v", bad, err)
		}
	}
	for _, bad := range []string{"90", "soon", "1d-1h", "1x"} {
		if _, err := runCLI(t, "remove-orphans", wh, "db.t", "--older-than", bad); !errors.Is(err, errUsage) {
			t.Errorf("--older-than %s: %v", bad, err)
		}
	}

	out = mustRun(t, "remove-orphans", wh, "db.t", "--older-than", "36h", "--json")
	var res struct {
		Files []struct {
			Path string `json:"path"`
			Size int64  `json:"size"`
			Temp bool   `json:"temp"`
		} `json:"files"`
		Bytes  int64 `json:"bytes"`
		DryRun bool  `json:"dryRun"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	var got []string
	for _, f := range res.Files {
		got = append(got, f.Path)
		if f.Size != 6 || f.Temp != strings.Contains(f.Path, ".floe-") {
			t.Errorf("file %+v", f)
		}
	}
	if !slices.Equal(got, orphans) || res.Bytes != 18 || res.DryRun {
		t.Fatalf("deleted %q (%d bytes, dry run %v), want %q:\n%s", got, res.Bytes, res.DryRun, orphans, out)
	}
	for _, p := range orphans {
		if exists(p) {
			t.Errorf("%s is still there", p)
		}
	}
	if !exists(young) {
		t.Errorf("the young file %s was deleted", young)
	}
	if after := mustRun(t, "scan", wh, "db.t", "--format", "jsonl"); after != rows {
		t.Errorf("rows changed:\n%s\nwant\n%s", after, rows)
	}
	if out := mustRun(t, "remove-orphans", wh, "db.t"); !strings.HasPrefix(out, "deleted 0 orphan files (0 B)") {
		t.Errorf("second run:\n%s", out)
	}
}

func TestParseOlderThan(t *testing.T) {
	now := time.Date(2025, 6, 2, 12, 0, 0, 0, time.UTC)
	for s, want := range map[string]time.Duration{
		"1d":                   24 * time.Hour,
		"7d":                   7 * 24 * time.Hour,
		"1d12h":                36 * time.Hour,
		"90m":                  90 * time.Minute,
		"36h":                  36 * time.Hour,
		"2025-06-01T12:00:00Z": 24 * time.Hour,
	} {
		if got, err := parseAge(s, now); err != nil || got != want {
			t.Errorf("parseAge(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
}
