package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/floelake/floe/catalog"
	"github.com/floelake/floe/table"
)

// warehouseEnv names the environment variable holding the default warehouse
// for `db.table` identifiers.
const warehouseEnv = "FLOE_WAREHOUSE"

// tableAddr is where a table lives: its warehouse and identifier, and (for
// a table given by location) the location itself.
type tableAddr struct {
	warehouse string
	id        catalog.Identifier
	location  string // "" when addressed by identifier
	branch    string // TABLE$branch_NAME: the branch NAME ("" for main)
}

// branchPrefix marks a branch in a table name: TABLE$branch_NAME
// (Paimon's Identifier.SYSTEM_BRANCH_PREFIX).
const branchPrefix = "branch_"

// splitObject splits the last element of a table argument at "$" as
// Paimon's Identifier splits an object name: TABLE, TABLE$branch_NAME (a
// branch), TABLE$SYS (a system table) or TABLE$branch_NAME$SYS. A URL's
// query string stays with base.
func splitObject(arg string) (base, branch, sys string, err error) {
	query := ""
	if strings.Contains(arg, "://") {
		if i := strings.IndexByte(arg, '?'); i >= 0 {
			arg, query = arg[:i], arg[i:]
		}
	}
	start := strings.LastIndexAny(arg, `/\`) + 1
	parts := strings.Split(arg[start:], "$")
	bad := func(why string) (string, string, string, error) {
		return "", "", "", fmt.Errorf("%w: %q: %s (want TABLE, TABLE$branch_NAME, TABLE$SYSTEM or TABLE$branch_NAME$SYSTEM)", errUsage, arg[start:], why)
	}
	switch len(parts) {
	case 1:
		return arg + query, "", "", nil
	case 2:
		if b, ok := strings.CutPrefix(parts[1], branchPrefix); ok {
			branch = b
		} else {
			sys = parts[1]
		}
	case 3:
		b, ok := strings.CutPrefix(parts[1], branchPrefix)
		if !ok {
			return bad(`a system table name has one "$" unless a $branch_NAME comes first`)
		}
		branch, sys = b, parts[2]
	default:
		return bad(`too many "$"`)
	}
	switch {
	case parts[0] == "":
		return bad("no table name before $")
	case len(parts) == 3 && sys == "", len(parts) == 2 && branch == "" && sys == "":
		return bad("nothing after $")
	case branch == "" && strings.HasPrefix(parts[1], branchPrefix):
		return bad("no branch name after $branch_")
	}
	if branch == table.MainBranch {
		branch = ""
	}
	return arg[:start] + parts[0] + query, branch, sys, nil
}

// withBranch appends $branch_NAME to a table argument (before a URL's
// query string).
func withBranch(arg, branch string) string {
	if branch == "" {
		return arg
	}
	query := ""
	if strings.Contains(arg, "://") {
		if i := strings.IndexByte(arg, '?'); i >= 0 {
			arg, query = arg[:i], arg[i:]
		}
	}
	return arg + "$" + branchPrefix + branch + query
}

// resolveTable interprets TABLE for create, write and scan. It is either
//   - an identifier db.table in the warehouse named by --warehouse, or by
//     $FLOE_WAREHOUSE when no file or directory of that name exists;
//   - WAREHOUSE db.table as two arguments (when two is true); or
//   - the path or URL of the table directory, whose parent is <db>.db in
//     the warehouse.
func resolveTable(warehouse string, pos []string, two bool) (tableAddr, error) {
	i := 0
	if two && len(pos) == 2 {
		i = 1
	}
	base, branch, sys, err := splitObject(pos[i])
	if err != nil {
		return tableAddr{}, err
	}
	if sys != "" {
		return tableAddr{}, fmt.Errorf("%w: %s is Paimon's read-only system table $%s: floe scan reads it", errUsage, pos[i], sys)
	}
	pos = slices.Clone(pos)
	pos[i] = base
	a, err := resolveBase(warehouse, pos, two)
	a.branch = branch
	return a, err
}

func resolveBase(warehouse string, pos []string, two bool) (tableAddr, error) {
	if two && len(pos) == 2 {
		if warehouse != "" {
			return tableAddr{}, fmt.Errorf("%w: both --warehouse and WAREHOUSE db.table given", errUsage)
		}
		return identAddr(pos[0], pos[1])
	}
	arg := pos[0]
	if warehouse != "" {
		return identAddr(warehouse, arg)
	}
	if env := os.Getenv(warehouseEnv); env != "" && isIdentifier(arg) {
		if _, err := os.Stat(arg); err != nil {
			return identAddr(env, arg)
		}
	}
	return locationAddr(arg)
}

func identAddr(warehouse, ident string) (tableAddr, error) {
	if !isIdentifier(ident) {
		return tableAddr{}, fmt.Errorf("%w: %q is not db.table", errUsage, ident)
	}
	id, err := catalog.ParseIdentifier(ident)
	if err != nil {
		return tableAddr{}, err
	}
	return tableAddr{warehouse: warehouse, id: id}, nil
}

// locationAddr splits a table location into warehouse and identifier:
// .../WAREHOUSE/<db>.db/<table>, for local paths and URLs (whose query
// string stays with the warehouse).
func locationAddr(loc string) (tableAddr, error) {
	bad := func() (tableAddr, error) {
		return tableAddr{}, fmt.Errorf("%w: %q is not a table location (WAREHOUSE/<db>.db/<table>) nor db.table with --warehouse or $%s",
			errUsage, loc, warehouseEnv)
	}
	split := func(p string, dir, base func(string) string) (wh, db, tbl string, ok bool) {
		p = strings.TrimRight(p, "/")
		tbl = base(p)
		dbDir := base(dir(p))
		if tbl == "" || tbl == "." || tbl == "/" || !strings.HasSuffix(dbDir, ".db") || len(dbDir) <= 3 {
			return "", "", "", false
		}
		return dir(dir(p)), strings.TrimSuffix(dbDir, ".db"), tbl, true
	}
	if strings.Contains(loc, "://") {
		u, err := url.Parse(loc)
		if err != nil {
			return tableAddr{}, fmt.Errorf("%w: %v", errUsage, err)
		}
		p := u.Path
		if u.Opaque != "" {
			return bad()
		}
		wh, db, tbl, ok := split(p, path.Dir, path.Base)
		if !ok {
			return bad()
		}
		u.Path = wh
		u.RawPath = ""
		return tableAddr{warehouse: u.String(), id: catalog.Identifier{Database: db, Table: tbl}, location: loc}, nil
	}
	abs, err := filepath.Abs(loc)
	if err != nil {
		return tableAddr{}, err
	}
	wh, db, tbl, ok := split(filepath.ToSlash(abs), path.Dir, path.Base)
	if !ok {
		return bad()
	}
	return tableAddr{warehouse: filepath.FromSlash(wh), id: catalog.Identifier{Database: db, Table: tbl}, location: loc}, nil
}

// open opens the existing table at a (its branch a.branch). A table given
// by location is opened there directly (its parent need not be a database
// directory).
func (a tableAddr) open(ctx context.Context) (*table.Table, func(), error) {
	if a.location != "" {
		t, err := table.Open(ctx, a.location)
		if err != nil {
			return nil, nil, missingTable(err, a.location, "")
		}
		return onBranch(ctx, t, func() { t.Close() }, a.branch, a.location)
	}
	cat, err := catalog.Open(ctx, a.warehouse, catalog.Options{})
	if err != nil {
		return nil, nil, err
	}
	t, err := table.OpenIn(ctx, cat, a.id)
	if err != nil {
		cat.Close()
		return nil, nil, missingTable(err, a.id.String(), a.warehouse)
	}
	return onBranch(ctx, t, func() { t.Close(); cat.Close() }, a.branch, a.id.String())
}

// onBranch opens branch of the open table t (done closes t); "" is t.
func onBranch(ctx context.Context, t *table.Table, done func(), branch, name string) (*table.Table, func(), error) {
	if branch == "" {
		return t, done, nil
	}
	b, err := t.OpenBranch(ctx, branch)
	if err != nil {
		done()
		if errors.Is(err, table.ErrNoBranch) {
			return nil, nil, &notFound{err: err, msg: fmt.Sprintf("table %s has no branch %q (floe branch list shows its branches)", name, branch)}
		}
		return nil, nil, err
	}
	return b, func() { b.Close(); done() }, nil
}

// openExisting resolves TABLE like resolveTable but opens locations that
// do not look like WAREHOUSE/<db>.db/<table> too, as the inspection
// commands do.
func openExisting(ctx context.Context, warehouse string, pos []string, two bool) (*table.Table, func(), error) {
	a, err := resolveTable(warehouse, pos, two)
	if err != nil {
		if warehouse == "" && !(two && len(pos) == 2) {
			base, branch, sys, serr := splitObject(pos[0])
			if serr != nil || sys != "" {
				return nil, nil, err
			}
			t, done, err := openTable(ctx, []string{base})
			if err != nil {
				return nil, nil, missingIdentifier(err, base)
			}
			return onBranch(ctx, t, done, branch, base)
		}
		return nil, nil, err
	}
	return a.open(ctx)
}

// where returns the table's location for messages.
func (a tableAddr) where() string {
	if a.location != "" {
		return a.location
	}
	if strings.Contains(a.warehouse, "://") {
		u, err := url.Parse(a.warehouse)
		if err == nil {
			u.Path = path.Join(u.Path, a.id.Database+".db", a.id.Table)
			return u.String()
		}
	}
	return filepath.Join(a.warehouse, a.id.Database+".db", a.id.Table)
}
