package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/floelake/floe/table"
)

// TestExpirePartitions runs floe expire-partitions on a table partitioned by
// date strings: a dry run lists, a run drops in one OVERWRITE snapshot,
// --max-expires bounds it, and commits with partition.expiration-time set
// expire by themselves.
func TestExpirePartitions(t *testing.T) {
	wh, in := t.TempDir(), t.TempDir()
	t.Setenv(warehouseEnv, "")
	tbl := filepath.Join(wh, "db.db", "t")
	mustRun(t, "create", tbl, "--column", "id INT NOT NULL", "--column", "dt STRING NOT NULL",
		"--partition", "dt")
	for i, dt := range []string{"2024-01-01", "2024-01-02", "2024-01-03", "not-a-date", "2999-01-01"} {
		mustRun(t, "write", tbl, writeFile(t, in, fmt.Sprintf("%d.jsonl", i), fmt.Sprintf(`{"id":%d,"dt":"%s"}`, i, dt)))
	}
	if out := mustRun(t, "expire-partitions", tbl, "--older-than", "2024-01-03T00:00:00Z", "--dry-run"); out != "dt=2024-01-01\ndt=2024-01-02\nwould expire 2 partitions\n" {
		t.Fatalf("dry run: %q", out)
	}
	var res struct {
		DryRun     bool
		Partitions []struct {
			Values []string
			Path   string
		}
		Snapshots []int64
	}
	out := mustRun(t, "expire-partitions", tbl, "--older-than", "365d", "--max-expires", "1", "--json")
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.DryRun || len(res.Partitions) != 1 ||
		res.Partitions[0].Values[0] != "2024-01-01" || res.Partitions[0].Path != "dt=2024-01-01/" || len(res.Snapshots) != 1 || res.Snapshots[0] != 6 {
		t.Fatalf("expire --json: %+v %v\n%s", res, err, out)
	}
	if out := mustRun(t, "expire-partitions", tbl, "--older-than", "365d"); out != "dt=2024-01-02\ndt=2024-01-03\nexpired 2 partitions (OVERWRITE snapshot 7)\n" {
		t.Fatalf("expire: %q", out)
	}
	if out := mustRun(t, "expire-partitions", tbl, "--older-than", "365d"); out != "no partition to expire\n" {
		t.Fatalf("expire again: %q", out)
	}
	equalLines(t, "scan", mustRun(t, "scan", tbl, "--format", "jsonl"), `{"id":3,"dt":"not-a-date"}`, `{"id":4,"dt":"2999-01-01"}`)

	// With partition.expiration-time, the next commit expires by itself.
	mustRun(t, "alter", tbl, "--set", "partition.expiration-time=1d")
	mustRun(t, "write", tbl, writeFile(t, in, "x.jsonl", `{"id":9,"dt":"2000-01-01"}`))
	equalLines(t, "scan after a commit", mustRun(t, "scan", tbl, "--format", "jsonl"), `{"id":3,"dt":"not-a-date"}`, `{"id":4,"dt":"2999-01-01"}`)

	for _, tc := range []struct {
		args []string
		is   error
		want string
	}{
		{[]string{"expire-partitions"}, errUsage, "floe expire-partitions TABLE"},
		{[]string{"expire-partitions", tbl, "--older-than", "soon"}, errUsage, "--older-than"},
		{[]string{"expire-partitions", tbl, "--max-expires", "-1"}, errUsage, "--max-expires"},
		{[]string{"expire-partitions", tbl, "--commit-user", "u"}, errUsage, "go together"},
	} {
		_, err := runCLI(t, tc.args...)
		if !errors.Is(err, tc.is) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v", tc.args, err)
		}
	}
	mustRun(t, "alter", tbl, "--reset", "partition.expiration-time")
	if _, err := runCLI(t, "expire-partitions", tbl); !errors.Is(err, table.ErrNoExpiration) {
		t.Errorf("no expiration time: %v", err)
	}
	// A formatter floe does not read is refused when set.
	if _, err := runCLI(t, "alter", tbl, "--set", "partition.timestamp-formatter=yyyy-MMM-dd"); !errors.Is(err, table.ErrInvalidOption) ||
		!strings.Contains(err.Error(), "partition.timestamp-formatter") {
		t.Errorf("unsupported formatter: %v", err)
	}
}
