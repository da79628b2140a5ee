// Package catalog is Paimon's filesystem catalog over an object store:
// warehouse → databases → tables, table locations, schema files and name
// checks.
//
// # Layout
//
// A warehouse holds one directory per database, named "<database>.db", and
// one directory per table inside it; a table's schema versions live in
// "<database>.db/<table>/schema/schema-N" (see schema). This is the
// layout of Paimon's Java FileSystemCatalog, so warehouses are shared with
// Flink, Spark and the other Paimon engines.
//
// # Databases on object stores
//
// Object stores have no directories, and the local driver hides empty ones,
// so a database exists when at least one object lives under its prefix.
// CreateDatabase writes an empty marker object, "<database>.db/.floe-database",
// so that a database without tables is visible. Java ignores the marker (it
// is not a table directory). A database that Java created as an empty
// directory is invisible here until it holds a table. Databases cannot be
// renamed (Paimon's filesystem catalog does not support it either).
//
// # Concurrency and atomicity
//
// A Catalog is safe for concurrent use. CreateTable publishes schema-0 with
// a create-only write, so exactly one of several racing creators wins.
// DropTable, DropDatabase and RenameTable touch many objects one at a time
// and are not atomic: a crash leaves part of the work done (see their
// docs).
package catalog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/floelake/floe/schema"
	"github.com/floelake/floe/storage"
)

// Sentinel errors. Callers test with errors.Is.
var (
	ErrDatabaseNotFound = errors.New("catalog: database not found")
	ErrDatabaseExists   = errors.New("catalog: database already exists")
	ErrDatabaseNotEmpty = errors.New("catalog: database is not empty")
	ErrTableNotFound    = errors.New("catalog: table not found")
	ErrTableExists      = errors.New("catalog: table already exists")
	ErrSchemaNotFound   = errors.New("catalog: schema not found")
	ErrInvalidName      = errors.New("catalog: invalid name")
	ErrUnsupported      = errors.New("catalog: unsupported")
)

const (
	dbSuffix = ".db"
	// dbMarker makes an empty database visible on object stores.
	dbMarker  = ".floe-database"
	schemaDir = "schema"
)

func dbDir(name string) string { return name + dbSuffix }

// Options configure Open. The zero value is the default.
type Options struct {
	// Logger receives lifecycle events (databases and tables created,
	// dropped, renamed). Nil discards them.
	Logger *slog.Logger
}

// Catalog is a filesystem catalog rooted at a warehouse. It is safe for
// concurrent use.
type Catalog struct {
	store *storage.Store
	log   *slog.Logger
	owned bool
}

// Open opens the warehouse at warehouseURL (a local path or any URL
// storage.Open accepts). The caller must Close the catalog.
func Open(ctx context.Context, warehouseURL string, opts Options) (*Catalog, error) {
	s, err := storage.Open(ctx, warehouseURL)
	if err != nil {
		return nil, fmt.Errorf("open warehouse %s: %w", warehouseURL, err)
	}
	c := New(s)
	c.owned = true
	if opts.Logger != nil {
		c.log = opts.Logger
	}
	return c, nil
}

// New returns a catalog over a store rooted at the warehouse. The caller
// keeps ownership of the store; Close does not close it.
func New(store *storage.Store) *Catalog {
	return &Catalog{store: store, log: slog.New(slog.DiscardHandler)}
}

// Close closes the store if Open opened it.
func (c *Catalog) Close() error {
	if c.owned {
		return c.store.Close()
	}
	return nil
}

// Store returns the warehouse root store.
func (c *Catalog) Store() *storage.Store { return c.store }

// TableStore returns a view of the store rooted at the table's directory.
// It does no I/O and does not check that the table exists. For an invalid
// identifier (see Identifier.Validate) every operation of the returned
// store fails with storage.ErrInvalidKey.
func (c *Catalog) TableStore(id Identifier) *storage.Store {
	if id.Validate() != nil {
		return c.store.Sub("..") // a view that refuses every operation
	}
	return c.store.Sub(id.path())
}

// ---- databases ----

