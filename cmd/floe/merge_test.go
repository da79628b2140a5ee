package main

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/floelake/floe/merge"
)

// TestWriteMergeEngines: floe write into partial-update and aggregation
// tables, rows leaving fields unset (null) and row kinds for retractions;
// a retract an aggregate function cannot take fails the write, naming the
// line, and commits nothing.
func TestWriteMergeEngines(t *testing.T) {
	wh, in := t.TempDir(), t.TempDir()
	pu := filepath.Join(wh, "db.db", "pu")
	mustRun(t, "create", pu, "--column", "id INT", "--column", "name STRING", "--column", "city STRING",
		"--column", "g BIGINT", "--primary-key", "id", "--option", "bucket=1", "--option", "merge-engine=partial-update",
		"--option", "fields.g.sequence-group=city")
	mustRun(t, "write", pu, writeFile(t, in, "a.jsonl", `{"id":1,"name":"ann"}
{"id":2,"name":"bob","city":"oslo","g":5}
`))
	mustRun(t, "write", pu, writeFile(t, in, "b.jsonl", `{"id":1,"city":"rome","g":2}
{"id":2,"city":"lima","g":4}
{"id":2,"name":"bo"}
`))
	if got, want := mustRun(t, "scan", pu, "--format", "jsonl"), `{"id":1,"name":"ann","city":"rome","g":2}
{"id":2,"name":"bo","city":"oslo","g":5}
`; got != want {
		t.Errorf("partial-update scan:\n%s\nwant\n%s", got, want)
	}
	mustRun(t, "compact", pu, "--full")
	if got, want := mustRun(t, "scan", pu, "--format", "jsonl"), `{"id":1,"name":"ann","city":"rome","g":2}
{"id":2,"name":"bo","city":"oslo","g":5}
`; got != want {
		t.Errorf("partial-update scan after compaction:\n%s\nwant\n%s", got, want)
	}

	agg := filepath.Join(wh, "db.db", "agg")
	mustRun(t, "create", agg, "--column", "id INT", "--column", "total BIGINT", "--column", "top INT",
		"--primary-key", "id", "--option", "bucket=1", "--option", "merge-engine=aggregation",
		"--option", "fields.total.aggregate-function=sum", "--option", "fields.top.aggregate-function=max",
		"--option", "fields.top.ignore-retract=true")
	mustRun(t, "write", agg, writeFile(t, in, "c.jsonl", `{"id":1,"total":10,"top":3}
{"id":1,"total":5,"top":9}
`))
	mustRun(t, "write", agg, writeFile(t, in, "d.jsonl", `{"id":1,"total":5,"top":9,"_ROW_KIND":"-U"}
{"id":1,"total":7,"top":4,"_ROW_KIND":"+U"}
`))
	if got, want := mustRun(t, "scan", agg, "--format", "jsonl"), `{"id":1,"total":17,"top":9}
`; got != want {
		t.Errorf("aggregation scan:\n%s\nwant\n%s", got, want)
	}
	bad := filepath.Join(wh, "db.db", "bad")
	mustRun(t, "create", bad, "--column", "id INT", "--column", "top INT",
		"--primary-key", "id", "--option", "bucket=1", "--option", "merge-engine=aggregation",
		"--option", "fields.top.aggregate-function=max")
	_, err := runCLI(t, "write", bad, writeFile(t, in, "e.jsonl", `{"id":1,"top":3}
{"id":1,"top":3,"_ROW_KIND":"-D"}
`))
	if !errors.Is(err, merge.ErrRetract) {
		t.Fatalf("retract into max: %v", err)
	}
	if got := mustRun(t, "scan", bad, "--format", "jsonl"); got != "" {
		t.Errorf("a refused write committed rows: %s", got)
	}
}
