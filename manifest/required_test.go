package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// schemaEdit changes a writer schema given as JSON. Paths name fields from
// the top-level record: "_FILE._LEVEL".
type schemaEdit func(t testing.TB, root map[string]any)

// fieldsAt returns the field list of the record that holds path's last
// element, and that element.
func fieldsAt(t testing.TB, root map[string]any, path string) (rec map[string]any, name string) {
	t.Helper()
	parts := strings.Split(path, ".")
	rec = root
	for _, p := range parts[:len(parts)-1] {
		f := findField(t, rec, p)
		rec = recordIn(t, f["type"])
	}
	return rec, parts[len(parts)-1]
}

func findField(t testing.TB, rec map[string]any, name string) map[string]any {
	t.Helper()
	for _, f := range rec["fields"].([]any) {
		if fm := f.(map[string]any); fm["name"] == name {
			return fm
		}
	}
	t.Fatalf("no field %s", name)
	return nil
}

// recordIn finds the record inside a field type (through unions and
// arrays).
func recordIn(t testing.TB, typ any) map[string]any {
	t.Helper()
	switch v := typ.(type) {
	case map[string]any:
		switch v["type"] {
		case "record":
			return v
		case "array":
			return recordIn(t, v["items"])
		}
	case []any:
		for _, b := range v {
			if b != "null" {
				return recordIn(t, b)
			}
		}
	}
	t.Fatalf("no record in %v", typ)
	return nil
}

func drop(paths ...string) schemaEdit {
	return func(t testing.TB, root map[string]any) {
		for _, p := range paths {
			rec, name := fieldsAt(t, root, p)
			fs := rec["fields"].([]any)
			out := fs[:0]
			for _, f := range fs {
				if f.(map[string]any)["name"] != name {
					out = append(out, f)
				}
			}
			rec["fields"] = out
		}
	}
}

func rename(path, to string) schemaEdit {
	return func(t testing.TB, root map[string]any) {
		rec, name := fieldsAt(t, root, path)
		findField(t, rec, name)["name"] = to
	}
}

func retype(path, typ string) schemaEdit {
	return func(t testing.TB, root map[string]any) {
		rec, name := fieldsAt(t, root, path)
		var v any
		if err := json.Unmarshal([]byte(typ), &v); err != nil {
			t.Fatal(err)
		}
		findField(t, rec, name)["type"] = v
	}
}

// add appends a field to the record at path ("" for the top level).
func add(path, field string) schemaEdit {
	return func(t testing.TB, root map[string]any) {
		rec := root
		if path != "" {
			rec = recordIn(t, findFieldPath(t, root, path)["type"])
		}
		var v any
		if err := json.Unmarshal([]byte(field), &v); err != nil {
			t.Fatal(err)
		}
		rec["fields"] = append(rec["fields"].([]any), v)
	}
}

func findFieldPath(t testing.TB, root map[string]any, path string) map[string]any {
	rec, name := fieldsAt(t, root, path)
	return findField(t, rec, name)
}

