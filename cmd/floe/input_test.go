package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/floelake/floe/internal/jsonrow"
	"github.com/floelake/floe/table"
)

// wantInputError checks that err is an *inputError at file:line (row for
// Parquet) and column that matches target.
func wantInputError(t *testing.T, what string, err error, file string, line int, column string, target error) {
	t.Helper()
	var ie *inputError
	if !errors.As(err, &ie) {
		t.Errorf("%s: want *inputError, got %v", what, err)
		return
	}
	if ie.File != file || ie.Line != line || ie.Column != column || !errors.Is(err, target) {
		t.Errorf("%s: got %s:%d column %q (%v), want %s:%d column %q matching %v", what, ie.File, ie.Line, ie.Column, err, file, line, column, target)
	}
}

func noSnapshots(t *testing.T, tbl string) {
	t.Helper()
	if out := mustRun(t, "snapshots", tbl, "--json"); strings.TrimSpace(out) != "[]" {
		t.Errorf("a failed write committed: %s", out)
	}
}

// TestWriteRecordSizeLimit: a JSON line or CSV record over
// --max-record-size fails naming file and line and commits nothing;
// lines longer than the read buffer but under the limit are written.
func TestWriteRecordSizeLimit(t *testing.T) {
	wh, in := t.TempDir(), t.TempDir()
	tbl := filepath.Join(wh, "db.db", "t")
	mustRun(t, "create", tbl, "--column", "id BIGINT", "--column", "s STRING")
	big := strings.Repeat("x", 2000)

	js := writeFile(t, in, "big.jsonl", `{"id": 1, "s": "a"}`+"\n"+`{"id": 2, "s": "`+big+`"}`+"\n")
	_, err := runCLI(t, "write", tbl, js, "--max-record-size", "1KiB")
	wantInputError(t, "jsonl", err, js, 2, "", jsonrow.ErrRecordTooLarge)

	// Row 2 spans lines 2-3 (a quoted newline); the long record is on line 4.
	cs := writeFile(t, in, "big.csv", "id,s\n1,\"a\nb\"\n2,"+big+"\n3,c\n")
	_, err = runCLI(t, "write", tbl, cs, "--max-record-size", "1k")
	wantInputError(t, "csv", err, cs, 4, "", jsonrow.ErrRecordTooLarge)
	// Longer than csv.Reader reads ahead, too.
	huge := strings.Repeat("y", 200<<10)
	cs2 := writeFile(t, in, "huge.csv", "id,s\n1,a\n2,"+huge+"\n")
	_, err = runCLI(t, "write", tbl, cs2, "--max-record-size", "1k")
	wantInputError(t, "csv beyond read-ahead", err, cs2, 3, "", jsonrow.ErrRecordTooLarge)
	noSnapshots(t, tbl)

	for _, v := range []string{"0", "2GiB", "lots", "-1"} {
		if _, err := runCLI(t, "write", tbl, js, "--max-record-size", v); !errors.Is(err, errUsage) {
			t.Errorf("--max-record-size %s: %v", v, err)
		}
	}

	// Under the limit: a 3 MB line (longer than the 1 MiB read buffer)
	// from stdin, and the CSV file with a raised limit.
	long := strings.Repeat("z", 3<<20)
	stdin = strings.NewReader(`{"id": 30, "s": "` + long + `"}` + "\n" + `{"id": 4, "s": "d"}`)
	defer func() { stdin = os.Stdin }()
	mustRun(t, "write", tbl, "-")
	mustRun(t, "write", tbl, cs, "--max-record-size", "4k")
	got := mustRun(t, "scan", tbl, "--format", "csv", "--where", "id = 30")
	if want := "id,s\n30," + long + "\n"; got != want {
		t.Errorf("long line: %d bytes back, want %d: %q … %q", len(got), len(want), got[:20], got[len(got)-20:])
	}
	equalLines(t, "csv", mustRun(t, "scan", tbl, "--format", "csv", "--where", "id <> 30"), "id,s", "1,\"a", "b\"", "2,"+big, "3,c", "4,d")
}

