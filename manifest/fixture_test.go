package manifest

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"gocloud.dev/blob/fileblob"

	"github.com/floelake/floe/internal/fixtures"
	"github.com/floelake/floe/storage"
)

// fileKind classifies a manifest-directory file by its name prefix.
func fileKind(name string) string {
	switch {
	case strings.HasPrefix(name, PrefixList):
		return "list"
	case strings.HasPrefix(name, PrefixIndexManifest):
		return "index"
	case strings.HasPrefix(name, PrefixManifest):
		return "manifest"
	}
	return ""
}

func allTables(t *testing.T) []fixtures.Table {
	return append(fixtures.CppTables(t), fixtures.GoldenTables(t)...)
}

func isORC(b []byte) bool { return len(b) >= 3 && string(b[:3]) == "ORC" }

// manifestFiles returns name -> bytes of every file in a table's manifest dir.
func manifestFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(dir, Dir))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, e := range ents {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, Dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = b
	}
	return out
}

// decodeAny decodes b according to its name and returns the records.
func decodeAny(name string, b []byte) (any, int, error) {
	switch fileKind(name) {
	case "list":
		v, err := DecodeList(name, b)
		return v, len(v), err
	case "index":
		v, err := DecodeIndexManifest(name, b)
		return v, len(v), err
	case "manifest":
		v, err := DecodeManifest(name, b)
		return v, len(v), err
	}
	return nil, 0, nil
}

func reencode(v any, opts EncodeOptions) ([]byte, error) {
	switch v := v.(type) {
	case []FileMeta:
		return EncodeList(v, opts)
	case []Entry:
		return EncodeManifest(v, opts)
	case []IndexEntry:
		return EncodeIndexManifest(v, opts)
	}
	panic("unreachable")
}

func TestFixturesDecodeAndRoundTrip(t *testing.T) {
	for _, tb := range allTables(t) {
		t.Run(tb.Name, func(t *testing.T) {
			files := manifestFiles(t, tb.Dir)
			counts := map[string]int{}
			orc := 0
			for name, b := range files {
				kind := fileKind(name)
				if kind == "" {
					continue
				}
				v, n, err := decodeAny(name, b)
				if isORC(b) {
					if !errors.Is(err, ErrUnsupportedFormat) {
						t.Errorf("%s: ORC file gave %v, want ErrUnsupportedFormat", name, err)
					} else if !strings.Contains(err.Error(), name) {
						t.Errorf("error does not name the file: %v", err)
					}
					orc++
					continue
				}
				if err != nil {
					t.Errorf("decode %s: %v", name, err)
					continue
				}
				counts[kind]++
				counts[kind+" records"] += n
				out, err := reencode(v, EncodeOptions{})
				if err != nil {
					t.Errorf("re-encode %s: %v", name, err)
					continue
				}
				v2, _, err := decodeAny(name, out)
				if err != nil {
					t.Errorf("decode re-encoded %s: %v", name, err)
					continue
				}
				if !reflect.DeepEqual(v, v2) {
					t.Errorf("%s: round trip differs:\n got %+v\nwant %+v", name, v2, v)
				}
			}
			t.Logf("decoded lists=%d (%d metas) manifests=%d (%d entries) index=%d (%d entries); ORC files rejected=%d",
				counts["list"], counts["list records"], counts["manifest"], counts["manifest records"],
				counts["index"], counts["index records"], orc)
		})
	}
}

type snapshotJSON struct {
	ID                        int64  `json:"id"`
	BaseManifestList          string `json:"baseManifestList"`
	BaseManifestListSize      *int64 `json:"baseManifestListSize"`
	DeltaManifestList         string `json:"deltaManifestList"`
	DeltaManifestListSize     *int64 `json:"deltaManifestListSize"`
	ChangelogManifestList     string `json:"changelogManifestList"`
	ChangelogManifestListSize *int64 `json:"changelogManifestListSize"`
	IndexManifest             string `json:"indexManifest"`
}

