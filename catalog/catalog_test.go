package catalog_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/floelake/floe/catalog"
	"github.com/floelake/floe/internal/fixtures"
	"github.com/floelake/floe/schema"
	"github.com/floelake/floe/storage"
)

func newTable(t *testing.T) *schema.Table {
	t.Helper()
	ts, err := schema.NewTable([]schema.Field{
		{Name: "id", Type: schema.NewInt()},
		{Name: "name", Type: schema.NewString()},
	}, nil, []string{"id"}, schema.NewOptions("bucket", "1"))
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

// stores returns the backends every catalog test runs against.
func stores(t *testing.T) map[string]func(t *testing.T) *catalog.Catalog {
	return map[string]func(t *testing.T) *catalog.Catalog{
		"mem": func(t *testing.T) *catalog.Catalog {
			c, err := catalog.Open(context.Background(), "mem://", catalog.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Close() })
			return c
		},
		"local": func(t *testing.T) *catalog.Catalog {
			c, err := catalog.Open(context.Background(), "file://"+filepath.ToSlash(t.TempDir()), catalog.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Close() })
			return c
		},
	}
}

func TestCatalog(t *testing.T) {
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) { testCatalog(t, open(t)) })
	}
}

func testCatalog(t *testing.T, c *catalog.Catalog) {
	ctx := context.Background()
	if dbs, err := c.Databases(ctx); err != nil || len(dbs) != 0 {
		t.Fatalf("empty warehouse: %v %v", dbs, err)
	}
	if err := c.CreateDatabase(ctx, "db1", false); err != nil {
		t.Fatal(err)
	}
	if err := c.CreateDatabase(ctx, "db1", false); !errors.Is(err, catalog.ErrDatabaseExists) {
		t.Errorf("second create: %v", err)
	}
	if err := c.CreateDatabase(ctx, "db1", true); err != nil {
		t.Errorf("create ignoreIfExists: %v", err)
	}
	if err := c.CreateDatabase(ctx, "db0", false); err != nil {
		t.Fatal(err)
	}
	if dbs, err := c.Databases(ctx); err != nil || !reflect.DeepEqual(dbs, []string{"db0", "db1"}) {
		t.Errorf("Databases = %v %v", dbs, err)
	}
	if tables, err := c.Tables(ctx, "db1"); err != nil || len(tables) != 0 {
		t.Errorf("Tables of empty db = %v %v", tables, err)
	}
	if _, err := c.Tables(ctx, "nope"); !errors.Is(err, catalog.ErrDatabaseNotFound) {
		t.Errorf("Tables of missing db: %v", err)
	}

	ts := newTable(t)
	id := catalog.Identifier{Database: "db1", Table: "t1"}
	if err := c.CreateTable(ctx, catalog.Identifier{Database: "nope", Table: "t"}, ts, false); !errors.Is(err, catalog.ErrDatabaseNotFound) {
		t.Errorf("create in missing db: %v", err)
	}
	if err := c.CreateTable(ctx, id, ts, false); err != nil {
		t.Fatal(err)
	}
	if err := c.CreateTable(ctx, id, ts, false); !errors.Is(err, catalog.ErrTableExists) {
		t.Errorf("second create table: %v", err)
	}
	if err := c.CreateTable(ctx, id, ts, true); err != nil {
		t.Errorf("create table ignoreIfExists: %v", err)
	}
	if tables, err := c.Tables(ctx, "db1"); err != nil || !reflect.DeepEqual(tables, []string{"t1"}) {
		t.Errorf("Tables = %v %v", tables, err)
	}
	got, err := c.LatestSchema(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, ts) {
		t.Errorf("LatestSchema = %+v, want %+v", got, ts)
	}

	// A second schema version written by a caller (ALTER) becomes the latest.
	ts1 := *ts
	ts1.ID = 1
	ts1.Options = ts.Options.Clone()
	ts1.Options.Set("snapshot.num-retained.max", "5")
	b, err := ts1.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.TableStore(id).Create(ctx, "schema/"+schema.FileName(1), b); err != nil {
		t.Fatal(err)
	}
	if err := c.TableStore(id).Write(ctx, "bucket-0/data-1.parquet", []byte("data")); err != nil {
		t.Fatal(err)
	}
	if got, err := c.LatestSchema(ctx, id); err != nil || got.ID != 1 {
		t.Errorf("LatestSchema after alter: %v %v", got, err)
	}
	if got, err := c.Schema(ctx, id, 0); err != nil || got.ID != 0 {
		t.Errorf("Schema(0): %v %v", got, err)
	}
	if _, err := c.Schema(ctx, id, 7); !errors.Is(err, catalog.ErrSchemaNotFound) {
		t.Errorf("Schema(7): %v", err)
	}
	if ids, err := c.SchemaIDs(ctx, id); err != nil || !reflect.DeepEqual(ids, []int64{0, 1}) {
		t.Errorf("SchemaIDs = %v %v", ids, err)
	}

	// Rename within and across databases.
	id2 := catalog.Identifier{Database: "db0", Table: "t2"}
	if err := c.RenameTable(ctx, id, id2); err != nil {
		t.Fatal(err)
	}
	if _, err := c.LatestSchema(ctx, id); !errors.Is(err, catalog.ErrTableNotFound) {
		t.Errorf("old name after rename: %v", err)
	}
	if got, err := c.LatestSchema(ctx, id2); err != nil || got.ID != 1 {
		t.Errorf("new name after rename: %v %v", got, err)
	}
	if b, err := c.TableStore(id2).Read(ctx, "bucket-0/data-1.parquet"); err != nil || string(b) != "data" {
		t.Errorf("data file after rename: %q %v", b, err)
	}
	if err := c.RenameTable(ctx, id, id2); !errors.Is(err, catalog.ErrTableNotFound) {
		t.Errorf("rename missing: %v", err)
	}
	if err := c.CreateTable(ctx, id, ts, false); err != nil {
		t.Fatal(err)
	}
	if err := c.RenameTable(ctx, id, id2); !errors.Is(err, catalog.ErrTableExists) {
		t.Errorf("rename onto existing: %v", err)
	}
	if err := c.RenameTable(ctx, id, catalog.Identifier{Database: "nope", Table: "x"}); !errors.Is(err, catalog.ErrDatabaseNotFound) {
		t.Errorf("rename into missing db: %v", err)
	}
	if err := c.RenameDatabase(ctx, "db0", "db9"); !errors.Is(err, catalog.ErrUnsupported) {
		t.Errorf("RenameDatabase: %v", err)
	}

	// Drops.
	if err := c.DropDatabase(ctx, "db0", false); !errors.Is(err, catalog.ErrDatabaseNotEmpty) {
		t.Errorf("drop non-empty db: %v", err)
	}
	if err := c.DropTable(ctx, id2, false); err != nil {
		t.Fatal(err)
	}
	if objs, err := c.TableStore(id2).List(ctx, ""); err != nil || len(objs) != 0 {
		t.Errorf("objects left after drop: %v %v", objs, err)
	}
	if err := c.DropTable(ctx, id2, false); !errors.Is(err, catalog.ErrTableNotFound) {
		t.Errorf("drop missing table: %v", err)
	}
	if err := c.DropTable(ctx, id2, true); err != nil {
		t.Errorf("drop missing table ignoreIfNotExists: %v", err)
	}
	if err := c.DropDatabase(ctx, "db0", false); err != nil {
		t.Errorf("drop empty db: %v", err)
	}
	if err := c.DropDatabase(ctx, "db0", false); !errors.Is(err, catalog.ErrDatabaseNotFound) {
		t.Errorf("drop missing db: %v", err)
	}
	if err := c.DropDatabase(ctx, "db1", true); err != nil {
		t.Errorf("drop db cascade: %v", err)
	}
	if dbs, err := c.Databases(ctx); err != nil || len(dbs) != 0 {
		t.Errorf("Databases after drops = %v %v", dbs, err)
	}
}

