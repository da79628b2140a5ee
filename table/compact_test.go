package table

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/floelake/floe/manifest"
	"github.com/floelake/floe/snapshot"
)

// writeKinds writes JSON rows that may carry "_ROW_KIND" ("+I", "-D", …)
// as one commit.
func (e *castEnv) writeKinds(rows string) {
	e.t.Helper()
	e.commitKinds(rows, CommitOptions{})
}

// commitKinds writes JSON rows that may carry "_ROW_KIND" with a new
// writer and commits them with opts; it returns the prepared messages and
// the commit's result.
func (e *castEnv) commitKinds(rows string, opts CommitOptions) ([]CommitMessage, *CommitResult) {
	t := e.t
	t.Helper()
	tb := e.open()
	rec := e.kindRecord(tb, rows)
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
	res, err := tb.Commit(e.ctx, msgs, opts)
	if err != nil {
		t.Fatal(err)
	}
	return msgs, res
}

// kindRecord builds a record of JSON rows that may carry "_ROW_KIND".
func (e *castEnv) kindRecord(tb *Table, rows string) arrow.Record {
	t := e.t
	t.Helper()
	sc, err := tb.Schema().ArrowSchema()
	if err != nil {
		t.Fatal(err)
	}
	fields := append(slices.Clone(sc.Fields()), arrow.Field{Name: RowKindColumn, Type: arrow.BinaryTypes.String, Nullable: true})
	var objs []map[string]any
	if err := json.Unmarshal([]byte(rows), &objs); err != nil {
		t.Fatal(err)
	}
	for _, o := range objs {
		if _, ok := o[RowKindColumn]; !ok {
			o[RowKindColumn] = "+I"
		}
	}
	b, _ := json.Marshal(objs)
	rec, _, err := array.RecordFromJSON(e.alloc, arrow.NewSchema(fields, nil), bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func (e *castEnv) rows() string {
	e.t.Helper()
	got, _, err := e.read(ScanOptions{})
	if err != nil {
		e.t.Fatal(err)
	}
	return got
}

func (e *castEnv) compact(opts CompactOptions) *CompactResult {
	e.t.Helper()
	opts.Alloc = e.alloc
	res, err := e.open().Compact(e.ctx, opts)
	if err != nil {
		e.t.Fatal(err)
	}
	return res
}

func (e *castEnv) liveFiles() []manifest.Entry {
	e.t.Helper()
	tb := e.open()
	s, err := snapshot.Latest(e.ctx, tb.store)
	if err != nil {
		e.t.Fatal(err)
	}
	live, err := manifest.LiveFiles(e.ctx, tb.store, s.BaseManifestList, s.DeltaManifestList)
	if err != nil {
		e.t.Fatal(err)
	}
	return live
}

var compactPKSteps = []string{
	`[{"id":1,"v":"a"},{"id":2,"v":"b"},{"id":3,"v":"c"},{"id":4,"v":"d"}]`,
	`[{"id":2,"v":"b2","_ROW_KIND":"+U"},{"id":3,"v":null,"_ROW_KIND":"-D"},{"id":5,"v":"e"}]`,
	`[{"id":1,"v":"a3"},{"id":6,"v":"f"}]`,
	`[{"id":6,"v":null,"_ROW_KIND":"-D"},{"id":7,"v":"g"}]`,
	`[{"id":8,"v":"h"},{"id":2,"v":"b5"}]`,
	`[{"id":9,"v":"i"}]`,
}

const compactPKWant = "1 a3\n2 b5\n4 d\n5 e\n7 g\n8 h\n9 i"

func pkCompactSpec(opts ...Option) Spec {
	return Spec{Columns: []Column{{Name: "id", Type: "INT NOT NULL"}, {Name: "v", Type: "STRING"}},
		PrimaryKeys: []string{"id"}, Options: append([]Option{{"bucket", "2"}}, opts...)}
}

func TestCompactFullPrimaryKey(t *testing.T) {
	e := newCastEnv(t, pkCompactSpec(Option{"write-only", "true"}))
	for _, s := range compactPKSteps {
		e.writeKinds(s)
	}
	if got := e.rows(); got != compactPKWant {
		t.Fatalf("before compaction:\n%s\nwant\n%s", got, compactPKWant)
	}
	res := e.compact(CompactOptions{Full: true})
	if res.Snapshot == nil || res.Snapshot.CommitKind != snapshot.KindCompact {
		t.Fatalf("result %+v: want a COMPACT snapshot", res)
	}
	if got := e.rows(); got != compactPKWant {
		t.Fatalf("after compaction:\n%s\nwant\n%s", got, compactPKWant)
	}
	for _, le := range e.liveFiles() {
		f := le.File
		if f.Level != 5 || f.FileSource == nil || *f.FileSource != manifest.FileSourceCompact || f.DeleteRowCount == nil || *f.DeleteRowCount != 0 {
			t.Errorf("file %s: level %d source %v deletes %v; want level 5, COMPACT, 0 deletes", f.FileName, f.Level, f.FileSource, f.DeleteRowCount)
		}
	}
	if res := e.compact(CompactOptions{Full: true}); res.Snapshot != nil {
		t.Errorf("second full compaction published snapshot %d; want nothing to do", res.Snapshot.ID)
	}
}

// TestCompactLookupTables: first-row and deletion-vector tables skip
// level 0 on read; compaction makes their rows visible.
func TestCompactLookupTables(t *testing.T) {
	for _, c := range []struct {
		name string
		opt  Option
		want string
	}{
		{"dv", Option{"deletion-vectors.enabled", "true"}, compactPKWant},
		{"first-row", Option{"merge-engine", "first-row"}, "1 a\n2 b\n3 c\n4 d\n6 f\n7 g\n8 h\n9 i"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newCastEnv(t, pkCompactSpec(c.opt, Option{"write-only", "true"}))
			steps := compactPKSteps
			if c.name == "first-row" {
				steps = nil
				for _, s := range compactPKSteps {
					if !strings.Contains(s, "-D") {
						steps = append(steps, strings.ReplaceAll(s, `,"_ROW_KIND":"+U"`, ""))
					}
				}
				steps = append(steps, `[{"id":3,"v":"c"},{"id":6,"v":"f"},{"id":7,"v":"g"}]`)
			}
			for i, s := range steps {
				e.writeKinds(s)
				e.compact(CompactOptions{})
				if i == 0 {
					if got := e.rows(); got == "" {
						t.Fatalf("after the first write and compaction: no rows")
					}
				}
			}
			if got := e.rows(); got != c.want {
				t.Fatalf("rows:\n%s\nwant\n%s", got, c.want)
			}
			// Level 0 went up below the top level, so the upper levels
			// were looked up rather than rewritten.
			levels := map[int32]int{}
			for _, le := range e.liveFiles() {
				levels[le.File.Level]++
			}
			if levels[0] != 0 || (c.name == "dv" && levels[4] == 0) {
				t.Errorf("files by level %v: want none at 0 (and, with deletion vectors, some at 4)", levels)
			}
			if c.name == "dv" {
				tb := e.open()
				s, _ := snapshot.Latest(e.ctx, tb.store)
				if s.IndexManifest == nil {
					t.Fatal("no index manifest: compaction wrote no deletion vectors")
				}
				idx, err := manifest.ReadIndexManifest(e.ctx, tb.store, *s.IndexManifest)
				if err != nil {
					t.Fatal(err)
				}
				var dvs int
				for _, ie := range idx {
					if ie.IndexType == manifest.IndexDeletionVectors {
						dvs++
					}
				}
				if dvs == 0 {
					t.Errorf("index manifest %v: no deletion-vector file", idx)
				}
			}
		})
	}
}

func TestCompactAppendSmallFiles(t *testing.T) {
	e := newCastEnv(t, Spec{Columns: []Column{{Name: "id", Type: "INT"}, {Name: "v", Type: "STRING"}},
		Options: []Option{{"bucket", "-1"}, {"write-only", "true"}}})
	var want []string
	for i := range 6 {
		e.writeKinds(`[{"id":` + itoa(i) + `,"v":"x"}]`)
		want = append(want, itoa(i)+" x")
	}
	before := len(e.liveFiles())
	res := e.compact(CompactOptions{})
	if res.Snapshot == nil {
		t.Fatalf("no compaction of %d small files", before)
	}
	live := e.liveFiles()
	if len(live) != 1 {
		t.Errorf("%d files after compaction, want 1", len(live))
	}
	slices.Sort(want)
	if got := e.rows(); got != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}
	_ = context.Background()
}

