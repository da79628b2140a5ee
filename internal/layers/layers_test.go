// Package layers holds a test that enforces the dependency direction of
// design.md: imports between floe packages point down only.
package layers

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/floelake/floe/"

// allowed lists, for each package, the floe packages its non-test code may
// import. Packages missing from the table may import nothing of ours, except
// internal/jsonpp and internal/civil (leaf utilities), which anyone may use.
var allowed = map[string][]string{
	"cmd/floe":            {"table", "catalog", "predicate", "snapshot", "manifest", "schema", "internal/binrow", "storage", "internal/kv", "internal/datafile", "internal/jsonrow"},
	"table":               {"internal/take", "changelog", "lsm", "merge", "predicate", "manifest", "snapshot", "catalog", "internal/dv", "internal/kv", "internal/spilldir", "schema", "internal/binrow", "internal/datafile", "storage"},
	"changelog":           {"internal/take", "lsm", "merge", "manifest", "internal/kv", "schema", "internal/binrow", "internal/datafile", "storage"},
	"lsm":                 {"internal/take", "merge", "manifest", "internal/datafile", "internal/kv", "internal/spilldir", "schema", "internal/binrow", "storage"},
	"merge":               {"internal/take", "internal/kv", "internal/binrow", "schema"},
	"internal/take":       {"internal/kv", "schema"},
	"manifest":            {"internal/binrow", "schema", "storage"},
	"snapshot":            {"storage"},
	"catalog":             {"schema", "storage"},
	"internal/datafile":   {"manifest", "internal/kv", "schema", "storage", "internal/binrow"},
	"predicate":           {"schema", "internal/binrow"},
	"internal/dv":         {},
	"internal/jsonrow":    {"schema"},
	"internal/binrow":     {"schema"},
	"internal/fixtures":   {},
	"storage/storagetest": {"storage"},
}

var everyone = map[string]bool{"internal/jsonpp": true, "internal/civil": true}

func TestImportsPointDown(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	imports := map[string]map[string]bool{}
	err = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			n := d.Name()
			if p != root && (strings.HasPrefix(n, ".") || n == "testdata" || n == "tools" || n == "interop") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(p))
		rel = filepath.ToSlash(rel)
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if !strings.HasPrefix(path, module) {
				continue
			}
			if imports[rel] == nil {
				imports[rel] = map[string]bool{}
			}
			imports[rel][strings.TrimPrefix(path, module)] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var pkgs []string
	for p := range imports {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	for _, pkg := range pkgs {
		ok := map[string]bool{}
		for _, a := range allowed[pkg] {
			ok[a] = true
		}
		for imp := range imports[pkg] {
			if !ok[imp] && !everyone[imp] {
				t.Errorf("%s imports %s, which design.md does not allow", pkg, imp)
			}
		}
	}
}
