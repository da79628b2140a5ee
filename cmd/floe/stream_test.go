package main

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/floelake/floe/table"
)

// TestStream: floe stream prints each change as a JSON line that starts
// with its snapshot and row kind; --from, --full, --select/--where and a
// consumer's progress choose what comes.
func TestStream(t *testing.T) {
	wh, in := t.TempDir(), t.TempDir()
	tbl := filepath.Join(wh, "db.db", "t")
	mustRun(t, "create", tbl, "--column", "id BIGINT NOT NULL", "--column", "v STRING", "--primary-key", "id", "--option", "bucket=1")
	mustRun(t, "write", tbl, writeFile(t, in, "1.jsonl", "{\"id\": 1, \"v\": \"a\"}\n{\"id\": 2, \"v\": \"b\"}\n"))
	mustRun(t, "write", tbl, writeFile(t, in, "2.jsonl", "{\"id\": 1, \"v\": \"a2\", \"_ROW_KIND\": \"+U\"}\n{\"id\": 2, \"_ROW_KIND\": \"-D\"}\n"))
	mustRun(t, "compact", tbl, "--full")
	mustRun(t, "write", tbl, writeFile(t, in, "3.jsonl", "{\"id\": 3, \"v\": \"c\"}\n"))

	equalLines(t, "from earliest", mustRun(t, "stream", tbl, "--from", "earliest", "--until-latest"),
		`{"_SNAPSHOT":1,"_ROW_KIND":"+I","id":1,"v":"a"}`,
		`{"_SNAPSHOT":1,"_ROW_KIND":"+I","id":2,"v":"b"}`,
		`{"_SNAPSHOT":2,"_ROW_KIND":"+U","id":1,"v":"a2"}`,
		`{"_SNAPSHOT":2,"_ROW_KIND":"-D","id":2,"v":null}`,
		`{"_SNAPSHOT":4,"_ROW_KIND":"+I","id":3,"v":"c"}`)
	equalLines(t, "default: the latest in full", mustRun(t, "stream", tbl),
		`{"_SNAPSHOT":4,"_ROW_KIND":"+U","id":1,"v":"a2"}`,
		`{"_SNAPSHOT":4,"_ROW_KIND":"+I","id":3,"v":"c"}`)
	equalLines(t, "snapshot 2 in full, csv", mustRun(t, "stream", tbl, "--from", "snapshot:2", "--full", "--select", "v", "--where", "id = 1", "--format", "csv"),
		"_SNAPSHOT,_ROW_KIND,v", "2,+U,a2")
	equalLines(t, "from latest", mustRun(t, "stream", tbl, "--from", "latest"))
	equalLines(t, "from the latest compaction", mustRun(t, "stream", tbl, "--from", "compacted"),
		`{"_SNAPSHOT":3,"_ROW_KIND":"+I","id":1,"v":"a2"}`,
		`{"_SNAPSHOT":4,"_ROW_KIND":"+I","id":3,"v":"c"}`)

	// A consumer continues where its last run ended.
	equalLines(t, "consumer, first run", mustRun(t, "stream", tbl, "--from", "snapshot:2", "--consumer", "c1", "--select", "id"),
		`{"_SNAPSHOT":2,"_ROW_KIND":"+U","id":1}`,
		`{"_SNAPSHOT":2,"_ROW_KIND":"-D","id":2}`,
		`{"_SNAPSHOT":4,"_ROW_KIND":"+I","id":3}`)
	if b, err := os.ReadFile(filepath.Join(tbl, "consumer", "consumer-c1")); err != nil || string(b) != "{\n  \"nextSnapshot\" : 5\n}" {
		t.Fatalf("consumer file %q, %v", b, err)
	}
	mustRun(t, "write", tbl, writeFile(t, in, "4.jsonl", "{\"id\": 4, \"v\": \"d\"}\n"))
	equalLines(t, "consumer, second run", mustRun(t, "stream", tbl, "--consumer", "c1", "--select", "id"),
		`{"_SNAPSHOT":5,"_ROW_KIND":"+I","id":4}`)

	// The audit_log system table: each key's merged row and its kind.
	equalLines(t, "audit_log", mustRun(t, "scan", tbl+"$audit_log", "--format", "jsonl"),
		`{"rowkind":"+U","id":1,"v":"a2"}`,
		`{"rowkind":"+I","id":3,"v":"c"}`,
		`{"rowkind":"+I","id":4,"v":"d"}`)

	// A start after the latest snapshot waits only with --follow.
	if _, err := runCLI(t, "stream", tbl, "--from", "snapshot:9"); !errors.Is(err, table.ErrNoSnapshot) {
		t.Fatalf("from a future snapshot: %v", err)
	}
	for _, bad := range [][]string{{"--from", "nope"}, {"--from", "time:x"}, {"--from", "time:2020-01-01", "--full"},
		{"--follow", "--until-latest"}, {"--follow", "--format", "table"}, {"--format", "parquet"}} {
		if _, err := runCLI(t, append([]string{"stream", tbl}, bad...)...); !errors.Is(err, errUsage) {
			t.Errorf("%v: %v, want a usage error", bad, err)
		}
	}
}
