package table

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/floelake/floe/snapshot"
)

// allRows reads the latest snapshot of the table at dir as sorted lines.
func allRows(t *testing.T, dir string) string {
	t.Helper()
	ctx := context.Background()
	tb, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Close()
	rr, err := tb.ReadAll(ctx, ScanOptions{}, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer rr.Release()
	var rows []string
	for rr.Next() {
		rec := rr.RecordBatch()
		for i := range int(rec.NumRows()) {
			var row []string
			for c := range int(rec.NumCols()) {
				row = append(row, rec.Column(c).ValueStr(i))
			}
			rows = append(rows, strings.Join(row, "|"))
		}
	}
	if err := rr.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(rows)
	return strings.Join(rows, "\n")
}

// TestCompactJavaTables: floe compacts tables Java Paimon 1.4.2 and 2.0.0
// wrote (deletion vectors, a stale vector, merge-on-read partitions, an
// append table of every type, files of an older schema) without changing
// a row, first by the tables' own options, then fully (pk_fcl, a
// full-compaction changelog table, ends with Java's full compaction).
func TestCompactJavaTables(t *testing.T) {
	ctx := context.Background()
	for _, v := range []string{"1.4.2", "2.0.0"} {
		for _, name := range []string{"pk_dv", "pk_dv_stale", "pk_mor", "append_types", "pk_alter", "pk_fcl"} {
			t.Run(v+"/"+name, func(t *testing.T) {
				dir := copyDir(t, filepath.Join("..", "interop", "floetool", "testdata", "java", v, "db.db", name))
				want := allRows(t, dir)
				if want == "" {
					t.Fatal("no rows")
				}
				for _, full := range []bool{false, true} {
					tb, err := Open(ctx, dir)
					if err != nil {
						t.Fatal(err)
					}
					res, err := tb.Compact(ctx, CompactOptions{Full: full, TempDir: t.TempDir()})
					tb.Close()
					if err != nil {
						t.Fatalf("full=%v: %v", full, err)
					}
					if full && res.Snapshot == nil && name != "append_types" && name != "pk_dv_stale" && name != "pk_fcl" {
						t.Errorf("full compaction did nothing")
					}
					if res.Snapshot != nil && res.Snapshot.CommitKind != snapshot.KindCompact {
						t.Errorf("kind %s", res.Snapshot.CommitKind)
					}
					if got := allRows(t, dir); got != want {
						t.Fatalf("full=%v: rows changed\n got:\n%s\nwant:\n%s", full, got, want)
					}
				}
			})
		}
	}
}
