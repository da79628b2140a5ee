package table

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/floelake/floe/internal/binrow"
	"github.com/floelake/floe/internal/fixtures"
	"github.com/floelake/floe/manifest"
	"github.com/floelake/floe/schema"
	"github.com/floelake/floe/snapshot"
)

// orcManifestTables are the fixture tables whose manifests are ORC (Paimon's
// manifest.format=orc); floe reports them as unsupported.
var orcManifestTables = map[string]bool{
	"parquet/append_09":                                      true,
	"parquet/append_10":                                      true,
	"parquet/pk_table_nested_type":                           true,
	"parquet/append_with_empty_partition":                    true,
	"parquet/append_with_empty_partition_with_empty_value":   true,
	"parquet/append_with_empty_partition_with_specific_name": true,
	"parquet/parquet_append_table":                           true,
}

func allFixtureTables(t *testing.T) []fixtures.Table {
	return append(fixtures.CppTables(t), fixtures.GoldenTables(t)...)
}

func nullable(fields []schema.Field) []schema.DataType {
	out := make([]schema.DataType, len(fields))
	for i, f := range fields {
		out[i] = f.Type.Nullable()
	}
	return out
}

func typesOf(fields []schema.Field) []schema.DataType {
	out := make([]schema.DataType, len(fields))
	for i, f := range fields {
		out[i] = f.Type
	}
	return out
}

// reencode decodes serialized BinaryRow bytes with types and encodes them
// again; the result must be Java's bytes exactly.
func reencode(t *testing.T, what string, types []schema.DataType, b []byte) {
	t.Helper()
	arity, raw, err := binrow.Deserialize(b)
	if err != nil {
		t.Errorf("%s: %v", what, err)
		return
	}
	if arity != len(types) {
		t.Errorf("%s: arity %d, want %d", what, arity, len(types))
		return
	}
	vals, err := binrow.Decode(types, raw)
	if err != nil {
		t.Errorf("%s: decode: %v", what, err)
		return
	}
	got, err := binrow.Encode(types, vals)
	if err != nil {
		t.Errorf("%s: encode %v: %v", what, vals, err)
		return
	}
	if !bytes.Equal(binrow.Serialize(arity, got), b) {
		t.Errorf("%s: re-encoded %v differs:\n got %x\nwant %x", what, vals, binrow.Serialize(arity, got), b)
	}
}

// statsTypes returns the types a file's value stats cover.
func valueStatsTypes(s *schema.Table, d *manifest.DataFile) ([]schema.DataType, error) {
	if d.ValueStatsCols == nil {
		return nullable(s.Fields), nil
	}
	fields := make([]schema.Field, 0, len(d.ValueStatsCols))
	for _, c := range d.ValueStatsCols {
		f, ok := s.Field(c)
		if !ok {
			return nil, fmt.Errorf("stats column %q not in schema %d", c, s.ID)
		}
		fields = append(fields, f)
	}
	return nullable(fields), nil
}

