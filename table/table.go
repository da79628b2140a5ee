package table

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/floelake/floe/catalog"
	"github.com/floelake/floe/merge"
	"github.com/floelake/floe/schema"
	"github.com/floelake/floe/snapshot"
	"github.com/floelake/floe/storage"
)

// Sentinel errors.
var (
	// ErrNotTable reports a location that holds no schema/schema-N file.
	ErrNotTable = errors.New("table: not a Paimon table")
	// ErrNoSnapshot reports a table without snapshots or a snapshot id
	// that does not exist.
	ErrNoSnapshot = errors.New("table: no such snapshot")
)

// Table is an open Paimon table. It is safe for concurrent use. The caller
// must Close it.
type Table struct {
	// store is rooted at the table's directory: data files, manifests,
	// index files and statistics, which every branch shares. meta is rooted
	// at the branch's directory (store itself for the main branch): its
	// schema/, snapshot/, tag/, consumer/ and changelog/ files.
	store  *storage.Store
	meta   *storage.Store
	branch string
	owner  bool
	latest *schema.Table
	cfg    *Config
	// engine is the merge engine of a primary-key table (nil otherwise);
	// engineErr why it could not be built.
	engine    merge.Engine
	engineErr error

	mu      sync.Mutex
	schemas map[int64]*schema.Table
	others  map[string]*Table // other branches opened to read their splits (otherBranch)

	maint maintainer // upkeep after commits (maintain.go)
	// clock replaces time.Now in tests (snapshot times, tags, expiry).
	clock func() time.Time
}

// Open opens the table whose root directory is at url (a local path or a
// storage URL, see storage.Open).
func Open(ctx context.Context, url string) (*Table, error) {
	st, err := storage.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	t, err := open(ctx, st, MainBranch)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("open table %s: %w", url, err)
	}
	t.owner = true
	return t, nil
}

// OpenIn opens table id of a catalog. The table shares the catalog's
// storage; closing it leaves the catalog open.
func OpenIn(ctx context.Context, cat *catalog.Catalog, id catalog.Identifier) (*Table, error) {
	if err := id.Validate(); err != nil {
		return nil, err
	}
	t, err := open(ctx, cat.TableStore(id), MainBranch)
	if err != nil {
		return nil, fmt.Errorf("open table %s: %w", id, err)
	}
	return t, nil
}

// OpenStore opens the table rooted at st. Closing the table leaves st open.
func OpenStore(ctx context.Context, st *storage.Store) (*Table, error) {
	return open(ctx, st, MainBranch)
}

// open opens branch of the table rooted at st.
func open(ctx context.Context, st *storage.Store, branch string) (*Table, error) {
	meta := st
	if branch != MainBranch {
		meta = st.Sub(branchPath(branch))
	}
	ids, err := schemaIDs(ctx, meta)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, ErrNotTable
	}
	t := &Table{store: st, meta: meta, branch: branch, schemas: map[int64]*schema.Table{}}
	latest, err := t.SchemaByID(ctx, ids[len(ids)-1])
	if err != nil {
		return nil, err
	}
	t.latest = latest
	if t.cfg, err = ParseConfig(latest); err != nil {
		return nil, err
	}
	if len(latest.PrimaryKeys) > 0 {
		t.engine, t.engineErr = newEngine(latest, t.cfg)
	}
	return t, nil
}

