//go:build interop

package driver

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// Maintenance cases (issue 13): snapshot expiry (on demand and after
// every commit), tags (create, delete with the files only they kept) and
// rollback (to a snapshot, to a tag, to a tag whose snapshot expired),
// done by floe and, as comparison rows, by Java 1.4.2/2.0.0 (and by
// Spark/Flink/pypaimon in one case), and mixed: Java tags and floe
// expires, floe tags and Java expires.
//
// The driver keeps a model of the rows of every snapshot id the table has
// had (runMaintenance). After each expire, tag-delete and rollback (and
// after the last step), floe and Java 1.4.2/2.0.0 read the latest
// snapshot, every remaining snapshot and every tag and compare them with
// the model; both run their consistency check (floe's: every file each
// snapshot and tag references exists and reads; Java's: every snapshot and
// tag reads). pypaimon, Spark and Flink (on its sample) read everything
// after the last step only.

func init() {
	shapes = append(shapes, maintenanceShapes()...)
}

// partRow is a canonical row of maintPartSpec: the partition follows
// from the id, so the model can key rows by id.
func partRow(id int, v string) string {
	return fmt.Sprintf("{\"id\":%d,\"p\":\"p%d\",\"v\":%q,\"n\":%d}\n", id, id%3, v, id)
}

func partRows(from, to int, tag string) string {
	var b strings.Builder
	for i := from; i < to; i++ {
		b.WriteString(partRow(i, fmt.Sprintf("%s-%d", tag, i)))
	}
	return b.String()
}

func partDelete(id int) string {
	return fmt.Sprintf("{\"id\":%d,\"p\":\"p%d\",\"_ROW_KIND\":\"-D\"}\n", id, id%3)
}

const (
	// A partitioned primary-key table with an input changelog, expiring
	// on every commit down to three snapshots.
	maintPartSpec   = `{"table":"db.t","columns":[{"name":"id","type":"BIGINT NOT NULL"},{"name":"p","type":"STRING NOT NULL"},{"name":"v","type":"STRING"},{"name":"n","type":"INT"}],"primaryKeys":["p","id"],"partitionKeys":["p"],"options":{"bucket":"2","changelog-producer":"input","snapshot.num-retained.min":"1","snapshot.num-retained.max":"3"}}`
	maintUpsertSpec = `{"table":"db.t","columns":[{"name":"id","type":"BIGINT NOT NULL"},{"name":"v","type":"STRING"},{"name":"n","type":"INT"}],"primaryKeys":["id"],"partitionKeys":[],"options":{"bucket":"1"}}`
)

// pkMaintSteps: writes with updates and deletes, compactions and tags
// (one by snapshot id), an expiry down to two snapshots, deleting the tag
// of a compacted-away snapshot (its level-0 files are only the tag's),
// a rollback to a snapshot, a rollback to a tag whose snapshot expired
// (written back; the later tag goes), and a last expiry down to one.
func pkMaintSteps() []step {
	return []step{
		{op: "write", rows: upserts(1, 30, "a")},
		{op: "tag", name: "t1"},
		{op: "write", rows: upserts(20, 40, "b") + pkDelete(3)},
		{op: "write", rows: upserts(5, 10, "c") + pkDelete(25), mark: "c"},
		{op: "compact"},
		{op: "tag", name: "t2"},
		{op: "write", rows: upserts(35, 50, "d") + pkDelete(6)},
		{op: "tag", name: "t3", at: "c"},
		{op: "write", rows: upserts(1, 5, "e"), mark: "e"},
		{op: "expire", n: 2},
		{op: "tag-delete", name: "t3"},
		{op: "write", rows: upserts(45, 55, "f") + pkDelete(1)},
		{op: "rollback", at: "e"},
		{op: "write", rows: upserts(10, 15, "g")},
		{op: "compact", minor: true},
		{op: "rollback", name: "t1"},
		{op: "write", rows: upserts(60, 65, "h") + pkDelete(2)},
		{op: "compact"},
		{op: "tag", name: "t4"},
		{op: "write", rows: upserts(2, 4, "i")},
		{op: "expire", n: 1},
	}
}