// emptyFile returns an Avro container with the edited schema and no
// records: only the schema rules apply.
func emptyFile(t testing.TB, schema string, edits ...schemaEdit) []byte {
	t.Helper()
	var root map[string]any
	if err := json.Unmarshal([]byte(schema), &root); err != nil {
		t.Fatal(err)
	}
	for _, e := range edits {
		e(t, root)
	}
	s, err := json.Marshal(root)
	if err != nil {
		t.Fatal(err)
	}
	cw, err := newContainerWriter(string(s), EncodeOptions{Codec: CodecNull})
	if err != nil {
		t.Fatal(err)
	}
	b, err := cw.finish()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRequiredFields checks the required-field rule on writer schemas of
// every layout Paimon has written (all must decode) and on damaged ones
// (each must be ErrCorrupt naming the field).
func TestRequiredFields(t *testing.T) {
	// The DataFileMeta fields added since 0.4, in order.
	later := []string{"_FILE._WRITE_COLS", "_FILE._FIRST_ROW_ID", "_FILE._EXTERNAL_PATH", "_FILE._VALUE_STATS_COLS",
		"_FILE._FILE_SOURCE", "_FILE._EMBEDDED_FILE_INDEX", "_FILE._DELETE_ROW_COUNT"}
	seqs := add("_FILE", writeColsSeqsField)
	for _, c := range []struct {
		name   string
		kind   string // list, manifest, index
		edits  []schemaEdit
		field  string // "" = must decode; else ErrCorrupt naming it
		reason string
	}{
		{"1.4 manifest", "manifest", nil, "", ""},
		{"2.1 manifest", "manifest", []schemaEdit{seqs}, "", ""},
		{"1.3-SNAPSHOT manifest (no _WRITE_COLS)", "manifest", []schemaEdit{drop(later[:1]...)}, "", ""},
		{"1.2 manifest", "manifest", []schemaEdit{drop(later[:2]...)}, "", ""},
		{"1.0-SNAPSHOT manifest", "manifest", []schemaEdit{drop(later[:3]...)}, "", ""},
		{"0.9 manifest", "manifest", []schemaEdit{drop(later[:4]...)}, "", ""},
		{"0.8 manifest", "manifest", []schemaEdit{drop(later[:5]...)}, "", ""},
		{"0.4-0.7 manifest", "manifest", []schemaEdit{drop(later...)}, "", ""},
		{"unknown later fields", "manifest", []schemaEdit{add("_FILE", `{"name":"_NEW","type":["null","long"],"default":null}`),
			add("", `{"name":"_TOP","type":"int"}`)}, "", ""},
		{"required field", "manifest", []schemaEdit{drop("_BUCKET")}, "_BUCKET", ""},
		{"required nested field", "manifest", []schemaEdit{drop("_FILE._LEVEL")}, "_FILE._LEVEL", ""},
		{"required stats field", "manifest", []schemaEdit{drop("_FILE._VALUE_STATS._NULL_COUNTS")}, "_FILE._VALUE_STATS._NULL_COUNTS", ""},
		{"renamed field", "manifest", []schemaEdit{rename("_FILE._FILE_NAME", "_FILE_NAMF")}, "_FILE._FILE_NAME", "_FILE_NAMF"},
		{"field before a later one", "manifest", []schemaEdit{drop("_FILE._FILE_SOURCE")}, "_FILE._FILE_SOURCE", "_FILE._WRITE_COLS"},
		{"newest field renamed", "manifest", []schemaEdit{rename("_FILE._WRITE_COLS", "_WRITE_COLZ")}, "_FILE._WRITE_COLS", "_WRITE_COLZ"},
		{"newest field in other case", "manifest", []schemaEdit{rename("_FILE._WRITE_COLS", "_write_cols")}, "_FILE._WRITE_COLS", "_write_cols"},
		{"2.1 field renamed", "manifest", []schemaEdit{seqs, rename("_FILE._WRITE_COLS_SEQUENCES", "_WRITE_COLS_SEQUENCEZ")}, "_FILE._WRITE_COLS_SEQUENCES", ""},
		{"field twice", "manifest", []schemaEdit{rename("_FILE._MIN_KEY", "_MAX_KEY")}, "_FILE._MAX_KEY", "twice"},
		{"wrong type", "manifest", []schemaEdit{retype("_FILE._LEVEL", `"string"`)}, "_FILE._LEVEL", "want int"},
		{"null type", "manifest", []schemaEdit{retype("_FILE._DELETE_ROW_COUNT", `"null"`)}, "_FILE._DELETE_ROW_COUNT", ""},
		{"three-way union", "manifest", []schemaEdit{retype("_FILE._FILE_NAME", `["null","string","int"]`)}, "_FILE._FILE_NAME", ""},
		{"wrong array items", "manifest", []schemaEdit{retype("_FILE._EXTRA_FILES", `{"type":"array","items":"long"}`)}, "_FILE._EXTRA_FILES", ""},
		{"record expected", "manifest", []schemaEdit{retype("_FILE._KEY_STATS", `"bytes"`)}, "_FILE._KEY_STATS", ""},
		{"invalid Avro name", "manifest", []schemaEdit{rename("_FILE._LEVEL", "_LEV\u007fL")}, "_LEV", "invalid field name"},

		{"1.4 list", "list", nil, "", ""},
		{"1.1-1.3 list", "list", []schemaEdit{drop("_MIN_ROW_ID", "_MAX_ROW_ID")}, "", ""},
		{"0.4-1.0 list", "list", []schemaEdit{drop("_MIN_ROW_ID", "_MAX_ROW_ID", "_MIN_BUCKET", "_MAX_BUCKET", "_MIN_LEVEL", "_MAX_LEVEL")}, "", ""},
		{"pypaimon list", "list", []schemaEdit{drop("_MIN_BUCKET", "_MAX_BUCKET", "_MIN_LEVEL", "_MAX_LEVEL")}, "", ""},
		{"half a bucket range", "list", []schemaEdit{drop("_MAX_BUCKET")}, "_MAX_BUCKET", "together with"},
		{"half a row-id range", "list", []schemaEdit{drop("_MIN_ROW_ID")}, "_MIN_ROW_ID", "together with _MAX_ROW_ID"},
		{"list count", "list", []schemaEdit{rename("_NUM_ADDED_FILES", "_NUM_ADDED_FILEs")}, "_NUM_ADDED_FILES", ""},
		{"list version", "list", []schemaEdit{drop("_VERSION")}, "_VERSION", ""},

		{"1.4 index manifest", "index", nil, "", ""},
		{"2.0 index manifest", "index", []schemaEdit{add("_GLOBAL_INDEX", sourceMetaField)}, "", ""},
		{"1.3 index manifest", "index", []schemaEdit{drop("_GLOBAL_INDEX")}, "", ""},
		{"1.0-1.2 index manifest", "index", []schemaEdit{drop("_GLOBAL_INDEX", "_EXTERNAL_PATH")}, "", ""},
		{"0.8-0.9 index manifest", "index", []schemaEdit{drop("_GLOBAL_INDEX", "_EXTERNAL_PATH", "_DELETIONS_VECTORS_RANGES._CARDINALITY")}, "", ""},
		{"0.5-0.7 index manifest", "index", []schemaEdit{drop("_GLOBAL_INDEX", "_EXTERNAL_PATH", "_DELETIONS_VECTORS_RANGES")}, "", ""},
		{"index field before a later one", "index", []schemaEdit{drop("_EXTERNAL_PATH")}, "_EXTERNAL_PATH", "_GLOBAL_INDEX"},
		{"deletion-vector range field", "index", []schemaEdit{drop("_DELETIONS_VECTORS_RANGES.f1")}, "_DELETIONS_VECTORS_RANGES.f1", ""},
		{"deletion-vector range field renamed", "index", []schemaEdit{rename("_DELETIONS_VECTORS_RANGES.f1", "f3")}, "_DELETIONS_VECTORS_RANGES.f1", "f3"},
		{"global index field", "index", []schemaEdit{drop("_GLOBAL_INDEX._INDEX_META")}, "_GLOBAL_INDEX._INDEX_META", ""},
		{"index type", "index", []schemaEdit{rename("_INDEX_TYPE", "_INDEX_TYPF")}, "_INDEX_TYPE", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			var err error
			switch c.kind {
			case "list":
				_, err = DecodeList("file-x", emptyFile(t, ListSchema, c.edits...))
			case "manifest":
				_, err = DecodeManifest("file-x", emptyFile(t, ManifestSchema, c.edits...))
			case "index":
				_, err = DecodeIndexManifest("file-x", emptyFile(t, IndexManifestSchema, c.edits...))
			}
			if c.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("want ErrCorrupt, got %v", err)
			}
			for _, s := range []string{"file-x", c.field, c.reason} {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error does not mention %q: %v", s, err)
				}
			}
		})
	}
}

