package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/floelake/floe/internal/jsonrow"
)

type snapJSON struct {
	ID               int64  `json:"id"`
	CommitUser       string `json:"commitUser"`
	CommitIdentifier int64  `json:"commitIdentifier"`
	DeltaRecordCount int64  `json:"deltaRecordCount"`
}

func snapshotsOf(t *testing.T, tbl string) []snapJSON {
	t.Helper()
	var snaps []snapJSON
	if err := json.Unmarshal([]byte(mustRun(t, "snapshots", tbl, "--json")), &snaps); err != nil {
		t.Fatal(err)
	}
	return snaps
}

// TestWriteExactlyOnce: repeating a write with the same --commit-user and
// --commit-identifier commits nothing, says so and succeeds.
func TestWriteExactlyOnce(t *testing.T) {
	wh, in := t.TempDir(), t.TempDir()
	tbl := filepath.Join(wh, "db.db", "t")
	mustRun(t, "create", tbl, "--column", "id BIGINT", "--column", "v STRING", "--primary-key", "id", "--option", "bucket=1")
	f := writeFile(t, in, "a.jsonl", "{\"id\": 1, \"v\": \"a\"}\n{\"id\": 2, \"v\": \"b\"}\n")
	out := mustRun(t, "write", tbl, f, "--commit-user", "loader", "--commit-identifier", "1")
	if !strings.Contains(out, "snapshot 1 (APPEND): 2 rows written") {
		t.Errorf("first write: %s", out)
	}
	out = mustRun(t, "write", tbl, f, "--commit-user", "loader", "--commit-identifier", "1")
	if !strings.Contains(out, "already committed as snapshot 1") {
		t.Errorf("repeat: %s", out)
	}
	snaps := snapshotsOf(t, tbl)
	if len(snaps) != 1 || snaps[0].CommitUser != "loader" || snaps[0].CommitIdentifier != 1 {
		t.Fatalf("snapshots after the repeat: %+v", snaps)
	}
	// The repeat reads no input: a file that no longer exists is fine.
	if out, err := runCLI(t, "write", tbl, filepath.Join(in, "gone.jsonl"), "--commit-user", "loader", "--commit-identifier", "1"); err != nil || !strings.Contains(out, "already committed") {
		t.Errorf("repeat with a missing file: %q %v", out, err)
	}
	// The next identifier commits; an older one is not applied.
	g := writeFile(t, in, "b.jsonl", `{"id": 3, "v": "c"}`)
	if out := mustRun(t, "write", tbl, g, "--commit-user", "loader", "--commit-identifier", "2"); !strings.Contains(out, "snapshot 2 (APPEND)") {
		t.Errorf("identifier 2: %s", out)
	}
	h := writeFile(t, in, "c.jsonl", `{"id": 4, "v": "d"}`)
	out = mustRun(t, "write", tbl, h, "--commit-user", "loader", "--commit-identifier", "1")
	if !strings.Contains(out, "already committed as snapshot 1") {
		t.Errorf("identifier 1 again: %s", out)
	}
	out = mustRun(t, "write", tbl, h, "--commit-user", "other", "--commit-identifier", "1")
	if !strings.Contains(out, "snapshot 3 (APPEND)") {
		t.Errorf("another user: %s", out)
	}
	if n := len(snapshotsOf(t, tbl)); n != 3 {
		t.Errorf("%d snapshots, want 3", n)
	}
	equalLines(t, "rows", mustRun(t, "scan", tbl, "--format", "csv"), "id,v", "1,a", "2,b", "3,c", "4,d")
	for _, args := range [][]string{{"--commit-user", "u"}, {"--commit-identifier", "3"}, {"--commit-user", "u", "--commit-identifier", "-1"}} {
		if _, err := runCLI(t, append([]string{"write", tbl, f}, args...)...); !errors.Is(err, errUsage) {
			t.Errorf("%v: want usage error, got %v", args, err)
		}
	}
}

