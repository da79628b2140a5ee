package schema_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/floelake/floe/internal/fixtures"
	"github.com/floelake/floe/schema"
)

type schemaFile struct {
	name string
	data []byte
}

// fixtureSchemas returns every schema-N file of the Java-written fixtures.
func fixtureSchemas(t testing.TB) []schemaFile {
	t.Helper()
	var out []schemaFile
	tables := append(fixtures.CppTables(t), fixtures.GoldenTables(t)...)
	for _, tb := range tables {
		paths, err := filepath.Glob(filepath.Join(tb.Dir, "schema", "schema-*"))
		if err != nil {
			t.Fatal(err)
		}
		if len(paths) == 0 {
			t.Fatalf("%s: no schema files", tb.Name)
		}
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, schemaFile{tb.Name + "/schema/" + filepath.Base(p), b})
		}
	}
	return out
}

func TestFixtureSchemasRoundTrip(t *testing.T) {
	files := fixtureSchemas(t)
	if len(files) < 16 {
		t.Fatalf("only %d fixture schema files", len(files))
	}
	for _, f := range files {
		t.Run(f.name, func(t *testing.T) {
			ts, err := schema.Decode(f.name, f.data)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ts.Encode()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, f.data) {
				t.Errorf("re-encoded bytes differ\n got: %s\nwant: %s", got, f.data)
			}
			if ts.HighestFieldID != schema.HighestFieldID(ts.Fields) && f.name != "parquet/append_table_with_alter_table/schema/schema-1" {
				// Only ALTERed schemas may have dropped ids above the live ones.
				t.Logf("highestFieldId %d, live max %d", ts.HighestFieldID, schema.HighestFieldID(ts.Fields))
			}
			for _, fl := range ts.Fields {
				if p, err := schema.ParseType(fl.Type.String()); err != nil {
					t.Errorf("ParseType(%q): %v", fl.Type.String(), err)
				} else if p.String() != fl.Type.String() {
					t.Errorf("ParseType(%q).String() = %q", fl.Type.String(), p.String())
				}
			}
		})
	}
}

func TestDecodeFixtureContents(t *testing.T) {
	b, err := os.ReadFile(fixtures.Path(t, "paimon-cpp", "tables", "parquet", "pk_table_nested_type.db", "pk_table_nested_type", "schema", "schema-0"))
	if err != nil {
		t.Fatal(err)
	}
	ts, err := schema.Decode("schema-0", b)
	if err != nil {
		t.Fatal(err)
	}
	if ts.Version != 3 || ts.ID != 0 || ts.HighestFieldID != 8 || len(ts.Fields) != 6 {
		t.Fatalf("decoded %+v", ts)
	}
	if got := ts.Fields[4].Type.String(); got != "ROW<f0 STRING, f1 INT, f2 ARRAY<INT>>" {
		t.Errorf("col1 type %q", got)
	}
	if got := ts.Fields[5].Type.String(); got != "MAP<INT, INT>" {
		t.Errorf("col2 type %q", got)
	}
	if got := ts.TrimmedPrimaryKeys(); !slices.Equal(got, []string{"shopId"}) {
		t.Errorf("trimmed pk %v", got)
	}
	if got := ts.BucketKeys(); !slices.Equal(got, []string{"shopId"}) {
		t.Errorf("bucket keys %v", got)
	}
	if got := ts.PartitionType().String(); got != "ROW<dt STRING NOT NULL, hr INT NOT NULL> NOT NULL" {
		t.Errorf("partition type %q", got)
	}
	if !slices.Equal(ts.Options.Keys(), []string{"bucket", "bucket-key", "manifest.format", "file.format"}) {
		t.Errorf("option order %v", ts.Options.Keys())
	}
	if ts.CrossPartitionUpdate() {
		t.Error("CrossPartitionUpdate")
	}
}

func TestCompatibilityDefaults(t *testing.T) {
	for _, tc := range []struct {
		version          int
		bucket, format   string
		hasBucket, hasFF bool
	}{
		{0, "1", "orc", true, true},
		{1, "1", "orc", true, true},
		{2, "", "orc", false, true},
		{3, "", "", false, false},
	} {
		ts := &schema.Table{Version: tc.version}
		b, ok := ts.Option("bucket")
		if b != tc.bucket || ok != tc.hasBucket {
			t.Errorf("v%d bucket = %q %v", tc.version, b, ok)
		}
		f, ok := ts.Option("file.format")
		if f != tc.format || ok != tc.hasFF {
			t.Errorf("v%d file.format = %q %v", tc.version, f, ok)
		}
		if ts.Options.Len() != 0 {
			t.Error("Option mutated the stored options")
		}
	}
	ts := &schema.Table{Version: 1, Options: schema.NewOptions("bucket", "4")}
	if b, _ := ts.Option("bucket"); b != "4" {
		t.Errorf("explicit bucket overridden: %q", b)
	}
}

