package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMaintenanceCommands runs the contract's tag, expire, tag-delete,
// rollback and check on a floe table: each leaves a table whose snapshots
// and tags read, check passes, and check fails once a file a tag needs is
// removed.
func TestMaintenanceCommands(t *testing.T) {
	ctx := context.Background()
	wh := t.TempDir()
	spec := filepath.Join(wh, "spec.json")
	if err := os.WriteFile(spec, []byte(`{"table":"db.t","columns":[{"name":"id","type":"BIGINT NOT NULL"},{"name":"v","type":"STRING"}],"primaryKeys":["id"],"partitionKeys":[],"options":{"bucket":"1","changelog-producer":"input"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	do := func(cmd string, args ...string) string {
		t.Helper()
		var out bytes.Buffer
		if err := run(ctx, cmd, append([]string{"--warehouse", wh, "--table", "db.t"}, args...), &out); err != nil {
			t.Fatalf("%s %v: %v", cmd, args, err)
		}
		return out.String()
	}
	if err := run(ctx, "create", []string{"--warehouse", wh, "--spec", spec}, nil); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(wh, "rows.jsonl")
	for i := 1; i <= 4; i++ {
		if err := os.WriteFile(data, []byte(fmt.Sprintf("{\"id\":%d,\"v\":\"v%d\"}\n", i, i)), 0o644); err != nil {
			t.Fatal(err)
		}
		do("write", "--data", data)
	}
	do("tag", "--name", "two", "--snapshot", "2")
	do("tag", "--name", "four")
	do("expire", "--retain-max", "1")
	if got := snapshotFiles(t, wh); got != "snapshot-4" {
		t.Fatalf("after expire: %s, want snapshot-4", got)
	}
	if got, want := do("dump", "--tag", "two"), "{\"id\":1,\"v\":\"v1\"}\n{\"id\":2,\"v\":\"v2\"}\n"; got != want {
		t.Fatalf("tag two: %q, want %q", got, want)
	}
	if got := do("check"); !strings.HasPrefix(got, "ok: 1 snapshot(s), 2 tag(s)") {
		t.Fatalf("check: %q", got)
	}
	do("tag-delete", "--name", "four")
	do("rollback", "--tag", "two")
	if got := snapshotFiles(t, wh); got != "snapshot-2" {
		t.Fatalf("after rollback: %s, want snapshot-2", got)
	}
	if got := do("check"); !strings.HasPrefix(got, "ok: 1 snapshot(s), 1 tag(s)") {
		t.Fatalf("check: %q", got)
	}
	// Remove the data files snapshot 2 and tag two read: check must fail.
	var out bytes.Buffer
	files, err := filepath.Glob(filepath.Join(wh, "db.db", "t", "bucket-0", "data-*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("data files: %v %v", files, err)
	}
	for _, f := range files {
		if err := os.Remove(f); err != nil {
			t.Fatal(err)
		}
	}
	err = run(ctx, "check", []string{"--warehouse", wh, "--table", "db.t"}, &out)
	if err == nil || !strings.Contains(err.Error(), "missing data file") {
		t.Fatalf("check after removing data files: %v", err)
	}
}

func snapshotFiles(t *testing.T, wh string) string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(wh, "db.db", "t", "snapshot", "snapshot-*"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range m {
		names = append(names, filepath.Base(f))
	}
	return strings.Join(names, ",")
}
