package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// repoRoot returns the directory holding go.mod above the test's working
// directory.
func repoRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			t.Fatal("go.mod not found above " + wd)
		}
	}
}

// quickstartLines returns the logical lines (continuations joined) of the
// first ```sh block after the README's "## Quickstart" heading.
func quickstartLines(t *testing.T, readme string) []string {
	return shLines(t, readme, "\n## Quickstart\n")
}

// shLines returns the logical lines of the first ```sh block after heading.
func shLines(t *testing.T, readme, heading string) []string {
	t.Helper()
	_, after, ok := strings.Cut(readme, heading)
	if !ok {
		t.Fatalf("README.md has no %q section", strings.TrimSpace(heading))
	}
	_, block, ok := strings.Cut(after, "```sh\n")
	if !ok {
		t.Fatalf("%q has no ```sh block", strings.TrimSpace(heading))
	}
	block, _, ok = strings.Cut(block, "```")
	if !ok {
		t.Fatalf("the ```sh block of %q is not closed", strings.TrimSpace(heading))
	}
	var lines []string
	var cur strings.Builder
	for _, l := range strings.Split(block, "\n") {
		if strings.HasSuffix(l, "\\") {
			cur.WriteString(strings.TrimSuffix(l, "\\"))
			continue
		}
		cur.WriteString(l)
		if s := strings.TrimSpace(cur.String()); s != "" && !strings.HasPrefix(s, "#") {
			lines = append(lines, s)
		}
		cur.Reset()
	}
	return lines
}

// shell runs script with sh in dir and env and returns its standard output.
func shell(t *testing.T, dir string, env []string, script string) []byte {
	t.Helper()
	cmd := exec.Command("sh", "-c", script)
	cmd.Dir = dir
	cmd.Env = env
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("sh -c %q: %v\n%s", script, err, errOut.String())
	}
	return out
}

// TestReadmeQuickstart runs the README's Quickstart block as a user
// pasting it would, so the README cannot rot: in an empty directory
// holding a copy of examples/, every `floe …` line runs through the CLI
// in process, with its words expanded by sh (quotes, $VARS, $(…)), and
// must succeed. `export`, `sleep` and the producers of piped input run in
// sh; git clone, cd and go install (the setup on a fresh machine) are
// skipped. Any other line fails the test until the test learns it.
func TestReadmeQuickstart(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the Quickstart is a POSIX shell script")
	}
	if _, err := exec.LookPath("sh"); err != nil {
		t.Fatalf("sh is needed to expand the Quickstart's words: %v", err)
	}
	root := repoRoot(t)
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	lines := quickstartLines(t, string(readme))

	work := t.TempDir()
	if err := os.CopyFS(filepath.Join(work, "examples"), os.DirFS(filepath.Join(root, "examples"))); err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir() // for mktemp
	t.Setenv("TMPDIR", tmp)
	t.Chdir(work)
	oldStdin := stdin
	defer func() { stdin = oldStdin }()

	ran := 0
	for _, line := range lines {
		first, _, _ := strings.Cut(line, " ")
		env := os.Environ()
		switch {
		case first == "git" || first == "cd" || first == "go":
			continue // setup on a fresh machine: the test runs in the checkout
		case first == "export":
			name, _, ok := strings.Cut(strings.TrimPrefix(line, "export "), "=")
			if !ok || strings.ContainsAny(name, " $") {
				t.Fatalf("cannot run %q", line)
			}
			if name == "PATH" {
				continue // the test does not call the floe binary
			}
			val := shell(t, work, env, line+"\nprintf %s \"$"+name+"\"")
			t.Setenv(name, string(val))
			continue
		case first == "sleep":
			shell(t, work, env, line)
			continue
		}
		feed, cmdline, piped := strings.Cut(line, " | ")
		if !piped {
			feed, cmdline = "", line
		}
		if !strings.HasPrefix(cmdline, "floe ") {
			t.Fatalf("the Quickstart has a line this test does not know how to run: %q", line)
		}
		stdin = strings.NewReader("")
		if piped {
			stdin = bytes.NewReader(shell(t, work, env, feed))
		}
		// sh expands the words exactly as it would for the binary.
		raw := shell(t, work, env, `printf '%s\0' `+strings.TrimPrefix(cmdline, "floe "))
		args := strings.Split(strings.TrimSuffix(string(raw), "\x00"), "\x00")
		out, err := runCLI(t, args...)
		if err != nil {
			t.Fatalf("%s\n  failed: %v\n%s", line, err, out)
		}
		t.Logf("$ %s\n%s", line, out)
		ran++
	}
	if ran < 5 {
		t.Fatalf("only %d floe commands found in the Quickstart", ran)
	}
}

