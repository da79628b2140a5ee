package table

import (
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/floelake/floe/internal/ddtest"
)

// TestPlanPartitionExpire runs testdata/partition_expire: which partitions
// an expiry drops. A case:
//
//	expire cutoff=TIME [strategy=values-time|update-time] [max=N]
//	keys K,K
//	pattern P                      (partition.timestamp-pattern, optional)
//	formatter F                    (partition.timestamp-formatter, optional)
//	partition K=V,K=<null> [created=TIME]
//
// The cutoff is now less partition.expiration-time, a local date-time;
// created is the creation time of the partition's newest file (both read as
// UTC for update-time).
func TestPlanPartitionExpire(t *testing.T) {
	path := filepath.Join("testdata", "partition_expire")
	cases, trailer := ddtest.Read(t, path)
	changed := false
	for i := range cases {
		c := &cases[i]
		got := runPartitionExpireCase(t, c.Input)
		if got != c.Output {
			if *rewrite {
				c.Output, changed = got, true
				continue
			}
			t.Errorf("%s\n----\ngot:\n%s\nwant:\n%s", strings.Join(c.Input, "\n"), got, c.Output)
		}
	}
	if changed {
		ddtest.Write(t, path, cases, trailer)
	}
}

func runPartitionExpireCase(t *testing.T, lines []string) string {
	r := partitionExpireRule{strategy: PartitionExpireValuesTime, defaultName: "__DEFAULT_PARTITION__", maxNum: 100}
	for _, kv := range strings.Fields(lines[0])[1:] {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "cutoff":
			r.cutoff = parseLocalDateTime(t, v)
			r.cutoffMillis = r.cutoff.UnixMilli()
		case "strategy":
			r.strategy = PartitionExpireStrategy(v)
		case "max":
			r.maxNum, _ = strconv.Atoi(v)
		}
	}
	var cands []partitionCandidate
	for _, l := range lines[1:] {
		word, rest, _ := strings.Cut(l, " ")
		switch word {
		case "keys":
			r.keys = strings.Split(rest, ",")
		case "pattern":
			r.pattern = rest
		case "formatter":
			f, err := parsePartitionTimeFormatter(rest)
			if err != nil {
				return "formatter error: " + err.Error()
			}
			r.format = f
		case "partition":
			vals, created, _ := strings.Cut(rest, " created=")
			c := partitionCandidate{row: []byte(vals)}
			for _, kv := range strings.Split(vals, ",") {
				_, v, _ := strings.Cut(kv, "=")
				if v == "<null>" {
					c.values = append(c.values, nil)
				} else {
					c.values = append(c.values, &v)
				}
			}
			if created != "" {
				c.lastFileCreation = parseLocalDateTime(t, created).UnixMilli()
			}
			cands = append(cands, c)
		default:
			t.Fatalf("unknown line %q", l)
		}
	}
	var out []string
	for _, e := range planPartitionExpire(r, cands) {
		out = append(out, strings.Join(e.values, ","))
	}
	return "expired: " + strings.Join(out, " | ")
}

// TestPartitionTimeFormatterRefused: patterns floe does not read are
// refused when the table opens, naming the option.
func TestPartitionTimeFormatterRefused(t *testing.T) {
	for _, f := range []string{"yy-MM-dd", "yyyy-MMM-dd", "yyyy-MM-dd[ HH]", "EEE yyyy-MM-dd", "yyyy-MM-dd 'T", "yyyyMMdd a"} {
		_, err := ParseConfig(optsTable("partition.timestamp-formatter", f))
		if key, ok := optionKey(err); !ok || key != "partition.timestamp-formatter" {
			t.Errorf("%q: %v", f, err)
		}
	}
	for _, f := range []string{"yyyyMMdd", "yyyy-MM-dd HH:mm:ss", "yyyy/M/d H:mm", "uuuu-MM-dd'T'HH:mm:ss.SSS", "yyyyMMdd''"} {
		if _, err := ParseConfig(optsTable("partition.timestamp-formatter", f)); err != nil {
			t.Errorf("%q: %v", f, err)
		}
	}
}

