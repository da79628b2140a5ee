package datafile_test

import (
	"context"
	"errors"
	"path"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/internal/datafile"
	"github.com/floelake/floe/internal/fixtures"
	"github.com/floelake/floe/internal/schema"
	"github.com/floelake/floe/manifest"
	"github.com/floelake/floe/table"
)

// fixtureFile is one Java-written data file with the manifest metadata
// Java recorded for it.
type fixtureFile struct {
	tbl    *table.Table
	file   table.File
	schema *schema.Table
}

// fixtureFiles returns every distinct live data file of every snapshot of
// every fixture table.
func fixtureFiles(t *testing.T) []fixtureFile {
	t.Helper()
	ctx := context.Background()
	var out []fixtureFile
	tables := fixtures.CppTables(t)
	for _, ft := range tables {
		tbl, err := table.Open(ctx, ft.Dir)
		if err != nil {
			t.Logf("%s: open: %v", ft.Name, err)
			continue
		}
		t.Cleanup(func() { tbl.Close() })
		snaps, err := tbl.Snapshots(ctx)
		if err != nil {
			t.Fatalf("%s: %v", ft.Name, err)
		}
		seen := map[string]bool{}
		for _, s := range snaps {
			files, _, err := tbl.Files(ctx, s.ID)
			if errors.Is(err, manifest.ErrUnsupportedFormat) {
				t.Logf("%s: skipped (ORC manifests)", ft.Name)
				break
			}
			if err != nil {
				t.Fatalf("%s: snapshot %d: %v", ft.Name, s.ID, err)
			}
			for _, f := range files {
				if seen[f.Path] {
					continue
				}
				seen[f.Path] = true
				sc, err := tbl.SchemaByID(ctx, f.SchemaID)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, fixtureFile{tbl: tbl, file: f, schema: sc})
			}
		}
	}
	return out
}

func TestReadFixtures(t *testing.T) {
	ctx := context.Background()
	files := fixtureFiles(t)
	if len(files) == 0 {
		t.Fatal("no fixture files")
	}
	formats := map[string]int{}
	for _, ff := range files {
		ext := path.Ext(ff.file.Name)
		formats[ext]++
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		latest := ff.tbl.Schema()
		rr, err := datafile.Open(ctx, datafile.ReadOptions{
			Store:      ff.tbl.Store(),
			Path:       ff.file.Path,
			Size:       ff.file.Size,
			FileFields: ff.schema.Fields,
			ReadFields: latest.Fields,
			KV:         len(latest.PrimaryKeys) > 0,
			BatchSize:  3,
			Alloc:      mem,
		})
		if ext == ".orc" {
			if err == nil {
				t.Errorf("%s: orc opened", ff.file.Path)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", ff.file.Path, err)
			continue
		}
		var n int64
		for rr.Next() {
			rec := rr.RecordBatch()
			n += rec.NumRows()
			for i, f := range rr.Schema().Fields() {
				if !arrowTypeEqual(rec.Column(i).DataType(), f.Type) {
					t.Errorf("%s: column %s is %s, want %s", ff.file.Path, f.Name, rec.Column(i).DataType(), f.Type)
				}
			}
		}
		if err := rr.Err(); err != nil {
			t.Errorf("%s: %v", ff.file.Path, err)
		}
		rr.Release()
		if n != ff.file.RowCount {
			t.Errorf("%s: read %d rows, manifest says %d", ff.file.Path, n, ff.file.RowCount)
		}
		mem.AssertSize(t, 0)
	}
	t.Logf("files per format: %v", formats)
	if formats[".avro"] == 0 || formats[".parquet"] == 0 {
		t.Errorf("want avro and parquet fixture files: %v", formats)
	}
}

func isPK(sc *schema.Table) bool { return len(sc.PrimaryKeys) > 0 }

var _ = strings.HasPrefix
