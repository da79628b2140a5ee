package main

import (
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// TestSnapshotTimeIsAsOfInput checks that a time printed by `floe
// snapshots` can be pasted into `scan --as-of` and selects that snapshot,
// in a time zone other than UTC.
func TestSnapshotTimeIsAsOfInput(t *testing.T) {
	old := time.Local
	time.Local = time.FixedZone("UTC+5:30", 5*3600+1800)
	t.Cleanup(func() { time.Local = old })

	wh, in := t.TempDir(), t.TempDir()
	tbl := filepath.Join(wh, "db.db", "t")
	mustRun(t, "create", tbl, "--column", "id INT", "--primary-key", "id", "--option", "bucket=1")
	mustRun(t, "write", tbl, writeFile(t, in, "a.jsonl", `{"id":1}`+"\n"))
	time.Sleep(5 * time.Millisecond) // snapshot 2 gets a later millisecond
	mustRun(t, "write", tbl, writeFile(t, in, "b.jsonl", `{"id":2}`+"\n"))

	m := regexp.MustCompile(`(?m)^1\s+APPEND\s+(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3})`).FindStringSubmatch(mustRun(t, "snapshots", tbl))
	if m == nil {
		t.Fatal("no time for snapshot 1 in the snapshots listing")
	}
	equalLines(t, "scan --as-of "+m[1], mustRun(t, "scan", tbl, "--as-of", m[1], "--format", "jsonl"), `{"id":1}`)
}
