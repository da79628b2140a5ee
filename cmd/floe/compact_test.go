package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
)

// TestCompactThousandLevel0Files: `floe compact --progress` on a table of
// 1,000 level-0 files reports progress per bucket on stderr and its
// throughput, leaves no level-0 file and keeps every row.
func TestCompactThousandLevel0Files(t *testing.T) {
	t.Setenv(warehouseEnv, "")
	wh := t.TempDir()
	mustRun(t, "create", wh, "db.t", "--column", "id INT NOT NULL", "--column", "v STRING", "--primary-key", "id",
		"--option", "bucket=4", "--option", "write-only=true",
		"--option", "write-buffer-size=1b", "--option", "write-buffer-spillable=false")
	var in strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&in, "{\"id\":%d,\"v\":\"r%d\"}\n", i%700, i)
	}
	data := writeFile(t, t.TempDir(), "rows.jsonl", in.String())
	mustRun(t, "write", "--warehouse", wh, "db.t", data, "--batch-rows", "1")

	countLevels := func() map[int]int {
		var files []fileJSON
		if err := json.Unmarshal([]byte(mustRun(t, "files", wh, "db.t", "--json")), &files); err != nil {
			t.Fatal(err)
		}
		out := map[int]int{}
		for _, f := range files {
			out[int(f.Level)]++
		}
		return out
	}
	if n := countLevels()[0]; n < 1000 {
		t.Fatalf("%d level-0 files, want at least 1000", n)
	}
	before := mustRun(t, "scan", wh, "db.t", "--format", "jsonl")

	var errOut bytes.Buffer
	defer func(old io.Writer) { stderr = old }(stderr)
	stderr = &errOut
	out := mustRun(t, "compact", wh, "db.t", "--progress")
	t.Log(out)
	if !strings.Contains(out, "rows/s") || !strings.Contains(out, "(COMPACT)") {
		t.Errorf("summary %q: want the COMPACT snapshot and a throughput", out)
	}
	// One line per bucket, and one a second while buckets compact.
	progress := strings.Count(errOut.String(), "buckets")
	if progress < 4 || !strings.Contains(errOut.String(), "4/4 buckets") {
		t.Errorf("progress on stderr:\n%s\nwant a line per bucket at least, reaching 4/4", errOut.String())
	}
	if n := countLevels()[0]; n != 0 {
		t.Errorf("%d level-0 files after compaction", n)
	}
	if after := mustRun(t, "scan", wh, "db.t", "--format", "jsonl"); after != before {
		t.Errorf("rows changed by compaction")
	}
	if out := mustRun(t, "compact", wh, "db.t"); !strings.Contains(out, "nothing to compact") {
		t.Errorf("second compaction: %q", out)
	}
}