func TestDecodeLegacyWithoutVersion(t *testing.T) {
	in := []byte(`{"id":2,"fields":[{"id":0,"name":"a","type":"INT"}],"highestFieldId":0,"partitionKeys":[],"primaryKeys":[],"options":{}}`)
	ts, err := schema.Decode("schema-2", in)
	if err != nil {
		t.Fatal(err)
	}
	if ts.Version != 0 || ts.FormatVersion() != 1 || ts.TimeMillis != 0 {
		t.Errorf("got %+v", ts)
	}
	out, err := ts.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out, []byte("version")) {
		t.Errorf("encoded a version key: %s", out)
	}
}

func TestDecodeErrors(t *testing.T) {
	good := `{"version":3,"id":0,"fields":[{"id":0,"name":"a","type":"INT"}],"highestFieldId":0,"partitionKeys":[],"primaryKeys":[],"options":{}}`
	for name, in := range map[string]string{
		"empty":          ``,
		"null":           `null`,
		"array":          `[]`,
		"truncated":      good[:len(good)-5],
		"trailing":       good + `x`,
		"no fields":      `{"id":0,"highestFieldId":0,"partitionKeys":[],"primaryKeys":[],"options":{}}`,
		"bad type":       `{"id":0,"fields":[{"id":0,"name":"a","type":"INTX"}],"highestFieldId":0,"partitionKeys":[],"primaryKeys":[],"options":{}}`,
		"string row":     `{"id":0,"fields":[{"id":0,"name":"a","type":"ROW<x INT>"}],"highestFieldId":0,"partitionKeys":[],"primaryKeys":[],"options":{}}`,
		"field no id":    `{"id":0,"fields":[{"name":"a","type":"INT"}],"highestFieldId":0,"partitionKeys":[],"primaryKeys":[],"options":{}}`,
		"unknown pk":     `{"id":0,"fields":[{"id":0,"name":"a","type":"INT"}],"highestFieldId":0,"partitionKeys":[],"primaryKeys":["b"],"options":{}}`,
		"dup name":       `{"id":0,"fields":[{"id":0,"name":"a","type":"INT"},{"id":1,"name":"a","type":"INT"}],"highestFieldId":1,"partitionKeys":[],"primaryKeys":[],"options":{}}`,
		"low highest":    `{"id":0,"fields":[{"id":5,"name":"a","type":"INT"}],"highestFieldId":0,"partitionKeys":[],"primaryKeys":[],"options":{}}`,
		"option number":  `{"id":0,"fields":[],"highestFieldId":0,"partitionKeys":[],"primaryKeys":[],"options":{"bucket":1}}`,
		"big field id":   `{"id":0,"fields":[{"id":99999999999,"name":"a","type":"INT"}],"highestFieldId":0,"partitionKeys":[],"primaryKeys":[],"options":{}}`,
		"vector no len":  `{"id":0,"fields":[{"id":0,"name":"a","type":{"type":"VECTOR","element":"FLOAT"}}],"highestFieldId":0,"partitionKeys":[],"primaryKeys":[],"options":{}}`,
		"bad bucket key": `{"id":0,"fields":[{"id":0,"name":"a","type":"INT"}],"highestFieldId":0,"partitionKeys":["a"],"primaryKeys":[],"options":{"bucket-key":"a"}}`,
	} {
		_, err := schema.Decode("schema/schema-0", []byte(in))
		if !errors.Is(err, schema.ErrCorrupt) {
			t.Errorf("%s: err = %v, want ErrCorrupt", name, err)
			continue
		}
		if !bytes.Contains([]byte(err.Error()), []byte("schema/schema-0")) {
			t.Errorf("%s: error does not name the file: %v", name, err)
		}
	}
	_, err := schema.Decode("s", []byte(`{"version":4,"id":0,"fields":[],"highestFieldId":0,"partitionKeys":[],"primaryKeys":[],"options":{}}`))
	if !errors.Is(err, schema.ErrUnsupportedVersion) {
		t.Errorf("version 4: %v", err)
	}
}

func TestFileName(t *testing.T) {
	if got := schema.FileName(12); got != "schema-12" {
		t.Errorf("FileName = %q", got)
	}
	for name, want := range map[string]int64{"schema-0": 0, "schema-12": 12} {
		if id, ok := schema.ParseFileName(name); !ok || id != want {
			t.Errorf("ParseFileName(%q) = %d %v", name, id, ok)
		}
	}
	for _, name := range []string{"schema-", "schema-01", "schema--1", "schema-+1", "snapshot-1", "schema-1a", "schema-99999999999999999999"} {
		if _, ok := schema.ParseFileName(name); ok {
			t.Errorf("ParseFileName(%q) accepted", name)
		}
	}
}
