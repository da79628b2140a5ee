package table

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/floelake/floe/lsm"
	"github.com/floelake/floe/manifest"
)

// runsPerBucket counts the sorted runs of each bucket of the latest
// snapshot (each level-0 file one, each non-empty level one).
func (e *castEnv) runsPerBucket() map[string]int {
	e.t.Helper()
	byBucket := map[string][]manifest.DataFile{}
	for _, le := range e.liveFiles() {
		k := fmt.Sprintf("%x/%d", le.Partition, le.Bucket)
		byBucket[k] = append(byBucket[k], le.File)
	}
	out := map[string]int{}
	for k, fs := range byBucket {
		out[k] = lsm.NewLevels(fs, 6, func(a, b []byte) int { return strings.Compare(string(a), string(b)) }).NumRuns()
	}
	return out
}

// TestWriterCompactsInline: with default options every commit's writer
// compacts, so a table written by many commits keeps at most
// num-sorted-run.stop-trigger sorted runs per bucket, and rows stay right.
func TestWriterCompactsInline(t *testing.T) {
	e := newCastEnv(t, Spec{Columns: []Column{{Name: "id", Type: "INT NOT NULL"}, {Name: "v", Type: "STRING"}},
		PrimaryKeys: []string{"id"}, Options: []Option{{"bucket", "2"}}})
	model := map[int]string{}
	compacted := false
	for c := range 40 {
		var rows []string
		for k := range 5 {
			id := (c*7 + k*13) % 60
			v := fmt.Sprintf("c%d", c)
			model[id] = v
			rows = append(rows, fmt.Sprintf(`{"id":%d,"v":"%s"}`, id, v))
		}
		e.writeKinds("[" + strings.Join(rows, ",") + "]")
		for k, n := range e.runsPerBucket() {
			if n > 8 {
				t.Fatalf("commit %d: bucket %s has %d sorted runs, above the stop trigger 8", c, k, n)
			}
		}
		for _, le := range e.liveFiles() {
			if le.File.Level > 0 {
				compacted = true
			}
		}
	}
	if !compacted {
		t.Fatal("no file ever left level 0")
	}
	var want []string
	for id, v := range model {
		want = append(want, fmt.Sprintf("%d %s", id, v))
	}
	sort.Strings(want)
	if got := e.rows(); got != strings.Join(want, "\n") {
		t.Fatalf("rows:\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}
}

// TestWriterLookupTablesVisibleAfterEachCommit: first-row and
// deletion-vector tables written by floe scan exactly their rows after
// every commit (the writer compacts level 0 up before it prepares).
func TestWriterLookupTablesVisibleAfterEachCommit(t *testing.T) {
	for _, opt := range []Option{{"deletion-vectors.enabled", "true"}, {"merge-engine", "first-row"}} {
		t.Run(opt.Value, func(t *testing.T) {
			e := newCastEnv(t, Spec{Columns: []Column{{Name: "id", Type: "INT NOT NULL"}, {Name: "v", Type: "STRING"}},
				PrimaryKeys: []string{"id"}, Options: []Option{{"bucket", "2"}, opt}})
			firstRow := opt.Key == "merge-engine"
			model := map[int]string{}
			for c := range 25 {
				var rows []string
				for k := range 4 {
					id := (c*5 + k*11) % 40
					v := fmt.Sprintf("c%d", c)
					if _, ok := model[id]; !ok || !firstRow {
						model[id] = v
					}
					rows = append(rows, fmt.Sprintf(`{"id":%d,"v":"%s"}`, id, v))
				}
				e.writeKinds("[" + strings.Join(rows, ",") + "]")
				var want []string
				ids := make([]int, 0, len(model))
				for id := range model {
					ids = append(ids, id)
				}
				sort.Ints(ids)
				for _, id := range ids {
					want = append(want, fmt.Sprintf("%d %s", id, model[id]))
				}
				sort.Strings(want)
				if got := e.rows(); got != strings.Join(want, "\n") {
					t.Fatalf("after commit %d:\n%s\nwant\n%s", c, got, strings.Join(want, "\n"))
				}
			}
		})
	}
}

// TestWriterStallsAtStopTrigger: one writer flushing many level-0 files
// before it prepares waits for compaction whenever a bucket has more
// sorted runs than num-sorted-run.stop-trigger.
func TestWriterStallsAtStopTrigger(t *testing.T) {
	e := newCastEnv(t, Spec{Columns: []Column{{Name: "id", Type: "INT NOT NULL"}, {Name: "v", Type: "STRING"}},
		PrimaryKeys: []string{"id"}, Options: []Option{{"bucket", "1"}, {"write-buffer-size", "1b"},
			{"write-buffer-spillable", "false"}, {"num-sorted-run.compaction-trigger", "2"}, {"num-sorted-run.stop-trigger", "3"}}})
	tb := e.open()
	w, err := tb.NewWriter(e.ctx, WriterOptions{Alloc: e.alloc, SpillDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	sc, _ := tb.Schema().ArrowSchema()
	for i := range 60 {
		rec, _, err := array.RecordFromJSON(e.alloc, sc, strings.NewReader(fmt.Sprintf(`[{"id":%d,"v":"x%d"}]`, i%13, i)))
		if err != nil {
			t.Fatal(err)
		}
		err = w.Write(e.ctx, rec)
		rec.Release()
		if err != nil {
			t.Fatal(err)
		}
	}
	msgs, err := w.Prepare(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	st := w.Stats()
	if st.Flushes < 50 || st.Compactions == 0 || st.CompactionStalls == 0 {
		t.Errorf("stats %+v: want many flushes, compactions and stalls", st)
	}
	if _, err := tb.Commit(e.ctx, msgs, CommitOptions{}); err != nil {
		t.Fatal(err)
	}
	for k, n := range e.runsPerBucket() {
		if n > 3 {
			t.Errorf("bucket %s: %d sorted runs after Prepare, above the stop trigger 3", k, n)
		}
	}
	if got := strings.Count(e.rows(), "\n") + 1; got != 13 {
		t.Errorf("%d rows, want 13", got)
	}
}

// TestWriterCompactsAppendInline: append tables (fixed and unaware
// buckets) compact their small files as commits add them.
func TestWriterCompactsAppendInline(t *testing.T) {
	for _, opts := range [][]Option{{{"bucket", "-1"}}, {{"bucket", "2"}, {"bucket-key", "id"}}} {
		t.Run(opts[0].Value, func(t *testing.T) {
			e := newCastEnv(t, Spec{Columns: []Column{{Name: "id", Type: "INT"}, {Name: "v", Type: "STRING"}}, Options: opts})
			var want []string
			for c := range 23 {
				e.writeKinds(fmt.Sprintf(`[{"id":%d,"v":"x"},{"id":%d,"v":"y"}]`, c, c+100))
				want = append(want, fmt.Sprintf("%d x", c), fmt.Sprintf("%d y", c+100))
			}
			sort.Strings(want)
			if got := e.rows(); got != strings.Join(want, "\n") {
				t.Fatalf("rows:\n%s\nwant\n%s", got, strings.Join(want, "\n"))
			}
			if n := len(e.liveFiles()); n > 12 {
				t.Errorf("%d live files after 23 commits: small files were not compacted", n)
			}
		})
	}
}

// TestWriterFullCompactionDeltaCommits: with full-compaction.delta-commits
// a writer fully compacts its buckets every that many commits.
func TestWriterFullCompactionDeltaCommits(t *testing.T) {
	e := newCastEnv(t, Spec{Columns: []Column{{Name: "id", Type: "INT NOT NULL"}, {Name: "v", Type: "STRING"}},
		PrimaryKeys: []string{"id"}, Options: []Option{{"bucket", "1"}, {"full-compaction.delta-commits", "3"},
			{"num-sorted-run.compaction-trigger", "50"}}})
	tb := e.open()
	w, err := tb.NewWriter(e.ctx, WriterOptions{Alloc: e.alloc, SpillDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	sc, _ := tb.Schema().ArrowSchema()
	for c := 1; c <= 6; c++ {
		rec, _, err := array.RecordFromJSON(e.alloc, sc, strings.NewReader(fmt.Sprintf(`[{"id":%d,"v":"x"},{"id":1,"v":"c%d"}]`, c+10, c)))
		if err != nil {
			t.Fatal(err)
		}
		err = w.Write(e.ctx, rec)
		rec.Release()
		if err != nil {
			t.Fatal(err)
		}
		msgs, err := w.Prepare(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tb.Commit(e.ctx, msgs, CommitOptions{}); err != nil {
			t.Fatal(err)
		}
		level0 := 0
		for _, le := range e.liveFiles() {
			if le.File.Level == 0 {
				level0++
			}
		}
		if want := c % 3; level0 != want {
			t.Errorf("after commit %d: %d level-0 files, want %d", c, level0, want)
		}
	}
}
