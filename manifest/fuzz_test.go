package manifest

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/floelake/floe/internal/fixtures"
)

// fixtureFiles returns every Avro-or-ORC manifest-dir file of one kind in
// the fixtures, plus the standalone manifests.
func fixtureFiles(t testing.TB, kind string) [][]byte {
	var dirs []string
	for _, tb := range fixtures.CppTables(t) {
		dirs = append(dirs, filepath.Join(tb.Dir, Dir))
	}
	for _, tb := range fixtures.GoldenTables(t) {
		dirs = append(dirs, filepath.Join(tb.Dir, Dir))
	}
	dirs = append(dirs, fixtures.Path(t, "paimon-rust-2024", "manifest"))
	var out [][]byte
	for _, d := range dirs {
		ents, _ := os.ReadDir(d)
		for _, e := range ents {
			if fileKind(e.Name()) == kind {
				b, err := os.ReadFile(filepath.Join(d, e.Name()))
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, b)
			}
		}
	}
	standalone := map[string]string{
		"avro_manifest_09": "manifest", "avro_manifest_11": "manifest", "manifest": "manifest",
		"avro_manifest_list_09": "list", "avro_manifest_list_11": "list",
	}
	for name, k := range standalone {
		if k == kind {
			b, err := os.ReadFile(fixtures.Path(t, "paimon-cpp", "avro-manifests", name))
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, b)
		}
	}
	return out
}

func checkFuzzErr(t *testing.T, err error) {
	if err == nil {
		return
	}
	if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrUnsupportedVersion) && !errors.Is(err, ErrUnsupportedFormat) {
		t.Fatalf("untyped error: %v", err)
	}
	if !strings.Contains(err.Error(), "fuzz-file") {
		t.Fatalf("error does not name the file: %v", err)
	}
}

func FuzzDecodeList(f *testing.F) {
	for _, b := range fixtureFiles(f, "list") {
		f.Add(b)
	}
	// Schemas that break the required-field rule.
	f.Add(emptyFile(f, ListSchema, drop("_MAX_BUCKET")))
	f.Add(emptyFile(f, ListSchema, rename("_SCHEMA_ID", "_SCHEMA_IE")))
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := DecodeList("fuzz-file", b)
		checkFuzzErr(t, err)
		if err == nil {
			if _, err := EncodeList(v, EncodeOptions{Codec: CodecNull}); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func FuzzDecodeManifest(f *testing.F) {
	for _, b := range fixtureFiles(f, "manifest") {
		f.Add(b)
	}
	f.Add(emptyFile(f, ManifestSchema, drop("_FILE._FILE_SOURCE")))
	f.Add(emptyFile(f, ManifestSchema, rename("_FILE._WRITE_COLS", "_WRITE_COLZ")))
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := DecodeManifest("fuzz-file", b)
		checkFuzzErr(t, err)
		if err == nil {
			if _, err := EncodeManifest(v, EncodeOptions{Codec: CodecNull}); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func FuzzDecodeIndexManifest(f *testing.F) {
	for _, b := range fixtureFiles(f, "index") {
		f.Add(b)
	}
	f.Add(emptyFile(f, IndexManifestSchema, drop("_DELETIONS_VECTORS_RANGES.f1")))
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := DecodeIndexManifest("fuzz-file", b)
		checkFuzzErr(t, err)
		if err == nil {
			if _, err := EncodeIndexManifest(v, EncodeOptions{Codec: CodecNull}); err != nil {
				t.Fatal(err)
			}
		}
	})
}
