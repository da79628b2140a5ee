package table

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/floelake/floe/internal/ddtest"
)

// TestAutoTagJava runs the cases of testdata/autotag-java-cases through
// floe and compares with what Java Paimon 1.4.2 and 2.0.0 computed for them
// (testdata/autotag.java-<version>, made by make-autotag-java.sh): period
// names and next periods (TagPeriodHandler), which names are automatic
// tags, the tags commits make (TagAutoCreation, TagBatchCreation, on real
// floe tables whose clock the test sets) and partition times
// (PartitionTimeExtractor).
func TestAutoTagJava(t *testing.T) {
	for _, v := range []string{"1.4.2", "2.0.0"} {
		t.Run(v, func(t *testing.T) {
			cases, _ := ddtest.Read(t, filepath.Join("testdata", "autotag.java-"+v))
			if len(cases) < 20 {
				t.Fatalf("only %d cases", len(cases))
			}
			for i, c := range cases {
				var got string
				head := c.Input[0]
				switch {
				case strings.HasPrefix(head, "period"):
					got = runJavaPeriod(t, head, c.Input[1:])
				case strings.HasPrefix(head, "auto"):
					got = runJavaAuto(t, i, head, c.Input[1:])
				case strings.HasPrefix(head, "partition-time"):
					got = runJavaPartitionTime(t, c.Input[1:])
				default:
					t.Fatalf("unknown case %q", head)
				}
				if got != c.Output {
					t.Errorf("%s\n----\nfloe:\n%s\njava:\n%s", strings.Join(c.Input, "\n"), got, c.Output)
				}
			}
		})
	}
}

// javaLocalDateTime prints a local date-time as Java's LocalDateTime.toString.
func javaLocalDateTime(t time.Time) string {
	s := t.Format("2006-01-02T15:04")
	if t.Second() == 0 && t.Nanosecond() == 0 {
		return s
	}
	s += fmt.Sprintf(":%02d", t.Second())
	switch ns := t.Nanosecond(); {
	case ns == 0:
	case ns%1_000_000 == 0:
		s += fmt.Sprintf(".%03d", ns/1_000_000)
	case ns%1000 == 0:
		s += fmt.Sprintf(".%06d", ns/1000)
	default:
		s += fmt.Sprintf(".%09d", ns)
	}
	return s
}

func parseLocalDateTime(t *testing.T, s string) time.Time {
	t.Helper()
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04"} {
		if tm, err := time.Parse(layout, s); err == nil {
			return tm
		}
	}
	t.Fatalf("bad local date-time %q", s)
	return time.Time{}
}

func headOptions(head string) []string {
	var kv []string
	for _, f := range strings.Fields(head)[1:] {
		k, v, _ := strings.Cut(f, "=")
		kv = append(kv, k, v)
	}
	return kv
}

func runJavaPeriod(t *testing.T, head string, lines []string) string {
	cfg, err := ParseConfig(optsTable(headOptions(head)...))
	if err != nil {
		t.Fatal(err)
	}
	p := cfg.tagPeriod()
	var out []string
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, "time "):
			prev := p.previous(parseLocalDateTime(t, l[5:]))
			name, err := p.name(prev)
			if err != nil {
				name = "error " + err.Error()
			}
			out = append(out, fmt.Sprintf("%s -> %s next %s", l, name, javaLocalDateTime(p.next(prev))))
		case strings.HasPrefix(l, "name "):
			if tm, ok := p.parse(l[5:]); ok {
				out = append(out, l+" -> "+javaLocalDateTime(tm))
			} else {
				out = append(out, l+" -> not auto")
			}
		default:
			t.Fatalf("unknown line %q", l)
		}
	}
	return strings.Join(out, "\n")
}

