//go:build interop

package driver

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Compaction cases (issue 10): tables floe compacts, full and by the
// table's options, after its own writes and over Java's (levels, deletion
// vectors, first-row), interleaved with Java's writes and compactions, and
// at the same time as Java writes. Every engine reads the result; Java's
// check runs on each (the driver does that for every table floe touched).

func init() {
	shapes = append(shapes, compactionShapes()...)
}

// pkRow is a canonical row of the id/v/n tables.
func pkRow(id int, v string, n int) string {
	return fmt.Sprintf("{\"id\":%d,\"v\":%q,\"n\":%d}\n", id, v, n)
}

func pkDelete(id int) string {
	return fmt.Sprintf("{\"id\":%d,\"_ROW_KIND\":\"-D\"}\n", id)
}

// model is the expected latest dump after the write steps: "pk" keeps the
// last row of each key (a -D row deletes it), "first-row" the first,
// "append" every row.
func model(kind string, steps []step) string {
	var lines []string
	byKey := map[string]string{}
	for _, st := range steps {
		if st.op != "write" {
			continue
		}
		for _, l := range strings.SplitAfter(st.rows, "\n") {
			if strings.TrimSpace(l) == "" {
				continue
			}
			if kind == "append" {
				lines = append(lines, l)
				continue
			}
			var m map[string]any
			if err := json.Unmarshal([]byte(l), &m); err != nil {
				panic(err)
			}
			k := fmt.Sprint(m["id"])
			switch {
			case m["_ROW_KIND"] == "-D" || m["_ROW_KIND"] == "-U":
				if kind == "pk" {
					delete(byKey, k)
				}
			case kind == "first-row":
				if _, ok := byKey[k]; !ok {
					byKey[k] = l
				}
			default:
				byKey[k] = l
			}
		}
	}
	for _, l := range byKey {
		lines = append(lines, l)
	}
	sort.Strings(lines)
	return strings.Join(lines, "")
}

// upserts writes keys from..to-1 with value tag.
func upserts(from, to int, tag string) string {
	var b strings.Builder
	for i := from; i < to; i++ {
		b.WriteString(pkRow(i, fmt.Sprintf("%s-%d", tag, i), i))
	}
	return b.String()
}

// floeCompactSteps: several commits with updates and deletes, a tag, and
// compactions by the table's options and full, ending with a compaction
// (batch reads of deletion-vector and first-row tables skip level 0).
func floeCompactSteps(deletes bool) []step {
	del := func(id int) string {
		if deletes {
			return pkDelete(id)
		}
		return ""
	}
	return []step{
		{op: "write", rows: upserts(1, 40, "a")},
		{op: "tag", name: "t1"},
		{op: "write", rows: upserts(30, 60, "b") + del(3) + del(4)},
		{op: "write", rows: upserts(10, 20, "c") + del(50)},
		{op: "compact", minor: true},
		{op: "tag", name: "c1"},
		{op: "write", rows: upserts(55, 70, "d") + del(11) + pkRow(3, "back", 3)},
		{op: "write", rows: upserts(1, 5, "e")},
		{op: "compact"},
		{op: "write", rows: upserts(65, 80, "f") + del(1)},
		{op: "write", rows: upserts(20, 25, "g")},
		{op: "write", rows: upserts(25, 30, "h")},
		{op: "compact", minor: true},
	}
}

// appendRows writes n rows from id into partitions (x, 1), (y, 2) and
// (null, null) of appendPartSpec.
func appendRows(id, n int) string {
	var b strings.Builder
	parts := []string{`"p":"x","q":1`, `"p":"y","q":2`, `"p":null,"q":null`}
	for i := id; i < id+n; i++ {
		fmt.Fprintf(&b, "{\"id\":%d,%s,\"v\":\"r%d\"}\n", i, parts[i%len(parts)], i)
	}
	return b.String()
}

