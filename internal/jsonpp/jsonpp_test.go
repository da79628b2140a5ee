package jsonpp

import (
	"os"
	"path/filepath"
	"testing"
)

func TestIndentMatchesJavaFiles(t *testing.T) {
	root := "../../testdata/paimon-fixtures/paimon-cpp/tables/parquet/pk_09.db/pk_09"
	for _, f := range []string{"schema/schema-0", "snapshot/snapshot-1", "../../append_complex_build_in_fieldid.db/append_complex_build_in_fieldid/schema/schema-0"} {
		want, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		got, err := Indent(want)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("%s:\n got %s\nwant %s", f, got, want)
		}
	}
}

func TestIndentNested(t *testing.T) {
	in := `{"a":[{"b":{"c":[]}},{"d":{}}],"e":[1,2,"x,y"]}`
	want := "{\n  \"a\" : [ {\n    \"b\" : {\n      \"c\" : [ ]\n    }\n  }, {\n    \"d\" : { }\n  } ],\n  \"e\" : [ 1, 2, \"x,y\" ]\n}"
	got, err := Indent([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestIndentRejectsGarbage(t *testing.T) {
	if _, err := Indent([]byte(`{"a":`)); err == nil {
		t.Fatal("want error")
	}
}
