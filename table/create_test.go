package table

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/floelake/floe/catalog"
)

func testCatalog(t testing.TB) *catalog.Catalog {
	t.Helper()
	ctx := context.Background()
	cat, err := catalog.Open(ctx, t.TempDir(), catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	if err := cat.CreateDatabase(ctx, "db", true); err != nil {
		t.Fatal(err)
	}
	return cat
}

func createTable(t *testing.T, cat *catalog.Catalog, name string, spec Spec) *Table {
	t.Helper()
	tb, err := Create(context.Background(), cat, catalog.Identifier{Database: "db", Table: name}, spec, CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tb.Close() })
	return tb
}

func TestCreate(t *testing.T) {
	ctx := context.Background()
	cat := testCatalog(t)
	spec := Spec{
		Columns: []Column{
			{Name: "dt", Type: "STRING"},
			{Name: "id", Type: "BIGINT", Comment: "the id"},
			{Name: "r", Type: "ROW<a INT, b STRING>"},
			{Name: "v", Type: "DOUBLE"},
		},
		PartitionKeys: []string{"dt"},
		PrimaryKeys:   []string{"dt", "id"},
		Options:       []Option{{"bucket", "2"}, {"file.format", "parquet"}},
		Comment:       "a table",
	}
	tb := createTable(t, cat, "t", spec)
	s := tb.Schema()
	if s.ID != 0 || len(s.Fields) != 4 {
		t.Fatalf("schema %+v", s)
	}
	wantIDs := []int{0, 1, 2, 5}
	for i, f := range s.Fields {
		if f.ID != wantIDs[i] {
			t.Errorf("field %s id %d, want %d", f.Name, f.ID, wantIDs[i])
		}
	}
	if !s.Fields[0].Type.NotNull || !s.Fields[1].Type.NotNull || s.Fields[3].Type.NotNull {
		t.Errorf("nullability: %v", s.Fields)
	}
	if s.HighestFieldID != 5 {
		t.Errorf("highest field id %d", s.HighestFieldID)
	}
	if s.Fields[1].Description == nil || *s.Fields[1].Description != "the id" {
		t.Errorf("description %v", s.Fields[1].Description)
	}
	if s.Comment == nil || *s.Comment != "a table" {
		t.Errorf("comment %v", s.Comment)
	}
	if tb.Config().Bucket != 2 {
		t.Errorf("bucket %d", tb.Config().Bucket)
	}
	id := catalog.Identifier{Database: "db", Table: "t"}
	if _, err := Create(ctx, cat, id, spec, CreateOptions{}); !errors.Is(err, catalog.ErrTableExists) {
		t.Errorf("second create: %v", err)
	}
	other := spec
	other.Columns = spec.Columns[:2]
	other.PrimaryKeys = []string{"dt", "id"}
	tb2, err := Create(ctx, cat, id, other, CreateOptions{IgnoreIfExists: true})
	if err != nil {
		t.Fatal(err)
	}
	defer tb2.Close()
	if len(tb2.Schema().Fields) != 4 {
		t.Errorf("IgnoreIfExists did not open the existing table")
	}
}