// CreateDatabase creates a database. With ignoreIfExists an existing
// database is not an error; otherwise it gives ErrDatabaseExists. The
// system database "sys" cannot be created.
func (c *Catalog) CreateDatabase(ctx context.Context, name string, ignoreIfExists bool) error {
	if err := ValidateName(name); err != nil {
		return err
	}
	if name == SystemDatabase {
		return &InvalidNameError{Name: name, Reason: "reserved for Paimon's system database"}
	}
	exists, err := c.databaseExists(ctx, name)
	if err != nil {
		return err
	}
	if exists {
		if ignoreIfExists {
			return nil
		}
		return fmt.Errorf("create database %s: %w", name, ErrDatabaseExists)
	}
	err = c.store.Create(ctx, dbDir(name)+"/"+dbMarker, nil)
	if errors.Is(err, storage.ErrExist) {
		if ignoreIfExists {
			return nil
		}
		return fmt.Errorf("create database %s: %w", name, ErrDatabaseExists)
	}
	if err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	c.log.InfoContext(ctx, "database created", "database", name)
	return nil
}

// databaseExists reports whether any object lives under the database.
func (c *Catalog) databaseExists(ctx context.Context, name string) (bool, error) {
	ents, err := c.store.ListDir(ctx, dbDir(name))
	if err != nil {
		return false, fmt.Errorf("database %s: %w", name, err)
	}
	return len(ents) > 0, nil
}

// DatabaseExists reports whether the database exists.
func (c *Catalog) DatabaseExists(ctx context.Context, name string) (bool, error) {
	if err := ValidateName(name); err != nil {
		return false, err
	}
	return c.databaseExists(ctx, name)
}