// TestRequiredFieldsOfFixtures checks that the writer schema of every
// Java-written fixture manifest satisfies the rule (their decoding is
// tested elsewhere) and that dropping any field Paimon always writes for
// that layout makes it ErrCorrupt.
func TestRequiredFieldsOfFixtures(t *testing.T) {
	specs := map[string]*spec{"list": listSpec, "manifest": entrySpec, "index": indexSpec}
	seen := map[string]bool{}
	for kind, s := range specs {
		for _, b := range fixtureFiles(t, kind) {
			if isORC(b) {
				continue
			}
			h, err := parseHeader(b)
			if err != nil {
				t.Fatal(err)
			}
			top, _ := nonNull(h.schema)
			if _, err := compile(top, s, ""); err != nil {
				t.Fatalf("%s fixture: %v", kind, err)
			}
			// Each field present in the fixture is required for its
			// layout: dropping it must fail.
			var walk func(rec *node, s *spec, path string)
			walk = func(rec *node, s *spec, path string) {
				for i, f := range rec.fields {
					fs, known := s.index[f.name]
					if !known {
						continue
					}
					seen[kind+":"+path+f.name] = true
					cut := *rec
					cut.fields = append(append([]schemaField(nil), rec.fields[:i]...), rec.fields[i+1:]...)
					err := checkCut(top, rec, &cut, s, kind)
					newest := true
					for _, g := range rec.fields {
						if j, ok := s.index[g.name]; ok && s.fields[j].since > s.fields[fs].since {
							newest = false
						}
					}
					optionalHere := s.fields[fs].since > 0 && newest && !sameChange(rec, s, fs)
					if optionalHere && err != nil {
						t.Errorf("%s: dropping %s%s (the newest change) fails: %v", kind, path, f.name, err)
					}
					if !optionalHere && err == nil {
						t.Errorf("%s: dropping %s%s is accepted", kind, path, f.name)
					}
					if sub := s.fields[fs].sub; sub != nil {
						walk(findRecord(f.typ), sub, path+f.name+".")
					}
				}
			}
			walk(top, s, "")
		}
	}
	if len(seen) < 40 {
		t.Fatalf("only %d fields checked", len(seen))
	}
}

