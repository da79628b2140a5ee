package table

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/floelake/floe/internal/ddtest"
)

// TestPlanExpire runs testdata/expire: the files an expiry deletes. A case:
//
//	plan [decoupled] [produce] | plan-changelog
//	snapshot ID [meta=K,…] [cl=K,…] [other=K,…] [index=K,…] [delta=+K,-K,-K/X1/X2,-K@c,…] [changelog=K,…]
//	keep ID …   (plan-changelog: the earliest snapshot, as a snapshot line)
//	tag ID data=K,… meta=K,…
//	expire BEGIN END
//
// The snapshot lines give every snapshot (or long-lived changelog) still
// present, from the earliest to at least END; meta= are its base and
// delta lists and their manifests, cl= its changelog list and manifests,
// other= its index manifest and statistics. Tags give their snapshot's data
// files and metadata. "-K/X" deletes data file K with its extra file X;
// "@c" marks a file written by compaction (else by new input).
func TestPlanExpire(t *testing.T) {
	ddtest.Run(t, filepath.Join("testdata", "expire"), *rewrite, func(in []string) string { return runExpirePlan(t, in) })
}

func runExpirePlan(t *testing.T, lines []string) string {
	mode := expireMode{decoupled: strings.Contains(lines[0], "decoupled"), produce: strings.Contains(lines[0], "produce")}
	changelogPlan := strings.HasPrefix(lines[0], "plan-changelog")
	var keep []expireSnap
	snaps := map[int64]expireSnap{}
	var tags []tagRefs
	var begin, end int64
	set := func(v string) map[string]bool {
		m := map[string]bool{}
		for _, k := range strings.Split(v, ",") {
			if k != "" {
				m[k] = true
			}
		}
		return m
	}
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		id, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		switch f[0] {
		case "snapshot", "keep":
			s := expireSnap{id: id}
			for _, kv := range f[2:] {
				k, v, _ := strings.Cut(kv, "=")
				vals := strings.Split(v, ",")
				switch k {
				case "meta":
					s.lists = vals
				case "cl":
					s.clMeta = vals
				case "other":
					s.meta = vals
				case "index":
					s.index = vals
				case "changelog":
					s.changelog = vals
				case "delta":
					for _, d := range vals {
						name, compact := strings.CutSuffix(d[1:], "@c")
						parts := strings.Split(name, "/")
						s.delta = append(s.delta, fileRef{key: parts[0], extras: parts[1:], add: d[0] == '+', input: !compact})
					}
				default:
					t.Fatalf("unknown key %q", k)
				}
			}
			if f[0] == "keep" {
				keep = append(keep, s)
			} else {
				snaps[id] = s
			}
		case "tag":
			tg := tagRefs{id: id}
			for _, kv := range f[2:] {
				k, v, _ := strings.Cut(kv, "=")
				switch k {
				case "data":
					tg.data = set(v)
				case "meta":
					tg.meta = set(v)
				}
			}
			tags = append(tags, tg)
		case "expire":
			begin = id
			end, _ = strconv.ParseInt(f[2], 10, 64)
		default:
			t.Fatalf("unknown line %q", l)
		}
	}
	ids := make([]int64, len(tags))
	for i, tg := range tags {
		ids[i] = tg.id
	}
	dataNeed, metaNeed := expireTagNeeds(ids, begin, end)
	var needs strings.Builder
	fmt.Fprintf(&needs, "tags read: data %v meta %v", dataNeed, metaNeed)
	in := make([]tagRefs, len(tags))
	for i, tg := range tags {
		in[i].id = tg.id
	}
	for _, i := range dataNeed {
		in[i].data = tags[i].data
	}
	for _, i := range metaNeed {
		in[i].meta = tags[i].meta
	}
	var expired []expireSnap
	for id := begin; id < end; id++ {
		if s, ok := snaps[id]; ok {
			expired = append(expired, s)
		}
	}
	var p expirePlan
	if changelogPlan {
		p = planChangelogExpire(expired, append([]expireSnap{snaps[end]}, keep...), in)
	} else {
		p = planExpire(expired, snaps[end], in, mode)
	}
	return fmt.Sprintf("snapshots: %v\ndata: %s\nchangelog: %s\nmeta: %s\n%s",
		p.snapshots, strings.Join(p.data, " "), strings.Join(p.changelog, " "), strings.Join(p.meta, " "), needs.String())
}
