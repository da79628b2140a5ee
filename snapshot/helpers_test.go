package snapshot

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/floelake/floe/internal/fixtures"
	"github.com/floelake/floe/storage"
)

// memStore opens an empty in-memory store closed at the end of the test.
func memStore(t testing.TB) *storage.Store {
	t.Helper()
	s, err := storage.Open(context.Background(), "mem://")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// loadTable copies the metadata directories of a fixture table into a fresh
// in-memory store.
func loadTable(t testing.TB, dir string) *storage.Store {
	t.Helper()
	s := memStore(t)
	for _, sub := range []string{SnapshotDir, TagDir, ConsumerDir, ChangelogDir} {
		ents, err := os.ReadDir(filepath.Join(dir, sub))
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			if e.IsDir() {
				continue
			}
			b, err := os.ReadFile(filepath.Join(dir, sub, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Write(context.Background(), sub+"/"+e.Name(), b); err != nil {
				t.Fatal(err)
			}
		}
	}
	return s
}

// fixtureFile is one Java-written snapshot file.
type fixtureFile struct {
	name   string // for messages, e.g. "parquet/pk_09/snapshot-3"
	path   string
	id     int64 // from the file name, 0 for the loose JSON samples
	golden bool  // written by Paimon 2.x (golden tarball)
}

func fixtureSnapshots(t testing.TB) []fixtureFile {
	t.Helper()
	var out []fixtureFile
	add := func(table fixtures.Table, golden bool) {
		ents, err := os.ReadDir(filepath.Join(table.Dir, SnapshotDir))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			id, ok := ParseID(SnapshotPrefix, e.Name())
			if !ok {
				continue
			}
			out = append(out, fixtureFile{
				name: table.Name + "/" + e.Name(), path: filepath.Join(table.Dir, SnapshotDir, e.Name()),
				id: id, golden: golden,
			})
		}
	}
	for _, tb := range fixtures.CppTables(t) {
		add(tb, false)
	}
	for _, tb := range fixtures.GoldenTables(t) {
		add(tb, true)
	}
	loose, err := filepath.Glob(fixtures.Path(t, "paimon-rust-2024", "snapshot", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range loose {
		out = append(out, fixtureFile{name: "paimon-rust-2024/" + filepath.Base(p), path: p})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	if len(out) < 20 {
		t.Fatalf("only %d fixture snapshots found", len(out))
	}
	return out
}

func readFile(t testing.TB, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func ptr[T any](v T) *T { return &v }

// goldenTable returns the golden table whose name ends with suffix.
func goldenTable(t testing.TB, suffix string) fixtures.Table {
	t.Helper()
	for _, tb := range fixtures.GoldenTables(t) {
		if strings.HasSuffix(tb.Name, suffix) {
			return tb
		}
	}
	t.Fatalf("no golden table %s", suffix)
	return fixtures.Table{}
}

// testSnapshot builds a snapshot as a floe committer would.
func testSnapshot(id int64, user string, ident int64, kind Kind) *Snapshot {
	return &Snapshot{
		Version: CurrentVersion, ID: id, SchemaID: 0,
		BaseManifestList: "manifest-list-a-0", BaseManifestListSize: ptr[int64](100),
		DeltaManifestList: "manifest-list-a-1", DeltaManifestListSize: ptr[int64](200),
		CommitUser: user, CommitIdentifier: ident, CommitKind: kind,
		TimeMillis: 1_700_000_000_000 + id*1000, TotalRecordCount: 10 * id, DeltaRecordCount: 10,
		NextRowID: ptr[int64](0),
	}
}