// TestWriteSummary: write says how many rows it read and how many records
// it committed when rows of one key merged in the write buffer, matching
// the snapshot's delta record count.
func TestWriteSummary(t *testing.T) {
	wh, in := t.TempDir(), t.TempDir()
	tbl := filepath.Join(wh, "db.db", "t")
	mustRun(t, "create", tbl, "--column", "id BIGINT", "--column", "v STRING", "--primary-key", "id", "--option", "bucket=2")
	var b strings.Builder
	for i, id := range []int{1, 2, 3, 4, 5, 6, 7, 3} {
		b.WriteString(`{"id": ` + string(rune('0'+id)) + `, "v": "` + string(rune('a'+i)) + `"}` + "\n")
	}
	out := mustRun(t, "write", tbl, writeFile(t, in, "a.jsonl", b.String()))
	if !strings.Contains(out, "snapshot 1 (APPEND): 8 rows read, 7 records written (1 merged with rows of the same primary key)") {
		t.Errorf("summary: %s", out)
	}
	if snaps := snapshotsOf(t, tbl); len(snaps) != 1 || snaps[0].DeltaRecordCount != 7 {
		t.Errorf("snapshots: %+v", snaps)
	}
	if got := writeSummary(5, 3, 2); got != "5 rows read, 2 records written (2 retract rows dropped by ignore-delete; 1 merged with rows of the same primary key)" {
		t.Errorf("writeSummary: %s", got)
	}

	// Deletion-vector tables hide level-0 rows until a compaction: the
	// writer compacts them up (a COMPACT snapshot), unless write-only,
	// when write says how to make them visible.
	dv := filepath.Join(wh, "db.db", "dv")
	mustRun(t, "create", dv, "--column", "id BIGINT", "--primary-key", "id", "--option", "bucket=1", "--option", "deletion-vectors.enabled=true")
	var errOut bytes.Buffer
	defer func(old io.Writer) { stderr = old }(stderr)
	stderr = &errOut
	out = mustRun(t, "write", dv, writeFile(t, in, "dv.jsonl", `{"id": 1}`))
	if !strings.Contains(out, "snapshot 2 (COMPACT): 1 files compacted into 1") || errOut.Len() != 0 {
		t.Errorf("write to a deletion-vector table: %q, stderr %q", out, errOut.String())
	}
	if rows := mustRun(t, "scan", dv, "--format", "jsonl"); rows != "{\"id\":1}\n" {
		t.Errorf("scan after the write: %q", rows)
	}
	wo := filepath.Join(wh, "db.db", "dvwo")
	mustRun(t, "create", wo, "--column", "id BIGINT", "--primary-key", "id", "--option", "bucket=1",
		"--option", "deletion-vectors.enabled=true", "--option", "write-only=true")
	mustRun(t, "write", wo, writeFile(t, in, "dv.jsonl", `{"id": 1}`))
	if !strings.Contains(errOut.String(), "deletion-vectors.enabled=true") || !strings.Contains(errOut.String(), "floe compact") {
		t.Errorf("no visibility note: %q", errOut.String())
	}
}

// TestRowKindField: a table with rowkind.field takes row kinds from its
// own column, in JSON lines and CSV, and rejects missing or unknown kinds.
func TestRowKindField(t *testing.T) {
	wh, in := t.TempDir(), t.TempDir()
	tbl := filepath.Join(wh, "db.db", "t")
	mustRun(t, "create", tbl, "--column", "id INT", "--column", "op STRING", "--column", "v STRING",
		"--primary-key", "id", "--option", "bucket=1", "--option", "rowkind.field=op")
	mustRun(t, "write", tbl, writeFile(t, in, "a.jsonl", `{"id": 1, "op": "+I", "v": "a"}
{"id": 2, "op": "+I", "v": "b"}
{"id": 3, "op": "+I", "v": "c"}
`))
	mustRun(t, "write", tbl, writeFile(t, in, "b.csv", "id,op,v\n1,+U,a2\n2,-D,\n4,+I,d\n"))
	equalLines(t, "after -D", mustRun(t, "scan", tbl, "--format", "csv"), "id,op,v", "1,+U,a2", "3,+I,c", "4,+I,d")
	mustRun(t, "write", tbl, writeFile(t, in, "c.jsonl", `{"id": 3, "op": "-D"}`))
	equalLines(t, "after json -D", mustRun(t, "scan", tbl, "--format", "csv"), "id,op,v", "1,+U,a2", "4,+I,d")

	for _, tc := range []struct {
		name, body string
		line       int
		col        string
		is         error
	}{
		{"nokind.jsonl", `{"id": 5, "v": "e"}`, 1, "op", jsonrow.ErrValue},
		{"badkind.jsonl", `{"id": 5, "op": "X", "v": "e"}`, 1, "op", jsonrow.ErrValue},
		{"badkind.csv", "id,op\n5,+I\n6,-X\n", 3, "op", jsonrow.ErrValue},
		{"rowkindcol.jsonl", `{"id": 5, "op": "+I", "_ROW_KIND": "+I"}`, 1, "_ROW_KIND", errUnknownColumn},
	} {
		p := writeFile(t, in, tc.name, tc.body)
		_, err := runCLI(t, "write", tbl, p)
		wantInputError(t, tc.name, err, p, tc.line, tc.col, tc.is)
	}
	if n := len(snapshotsOf(t, tbl)); n != 3 {
		t.Errorf("%d snapshots, want 3", n)
	}
}
