package layers

import (
	"bytes"
	"encoding/json"
	"errors"
	"go/importer"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"
)

// TestPublicAPINamesNoInternalType checks that no exported declaration of a
// public floe package (its functions, methods, variables, constants, type
// definitions, struct fields and interface methods) mentions a type from
// an internal/ package: code outside the module could not name it. The
// packages are loaded from the compiler's export data (go list -export),
// so the check sees inferred types too, not only the ones written out.
func TestPublicAPINamesNoInternalType(t *testing.T) {
	if testing.Short() {
		t.Skip("builds export data for the module")
	}
	cmd := exec.Command("go", "list", "-export", "-deps", "-json=ImportPath,Export,Standard", module+"...")
	cmd.Dir = "../.."
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	exports := map[string]string{}
	var public []string
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct {
			ImportPath, Export string
			Standard           bool
		}
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		exports[p.ImportPath] = p.Export
		if rel, ok := strings.CutPrefix(p.ImportPath, module); ok && isPublic(rel) {
			public = append(public, p.ImportPath)
		}
	}
	sort.Strings(public)
	if len(public) < 8 {
		t.Fatalf("found only %d public packages: %v", len(public), public)
	}
	imp := importer.ForCompiler(token.NewFileSet(), "gc", func(path string) (io.ReadCloser, error) {
		f, ok := exports[path]
		if !ok || f == "" {
			return nil, errors.New("no export data for " + path)
		}
		return os.Open(f)
	})
	for _, path := range public {
		pkg, err := imp.Import(path)
		if err != nil {
			t.Fatalf("import %s: %v", path, err)
		}
		for _, bad := range internalMentions(pkg) {
			t.Errorf("%s: %s", strings.TrimPrefix(path, module), bad)
		}
	}
}

// isPublic reports whether a module-relative package path is importable
// from outside the module and meant for users (not a command or a test
// tool of the interop suite).
func isPublic(rel string) bool {
	for _, seg := range strings.Split(rel, "/") {
		if seg == "internal" || seg == "cmd" || seg == "interop" || seg == "tools" || seg == "testdata" {
			return false
		}
	}
	return true
}

// internalMentions lists the exported declarations of pkg whose types
// mention a named type of an internal package.
func internalMentions(pkg *types.Package) []string {
	var out []string
	scope := pkg.Scope()
	for _, name := range scope.Names() {
		obj := scope.Lookup(name)
		if !obj.Exported() {
			continue
		}
		w := walker{seen: map[types.Type]bool{}}
		switch o := obj.(type) {
		case *types.TypeName:
			if named, ok := o.Type().(*types.Named); ok {
				w.typ(named.Underlying(), name)
				for i := range named.NumMethods() {
					m := named.Method(i)
					if m.Exported() {
						w.typ(m.Type(), name+"."+m.Name())
					}
				}
			} else {
				w.typ(o.Type(), name) // an alias
			}
			// Methods promoted through pointer receivers are covered
			// above; exported methods on *T are in Method too.
		default:
			w.typ(obj.Type(), name)
		}
		out = append(out, w.bad...)
	}
	return out
}

type walker struct {
	seen map[types.Type]bool
	bad  []string
}

func (w *walker) typ(t types.Type, where string) {
	if t == nil || w.seen[t] {
		return
	}
	w.seen[t] = true
	switch t := t.(type) {
	case *types.Named:
		if p := t.Obj().Pkg(); p != nil && strings.Contains(p.Path()+"/", "/internal/") {
			w.bad = append(w.bad, where+" mentions "+p.Path()+"."+t.Obj().Name())
		}
		if args := t.TypeArgs(); args != nil {
			for i := range args.Len() {
				w.typ(args.At(i), where)
			}
		}
		// A named type of a public package is checked on its own.
	case *types.Alias:
		w.typ(types.Unalias(t), where)
	case *types.Pointer:
		w.typ(t.Elem(), where)
	case *types.Slice:
		w.typ(t.Elem(), where)
	case *types.Array:
		w.typ(t.Elem(), where)
	case *types.Map:
		w.typ(t.Key(), where)
		w.typ(t.Elem(), where)
	case *types.Chan:
		w.typ(t.Elem(), where)
	case *types.Signature:
		w.tuple(t.Params(), where)
		w.tuple(t.Results(), where)
	case *types.Struct:
		for i := range t.NumFields() {
			f := t.Field(i)
			if f.Exported() || f.Embedded() {
				w.typ(f.Type(), where+"."+f.Name())
			}
		}
	case *types.Interface:
		for i := range t.NumMethods() {
			m := t.Method(i)
			if m.Exported() {
				w.typ(m.Type(), where+"."+m.Name())
			}
		}
		for i := range t.NumEmbeddeds() {
			w.typ(t.EmbeddedType(i), where)
		}
	}
}

func (w *walker) tuple(tu *types.Tuple, where string) {
	for i := range tu.Len() {
		w.typ(tu.At(i).Type(), where)
	}
}
