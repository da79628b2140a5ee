package main

import (
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/floelake/floe/internal/fixtures"
	"github.com/floelake/floe/manifest"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the golden files under testdata/")

// TestScanFixtures: `floe scan --format jsonl` of every Avro-manifest
// fixture table equals testdata/scan/<table>.jsonl (checked by hand
// against the fixtures README; -rewrite regenerates them). ORC-manifest
// tables fail with ErrUnsupportedFormat and say so.
func TestScanFixtures(t *testing.T) {
	tables := append(fixtures.CppTables(t), fixtures.GoldenTables(t)...)
	for _, fx := range tables {
		t.Run(fx.Name, func(t *testing.T) {
			out, err := runCLI(t, "scan", fx.Dir, "--format", "jsonl")
			if orcTables[filepath.Base(fx.Dir)] {
				if !errors.Is(err, manifest.ErrUnsupportedFormat) {
					t.Fatalf("want ErrUnsupportedFormat, got %v", err)
				}
				if !strings.Contains(strings.ToLower(err.Error()), "orc") && !strings.Contains(err.Error(), "unsupported") {
					t.Errorf("message does not say what is unsupported: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "scan", filepath.FromSlash(fx.Name)+".jsonl")
			if *rewrite {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -rewrite to create it)", err)
			}
			if out != string(want) {
				t.Errorf("scan differs from %s:\n got:\n%s\nwant:\n%s", golden, out, want)
			}
			// The other formats read the same rows.
			csvOut, err := runCLI(t, "scan", fx.Dir, "--format", "csv")
			if err != nil {
				t.Fatal(err)
			}
			rows := strings.Count(out, "\n")
			if n := strings.Count(csvOut, "\n"); n < rows+1 {
				t.Errorf("csv has %d lines for %d rows", n, rows)
			}
			grid, err := runCLI(t, "scan", fx.Dir)
			if err != nil {
				t.Fatal(err)
			}
			if want := "(" + rowCount(int64(rows)) + ")\n"; !strings.HasSuffix(grid, want) {
				t.Errorf("grid footer: want %q, got …%q", want, grid[max(0, len(grid)-40):])
			}
		})
	}
}

func TestMain(m *testing.M) {
	stderr = io.Discard
	os.Exit(m.Run())
}

func TestScanFixtureOptions(t *testing.T) {
	dir := fixtures.Path(t, "paimon-cpp", "tables", "parquet", "pk_09.db", "pk_09")
	out, err := runCLI(t, "scan", dir, "--where", "f3 > 15 AND f1 = 10", "--select", "f3,f0", "--format", "jsonl")
	if err != nil {
		t.Fatal(err)
	}
	want := `{"f3":21.1,"f0":"Alice"}
{"f3":19.1,"f0":"Whether I shall turn out to be the hero of my own life."}
{"f3":16.1,"f0":"Alex"}
{"f3":17.1,"f0":"David"}
`
	if out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
	out, err = runCLI(t, "scan", dir, "--limit", "2", "--format", "csv")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out, "\n"); n != 3 {
		t.Errorf("--limit 2: %d lines:\n%s", n, out)
	}
	out, err = runCLI(t, "scan", dir, "--limit", "0")
	if err != nil || !strings.HasSuffix(out, "(0 rows)\n") {
		t.Errorf("--limit 0: %v\n%s", err, out)
	}
	// Time travel on the merge-on-read table: snapshot 1 (09:55:33.641
	// UTC) has Alice at 11.1 and Tony, not yet deleted.
	mor := fixtures.Path(t, "paimon-cpp", "tables", "parquet", "pk_table_scan_and_read_mor.db", "pk_table_scan_and_read_mor")
	s1, err := runCLI(t, "scan", mor, "--snapshot", "1", "--format", "jsonl", "--where", "f0 IN ('Alice', 'Tony')")
	if err != nil {
		t.Fatal(err)
	}
	wantS1 := `{"f0":"Alice","f1":10,"f2":1,"f3":11.1}
{"f0":"Tony","f1":10,"f2":0,"f3":14.1}
`
	if s1 != wantS1 {
		t.Errorf("snapshot 1:\n%s", s1)
	}
	for _, asOf := range []string{"2025-08-27T03:55:33.700Z", "1756266933641", "2025-08-27T05:55:33.800+02:00"} {
		got, err := runCLI(t, "scan", mor, "--as-of", asOf, "--format", "jsonl", "--where", "f0 IN ('Alice', 'Tony')")
		if err != nil || got != wantS1 {
			t.Errorf("--as-of %s: %v\n%s", asOf, err, got)
		}
	}
	if _, err := runCLI(t, "scan", mor, "--as-of", "2020-01-01 00:00:00"); err == nil {
		t.Error("--as-of before the first snapshot: no error")
	}
	if _, err := runCLI(t, "scan", mor, "--tag", "nope"); err == nil {
		t.Error("missing tag: no error")
	}
	for _, args := range [][]string{
		{"scan", dir, "--snapshot", "1", "--tag", "x"},
		{"scan", dir, "--as-of", "yesterday"},
		{"scan", dir, "--format", "xml"},
		{"scan", dir, "--format", "parquet"},
	} {
		if _, err := runCLI(t, args...); !errors.Is(err, errUsage) {
			t.Errorf("%v: want usage error, got %v", args, err)
		}
	}
	if _, err := runCLI(t, "scan", dir, "--where", "f3 >"); err == nil || !strings.Contains(err.Error(), "--where") {
		t.Errorf("bad --where: %v", err)
	}
	if _, err := runCLI(t, "scan", dir, "--where", "nope = 1"); err == nil {
		t.Error("unknown column in --where: no error")
	}
	if _, err := runCLI(t, "scan", dir, "--snapshot", "99"); err == nil {
		t.Error("missing snapshot: no error")
	}
}