// TestWriteInvalidUTF8: text that is not UTF-8 for a string column is
// rejected naming file, line (row for Parquet) and column, from JSON lines,
// CSV and Parquet alike.
func TestWriteInvalidUTF8(t *testing.T) {
	wh, in := t.TempDir(), t.TempDir()
	tbl := filepath.Join(wh, "db.db", "t")
	mustRun(t, "create", tbl, "--column", "id BIGINT", "--column", "s STRING", "--column", "tags ARRAY<VARCHAR(10)>", "--column", "c CHAR(2)")
	for _, tc := range []struct {
		name, body string
		line       int
		col        string
	}{
		{"raw.jsonl", "{\"id\": 1, \"s\": \"ok\"}\n{\"id\": 2, \"s\": \"a\xffb\"}\n", 2, "s"},
		{"surrogate.jsonl", `{"id": 1, "s": "\ud800"}`, 1, "s"},
		{"nested.jsonl", "{\"id\": 1, \"tags\": [\"x\", \"\xc3\"]}", 1, "tags"},
		{"char.jsonl", "{\"id\": 1, \"c\": \"\xe9\"}", 1, "c"},
		{"cell.csv", "id,s\n1,ok\n2,\"x\xfe\"\n", 3, "s"},
		{"nested.csv", "id,tags\n1,\"[\"\"\xff\"\"]\"\n", 2, "tags"},
	} {
		p := writeFile(t, in, tc.name, tc.body)
		_, err := runCLI(t, "write", tbl, p)
		wantInputError(t, tc.name, err, p, tc.line, tc.col, jsonrow.ErrInvalidUTF8)
	}

	// Parquet: strings are not checked by the reader, so floe checks them.
	mem := memory.NewGoAllocator()
	sc := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}, {Name: "s", Type: arrow.BinaryTypes.String, Nullable: true}}, nil)
	rb := array.NewRecordBuilder(mem, sc)
	defer rb.Release()
	rb.Field(0).(*array.Int64Builder).AppendValues([]int64{1, 2, 3}, nil)
	rb.Field(1).(*array.StringBuilder).AppendValues([]string{"ok", "", "bad\xff"}, []bool{true, false, true})
	rec := rb.NewRecord()
	defer rec.Release()
	pq := filepath.Join(in, "bad.parquet")
	f, err := os.Create(pq)
	if err != nil {
		t.Fatal(err)
	}
	fw, err := pqarrow.NewFileWriter(sc, f, nil, pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	if err := fw.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = runCLI(t, "write", tbl, pq)
	wantInputError(t, "parquet", err, pq, 3, "s", jsonrow.ErrInvalidUTF8)
	noSnapshots(t, tbl)

	// Valid multi-byte text passes.
	mustRun(t, "write", tbl, writeFile(t, in, "ok.jsonl", `{"id": 9, "s": "héllo \u00e9 \ud83d\ude00", "c": "é"}`))
	equalLines(t, "utf-8", mustRun(t, "scan", tbl, "--format", "csv", "--select", "s,c"), "s,c", "héllo é 😀,é")
}

// TestWriteDecimalScale: a decimal with more fractional digits than the
// column's scale is rejected, never rounded; trailing zeros are fine.
func TestWriteDecimalScale(t *testing.T) {
	wh, in := t.TempDir(), t.TempDir()
	tbl := filepath.Join(wh, "db.db", "t")
	mustRun(t, "create", tbl, "--column", "id BIGINT", "--column", "amount DECIMAL(5, 2)")
	for _, tc := range []struct {
		name, body, value string
		line              int
	}{
		{"a.jsonl", "{\"id\": 1, \"amount\": 1.5}\n{\"id\": 2, \"amount\": 1.005}\n", "1.005", 2},
		{"b.jsonl", `{"id": 1, "amount": "-0.001"}`, "-0.001", 1},
		{"c.csv", "id,amount\n1,12.345\n", "12.345", 2},
	} {
		p := writeFile(t, in, tc.name, tc.body)
		_, err := runCLI(t, "write", tbl, p)
		wantInputError(t, tc.name, err, p, tc.line, "amount", jsonrow.ErrValue)
		var ve *jsonrow.ValueError
		if !errors.As(err, &ve) || ve.Value != tc.value || !strings.Contains(err.Error(), tc.value) {
			t.Errorf("%s: want a *jsonrow.ValueError naming %s, got %v", tc.name, tc.value, err)
		}
	}
	// Parquet: a decimal of a larger scale is cast only when exact.
	src := filepath.Join(wh, "db.db", "src")
	mustRun(t, "create", src, "--column", "id BIGINT", "--column", "amount DECIMAL(10, 4)")
	mustRun(t, "write", src, writeFile(t, in, "src.jsonl", "{\"id\": 1, \"amount\": \"1.5000\"}\n{\"id\": 2, \"amount\": \"1.2345\"}\n"))
	pq := filepath.Join(in, "src.parquet")
	mustRun(t, "scan", src, "--format", "parquet", "--output", pq)
	_, err := runCLI(t, "write", tbl, pq)
	var ie *inputError
	if !errors.As(err, &ie) || ie.Column != "amount" || !errors.Is(err, jsonrow.ErrValue) {
		t.Errorf("parquet decimal: %v", err)
	}
	noSnapshots(t, tbl)
	mustRun(t, "write", tbl, writeFile(t, in, "ok.csv", "id,amount\n1,1.500\n2,-3.1e1\n"))
	equalLines(t, "exact", mustRun(t, "scan", tbl, "--format", "csv"), "id,amount", "1,1.50", "2,-31.00")
}

