package main

import (
	"errors"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/floelake/floe/table"
)

// TestNotFoundMessages: a missing table, tag or snapshot is one line that
// says what does not exist, without storage paths or driver errors; the
// library's sentinel stays reachable.
func TestNotFoundMessages(t *testing.T) {
	wh, in := t.TempDir(), t.TempDir()
	t.Setenv(warehouseEnv, "")
	tbl := filepath.Join(wh, "db.db", "t")
	mustRun(t, "create", tbl, "--column", "id INT")
	mustRun(t, "write", tbl, writeFile(t, in, "a.jsonl", `{"id": 1}`))
	for _, tc := range []struct {
		args []string
		is   error
		want string
	}{
		{[]string{"scan", "db.nope", "--warehouse", wh}, table.ErrNotTable, "table db.nope does not exist in warehouse " + wh},
		{[]string{"write", "db.nope", "--warehouse", wh, "x.jsonl"}, table.ErrNotTable, "table db.nope does not exist in warehouse " + wh},
		{[]string{"alter", "db.nope", "--warehouse", wh, "--set", "a=b"}, table.ErrNotTable, "table db.nope does not exist in warehouse " + wh},
		{[]string{"schema", wh, "db.nope"}, table.ErrNotTable, "table db.nope does not exist in warehouse " + wh},
		{[]string{"snapshots", filepath.Join(wh, "db.db", "nope")}, table.ErrNotTable, "table " + filepath.Join(wh, "db.db", "nope") + " does not exist"},
		// No warehouse: say so.
		{[]string{"scan", "db.t"}, table.ErrNotTable, "table db.t does not exist: no warehouse is set"},
		{[]string{"write", "db.t", "x.jsonl"}, table.ErrNotTable, "give --warehouse DIR or set $FLOE_WAREHOUSE"},
		{[]string{"scan", tbl, "--tag", "nope"}, table.ErrNoSnapshot, `tag "nope" does not exist`},
		{[]string{"scan", tbl, "--snapshot", "9"}, table.ErrNoSnapshot, "snapshot 9 does not exist"},
		{[]string{"files", tbl, "--snapshot", "9"}, table.ErrNoSnapshot, "snapshot 9 does not exist"},
		{[]string{"scan", tbl, "--as-of", "2000-01-01T00:00:00Z"}, table.ErrNoSnapshot, "no snapshot was committed at or before 2000-01-01T00:00:00Z"},
	} {
		_, err := runCLI(t, tc.args...)
		if !errors.Is(err, tc.is) {
			t.Errorf("%v: want %v, got %v", tc.args, tc.is, err)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, tc.want) || strings.Contains(msg, "\n") || strings.Contains(msg, "storage:") ||
			strings.Contains(msg, "blob") || strings.Contains(msg, "table: ") {
			t.Errorf("%v: message %q, want %q on one line without internals", tc.args, msg, tc.want)
		}
	}
}

// TestHelpAndVersion: every command's --help and -h print its flags and
// succeed; floe version names floe's version and the Paimon format.
func TestHelpAndVersion(t *testing.T) {
	var cmds []string
	for c := range synopsis {
		cmds = append(cmds, c)
	}
	sort.Strings(cmds)
	for _, c := range cmds {
		for _, h := range []string{"--help", "-h"} {
			out, err := runCLI(t, c, h)
			if err != nil {
				t.Errorf("%s %s: %v", c, h, err)
				continue
			}
			if !strings.HasPrefix(out, "usage: floe "+c) {
				t.Errorf("%s %s:\n%s", c, h, out)
			}
		}
		if out, err := runCLI(t, "help", c); err != nil || !strings.HasPrefix(out, "usage: floe "+c) {
			t.Errorf("help %s: %v\n%s", c, err, out)
		}
	}
	out := mustRun(t, "write", "--help")
	for _, f := range []string{"-max-record-size", "-commit-user", "-commit-identifier", "-format", "-overwrite"} {
		if !strings.Contains(out, f) {
			t.Errorf("write --help lacks %s:\n%s", f, out)
		}
	}
	// Help after other arguments, too.
	if out, err := runCLI(t, "scan", "some.table", "--help"); err != nil || !strings.Contains(out, "-limit") {
		t.Errorf("scan TABLE --help: %v\n%s", err, out)
	}
	out = mustRun(t, "version")
	if !strings.HasPrefix(out, "floe ") || !strings.Contains(out, "snapshot version 3") || !strings.Contains(out, "Paimon 1.4.2") {
		t.Errorf("version:\n%s", out)
	}
	if _, err := runCLI(t, "version", "extra"); !errors.Is(err, errUsage) {
		t.Errorf("version extra: %v", err)
	}
}