// appendCompactSteps: six small writes (Paimon's append compaction waits
// for compaction.min.file-num = 5 files), a compaction by the options, two
// more writes and a full compaction.
func appendCompactSteps() []step {
	var steps []step
	id := 0
	for range 6 {
		steps = append(steps, step{op: "write", rows: appendRows(id, 7)})
		id += 7
	}
	steps = append(steps, step{op: "compact", minor: true}, step{op: "tag", name: "c1"})
	for range 3 {
		steps = append(steps, step{op: "write", rows: appendRows(id, 5)})
		id += 5
	}
	return append(steps, step{op: "compact"})
}

// appendFixedRows writes rows of the fixed-bucket append table.
func appendFixedRows(id, n int) string {
	var b strings.Builder
	for i := id; i < id+n; i++ {
		fmt.Fprintf(&b, "{\"id\":%d,\"v\":\"r%d\"}\n", i%17, i)
	}
	return b.String()
}

const (
	pkCompactSpec = `{"table":"db.t","columns":[{"name":"id","type":"BIGINT NOT NULL"},{"name":"v","type":"STRING"},{"name":"n","type":"INT"}],"primaryKeys":["id"],"partitionKeys":[],"options":{"bucket":"2","num-sorted-run.compaction-trigger":"3"}}`
	dvCompactSpec = `{"table":"db.t","columns":[{"name":"id","type":"BIGINT NOT NULL"},{"name":"v","type":"STRING"},{"name":"n","type":"INT"}],"primaryKeys":["id"],"partitionKeys":[],"options":{"bucket":"2","deletion-vectors.enabled":"true"}}`
	frCompactSpec = `{"table":"db.t","columns":[{"name":"id","type":"BIGINT NOT NULL"},{"name":"v","type":"STRING"},{"name":"n","type":"INT"}],"primaryKeys":["id"],"partitionKeys":[],"options":{"bucket":"2","merge-engine":"first-row"}}`
	// Universal compaction on every Java write past two sorted runs, over
	// five levels: Java's commits leave runs on several levels.
	levelsCompactSpec = `{"table":"db.t","columns":[{"name":"id","type":"BIGINT NOT NULL"},{"name":"v","type":"STRING"},{"name":"n","type":"INT"}],"primaryKeys":["id"],"partitionKeys":[],"options":{"bucket":"1","num-levels":"5","num-sorted-run.compaction-trigger":"2"}}`
	lookupLevelsSpec  = `{"table":"db.t","columns":[{"name":"id","type":"BIGINT NOT NULL"},{"name":"v","type":"STRING"},{"name":"n","type":"INT"}],"primaryKeys":["id"],"partitionKeys":[],"options":{"bucket":"1","num-levels":"4","changelog-producer":"lookup"}}`
	appendFixedSpec   = `{"table":"db.t","columns":[{"name":"id","type":"BIGINT"},{"name":"v","type":"STRING"}],"primaryKeys":[],"partitionKeys":[],"options":{"bucket":"2","bucket-key":"id"}}`
)

// firstRowSteps write +I rows only (a first-row table takes no retracts).
func firstRowSteps() []step {
	return []step{
		{op: "write", rows: upserts(1, 20, "a")},
		{op: "write", rows: upserts(10, 30, "b")},
		{op: "compact", minor: true},
		{op: "tag", name: "c1"},
		{op: "write", rows: upserts(25, 40, "c") + upserts(1, 3, "c")},
		{op: "write", rows: upserts(35, 45, "d")},
		{op: "compact"},
		{op: "write", rows: upserts(40, 50, "e")},
		{op: "compact", minor: true},
	}
}

// who sets the writer of steps.
func who(w string, steps []step) []step {
	out := append([]step(nil), steps...)
	for i := range out {
		out[i].who = w
	}
	return out
}