// runJavaAuto commits a snapshot for each "snapshot T" line at that time
// (UTC), on a table with the case's options, and prints the tags.
func runJavaAuto(t *testing.T, n int, head string, lines []string) string {
	// No inline compaction: one snapshot per commit, as in the Java run.
	opts := []Option{{"sink.process-time-zone", "UTC"}, {"compaction.min.file-num", "1000"}}
	kv := headOptions(head)
	for i := 0; i < len(kv); i += 2 {
		opts = append(opts, Option{kv[i], kv[i+1]})
	}
	e := newCastEnv(t, Spec{Columns: []Column{{Name: "k", Type: "INT"}}, Options: opts})
	tb := e.open()
	var out []string
	var id int64
	for _, l := range lines {
		switch {
		case l == "restart":
			tb = e.open()
			out = append(out, l)
		case strings.HasPrefix(l, "tag "):
			if _, err := tb.CreateTag(e.ctx, l[4:], TagOptions{}); err != nil {
				t.Fatalf("case %d: %s: %v", n, l, err)
			}
			out = append(out, l+": "+tagList(e, tb))
		case strings.HasPrefix(l, "snapshot "):
			f := strings.Fields(l)
			at := parseLocalDateTime(t, f[1])
			var wm *int64
			if len(f) > 2 {
				if w := strings.TrimPrefix(f[2], "watermark="); w != "none" {
					ms := parseLocalDateTime(t, w).UnixMilli()
					wm = &ms
				}
			}
			res := commitRowAt(e, tb, at, wm, `[{"k":1}]`)
			if res.Maintenance != nil {
				t.Fatalf("case %d: %s: upkeep: %v", n, l, res.Maintenance)
			}
			id++
			if got := res.Snapshots[0].ID; got != id {
				t.Fatalf("case %d: snapshot %d, want %d", n, got, id)
			}
			out = append(out, fmt.Sprintf("snapshot %d: %s", id, tagList(e, tb)))
		default:
			t.Fatalf("unknown line %q", l)
		}
	}
	return strings.Join(out, "\n")
}

// tagList prints the tags as name@snapshot, by snapshot id and name.
func tagList(e *castEnv, tb *Table) string {
	e.t.Helper()
	tags, err := tb.Tags(e.ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	var s []string
	for _, x := range tags {
		s = append(s, fmt.Sprintf("%s@%d", x.Name, x.ID))
	}
	if len(s) == 0 {
		return "(none)"
	}
	return strings.Join(s, ", ")
}

// commitRowAt commits rows (a JSON array) through tb with its clock at at (the
// snapshot's time and the upkeep's now).
func commitRowAt(e *castEnv, tb *Table, at time.Time, watermark *int64, rows string) *CommitResult {
	t := e.t
	t.Helper()
	tb.clock = func() time.Time { return at }
	sc, err := tb.Schema().ArrowSchema()
	if err != nil {
		t.Fatal(err)
	}
	rec, _, err := array.RecordFromJSON(e.alloc, sc, strings.NewReader(rows))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	w, err := tb.NewWriter(e.ctx, WriterOptions{Alloc: e.alloc, SpillDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Write(e.ctx, rec); err != nil {
		t.Fatal(err)
	}
	msgs, err := w.Prepare(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	res, err := tb.Commit(e.ctx, msgs, CommitOptions{Watermark: watermark})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func runJavaPartitionTime(t *testing.T, lines []string) string {
	var pattern string
	var f partitionTimeFormat
	var out []string
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, "pattern "):
			pattern = l[8:]
		case strings.HasPrefix(l, "formatter "):
			var err error
			if f, err = parsePartitionTimeFormatter(l[10:]); err != nil {
				t.Fatalf("%s: %v", l, err)
			}
		case strings.HasPrefix(l, "values "):
			var keys []string
			var vals []*string
			for _, kv := range strings.Split(l[7:], ",") {
				k, v, _ := strings.Cut(kv, "=")
				keys = append(keys, k)
				vals = append(vals, &v)
			}
			tm, err := f.partitionTime(pattern, keys, vals)
			if err != nil {
				out = append(out, l+" -> error DateTimeParseException")
			} else {
				out = append(out, l+" -> "+javaLocalDateTime(tm))
			}
		default:
			t.Fatalf("unknown line %q", l)
		}
	}
	return strings.Join(out, "\n")
}