func TestCreateRejects(t *testing.T) {
	ctx := context.Background()
	cat := testCatalog(t)
	cols := []Column{{Name: "a", Type: "INT"}, {Name: "b", Type: "ARRAY<INT>"}, {Name: "c", Type: "STRING"}}
	for _, tc := range []struct {
		name string
		spec Spec
		opt  string // option key of an *OptionError, else ErrInvalidSpec
	}{
		{"no columns", Spec{}, ""},
		{"dup column", Spec{Columns: []Column{{Name: "a", Type: "INT"}, {Name: "a", Type: "INT"}}}, ""},
		{"bad type", Spec{Columns: []Column{{Name: "a", Type: "INTEGRAL"}}}, ""},
		{"unknown pk", Spec{Columns: cols, PrimaryKeys: []string{"x"}}, ""},
		{"unknown partition", Spec{Columns: cols, PartitionKeys: []string{"x"}}, ""},
		{"nested pk", Spec{Columns: cols, PrimaryKeys: []string{"a", "b"}}, ""},
		{"pk only partition", Spec{Columns: cols, PrimaryKeys: []string{"a"}, PartitionKeys: []string{"a"}}, ""},
		{"bad bucket", Spec{Columns: cols, Options: []Option{{"bucket", "0"}}}, "bucket"},
		{"bad size", Spec{Columns: cols, Options: []Option{{"write-buffer-size", "lots"}}}, "write-buffer-size"},
		{"append bucket without key", Spec{Columns: cols, Options: []Option{{"bucket", "4"}}}, "bucket"},
		{"bad sequence field", Spec{Columns: cols, PrimaryKeys: []string{"a"}, Options: []Option{{"sequence.field", "zz"}}}, "sequence.field"},
		{"bad rowkind field", Spec{Columns: cols, PrimaryKeys: []string{"a"}, Options: []Option{{"rowkind.field", "a"}}}, "rowkind.field"},
	} {
		_, err := Create(ctx, cat, catalog.Identifier{Database: "db", Table: "x"}, tc.spec, CreateOptions{})
		if tc.opt != "" {
			var oe *OptionError
			if !errors.As(err, &oe) || oe.Key != tc.opt {
				t.Errorf("%s: want option error on %s, got %v", tc.name, tc.opt, err)
			}
			continue
		}
		if !errors.Is(err, ErrInvalidSpec) {
			t.Errorf("%s: want ErrInvalidSpec, got %v", tc.name, err)
		}
	}
	if ok, _ := cat.TableExists(ctx, catalog.Identifier{Database: "db", Table: "x"}); ok {
		t.Error("a rejected spec left a table behind")
	}
}

// TestCreateRefusesCompactionOptions: compaction options that cannot work
// together are refused at create and alter, naming the option.
func TestCreateRefusesCompactionOptions(t *testing.T) {
	ctx := context.Background()
	cat := testCatalog(t)
	cols := []Column{{Name: "id", Type: "INT NOT NULL"}, {Name: "v", Type: "STRING"}}
	cases := []struct {
		opts []Option
		key  string
	}{
		{[]Option{{"num-sorted-run.stop-trigger", "3"}}, "num-sorted-run.stop-trigger"},
		{[]Option{{"num-sorted-run.compaction-trigger", "10"}, {"num-sorted-run.stop-trigger", "9"}}, "num-sorted-run.stop-trigger"},
		{[]Option{{"num-levels", "1"}}, "num-levels"},
		{[]Option{{"compaction.offpeak.start.hour", "24"}, {"compaction.offpeak.end.hour", "2"}}, "compaction.offpeak.start.hour"},
		{[]Option{{"compaction.offpeak.start.hour", "2"}}, "compaction.offpeak.end.hour"},
		{[]Option{{"full-compaction.delta-commits", "0"}}, "full-compaction.delta-commits"},
		// Paimon's own refusals.
		{[]Option{{"merge-engine", "first-row"}, {"sequence.field", "v"}}, "sequence.field"},
		{[]Option{{"merge-engine", "first-row"}, {"deletion-vectors.enabled", "true"}}, "deletion-vectors.enabled"},
		{[]Option{{"merge-engine", "first-row"}, {"changelog-producer", "input"}}, "changelog-producer"},
		{[]Option{{"deletion-vectors.enabled", "true"}, {"changelog-producer", "full-compaction"}}, "changelog-producer"},
	}
	for i, c := range cases {
		_, err := Create(ctx, cat, catalog.Identifier{Database: "db", Table: fmt.Sprintf("t%d", i)},
			Spec{Columns: cols, PrimaryKeys: []string{"id"}, Options: append([]Option{{"bucket", "1"}}, c.opts...)}, CreateOptions{})
		var oe *OptionError
		if !errors.As(err, &oe) || oe.Key != c.key {
			t.Errorf("%v: err %v, want an *OptionError naming %s", c.opts, err, c.key)
		}
	}
	// Equal triggers are fine; alter is refused the same way.
	tb := createTable(t, cat, "ok", Spec{Columns: cols, PrimaryKeys: []string{"id"},
		Options: []Option{{"bucket", "1"}, {"num-sorted-run.stop-trigger", "5"}}})
	_, err := Alter(ctx, cat, catalog.Identifier{Database: "db", Table: "ok"}, SetOption("num-sorted-run.stop-trigger", "4"))
	var oe *OptionError
	if !errors.As(err, &oe) || oe.Key != "num-sorted-run.stop-trigger" {
		t.Errorf("alter: err %v, want an *OptionError naming num-sorted-run.stop-trigger", err)
	}
	_ = tb
}
