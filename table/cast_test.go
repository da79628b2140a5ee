package table

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/catalog"
	"github.com/floelake/floe/predicate"
	"github.com/floelake/floe/schema"
)

// castEnv is a table in a fresh catalog with helpers to write, alter and
// read it.
type castEnv struct {
	t     *testing.T
	ctx   context.Context
	cat   *catalog.Catalog
	id    catalog.Identifier
	alloc *memory.CheckedAllocator
}

func newCastEnv(t *testing.T, spec Spec) *castEnv {
	ctx := context.Background()
	cat, err := catalog.Open(ctx, t.TempDir(), catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	if err := cat.CreateDatabase(ctx, "db", false); err != nil {
		t.Fatal(err)
	}
	e := &castEnv{t: t, ctx: ctx, cat: cat, id: catalog.Identifier{Database: "db", Table: "t"},
		alloc: memory.NewCheckedAllocator(memory.DefaultAllocator)}
	t.Cleanup(func() { e.alloc.AssertSize(t, 0) })
	tb, err := Create(ctx, cat, e.id, spec, CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tb.Close()
	return e
}

func (e *castEnv) open() *Table {
	tb, err := OpenIn(e.ctx, e.cat, e.id)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { tb.Close() })
	return tb
}

func (e *castEnv) write(rows string) {
	t := e.t
	t.Helper()
	tb := e.open()
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
	if _, err := tb.Commit(e.ctx, msgs, CommitOptions{}); err != nil {
		t.Fatal(err)
	}
}

func (e *castEnv) alter(changes ...SchemaChange) {
	e.t.Helper()
	if _, err := Alter(e.ctx, e.cat, e.id, changes...); err != nil {
		e.t.Fatal(err)
	}
}

// read returns the sorted rows of a scan ("a b c" per row) and its plan.
func (e *castEnv) read(so ScanOptions) (string, *Plan, error) {
	tb := e.open()
	plan, err := tb.NewScan(e.ctx, so)
	if err != nil {
		return "", nil, err
	}
	var rows []string
	for _, s := range plan.Splits {
		rr, err := tb.Read(e.ctx, s, ReadOptions{Alloc: e.alloc})
		if err != nil {
			return "", nil, err
		}
		for rr.Next() {
			rec := rr.RecordBatch()
			for i := range int(rec.NumRows()) {
				var row []string
				for c := range int(rec.NumCols()) {
					row = append(row, rec.Column(c).ValueStr(i))
				}
				rows = append(rows, strings.Join(row, " "))
			}
		}
		err = rr.Err()
		rr.Release()
		if err != nil {
			return "", nil, err
		}
	}
	slices.Sort(rows)
	return strings.Join(rows, "\n"), plan, nil
}

// TestCastFilterIgnoresOldStats: after INT → STRING the file written
// before keeps INT statistics (9..100) that say nothing about the order of
// the strings ("100" < "5" < "9"); the filter must be evaluated on the cast
// values, never prune with the old statistics.
func TestCastFilterIgnoresOldStats(t *testing.T) {
	e := newCastEnv(t, Spec{Columns: []Column{{Name: "id", Type: "INT"}, {Name: "v", Type: "INT"}},
		Options: []Option{{"bucket", "-1"}}})
	e.write(`[{"id":1,"v":9},{"id":2,"v":100}]`)
	e.alter(UpdateColumnType("v", "STRING"))
	e.write(`[{"id":3,"v":"50"}]`)
	got, plan, err := e.read(ScanOptions{Filter: predicate.Greater("v", "5")})
	if err != nil {
		t.Fatal(err)
	}
	if want := "1 9\n3 50"; got != want {
		t.Errorf("v > '5': got\n%s\nwant\n%s", got, want)
	}
	if plan.Stats.FilesSkipped != 0 {
		t.Errorf("v > '5': %+v, want no file skipped", plan.Stats)
	}
	// Nothing is pruned by the old file's statistics.
	_, plan, err = e.read(ScanOptions{Filter: predicate.Equal("v", "9")})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Stats.Files != 2 || plan.Stats.FilesSkipped != 1 {
		t.Errorf("v = '9': %+v, want the old file kept and the new one skipped", plan.Stats)
	}
}

// TestCastFilterWidenedStats: integer widening keeps the order, so the old
// file's statistics still prune, as Java does for such filters.
func TestCastFilterWidenedStats(t *testing.T) {
	e := newCastEnv(t, Spec{Columns: []Column{{Name: "id", Type: "INT"}, {Name: "v", Type: "INT"}},
		Options: []Option{{"bucket", "-1"}}})
	e.write(`[{"id":1,"v":9},{"id":2,"v":100}]`)
	e.alter(UpdateColumnType("v", "BIGINT"))
	e.write(`[{"id":3,"v":30000000000}]`)
	got, plan, err := e.read(ScanOptions{Filter: predicate.Greater("v", int64(1000))})
	if err != nil {
		t.Fatal(err)
	}
	if got != "3 30000000000" || plan.Stats.FilesSkipped != 1 {
		t.Errorf("v > 1000: %q, %+v", got, plan.Stats)
	}
	got, plan, err = e.read(ScanOptions{Filter: predicate.Less("v", int64(50))})
	if err != nil {
		t.Fatal(err)
	}
	if got != "1 9" || plan.Stats.FilesSkipped != 1 {
		t.Errorf("v < 50: %q, %+v", got, plan.Stats)
	}
}

// TestCastPrimaryKeyTable reads a primary-key table across ALTERs: merged
// rows from old and new files, values cast, a filter on a cast column, and
// a sequence field whose type changed.
func TestCastPrimaryKeyTable(t *testing.T) {
	e := newCastEnv(t, Spec{
		Columns:     []Column{{Name: "id", Type: "INT"}, {Name: "d", Type: "DOUBLE"}, {Name: "s", Type: "STRING"}, {Name: "seq", Type: "INT"}},
		PrimaryKeys: []string{"id"},
		Options:     []Option{{"bucket", "1"}, {"sequence.field", "seq"}},
	})
	e.write(`[{"id":1,"d":2.0,"s":"1.5","seq":5},{"id":2,"d":1e20,"s":"-7","seq":5},{"id":3,"d":0.1,"s":"3","seq":5}]`)
	e.alter(UpdateColumnType("d", "STRING"), UpdateColumnType("s", "INT"), UpdateColumnType("seq", "BIGINT"))
	// id 1: a newer sequence wins; id 2: an older sequence loses.
	e.write(`[{"id":1,"d":"new","s":10,"seq":6},{"id":2,"d":"old","s":20,"seq":4}]`)
	got, _, err := e.read(ScanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "1 new 10 6\n2 1.0E20 -7 5\n3 0.1 3 5"; got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	got, _, err = e.read(ScanOptions{Filter: predicate.Less("s", int32(5)), Columns: []string{"id", "s"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := "2 -7\n3 3"; got != want {
		t.Errorf("s < 5: got\n%s\nwant\n%s", got, want)
	}
	// Time travel to snapshot 1 reads with schema 0: no cast.
	got, _, err = e.read(ScanOptions{SnapshotID: 1})
	if err != nil {
		t.Fatal(err)
	}
	if want := "1 2 1.5 5\n2 1e+20 -7 5\n3 0.1 3 5"; got != want {
		t.Errorf("snapshot 1: got\n%s\nwant\n%s", got, want)
	}
}

// TestCastErrorNamesColumnAndFile: a value Java's cast rejects fails the
// read with a *schema.CastError naming the column, the data file and the
// value.
func TestCastErrorNamesColumnAndFile(t *testing.T) {
	e := newCastEnv(t, Spec{Columns: []Column{{Name: "id", Type: "INT"}, {Name: "s", Type: "STRING"}},
		Options: []Option{{"bucket", "-1"}}})
	e.write(`[{"id":1,"s":"12"},{"id":2,"s":"abc"}]`)
	e.alter(UpdateColumnType("s", "INT"))
	_, _, err := e.read(ScanOptions{})
	var ce *schema.CastError
	if !errors.As(err, &ce) || !errors.Is(err, schema.ErrCast) {
		t.Fatalf("err = %v", err)
	}
	if ce.Column != "s" || !strings.Contains(ce.File, "data-") || ce.Value != "abc" || ce.Row != 1 {
		t.Errorf("%+v", ce)
	}
	// Projecting the column away reads fine.
	got, _, err := e.read(ScanOptions{Columns: []string{"id"}})
	if err != nil || got != "1\n2" {
		t.Errorf("id only: %q, %v", got, err)
	}
}
