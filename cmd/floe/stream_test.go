package main

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

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

	equalLines(t, "from earliest until snapshot 2", mustRun(t, "stream", tbl, "--from", "earliest", "--until", "snapshot:2", "--select", "id"),
		`{"_SNAPSHOT":1,"_ROW_KIND":"+I","id":1}`,
		`{"_SNAPSHOT":1,"_ROW_KIND":"+I","id":2}`,
		`{"_SNAPSHOT":2,"_ROW_KIND":"+U","id":1}`,
		`{"_SNAPSHOT":2,"_ROW_KIND":"-D","id":2}`)

	// Incremental reads (start exclusive, end inclusive) as scans.
	equalLines(t, "incremental delta", mustRun(t, "scan", tbl, "--incremental-between", "1,4", "--format", "jsonl"),
		`{"_ROW_KIND":"+U","id":1,"v":"a2"}`,
		`{"_ROW_KIND":"-D","id":2,"v":null}`,
		`{"_ROW_KIND":"+I","id":3,"v":"c"}`)
	equalLines(t, "incremental diff, audit_log", mustRun(t, "scan", tbl+"$audit_log", "--incremental-between", "1,4", "--incremental-mode", "diff", "--format", "jsonl"),
		`{"rowkind":"+U","id":1,"v":"a2"}`,
		`{"rowkind":"-D","id":2,"v":"b"}`,
		`{"rowkind":"+I","id":3,"v":"c"}`)
	equalLines(t, "incremental by time", mustRun(t, "scan", tbl, "--incremental-between-timestamp", "0,"+strconv.FormatInt(time.Now().UnixMilli(), 10), "--where", "id = 3", "--format", "csv"),
		"_ROW_KIND,id,v", "+I,3,c")

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

	equalLines(t, "at-least-once consumer", mustRun(t, "stream", tbl, "--from", "snapshot:5", "--consumer", "c2", "--consumer-mode", "at-least-once", "--select", "id"),
		`{"_SNAPSHOT":5,"_ROW_KIND":"+I","id":4}`)
	if b, err := os.ReadFile(filepath.Join(tbl, "consumer", "consumer-c2")); err != nil || string(b) != "{\n  \"nextSnapshot\" : 6\n}" {
		t.Fatalf("consumer file %q, %v", b, err)
	}

	// Shards: each reads its buckets (one bucket here: one shard has all).
	n0 := strings.Count(mustRun(t, "stream", tbl, "--from", "earliest", "--shard", "0/2"), "\n")
	n1 := strings.Count(mustRun(t, "stream", tbl, "--from", "earliest", "--shard", "1/2"), "\n")
	if n0+n1 != 6 || n0*n1 != 0 {
		t.Fatalf("shards of one bucket: %d and %d rows", n0, n1)
	}

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
		{"--follow", "--until-latest"}, {"--follow", "--format", "table"}, {"--format", "parquet"},
		{"--shard", "2/2"}, {"--shard", "x"},
		{"--consumer-mode", "at-least-once"}, {"--consumer", "c9", "--consumer-mode", "twice"},
		{"--until", "snapshot:x"}, {"--until", "soon"}, {"--until", "latest", "--follow"}} {
		if _, err := runCLI(t, append([]string{"stream", tbl}, bad...)...); !errors.Is(err, errUsage) {
			t.Errorf("%v: %v, want a usage error", bad, err)
		}
	}
	for _, bad := range [][]string{{"--incremental-between", "1"}, {"--incremental-mode", "diff"},
		{"--incremental-between", "1,2", "--incremental-mode", "nope"}, {"--incremental-between", "1,2", "--snapshot", "1"},
		{"--incremental-between-timestamp", "x,y"}} {
		if _, err := runCLI(t, append([]string{"scan", tbl}, bad...)...); !errors.Is(err, errUsage) {
			t.Errorf("scan %v: %v, want a usage error", bad, err)
		}
	}
}