// TestPartitionExpiryAfterCommits: with partition.expiration-time set,
// commits drop the partitions whose dt is older (at the first commit of a
// Table, then once per check interval) in an OVERWRITE commit that runs no
// upkeep of its own; ExpirePartitions does it on demand, dry or not.
func TestPartitionExpiryAfterCommits(t *testing.T) {
	e := newCastEnv(t, Spec{
		Columns:       []Column{{Name: "id", Type: "INT NOT NULL"}, {Name: "dt", Type: "STRING NOT NULL"}},
		PartitionKeys: []string{"dt"},
		Options: []Option{{"partition.expiration-time", "2d"}, {"partition.expiration-check-interval", "1h"},
			{"compaction.min.file-num", "1000"}},
	})
	tb := e.open()
	at := func(s string) time.Time { return parseLocalDateTime(t, s) }
	commit := func(when, rows string) *CommitResult {
		t.Helper()
		res := commitRowAt(e, tb, at(when), nil, rows)
		if res.Maintenance != nil {
			t.Fatalf("upkeep: %v", res.Maintenance)
		}
		return res
	}
	kinds := func() string {
		snaps, err := tb.Snapshots(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		var s []string
		for _, x := range snaps {
			s = append(s, string(x.CommitKind))
		}
		return strings.Join(s, " ")
	}
	commit("2024-01-02T10:00", `[{"id":1,"dt":"2024-01-01"},{"id":2,"dt":"2024-01-02"}]`)
	commit("2024-01-02T10:30", `[{"id":3,"dt":"2024-01-03"}]`) // within the interval: no check
	if got := e.rows(); got != "1 2024-01-01\n2 2024-01-02\n3 2024-01-03" {
		t.Fatalf("rows: %q", got)
	}
	commit("2024-01-04T11:01", `[{"id":4,"dt":"2024-01-04"}]`)
	if got := e.rows(); got != "3 2024-01-03\n4 2024-01-04" {
		t.Fatalf("rows after expiry: %q", got)
	}
	if got := kinds(); got != "APPEND APPEND APPEND OVERWRITE" {
		t.Fatalf("snapshots: %s", got)
	}

	res, err := tb.ExpirePartitions(e.ctx, ExpirePartitionsOptions{OlderThan: at("2024-01-05T00:00"), DryRun: true})
	if err != nil || len(res.Partitions) != 2 || len(res.Commits) != 0 ||
		res.Partitions[0].Path != "dt=2024-01-03/" || res.Partitions[1].Values[0] != "2024-01-04" {
		t.Fatalf("dry run: %+v, %v", res, err)
	}
	res, err = tb.ExpirePartitions(e.ctx, ExpirePartitionsOptions{ExpirationTime: 24 * time.Hour, Now: at("2024-01-05T00:00"), MaxExpires: 1})
	if err != nil || len(res.Partitions) != 1 || len(res.Commits) != 1 || res.Partitions[0].Values[0] != "2024-01-03" {
		t.Fatalf("expire: %+v, %v", res, err)
	}
	if got := e.rows(); got != "4 2024-01-04" {
		t.Fatalf("rows: %q", got)
	}
	checkReadable(e, tb)

	// update-time: the newest file's creation (the writer's real clock).
	e.alter(SetOption("partition.expiration-strategy", "update-time"))
	tb = e.open()
	res, err = tb.ExpirePartitions(e.ctx, ExpirePartitionsOptions{Now: time.Now().Add(-time.Hour)})
	if err != nil || len(res.Partitions) != 0 {
		t.Fatalf("update-time, young files: %+v, %v", res, err)
	}
	res, err = tb.ExpirePartitions(e.ctx, ExpirePartitionsOptions{Now: time.Now().Add(49 * time.Hour)})
	if err != nil || len(res.Partitions) != 1 || len(res.Commits) != 1 {
		t.Fatalf("update-time: %+v, %v", res, err)
	}
	if got := e.rows(); got != "" {
		t.Fatalf("rows: %q", got)
	}

	// Without an expiration time, or on an unpartitioned table: errors.
	e2 := newCastEnv(t, pkStreamSpec())
	if _, err := e2.open().ExpirePartitions(e.ctx, ExpirePartitionsOptions{OlderThan: time.Now()}); !errors.Is(err, ErrInvalidOption) {
		t.Errorf("unpartitioned: %v", err)
	}
	e.alter(RemoveOption("partition.expiration-time"))
	if _, err := e.open().ExpirePartitions(e.ctx, ExpirePartitionsOptions{}); !errors.Is(err, ErrNoExpiration) {
		t.Errorf("no expiration time: %v", err)
	}
}
