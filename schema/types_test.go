package schema_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/floelake/floe/internal/fixtures"
	"github.com/floelake/floe/schema"
)

func TestParseType(t *testing.T) {
	for in, want := range map[string]string{
		"INT":                                "INT",
		"integer":                            "INT",
		"Int Not Null":                       "INT NOT NULL",
		"INT NULL":                           "INT",
		"tinyint":                            "TINYINT",
		"SMALLINT":                           "SMALLINT",
		"BIGINT NOT NULL":                    "BIGINT NOT NULL",
		"BOOLEAN":                            "BOOLEAN",
		"FLOAT":                              "FLOAT",
		"DOUBLE":                             "DOUBLE",
		"double precision not null":          "DOUBLE NOT NULL",
		"DECIMAL":                            "DECIMAL(10, 0)",
		"DECIMAL(10,2)":                      "DECIMAL(10, 2)",
		"NUMERIC(5)":                         "DECIMAL(5, 0)",
		"dec(38, 38)":                        "DECIMAL(38, 38)",
		"CHAR":                               "CHAR(1)",
		"CHAR(5)":                            "CHAR(5)",
		"VARCHAR":                            "VARCHAR(1)",
		"VARCHAR(10)":                        "VARCHAR(10)",
		"VARCHAR(2147483647)":                "STRING",
		"STRING":                             "STRING",
		"BINARY":                             "BINARY(1)",
		"BINARY(16)":                         "BINARY(16)",
		"VARBINARY(3)":                       "VARBINARY(3)",
		"BYTES":                              "BYTES",
		"DATE":                               "DATE",
		"TIME":                               "TIME(0)",
		"TIME(3) WITHOUT TIME ZONE":          "TIME(3)",
		"TIMESTAMP":                          "TIMESTAMP(6)",
		"TIMESTAMP(9) WITHOUT TIME ZONE":     "TIMESTAMP(9)",
		"timestamp(3) with local time zone":  "TIMESTAMP(3) WITH LOCAL TIME ZONE",
		"TIMESTAMP WITH LOCAL TIME ZONE":     "TIMESTAMP(6) WITH LOCAL TIME ZONE",
		"TIMESTAMP_LTZ(3)":                   "TIMESTAMP(3) WITH LOCAL TIME ZONE",
		"TIMESTAMP_LTZ NOT NULL":             "TIMESTAMP(6) WITH LOCAL TIME ZONE NOT NULL",
		"VARIANT":                            "VARIANT",
		"BLOB NOT NULL":                      "BLOB NOT NULL",
		"INT ARRAY":                          "ARRAY<INT>",
		"INT NOT NULL MULTISET NOT NULL":     "MULTISET<INT NOT NULL> NOT NULL",
		"ARRAY<INT NOT NULL>":                "ARRAY<INT NOT NULL>",
		"MAP<STRING,INT> NOT NULL":           "MAP<STRING, INT> NOT NULL",
		"MULTISET<VARCHAR(3)>":               "MULTISET<VARCHAR(3)>",
		"ROW<a INT, b STRING>":               "ROW<a INT, b STRING>",
		"ROW(a INT NOT NULL, `b c` STRING)":  "ROW<a INT NOT NULL, `b c` STRING>",
		"ROW<`date` DATE 'the ''day'''>":     "ROW<`date` DATE 'the ''day'''>",
		"ROW<>":                              "ROW<>",
		"VECTOR<FLOAT, 4>":                   "VECTOR<FLOAT, 4>",
		"ARRAY<ROW<x MAP<INT, ARRAY<INT>>>>": "ARRAY<ROW<x MAP<INT, ARRAY<INT>>>>",
	} {
		got, err := schema.ParseType(in)
		if err != nil {
			t.Errorf("ParseType(%q): %v", in, err)
			continue
		}
		if got.String() != want {
			t.Errorf("ParseType(%q).String() = %q, want %q", in, got.String(), want)
		}
		again, err := schema.ParseType(got.String())
		if err != nil || !reflect.DeepEqual(again, got) {
			t.Errorf("re-parse %q: %+v, %v", got.String(), again, err)
		}
	}
}

func TestParseTypeErrors(t *testing.T) {
	for _, in := range []string{
		"", "INTX", "INT NOT", "INT(3)", "DECIMAL(0)", "DECIMAL(39, 0)", "DECIMAL(5, 6)",
		"DECIMAL(5,", "CHAR(0)", "VARCHAR(2147483648)", "TIME(10)", "TIMESTAMP(-1)",
		"TIMESTAMP(3) WITH TIME ZONE", "TIMESTAMP WITH LOCAL", "ARRAY<INT", "MAP<INT>",
		"ROW<a>", "ROW<a INT,>", "VECTOR<FLOAT>", "VECTOR<FLOAT, 0>", "INT INT",
		"'str'", "`x", "ROW<a INT 'x>", "INTERVAL", "RAW", "name",
		strings.Repeat("ARRAY<", 1000) + "INT" + strings.Repeat(">", 1000),
	} {
		if _, err := schema.ParseType(in); !errors.Is(err, schema.ErrInvalidType) {
			t.Errorf("ParseType(%q) = %v, want ErrInvalidType", in, err)
		}
	}
}

