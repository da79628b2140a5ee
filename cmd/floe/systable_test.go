package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/floelake/floe/table"
)

// TestScanSystemTables: floe scan 'TABLE$NAME' reads Paimon's system
// tables with scan's flags: --select, --where, --limit, the output
// formats, and --snapshot/--tag/--as-of for the tables of one snapshot.
func TestScanSystemTables(t *testing.T) {
	wh, in := t.TempDir(), t.TempDir()
	mustRun(t, "create", "--warehouse", wh, "db.t", "--column", "p STRING", "--column", "id BIGINT NOT NULL", "--column", "v STRING",
		"--primary-key", "p,id", "--partition", "p", "--option", "bucket=1")
	mustRun(t, "write", "--warehouse", wh, "db.t", writeFile(t, in, "1.jsonl", "{\"p\": \"a\", \"id\": 1, \"v\": \"x\"}\n{\"p\": \"b\", \"id\": 2, \"v\": \"y\"}\n"))
	mustRun(t, "write", "--warehouse", wh, "db.t", writeFile(t, in, "2.jsonl", "{\"p\": \"a\", \"id\": 3, \"v\": \"z\"}\n"))
	scan := func(name string, args ...string) string {
		t.Helper()
		return mustRun(t, append([]string{"scan", "--warehouse", wh, "db.t$" + name}, args...)...)
	}

	equalLines(t, "$snapshots", scan("snapshots", "--select", "snapshot_id,commit_kind,total_record_count,delta_record_count", "--format", "jsonl"),
		`{"snapshot_id":1,"commit_kind":"APPEND","total_record_count":2,"delta_record_count":2}`,
		`{"snapshot_id":2,"commit_kind":"APPEND","total_record_count":3,"delta_record_count":1}`)
	equalLines(t, "$snapshots where", scan("snapshots", "--select", "snapshot_id", "--where", "snapshot_id > 1", "--format", "csv"),
		"snapshot_id", "2")
	equalLines(t, "$options", scan("options", "--format", "csv"), "key,value", "bucket,1")
	equalLines(t, "$schemas", scan("schemas", "--select", "schema_id,partition_keys,primary_keys,options", "--format", "jsonl"),
		`{"schema_id":0,"partition_keys":"[\"p\"]","primary_keys":"[\"p\",\"id\"]","options":"{\"bucket\":\"1\"}"}`)
	equalLines(t, "$partitions", scan("partitions", "--select", "partition,record_count,file_count", "--format", "csv"),
		"partition,record_count,file_count", "p=a,2,2", "p=b,1,1")
	equalLines(t, "$partitions at snapshot 1", scan("partitions", "--select", "partition,record_count,file_count", "--snapshot", "1", "--format", "csv"),
		"partition,record_count,file_count", "p=a,1,1", "p=b,1,1")
	equalLines(t, "$buckets", scan("buckets", "--select", "partition,bucket,record_count", "--format", "csv"),
		"partition,bucket,record_count", "{a},0,2", "{b},0,1")
	equalLines(t, "$files", scan("files", "--select", "partition,level,record_count,min_key,min_value_stats", "--where", "partition = '{a}'", "--format", "csv"),
		"partition,level,record_count,min_key,min_value_stats",
		`{a},0,1,[1],"{id=1, p=a, v=x}"`,
		`{a},0,1,[3],"{id=3, p=a, v=z}"`)
	equalLines(t, "$files --limit", scan("files", "--select", "file_format", "--limit", "1", "--format", "csv"), "file_format", "parquet")
	equalLines(t, "$manifests at snapshot 1", scan("manifests", "--select", "num_added_files,min_partition_stats,max_partition_stats", "--snapshot", "1", "--format", "csv"),
		"num_added_files,min_partition_stats,max_partition_stats", "2,{a},{b}")
	equalLines(t, "$tags, $branches, $consumers, $statistics are empty", scan("tags", "--format", "jsonl")+scan("branches", "--format", "jsonl")+
		scan("consumers", "--format", "jsonl")+scan("statistics", "--format", "jsonl"))
	mustRun(t, "stream", "--warehouse", wh, "db.t", "--consumer", "c1")
	equalLines(t, "$consumers", scan("consumers", "--format", "csv"), "consumer_id,next_snapshot_id", "c1,3")

	// The grid, and a table given by its location.
	grid := mustRun(t, "scan", filepath.Join(wh, "db.db", "t")+"$options")
	if !strings.Contains(grid, "key") || !strings.Contains(grid, "bucket") || !strings.HasSuffix(grid, "(1 row)\n") {
		t.Errorf("grid:\n%s", grid)
	}
	out := filepath.Join(in, "files.parquet")
	mustRun(t, "scan", "--warehouse", wh, "db.t$files", "--format", "parquet", "--output", out)
	if st, err := os.Stat(out); err != nil || st.Size() == 0 {
		t.Errorf("parquet output: %v", err)
	}

	_, err := runCLI(t, "scan", "--warehouse", wh, "db.t$nope")
	if !errors.Is(err, table.ErrUnknownSystemTable) || !strings.Contains(err.Error(), "no system table $nope") || !strings.Contains(err.Error(), "$snapshots") {
		t.Errorf("unknown system table: %v", err)
	}
	if _, err := runCLI(t, "scan", "--warehouse", wh, "db.t$snapshots", "--snapshot", "1"); !errors.Is(err, errUsage) {
		t.Errorf("$snapshots --snapshot: %v", err)
	}
	if _, err := runCLI(t, "scan", "--warehouse", wh, "db.t$files", "--incremental-between", "1,2"); !errors.Is(err, errUsage) {
		t.Errorf("$files --incremental-between: %v", err)
	}
	if _, err := runCLI(t, "scan", "--warehouse", wh, "db.t$files", "--tag", "nope"); err == nil || !strings.Contains(err.Error(), `tag "nope" does not exist`) {
		t.Errorf("$files --tag nope: %v", err)
	}
	// audit_log keeps its own path.
	equalLines(t, "$audit_log", mustRun(t, "scan", "--warehouse", wh, "db.t$audit_log", "--select", "id", "--format", "csv"),
		"rowkind,id", "+I,1", "+I,3", "+I,2")
}
