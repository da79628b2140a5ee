package schema_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/floelake/floe/schema"
)

func TestToArrow(t *testing.T) {
	for in, want := range map[string]string{
		"BOOLEAN":                           "bool",
		"TINYINT":                           "int8",
		"SMALLINT":                          "int16",
		"INT":                               "int32",
		"BIGINT":                            "int64",
		"FLOAT":                             "float32",
		"DOUBLE":                            "float64",
		"DECIMAL(10, 2)":                    "decimal(10, 2)",
		"CHAR(3)":                           "utf8",
		"STRING":                            "utf8",
		"BINARY(16)":                        "fixed_size_binary[16]",
		"BYTES":                             "binary",
		"VARIANT":                           "binary",
		"BLOB":                              "binary",
		"DATE":                              "date32",
		"TIME(0)":                           "time32[ms]",
		"TIME(6)":                           "time64[us]",
		"TIME(9)":                           "time64[ns]",
		"TIMESTAMP(0)":                      "timestamp[ms]",
		"TIMESTAMP(6)":                      "timestamp[us]",
		"TIMESTAMP(9)":                      "timestamp[ns]",
		"TIMESTAMP(3) WITH LOCAL TIME ZONE": "timestamp[ms, tz=UTC]",
		"ARRAY<INT NOT NULL>":               "list<element: int32>",
		"MAP<STRING, INT>":                  "map<utf8, int32, items_nullable>",
		"MULTISET<STRING>":                  "map<utf8, int32, items_non_nullable>",
		"VECTOR<FLOAT, 4>":                  "fixed_size_list<element: float32, nullable>[4]",
		"ROW<a INT, b STRING NOT NULL>":     "struct<a: int32 nullable, b: utf8>",
	} {
		at, err := schema.ToArrow(schema.MustParseType(in))
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		if at.String() != want {
			t.Errorf("ToArrow(%s) = %s, want %s", in, at, want)
		}
	}
	if _, err := schema.ToArrow(schema.DataType{}); !errors.Is(err, schema.ErrInvalidType) {
		t.Errorf("zero type: %v", err)
	}
}

func TestArrowRoundTrip(t *testing.T) {
	// Types whose Arrow form maps back to the same Paimon type.
	for _, in := range []string{
		"BOOLEAN NOT NULL", "TINYINT", "SMALLINT", "INT", "BIGINT", "FLOAT", "DOUBLE",
		"DECIMAL(38, 10)", "STRING", "BINARY(5)", "BYTES", "DATE", "TIME(3)", "TIME(9)",
		"TIMESTAMP(3)", "TIMESTAMP(6) WITH LOCAL TIME ZONE", "TIMESTAMP(9)",
		"ARRAY<INT NOT NULL> NOT NULL", "MAP<STRING NOT NULL, ARRAY<DOUBLE>>",
		"ROW<a INT, b ROW<c STRING NOT NULL>>", "VECTOR<FLOAT NOT NULL, 8>",
	} {
		ty := schema.MustParseType(in)
		at, err := schema.ToArrow(ty)
		if err != nil {
			t.Fatal(err)
		}
		back, err := schema.FromArrow(at, !ty.NotNull)
		if err != nil {
			t.Errorf("FromArrow(%s): %v", at, err)
			continue
		}
		if back.String() != ty.String() {
			t.Errorf("%s → %s → %s", in, at, back)
		}
	}
	for _, at := range []arrow.DataType{arrow.PrimitiveTypes.Uint64, arrow.FixedWidthTypes.Float16, arrow.Null} {
		if _, err := schema.FromArrow(at, true); !errors.Is(err, schema.ErrInvalidType) {
			t.Errorf("FromArrow(%s): %v", at, err)
		}
	}
	if got, _ := schema.FromArrow(arrow.BinaryTypes.LargeString, false); got.String() != "STRING NOT NULL" {
		t.Errorf("LargeString → %s", got)
	}
}

func TestArrowSchemaFieldIDs(t *testing.T) {
	fields, _ := schema.AssignFieldIDs([]schema.Field{
		{Name: "id", Type: schema.NewInt().WithNotNull(true)},
		{Name: "r", Type: schema.MustParseType("ROW<x INT, y ARRAY<MAP<INT NOT NULL, ARRAY<INT>>>>")},
	}, 0)
	ts := &schema.Table{Fields: fields}
	s, err := ts.ArrowSchema()
	if err != nil {
		t.Fatal(err)
	}
	id := func(f arrow.Field) string { v, _ := f.Metadata.GetValue(schema.FieldIDKey); return v }
	if id(s.Field(0)) != "0" || s.Field(0).Nullable || id(s.Field(1)) != "1" {
		t.Errorf("top-level %v", s)
	}
	st := s.Field(1).Type.(*arrow.StructType)
	if id(st.Field(0)) != "2" || id(st.Field(1)) != "3" {
		t.Errorf("struct children %v", st)
	}
	// Paimon's derived ids: y has id 3; its element (a map) depth 1, map key and
	// value depth 2, the inner array element depth 3.
	lt := st.Field(1).Type.(*arrow.ListType)
	mt := lt.ElemField().Type.(*arrow.MapType)
	inner := mt.ItemField().Type.(*arrow.ListType)
	got := []string{id(lt.ElemField()), id(mt.KeyField()), id(mt.ItemField()), id(inner.ElemField())}
	want := []string{"536873984", "536867837", "536873985", "536873986"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("derived ids %v, want %v", got, want)
	}
	back, err := schema.FromArrowSchema(s)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, fields) {
		t.Errorf("FromArrowSchema:\n%+v\n%+v", back, fields)
	}
}