// TestCompactLookupBelowTop: a small level-0 file goes up below a big top
// level; the top level is looked up, not rewritten. First-row keeps the
// old rows of keys found above; deletion vectors delete them above.
func TestCompactLookupBelowTop(t *testing.T) {
	for _, c := range []struct {
		name string
		opt  Option
		want string // value of key 500 at the end
	}{
		{"first-row", Option{"merge-engine", "first-row"}, "old"},
		{"dv", Option{"deletion-vectors.enabled", "true"}, "new"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newCastEnv(t, Spec{Columns: []Column{{Name: "id", Type: "INT NOT NULL"}, {Name: "v", Type: "STRING"}},
				PrimaryKeys: []string{"id"}, Options: []Option{{"bucket", "1"}, {"write-only", "true"}, c.opt}})
			var b strings.Builder
			b.WriteString("[")
			for i := range 2000 {
				if i > 0 {
					b.WriteString(",")
				}
				b.WriteString(`{"id":` + itoa(i) + `,"v":"old"}`)
			}
			b.WriteString("]")
			e.writeKinds(b.String())
			e.compact(CompactOptions{})
			e.writeKinds(`[{"id":500,"v":"new"},{"id":501,"v":"new"},{"id":5000,"v":"new"}]`)
			res := e.compact(CompactOptions{})
			if res.Snapshot == nil {
				t.Fatal("second compaction did nothing")
			}
			levels := map[int32]int{}
			for _, le := range e.liveFiles() {
				levels[le.File.Level]++
			}
			if levels[5] != 1 || levels[4] != 1 || len(levels) != 2 {
				t.Fatalf("files by level %v: want one at 5 (untouched) and one at 4", levels)
			}
			got := e.rows()
			lines := strings.Split(got, "\n")
			if len(lines) != 2001 {
				t.Fatalf("%d rows, want 2001", len(lines))
			}
			for _, l := range lines {
				if strings.HasPrefix(l, "500 ") && l != "500 "+c.want {
					t.Errorf("row %q, want 500 %s", l, c.want)
				}
				if strings.HasPrefix(l, "5000 ") && l != "5000 new" {
					t.Errorf("row %q, want 5000 new", l)
				}
			}
		})
	}
}

