package table

import (
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/manifest"
)

var rewrite = flag.Bool("rewrite", false, "rewrite golden files under testdata/scan")

// formatValue prints one Arrow value in the canonical text form of the
// scan goldens.
func formatValue(a arrow.Array, i int) string {
	if a.IsNull(i) {
		return "null"
	}
	switch a := a.(type) {
	case *array.Boolean:
		return strconv.FormatBool(a.Value(i))
	case *array.Int8:
		return strconv.FormatInt(int64(a.Value(i)), 10)
	case *array.Int16:
		return strconv.FormatInt(int64(a.Value(i)), 10)
	case *array.Int32:
		return strconv.FormatInt(int64(a.Value(i)), 10)
	case *array.Int64:
		return strconv.FormatInt(a.Value(i), 10)
	case *array.Float32:
		return formatFloat(float64(a.Value(i)), 32)
	case *array.Float64:
		return formatFloat(a.Value(i), 64)
	case *array.String:
		return strconv.Quote(a.Value(i))
	case *array.LargeString:
		return strconv.Quote(a.Value(i))
	case *array.Binary:
		return "x'" + hex.EncodeToString(a.Value(i)) + "'"
	case *array.LargeBinary:
		return "x'" + hex.EncodeToString(a.Value(i)) + "'"
	case *array.FixedSizeBinary:
		return "x'" + hex.EncodeToString(a.Value(i)) + "'"
	case *array.Date32:
		return a.Value(i).ToTime().Format("2006-01-02")
	case *array.Time32:
		u := a.DataType().(*arrow.Time32Type).Unit
		return a.Value(i).ToTime(u).Format("15:04:05.999999999")
	case *array.Time64:
		u := a.DataType().(*arrow.Time64Type).Unit
		return a.Value(i).ToTime(u).Format("15:04:05.999999999")
	case *array.Timestamp:
		tt := a.DataType().(*arrow.TimestampType)
		digits := map[arrow.TimeUnit]int{arrow.Second: 0, arrow.Millisecond: 3, arrow.Microsecond: 6, arrow.Nanosecond: 9}[tt.Unit]
		layout := "2006-01-02 15:04:05"
		if digits > 0 {
			layout += "." + strings.Repeat("0", digits)
		}
		s := a.Value(i).ToTime(tt.Unit).UTC().Format(layout)
		if tt.TimeZone != "" {
			s += " " + tt.TimeZone
		}
		return s
	case *array.Decimal128:
		return a.Value(i).ToString(a.DataType().(*arrow.Decimal128Type).Scale)
	case *array.Map:
		start, end := a.ValueOffsets(i)
		keys, items := a.Keys(), a.Items()
		parts := make([]string, 0, end-start)
		for j := start; j < end; j++ {
			parts = append(parts, formatValue(keys, int(j))+": "+formatValue(items, int(j)))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case *array.List:
		start, end := a.ValueOffsets(i)
		vals := a.ListValues()
		parts := make([]string, 0, end-start)
		for j := start; j < end; j++ {
			parts = append(parts, formatValue(vals, int(j)))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case *array.FixedSizeList:
		n := int(a.DataType().(*arrow.FixedSizeListType).Len())
		vals := a.ListValues()
		parts := make([]string, 0, n)
		for j := i * n; j < (i+1)*n; j++ {
			parts = append(parts, formatValue(vals, j))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case *array.Struct:
		st := a.DataType().(*arrow.StructType)
		parts := make([]string, a.NumField())
		for j := range parts {
			parts[j] = st.Field(j).Name + ": " + formatValue(a.Field(j), i)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprintf("<%s %s>", a.DataType(), a.ValueStr(i))
}

func formatFloat(f float64, bits int) string {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return fmt.Sprint(f)
	}
	return strconv.FormatFloat(f, 'g', -1, bits)
}

// readRows drains r into one text line per row.
func readRows(t *testing.T, r array.RecordReader) []string {
	t.Helper()
	var rows []string
	for r.Next() {
		rec := r.Record()
		if !rec.Schema().Equal(r.Schema()) {
			t.Fatalf("record schema %v differs from reader schema %v", rec.Schema(), r.Schema())
		}
		for i := 0; i < int(rec.NumRows()); i++ {
			parts := make([]string, rec.NumCols())
			for j := range parts {
				parts[j] = formatValue(rec.Column(j), i)
			}
			rows = append(rows, "("+strings.Join(parts, ", ")+")")
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

func schemaLine(s *arrow.Schema) string {
	parts := make([]string, s.NumFields())
	for i, f := range s.Fields() {
		parts[i] = f.Name + " " + f.Type.String()
	}
	return "# " + strings.Join(parts, ", ")
}

// golden compares got with testdata/scan/<name>.txt (rewritten with
// -rewrite).
func golden(t *testing.T, name, got string) {
	t.Helper()
	p := filepath.Join("testdata", "scan", filepath.FromSlash(name)+".txt")
	if *rewrite {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run with -rewrite to create)", err)
	}
	if string(want) != got {
		t.Errorf("rows differ from %s:\n--- got\n%s--- want\n%s", p, got, want)
	}
}

// scanText reads every row of the table (sorted) as golden text.
func scanText(t *testing.T, tb *Table, so ScanOptions) string {
	t.Helper()
	ctx := context.Background()
	alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer alloc.AssertSize(t, 0)
	r, err := tb.ReadAll(ctx, so, ReadOptions{Alloc: alloc, BatchSize: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Release()
	rows := readRows(t, r)
	sort.Strings(rows)
	return schemaLine(r.Schema()) + "\n" + strings.Join(rows, "\n") + "\n"
}

// TestScanFixtureTables is the scan acceptance test: every Avro-manifest
// fixture table written by Java Paimon reads to the rows of its golden file
// (each checked by hand against the fixture README); ORC-manifest tables
// fail with manifest.ErrUnsupportedFormat.
func TestScanFixtureTables(t *testing.T) {
	ctx := context.Background()
	for _, fx := range allFixtureTables(t) {
		t.Run(fx.Name, func(t *testing.T) {
			tb, err := Open(ctx, fx.Dir)
			if err != nil {
				t.Fatal(err)
			}
			defer tb.Close()
			if orcManifestTables[fx.Name] {
				_, err := tb.NewScan(ctx, ScanOptions{})
				if !errors.Is(err, manifest.ErrUnsupportedFormat) {
					t.Fatalf("ORC manifests: want ErrUnsupportedFormat, got %v", err)
				}
				return
			}
			golden(t, fx.Name, scanText(t, tb, ScanOptions{}))
		})
	}
}

// planText prints a plan's splits: partition, bucket, raw flag and files
// with level, row count and deletion-vector cardinality.
func planText(t *testing.T, tb *Table, p *Plan) string {
	var b strings.Builder
	fmt.Fprintf(&b, "snapshot %d, %d splits\n", p.Snapshot.ID, len(p.Splits))
	for _, s := range p.Splits {
		part, err := tb.DecodePartition(s.Partition)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "split partition=%v bucket=%d/%d raw=%v\n", part, s.Bucket, s.TotalBuckets, s.Raw)
		for i, f := range s.Files {
			fmt.Fprintf(&b, "  %s level=%d rows=%d seq=%d..%d schema=%d", f.FileName, f.Level, f.RowCount, f.MinSequenceNumber, f.MaxSequenceNumber, f.SchemaID)
			if s.Deletes != nil && s.Deletes[i] != nil {
				d := s.Deletes[i]
				card := int64(-1)
				if d.Cardinality != nil {
					card = *d.Cardinality
				}
				fmt.Fprintf(&b, " dv=%s@%d+%d card=%d", d.IndexFile, d.Offset, d.Length, card)
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

// TestScanPlanFixtures records each fixture table's plan: which files are
// read per split (level 0 skipped for DV and first-row tables), whether
// the split is raw and which deletion vectors apply.
func TestScanPlanFixtures(t *testing.T) {
	ctx := context.Background()
	for _, fx := range allFixtureTables(t) {
		if orcManifestTables[fx.Name] {
			continue
		}
		t.Run(fx.Name, func(t *testing.T) {
			tb, err := Open(ctx, fx.Dir)
			if err != nil {
				t.Fatal(err)
			}
			defer tb.Close()
			p, err := tb.NewScan(ctx, ScanOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if p.Schema == nil {
				t.Fatal("no schema")
			}
			golden(t, "plan/"+fx.Name, planText(t, tb, p))
		})
	}
}