// sameChange reports whether another field of rec came with field fs.
func sameChange(rec *node, s *spec, fs int) bool {
	for _, g := range rec.fields {
		if j, ok := s.index[g.name]; ok && j != fs && s.fields[j].since == s.fields[fs].since {
			return true
		}
	}
	return false
}

// checkCut compiles top with rec replaced by cut.
func checkCut(top, rec, cut *node, s *spec, kind string) error {
	specs := map[string]*spec{"list": listSpec, "manifest": entrySpec, "index": indexSpec}
	var swap func(n *node) *node
	swap = func(n *node) *node {
		if n == rec {
			return cut
		}
		c := *n
		switch n.kind {
		case kRecord:
			c.fields = make([]schemaField, len(n.fields))
			for i, f := range n.fields {
				c.fields[i] = schemaField{name: f.name, typ: swap(f.typ)}
			}
		case kArray:
			c.items = swap(n.items)
		case kUnion:
			c.branches = make([]*node, len(n.branches))
			for i, b := range n.branches {
				c.branches[i] = swap(b)
			}
		}
		return &c
	}
	_, err := compile(swap(top), specs[kind], "")
	return err
}

func TestHeaderChecks(t *testing.T) {
	file := func(meta ...string) []byte {
		w := writer{b: append([]byte(nil), avroMagic...)}
		w.long(int64(len(meta) / 2))
		for _, m := range meta {
			w.str(m)
		}
		w.long(0)
		w.b = append(w.b, make([]byte, 16)...)
		return w.b
	}
	for _, c := range []struct {
		name string
		b    []byte
		want error
	}{
		{"plain", file("avro.schema", ListSchema, "avro.codec", "zstandard"), nil},
		{"no codec", file("avro.schema", ListSchema), nil},
		{"user metadata", file("avro.schema", ListSchema, "avro.codec", "null", "paimon.x", "y"), nil},
		{"bzip2", file("avro.schema", ListSchema, "avro.codec", "bzip2"), ErrUnsupportedFormat},
		{"damaged codec", file("avro.schema", ListSchema, "avro.codec", "zstandarc"), ErrCorrupt},
		{"empty codec", file("avro.schema", ListSchema, "avro.codec", ""), ErrCorrupt},
		{"damaged codec key", file("avro.schema", ListSchema, "avro.codex", "zstandard"), ErrCorrupt},
		{"damaged codec key prefix", file("avro.schema", ListSchema, "avrn.codec", "zstandard"), ErrCorrupt},
		{"unknown avro key", file("avro.schema", ListSchema, "avro.codec", "null", "avro.other", ""), ErrCorrupt},
		{"damaged schema key", file("avro.schemb", ListSchema, "avro.codec", "null"), ErrCorrupt},
		{"schema with trailing data", file("avro.schema", ListSchema+"}", "avro.codec", "null"), ErrCorrupt},
		{"schema not UTF-8", file("avro.schema", strings.Replace(ListSchema, "_FILE_NAME", "_FILE_\xceAME", 1), "avro.codec", "null"), ErrCorrupt},
	} {
		_, err := DecodeList("file-x", c.b)
		if !errors.Is(err, c.want) || (err == nil) != (c.want == nil) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		} else if err != nil && !strings.Contains(err.Error(), "file-x") {
			t.Errorf("%s: error does not name the file: %v", c.name, err)
		}
	}
}

