package table

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/floelake/floe/internal/ddtest"
	"github.com/floelake/floe/snapshot"
)

// TestAutoTagDecisions runs testdata/autotag: the pure decisions of
// automatic tags. Cases (options as k=v words, times UTC local date-times):
//
//	tagger OPTIONS                 which snapshots get which tag
//	start NAME@ID, …               the tags it resumes from (optional)
//	snapshot ID TIME [watermark=TIME|none]
//
//	retain OPTIONS                 tag.num-retained-max of automatic tags
//	tags NAME@ID, …
//
//	retain-batch max=N             …of batch tags (every tag, oldest file first)
//	tags NAME@ID, …                (listed oldest file first)
//
//	expire-by-time now=TIME        tags past tagCreateTime + tagTimeRetained
//	tag NAME [created=TIME retained=DURATION]
//
//	batch-name OPTIONS             the batch tag of a snapshot time
//	snapshot TIME
func TestAutoTagDecisions(t *testing.T) {
	path := filepath.Join("testdata", "autotag")
	cases, trailer := ddtest.Read(t, path)
	changed := false
	for i := range cases {
		c := &cases[i]
		got := runAutoTagCase(t, c.Input)
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

func parseTagRefs(t *testing.T, s string) []tagRef {
	var out []tagRef
	for i, x := range strings.Split(s, ", ") {
		name, id, ok := strings.Cut(x, "@")
		n, err := strconv.ParseInt(id, 10, 64)
		if !ok || err != nil {
			t.Fatalf("bad tag %q", x)
		}
		out = append(out, tagRef{name: name, id: n, modTime: time.Unix(int64(i), 0)})
	}
	return out
}

func headConfig(t *testing.T, head string) *Config {
	cfg, err := ParseConfig(optsTable(headOptions(head)...))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func runAutoTagCase(t *testing.T, lines []string) string {
	head := lines[0]
	var out []string
	switch strings.Fields(head)[0] {
	case "tagger":
		cfg := headConfig(t, head+" sink.process-time-zone=UTC")
		a := cfg.autoTagger()
		for _, l := range lines[1:] {
			f := strings.Fields(l)
			switch f[0] {
			case "start":
				next, tag := autoTagStart(a.period, parseTagRefs(t, strings.TrimPrefix(l, "start ")), 1)
				a.nextTag = tag
				s := "none"
				if tag != nil {
					s = javaLocalDateTime(*tag)
				}
				out = append(out, fmt.Sprintf("start: next snapshot %d, next period %s", next, s))
			case "snapshot":
				ms := parseLocalDateTime(t, f[2]).UnixMilli()
				var wm *int64
				if len(f) > 3 {
					if w := strings.TrimPrefix(f[3], "watermark="); w != "none" {
						x := parseLocalDateTime(t, w).UnixMilli()
						wm = &x
					}
				}
				tm, ok := a.snapshotTime(ms, wm)
				if !ok {
					out = append(out, "snapshot "+f[1]+": no time")
					continue
				}
				period, name, ok, err := a.decide(tm)
				switch {
				case err != nil:
					out = append(out, "snapshot "+f[1]+": error: "+err.Error())
				case !ok:
					out = append(out, "snapshot "+f[1]+": -")
				default:
					a.advance(period)
					out = append(out, fmt.Sprintf("snapshot %s: tag %q, next period %s", f[1], name, javaLocalDateTime(*a.nextTag)))
				}
			default:
				t.Fatalf("unknown line %q", l)
			}
		}
	case "retain":
		cfg := headConfig(t, head)
		del, err := autoTagsOverMax(cfg.tagPeriod(), parseTagRefs(t, strings.TrimPrefix(lines[1], "tags ")), cfg.TagNumRetainedMax)
		if err != nil {
			return "error: " + err.Error()
		}
		out = append(out, "delete: "+strings.Join(del, ", "))
	case "retain-batch":
		n, _ := strconv.Atoi(strings.TrimPrefix(strings.Fields(head)[1], "max="))
		out = append(out, "delete: "+strings.Join(batchTagsOverMax(parseTagRefs(t, strings.TrimPrefix(lines[1], "tags ")), n), ", "))
	case "expire-by-time":
		now := parseLocalDateTime(t, strings.TrimPrefix(strings.Fields(head)[1], "now="))
		var tags []*snapshot.Tag
		for _, l := range lines[1:] {
			f := strings.Fields(l)
			tg := &snapshot.Tag{Name: f[1]}
			for _, kv := range f[2:] {
				k, v, _ := strings.Cut(kv, "=")
				switch k {
				case "created":
					ct := parseLocalDateTime(t, v)
					tg.CreateTime = &ct
				case "retained":
					d, err := ParseDuration(v)
					if err != nil {
						t.Fatal(err)
					}
					tg.TimeRetained = &d
				}
			}
			tags = append(tags, tg)
		}
		out = append(out, "expired: "+strings.Join(tagsTimeExpired(tags, now), ", "))
	case "batch-name":
		cfg := headConfig(t, head)
		for _, l := range lines[1:] {
			ms := parseLocalDateTime(t, strings.TrimPrefix(l, "snapshot ")).UnixMilli()
			out = append(out, l+": "+batchTagName(cfg.TagBatchCustomizedName, ms, cfg.SinkProcessTimeZone))
		}
	default:
		t.Fatalf("unknown case %q", head)
	}
	return strings.Join(out, "\n")
}