// TestFixtureTablesDecodeAndReencode is the format-core acceptance test: for
// every Avro-manifest fixture table written by Java Paimon, every schema,
// snapshot, manifest list, manifest and index manifest decodes; every
// BinaryRow in them (partitions, min/max keys, key/value/partition stats)
// re-encodes to Java's bytes; and the live files of the latest snapshot
// exist where floe computes their paths, with the sizes the manifests record.
func TestFixtureTablesDecodeAndReencode(t *testing.T) {
	ctx := context.Background()
	for _, fx := range allFixtureTables(t) {
		t.Run(fx.Name, func(t *testing.T) {
			tb, err := Open(ctx, fx.Dir)
			if err != nil {
				t.Fatal(err)
			}
			defer tb.Close()
			if _, err := tb.Schemas(ctx); err != nil {
				t.Fatal(err)
			}
			snaps, err := tb.Snapshots(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(snaps) == 0 {
				t.Fatal("no snapshots")
			}
			if orcManifestTables[fx.Name] {
				_, _, err := tb.Files(ctx, 0)
				if !errors.Is(err, manifest.ErrUnsupportedFormat) {
					t.Fatalf("ORC manifests: want ErrUnsupportedFormat, got %v", err)
				}
				return
			}
			partTypes := nullable(tb.Schema().PartitionFields())
			rows := 0
			for _, snap := range snaps {
				lists := []string{snap.BaseManifestList, snap.DeltaManifestList}
				if snap.ChangelogManifestList != nil {
					lists = append(lists, *snap.ChangelogManifestList)
				}
				for _, l := range lists {
					metas, err := manifest.ReadList(ctx, tb.Store(), l)
					if err != nil {
						t.Fatal(err)
					}
					for _, m := range metas {
						reencode(t, l+" partition min", partTypes, m.PartitionStats.Min)
						reencode(t, l+" partition max", partTypes, m.PartitionStats.Max)
						entries, err := manifest.ReadManifest(ctx, tb.Store(), m.FileName)
						if err != nil {
							t.Fatal(err)
						}
						for _, e := range entries {
							rows += checkEntry(ctx, t, tb, m.FileName, &e)
						}
					}
				}
				if snap.IndexManifest != nil {
					if _, err := manifest.ReadIndexManifest(ctx, tb.Store(), *snap.IndexManifest); err != nil {
						t.Fatal(err)
					}
				}
			}
			files, _, err := tb.Files(ctx, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(files) == 0 {
				t.Fatal("no live files")
			}
			for _, f := range files {
				st, err := os.Stat(filepath.Join(fx.Dir, filepath.FromSlash(f.Path)))
				if err != nil {
					t.Errorf("live file: %v", err)
					continue
				}
				if st.Size() != f.Size {
					t.Errorf("%s: size %d on disk, manifest says %d", f.Path, st.Size(), f.Size)
				}
			}
			t.Logf("%d snapshots, %d entries checked, %d live files", len(snaps), rows, len(files))
		})
	}
}

func checkEntry(ctx context.Context, t *testing.T, tb *Table, mf string, e *manifest.Entry) int {
	t.Helper()
	d := &e.File
	what := mf + " " + d.FileName
	reencode(t, what+" partition", typesOf(tb.Schema().PartitionFields()), e.Partition)
	s, err := tb.SchemaByID(ctx, d.SchemaID)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.PrimaryKeys) > 0 {
		keys := s.TrimmedPrimaryKeyFields()
		reencode(t, what+" min key", typesOf(keys), d.MinKey)
		reencode(t, what+" max key", typesOf(keys), d.MaxKey)
		reencode(t, what+" key stats min", nullable(keys), d.KeyStats.Min)
		reencode(t, what+" key stats max", nullable(keys), d.KeyStats.Max)
	} else {
		reencode(t, what+" min key", nil, d.MinKey)
		reencode(t, what+" max key", nil, d.MaxKey)
	}
	vt, err := valueStatsTypes(s, d)
	if err != nil {
		t.Error(err)
		return 1
	}
	reencode(t, what+" value stats min", vt, d.ValueStats.Min)
	reencode(t, what+" value stats max", vt, d.ValueStats.Max)
	return 1
}

// TestFixtureLiveFiles checks the live file sets that the fixture README
// implies for a few tables.
func TestFixtureLiveFiles(t *testing.T) {
	ctx := context.Background()
	root := fixtures.Path(t, "paimon-cpp", "tables")
	cases := []struct {
		dir      string
		rows     int64 // sum of live file row counts
		levels   map[int32]int
		partsDir map[string]bool
	}{
		{dir: "parquet/append_complex_data.db/append_complex_data", rows: 8},
		{dir: "parquet/append_complex_build_in_fieldid.db/append_complex_build_in_fieldid", rows: 3},
		{dir: "parquet/append_table_with_alter_table.db/append_table_with_alter_table", rows: 10},
		{dir: "avro/append_with_multiple_ts_precision_and_timezone.db/append_with_multiple_ts_precision_and_timezone", rows: 3},
	}
	for _, c := range cases {
		tb, err := Open(ctx, filepath.Join(root, c.dir))
		if err != nil {
			t.Fatal(err)
		}
		files, _, err := tb.Files(ctx, 0)
		tb.Close()
		if err != nil {
			t.Fatal(err)
		}
		var rows int64
		for _, f := range files {
			rows += f.RowCount
		}
		if rows != c.rows {
			t.Errorf("%s: %d live rows, README says %d", c.dir, rows, c.rows)
		}
	}

	// The DV table: after the last two APPENDs, level-0 files sit beside the
	// compacted level-5 files, and the level upgrade shows as DELETE+ADD.
	tb, err := Open(ctx, filepath.Join(root, "parquet/pk_table_scan_and_read_dv.db/pk_table_scan_and_read_dv"))
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Close()
	files, snap, err := tb.Files(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	levels := map[int32]int{}
	for _, f := range files {
		levels[f.Level]++
		if f.MinKey == nil || f.MaxKey == nil {
			t.Errorf("%s: PK file without keys", f.Name)
		}
	}
	if levels[0] == 0 || levels[5] == 0 {
		t.Errorf("snapshot %d levels %v: want level-0 and level-5 files", snap.ID, levels)
	}
	// Time travel: snapshot 1 has only level-0 files.
	files, _, err = tb.Files(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if f.Level != 0 {
			t.Errorf("snapshot 1: %s at level %d", f.Name, f.Level)
		}
	}
	if _, _, err := tb.Files(ctx, 999); !errors.Is(err, ErrNoSnapshot) {
		t.Errorf("missing snapshot: %v", err)
	}
}

// TestStaleLatestHint: the fixture README says a golden table has a stale
// LATEST hint, but the tarball's hints are all correct (6 of 6, 8 of 8, 2 of
// 2). So this test makes one: a copy of a Java table with LATEST rewound.
func TestStaleLatestHint(t *testing.T) {
	ctx := context.Background()
	src := filepath.Join(fixtures.GoldenWarehouse(t), "default.db", "test_pk_full_text_golden")
	dst := t.TempDir()
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dst, "snapshot", "LATEST"), []byte("3"), 0o644); err != nil {
		t.Fatal(err)
	}
	tb, err := Open(ctx, dst)
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Close()
	s, err := tb.Snapshot(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if s.ID != 8 {
		t.Fatalf("latest = %d, want 8", s.ID)
	}
	if _, err := snapshot.Read(ctx, tb.Store(), 9); !errors.Is(err, snapshot.ErrNotFound) {
		t.Fatalf("snapshot 9: %v", err)
	}
}