// TestValueChecks encodes records with values Paimon never writes and
// checks that decoding names the field.
func TestValueChecks(t *testing.T) {
	i64 := func(v int64) *int64 { return &v }
	i32 := func(v int32) *int32 { return &v }
	entry := func(mod func(e *Entry)) func() ([]byte, error) {
		return func() ([]byte, error) {
			e := sampleEntries(3)
			mod(&e[1])
			return EncodeManifest(e, EncodeOptions{})
		}
	}
	meta := func(mod func(m *FileMeta)) func() ([]byte, error) {
		return func() ([]byte, error) {
			m := FileMeta{FileName: "manifest-a-0", FileSize: 10, NumAddedFiles: 2,
				PartitionStats: SimpleStats{Min: emptyPartition, Max: emptyPartition, NullCounts: []*int64{}},
				MinBucket:      i32(0), MaxBucket: i32(3), MinLevel: i32(0), MaxLevel: i32(5)}
			mod(&m)
			return EncodeList([]FileMeta{m}, EncodeOptions{})
		}
	}
	dv := func(mod func(e *IndexEntry)) func() ([]byte, error) {
		return func() ([]byte, error) {
			e := IndexEntry{Kind: Add, Partition: emptyPartition, IndexType: IndexDeletionVectors, FileName: "index-x-0", FileSize: 60, RowCount: 2,
				DVRanges: []DVRange{{DataFile: "d1", Offset: 1, Length: 22, Cardinality: i64(2)}, {DataFile: "d2", Offset: 31, Length: 22}}}
			mod(&e)
			return EncodeIndexManifest([]IndexEntry{e}, EncodeOptions{})
		}
	}
	for _, c := range []struct {
		name   string
		kind   string
		encode func() ([]byte, error)
		field  string
	}{
		{"negative file size", "manifest", entry(func(e *Entry) { e.File.FileSize = -1 }), "_FILE._FILE_SIZE"},
		{"negative row count", "manifest", entry(func(e *Entry) { e.File.RowCount = -5 }), "_FILE._ROW_COUNT"},
		{"negative level", "manifest", entry(func(e *Entry) { e.File.Level = -1 }), "_FILE._LEVEL"},
		{"negative schema id", "manifest", entry(func(e *Entry) { e.File.SchemaID = -1 }), "_FILE._SCHEMA_ID"},
		{"retracts above rows", "manifest", entry(func(e *Entry) { e.File.DeleteRowCount = i64(e.File.RowCount + 1) }), "_FILE._DELETE_ROW_COUNT"},
		{"unknown file source", "manifest", entry(func(e *Entry) { e.File.FileSource = i32(2) }), "_FILE._FILE_SOURCE"},
		{"file name with a slash", "manifest", entry(func(e *Entry) { e.File.FileName = "a/b.parquet" }), "_FILE._FILE_NAME"},
		{"file name not UTF-8", "manifest", entry(func(e *Entry) { e.File.FileName = "a\xff.parquet" }), "_FILE._FILE_NAME"},
		{"empty file name", "manifest", entry(func(e *Entry) { e.File.FileName = "" }), "_FILE._FILE_NAME"},
		{"short key row", "manifest", entry(func(e *Entry) { e.File.MinKey = []byte{0, 0, 0, 1} }), "_FILE._MIN_KEY"},
		{"short partition", "manifest", entry(func(e *Entry) { e.Partition = []byte{0, 0, 0, 2, 0} }), "_PARTITION"},
		{"partition row kind", "manifest", entry(func(e *Entry) { e.Partition = bytes.Clone(e.Partition); e.Partition[4] = 100 }), "_PARTITION"},
		{"bucket beyond count", "manifest", entry(func(e *Entry) { e.Bucket = 4 }), "_BUCKET"},
		{"bucket below postpone", "manifest", entry(func(e *Entry) { e.Bucket = -3 }), "_BUCKET"},
		{"bucket count below postpone", "manifest", entry(func(e *Entry) { e.TotalBuckets = -3 }), "_TOTAL_BUCKETS"},
		{"negative null count", "manifest", entry(func(e *Entry) { e.File.ValueStats.NullCounts[0] = i64(-1) }), "_FILE._VALUE_STATS._NULL_COUNTS"},
		{"unknown kind", "manifest", entry(func(e *Entry) { e.Kind = 2 }), ""}, // refused by the encoder

		{"negative manifest size", "list", meta(func(m *FileMeta) { m.FileSize = -1 }), "_FILE_SIZE"},
		{"negative added files", "list", meta(func(m *FileMeta) { m.NumAddedFiles = -1 }), "_NUM_ADDED_FILES"},
		{"half a bucket range", "list", meta(func(m *FileMeta) { m.MaxBucket = nil }), "_MIN_BUCKET"},
		{"reversed level range", "list", meta(func(m *FileMeta) { m.MinLevel = i32(6) }), "_MIN_LEVEL"},
		{"negative level range", "list", meta(func(m *FileMeta) { m.MinLevel = i32(-1) }), "_MIN_LEVEL"},

		{"deletion vectors", "index", dv(func(e *IndexEntry) {}), "-"},
		{"DELETE entry", "index", dv(func(e *IndexEntry) { e.Kind = Delete }), "_KIND"},
		{"vector count", "index", dv(func(e *IndexEntry) { e.RowCount = 3 }), "_DELETIONS_VECTORS_RANGES"},
		{"no ranges", "index", dv(func(e *IndexEntry) { e.DVRanges = nil }), "_DELETIONS_VECTORS_RANGES"},
		{"vector outside the file", "index", dv(func(e *IndexEntry) { e.FileSize = 52 }), "_DELETIONS_VECTORS_RANGES"},
		{"vector at offset 0", "index", dv(func(e *IndexEntry) { e.DVRanges[0].Offset = 0 }), "_DELETIONS_VECTORS_RANGES"},
		{"two vectors for a file", "index", dv(func(e *IndexEntry) { e.DVRanges[1].DataFile = "d1" }), "_DELETIONS_VECTORS_RANGES.f0"},
		{"negative cardinality", "index", dv(func(e *IndexEntry) { e.DVRanges[0].Cardinality = i64(-1) }), "_CARDINALITY"},
		{"ranges on a hash index", "index", dv(func(e *IndexEntry) { e.IndexType = IndexHash }), "_DELETIONS_VECTORS_RANGES"},
		{"damaged index type", "index", dv(func(e *IndexEntry) { e.IndexType = "DELETION_VECTORs" }), "_INDEX_TYPE"},
		{"global metadata on a hash index", "index", dv(func(e *IndexEntry) {
			e.IndexType, e.DVRanges, e.GlobalIndex = IndexHash, nil, &GlobalIndexMeta{}
		}), "_GLOBAL_INDEX"},
		{"global index", "index", dv(func(e *IndexEntry) {
			e.IndexType, e.DVRanges, e.GlobalIndex = "btree", nil, &GlobalIndexMeta{}
		}), "-"},
	} {
		t.Run(c.name, func(t *testing.T) {
			b, err := c.encode()
			if c.field == "" {
				if err == nil {
					t.Fatal("encoder accepted it")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			switch c.kind {
			case "list":
				_, err = DecodeList("file-x", b)
			case "manifest":
				_, err = DecodeManifest("file-x", b)
			case "index":
				_, err = DecodeIndexManifest("file-x", b)
			}
			if c.field == "-" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("want ErrCorrupt, got %v", err)
			}
			for _, s := range []string{"file-x", c.field + ":"} {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error does not mention %q: %v", s, err)
				}
			}
		})
	}
}