func TestCreateTableRace(t *testing.T) {
	ctx := context.Background()
	c, err := catalog.Open(ctx, "mem://", catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.CreateDatabase(ctx, "db", false); err != nil {
		t.Fatal(err)
	}
	id := catalog.Identifier{Database: "db", Table: "t"}
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for range 8 {
		wg.Go(func() {
			err := c.CreateTable(ctx, id, newTable(t), false)
			if err == nil {
				mu.Lock()
				wins++
				mu.Unlock()
			} else if !errors.Is(err, catalog.ErrTableExists) {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if wins != 1 {
		t.Errorf("%d creators won", wins)
	}
}

func TestNames(t *testing.T) {
	for _, s := range []string{"db.t", "my_db.my-table", "数据.表"} {
		if _, err := catalog.ParseIdentifier(s); err != nil {
			t.Errorf("ParseIdentifier(%q): %v", s, err)
		}
	}
	id, _ := catalog.ParseIdentifier("a.b")
	if id != (catalog.Identifier{Database: "a", Table: "b"}) || id.String() != "a.b" {
		t.Errorf("ParseIdentifier(a.b) = %+v", id)
	}
	for _, s := range []string{"", "db", "a.b.c", ".t", "db.", "db..", "../x.t", "db/x.t", `db.a\b`, "db.a\x00", "db.t\n", "db.t$snapshots", "db.." + strings.Repeat("x", 300), "db.\xff"} {
		_, err := catalog.ParseIdentifier(s)
		var ine *catalog.InvalidNameError
		if !errors.Is(err, catalog.ErrInvalidName) || !errors.As(err, &ine) {
			t.Errorf("ParseIdentifier(%q) = %v, want InvalidNameError", s, err)
		}
	}
	ctx := context.Background()
	c, err := catalog.Open(ctx, "mem://", catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, name := range []string{"..", "a/b", "", ".hidden", "sys"} {
		if err := c.CreateDatabase(ctx, name, false); !errors.Is(err, catalog.ErrInvalidName) {
			t.Errorf("CreateDatabase(%q): %v", name, err)
		}
	}
	bad := catalog.Identifier{Database: "..", Table: "x"}
	if err := c.CreateTable(ctx, bad, newTable(t), false); !errors.Is(err, catalog.ErrInvalidName) {
		t.Errorf("CreateTable(bad): %v", err)
	}
	if _, err := c.TableStore(bad).List(ctx, ""); !errors.Is(err, storage.ErrInvalidKey) {
		t.Errorf("TableStore(bad).List: %v", err)
	}
}

// TestFixtureWarehouses lists the Java-written warehouses.
func TestFixtureWarehouses(t *testing.T) {
	ctx := context.Background()

	wh := fixtures.Path(t, "paimon-cpp", "tables", "parquet")
	c, err := catalog.Open(ctx, wh, catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	dbs, err := c.Databases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dirs, _ := filepath.Glob(filepath.Join(wh, "*.db"))
	if len(dbs) != len(dirs) || len(dbs) < 10 {
		t.Fatalf("Databases = %v, dirs %v", dbs, dirs)
	}
	for _, db := range dbs {
		tables, err := c.Tables(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(tables, []string{db}) {
			t.Errorf("Tables(%s) = %v", db, tables)
			continue
		}
		ts, err := c.LatestSchema(ctx, catalog.Identifier{Database: db, Table: db})
		if err != nil {
			t.Errorf("%s: %v", db, err)
			continue
		}
		if len(ts.Fields) == 0 {
			t.Errorf("%s: no fields", db)
		}
	}
	ts, err := c.LatestSchema(ctx, catalog.Identifier{Database: "append_table_with_alter_table", Table: "append_table_with_alter_table"})
	if err != nil || ts.ID != 1 {
		t.Errorf("altered table latest schema: %v %v", ts, err)
	}

	golden, err := catalog.Open(ctx, fixtures.GoldenWarehouse(t), catalog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer golden.Close()
	if dbs, err := golden.Databases(ctx); err != nil || !reflect.DeepEqual(dbs, []string{"default"}) {
		t.Fatalf("golden Databases = %v %v", dbs, err)
	}
	tables, err := golden.Tables(ctx, "default")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"test_pk_full_text_golden", "test_pk_global_index_golden", "test_pk_vector_golden"}
	if !reflect.DeepEqual(tables, want) {
		t.Errorf("golden tables = %v", tables)
	}
	for _, tb := range tables {
		ts, err := golden.LatestSchema(ctx, catalog.Identifier{Database: "default", Table: tb})
		if err != nil {
			t.Fatal(err)
		}
		// The path option names the machine that wrote the table; it is kept
		// as data but the table is found where it is.
		if p, ok := ts.Options.Get("path"); ok && !strings.Contains(p, tb) {
			t.Errorf("%s: path option %q", tb, p)
		}
	}
	if _, err := os.Stat(filepath.Join(fixtures.GoldenWarehouse(t), "default.db", ".floe-database")); err == nil {
		t.Error("reading wrote a marker into the fixture")
	}
}
