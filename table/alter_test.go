package table

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/catalog"
	"github.com/floelake/floe/internal/fixtures"
	"github.com/floelake/floe/predicate"
	"github.com/floelake/floe/schema"
	"github.com/floelake/floe/storage"
)

func alterBase(t *testing.T, spec Spec) *schema.Table {
	t.Helper()
	s, err := NewSchema(spec)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// fieldsText renders fields as "id:name TYPE" joined by ", ".
func fieldsText(fs []schema.Field) string {
	var b []string
	for _, f := range fs {
		s := f.Name + " " + f.Type.String()
		b = append(b, strings.TrimSpace(itoa(f.ID)+":"+s))
	}
	return strings.Join(b, ", ")
}

func itoa(i int) string {
	if i < 0 {
		return "-" + itoa(-i)
	}
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

func optionsText(o schema.Options) string {
	var b []string
	for _, k := range o.Keys() {
		v, _ := o.Get(k)
		b = append(b, k+"="+v)
	}
	return strings.Join(b, " ")
}

func TestApplyChanges(t *testing.T) {
	pk := Spec{
		Columns: []Column{
			{Name: "dt", Type: "STRING"}, {Name: "id", Type: "INT"}, {Name: "v", Type: "INT"},
			{Name: "s", Type: "STRING"}, {Name: "r", Type: "ROW<x INT, y INT>"}, {Name: "nn", Type: "INT NOT NULL"},
		},
		PartitionKeys: []string{"dt"},
		PrimaryKeys:   []string{"dt", "id"},
		Options: []Option{{"bucket", "2"}, {"sequence.field", "v"}, {"fields.s.aggregate-function", "max"},
			{"fields.v,s.sequence-group", "s,v"}},
	}
	// ids: dt 0, id 1, v 2, s 3, r 4 (x 5, y 6), nn 7; highest 7
	tests := []struct {
		name     string
		snaps    bool
		changes  []SchemaChange
		fields   string // want, when no error
		pks      string
		options  string
		errMatch string // substring of the error, when an error is wanted
	}{
		{name: "add last", changes: []SchemaChange{AddColumn("n", "BIGINT", "", Position{})},
			fields: "0:dt STRING NOT NULL, 1:id INT NOT NULL, 2:v INT, 3:s STRING, 4:r ROW<x INT, y INT>, 7:nn INT NOT NULL, 8:n BIGINT"},
		{name: "add first and after, nested ids", changes: []SchemaChange{
			AddColumn("a", "ROW<p INT, q STRING>", "c", First()), AddColumn("b", "INT", "", After("v")), AddColumn("c", "INT", "", Before("v"))},
			fields: "8:a ROW<p INT, q STRING>, 0:dt STRING NOT NULL, 1:id INT NOT NULL, 12:c INT, 2:v INT, 11:b INT, 3:s STRING, 4:r ROW<x INT, y INT>, 7:nn INT NOT NULL"},
		{name: "add not null", changes: []SchemaChange{AddColumn("n", "INT NOT NULL", "", Last())}, errMatch: `"n"`},
		{name: "add existing", changes: []SchemaChange{AddColumn("v", "INT", "", Last())}, errMatch: `"v"`},
		{name: "add after missing", changes: []SchemaChange{AddColumn("n", "INT", "", After("zz"))}, errMatch: `"zz"`},
		{name: "add bad type", changes: []SchemaChange{AddColumn("n", "INTT", "", Last())}, errMatch: `"n"`},
		{name: "rename renames pk and options", changes: []SchemaChange{RenameColumn("id", "key"), RenameColumn("v", "ver"), RenameColumn("s", "str")},
			fields:  "0:dt STRING NOT NULL, 1:key INT NOT NULL, 2:ver INT, 3:str STRING, 4:r ROW<x INT, y INT>, 7:nn INT NOT NULL",
			pks:     "dt,key",
			options: "bucket=2 sequence.field=ver fields.str.aggregate-function=max fields.ver,str.sequence-group=str,ver"},
		{name: "rename partition", changes: []SchemaChange{RenameColumn("dt", "d")}, errMatch: `"dt"`},
		{name: "rename to existing", changes: []SchemaChange{RenameColumn("v", "s")}, errMatch: `"s"`},
		{name: "rename missing", changes: []SchemaChange{RenameColumn("zz", "y")}, errMatch: `"zz"`},
		{name: "drop", changes: []SchemaChange{DropColumn("r"), AddColumn("r", "INT", "", Last())},
			fields: "0:dt STRING NOT NULL, 1:id INT NOT NULL, 2:v INT, 3:s STRING, 7:nn INT NOT NULL, 8:r INT"},
		{name: "drop pk", changes: []SchemaChange{DropColumn("id")}, errMatch: `"id"`},
		{name: "drop partition", changes: []SchemaChange{DropColumn("dt")}, errMatch: `"dt"`},
		{name: "drop sequence field", changes: []SchemaChange{DropColumn("v")}, errMatch: "sequence.field"},
		{name: "widen", changes: []SchemaChange{UpdateColumnType("v", "BIGINT"), UpdateColumnType("s", "VARCHAR(3)")},
			fields: "0:dt STRING NOT NULL, 1:id INT NOT NULL, 2:v BIGINT, 3:s VARCHAR(3), 4:r ROW<x INT, y INT>, 7:nn INT NOT NULL"},
		{name: "explicit cast", changes: []SchemaChange{UpdateColumnType("v", "STRING"), UpdateColumnType("s", "INT")},
			fields: "0:dt STRING NOT NULL, 1:id INT NOT NULL, 2:v STRING, 3:s INT, 4:r ROW<x INT, y INT>, 7:nn INT NOT NULL"},
		{name: "not null to null", changes: []SchemaChange{UpdateColumnType("nn", "BIGINT")},
			fields: "0:dt STRING NOT NULL, 1:id INT NOT NULL, 2:v INT, 3:s STRING, 4:r ROW<x INT, y INT>, 7:nn BIGINT"},
		{name: "null to not null", changes: []SchemaChange{UpdateColumnType("v", "BIGINT NOT NULL")}, errMatch: `"v"`},
		{name: "nullability", changes: []SchemaChange{UpdateColumnNullability("v", false)}, errMatch: `"v"`},
		{name: "nullability pk", changes: []SchemaChange{UpdateColumnNullability("id", true)}, errMatch: `"id"`},
		{name: "type of pk", changes: []SchemaChange{UpdateColumnType("id", "BIGINT")}, errMatch: `"id"`},
		{name: "type of partition", changes: []SchemaChange{UpdateColumnType("dt", "VARCHAR(5)")}, errMatch: `"dt"`},
		{name: "row to int", changes: []SchemaChange{UpdateColumnType("r", "INT")}, errMatch: `"r"`},
		{name: "date to date no executor", changes: []SchemaChange{AddColumn("d", "DATE", "", Last()), UpdateColumnType("d", "DATE")}, errMatch: `"d"`},
		{name: "options before snapshots", changes: []SchemaChange{SetOption("merge-engine", "first-row"), SetOption("bucket", "-1"), RemoveOption("fields.s.aggregate-function"), RemoveOption("sequence.field")},
			options: "bucket=-1 fields.v,s.sequence-group=s,v merge-engine=first-row"},
		{name: "first-row with a sequence field", changes: []SchemaChange{SetOption("merge-engine", "first-row")}, errMatch: "sequence.field"},
		{name: "immutable option", snaps: true, changes: []SchemaChange{SetOption("merge-engine", "first-row")}, errMatch: `"merge-engine"`},
		{name: "reset immutable", snaps: true, changes: []SchemaChange{RemoveOption("bucket-key")}, errMatch: `"bucket-key"`},
		{name: "bucket to -1", snaps: true, changes: []SchemaChange{SetOption("bucket", "-1")}, errMatch: "bucket"},
		{name: "bucket rescale", snaps: true, changes: []SchemaChange{SetOption("bucket", "4")},
			options: "bucket=4 sequence.field=v fields.s.aggregate-function=max fields.v,s.sequence-group=s,v"},
		{name: "reset bucket", snaps: true, changes: []SchemaChange{RemoveOption("bucket")}, errMatch: "bucket"},
		{name: "dv flip", snaps: true, changes: []SchemaChange{SetOption("deletion-vectors.enabled", "true")}, errMatch: "deletion-vectors.enabled"},
		{name: "dv flip modifiable", snaps: true, changes: []SchemaChange{SetOption("deletion-vectors.modifiable", "true"), SetOption("deletion-vectors.enabled", "true")}, errMatch: "deletion-vectors.enabled"},
		{name: "bad option value", changes: []SchemaChange{SetOption("write-buffer-size", "lots")}, errMatch: "write-buffer-size"},
		{name: "comments", changes: []SchemaChange{UpdateComment("t"), UpdateColumnComment("v", "the v"), MoveColumn("nn", First())},
			fields: "7:nn INT NOT NULL, 0:dt STRING NOT NULL, 1:id INT NOT NULL, 2:v INT, 3:s STRING, 4:r ROW<x INT, y INT>"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			old := alterBase(t, pk)
			before, _ := old.Encode()
			got, err := ApplyChanges(old, tc.snaps, tc.changes...)
			if after, _ := old.Encode(); string(after) != string(before) {
				t.Fatal("ApplyChanges modified the old schema")
			}
			if tc.errMatch != "" {
				if err == nil {
					t.Fatalf("want an error naming %s, got none", tc.errMatch)
				}
				if !errors.Is(err, ErrInvalidSchemaChange) && !errors.Is(err, ErrInvalidOption) {
					t.Fatalf("error %v wraps neither ErrInvalidSchemaChange nor ErrInvalidOption", err)
				}
				if !strings.Contains(err.Error(), tc.errMatch) {
					t.Fatalf("error %v does not name %s", err, tc.errMatch)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != old.ID+1 {
				t.Errorf("id %d, want %d", got.ID, old.ID+1)
			}
			if tc.fields != "" {
				if s := fieldsText(got.Fields); s != tc.fields {
					t.Errorf("fields\n got %s\nwant %s", s, tc.fields)
				}
			}
			if tc.pks != "" && strings.Join(got.PrimaryKeys, ",") != tc.pks {
				t.Errorf("primary keys %v, want %s", got.PrimaryKeys, tc.pks)
			}
			if tc.options != "" {
				if s := optionsText(got.Options); s != tc.options {
					t.Errorf("options\n got %s\nwant %s", s, tc.options)
				}
			}
			if got.HighestFieldID < schema.HighestFieldID(got.Fields) {
				t.Errorf("highestFieldId %d below %d", got.HighestFieldID, schema.HighestFieldID(got.Fields))
			}
		})
	}
}

// TestApplyChangesMatchesJava derives the ALTER behind a Java-evolved
// fixture (paimon-cpp's append_table_with_alter_table: columns dropped,
// renamed to dropped names, moved and added) and compares floe's schema-1
// with Java's byte for byte.
func TestApplyChangesMatchesJava(t *testing.T) {
	var dir string
	for _, tb := range fixtures.CppTables(t) {
		if tb.Name == "parquet/append_table_with_alter_table" {
			dir = tb.Dir
		}
	}
	if dir == "" {
		t.Fatal("fixture parquet/append_table_with_alter_table not found")
	}
	read := func(id int64) ([]byte, *schema.Table) {
		b, err := os.ReadFile(filepath.Join(dir, "schema", schema.FileName(id)))
		if err != nil {
			t.Fatal(err)
		}
		s, err := schema.Decode(schema.FileName(id), b)
		if err != nil {
			t.Fatal(err)
		}
		return b, s
	}
	_, s0 := read(0)
	want, s1 := read(1)
	empty := ""
	got, err := ApplyChanges(s0, true,
		DropColumn("a"), DropColumn("c"),
		RenameColumn("b", "c"), RenameColumn("d", "a"),
		MoveColumn("k", After("key1")),
		addColumn{name: "d", typ: "INT", comment: &empty, pos: After("c")},
		AddColumn("e", "INT", "", Last()),
	)
	if err != nil {
		t.Fatal(err)
	}
	got.TimeMillis = s1.TimeMillis
	b, err := got.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != string(want) {
		t.Fatalf("schema-1 differs from Java's\n got %s\nwant %s", b, want)
	}
}

func TestAlterWritesCreateOnly(t *testing.T) {
	ctx := context.Background()
	st, err := storage.Open(ctx, "mem://")
	if err != nil {
		t.Fatal(err)
	}
	cat := catalog.New(st)
	if err := cat.CreateDatabase(ctx, "db", false); err != nil {
		t.Fatal(err)
	}
	id := catalog.Identifier{Database: "db", Table: "t"}
	tb, err := Create(ctx, cat, id, Spec{Columns: []Column{{Name: "k", Type: "INT"}, {Name: "v", Type: "INT"}}, PrimaryKeys: []string{"k"}, Options: []Option{{"bucket", "1"}}}, CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tb.Close()
	s, err := Alter(ctx, cat, id, AddColumn("w", "STRING", "", Last()), UpdateColumnType("v", "BIGINT"))
	if err != nil {
		t.Fatal(err)
	}
	if s.ID != 1 {
		t.Fatalf("schema id %d", s.ID)
	}
	// A failing ALTER writes nothing.
	if _, err := Alter(ctx, cat, id, AddColumn("x", "INT", "", Last()), DropColumn("k")); !errors.Is(err, ErrInvalidSchemaChange) {
		t.Fatalf("want ErrInvalidSchemaChange, got %v", err)
	}
	ids, err := cat.SchemaIDs(ctx, id)
	if err != nil || len(ids) != 2 {
		t.Fatalf("schema ids %v, %v", ids, err)
	}
	latest, err := cat.LatestSchema(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if fieldsText(latest.Fields) != "0:k INT NOT NULL, 1:v BIGINT, 2:w STRING" {
		t.Fatalf("latest fields %s", fieldsText(latest.Fields))
	}
	// A schema-2 created by someone else first: Alter re-checks against it
	// and writes schema-3.
	other, err := ApplyChanges(latest, false, AddColumn("o", "INT", "", Last()))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := other.Encode()
	if err := cat.TableStore(id).Create(ctx, "schema/schema-2", b); err != nil {
		t.Fatal(err)
	}
	s, err = Alter(ctx, cat, id, AddColumn("p", "INT", "", Last()))
	if err != nil {
		t.Fatal(err)
	}
	if s.ID != 3 || fieldsText(s.Fields) != "0:k INT NOT NULL, 1:v BIGINT, 2:w STRING, 3:o INT, 4:p INT" {
		t.Fatalf("schema %d: %s", s.ID, fieldsText(s.Fields))
	}
	if _, err := Alter(ctx, cat, id, AddColumn("o", "INT", "", Last())); !errors.Is(err, ErrInvalidSchemaChange) {
		t.Fatalf("want ErrInvalidSchemaChange, got %v", err)
	}
}

// TestAlterEndToEnd writes, alters (add, rename, drop, widen), writes
// through a table opened on the new schema and reads the mix of files
// back, with projection, filters on renamed and added columns, and time
// travel to before the ALTER.
func TestAlterEndToEnd(t *testing.T) {
	ctx := context.Background()
	cat, err := catalog.Open(ctx, t.TempDir(), catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	if err := cat.CreateDatabase(ctx, "db", false); err != nil {
		t.Fatal(err)
	}
	id := catalog.Identifier{Database: "db", Table: "t"}
	tb, err := Create(ctx, cat, id, Spec{
		Columns:     []Column{{Name: "id", Type: "INT"}, {Name: "a", Type: "INT"}, {Name: "b", Type: "STRING"}, {Name: "c", Type: "STRING"}},
		PrimaryKeys: []string{"id"},
		Options:     []Option{{"bucket", "1"}},
	}, CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	alloc := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer alloc.AssertSize(t, 0)
	write := func(tb *Table, rows string) {
		t.Helper()
		sc, err := tb.Schema().ArrowSchema()
		if err != nil {
			t.Fatal(err)
		}
		rec, _, err := array.RecordFromJSON(alloc, sc, strings.NewReader(rows))
		if err != nil {
			t.Fatal(err)
		}
		defer rec.Release()
		w, err := tb.NewWriter(ctx, WriterOptions{Alloc: alloc, SpillDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		if err := w.Write(ctx, rec); err != nil {
			t.Fatal(err)
		}
		msgs, err := w.Prepare(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tb.Commit(ctx, msgs, CommitOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	read := func(tb *Table, so ScanOptions) string {
		t.Helper()
		rr, err := tb.ReadAll(ctx, so, ReadOptions{Alloc: alloc})
		if err != nil {
			t.Fatal(err)
		}
		defer rr.Release()
		var names []string
		for _, f := range rr.Schema().Fields() {
			names = append(names, f.Name+":"+f.Type.String())
		}
		var rows []string
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
		if err := rr.Err(); err != nil {
			t.Fatal(err)
		}
		slices.Sort(rows)
		return strings.Join(names, ",") + "\n" + strings.Join(rows, "\n")
	}
	write(tb, `[{"id":1,"a":10,"b":"x","c":"c1"},{"id":2,"a":20,"b":"y","c":"c2"}]`)
	tb.Close()

	s, err := Alter(ctx, cat, id,
		AddColumn("d", "STRING", "new", Last()),
		RenameColumn("b", "bb"),
		UpdateColumnType("a", "BIGINT"),
		DropColumn("c"))
	if err != nil {
		t.Fatal(err)
	}
	if got := fieldsText(s.Fields); got != "0:id INT NOT NULL, 1:a BIGINT, 2:bb STRING, 4:d STRING" {
		t.Fatalf("schema-1 fields %s", got)
	}
	tb, err = OpenIn(ctx, cat, id)
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Close()
	write(tb, `[{"id":2,"a":21,"bb":"y2","d":"d2"},{"id":3,"a":30000000000,"bb":"z","d":"d3"}]`)

	files, _, err := tb.Files(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	bySchema := map[int64]int{}
	for _, f := range files {
		bySchema[f.SchemaID]++
	}
	if bySchema[0] == 0 || bySchema[1] == 0 {
		t.Fatalf("live files by schema id: %v", bySchema)
	}

	for _, tc := range []struct {
		name string
		so   ScanOptions
		want string
	}{
		{"all", ScanOptions{}, "id:int32,a:int64,bb:utf8,d:utf8\n1 10 x (null)\n2 21 y2 d2\n3 30000000000 z d3"},
		{"projection", ScanOptions{Columns: []string{"d", "id"}}, "d:utf8,id:int32\n(null) 1\nd2 2\nd3 3"},
		{"renamed", ScanOptions{Filter: predicate.Equal("bb", "x"), Columns: []string{"id"}}, "id:int32\n1"},
		{"added", ScanOptions{Filter: predicate.Equal("d", "d3"), Columns: []string{"id", "d"}}, "id:int32,d:utf8\n3 d3"},
		{"added null", ScanOptions{Filter: predicate.IsNull("d"), Columns: []string{"id"}}, "id:int32\n1"},
		{"widened", ScanOptions{Filter: predicate.Greater("a", int64(15)), Columns: []string{"id"}}, "id:int32\n2\n3"},
		{"before alter", ScanOptions{SnapshotID: 1}, "id:int32,a:int32,b:utf8,c:utf8\n1 10 x c1\n2 20 y c2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := read(tb, tc.so); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}