// appendMaintSteps: small writes into three partitions, a tag, a full
// compaction (the tag's files are then only the tag's and older
// snapshots'), an expiry by time (older than a marked snapshot), deleting
// the tag of an expired snapshot, a rollback to a tag whose snapshot is
// still there, an expiry down to two.
func appendMaintSteps() []step {
	return []step{
		{op: "write", rows: appendRows(0, 7)},
		{op: "write", rows: appendRows(7, 7)},
		{op: "tag", name: "a1"},
		{op: "write", rows: appendRows(14, 7), mark: "w3"},
		{op: "write", rows: appendRows(21, 7)},
		{op: "compact"},
		{op: "tag", name: "a2"},
		{op: "write", rows: appendRows(28, 5)},
		{op: "expire", n: 100, at: "w3"},
		{op: "tag-delete", name: "a1"},
		{op: "write", rows: appendRows(33, 5)},
		{op: "rollback", name: "a2"},
		{op: "write", rows: appendRows(38, 5)},
		{op: "expire", n: 2},
	}
}

// partMaintSteps: the table expires on every commit (three snapshots
// kept); tags keep their files through those expiries; a tag goes, and the
// table rolls back to the first tag (its snapshot long expired).
func partMaintSteps() []step {
	return []step{
		{op: "write", rows: partRows(1, 20, "a")},
		{op: "tag", name: "p1"},
		{op: "write", rows: partRows(10, 30, "b") + partDelete(5)},
		{op: "write", rows: partRows(1, 5, "c") + partDelete(12)},
		{op: "compact"},
		{op: "tag", name: "p2"},
		{op: "write", rows: partRows(25, 35, "d")},
		{op: "write", rows: partRows(3, 8, "e") + partDelete(26)},
		{op: "write", rows: partRows(40, 45, "f"), verify: true},
		{op: "tag-delete", name: "p2"},
		{op: "write", rows: partRows(8, 12, "g")},
		{op: "rollback", name: "p1"},
		{op: "write", rows: partRows(50, 55, "h") + partDelete(2)},
		{op: "write", rows: partRows(1, 3, "i")},
		{op: "compact", minor: true},
	}
}

// dvMaintSteps: a deletion-vector table compacted after every write (its
// batch reads skip level 0), with tags, expiry, tag deletion and a
// rollback to a tag: deletion-vector index files live and die with the
// snapshots and tags that reference them.
func dvMaintSteps() []step {
	return []step{
		{op: "write", rows: upserts(1, 30, "a")},
		{op: "compact", minor: true},
		{op: "tag", name: "d1"},
		{op: "write", rows: upserts(20, 40, "b") + pkDelete(3)},
		{op: "compact", minor: true},
		{op: "write", rows: upserts(5, 10, "c") + pkDelete(25)},
		{op: "compact", minor: true},
		{op: "tag", name: "d2"},
		{op: "write", rows: upserts(35, 50, "d") + pkDelete(6)},
		{op: "compact", minor: true},
		{op: "expire", n: 2},
		{op: "tag-delete", name: "d1"},
		{op: "rollback", name: "d2"},
		{op: "write", rows: upserts(1, 5, "e") + pkDelete(30)},
		{op: "compact", minor: true},
		{op: "expire", n: 1},
	}
}

// upsertMaintSteps use what every engine writes (+I rows, one commit
// each; no compaction): tags, expiry, tag deletion, rollbacks.
func upsertMaintSteps() []step {
	return []step{
		{op: "write", rows: upserts(1, 10, "a")},
		{op: "tag", name: "u1"},
		{op: "write", rows: upserts(5, 15, "b"), mark: "b"},
		{op: "write", rows: upserts(12, 20, "c")},
		{op: "tag", name: "u2", at: "b"},
		{op: "write", rows: upserts(1, 3, "d"), mark: "d"},
		{op: "expire", n: 2},
		{op: "tag-delete", name: "u2"},
		{op: "write", rows: upserts(18, 25, "e")},
		{op: "rollback", at: "d"},
		{op: "rollback", name: "u1"},
		{op: "write", rows: upserts(30, 33, "f")},
	}
}

