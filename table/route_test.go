package table

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/internal/binrow"
	"github.com/floelake/floe/internal/fixtures"
)

// recordOf builds a record of the table's columns from rows of Go values
// (binrow's value types; nil is null).
func recordOf(t *testing.T, tb *Table, rows [][]any) arrow.Record {
	t.Helper()
	sc, err := tb.Schema().ArrowSchema()
	if err != nil {
		t.Fatal(err)
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer b.Release()
	for _, row := range rows {
		for i, f := range tb.Schema().Fields {
			if err := binrow.AppendArrow(b.Field(i), f.Type, row[i]); err != nil {
				t.Fatalf("append %v to %s: %v", row[i], f.Name, err)
			}
		}
	}
	return b.NewRecord()
}

// The fixture append_10 (bucket-key f2, 2 buckets, partition f1) puts
// f2=0 in bucket-1 and f2=1 in bucket-0.
func TestRouteFixedBucketMatchesJava(t *testing.T) {
	ctx := context.Background()
	// Only the schema: the fixture's manifests are ORC.
	b, err := os.ReadFile(fixtures.Path(t, "paimon-cpp", "tables", "parquet", "append_10.db", "append_10", "schema", "schema-0"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "schema"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "schema", "schema-0"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	tb, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Close()
	w, err := tb.NewWriter(ctx, WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	rec := recordOf(t, tb, [][]any{
		{"Alice", int32(10), int32(1), 11.1},
		{"Bob", int32(10), int32(0), 12.1},
		{"Lucy", int32(20), int32(1), 14.1},
		{"Null", nil, int32(0), 1.0},
	})
	defer rec.Release()
	in, err := w.matchInput(rec)
	if err != nil {
		t.Fatal(err)
	}
	defer in.release()
	targets, err := w.routeRows(ctx, in, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]int32{}
	for _, bs := range targets {
		got[bs.dir] = append([]int32(nil), bs.rows...)
	}
	want := map[string][]int32{
		"f1=10/bucket-0":                    {0},
		"f1=10/bucket-1":                    {1},
		"f1=20/bucket-0":                    {2},
		"f1=__DEFAULT_PARTITION__/bucket-1": {3},
	}
	if len(got) != len(want) {
		t.Fatalf("routed to %v, want %v", got, want)
	}
	for dir, rows := range want {
		if g := got[dir]; len(g) != len(rows) || g[0] != rows[0] {
			t.Errorf("%s: rows %v, want %v", dir, g, rows)
		}
	}
}

// For every live file of the fixed-bucket primary-key fixtures, a row made
// of the file's min key and partition routes to the file's partition and
// bucket: partition BinaryRows and bucket hashes equal Java's.
func TestRoutePrimaryKeyFixtures(t *testing.T) {
	ctx := context.Background()
	checked := 0
	for _, ft := range allFixtureTables(t) {
		if orcManifestTables[ft.Name] || !strings.HasPrefix(ft.Name, "parquet/") {
			continue
		}
		tb, err := Open(ctx, ft.Dir)
		if err != nil {
			continue
		}
		s := tb.Schema()
		if len(s.PrimaryKeys) == 0 || tb.Config().Bucket <= 0 {
			tb.Close()
			continue
		}
		files, _, err := tb.Files(ctx, 0)
		if err != nil {
			tb.Close()
			continue
		}
		w, err := tb.NewWriter(ctx, WriterOptions{})
		if err != nil {
			t.Errorf("%s: %v", ft.Name, err)
			tb.Close()
			continue
		}
		keys := s.TrimmedPrimaryKeys()
		parts := s.PartitionKeys
		for _, f := range files {
			if f.Entry.File.SchemaID != s.ID {
				continue
			}
			row := make([]any, len(s.Fields))
			for i, k := range keys {
				row[s.FieldIndex(k)] = f.MinKey[i]
			}
			for i, k := range parts {
				row[s.FieldIndex(k)] = f.Partition[i]
			}
			rec := recordOf(t, tb, [][]any{row})
			cols := rec.Columns()
			raw, err := w.route.partition(cols, 0)
			if err != nil {
				t.Fatal(err)
			}
			if raw == nil {
				raw = binrow.EmptyRow()
			}
			if ser := binrow.Serialize(len(parts), raw); !bytes.Equal(ser, f.Entry.Partition) {
				t.Errorf("%s %s: partition %x, want %x", ft.Name, f.Name, ser, f.Entry.Partition)
			}
			b, err := w.route.fixedBucket(cols, 0)
			if err != nil {
				t.Fatal(err)
			}
			if b != f.Bucket {
				t.Errorf("%s %s: key %v in bucket %d, want %d", ft.Name, f.Name, f.MinKey, b, f.Bucket)
			}
			checked++
			rec.Release()
		}
		w.Close()
		tb.Close()
	}
	if checked == 0 {
		t.Fatal("no fixture files checked")
	}
	t.Logf("checked %d files", checked)
}
