package table

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/catalog"
	"github.com/floelake/floe/manifest"
	"github.com/floelake/floe/schema"
)

func jsonRecord(t *testing.T, sc *arrow.Schema, js string) arrow.Record {
	t.Helper()
	rec, _, err := array.RecordFromJSON(memory.DefaultAllocator, sc, strings.NewReader(js))
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func pkSpec(opts ...Option) Spec {
	return Spec{
		Columns: []Column{
			{Name: "dt", Type: "STRING"},
			{Name: "id", Type: "BIGINT"},
			{Name: "name", Type: "STRING NOT NULL"},
			{Name: "v", Type: "DOUBLE"},
		},
		PartitionKeys: []string{"dt"},
		PrimaryKeys:   []string{"dt", "id"},
		Options:       opts,
	}
}

func TestWriteRejects(t *testing.T) {
	ctx := context.Background()
	cat := testCatalog(t)
	tb := createTable(t, cat, "pk", pkSpec(Option{"bucket", "2"}))
	w, err := tb.NewWriter(ctx, WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	str, i64, f64 := arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Float64
	full := []arrow.Field{{Name: "dt", Type: str, Nullable: true}, {Name: "id", Type: i64, Nullable: true},
		{Name: "name", Type: str, Nullable: true}, {Name: "v", Type: f64, Nullable: true}}
	kind := arrow.Field{Name: "_ROW_KIND", Type: str, Nullable: true}
	for _, tc := range []struct {
		name   string
		fields []arrow.Field
		js     string
		col    string // constraint column, or "" for ErrInputSchema
		row    int
	}{
		{"null pk", full, `[{"dt":"a","id":1,"name":"x"},{"dt":"a","id":null,"name":"y"}]`, "id", 1},
		{"null partition pk", full, `[{"dt":null,"id":1,"name":"x"}]`, "dt", 0},
		{"null not-null", full, `[{"dt":"a","id":1,"name":"x"},{"dt":"a","id":2,"name":"y"},{"dt":"a","id":3}]`, "name", 2},
		{"bad kind", append(full, kind), `[{"dt":"a","id":1,"name":"x","_ROW_KIND":"+I"},{"dt":"a","id":2,"name":"y","_ROW_KIND":"?"}]`, "_ROW_KIND", 1},
		{"null kind", append(full, kind), `[{"dt":"a","id":1,"name":"x","_ROW_KIND":null}]`, "_ROW_KIND", 0},
		{"missing column", full[:3], `[{"dt":"a","id":1,"name":"x"}]`, "", 0},
		{"extra column", append(full, arrow.Field{Name: "zz", Type: i64}), `[{"dt":"a","id":1,"name":"x"}]`, "", 0},
		{"wrong type", []arrow.Field{full[0], {Name: "id", Type: arrow.PrimitiveTypes.Int32}, full[2], full[3]}, `[{"dt":"a","id":1,"name":"x"}]`, "", 0},
		{"int kind out of range", append(full, arrow.Field{Name: "_ROW_KIND", Type: arrow.PrimitiveTypes.Int8}), `[{"dt":"a","id":1,"name":"x","_ROW_KIND":4}]`, "_ROW_KIND", 0},
		{"kind of wrong type", append(full, arrow.Field{Name: "_ROW_KIND", Type: i64}), `[{"dt":"a","id":1,"name":"x","_ROW_KIND":0}]`, "", 0},
	} {
		rec := jsonRecord(t, arrow.NewSchema(tc.fields, nil), tc.js)
		err := w.Write(ctx, rec)
		rec.Release()
		if tc.col == "" {
			if !errors.Is(err, ErrInputSchema) {
				t.Errorf("%s: want ErrInputSchema, got %v", tc.name, err)
			}
			continue
		}
		var ce *ConstraintError
		if !errors.Is(err, ErrConstraint) || !errors.As(err, &ce) || ce.Column != tc.col || ce.Row != tc.row {
			t.Errorf("%s: want constraint error at %s row %d, got %v", tc.name, tc.col, tc.row, err)
		}
	}
	if st := w.Stats(); st.Rows != 0 || len(w.buckets) != 0 {
		t.Errorf("rejected writes left state: %+v, %d buckets", st, len(w.buckets))
	}
}

func TestWriteRowKinds(t *testing.T) {
	ctx := context.Background()
	cat := testCatalog(t)

	// Append tables reject retracts unless ignore-delete drops them.
	app := createTable(t, cat, "app", Spec{Columns: []Column{{Name: "a", Type: "INT"}}})
	w, err := app.NewWriter(ctx, WriterOptions{RowKindColumn: "op"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	sc := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "op", Type: arrow.PrimitiveTypes.Int8}}, nil)
	rec := jsonRecord(t, sc, `[{"a":1,"op":0},{"a":2,"op":2},{"a":3,"op":3}]`)
	defer rec.Release()
	err = w.Write(ctx, rec)
	var ce *ConstraintError
	if !errors.As(err, &ce) || ce.Row != 2 || ce.Column != "op" {
		t.Fatalf("append -D: %v", err)
	}
	in, err := w.matchInput(rec)
	if err != nil {
		t.Fatal(err)
	}
	defer in.release()
	if want := []schema.RowKind{schema.Insert, schema.UpdateAfter, schema.Delete}; !equalKinds(in.kinds, want) {
		t.Errorf("kinds %v, want %v", in.kinds, want)
	}

	ign := createTable(t, cat, "app_ign", Spec{Columns: []Column{{Name: "a", Type: "INT"}}, Options: []Option{{"ignore-delete", "true"}}})
	w2, err := ign.NewWriter(ctx, WriterOptions{RowKindColumn: "op"})
	if err != nil {
		t.Fatal(err)
	}
	defer w2.Close()
	in2, err := w2.matchInput(rec)
	if err != nil {
		t.Fatal(err)
	}
	defer in2.release()
	keep, err := w2.acceptKinds(in2)
	if err != nil || len(keep) != 3 || !keep[0] || !keep[1] || keep[2] {
		t.Errorf("ignore-delete keep %v, %v", keep, err)
	}

	// rowkind.field reads kinds from a table column; first-row rejects
	// retracts.
	rk := createTable(t, cat, "rk", Spec{
		Columns:     []Column{{Name: "id", Type: "INT"}, {Name: "op", Type: "STRING"}},
		PrimaryKeys: []string{"id"},
		Options:     []Option{{"bucket", "1"}, {"rowkind.field", "op"}, {"merge-engine", "first-row"}},
	})
	w3, err := rk.NewWriter(ctx, WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer w3.Close()
	sc3 := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int32},
		{Name: "op", Type: arrow.BinaryTypes.String, Nullable: true}}, nil)
	rec3 := jsonRecord(t, sc3, `[{"id":1,"op":"+I"},{"id":2,"op":"-U"}]`)
	defer rec3.Release()
	err = w3.Write(ctx, rec3)
	if !errors.As(err, &ce) || ce.Row != 1 || ce.Column != "op" {
		t.Fatalf("first-row -U: %v", err)
	}
	// With rowkind.field set, a _ROW_KIND input column is not a table column.
	sc4 := arrow.NewSchema(append(sc3.Fields(), arrow.Field{Name: "_ROW_KIND", Type: arrow.BinaryTypes.String}), nil)
	rec4 := jsonRecord(t, sc4, `[{"id":1,"op":"+I","_ROW_KIND":"+I"}]`)
	defer rec4.Release()
	if err := w3.Write(ctx, rec4); !errors.Is(err, ErrInputSchema) {
		t.Errorf("_ROW_KIND beside rowkind.field: %v", err)
	}
}