func schemaIDs(ctx context.Context, st *storage.Store) ([]int64, error) {
	names, err := st.ListDir(ctx, "schema")
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, n := range names {
		if id, ok := schema.ParseFileName(n); ok {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids, nil
}

// Close waits for background upkeep (asynchronous snapshot expiry) and
// releases the table's storage if Open created it.
func (t *Table) Close() error {
	t.maint.wg.Wait()
	t.mu.Lock()
	for _, b := range t.others {
		b.Close()
	}
	t.others = nil
	t.mu.Unlock()
	if t.owner {
		return t.store.Close()
	}
	return nil
}

// Store returns the table's root store.
func (t *Table) Store() *storage.Store { return t.store }

// BranchStore returns the store rooted at the directory of the branch t
// reads and writes (branch/branch-<name>, the table root for the main
// branch): its schema/, snapshot/, tag/, consumer/ and changelog/ files.
// AlterStore(ctx, t.BranchStore(), …) changes the branch's schema.
func (t *Table) BranchStore() *storage.Store { return t.meta }

// Branch returns the name of the branch t reads and writes (MainBranch for
// the table itself).
func (t *Table) Branch() string { return t.branch }

// Config returns the table options of the latest schema, parsed.
func (t *Table) Config() *Config { return t.cfg }

// Schema returns the latest schema (as of Open).
func (t *Table) Schema() *schema.Table { return t.latest }

// SchemaByID reads schema/schema-<id>, caching the result.
func (t *Table) SchemaByID(ctx context.Context, id int64) (*schema.Table, error) {
	t.mu.Lock()
	s, ok := t.schemas[id]
	t.mu.Unlock()
	if ok {
		return s, nil
	}
	s, err := readSchema(ctx, t.meta, id)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	t.schemas[id] = s
	t.mu.Unlock()
	return s, nil
}

// readSchema reads and decodes schema/schema-<id> of the table at st.
func readSchema(ctx context.Context, st *storage.Store, id int64) (*schema.Table, error) {
	name := "schema/" + schema.FileName(id)
	b, err := st.Read(ctx, name)
	if err != nil {
		return nil, err
	}
	return schema.Decode(name, b)
}

// Schemas returns every schema version, oldest first.
func (t *Table) Schemas(ctx context.Context) ([]*schema.Table, error) {
	ids, err := schemaIDs(ctx, t.meta)
	if err != nil {
		return nil, err
	}
	out := make([]*schema.Table, 0, len(ids))
	for _, id := range ids {
		s, err := t.SchemaByID(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// Snapshots returns every snapshot that exists, oldest first.
func (t *Table) Snapshots(ctx context.Context) ([]*snapshot.Snapshot, error) {
	ids, err := snapshot.List(ctx, t.meta)
	if err != nil {
		return nil, err
	}
	out := make([]*snapshot.Snapshot, 0, len(ids))
	for _, id := range ids {
		s, err := snapshot.Read(ctx, t.meta, id)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// Snapshot reads snapshot id; id 0 means the latest.
func (t *Table) Snapshot(ctx context.Context, id int64) (*snapshot.Snapshot, error) {
	if id == 0 {
		s, err := snapshot.Latest(ctx, t.meta)
		if errors.Is(err, snapshot.ErrNotFound) {
			return nil, fmt.Errorf("%w: table has no snapshots", ErrNoSnapshot)
		}
		return s, err
	}
	s, err := snapshot.Read(ctx, t.meta, id)
	if errors.Is(err, snapshot.ErrNotFound) {
		return nil, fmt.Errorf("%w: %s", ErrNoSnapshot, strconv.FormatInt(id, 10))
	}
	return s, err
}

// deleteMeta deletes a file of the branch's metadata (snapshot/, tag/,
// changelog/, …); a missing one is fine.
func (t *Table) deleteMeta(ctx context.Context, key string) error {
	err := t.meta.Delete(ctx, key)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	return nil
}

// engineFor returns the merge engine for reading data with schema rs:
// the table's, or for an older schema (time travel) one built from it.
func (t *Table) engineFor(rs *schema.Table) (merge.Engine, error) {
	if rs == nil || rs.ID == t.latest.ID {
		return t.mergeEngine()
	}
	cfg, err := ParseConfig(rs)
	if err != nil {
		return nil, err
	}
	return newEngine(rs, cfg)
}

// mergeEngine returns the table's merge engine.
func (t *Table) mergeEngine() (merge.Engine, error) {
	if t.engineErr != nil {
		return nil, t.engineErr
	}
	if t.engine == nil {
		return nil, fmt.Errorf("table: no merge engine: not a primary-key table")
	}
	return t.engine, nil
}