func TestVersionChecks(t *testing.T) {
	b, err := EncodeManifest(sampleEntries(2), EncodeOptions{Codec: CodecNull})
	if err != nil {
		t.Fatal(err)
	}
	h, _ := header(t, b)
	r := reader{b: b, i: h.body}
	r.long()
	r.long()
	first := r.i // _VERSION of record 0 (zigzag 2 = 4)
	// Find record 1's _VERSION: decode record 0 with the plan.
	p, err := topPlan(h, entrySpec)
	if err != nil {
		t.Fatal(err)
	}
	d := &decoder{reader: reader{b: b, i: first}, top: h.schema}
	var e Entry
	d.entry(p, &e)
	if d.err != nil || b[d.i] != 4 {
		t.Fatalf("no version at %d: %v", d.i, d.err)
	}
	second := d.i
	for _, c := range []struct {
		name   string
		at     int
		v      byte
		want   error
		record string
	}{
		{"both 3", -1, 6, ErrUnsupportedVersion, ""},
		{"record 1 differs", second, 6, ErrCorrupt, "record 1"},
		{"zero", first, 0, ErrCorrupt, "record 0"},
		{"negative", first, 3, ErrCorrupt, "record 0"},
	} {
		m := append([]byte(nil), b...)
		if c.at < 0 {
			m[first], m[second] = c.v, c.v
		} else {
			m[c.at] = c.v
		}
		_, err := DecodeManifest("file-x", m)
		if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.record) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
}