func equalKinds(a, b []schema.RowKind) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestUnsupportedModes: tables whose layout floe cannot write are refused
// by Create, and (when another engine created them) by NewWriter, while
// they still open for reading.
func TestUnsupportedModes(t *testing.T) {
	ctx := context.Background()
	cat := testCatalog(t)
	for _, tc := range []struct {
		name string
		spec Spec
		key  string
	}{
		{"cross", Spec{Columns: []Column{{Name: "dt", Type: "STRING"}, {Name: "id", Type: "INT"}},
			PartitionKeys: []string{"dt"}, PrimaryKeys: []string{"id"}}, "bucket"},
		{"post", Spec{Columns: []Column{{Name: "id", Type: "INT"}}, PrimaryKeys: []string{"id"},
			Options: []Option{{"bucket", "-2"}}}, "bucket"},
		{"clorc", Spec{Columns: []Column{{Name: "id", Type: "INT"}}, PrimaryKeys: []string{"id"},
			Options: []Option{{"bucket", "1"}, {"changelog-producer", "input"}, {"changelog-file.format", "orc"}}}, "changelog-file.format"},
		{"orc", Spec{Columns: []Column{{Name: "id", Type: "INT"}}, Options: []Option{{"file.format", "orc"}}}, "file.format"},
		{"brotli", Spec{Columns: []Column{{Name: "id", Type: "INT"}}, Options: []Option{{"file.compression", "brotli"}}}, "file.compression"},
		{"hive", Spec{Columns: []Column{{Name: "id", Type: "INT"}}, PrimaryKeys: []string{"id"},
			Options: []Option{{"bucket", "2"}, {"bucket-function.type", "hive"}}}, "bucket-function.type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := catalog.Identifier{Database: "db", Table: tc.name}
			_, err := Create(ctx, cat, id, tc.spec, CreateOptions{})
			var ue *UnsupportedError
			if !errors.Is(err, ErrUnsupported) || !errors.As(err, &ue) || ue.Key != tc.key {
				t.Fatalf("Create: want *UnsupportedError on %s, got %v", tc.key, err)
			}
			if _, err := cat.TableStore(id).Read(ctx, "schema/schema-0"); err == nil {
				t.Fatal("a refused table was written")
			}
			// As another engine would: the schema without floe's checks.
			s, err := newSchemaUnchecked(tc.spec)
			if err != nil {
				t.Fatal(err)
			}
			if err := cat.CreateTable(ctx, id, s, false); err != nil {
				t.Fatal(err)
			}
			tb, err := OpenIn(ctx, cat, id)
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			defer tb.Close()
			if _, err := tb.NewWriter(ctx, WriterOptions{}); !errors.Is(err, ErrUnsupported) {
				t.Errorf("NewWriter: %v", err)
			}
		})
	}
	// Values Paimon does not know are invalid, not unsupported.
	for _, o := range []Option{{"file.format", "xyz"}, {"file.compression", "rar"}} {
		_, err := NewSchema(Spec{Columns: []Column{{Name: "id", Type: "INT"}}, Options: []Option{o}})
		var oe *OptionError
		if !errors.As(err, &oe) || oe.Key != o.Key || !errors.Is(err, ErrInvalidOption) {
			t.Errorf("%s=%s: %v", o.Key, o.Value, err)
		}
	}
	// Writable: deletion vectors, first-row, input and lookup changelog.
	for _, o := range []Option{{"deletion-vectors.enabled", "true"}, {"merge-engine", "first-row"}, {"changelog-producer", "input"}, {"changelog-producer", "lookup"}, {"file.compression", "snappy"}} {
		if _, err := NewSchema(Spec{Columns: []Column{{Name: "id", Type: "INT"}}, PrimaryKeys: []string{"id"},
			Options: []Option{{"bucket", "1"}, o}}); err != nil {
			t.Errorf("%s=%s: %v", o.Key, o.Value, err)
		}
	}
}

