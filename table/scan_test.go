package table

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/internal/fixtures"
	"github.com/floelake/floe/predicate"
	"github.com/floelake/floe/snapshot"
)

func openFixture(t *testing.T, name string) *Table {
	t.Helper()
	for _, fx := range allFixtureTables(t) {
		if fx.Name == name {
			tb, err := Open(context.Background(), fx.Dir)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { tb.Close() })
			return tb
		}
	}
	t.Fatalf("no fixture %s", name)
	return nil
}

// copyDir copies a fixture table so that a test may add files to it.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestScanTimeTravel reads every snapshot of pk_09 (DV table: only
// compacted data is visible) and checks that a tag and a time resolve to
// the same rows as the snapshot they name.
func TestScanTimeTravel(t *testing.T) {
	ctx := context.Background()
	src := fixtures.Path(t, "paimon-cpp", "tables", "parquet", "pk_09.db", "pk_09")
	dir := copyDir(t, src)
	tb, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Close()
	snaps, err := tb.Snapshots(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(snaps) != 8 {
		t.Fatalf("%d snapshots, want 8", len(snaps))
	}
	byID := map[int64]string{}
	for _, s := range snaps {
		got := scanText(t, tb, ScanOptions{SnapshotID: s.ID})
		golden(t, "timetravel/pk_09@"+strconv.FormatInt(s.ID, 10), got)
		byID[s.ID] = got
	}
	if latest := scanText(t, tb, ScanOptions{}); latest != byID[8] {
		t.Errorf("latest differs from snapshot 8")
	}
	// AsOf: between snapshots 4 and 5 reads snapshot 4.
	asOf := time.UnixMilli(snaps[3].TimeMillis + 1)
	if got := scanText(t, tb, ScanOptions{AsOf: asOf}); got != byID[4] {
		t.Errorf("AsOf snapshot 4 time: got\n%s", got)
	}
	if _, err := snapshot.CreateTag(ctx, tb.Store(), "t6", snaps[5], snapshot.TagOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := scanText(t, tb, ScanOptions{Tag: "t6"}); got != byID[6] {
		t.Errorf("tag t6: got\n%s", got)
	}
	for _, so := range []ScanOptions{
		{SnapshotID: 99},
		{Tag: "missing"},
		{AsOf: time.UnixMilli(snaps[0].TimeMillis - 1000)},
	} {
		if _, err := tb.NewScan(ctx, so); !errors.Is(err, ErrNoSnapshot) {
			t.Errorf("%+v: want ErrNoSnapshot, got %v", so, err)
		}
	}
	if _, err := tb.NewScan(ctx, ScanOptions{SnapshotID: 1, Tag: "t6"}); err == nil {
		t.Error("two snapshot selectors accepted")
	}
}

// TestScanProjection reads columns in a chosen order.
func TestScanProjection(t *testing.T) {
	tb := openFixture(t, "parquet/pk_09")
	got := scanText(t, tb, ScanOptions{Columns: []string{"f3", "f0"}})
	golden(t, "projection/pk_09_f3_f0", got)
	all := scanText(t, tb, ScanOptions{})
	if n, m := strings.Count(got, "\n"), strings.Count(all, "\n"); n != m {
		t.Errorf("projection has %d lines, full scan %d", n, m)
	}
	if _, err := tb.NewScan(context.Background(), ScanOptions{Columns: []string{"nope"}}); !errors.Is(err, predicate.ErrColumn) {
		t.Errorf("unknown column: %v", err)
	}
}

// TestScanFilter checks partition pruning, stats pruning and exact
// filtering.
func TestScanFilter(t *testing.T) {
	ctx := context.Background()
	tb := openFixture(t, "parquet/pk_09")
	all, err := tb.NewScan(ctx, ScanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Partition f1 = 20: only that partition's splits remain.
	p20, err := tb.NewScan(ctx, ScanOptions{Filter: predicate.Equal("f1", 20)})
	if err != nil {
		t.Fatal(err)
	}
	if len(p20.Splits) == 0 || len(p20.Splits) >= len(all.Splits) {
		t.Errorf("f1=20: %d splits of %d", len(p20.Splits), len(all.Splits))
	}
	for _, s := range p20.Splits {
		vals, err := tb.DecodePartition(s.Partition)
		if err != nil || vals[0] != int32(20) {
			t.Errorf("split of partition %v survived f1=20 (%v)", vals, err)
		}
	}
	golden(t, "filter/pk_09_f1_20", scanText(t, tb, ScanOptions{Filter: predicate.Equal("f1", 20)}))

	// A key that no file's key range holds prunes every file.
	none, err := tb.NewScan(ctx, ScanOptions{Filter: predicate.Equal("f0", "Zzz-not-there")})
	if err != nil {
		t.Fatal(err)
	}
	if len(none.Splits) != 0 {
		t.Errorf("f0='Zzz-not-there': %d splits", len(none.Splits))
	}
	// Exact filtering on a value column.
	got := scanText(t, tb, ScanOptions{Filter: predicate.Greater("f3", 16.5), Columns: []string{"f0", "f3"}})
	golden(t, "filter/pk_09_f3_gt_16.5", got)
	for _, line := range strings.Split(strings.TrimSpace(got), "\n")[1:] {
		f, err := strconv.ParseFloat(strings.TrimSuffix(line[strings.LastIndex(line, " ")+1:], ")"), 64)
		if err != nil || f <= 16.5 {
			t.Errorf("row %s passed f3 > 16.5", line)
		}
	}
}

// TestScanFilterAppendStats checks value-statistics pruning on an append
// table: a filter outside every file's range reads no file.
func TestScanFilterAppendStats(t *testing.T) {
	ctx := context.Background()
	tb := openFixture(t, "parquet/append_table_with_alter_table")
	all, err := tb.NewScan(ctx, ScanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	some, err := tb.NewScan(ctx, ScanOptions{Filter: predicate.GreaterOrEqual("k", 60)})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("all: %+v; k>=60: %+v", all.Stats, some.Stats)
	if some.Stats.FilesSkipped == 0 {
		t.Errorf("k >= 60 skipped no file")
	}
	golden(t, "filter/append_alter_k_ge_60", scanText(t, tb, ScanOptions{Filter: predicate.GreaterOrEqual("k", 60)}))
	none, err := tb.NewScan(ctx, ScanOptions{Filter: predicate.Greater("k", 1000)})
	if err != nil {
		t.Fatal(err)
	}
	if len(none.Splits) != 0 {
		t.Errorf("k > 1000: %d splits", len(none.Splits))
	}
}

// TestSplitRoundTrip serializes every split, reads it in a freshly opened
// table and compares with reading the original.
func TestSplitRoundTrip(t *testing.T) {
	ctx := context.Background()
	for _, name := range []string{"parquet/pk_09", "parquet/pk_table_scan_and_read_mor", "parquet/append_table_with_alter_table"} {
		t.Run(name, func(t *testing.T) {
			tb := openFixture(t, name)
			plan, err := tb.NewScan(ctx, ScanOptions{Filter: predicate.IsNotNull(tb.Schema().Fields[0].Name), Columns: tb.Schema().FieldNames()[:2]})
			if err != nil {
				t.Fatal(err)
			}
			tb2, err := Open(ctx, tb.Store().URL())
			if err != nil {
				t.Fatal(err)
			}
			defer tb2.Close()
			for _, s := range plan.Splits {
				b, err := s.MarshalBinary()
				if err != nil {
					t.Fatal(err)
				}
				var s2 Split
				if err := s2.UnmarshalBinary(b); err != nil {
					t.Fatal(err)
				}
				want := readSplit(t, tb, s)
				got := readSplit(t, tb2, &s2)
				if want != got {
					t.Errorf("split %d/%d: round trip read\n%s\nwant\n%s", s.Bucket, len(s.Files), got, want)
				}
			}
			var bad Split
			if err := bad.UnmarshalBinary([]byte(`{"version":9}`)); !errors.Is(err, ErrBadSplit) {
				t.Errorf("version 9: %v", err)
			}
		})
	}
}

func readSplit(t *testing.T, tb *Table, s *Split) string {
	t.Helper()
	alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer alloc.AssertSize(t, 0)
	r, err := tb.Read(context.Background(), s, ReadOptions{Alloc: alloc})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Release()
	rows := readRows(t, r)
	sort.Strings(rows)
	return strings.Join(rows, "\n")
}

// TestScanFilterMergeOnRead filters a merge-on-read table on a value
// column: the filter applies to merged rows, so an older matching version
// of a key must not reappear.
func TestScanFilterMergeOnRead(t *testing.T) {
	tb := openFixture(t, "parquet/pk_table_scan_and_read_mor")
	got := scanText(t, tb, ScanOptions{Filter: predicate.Greater("f3", 19.0)})
	golden(t, "filter/mor_f3_gt_19", got)
	if strings.Contains(got, "Alex") || strings.Contains(got, "Tony") {
		t.Errorf("deleted keys reappeared:\n%s", got)
	}
}