func TestRowFieldIDsFromParse(t *testing.T) {
	ty := schema.MustParseType("ROW<a INT, b ROW<x INT, y INT>, c INT>")
	if ty.Fields[0].ID != 0 || ty.Fields[1].ID != 1 || ty.Fields[1].Type.Fields[0].ID != 2 ||
		ty.Fields[1].Type.Fields[1].ID != 3 || ty.Fields[2].ID != 4 {
		t.Errorf("ids %+v", ty)
	}
}

// TestTypeJSONFixtures decodes the paimon-rust type grammar examples and
// checks that they encode back to the same JSON.
func TestTypeJSONFixtures(t *testing.T) {
	paths, err := filepath.Glob(fixtures.Path(t, "paimon-rust-2024", "types", "*_type*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) < 40 {
		t.Fatalf("only %d type fixtures", len(paths))
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var ty schema.DataType
		if err := json.Unmarshal(b, &ty); err != nil {
			t.Errorf("%s: %v", filepath.Base(p), err)
			continue
		}
		nullable := strings.HasSuffix(p, "_nullable.json")
		if ty.NotNull == nullable && !strings.Contains(p, "highly_complex") {
			t.Errorf("%s: NotNull = %v", filepath.Base(p), ty.NotNull)
		}
		got, err := json.Marshal(ty)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != strings.TrimSpace(string(b)) {
			t.Errorf("%s: re-encoded\n got %s\nwant %s", filepath.Base(p), got, b)
		}
	}
}

func TestFieldJSON(t *testing.T) {
	d, dv := "desc", "0"
	f := schema.Field{ID: 7, Name: "x", Type: schema.NewVector(schema.NewFloat(), 4).WithNotNull(true), Description: &d, DefaultValue: &dv}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":7,"name":"x","type":{"type":"VECTOR NOT NULL","element":"FLOAT","length":4},"description":"desc","defaultValue":"0"}`
	if string(b) != want {
		t.Errorf("got %s", b)
	}
	var back schema.Field
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, f) {
		t.Errorf("round trip %+v", back)
	}
	if _, err := json.Marshal(schema.DataType{}); !errors.Is(err, schema.ErrInvalidType) {
		t.Errorf("zero type marshal: %v", err)
	}
}