// javaTagsFloeExpires: Java writes and tags, floe writes, expires,
// deletes a Java tag and rolls back to a Java tag whose snapshot it
// expired; Java writes on top.
func javaTagsFloeExpires() []step {
	return []step{
		{who: "B", op: "write", rows: upserts(1, 30, "a")},
		{who: "B", op: "tag", name: "j1"},
		{who: "A", op: "write", rows: upserts(20, 40, "b") + pkDelete(3), mark: "b"},
		{who: "B", op: "write", rows: upserts(5, 10, "c") + pkDelete(25)},
		{who: "B", op: "compact"},
		{who: "B", op: "tag", name: "j2"},
		{who: "A", op: "write", rows: upserts(35, 50, "d") + pkDelete(6)},
		{who: "B", op: "tag", name: "j3", at: "b"},
		{who: "A", op: "write", rows: upserts(1, 5, "e")},
		{who: "A", op: "expire", n: 2},
		{who: "A", op: "tag-delete", name: "j3"},
		{who: "B", op: "write", rows: upserts(45, 55, "f")},
		{who: "A", op: "rollback", name: "j1"},
		{who: "B", op: "write", rows: upserts(60, 65, "g") + pkDelete(2)},
		{who: "A", op: "compact", minor: true},
		{who: "B", op: "tag", name: "j4"},
		{who: "A", op: "write", rows: upserts(2, 4, "h")},
		{who: "A", op: "expire", n: 1},
	}
}

// floeTagsJavaExpires is the same with the roles swapped: floe tags,
// Java expires, deletes a floe tag and rolls back to a floe tag.
func floeTagsJavaExpires() []step {
	steps := javaTagsFloeExpires()
	for i := range steps {
		if steps[i].who == "A" {
			steps[i].who = "B"
		} else {
			steps[i].who = "A"
		}
	}
	for i := range steps {
		steps[i].name = strings.Replace(steps[i].name, "j", "f", 1)
	}
	return steps
}

func maintenanceShapes() []shape {
	floeJava := []string{"floe", "java"}
	return []shape{
		{name: "maintenance: pk, tags, expire, rollback", spec: pkCompactSpec, steps: pkMaintSteps(), model: "pk", writers: floeJava},
		{name: "maintenance: append, expire by time, tag delete, rollback", spec: appendPartSpec, steps: appendMaintSteps(), model: "append", writers: floeJava},
		{name: "maintenance: pk partitioned, expiry on commit, changelog", spec: maintPartSpec, steps: partMaintSteps(), model: "pk", writers: floeJava},
		{name: "maintenance: deletion vectors, tags, expire, rollback", spec: dvCompactSpec, steps: dvMaintSteps(), model: "dv", writers: floeJava},
		{name: "maintenance: upserts, every engine", spec: maintUpsertSpec, steps: upsertMaintSteps(), model: "pk"},
		{name: "maintenance, mixed: java tags, floe expires", spec: pkCompactSpec, steps: javaTagsFloeExpires(), model: "pk",
			mixed: true, floeFirst: true, writers: []string{"java"}},
		{name: "maintenance, mixed: floe tags, java expires", spec: pkCompactSpec, steps: floeTagsJavaExpires(), model: "pk",
			mixed: true, floeFirst: true, writers: []string{"java"}},
	}
}

// ---- the table's files, read by the driver ----

func tableDir(wh string) string { return filepath.Join(wh, "db.db", "t") }

// snapFile is what the driver reads of a snapshot or tag file.
type snapFile struct {
	ID         int64  `json:"id"`
	CommitKind string `json:"commitKind"`
	TimeMillis int64  `json:"timeMillis"`
}

func readSnapshotFile(wh string, id int64) (snapFile, error) {
	return readSnapFile(filepath.Join(tableDir(wh), "snapshot", fmt.Sprintf("snapshot-%d", id)))
}

func readSnapFile(path string) (snapFile, error) {
	var s snapFile
	b, err := os.ReadFile(path)
	if err != nil {
		return s, err
	}
	err = json.Unmarshal(b, &s)
	return s, err
}

// listSnapshots returns the ids of the snapshot files, ascending.
func listSnapshots(wh string) ([]int64, error) {
	es, err := os.ReadDir(filepath.Join(tableDir(wh), "snapshot"))
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	var ids []int64
	for _, e := range es {
		if rest, ok := strings.CutPrefix(e.Name(), "snapshot-"); ok {
			if id, err := strconv.ParseInt(rest, 10, 64); err == nil {
				ids = append(ids, id)
			}
		}
	}
	slices.Sort(ids)
	return ids, nil
}

