package datafile_test

import (
	"context"
	"errors"
	"fmt"
	"path"
	"reflect"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/internal/datafile"
	"github.com/floelake/floe/internal/fixtures"
	"github.com/floelake/floe/manifest"
	"github.com/floelake/floe/schema"
	"github.com/floelake/floe/storage"
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

func statsModes(tbl *table.Table, fields []schema.Field) []datafile.StatsMode {
	cfg := tbl.Config()
	out := make([]datafile.StatsMode, len(fields))
	for i, f := range fields {
		m := cfg.StatsModeFor(f.Name)
		var k datafile.StatsKind
		switch m.Kind {
		case table.StatsNone:
			k = datafile.StatsNone
		case table.StatsCounts:
			k = datafile.StatsCounts
		case table.StatsFull:
			k = datafile.StatsFull
		case table.StatsTruncate:
			k = datafile.StatsTruncate
		}
		if n := cfg.StatsKeepFirstNColumns; n > 0 && i >= n {
			k = datafile.StatsNone
		}
		out[i] = datafile.StatsMode{Kind: k, Length: m.Length}
	}
	return out
}

// TestFixtureMetadata reads every Java-written data file of the Avro-manifest
// fixture tables, rewrites its rows with Writer and compares the metadata
// Writer computes with the manifest entry Java wrote.
func TestFixtureMetadata(t *testing.T) {
	ctx := context.Background()
	files := fixtureFiles(t)
	checked := 0
	for _, ff := range files {
		if path.Ext(ff.file.Name) != ".parquet" {
			continue
		}
		sc := ff.schema
		pk := isPK(sc)
		rr, err := datafile.Open(ctx, datafile.ReadOptions{
			Store: ff.tbl.Store(), Path: ff.file.Path, Size: ff.file.Size,
			FileFields: sc.Fields, ReadFields: sc.Fields, KV: pk,
		})
		if err != nil {
			t.Fatalf("%s: %v", ff.file.Path, err)
		}
		st := memStore(t)
		var keyMode *datafile.StatsMode
		if strings.Contains(ff.tbl.Store().URL(), "pk_09") {
			// Written by Paimon 0.9: keys used metadata.stats-mode.
			keyMode = &datafile.StatsMode{Kind: datafile.StatsTruncate, Length: 16}
		}
		var keys []schema.Field
		if pk {
			keys = sc.TrimmedPrimaryKeyFields()
		}
		w, err := datafile.NewWriter(datafile.WriterOptions{
			Store: st, Dir: "bucket-0", Prefix: "data-", Format: "parquet",
			TargetFileSize: 1 << 40, Fields: sc.Fields, KeyFields: keys,
			StatsModes: statsModes(ff.tbl, sc.Fields), StatsDenseStore: ff.tbl.Config().StatsDenseStore,
			SchemaID: sc.ID, Level: ff.file.Level, FileSource: derefI32(ff.file.Entry.File.FileSource),
			FirstSequence: ff.file.MinSequence,
			KeyStatsMode:  keyMode,
		})
		if err != nil {
			t.Fatal(err)
		}
		for rr.Next() {
			if err := w.Write(ctx, rr.RecordBatch()); err != nil {
				t.Fatalf("%s: %v", ff.file.Path, err)
			}
		}
		if err := rr.Err(); err != nil {
			t.Fatal(err)
		}
		rr.Release()
		got, err := w.Close(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 {
			t.Fatalf("%s: %d files written", ff.file.Path, len(got))
		}
		compareMeta(t, ff.file.Path, got[0], ff.file.Entry.File)
		checked++
	}
	t.Logf("checked %d files", checked)
}

func derefI32(p *int32) int32 {
	if p == nil {
		return 0
	}
	return *p
}

func compareMeta(t *testing.T, name string, got, want manifest.DataFile) {
	t.Helper()
	eq := func(field string, a, b any) {
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: %s:\n got %v\nwant %v", name, field, a, b)
		}
	}
	eq("RowCount", got.RowCount, want.RowCount)
	eq("MinKey", got.MinKey, want.MinKey)
	eq("MaxKey", got.MaxKey, want.MaxKey)
	eq("KeyStats.Min", got.KeyStats.Min, want.KeyStats.Min)
	eq("KeyStats.Max", got.KeyStats.Max, want.KeyStats.Max)
	eq("KeyStats.NullCounts", counts(got.KeyStats.NullCounts), counts(want.KeyStats.NullCounts))
	eq("ValueStats.Min", got.ValueStats.Min, want.ValueStats.Min)
	eq("ValueStats.Max", got.ValueStats.Max, want.ValueStats.Max)
	eq("ValueStats.NullCounts", counts(got.ValueStats.NullCounts), counts(want.ValueStats.NullCounts))
	eq("ValueStatsCols", got.ValueStatsCols, want.ValueStatsCols)
	eq("MinSequenceNumber", got.MinSequenceNumber, want.MinSequenceNumber)
	eq("MaxSequenceNumber", got.MaxSequenceNumber, want.MaxSequenceNumber)
	if want.DeleteRowCount != nil {
		eq("DeleteRowCount", *got.DeleteRowCount, *want.DeleteRowCount)
	}
	eq("SchemaID", got.SchemaID, want.SchemaID)
	eq("Level", got.Level, want.Level)
}

func counts(c []*int64) []string {
	if c == nil {
		return nil
	}
	out := make([]string, len(c))
	for i, p := range c {
		if p == nil {
			out[i] = "null"
		} else {
			out[i] = fmt.Sprint(*p)
		}
	}
	return out
}

func memStore(t testing.TB) *storage.Store {
	t.Helper()
	st, err := storage.Open(context.Background(), "mem://")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