func TestNewTable(t *testing.T) {
	fields := []schema.Field{
		{Name: "dt", Type: schema.NewString()},
		{Name: "id", Type: schema.NewBigInt()},
		{Name: "r", Type: schema.MustParseType("ROW<a INT, b ARRAY<ROW<c INT>>>")},
		{Name: "v", Type: schema.NewDouble()},
	}
	ts, err := schema.NewTable(fields, []string{"dt"}, []string{"dt", "id"}, schema.NewOptions("bucket", "2"))
	if err != nil {
		t.Fatal(err)
	}
	ids := []int{ts.Fields[0].ID, ts.Fields[1].ID, ts.Fields[2].ID, ts.Fields[2].Type.Fields[0].ID,
		ts.Fields[2].Type.Fields[1].ID, ts.Fields[2].Type.Fields[1].Type.Elem.Fields[0].ID, ts.Fields[3].ID}
	if !reflect.DeepEqual(ids, []int{0, 1, 2, 3, 4, 5, 6}) || ts.HighestFieldID != 6 {
		t.Errorf("ids %v highest %d", ids, ts.HighestFieldID)
	}
	if !ts.Fields[0].Type.NotNull || !ts.Fields[1].Type.NotNull || ts.Fields[3].Type.NotNull {
		t.Error("primary key columns not forced NOT NULL")
	}
	if fields[0].Type.NotNull {
		t.Error("NewTable mutated its input")
	}
	if got := ts.TrimmedPrimaryKeys(); !reflect.DeepEqual(got, []string{"id"}) {
		t.Errorf("trimmed %v", got)
	}
	if ts.Version != schema.CurrentVersion || ts.ID != 0 || ts.TimeMillis == 0 {
		t.Errorf("header %+v", ts)
	}
	b, err := ts.Encode()
	if err != nil {
		t.Fatal(err)
	}
	back, err := schema.Decode("schema-0", b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, ts) {
		t.Errorf("decode(encode) differs:\n%+v\n%+v", back, ts)
	}

	// primary-key / partition options are moved into the key lists.
	ts, err = schema.NewTable(fields, nil, nil, schema.NewOptions("primary-key", "dt, id", "partition", "dt"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ts.PrimaryKeys, []string{"dt", "id"}) || !reflect.DeepEqual(ts.PartitionKeys, []string{"dt"}) || ts.Options.Len() != 0 {
		t.Errorf("keys from options: %v %v %v", ts.PrimaryKeys, ts.PartitionKeys, ts.Options.Keys())
	}

	for name, tc := range map[string]struct {
		fields   []schema.Field
		part, pk []string
		options  schema.Options
	}{
		"unknown partition":       {fields, []string{"nope"}, nil, schema.Options{}},
		"unknown pk":              {fields, nil, []string{"nope"}, schema.Options{}},
		"pk only partition":       {fields, []string{"dt"}, []string{"dt"}, schema.Options{}},
		"dup pk":                  {fields, nil, []string{"id", "id"}, schema.Options{}},
		"dup field":               {append(fields[:1:1], fields[0]), nil, nil, schema.Options{}},
		"dup nested":              {[]schema.Field{{Name: "r", Type: schema.NewRow(schema.Field{Name: "a", Type: schema.NewInt()}, schema.Field{Name: "a", Type: schema.NewInt()})}}, nil, nil, schema.Options{}},
		"bucket key in partition": {fields, []string{"dt"}, nil, schema.NewOptions("bucket-key", "dt")},
		"bucket key not in pk":    {fields, nil, []string{"id"}, schema.NewOptions("bucket-key", "v")},
		"pk option and arg":       {fields, nil, []string{"id"}, schema.NewOptions("primary-key", "id")},
		"bad type":                {[]schema.Field{{Name: "a", Type: schema.NewDecimal(50, 0)}}, nil, nil, schema.Options{}},
	} {
		if _, err := schema.NewTable(tc.fields, tc.part, tc.pk, tc.options); !errors.Is(err, schema.ErrInvalidSchema) {
			t.Errorf("%s: err = %v, want ErrInvalidSchema", name, err)
		}
	}
}

func TestBucketKeys(t *testing.T) {
	fields := []schema.Field{{Name: "a", Type: schema.NewInt()}, {Name: "b", Type: schema.NewInt()}, {Name: "c", Type: schema.NewInt()}}
	append1, _ := schema.NewTable(fields, nil, nil, schema.Options{})
	if got := append1.BucketKeys(); !reflect.DeepEqual(got, []string{"a", "b", "c"}) {
		t.Errorf("append bucket keys %v", got)
	}
	bk, _ := schema.NewTable(fields, []string{"a"}, nil, schema.NewOptions("bucket-key", "c,b"))
	if got := bk.BucketKeys(); !reflect.DeepEqual(got, []string{"c", "b"}) {
		t.Errorf("bucket-key option %v", got)
	}
	if got := bk.BucketKeyType().String(); got != "ROW<c INT, b INT> NOT NULL" {
		t.Errorf("bucket key type %q", got)
	}
	cross, _ := schema.NewTable(fields, []string{"a"}, []string{"b"}, schema.Options{})
	if !cross.CrossPartitionUpdate() {
		t.Error("CrossPartitionUpdate false")
	}
}

func TestHighestFieldID(t *testing.T) {
	if got := schema.HighestFieldID(nil); got != -1 {
		t.Errorf("empty: %d", got)
	}
	f := []schema.Field{{ID: 1, Type: schema.NewMap(schema.NewInt(), schema.NewRow(schema.Field{ID: 9, Type: schema.NewInt()}))}}
	if got := schema.HighestFieldID(f); got != 9 {
		t.Errorf("nested in map: %d", got)
	}
}

func TestOptions(t *testing.T) {
	var o schema.Options
	o.Set("b", "1")
	o.Set("a", "2")
	o.Set("b", "3")
	if !reflect.DeepEqual(o.Keys(), []string{"b", "a"}) {
		t.Errorf("keys %v", o.Keys())
	}
	o.Delete("b")
	o.Set("b", "4")
	if !reflect.DeepEqual(o.Keys(), []string{"a", "b"}) {
		t.Errorf("keys after delete %v", o.Keys())
	}
	c := o.Clone()
	c.Set("z", "z")
	if o.Len() != 2 || c.Len() != 3 {
		t.Error("Clone shares state")
	}
	var p schema.Options
	if err := json.Unmarshal([]byte(`{"x":"1","y":"2","x":"3"}`), &p); err != nil {
		t.Fatal(err)
	}
	if v, _ := p.Get("x"); v != "3" || !reflect.DeepEqual(p.Keys(), []string{"x", "y"}) {
		t.Errorf("duplicate keys: %v %v", p.Keys(), v)
	}
}
