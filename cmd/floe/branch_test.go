package main

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/floelake/floe/snapshot"
	"github.com/floelake/floe/table"
)

// TestBranchCommands: floe branch create/list/delete/fast-forward, and
// TABLE$branch_NAME for scan (with system tables after it), write, alter,
// tag and stream; bad input fails with a message.
func TestBranchCommands(t *testing.T) {
	wh, in := t.TempDir(), t.TempDir()
	mustRun(t, "create", "--warehouse", wh, "db.t", "--column", "p STRING NOT NULL", "--column", "id BIGINT NOT NULL", "--column", "v STRING",
		"--primary-key", "p,id", "--partition", "p", "--option", "bucket=1")
	mustRun(t, "write", "--warehouse", wh, "db.t", writeFile(t, in, "1.jsonl", "{\"p\": \"a\", \"id\": 1, \"v\": \"x\"}\n"))
	mustRun(t, "tag", "create", "--warehouse", wh, "db.t", "t1")
	mustRun(t, "branch", "create", wh, "db.t", "dev", "--from-tag", "t1")
	mustRun(t, "branch", "create", "--warehouse", wh, "db.t", "empty")
	equalLines(t, "list", mustRun(t, "branch", "list", wh, "db.t"), "dev", "empty")
	equalLines(t, "list --json", strings.Join(strings.Fields(mustRun(t, "branch", "list", "--warehouse", wh, "db.t", "--json")), ""),
		`[{"name":"dev"},{"name":"empty"}]`)

	dev := "db.t$branch_dev"
	mustRun(t, "write", "--warehouse", wh, dev, writeFile(t, in, "2.jsonl", "{\"p\": \"b\", \"id\": 2, \"v\": \"y\"}\n"))
	mustRun(t, "write", "--warehouse", wh, "db.t", writeFile(t, in, "3.jsonl", "{\"p\": \"c\", \"id\": 3, \"v\": \"z\"}\n"))
	scan := func(tbl string, args ...string) string {
		t.Helper()
		return mustRun(t, append([]string{"scan", wh, tbl, "--format", "csv"}, args...)...)
	}
	equalLines(t, "dev", scan(dev), "p,id,v", "a,1,x", "b,2,y")
	equalLines(t, "main", scan("db.t"), "p,id,v", "a,1,x", "c,3,z")
	equalLines(t, "dev at its tag", scan(dev, "--tag", "t1"), "p,id,v", "a,1,x")
	equalLines(t, "dev$snapshots", scan(dev+"$snapshots", "--select", "snapshot_id,commit_kind"), "snapshot_id,commit_kind", "1,APPEND", "2,APPEND")
	equalLines(t, "dev$audit_log", scan(dev+"$audit_log", "--select", "id"), "rowkind,id", "+I,1", "+I,2")
	equalLines(t, "main$snapshots", scan("db.t$snapshots", "--select", "snapshot_id"), "snapshot_id", "1", "2")
	out := mustRun(t, "branch", "create", wh, "db.t", "s2", "--from-snapshot", "2")
	if !strings.Contains(out, "created branch s2 from snapshot 2") {
		t.Errorf("create --from-snapshot: %s", out)
	}
	equalLines(t, "s2", scan("db.t$branch_s2"), "p,id,v", "a,1,x", "c,3,z")
	equalLines(t, "s2$tags", scan("db.t$branch_s2$tags"), "tag_name,snapshot_id,schema_id,commit_time,record_count,create_time,time_retained")
	mustRun(t, "branch", "delete", wh, "db.t", "s2")
	equalLines(t, "$branches", scan("db.t$branches", "--select", "branch_name"), "branch_name", "dev", "empty")
	equalLines(t, "dev by location", mustRun(t, "scan", filepath.Join(wh, "db.db", "t")+"$branch_dev", "--format", "csv"), "p,id,v", "a,1,x", "b,2,y")
	mustRun(t, "alter", "--warehouse", wh, dev, "--add-column", "w INT")
	equalLines(t, "dev after alter", scan(dev), "p,id,v,w", "a,1,x,", "b,2,y,")
	equalLines(t, "main's columns", scan("db.t", "--select", "id"), "id", "1", "3")
	mustRun(t, "tag", "create", "--warehouse", wh, dev, "d2")
	equalLines(t, "dev stream", mustRun(t, "stream", "--warehouse", wh, dev, "--from", "snapshot:2", "--until-latest", "--format", "csv", "--select", "id"),
		"_SNAPSHOT,_ROW_KIND,id", "2,+I,2")

	// Bad input.
	for _, c := range []struct {
		args []string
		is   error
		msg  string
	}{
		{[]string{"branch", "create", wh, "db.t", "123"}, snapshot.ErrInvalidName, "purely numeric"},
		{[]string{"branch", "create", wh, "db.t", " "}, snapshot.ErrInvalidName, "blank"},
		{[]string{"branch", "create", wh, "db.t", "main"}, snapshot.ErrInvalidName, "default branch"},
		{[]string{"branch", "create", wh, "db.t", "dev"}, table.ErrBranchExists, `branch "dev" already exists`},
		{[]string{"branch", "create", wh, "db.t", "x", "--from-tag", "nope"}, snapshot.ErrNotFound, `tag "nope" does not exist`},
		{[]string{"branch", "create", wh, "db.t", "x", "--from-snapshot", "9"}, snapshot.ErrNotFound, "snapshot 9 does not exist"},
		{[]string{"branch", "create", wh, "db.t", "x", "--from-snapshot", "0"}, errUsage, "start at 1"},
		{[]string{"branch", "create", wh, "db.t", "x", "--from-snapshot", "1", "--from-tag", "t1"}, errUsage, "give one"},
		{[]string{"branch", "delete", wh, "db.t", "nope"}, table.ErrNoBranch, `branch "nope" does not exist`},
		{[]string{"branch", "fast-forward", wh, "db.t", "nope"}, table.ErrNoBranch, `branch "nope" does not exist`},
		{[]string{"branch", "fast-forward", wh, "db.t", "empty"}, table.ErrNoSnapshot, "does not have snapshot"},
		{[]string{"branch", "rename", wh, "db.t", "a"}, errUsage, "unknown branch command"},
		{[]string{"scan", wh, "db.t$branch_nope"}, table.ErrNoBranch, `has no branch "nope"`},
		{[]string{"scan", wh, "db.t$branch_"}, errUsage, "$branch_"},
		{[]string{"scan", wh, "db.t$a$b"}, errUsage, `one "$"`},
		{[]string{"drop", wh, dev}, errUsage, "floe branch delete"},
		{[]string{"write", "--warehouse", wh, "db.t$snapshots", filepath.Join(in, "1.jsonl")}, errUsage, "read-only system table"},
	} {
		out, err := runCLI(t, c.args...)
		if !errors.Is(err, c.is) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("floe %s: %v (want %v, %q)\n%s", strings.Join(c.args, " "), err, c.is, c.msg, out)
		}
	}

	out = mustRun(t, "branch", "fast-forward", wh, "db.t", "dev")
	if !strings.Contains(out, "fast-forwarded main to branch dev: snapshots from 1 on") {
		t.Errorf("fast-forward: %s", out)
	}
	equalLines(t, "main after fast-forward", scan("db.t"), "p,id,v,w", "a,1,x,", "b,2,y,")
	equalLines(t, "main's tags", mustRun(t, "scan", wh, "db.t$tags", "--select", "tag_name,snapshot_id", "--format", "csv"),
		"tag_name,snapshot_id", "d2,2", "t1,1")
	out = mustRun(t, "branch", "delete", wh, "db.t", "dev")
	if !strings.Contains(out, "deleted branch dev") || !strings.Contains(out, "orphan") {
		t.Errorf("delete: %s", out)
	}
	equalLines(t, "list after delete", mustRun(t, "branch", "list", wh, "db.t"), "empty")
}