func readSnapshots(t *testing.T, dir string) []snapshotJSON {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "snapshot", "snapshot-*"))
	if err != nil {
		t.Fatal(err)
	}
	var out []snapshotJSON
	for _, p := range paths {
		if _, err := strconv.Atoi(strings.TrimPrefix(filepath.Base(p), "snapshot-")); err != nil {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var s snapshotJSON
		if err := json.Unmarshal(b, &s); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func openStore(t *testing.T, dir string) *storage.Store {
	t.Helper()
	b, err := fileblob.OpenBucket(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	st := storage.New(b, "file://"+dir)
	t.Cleanup(func() { st.Close() })
	return st
}

// dataFiles maps file name -> paths of every file under the table dir.
func dataFiles(t *testing.T, dir string) map[string][]string {
	out := map[string][]string{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out[d.Name()] = append(out[d.Name()], p)
		}
		return nil
	})
	return out
}

func TestFixturesSnapshots(t *testing.T) {
	ctx := context.Background()
	for _, tb := range allTables(t) {
		t.Run(tb.Name, func(t *testing.T) {
			files := manifestFiles(t, tb.Dir)
			snaps := readSnapshots(t, tb.Dir)
			if len(snaps) == 0 {
				t.Fatal("no snapshots")
			}
			for _, b := range files {
				if isORC(b) {
					t.Skip("ORC manifests (rejection tested in TestFixturesDecodeAndRoundTrip)")
				}
			}
			st := openStore(t, tb.Dir)
			checkList := func(name string, size *int64) {
				if name == "" {
					return
				}
				b, ok := files[name]
				if !ok {
					t.Errorf("snapshot names missing list %s", name)
					return
				}
				if size != nil && *size != int64(len(b)) {
					t.Errorf("%s: snapshot says size %d, file has %d", name, *size, len(b))
				}
				metas, err := ReadList(ctx, st, name)
				if err != nil {
					t.Error(err)
					return
				}
				for _, m := range metas {
					mb, ok := files[m.FileName]
					if !ok {
						t.Errorf("%s names missing manifest %s", name, m.FileName)
						continue
					}
					if m.FileSize != int64(len(mb)) {
						t.Errorf("%s: _FILE_SIZE of %s is %d, file has %d", name, m.FileName, m.FileSize, len(mb))
					}
					es, err := DecodeManifest(m.FileName, mb)
					if err != nil {
						t.Error(err)
						continue
					}
					var add, del int64
					for _, e := range es {
						if e.Kind == Add {
							add++
						} else {
							del++
						}
					}
					if add != m.NumAddedFiles || del != m.NumDeletedFiles {
						t.Errorf("%s: counts %d/%d, list says %d/%d", m.FileName, add, del, m.NumAddedFiles, m.NumDeletedFiles)
					}
				}
			}
			for _, s := range snaps {
				checkList(s.BaseManifestList, s.BaseManifestListSize)
				checkList(s.DeltaManifestList, s.DeltaManifestListSize)
				checkList(s.ChangelogManifestList, s.ChangelogManifestListSize)
				if s.IndexManifest != "" {
					ies, err := ReadIndexManifest(ctx, st, s.IndexManifest)
					if err != nil {
						t.Error(err)
					}
					for _, e := range ies {
						if e.Kind != Add {
							t.Errorf("%s: index manifest holds a %v entry", s.IndexManifest, e.Kind)
						}
					}
				}
			}

			latest := snaps[len(snaps)-1]
			live, err := LiveFiles(ctx, st, latest.BaseManifestList, latest.DeltaManifestList)
			if err != nil {
				t.Fatal(err)
			}
			onDisk := dataFiles(t, tb.Dir)
			for _, e := range live {
				checkOnDisk(t, onDisk, e.File.FileName, e.File.FileSize, e.Bucket)
			}
			if latest.IndexManifest != "" {
				ies, err := ReadIndexManifest(ctx, st, latest.IndexManifest)
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range ies {
					checkOnDisk(t, onDisk, e.FileName, e.FileSize, -1)
				}
				t.Logf("latest snapshot %d: %d live data files, %d index files", latest.ID, len(live), len(ies))
			} else {
				t.Logf("latest snapshot %d: %d live data files", latest.ID, len(live))
			}
		})
	}
}

func checkOnDisk(t *testing.T, onDisk map[string][]string, name string, size int64, bucket int32) {
	t.Helper()
	paths := onDisk[name]
	if len(paths) == 0 {
		t.Errorf("live file %s not found", name)
		return
	}
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			t.Error(err)
			continue
		}
		if fi.Size() != size {
			t.Errorf("%s: size %d, manifest says %d", p, fi.Size(), size)
		}
		if bucket >= 0 {
			if want := "bucket-" + strconv.Itoa(int(bucket)); filepath.Base(filepath.Dir(p)) != want {
				t.Errorf("%s: not in %s", p, want)
			}
		}
	}
}

func TestORCManifestRejected(t *testing.T) {
	for _, tb := range fixtures.CppTables(t) {
		snaps := readSnapshots(t, tb.Dir)
		files := manifestFiles(t, tb.Dir)
		latest := snaps[len(snaps)-1]
		if !isORC(files[latest.BaseManifestList]) {
			continue
		}
		st := openStore(t, tb.Dir)
		_, err := LiveFiles(context.Background(), st, latest.BaseManifestList, latest.DeltaManifestList)
		if !errors.Is(err, ErrUnsupportedFormat) {
			t.Errorf("%s: got %v, want ErrUnsupportedFormat", tb.Name, err)
		}
		if err != nil && !strings.Contains(err.Error(), "manifest.format=orc") {
			t.Errorf("%s: message does not explain: %v", tb.Name, err)
		}
	}
}