// newSchemaUnchecked is NewSchema without the writability checks.
func newSchemaUnchecked(spec Spec) (*schema.Table, error) {
	var fields []schema.Field
	for i, c := range spec.Columns {
		typ, err := schema.ParseType(c.Type)
		if err != nil {
			return nil, err
		}
		fields = append(fields, schema.Field{ID: i, Name: c.Name, Type: typ})
	}
	var opts schema.Options
	for _, o := range spec.Options {
		opts.Set(o.Key, o.Value)
	}
	return schema.NewTable(fields, spec.PartitionKeys, spec.PrimaryKeys, opts)
}

// TestAlterUnsupported: alter refuses to set an option value floe cannot
// write, but a table another engine created with one may still change in
// other ways.
func TestAlterUnsupported(t *testing.T) {
	ctx := context.Background()
	cat := testCatalog(t)
	createTable(t, cat, "a", Spec{Columns: []Column{{Name: "id", Type: "INT"}, {Name: "v", Type: "INT"}}, PrimaryKeys: []string{"id"},
		Options: []Option{{"bucket", "1"}}})
	id := catalog.Identifier{Database: "db", Table: "a"}
	for _, c := range []SchemaChange{SetOption("changelog-file.format", "orc"),
		SetOption("file.format", "avro"), SetOption("bucket", "-2")} {
		if _, err := Alter(ctx, cat, id, c); !errors.Is(err, ErrUnsupported) {
			t.Errorf("%v: %v", c, err)
		}
	}
	if _, err := Alter(ctx, cat, id, SetOption("file.compression", "rar")); !errors.Is(err, ErrInvalidOption) {
		t.Errorf("rar: %v", err)
	}
	// A partial-update table written by Java.
	jid := catalog.Identifier{Database: "db", Table: "java"}
	s, err := newSchemaUnchecked(Spec{Columns: []Column{{Name: "id", Type: "INT"}, {Name: "v", Type: "INT"}}, PrimaryKeys: []string{"id"},
		Options: []Option{{"bucket", "1"}, {"merge-engine", "partial-update"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := cat.CreateTable(ctx, jid, s, false); err != nil {
		t.Fatal(err)
	}
	if _, err := Alter(ctx, cat, jid, AddColumn("w", "INT", "", Position{})); err != nil {
		t.Errorf("unrelated change on a Java table: %v", err)
	}
	if _, err := Alter(ctx, cat, jid, SetOption("changelog-file.format", "avro")); !errors.Is(err, ErrUnsupported) {
		t.Errorf("an unsupported changelog format: %v", err)
	}
	if _, err := Alter(ctx, cat, jid, SetOption("fields.v.aggregate-function", "sum")); !errors.Is(err, ErrInvalidOption) {
		t.Errorf("an aggregate outside a sequence group: %v", err)
	}
	if _, err := Alter(ctx, cat, jid, SetOption("merge-engine", "deduplicate")); err != nil {
		t.Errorf("to a writable engine: %v", err)
	}
}

func TestHashAssigner(t *testing.T) {
	a := newHashAssigner(10, -1)
	a.load(manifest.IndexEntry{Bucket: 1, FileName: "index-x-0", RowCount: 2}, []int32{100, 101})
	a.finishLoad()
	if b := a.assign(101); b != 1 {
		t.Errorf("known hash in bucket %d", b)
	}
	counts := map[int32]int{}
	for h := range int32(35) {
		counts[a.assign(h)]++
	}
	// Bucket 1 fills to 10 first, then new buckets 0, 2, 3 in order.
	if counts[1] != 8 || counts[0] != 10 || counts[2] != 10 || counts[3] != 7 {
		t.Errorf("counts %v", counts)
	}
	for h := range int32(35) {
		if b := a.assign(h); a.byHash[h] != b {
			t.Fatalf("hash %d moved", h)
		}
	}
	if !a.buckets[1].changed || a.buckets[1].live == nil {
		t.Errorf("bucket 1 state %+v", a.buckets[1])
	}

	limited := newHashAssigner(2, 2)
	limited.finishLoad()
	for h := range int32(20) {
		if b := limited.assign(h); b != 0 && b != 1 {
			t.Fatalf("bucket %d beyond max-buckets", b)
		}
	}
	got, err := decodeHashIndex("x", encodeHashIndex([]int32{-1, 0, 7, 1 << 30}))
	if err != nil || len(got) != 4 || got[0] != -1 || got[3] != 1<<30 {
		t.Errorf("round trip %v %v", got, err)
	}
	if _, err := decodeHashIndex("x", []byte{1, 2, 3}); !errors.Is(err, ErrCorruptIndex) {
		t.Errorf("short file: %v", err)
	}
}