// backfillRows are the rows of examples/backfill.parquet, as `floe scan
// --format jsonl` prints them.
const backfillRows = `{"id":9,"customer":"ivan","amount":"64.00","ts":"2023-12-30 18:00:00"}
{"id":10,"customer":"judy","amount":"1250.00","ts":"2023-12-31 23:59:59.5"}
`

// TestExampleParquet checks that examples/backfill.parquet holds
// backfillRows; with -rewrite it writes the file (through floe write and
// floe scan --format parquet).
func TestExampleParquet(t *testing.T) {
	file := filepath.Join(repoRoot(t), "examples", "backfill.parquet")
	wh := t.TempDir()
	create := func(wh string) []string {
		return []string{"create", "--warehouse", wh, "shop.orders", "--column", "id BIGINT", "--column", "customer STRING",
			"--column", "amount DECIMAL(10, 2)", "--column", "ts TIMESTAMP(3)", "--primary-key", "id"}
	}
	if *rewrite {
		if _, err := runCLI(t, create(wh)...); err != nil {
			t.Fatal(err)
		}
		stdin = strings.NewReader(backfillRows)
		defer func() { stdin = os.Stdin }()
		if _, err := runCLI(t, "write", "--warehouse", wh, "shop.orders", "-"); err != nil {
			t.Fatal(err)
		}
		if _, err := runCLI(t, "scan", "--warehouse", wh, "shop.orders", "--format", "parquet", "--output", file); err != nil {
			t.Fatal(err)
		}
		wh = t.TempDir()
	}
	if _, err := runCLI(t, create(wh)...); err != nil {
		t.Fatal(err)
	}
	if _, err := runCLI(t, "write", "--warehouse", wh, "shop.orders", file); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%v (run with -rewrite to create it)", err)
		}
		t.Fatal(err)
	}
	out, err := runCLI(t, "scan", "--warehouse", wh, "shop.orders", "--format", "jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if out != backfillRows {
		t.Errorf("%s holds\n%s\nwant\n%s", file, out, backfillRows)
	}
}

// TestReadmeMaintenance runs the README's table maintenance examples, in
// order, on a table db.t in a warehouse "wh" of a few commits: each must
// succeed.
func TestReadmeMaintenance(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the examples are POSIX shell")
	}
	readme, err := os.ReadFile(filepath.Join(repoRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	lines := shLines(t, string(readme), "\n### Table maintenance\n")
	work := t.TempDir()
	t.Chdir(work)
	t.Setenv(warehouseEnv, "")
	mustRun(t, "create", "wh", "db.t", "--column", "id INT NOT NULL", "--column", "dt STRING NOT NULL",
		"--primary-key", "id,dt", "--partition", "dt")
	for i := range 8 {
		mustRun(t, "write", "wh/db.db/t", writeFile(t, work, fmt.Sprintf("%d.jsonl", i), fmt.Sprintf(`{"id":%d,"dt":"2024-01-0%d"}`, i, 1+i%2)))
	}
	writeFile(t, work, "rows.jsonl", `{"id":100,"dt":"2024-01-03"}`) // the branch example's
	for _, line := range lines {
		if !strings.HasPrefix(line, "floe ") {
			t.Fatalf("the maintenance examples have a line this test does not know how to run: %q", line)
		}
		raw := shell(t, work, os.Environ(), `printf '%s\0' `+strings.TrimPrefix(line, "floe "))
		args := strings.Split(strings.TrimSuffix(string(raw), "\x00"), "\x00")
		out, err := runCLI(t, args...)
		if err != nil {
			t.Fatalf("%s\n  failed: %v\n%s", line, err, out)
		}
		t.Logf("$ %s\n%s", line, out)
	}
	if len(lines) < 10 {
		t.Fatalf("only %d examples", len(lines))
	}
}
