package snapshot

import (
	"flag"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/floelake/floe/internal/ddtest"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the expected outputs of testdata files")

// TestExpireRange runs testdata/expire_range. A case is one line:
//
//	range earliest=E latest=L [min=N] [max=N] [time=D] [limit=N] [consumer=N] ages=A,A,…
//	changelog earliest=E latest-changelog=C latest=L [min=N] … ages=A,A,…
//
// ages are the snapshots' (or changelogs') ages in minutes, from earliest
// on ("-" for a missing file); latest is the latest snapshot. The output
// is the range expired, [begin, end).
func TestExpireRange(t *testing.T) {
	ddtest.Run(t, filepath.Join("testdata", "expire_range"), *rewrite, func(in []string) string { return runRange(t, in[0]) })
}

func runRange(t *testing.T, line string) string {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	in := ExpireInput{Now: now, Retention: Retention{Min: 10, Time: time.Hour}}
	ages := map[int64]int64{}
	var latestCl int64
	for _, f := range strings.Fields(line)[1:] {
		k, v, _ := strings.Cut(f, "=")
		n, _ := strconv.ParseInt(v, 10, 64)
		switch k {
		case "earliest":
			in.Earliest = n
		case "latest":
			in.Latest = n
		case "latest-changelog":
			latestCl = n
		case "min":
			in.Min = int(n)
		case "max":
			in.Max = int(n)
		case "limit":
			in.Limit = int(n)
		case "consumer":
			in.ConsumerNext = n
		case "time":
			d, err := time.ParseDuration(v)
			if err != nil {
				t.Fatal(err)
			}
			in.Time = d
		case "ages":
			for i, a := range strings.Split(v, ",") {
				if a == "-" {
					continue
				}
				m, err := strconv.ParseInt(a, 10, 64)
				if err != nil {
					t.Fatal(err)
				}
				ages[in.Earliest+int64(i)] = m
			}
		default:
			t.Fatalf("unknown key %q in %q", k, line)
		}
	}
	in.TimeMillis = func(id int64) (int64, bool) {
		m, ok := ages[id]
		return now.Add(-time.Duration(m) * time.Minute).UnixMilli(), ok
	}
	var b, e int64
	if strings.HasPrefix(line, "changelog ") {
		b, e = ChangelogExpireRange(ChangelogExpireInput{Earliest: in.Earliest, Latest: latestCl,
			LatestSnapshot: in.Latest, Retention: in.Retention, Now: now, ConsumerNext: in.ConsumerNext, TimeMillis: in.TimeMillis})
	} else {
		b, e = ExpireRange(in)
	}
	if e <= b {
		return "none"
	}
	return fmt.Sprintf("expire [%d, %d)", b, e)
}