// TestCompactMakesChangelog: with a lookup changelog the writer takes
// level 0 up at every commit and its COMPACT snapshot carries the
// changelog; with full-compaction changelog every commit compacts fully.
// The snapshots' changelog fields are set only where changelog is, and
// count its rows.
func TestCompactMakesChangelog(t *testing.T) {
	for _, p := range []string{"lookup", "full-compaction"} {
		e := newCastEnv(t, pkCompactSpec(Option{"changelog-producer", p}))
		for _, s := range compactPKSteps {
			e.writeKinds(s)
		}
		for _, le := range e.liveFiles() {
			if le.File.Level == 0 {
				t.Errorf("%s: %s left at level 0", p, le.File.FileName)
			}
		}
		snaps, err := e.open().Snapshots(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := 2 * len(compactPKSteps); len(snaps) != want {
			t.Fatalf("%s: %d snapshots, want %d (APPEND, COMPACT per commit)", p, len(snaps), want)
		}
		for _, snap := range snaps {
			id := snap.ID
			has := snap.ChangelogManifestList != nil
			if want := snap.CommitKind == snapshot.KindCompact; has != want ||
				(snap.ChangelogRecordCount == nil) != !has || (snap.ChangelogManifestListSize == nil) != !has {
				t.Errorf("%s: snapshot %d (%s): changelog list %v, size %v, records %v", p, id, snap.CommitKind,
					snap.ChangelogManifestList, snap.ChangelogManifestListSize, snap.ChangelogRecordCount)
			}
		}
	}
}

// TestCompactWideMergeSpills: a section of more sorted runs than
// local-sort.max-num-file-handles is merged in groups through spill files,
// which are gone afterwards; the rows are those of a direct merge, for
// every merge engine and fan-in (runs of different sizes, so the smallest
// are pre-merged first, and some are not pre-merged at all).
func TestCompactWideMergeSpills(t *testing.T) {
	for _, opts := range [][]Option{
		nil,
		{{"changelog-producer", "lookup"}},
		{{"merge-engine", "aggregation"}},
		{{"merge-engine", "first-row"}},
	} {
		deletes := len(opts) == 0 || opts[0].Key != "merge-engine"
		ref := compactWideMerge(t, deletes, append(opts, Option{"local-sort.max-num-file-handles", "128"})...)
		for _, fanIn := range []string{"3", "19"} {
			o := append(slices.Clone(opts), Option{"local-sort.max-num-file-handles", fanIn})
			if got := compactWideMerge(t, deletes, o...); got != ref {
				t.Fatalf("%v: after compaction:\n%s\nwithout spilling:\n%s", o, got, ref)
			}
		}
	}
}

// compactWideMerge writes 20 level-0 files, compacts them fully, checks
// the rows read the same (first-row: reads skip level 0) and the spill
// files are gone, and returns the rows.
func compactWideMerge(t *testing.T, deletes bool, extra ...Option) string {
	t.Helper()
	e := newCastEnv(t, pkCompactSpec(append([]Option{{"write-only", "true"}}, extra...)...))
	firstRow := false
	for _, o := range extra {
		firstRow = firstRow || o.Value == "first-row"
	}
	for c := range 20 {
		var rows []string
		for k := range 1 + c%6 {
			id := (c*3 + k*5) % 17
			kind := "+I"
			if deletes && (c+k)%7 == 0 {
				kind = "-D"
			}
			v := `"c` + itoa(c) + `"`
			if (c+2*k)%5 == 0 {
				v = "null"
			}
			rows = append(rows, `{"id":`+itoa(id)+`,"v":`+v+`,"_ROW_KIND":"`+kind+`"}`)
		}
		e.writeKinds("[" + strings.Join(rows, ",") + "]")
	}
	want := e.rows()
	tmp := t.TempDir()
	res := e.compact(CompactOptions{Full: true, TempDir: tmp})
	if res.Snapshot == nil || res.FilesIn < 20 {
		t.Fatalf("%v: result %+v", extra, res)
	}
	got := e.rows()
	if got != want && !firstRow {
		t.Fatalf("%v: after compaction:\n%s\nwant\n%s", extra, got, want)
	}
	left, _ := os.ReadDir(tmp)
	if len(left) != 0 {
		t.Errorf("%v: temp dir holds %d entries after compaction", extra, len(left))
	}
	return got
}

// TestCompactCancelled: a cancelled compaction publishes nothing, leaves
// the table as it was, and removes the files it wrote.
func TestCompactCancelled(t *testing.T) {
	e := newCastEnv(t, pkCompactSpec(Option{"write-only", "true"}, Option{"bucket", "4"}))
	for _, s := range compactPKSteps {
		e.writeKinds(s)
	}
	want := e.rows()
	countData := func() int {
		n := 0
		tb := e.open()
		for _, b := range []int32{0, 1, 2, 3} {
			dir, _ := tb.BucketPath(e.liveFiles()[0].Partition, b)
			keys, _ := tb.store.List(e.ctx, dir+"/")
			n += len(keys)
		}
		return n
	}
	before := countData()
	ctx, cancel := context.WithCancel(e.ctx)
	_, err := e.open().Compact(ctx, CompactOptions{Full: true, Parallelism: 1, Alloc: e.alloc,
		Progress: func(CompactProgress) { cancel() }})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if got := e.rows(); got != want {
		t.Fatalf("rows changed:\n%s\nwant\n%s", got, want)
	}
	if after := countData(); after != before {
		t.Errorf("%d files in the bucket directories after a cancelled compaction, %d before", after, before)
	}
	if s, _ := snapshot.Latest(e.ctx, e.open().store); s.CommitKind == snapshot.KindCompact {
		t.Errorf("a COMPACT snapshot was published")
	}
}

// TestCompactAppendDropsDeletedRows: compaction of an append table with
// deletion vectors leaves out the rows they delete and retires the vectors.
func TestCompactAppendDropsDeletedRows(t *testing.T) {
	e := newCastEnv(t, Spec{Columns: []Column{{Name: "id", Type: "INT"}, {Name: "v", Type: "STRING"}},
		Options: []Option{{"bucket", "-1"}, {"write-only", "true"}, {"deletion-vectors.enabled", "true"}}})
	for i := range 6 {
		e.writeKinds(`[{"id":` + itoa(2*i) + `,"v":"a"},{"id":` + itoa(2*i+1) + `,"v":"b"}]`)
	}
	// Delete the second row of the first two files, as a DELETE by
	// another engine would.
	live := e.liveFiles()
	tb := e.open()
	marks := map[string]*roaring.Bitmap{live[0].File.FileName: roaring.BitmapOf(1), live[1].File.FileName: roaring.BitmapOf(1)}
	ie, err := tb.writeDeletionVectors(e.ctx, live[0].Partition, live[0].Bucket, marks)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tb.Commit(e.ctx, []CommitMessage{{Partition: live[0].Partition, Bucket: live[0].Bucket, TotalBuckets: live[0].TotalBuckets,
		NewIndexFiles: []manifest.IndexEntry{ie}}}, CommitOptions{}); err != nil {
		t.Fatal(err)
	}
	want := e.rows()
	if n := strings.Count(want, "\n") + 1; n != 10 {
		t.Fatalf("%d rows before compaction, want 10:\n%s", n, want)
	}
	res := e.compact(CompactOptions{Full: true})
	if res.Snapshot == nil || res.RowsOut != 10 {
		t.Fatalf("result %+v: want 10 rows written", res)
	}
	if got := e.rows(); got != want {
		t.Fatalf("rows:\n%s\nwant\n%s", got, want)
	}
	s, _ := snapshot.Latest(e.ctx, tb.store)
	if s.IndexManifest != nil {
		idx, err := manifest.ReadIndexManifest(e.ctx, tb.store, *s.IndexManifest)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range idx {
			if x.IndexType == manifest.IndexDeletionVectors {
				t.Errorf("deletion-vector index %s still live after compaction", x.FileName)
			}
		}
	}
}

// TestCompactDVSequenceField: with deletion vectors and sequence.field, a
// row arriving later with a lower sequence value must not replace the
// compacted one: the compaction merges the whole tree instead of looking
// keys up.
func TestCompactDVSequenceField(t *testing.T) {
	e := newCastEnv(t, Spec{Columns: []Column{{Name: "id", Type: "INT NOT NULL"}, {Name: "v", Type: "STRING"}, {Name: "n", Type: "INT"}},
		PrimaryKeys: []string{"id"}, Options: []Option{{"bucket", "1"}, {"deletion-vectors.enabled", "true"}, {"sequence.field", "n"}}})
	var b strings.Builder
	b.WriteString(`[{"id":1,"v":"new","n":10}`)
	for i := 2; i < 2000; i++ {
		b.WriteString(`,{"id":` + itoa(i) + `,"v":"b","n":1}`)
	}
	e.writeKinds(b.String() + "]")
	e.writeKinds(`[{"id":1,"v":"old","n":5},{"id":5000,"v":"c","n":1}]`)
	got := e.rows()
	if !strings.HasPrefix(got, "1 new 10\n") || strings.Contains(got, "old") || !strings.Contains(got, "5000 c 1") {
		t.Fatalf("rows start %q: want key 1 to keep n=10", got[:min(len(got), 60)])
	}
}

// TestCompactCommitUserReused: Compact commits exactly-once per plan, so
// one commit user compacts again and again.
func TestCompactCommitUserReused(t *testing.T) {
	e := newCastEnv(t, pkCompactSpec(Option{"write-only", "true"}))
	for i, s := range compactPKSteps {
		e.writeKinds(s)
		if i%2 == 1 {
			res := e.compact(CompactOptions{Full: true, CommitUser: "compactor"})
			if res.Snapshot == nil || res.Snapshot.CommitUser != "compactor" {
				t.Fatalf("compaction %d: %+v", i, res)
			}
		}
	}
	if got := e.rows(); got != compactPKWant {
		t.Fatalf("rows:\n%s\nwant\n%s", got, compactPKWant)
	}
}