// listTags returns the tags and their snapshot ids.
func listTags(wh string) (map[string]int64, error) {
	dir := filepath.Join(tableDir(wh), "tag")
	es, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	tags := map[string]int64{}
	for _, e := range es {
		name, ok := strings.CutPrefix(e.Name(), "tag-")
		if !ok || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		s, err := readSnapFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		tags[name] = s.ID
	}
	return tags, nil
}

func sortedTags(tags map[string]int64) []string {
	names := make([]string, 0, len(tags))
	for n := range tags {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ---- the model ----

// maintModel knows the rows of every snapshot id the table has had.
type maintModel struct {
	kind string
	// hist is the writes the latest snapshot holds; visible, of a
	// deletion-vector table, those its batch read shows (up to the last
	// compaction: batch reads skip level 0).
	hist, visible []step
	// histAt and at are the same per snapshot id.
	histAt, at map[int64][]step
	last       int64 // the largest snapshot id of the current history
}

// advance records the snapshots a step committed: ids above last.
func (m *maintModel) advance(wh string, ids []int64) error {
	for _, id := range ids {
		if id <= m.last {
			continue
		}
		m.last = id
		if m.kind == "dv" {
			s, err := readSnapshotFile(wh, id)
			if err != nil {
				return err
			}
			if s.CommitKind == "COMPACT" {
				m.visible = m.hist
			}
		} else {
			m.visible = m.hist
		}
		m.histAt[id], m.at[id] = m.hist, m.visible
	}
	return nil
}

// rows is the expected dump of snapshot id.
func (m *maintModel) rows(id int64) (string, bool) {
	w, ok := m.at[id]
	if !ok {
		return "", false
	}
	kind := m.kind
	if kind == "dv" {
		kind = "pk"
	}
	return model(kind, w), true
}

// readTally is one reader's results over a maintenance job.
type readTally struct {
	reads, checks int
	fail          cell // first failure
	known         cell // first known failure
	unsupported   string
	notes         []string
}

// runMaintenance runs a maintenance case: the steps, with the model
// following each, and after each step that changes snapshots or tags
// (and the last) every reader's dumps of the latest snapshot, every
// snapshot and every tag against the model, and the checks.
func runMaintenance(t *testing.T, wh string, sh shape, j job, engines []*engine, r row,
	writerFail func(*engine, string, result) row, all func(cell) row) row {
	m := &maintModel{kind: sh.model, histAt: map[int64][]step{}, at: map[int64][]step{}}
	ids := map[*engine]int64{}
	marks := map[string]int64{}
	tally := map[string]*readTally{}
	points := 0
	var notes []string   // for the first writer's cell
	var skipped []string // steps a writer could not do, for every cell
	for i, st := range sh.steps {
		e := j.a
		if st.who == "B" {
			e = j.b
		}
		what := fmt.Sprintf("step %d (%s %s)", i+1, e.name, describeStep(st, marks))
		before, err := listSnapshots(wh)
		if err != nil {
			t.Fatal(err)
		}
		tagsBefore, err := listTags(wh)
		if err != nil {
			t.Fatal(err)
		}
		// The rollback's target, resolved before the tag may go.
		var target int64
		if st.op == "rollback" {
			if st.name != "" {
				target = tagsBefore[st.name]
			} else {
				target = marks[st.at]
			}
		}
		op, args, err := stepCommand(wh, i, st, e, ids, marks)
		if err != nil {
			t.Fatal(err)
		}
		if res := e.run(op, args...); res.code != 0 {
			if res.unsupported() && (st.op == "expire" || st.op == "tag-delete" || st.op == "rollback") {
				// No later step depends on it: the engine skips it (pypaimon
				// has no expiry) and the others read what it left.
				skipped = append(skipped, fmt.Sprintf("%s cannot %s: skipped", e.name, describeStep(st, marks)))
				continue
			}
			return writerFail(e, fmt.Sprintf("step %d (%s)", i+1, st.op), res)
		}
		after, err := listSnapshots(wh)
		if err != nil {
			t.Fatal(err)
		}
		tags, err := listTags(wh)
		if err != nil {
			t.Fatal(err)
		}
		switch st.op {
		case "write":
			m.hist = append(slices.Clip(m.hist), st)
		case "rollback":
			if _, ok := m.at[target]; !ok {
				t.Fatalf("%s: the model has no snapshot %d", what, target)
			}
			m.hist, m.visible = m.histAt[target], m.at[target]
			for id := range m.at {
				if id > target {
					delete(m.at, id)
					delete(m.histAt, id)
				}
			}
			m.last = target
		}
		if err := m.advance(wh, after); err != nil {
			t.Fatal(err)
		}
		if len(after) > 0 && st.mark != "" {
			marks[st.mark] = after[len(after)-1]
		}
		// What the step must have done, whoever did it.
		if p := stepEffect(st, target, marks, before, after, tagsBefore, tags); p != "" {
			c := cell{"FAIL", e.name + " " + what + ": " + p}
			if reason, ok := known(sh.name, j, "*"); ok {
				c = cell{"known failure", reason}
			}
			return all(c)
		}
		if st.op == "expire" && st.at != "" && len(after) > 0 {
			// Expiry by time: Paimon 1.4 and 2.0 (and floe) differ by one
			// snapshot (interop/README.md, expire).
			notes = append(notes, fmt.Sprintf("%s by %s kept snapshots %d to %d", describeStep(st, marks), e.name, after[0], after[len(after)-1]))
		}
		last := i == len(sh.steps)-1
		if !(last || st.verify || st.op == "expire" || st.op == "tag-delete" || st.op == "rollback") {
			continue
		}
		points++
		verifyMaintenance(wh, sh, j, engines, m, after, tags, what, last, tally)
	}
	for _, e := range engines {
		switch {
		case e.reason != "":
			r.cells[e.name] = cell{"not run", ""}
		case !e.reading(sh, j):
			r.cells[e.name] = cell{"not sampled", ""}
		default:
			tl := tally[e.name]
			switch {
			case tl == nil:
				r.cells[e.name] = cell{"not run", ""}
			case tl.fail.status != "":
				r.cells[e.name] = tl.fail
			case tl.known.status != "":
				r.cells[e.name] = tl.known
			case tl.reads == 0 && tl.unsupported != "":
				r.cells[e.name] = cell{"unsupported", tl.unsupported}
			default:
				note := fmt.Sprintf("%d reads", tl.reads)
				if readsAllPoints(e) {
					note += fmt.Sprintf(" at %d points", points)
				} else {
					note += " after the last step"
				}
				if tl.checks > 0 {
					note += fmt.Sprintf("; checked %d times", tl.checks)
				}
				for _, n := range tl.notes {
					note += "; " + n
				}
				if tl.unsupported != "" {
					note += "; " + tl.unsupported
				}
				if e == j.a {
					for _, n := range notes {
						note += "; " + n
					}
				}
				for _, n := range skipped {
					note += "; " + n
				}
				r.cells[e.name] = cell{"pass", note}
			}
		}
	}
	return r
}

// readsAllPoints: floe and Java read at every verification point; the
// slower engines after the last step only.
func readsAllPoints(e *engine) bool {
	return e.name == "floe" || strings.HasPrefix(e.name, "java")
}

func describeStep(st step, marks map[string]int64) string {
	switch st.op {
	case "tag":
		if st.at != "" {
			return fmt.Sprintf("tag %s of snapshot %d", st.name, marks[st.at])
		}
		return "tag " + st.name
	case "tag-delete":
		return "tag-delete " + st.name
	case "rollback":
		if st.name != "" {
			return "rollback to tag " + st.name
		}
		return fmt.Sprintf("rollback to snapshot %d", marks[st.at])
	case "expire":
		if st.at != "" {
			return fmt.Sprintf("expire older than snapshot %d, retain-max %d", marks[st.at], st.n)
		}
		return fmt.Sprintf("expire retain-max %d", st.n)
	case "compact":
		if st.minor {
			return "compact"
		}
		return "compact --full"
	}
	return st.op
}

// stepEffect checks what a maintenance step did to the snapshot and tag
// files ("" when right).
func stepEffect(st step, target int64, marks map[string]int64, before, after []int64, tagsBefore, tags map[string]int64) string {
	switch st.op {
	case "expire":
		if len(after) == 0 || len(before) > 0 && after[len(after)-1] != before[len(before)-1] {
			return fmt.Sprintf("snapshots %v left %v: the latest must stay", before, after)
		}
		if st.at == "" && len(after) != min(st.n, len(before)) {
			return fmt.Sprintf("retain-max %d left snapshots %v of %v", st.n, after, before)
		}
		if len(after) > st.n || len(after) > len(before) {
			return fmt.Sprintf("retain-max %d left snapshots %v of %v", st.n, after, before)
		}
		if len(tags) != len(tagsBefore) {
			return fmt.Sprintf("tags %v became %v", tagsBefore, tags)
		}
	case "tag":
		id, ok := tags[st.name]
		want := int64(0)
		if len(after) > 0 {
			want = after[len(after)-1]
		}
		if st.at != "" {
			want = marks[st.at]
		}
		if !ok || id != want {
			return fmt.Sprintf("tag %s is of snapshot %d, want %d", st.name, id, want)
		}
	case "tag-delete":
		if _, ok := tags[st.name]; ok || len(tags) != len(tagsBefore)-1 {
			return fmt.Sprintf("tags %v became %v", tagsBefore, tags)
		}
		if !slices.Equal(before, after) {
			return fmt.Sprintf("snapshots %v became %v", before, after)
		}
	case "rollback":
		if len(after) == 0 || after[len(after)-1] != target {
			return fmt.Sprintf("the latest snapshot is %v, want %d", after, target)
		}
		for name, id := range tagsBefore {
			if _, ok := tags[name]; ok != (id <= target) {
				return fmt.Sprintf("tags %v became %v (tags after snapshot %d go, the others stay)", tagsBefore, tags, target)
			}
		}
	}
	return ""
}

// verifyMaintenance reads the table's latest snapshot, every snapshot and
// every tag with each reader and compares them with the model, then runs
// the checks (floe's and Java's).
func verifyMaintenance(wh string, sh shape, j job, engines []*engine, m *maintModel, snaps []int64, tags map[string]int64,
	what string, last bool, tally map[string]*readTally) {
	type view struct {
		name string
		args []string
		want string
	}
	var views []view
	base := []string{"--warehouse", wh, "--table", "db.t"}
	add := func(name string, id int64, extra ...string) {
		want, ok := m.rows(id)
		if !ok {
			want = fmt.Sprintf("(the model has no snapshot %d)\n", id)
		}
		views = append(views, view{name, append(append([]string{}, base...), extra...), want})
	}
	if len(snaps) > 0 {
		add("latest", snaps[len(snaps)-1])
	}
	for _, id := range snaps {
		add(fmt.Sprintf("snapshot %d", id), id, "--snapshot", strconv.FormatInt(id, 10))
	}
	for _, name := range sortedTags(tags) {
		add(fmt.Sprintf("tag %s (snapshot %d)", name, tags[name]), tags[name], "--tag", name)
	}
	// fail records a failure, or the first known failure (and reading
	// goes on: a later unknown failure still shows).
	fail := func(tl *readTally, reader string, msg string) {
		if reason, ok := known(sh.name, j, reader); ok {
			if tl.known.status == "" {
				tl.known = cell{"known failure", reason}
			}
			return
		}
		tl.fail = cell{"FAIL", "after " + what + ": " + msg}
	}
	for _, e := range engines {
		if !e.reading(sh, j) || (!last && !readsAllPoints(e)) {
			continue
		}
		tl := tally[e.name]
		if tl == nil {
			tl = &readTally{}
			tally[e.name] = tl
		}
		if tl.fail.status != "" {
			continue // report the first failure only
		}
		for _, v := range views {
			res := e.run("dump", v.args...)
			switch {
			case res.unsupported():
				if tl.unsupported == "" {
					tl.unsupported = "cannot read " + v.name + " after " + what + ": " + res.message()
				}
				continue
			case res.code != 0:
				fail(tl, e.name, v.name+": "+res.message())
			default:
				if d := diff(v.want, res.out); d != "" {
					fail(tl, e.name, v.name+": "+d)
				}
			}
			if tl.fail.status != "" {
				break
			}
			tl.reads++
		}
		if tl.fail.status != "" || !readsAllPoints(e) {
			continue
		}
		res := e.run("check", base...)
		switch {
		case res.code == 0:
			tl.checks++
		case res.unsupported():
		default:
			fail(tl, e.name+" check", "check: "+res.message())
		}
		// floe's check notes a tag whose changelog Paimon's expiry removed.
		if strings.Contains(res.out, "note:") && strings.Contains(res.out, "changelog") {
			n := "check: a tag's changelog files are gone (Paimon's expiry removes them; batch reads do not use them)"
			if !slices.Contains(tl.notes, n) {
				tl.notes = append(tl.notes, n)
			}
		}
	}
}