// Databases lists the databases of the warehouse in name order.
func (c *Catalog) Databases(ctx context.Context) ([]string, error) {
	ents, err := c.store.ListDir(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("list databases: %w", err)
	}
	var out []string
	for _, e := range ents {
		d, ok := strings.CutSuffix(e, "/")
		if !ok {
			continue
		}
		if name, ok := strings.CutSuffix(d, dbSuffix); ok && ValidateName(name) == nil {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out, nil
}

// DropDatabase deletes a database. A database holding tables (or any other
// object besides the marker) gives ErrDatabaseNotEmpty unless cascade is
// set, in which case everything under it is deleted, one object at a time:
// a failure part way leaves the rest in place and a retry finishes the job.
// A missing database gives ErrDatabaseNotFound.
func (c *Catalog) DropDatabase(ctx context.Context, name string, cascade bool) error {
	if err := ValidateName(name); err != nil {
		return err
	}
	if name == SystemDatabase {
		return &InvalidNameError{Name: name, Reason: "reserved for Paimon's system database"}
	}
	prefix := dbDir(name) + "/"
	objs, err := c.store.List(ctx, prefix)
	if err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	if len(objs) == 0 {
		return fmt.Errorf("drop database %s: %w", name, ErrDatabaseNotFound)
	}
	if !cascade {
		for _, o := range objs {
			if o.Key != prefix+dbMarker {
				return fmt.Errorf("drop database %s: %w", name, ErrDatabaseNotEmpty)
			}
		}
	}
	// Delete the marker last, so an interrupted drop leaves a visible
	// database to drop again.
	slices.SortStableFunc(objs, func(a, b storage.Object) int {
		am, bm := a.Key == prefix+dbMarker, b.Key == prefix+dbMarker
		switch {
		case am == bm:
			return 0
		case am:
			return 1
		}
		return -1
	})
	if err := c.deleteAll(ctx, objs); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	c.log.InfoContext(ctx, "database dropped", "database", name, "objects", len(objs))
	return nil
}

// RenameDatabase is not supported, as in Paimon's filesystem catalog; it
// returns ErrUnsupported.
func (c *Catalog) RenameDatabase(ctx context.Context, from, to string) error {
	return fmt.Errorf("rename database %s to %s: %w", from, to, ErrUnsupported)
}

func (c *Catalog) deleteAll(ctx context.Context, objs []storage.Object) error {
	for _, o := range objs {
		if err := c.store.Delete(ctx, o.Key); err != nil && !errors.Is(err, storage.ErrNotFound) {
			return err
		}
	}
	return nil
}

// ---- tables ----

// schemaIDs lists the ids of the table's schema files, ascending.
func (c *Catalog) schemaIDs(ctx context.Context, id Identifier) ([]int64, error) {
	ents, err := c.store.ListDir(ctx, id.path()+"/"+schemaDir)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, e := range ents {
		if n, ok := schema.ParseFileName(e); ok {
			ids = append(ids, n)
		}
	}
	slices.Sort(ids)
	return ids, nil
}

// SchemaIDs lists the ids of the table's schema files in ascending order.
// A table without schema files gives ErrTableNotFound.
func (c *Catalog) SchemaIDs(ctx context.Context, id Identifier) ([]int64, error) {
	if err := id.Validate(); err != nil {
		return nil, err
	}
	ids, err := c.schemaIDs(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("table %s: %w", id, err)
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("table %s: %w", id, ErrTableNotFound)
	}
	return ids, nil
}

// TableExists reports whether the table has at least one schema file.
func (c *Catalog) TableExists(ctx context.Context, id Identifier) (bool, error) {
	if err := id.Validate(); err != nil {
		return false, err
	}
	ids, err := c.schemaIDs(ctx, id)
	if err != nil {
		return false, fmt.Errorf("table %s: %w", id, err)
	}
	return len(ids) > 0, nil
}

// Tables lists the tables of a database in name order: its sub-directories
// that hold at least one schema file. A missing database gives
// ErrDatabaseNotFound.
func (c *Catalog) Tables(ctx context.Context, database string) ([]string, error) {
	if err := ValidateName(database); err != nil {
		return nil, err
	}
	ents, err := c.store.ListDir(ctx, dbDir(database))
	if err != nil {
		return nil, fmt.Errorf("list tables of %s: %w", database, err)
	}
	if len(ents) == 0 {
		return nil, fmt.Errorf("list tables of %s: %w", database, ErrDatabaseNotFound)
	}
	out := []string{}
	for _, e := range ents {
		name, ok := strings.CutSuffix(e, "/")
		if !ok {
			continue
		}
		id := Identifier{Database: database, Table: name}
		if id.Validate() != nil {
			continue
		}
		ids, err := c.schemaIDs(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("list tables of %s: %w", database, err)
		}
		if len(ids) > 0 {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out, nil
}

// CreateTable writes schema-0 of a new table with a create-only write. The
// schema is validated and written with id 0 (t itself is not modified).
// The database must exist (ErrDatabaseNotFound). An existing table gives
// ErrTableExists unless ignoreIfExists is set.
func (c *Catalog) CreateTable(ctx context.Context, id Identifier, t *schema.Table, ignoreIfExists bool) error {
	if err := id.Validate(); err != nil {
		return err
	}
	if err := t.Validate(); err != nil {
		return fmt.Errorf("create table %s: %w", id, err)
	}
	exists := func() error {
		if ignoreIfExists {
			return nil
		}
		return fmt.Errorf("create table %s: %w", id, ErrTableExists)
	}
	ok, err := c.databaseExists(ctx, id.Database)
	if err != nil {
		return fmt.Errorf("create table %s: %w", id, err)
	}
	if !ok {
		return fmt.Errorf("create table %s: %w", id, ErrDatabaseNotFound)
	}
	ids, err := c.schemaIDs(ctx, id)
	if err != nil {
		return fmt.Errorf("create table %s: %w", id, err)
	}
	if len(ids) > 0 {
		return exists()
	}
	t0 := *t
	t0.ID = 0
	b, err := t0.Encode()
	if err != nil {
		return fmt.Errorf("create table %s: %w", id, err)
	}
	err = c.store.Create(ctx, id.path()+"/"+schemaDir+"/"+schema.FileName(0), b)
	if errors.Is(err, storage.ErrExist) {
		return exists()
	}
	if err != nil {
		return fmt.Errorf("create table %s: %w", id, err)
	}
	c.log.InfoContext(ctx, "table created", "table", id.String())
	return nil
}

// DropTable deletes every object under the table's directory, schema files
// first (so the table stops being listed before its data goes) and then the
// rest. It is not atomic: a failure part way leaves a directory of orphan
// files that a second DropTable with ignoreIfNotExists does not see; list
// and delete them with TableStore if needed. A missing table gives
// ErrTableNotFound unless ignoreIfNotExists is set.
func (c *Catalog) DropTable(ctx context.Context, id Identifier, ignoreIfNotExists bool) error {
	if err := id.Validate(); err != nil {
		return err
	}
	objs, err := c.store.List(ctx, id.path()+"/")
	if err != nil {
		return fmt.Errorf("drop table %s: %w", id, err)
	}
	ids, err := c.schemaIDs(ctx, id)
	if err != nil {
		return fmt.Errorf("drop table %s: %w", id, err)
	}
	if len(ids) == 0 {
		if ignoreIfNotExists {
			return nil
		}
		return fmt.Errorf("drop table %s: %w", id, ErrTableNotFound)
	}
	schemaPrefix := id.path() + "/" + schemaDir + "/"
	slices.SortStableFunc(objs, func(a, b storage.Object) int {
		as, bs := strings.HasPrefix(a.Key, schemaPrefix), strings.HasPrefix(b.Key, schemaPrefix)
		switch {
		case as == bs:
			return 0
		case as:
			return -1
		}
		return 1
	})
	if err := c.deleteAll(ctx, objs); err != nil {
		return fmt.Errorf("drop table %s: %w", id, err)
	}
	c.log.InfoContext(ctx, "table dropped", "table", id.String(), "objects", len(objs))
	return nil
}

// RenameTable moves a table by copying every object to the new location
// and then deleting the old ones. On object stores (and with the local
// driver, which has no directory rename) this is not atomic: the schema
// files are copied last, so the new table appears only once its other files
// are in place, and deleted first at the source, so the old name
// disappears before its data files are removed. A crash in between can
// leave both names, or orphan files under either. Readers and writers of
// the table must be stopped while it is renamed. The table's "path" option
// (if any) is left unchanged; it is ignored anyway.
//
// A missing source gives ErrTableNotFound, an existing target
// ErrTableExists, a missing target database ErrDatabaseNotFound.
func (c *Catalog) RenameTable(ctx context.Context, from, to Identifier) error {
	if err := from.Validate(); err != nil {
		return err
	}
	if err := to.Validate(); err != nil {
		return err
	}
	if from == to {
		return fmt.Errorf("rename table %s to itself: %w", from, ErrTableExists)
	}
	fail := func(err error) error { return fmt.Errorf("rename table %s to %s: %w", from, to, err) }
	ids, err := c.schemaIDs(ctx, from)
	if err != nil {
		return fail(err)
	}
	if len(ids) == 0 {
		return fail(ErrTableNotFound)
	}
	ok, err := c.databaseExists(ctx, to.Database)
	if err != nil {
		return fail(err)
	}
	if !ok {
		return fail(ErrDatabaseNotFound)
	}
	if ids, err := c.schemaIDs(ctx, to); err != nil {
		return fail(err)
	} else if len(ids) > 0 {
		return fail(ErrTableExists)
	}
	src := c.store.Sub(from.path())
	dst := c.store.Sub(to.path())
	objs, err := src.List(ctx, "")
	if err != nil {
		return fail(err)
	}
	isSchema := func(k string) bool { return strings.HasPrefix(k, schemaDir+"/") }
	// Copy data first, schema files last.
	slices.SortStableFunc(objs, func(a, b storage.Object) int {
		as, bs := isSchema(a.Key), isSchema(b.Key)
		switch {
		case as == bs:
			return 0
		case as:
			return 1
		}
		return -1
	})
	for _, o := range objs {
		b, err := src.Read(ctx, o.Key)
		if err != nil {
			return fail(err)
		}
		if isSchema(o.Key) {
			err = dst.Create(ctx, o.Key, b)
			if errors.Is(err, storage.ErrExist) {
				return fail(fmt.Errorf("%w: concurrent create", ErrTableExists))
			}
		} else {
			err = dst.Write(ctx, o.Key, b)
		}
		if err != nil {
			return fail(err)
		}
	}
	// Delete schema files first, then the rest.
	slices.Reverse(objs)
	for _, o := range objs {
		if err := src.Delete(ctx, o.Key); err != nil && !errors.Is(err, storage.ErrNotFound) {
			return fail(err)
		}
	}
	c.log.InfoContext(ctx, "table renamed", "table", from.String(), "new_table", to.String(), "objects", len(objs))
	return nil
}

// LatestSchema reads the table's schema file with the highest id. A table
// without schema files gives ErrTableNotFound; a file that does not decode
// gives schema.ErrCorrupt.
func (c *Catalog) LatestSchema(ctx context.Context, id Identifier) (*schema.Table, error) {
	ids, err := c.SchemaIDs(ctx, id)
	if err != nil {
		return nil, err
	}
	return c.Schema(ctx, id, ids[len(ids)-1])
}

// Schema reads schema file schemaID of the table. A missing file gives
// ErrSchemaNotFound.
func (c *Catalog) Schema(ctx context.Context, id Identifier, schemaID int64) (*schema.Table, error) {
	if err := id.Validate(); err != nil {
		return nil, err
	}
	name := schemaDir + "/" + schema.FileName(schemaID)
	b, err := c.store.Read(ctx, id.path()+"/"+name)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, fmt.Errorf("table %s: schema %d: %w", id, schemaID, ErrSchemaNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("table %s: %w", id, err)
	}
	t, err := schema.Decode(id.String()+"/"+name, b)
	if err != nil {
		return nil, err
	}
	if t.ID != schemaID {
		return nil, fmt.Errorf("table %s: %s holds schema id %d: %w", id, name, t.ID, schema.ErrCorrupt)
	}
	return t, nil
}