func cat(parts ...[]step) []step {
	var out []step
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func compactionShapes() []shape {
	var out []shape
	// floe writes and compacts; Java 1.4.2/2.0.0 write the same steps as
	// the comparison rows.
	floeJava := []string{"floe", "java"}
	for _, c := range []struct {
		name, spec, kind string
		steps            []step
		checks           []check
	}{
		{"pk, updates and deletes", pkCompactSpec, "pk", floeCompactSteps(true), []check{{tag: "t1"}, {tag: "c1"}}},
		{"pk with deletion vectors", dvCompactSpec, "pk", floeCompactSteps(true), []check{{tag: "c1"}}},
		{"first-row", frCompactSpec, "first-row", firstRowSteps(), []check{{tag: "c1"}}},
		{"append, unaware bucket", appendPartSpec, "append", appendCompactSteps(), []check{{tag: "c1"}}},
	} {
		out = append(out, shape{name: "floe compaction: " + c.name, spec: c.spec, steps: c.steps,
			writers: floeJava, checks: c.checks, want: model(c.kind, c.steps)})
	}
	var fixed []step
	for i := range 6 {
		fixed = append(fixed, step{op: "write", rows: appendFixedRows(i*9, 9)})
	}
	fixed = append(fixed, step{op: "compact", minor: true}, step{op: "write", rows: appendFixedRows(60, 9)},
		step{op: "write", rows: appendFixedRows(70, 9)}, step{op: "compact"})
	out = append(out, shape{name: "floe compaction: append, fixed bucket", spec: appendFixedSpec, steps: fixed,
		writers: floeJava, want: model("append", fixed)})

	// floe compacts what Java wrote and compacted (several levels, deletion
	// vectors, first-row), then Java writes and compacts on top.
	javaLevels := who("B", []step{
		{op: "write", rows: upserts(1, 200, "a")},
		{op: "write", rows: upserts(150, 250, "b") + pkDelete(7)},
		{op: "write", rows: upserts(10, 30, "c")},
		{op: "write", rows: upserts(240, 260, "d") + pkDelete(151)},
		{op: "write", rows: upserts(100, 110, "e")},
	})
	over := func(spec, kind string, head []step) shape {
		if kind == "first-row" {
			for i := range head {
				head[i].rows = strings.ReplaceAll(head[i].rows, pkDelete(7), "")
				head[i].rows = strings.ReplaceAll(head[i].rows, pkDelete(151), "")
			}
		}
		steps := cat(head,
			[]step{{who: "A", op: "compact", minor: true}, {who: "A", op: "tag", name: "f1"}},
			who("B", []step{{op: "write", rows: upserts(5, 15, "f")}, {op: "write", rows: upserts(255, 270, "g")}}),
			[]step{{who: "A", op: "compact"}},
			who("B", []step{{op: "write", rows: upserts(60, 70, "h")}, {op: "compact", minor: true}, {op: "write", rows: upserts(1, 3, "i")}, {op: "compact"}}),
			[]step{{who: "A", op: "write", rows: upserts(2, 6, "j")}, {who: "A", op: "compact", minor: true}})
		return shape{spec: spec, steps: steps, mixed: true, floeFirst: true, writers: []string{"java"},
			checks: []check{{tag: "f1"}}, want: model(kind, steps)}
	}
	for _, c := range []struct {
		name, spec, kind string
		head             []step
	}{
		{"over java's universal levels", levelsCompactSpec, "pk", javaLevels},
		{"over java's lookup levels", lookupLevelsSpec, "pk", cat(who("B", levelSteps()), javaLevels[1:])},
		{"over java's deletion vectors", dvCompactSpec, "pk", cat(javaLevels, who("B", []step{{op: "compact", minor: true}}))},
		{"over java's first-row", frCompactSpec, "first-row", cat(javaLevels, who("B", []step{{op: "compact", minor: true}}))},
	} {
		sh := over(c.spec, c.kind, append([]step(nil), c.head...))
		sh.name = "floe compaction: " + c.name
		out = append(out, sh)
	}

	// Interleaved: Java writes, floe compacts, Java writes, floe compacts,
	// Java compacts, floe writes, Java compacts, floe compacts.
	inter := func(deletes bool) []step {
		d := ""
		if deletes {
			d = pkDelete(12)
		}
		return []step{
			{who: "B", op: "write", rows: upserts(1, 30, "a")},
			{who: "A", op: "compact", minor: true},
			{who: "B", op: "write", rows: upserts(20, 40, "b") + d},
			{who: "B", op: "write", rows: upserts(5, 10, "c")},
			{who: "A", op: "compact"},
			{who: "B", op: "write", rows: upserts(35, 45, "d")},
			{who: "B", op: "compact", minor: true},
			{who: "A", op: "write", rows: upserts(8, 14, "e")},
			{who: "B", op: "compact"},
			{who: "B", op: "write", rows: upserts(44, 50, "f")},
			{who: "A", op: "compact", minor: true},
			{who: "B", op: "write", rows: upserts(1, 2, "g")},
			{who: "A", op: "compact"},
		}
	}
	for _, c := range []struct {
		name, spec, kind string
		deletes          bool
	}{
		{"pk", pkCompactSpec, "pk", true},
		{"deletion vectors", dvCompactSpec, "pk", true},
		{"first-row", frCompactSpec, "first-row", false},
	} {
		steps := inter(c.deletes)
		out = append(out, shape{name: "floe compaction: interleaved with java, " + c.name, spec: c.spec, steps: steps,
			mixed: true, floeFirst: true, writers: []string{"java"}, want: model(c.kind, steps)})
	}

	// Concurrent: Java writes in a loop while floe compacts in a loop. The
	// Java writers are write-only (Paimon's setup when another job
	// compacts: a writer that also compacts on write loses its compaction
	// commit to the dedicated compactor whenever both picked the same
	// files). floe first loads a base large enough that its compactions
	// take seconds, so Java's commits land while they run.
	for _, c := range []struct {
		name, spec string
		cc         *concurrent
	}{
		{"pk, write-only java", `{"table":"db.t","columns":[{"name":"id","type":"BIGINT NOT NULL"},{"name":"v","type":"STRING"},{"name":"n","type":"INT"}],"primaryKeys":["id"],"partitionKeys":[],"options":{"bucket":"1","write-only":"true","num-sorted-run.compaction-trigger":"3"}}`,
			&concurrent{base: 300_000, writes: 8, rows: 2000, keys: 300_000}},
		{"deletion vectors, write-only java", `{"table":"db.t","columns":[{"name":"id","type":"BIGINT NOT NULL"},{"name":"v","type":"STRING"},{"name":"n","type":"INT"}],"primaryKeys":["id"],"partitionKeys":[],"options":{"bucket":"1","write-only":"true","deletion-vectors.enabled":"true"}}`,
			&concurrent{base: 300_000, writes: 8, rows: 2000, keys: 300_000}},
		// Java compacts on write too (deletion vectors push level 0 up),
		// so both sides lose conflicts to each other: Java's write commits
		// its rows, then its compaction commit is refused (retried here).
		{"deletion vectors, java compacting on write", dvCompactSpec,
			&concurrent{writes: 8, rows: 1500, keys: 4000}},
	} {
		out = append(out, shape{name: "floe compaction: concurrent with java writes, " + c.name, spec: c.spec,
			mixed: true, floeFirst: true, writers: []string{"java"}, concurrent: c.cc, want: model("pk", c.cc.all())})
	}
	return out
}

// concurrent is a case where A first writes `base` rows, then B writes
// `writes` commits of `rows` upserts each (keys spread over `keys`, every
// write a new value) one after the other, while A compacts the table in a
// loop (by its options and full in turn) until B is done; then A compacts
// fully once more. B runs two writers at once, each writing the keys of
// one parity. A write that fails is retried (upserts of the same rows are
// idempotent).
type concurrent struct {
	base, writes, rows, keys int
}

func (c *concurrent) load() step {
	if c.base == 0 {
		return step{}
	}
	var b strings.Builder
	pad := strings.Repeat("p", 100)
	for id := range c.base {
		b.WriteString(pkRow(id, fmt.Sprintf("base-%d-%s", id, pad), -1))
	}
	return step{who: "A", op: "write", rows: b.String()}
}

func (c *concurrent) steps() []step {
	var out []step
	for i := range c.writes {
		var b strings.Builder
		// Writer i%2 owns the keys of its parity: the two writers'
		// order does not change the result.
		for k := range c.rows {
			x := (i*31 + k*(c.keys/c.rows)) % c.keys
			id := x - x%2 + i%2
			if id >= c.keys {
				id -= 2
			}
			b.WriteString(pkRow(id, fmt.Sprintf("w%d-%d", i, id), i))
		}
		out = append(out, step{who: "B", op: "write", rows: b.String()})
	}
	return out
}

func (c *concurrent) all() []step { return append([]step{c.load()}, c.steps()...) }

// runConcurrent runs a concurrent case. It returns the statistics for the
// report, or the engine, step and result of a failure.
func runConcurrent(t *testing.T, wh string, sh shape, j job) (string, *engine, string, result) {
	cc := sh.concurrent
	base := []string{"--warehouse", wh, "--table", "db.t"}
	if cc.base > 0 {
		load := filepath.Join(wh, "base.jsonl")
		if err := os.WriteFile(load, []byte(cc.load().rows), 0o644); err != nil {
			t.Fatal(err)
		}
		if res := j.a.run("write", append(base, "--data", load)...); res.code != 0 {
			return "", j.a, "load", res
		}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	var werr result
	var wwhat string
	retries := 0
	// held counts writers on their third attempt or later: while any is,
	// A does not start new compactions, so a writer that keeps losing its
	// compaction commit to A's (Java compacting on write, two writers
	// racing A's loop) gets through, as an operator would let it. Without
	// it, ten losses in a row were possible on a loaded machine.
	var held atomic.Int32
	// Two Java writers at once (B's writes alternate between them), so
	// that commits come often enough to land during floe's compactions.
	steps := cc.steps()
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(steps); i += 2 {
				data := filepath.Join(wh, fmt.Sprintf("w%d.jsonl", i))
				if err := os.WriteFile(data, []byte(steps[i].rows), 0o644); err != nil {
					mu.Lock()
					werr, wwhat = result{code: -1, errOut: err.Error()}, "write"
					mu.Unlock()
					return
				}
				for attempt := 1; ; attempt++ {
					if attempt == 3 {
						held.Add(1)
					}
					res := j.b.run("write", append(base, "--data", data)...)
					if res.code == 0 {
						if attempt >= 3 {
							held.Add(-1)
						}
						break
					}
					mu.Lock()
					if attempt == 10 {
						werr, wwhat = res, fmt.Sprintf("write %d (10 attempts)", i+1)
						mu.Unlock()
						return
					}
					retries++
					mu.Unlock()
					t.Logf("%s write %d failed, retrying: %s", j.b.name, i+1, res.message())
				}
			}
		}()
	}
	go func() { wg.Wait(); close(done) }()
	compactions, committed, over, replanned, lost := 0, 0, 0, 0, 0
	var cerr result
	var cwhat string
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
		}
		if running && held.Load() > 0 {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		args := base
		full := compactions%2 == 1
		if full || !running {
			args = append(append([]string{}, base...), "--full")
		}
		compactions++
		res := j.a.run("compact", args...)
		if res.code != 0 {
			// Losing every attempt to concurrent commits is allowed (the
			// commit is refused; nothing is lost); any other error fails.
			if running && strings.Contains(strings.ToLower(res.errOut), "conflict") {
				lost++
				continue
			}
			cerr, cwhat = res, fmt.Sprintf("compaction %d", compactions)
			break
		}
		var out struct{ Base, Snapshot, Attempts int64 }
		if err := json.Unmarshal([]byte(strings.TrimSpace(res.out)), &out); err != nil {
			cerr, cwhat = result{code: -1, errOut: fmt.Sprintf("compact printed %q: %v", res.out, err)}, "compaction"
			break
		}
		if out.Snapshot == 0 {
			time.Sleep(100 * time.Millisecond)
		} else {
			committed++
			if out.Snapshot > out.Base+1 {
				over++
			}
		}
		if out.Attempts > 1 {
			replanned++
		}
	}
	wg.Wait()
	if cwhat != "" {
		return "", j.a, cwhat, cerr
	}
	if wwhat != "" {
		return "", j.b, wwhat, werr
	}
	stats := fmt.Sprintf("%d compactions during %d %s writes (%d retried): %d committed, %d of them over a commit made after they started, %d re-planned after a conflict, %d gave up on conflicts",
		compactions, cc.writes, j.b.name, retries, committed, over, replanned, lost)
	t.Logf("%s: %s", sh.name, stats)
	return stats, nil, "", result{}
}