// TestCreateRefusesUnwritable: option values Paimon does not know, and
// table shapes floe cannot write yet, are refused by create and alter
// --set, naming the option; nothing is created.
func TestCreateRefusesUnwritable(t *testing.T) {
	wh := t.TempDir()
	tbl := filepath.Join(wh, "db.db", "t")
	cols := []string{"--column", "dt STRING", "--column", "id INT", "--column", "v INT"}
	for _, tc := range []struct {
		args []string
		key  string
		is   error
	}{
		{[]string{"--option", "file.format=xyz"}, "file.format", table.ErrInvalidOption},
		{[]string{"--option", "file.compression=rar"}, "file.compression", table.ErrInvalidOption},
		{[]string{"--option", "file.format=orc"}, "file.format", table.ErrUnsupported},
		{[]string{"--primary-key", "id", "--option", "bucket=1", "--option", "merge-engine=partial-update", "--option", "fields.v.sequence-group=nope"}, "fields.v.sequence-group", table.ErrInvalidOption},
		{[]string{"--primary-key", "id", "--option", "bucket=1", "--option", "merge-engine=aggregation", "--option", "fields.v.aggregate-function=bool_and"}, "fields.v.aggregate-function", table.ErrInvalidOption},
		{[]string{"--primary-key", "id", "--option", "bucket=1", "--option", "changelog-producer=input", "--option", "changelog-file.format=orc"}, "changelog-file.format", table.ErrUnsupported},
		// Dynamic bucket (the default) with a key lacking the partition key.
		{[]string{"--primary-key", "id", "--partition", "dt"}, "bucket", table.ErrUnsupported},
	} {
		args := append(append([]string{"create", tbl}, cols...), tc.args...)
		_, err := runCLI(t, args...)
		if !errors.Is(err, tc.is) || !strings.Contains(err.Error(), tc.key) {
			t.Errorf("%v: want %v naming %s, got %v", tc.args, tc.is, tc.key, err)
		}
		if _, err := runCLI(t, "schema", tbl); !errors.Is(err, table.ErrNotTable) {
			t.Fatalf("%v: a refused table exists (%v)", tc.args, err)
		}
	}
	mustRun(t, append(append([]string{"create", tbl}, cols...), "--primary-key", "dt,id", "--partition", "dt", "--option", "deletion-vectors.enabled=true")...)
	for _, tc := range []struct {
		set string
		is  error
	}{
		{"merge-engine=aggregation", table.ErrUnsupported}, // with deletion vectors
		{"changelog-file.format=orc", table.ErrUnsupported},
		{"file.compression=rar", table.ErrInvalidOption},
		{"file.format=avro", table.ErrUnsupported},
	} {
		if _, err := runCLI(t, "alter", tbl, "--set", tc.set); !errors.Is(err, tc.is) {
			t.Errorf("alter --set %s: %v", tc.set, err)
		}
	}
	if out := mustRun(t, "schema", tbl); !strings.Contains(out, "schema id:       0") {
		t.Errorf("a refused alter wrote a schema:\n%s", out)
	}
	mustRun(t, "alter", tbl, "--set", "file.compression=snappy")
}

// TestScanLimitNegative: a negative --limit is a usage error, not "all".
func TestScanLimitNegative(t *testing.T) {
	wh, in := t.TempDir(), t.TempDir()
	tbl := filepath.Join(wh, "db.db", "t")
	mustRun(t, "create", tbl, "--column", "id INT")
	mustRun(t, "write", tbl, writeFile(t, in, "a.jsonl", "{\"id\": 1}\n{\"id\": 2}\n"))
	if _, err := runCLI(t, "scan", tbl, "--limit", "-5"); !errors.Is(err, errUsage) {
		t.Errorf("--limit -5: %v", err)
	}
	if out := mustRun(t, "scan", tbl, "--format", "csv", "--limit", "0"); out != "id\n" {
		t.Errorf("--limit 0: %q", out)
	}
	if n := len(sortedLines(mustRun(t, "scan", tbl, "--format", "jsonl"))); n != 2 {
		t.Errorf("no --limit: %d rows", n)
	}
}
