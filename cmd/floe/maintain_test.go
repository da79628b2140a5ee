package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/floelake/floe/snapshot"
	"github.com/floelake/floe/table"
)

// TestMaintenanceCommands runs the operator's commands on a partitioned
// table: tags, expiry, rollback, consumers, drop-partition, truncate, drop.
func TestMaintenanceCommands(t *testing.T) {
	wh, in := t.TempDir(), t.TempDir()
	t.Setenv(warehouseEnv, "")
	tbl := filepath.Join(wh, "db.db", "t")
	mustRun(t, "create", tbl, "--column", "id INT NOT NULL", "--column", "dt STRING NOT NULL",
		"--primary-key", "id,dt", "--partition", "dt", "--option", "bucket=1")
	for i := 1; i <= 6; i++ {
		mustRun(t, "write", tbl, writeFile(t, in, fmt.Sprintf("%d.jsonl", i), fmt.Sprintf(`{"id":%d,"dt":"d%d"}`, i, i%2)))
	}
	if out := mustRun(t, "tag", "create", tbl, "two", "--snapshot", "2"); out != "tag two: snapshot 2\n" {
		t.Fatalf("tag create: %q", out)
	}
	mustRun(t, "tag", "create", tbl, "last", "--retain", "7d")
	mustRun(t, "tag", "rename", tbl, "last", "six")
	var tags []map[string]any
	if err := json.Unmarshal([]byte(mustRun(t, "tag", "list", tbl, "--json")), &tags); err != nil || len(tags) != 2 ||
		tags[0]["name"] != "two" || tags[1]["name"] != "six" || tags[1]["timeRetained"] != "168h0m0s" {
		t.Fatalf("tag list: %v %v", tags, err)
	}
	if out := mustRun(t, "tag", "list", tbl); !strings.Contains(out, "two") || !strings.Contains(out, "six") {
		t.Fatalf("tag list:\n%s", out)
	}

	out := mustRun(t, "expire", tbl, "--retain-max", "2", "--dry-run")
	if !strings.Contains(out, "would expire snapshots 1..4 (4)") || !strings.Contains(out, "snapshot/snapshot-1") {
		t.Fatalf("expire --dry-run:\n%s", out)
	}
	var exp map[string]any
	if err := json.Unmarshal([]byte(mustRun(t, "expire", tbl, "--retain-max", "2", "--json")), &exp); err != nil || exp["snapshots"] != 4.0 {
		t.Fatalf("expire --json: %v %v", exp, err)
	}
	if out := mustRun(t, "expire", tbl, "--retain-max", "2"); out != "nothing to expire\n" {
		t.Fatalf("expire again: %q", out)
	}
	equalLines(t, "scan tag two", mustRun(t, "scan", tbl, "--tag", "two", "--format", "jsonl"),
		`{"id":1,"dt":"d1"}`, `{"id":2,"dt":"d0"}`)

	mustRun(t, "consumers", tbl, "--reset", "c1", "--next", "6")
	if out := mustRun(t, "consumers", tbl); !strings.Contains(out, "c1") || !strings.Contains(out, "6") {
		t.Fatalf("consumers:\n%s", out)
	}
	mustRun(t, "consumers", tbl, "--delete", "c1")
	if out := mustRun(t, "consumers", tbl, "--json"); strings.TrimSpace(out) != "[]" {
		t.Fatalf("consumers after delete: %q", out)
	}

	if out := mustRun(t, "rollback", tbl, "--to-tag", "two"); !strings.HasPrefix(out, "rolled back to snapshot 2") {
		t.Fatalf("rollback: %q", out)
	}
	equalLines(t, "scan after rollback", mustRun(t, "scan", tbl, "--format", "jsonl"), `{"id":1,"dt":"d1"}`, `{"id":2,"dt":"d0"}`)
	mustRun(t, "tag", "delete", tbl, "two")

	if out := mustRun(t, "drop-partition", tbl, "--where", "dt = 'd0'", "--commit-user", "ops", "--commit-identifier", "1"); !strings.Contains(out, "snapshot 3") {
		t.Fatalf("drop-partition: %q", out)
	}
	if out := mustRun(t, "drop-partition", tbl, "--where", "dt = 'd0'", "--commit-user", "ops", "--commit-identifier", "1"); !strings.Contains(out, "already committed") {
		t.Fatalf("drop-partition again: %q", out)
	}
	equalLines(t, "scan after drop-partition", mustRun(t, "scan", tbl, "--format", "jsonl"), `{"id":1,"dt":"d1"}`)
	mustRun(t, "truncate", tbl)
	if out := mustRun(t, "scan", tbl, "--format", "jsonl"); out != "" {
		t.Fatalf("scan after truncate: %q", out)
	}
	mustRun(t, "drop", tbl)
	if err := filepath.WalkDir(tbl, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			return fmt.Errorf("file %s left after drop", p)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := runCLI(t, "drop", tbl); !errors.Is(err, table.ErrNotTable) {
		t.Fatalf("drop a dropped table: %v", err)
	}
	mustRun(t, "drop", tbl, "--if-exists")
}

// TestMaintenanceErrors: bad input exits with a clear error.
func TestMaintenanceErrors(t *testing.T) {
	wh, in := t.TempDir(), t.TempDir()
	t.Setenv(warehouseEnv, "")
	tbl := filepath.Join(wh, "db.db", "t")
	mustRun(t, "create", tbl, "--column", "id INT", "--column", "p INT", "--partition", "p")
	mustRun(t, "write", tbl, writeFile(t, in, "a.jsonl", `{"id":1,"p":1}`))
	for _, tc := range []struct {
		args []string
		is   error
		want string
	}{
		{[]string{"expire"}, errUsage, "floe expire TABLE"},
		{[]string{"expire", tbl, "--retain-min", "5", "--retain-max", "2"}, errUsage, "more than --retain-max"},
		{[]string{"expire", tbl, "--older-than", "soon"}, errUsage, "--older-than"},
		{[]string{"expire", tbl, "--older-than", "2999-01-01T00:00:00Z"}, errUsage, "in the future"},
		{[]string{"tag"}, errUsage, "floe tag create"},
		{[]string{"tag", "make", tbl, "x"}, errUsage, `unknown tag command "make"`},
		{[]string{"tag", "create", tbl}, errUsage, "floe tag create"},
		{[]string{"tag", "create", tbl, "x", "--snapshot", "9"}, table.ErrNoSnapshot, "snapshot 9 does not exist"},
		{[]string{"tag", "create", tbl, "x", "--retain", "forever"}, errUsage, "--retain"},
		{[]string{"tag", "create", tbl, "a/b"}, snapshot.ErrInvalidName, "a/b"},
		{[]string{"tag", "delete", tbl, "nope"}, snapshot.ErrNotFound, "nope"},
		{[]string{"rollback", tbl}, errUsage, "--to-snapshot"},
		{[]string{"rollback", tbl, "--to-snapshot", "1", "--to-tag", "x"}, errUsage, "--to-snapshot"},
		{[]string{"rollback", tbl, "--to-snapshot", "7"}, table.ErrNoSnapshot, "snapshot 7"},
		{[]string{"consumers", tbl, "--reset", "c"}, errUsage, "--next"},
		{[]string{"consumers", tbl, "--reset", "c", "--next", "9"}, table.ErrNoSnapshot, "outside"},
		{[]string{"drop-partition", tbl}, errUsage, "--where"},
		{[]string{"drop-partition", tbl, "--where", "id = 1"}, table.ErrInvalidOption, "not a partition key"},
		{[]string{"drop-partition", tbl, "--where", "p = = 1"}, errUsage, "--where"},
		{[]string{"truncate", tbl, "--commit-user", "u"}, errUsage, "go together"},
	} {
		_, err := runCLI(t, tc.args...)
		if !errors.Is(err, tc.is) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: want %v containing %q, got %v", tc.args, tc.is, tc.want, err)
		}
	}
}