func readFixture(t testing.TB, elem ...string) []byte {
	b, err := os.ReadFile(fixtures.Path(t, elem...))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPaimonRust08(t *testing.T) {
	const mname = "manifest-8ded1f09-fcda-489e-9167-582ac0f9f846-0"
	es, err := DecodeManifest(mname, readFixture(t, "paimon-rust-2024", "manifest", mname))
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 2 {
		t.Fatalf("%d entries", len(es))
	}
	want := []struct {
		kind   FileKind
		name   string
		bucket int32
	}{{Delete, "f1.parquet", 1}, {Add, "f2.parquet", 2}}
	partition := []byte{0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0}
	for i, e := range es {
		w := want[i]
		f := e.File
		if e.Kind != w.kind || f.FileName != w.name || e.Bucket != w.bucket || e.TotalBuckets != 10 ||
			f.Level != 1 || f.RowCount != 100 || f.MinSequenceNumber != 1 || f.MaxSequenceNumber != 100 {
			t.Errorf("entry %d: %+v", i, e)
		}
		if !reflect.DeepEqual(e.Partition, partition) {
			t.Errorf("entry %d: partition %x", i, e.Partition)
		}
		for _, s := range []SimpleStats{f.KeyStats, f.ValueStats} {
			if len(s.NullCounts) != 2 || *s.NullCounts[0] != 1 || *s.NullCounts[1] != 2 {
				t.Errorf("entry %d: null counts %v", i, s.NullCounts)
			}
		}
		if f.FileSource != nil || f.ValueStatsCols != nil || f.ExternalPath != nil {
			t.Errorf("entry %d: 0.8 file has post-0.8 fields: %+v", i, f)
		}
	}

	const lname = "manifest-list-5c7399a0-46ae-4a5e-9c13-3ab07212cdb6-0"
	ms, err := DecodeList(lname, readFixture(t, "paimon-rust-2024", "manifest", lname))
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 {
		t.Fatalf("%d metas", len(ms))
	}
	type m struct {
		prefix             string
		size, add, del, id int64
	}
	for i, w := range []m{{"manifest-19d1", 10, 10, 10, 1}, {"manifest-a703", 11, 0, 10, 2}} {
		g := ms[i]
		if !strings.HasPrefix(g.FileName, w.prefix) || g.FileSize != w.size || g.NumAddedFiles != w.add ||
			g.NumDeletedFiles != w.del || g.SchemaID != w.id || g.MinBucket != nil {
			t.Errorf("meta %d: %+v", i, g)
		}
	}
}

func TestCppAvroManifests(t *testing.T) {
	for _, v := range []string{"09", "11"} {
		es, err := DecodeManifest("avro_manifest_"+v, readFixture(t, "paimon-cpp", "avro-manifests", "avro_manifest_"+v))
		if err != nil {
			t.Fatal(err)
		}
		if len(es) != 1 || es[0].TotalBuckets != -1 || len(es[0].File.ValueStats.NullCounts) != 16 {
			t.Errorf("avro_manifest_%s: %+v", v, es)
		}
		if v == "09" && es[0].File.FileSource == nil {
			t.Errorf("0.9 manifest lacks _FILE_SOURCE")
		}
		ms, err := DecodeList("avro_manifest_list_"+v, readFixture(t, "paimon-cpp", "avro-manifests", "avro_manifest_list_"+v))
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) == 0 {
			t.Errorf("avro_manifest_list_%s: empty", v)
		}
		if v == "11" && ms[0].MinBucket == nil {
			t.Errorf("1.1 list lacks _MIN_BUCKET")
		}
	}
	es, err := DecodeManifest("manifest", readFixture(t, "paimon-cpp", "avro-manifests", "manifest"))
	if err != nil {
		t.Fatal(err)
	}
	buckets := map[int32]bool{}
	for _, e := range es {
		buckets[e.Bucket] = true
		if !strings.HasSuffix(e.File.FileName, ".aliorc") {
			t.Errorf("unexpected file %s", e.File.FileName)
		}
	}
	t.Logf("production-like manifest: %d entries over %d buckets", len(es), len(buckets))
	if len(buckets) != 6 {
		t.Errorf("%d buckets, want 6", len(buckets))
	}
}

// TestGoldenGlobalIndex checks the 2.x index manifest with _GLOBAL_INDEX
// and _SOURCE_META survives a round trip with the 2.x field kept.
func TestGoldenGlobalIndex(t *testing.T) {
	seen := 0
	for _, tb := range fixtures.GoldenTables(t) {
		for name, b := range manifestFiles(t, tb.Dir) {
			if fileKind(name) != "index" {
				continue
			}
			es, err := DecodeIndexManifest(name, b)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range es {
				if e.GlobalIndex != nil {
					seen++
					if e.GlobalIndex.RowRangeEnd < e.GlobalIndex.RowRangeStart {
						t.Errorf("%s: bad range %+v", name, e.GlobalIndex)
					}
				}
			}
		}
	}
	if seen == 0 {
		t.Error("no global-index entries in the golden tables")
	}
}
