package table

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/floelake/floe/snapshot"
)

// TestAutoTagsAfterCommits: hourly process-time tags made by commits across
// hour boundaries; tag.num-retained-max deletes the oldest automatic tags
// (never a manual one) and the files only they kept, after the snapshots
// expired; success files follow the tags; a tag past its tagTimeRetained is
// deleted by the next commit; a reopened table resumes from the tags.
func TestAutoTagsAfterCommits(t *testing.T) {
	e := newCastEnv(t, pkStreamSpec(
		Option{"tag.automatic-creation", "process-time"},
		Option{"tag.creation-period", "hourly"},
		Option{"tag.num-retained-max", "2"},
		Option{"tag.create-success-file", "true"},
		Option{"sink.process-time-zone", "UTC"},
		Option{"snapshot.num-retained.min", "1"},
		Option{"snapshot.num-retained.max", "1"},
		Option{"num-sorted-run.compaction-trigger", "2"},
	))
	tb := e.open()
	at := func(hhmm string) time.Time {
		tm, err := time.Parse("2006-01-02 15:04", "2024-03-10 "+hhmm)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	commit := func(hhmm string, rows string) {
		t.Helper()
		if res := commitRowAt(e, tb, at(hhmm), nil, rows); res.Maintenance != nil {
			t.Fatalf("%s: upkeep: %v", hhmm, res.Maintenance)
		}
	}
	rowsAt := map[string]string{}
	commit("10:05", `[{"id":1,"v":"a"}]`)
	if _, err := tb.CreateTag(e.ctx, "manual", TagOptions{}); err != nil {
		t.Fatal(err)
	}
	rowsAt["manual"] = e.rows()
	rowsAt["2024-03-10 09"] = e.rows()
	commit("10:40", `[{"id":1,"v":"b"},{"id":2,"v":"b"}]`)
	commit("11:05", `[{"id":2,"v":"c"}]`)
	rowsAt["2024-03-10 10"] = e.rows()
	if got := tagNames(e, tb); got != "2024-03-10 09, manual, 2024-03-10 10" {
		t.Fatalf("tags: %s", got)
	}
	commit("12:30", `[{"id":3,"v":"d"}]`)
	rowsAt["2024-03-10 11"] = e.rows()
	// Two automatic tags are kept: 09 went, with the files only it kept.
	if got := tagNames(e, tb); got != "manual, 2024-03-10 10, 2024-03-10 11" {
		t.Fatalf("tags: %s", got)
	}
	for name, want := range rowsAt {
		got, _, err := e.read(ScanOptions{Tag: name})
		if name == "2024-03-10 09" {
			if !errors.Is(err, snapshot.ErrNotFound) {
				t.Errorf("deleted tag %s: %v", name, err)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("tag %s: %q, %v; want %q", name, got, err, want)
		}
	}
	checkNoLeak(e, tb)
	success := func(name string) bool {
		ok, err := tb.store.Exists(e.ctx, tagSuccessPath(name))
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if success("2024-03-10 09") || !success("2024-03-10 11") || success("manual") {
		t.Errorf("success files: 09 %v, 11 %v, manual %v", success("2024-03-10 09"), success("2024-03-10 11"), success("manual"))
	}
	b, err := tb.store.Read(e.ctx, tagSuccessPath("2024-03-10 11"))
	if want := fmt.Sprintf("{\n  \"creationTime\" : %d,\n  \"modificationTime\" : %[1]d\n}", at("12:30").UnixMilli()); err != nil || string(b) != want {
		t.Errorf("success file: %q, %v; want %q", b, err, want)
	}

	// A tag with a retention expires at the first commit after it.
	tb.clock = func() time.Time { return at("12:31") }
	if _, err := tb.CreateTag(e.ctx, "short", TagOptions{TimeRetained: 30 * time.Minute}); err != nil {
		t.Fatal(err)
	}
	commit("13:01", `[{"id":4,"v":"e"}]`) // 12:31 + 30m is not before 13:01
	if !strings.Contains(tagNames(e, tb), "short") {
		t.Fatalf("tag gone too early: %s", tagNames(e, tb))
	}
	commit("13:02", `[{"id":5,"v":"f"}]`)
	if got := tagNames(e, tb); got != "manual, 2024-03-10 11, 2024-03-10 12" {
		t.Fatalf("tags: %s", got)
	}

	// A new Table resumes after the latest period's tag: no tag for 13:59,
	// then 13 at 14:00.
	tb = e.open()
	commit("13:59", `[{"id":6,"v":"g"}]`)
	commit("14:00", `[{"id":7,"v":"h"}]`)
	if got := tagNames(e, tb); got != "manual, 2024-03-10 12, 2024-03-10 13" {
		t.Fatalf("tags after reopening: %s", got)
	}
	checkReadable(e, tb)
	checkNoLeak(e, tb)
}

// TestAutoTagOptionsRefused: bad tag options fail at Open, naming the key.
func TestAutoTagOptionsRefused(t *testing.T) {
	for _, kv := range [][]string{
		{"tag.automatic-creation", "daily"},
		{"tag.creation-period", "weekly"},
		{"tag.period-formatter", "dashes"},
		{"tag.automatic-creation", "process-time", "tag.creation-delay", "1d"},
		{"tag.automatic-creation", "watermark", "tag.creation-period", "hourly", "tag.creation-delay", "2h"},
		{"tag.creation-period-duration", "0s"},
		{"tag.num-retained-max", "0"},
		{"sink.process-time-zone", "Mars/Olympus"},
		{"sink.watermark-time-zone", "+25:00"},
		{"tag.batch.customized-name", " "},
	} {
		_, err := ParseConfig(optsTable(kv...))
		want := kv[len(kv)-2]
		if key, ok := optionKey(err); !ok || key != want {
			t.Errorf("%v: %v, want an error naming %s", kv, err, want)
		}
	}
	c, err := ParseConfig(optsTable("tag.creation-delay", "2d", "sink.process-time-zone", "GMT+08:00",
		"sink.watermark-time-zone", "Asia/Shanghai", "tag.creation-period-duration", "90 min"))
	if err != nil {
		t.Fatal(err)
	}
	if _, off := time.Date(2024, 1, 1, 0, 0, 0, 0, c.SinkProcessTimeZone).Zone(); off != 8*3600 {
		t.Errorf("GMT+08:00: offset %d", off)
	}
	if p := c.tagPeriod(); p.length != 90*time.Minute || p.layout != "YYYYMMDDhhmm" {
		t.Errorf("period %+v", p)
	}
}

// tagNames lists the tags by snapshot id and name.
func tagNames(e *castEnv, tb *Table) string {
	e.t.Helper()
	tags, err := tb.Tags(e.ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	var s []string
	for _, x := range tags {
		s = append(s, x.Name)
	}
	return strings.Join(s, ", ")
}
