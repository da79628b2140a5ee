package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/floelake/floe/internal/jsonrow"
	"github.com/floelake/floe/table"
)

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	out, err := runCLI(t, args...)
	if err != nil {
		t.Fatalf("floe %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// sortedLines returns the lines of s sorted (scan order across buckets is
// not part of the contract).
func sortedLines(s string) []string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	if len(lines) == 1 && lines[0] == "" {
		return nil
	}
	sort.Strings(lines)
	return lines
}

func equalLines(t *testing.T, what, got string, want ...string) {
	t.Helper()
	g := sortedLines(got)
	w := append([]string(nil), want...)
	sort.Strings(w)
	if strings.Join(g, "\n") != strings.Join(w, "\n") {
		t.Errorf("%s:\n got:\n%s\nwant:\n%s", what, strings.Join(g, "\n"), strings.Join(w, "\n"))
	}
}

var typesColumns = []string{
	"--column", "id INT", "--column", "name STRING", "--column", "price DECIMAL(12, 3)",
	"--column", "day DATE", "--column", "at TIMESTAMP(6)", "--column", "ok BOOLEAN",
	"--column", "score DOUBLE", "--column", "raw BYTES", "--column", "tags ARRAY<STRING>",
	"--column", "attrs MAP<STRING, INT>", "--column", "loc ROW<lat DOUBLE, lon DOUBLE>",
}

const (
	typesJSONL = `{"id": 1, "name": "a", "price": "1.5", "day": "2024-01-01", "at": "2024-01-01 10:00:00.123456", "ok": true, "score": 0.25, "raw": "AQI=", "tags": ["x", "y"], "attrs": {"k": 1}, "loc": {"lat": 1.5, "lon": -2}}

{"id": 2, "name": null, "price": 99999.999, "at": "2024-01-01T10:00:00Z", "tags": []}
`
	typesCSV = "id,name,price,day,at,ok,score,raw,tags,attrs,loc\n" +
		"3,\"c, with comma\",-0.001,2000-02-29,2000-02-29 23:59:59,false,1e300,,\"[\"\"z\"\"]\",\"{\"\"q\"\": 7}\",\"[0, 0]\"\n" +
		"4,,,,,,,,,,\n"
)

var typesRows = []string{
	`{"id":1,"name":"a","price":"1.500","day":"2024-01-01","at":"2024-01-01 10:00:00.123456","ok":true,"score":0.25,"raw":"AQI=","tags":["x","y"],"attrs":{"k":1},"loc":{"lat":1.5,"lon":-2}}`,
	`{"id":2,"name":null,"price":"99999.999","day":null,"at":"2024-01-01 10:00:00","ok":null,"score":null,"raw":null,"tags":[],"attrs":null,"loc":null}`,
	`{"id":3,"name":"c, with comma","price":"-0.001","day":"2000-02-29","at":"2000-02-29 23:59:59","ok":false,"score":1e+300,"raw":null,"tags":["z"],"attrs":{"q":7},"loc":{"lat":0,"lon":0}}`,
	`{"id":4,"name":null,"price":null,"day":null,"at":null,"ok":null,"score":null,"raw":null,"tags":null,"attrs":null,"loc":null}`,
}

// TestCreateWriteScan: create an append table, write JSON lines and CSV,
// scan in all four formats, and write the Parquet output into a second
// table, which then scans the same.
func TestCreateWriteScan(t *testing.T) {
	wh, in := t.TempDir(), t.TempDir()
	tbl := filepath.Join(wh, "db.db", "types")
	out := mustRun(t, append([]string{"create", tbl, "--comment", "all types"}, typesColumns...)...)
	if !strings.Contains(out, "created append table db.types") {
		t.Errorf("create: %s", out)
	}
	out = mustRun(t, "write", tbl, writeFile(t, in, "a.jsonl", typesJSONL))
	if !strings.Contains(out, "snapshot 1 (APPEND): 2 rows written") {
		t.Errorf("write jsonl: %s", out)
	}
	out = mustRun(t, "write", tbl, writeFile(t, in, "b.csv", typesCSV))
	if !strings.Contains(out, "snapshot 2 (APPEND): 2 rows written") {
		t.Errorf("write csv: %s", out)
	}
	jl := mustRun(t, "scan", tbl, "--format", "jsonl")
	equalLines(t, "jsonl", jl, typesRows...)

	csvOut := mustRun(t, "scan", tbl, "--format", "csv", "--select", "id,name,tags,raw")
	equalLines(t, "csv", csvOut, "id,name,tags,raw", `1,a,"[""x"",""y""]",AQI=`, "2,,[],", `3,"c, with comma","[""z""]",`, "4,,,")

	grid := mustRun(t, "scan", tbl, "--select", "id,price,name")
	if !strings.HasPrefix(grid, "id  price") || !strings.HasSuffix(grid, "(4 rows)\n") || !strings.Contains(grid, "99999.999  NULL") {
		t.Errorf("grid:\n%s", grid)
	}

	pq := filepath.Join(in, "out.parquet")
	mustRun(t, "scan", tbl, "--format", "parquet", "--output", pq)
	copyTbl := filepath.Join(wh, "db.db", "copy")
	mustRun(t, append([]string{"create", copyTbl}, typesColumns...)...)
	out = mustRun(t, "write", copyTbl, pq)
	if !strings.Contains(out, "4 rows written") {
		t.Errorf("write parquet: %s", out)
	}
	equalLines(t, "parquet round trip", mustRun(t, "scan", copyTbl, "--format", "jsonl"), typesRows...)

	// --output for text formats, --overwrite, stdin and --format.
	jf := filepath.Join(in, "out.jsonl")
	mustRun(t, "scan", tbl, "--format", "jsonl", "--output", jf, "--where", "id >= 3")
	b, err := os.ReadFile(jf)
	if err != nil {
		t.Fatal(err)
	}
	equalLines(t, "--output", string(b), typesRows[2:]...)
	stdin = strings.NewReader(`{"id": 9, "name": "stdin"}` + "\n")
	defer func() { stdin = os.Stdin }()
	out = mustRun(t, "write", copyTbl, "-", "--overwrite")
	if !strings.Contains(out, "(OVERWRITE): 1 row written") {
		t.Errorf("overwrite: %s", out)
	}
	equalLines(t, "after overwrite", mustRun(t, "scan", copyTbl, "--format", "csv", "--select", "id,name"), "id,name", "9,stdin")
	mustRun(t, "write", copyTbl, writeFile(t, in, "x.txt", "id,name\n10,forced\n"), "--format", "csv", "--batch-rows", "1")
	equalLines(t, "--format csv", mustRun(t, "scan", copyTbl, "--format", "csv", "--select", "id,name"), "id,name", "9,stdin", "10,forced")

	// Identifier addressing: --warehouse and $FLOE_WAREHOUSE.
	equalLines(t, "--warehouse", mustRun(t, "scan", "db.copy", "--warehouse", wh, "--format", "csv", "--select", "id"), "id", "9", "10")
	t.Setenv(warehouseEnv, wh)
	equalLines(t, "$FLOE_WAREHOUSE", mustRun(t, "scan", "db.copy", "--format", "csv", "--select", "id", "--where", "id = 10"), "id", "10")
	mustRun(t, "create", "db.env", "--column", "x INT")
	mustRun(t, "write", "db.env", writeFile(t, in, "e.jsonl", `{"x": 1}`))
	equalLines(t, "create by identifier", mustRun(t, "scan", filepath.Join(wh, "db.db", "env"), "--format", "csv"), "x", "1")
	if _, err := runCLI(t, "create", "db.env", "--column", "x INT"); err == nil {
		t.Error("create of an existing table: no error")
	}
	mustRun(t, "create", "db.env", "--column", "x INT", "--if-not-exists")
}

// TestPrimaryKeyUpsertsAndTimeTravel: upserts and -D rows on a
// primary-key table, then --snapshot, --as-of and --limit.
func TestPrimaryKeyUpsertsAndTimeTravel(t *testing.T) {
	wh, in := t.TempDir(), t.TempDir()
	tbl := filepath.Join(wh, "s.db", "kv")
	mustRun(t, "create", tbl, "--column", "k STRING", "--column", "p INT", "--column", "v BIGINT",
		"--primary-key", "p,k", "--partition", "p", "--option", "bucket=2", "--option", "file.format=parquet")
	mustRun(t, "write", tbl, writeFile(t, in, "1.jsonl", `{"k": "a", "p": 1, "v": 1}
{"k": "b", "p": 1, "v": 2}
{"k": "a", "p": 2, "v": 3}
`))
	mustRun(t, "write", tbl, writeFile(t, in, "2.csv", "k,p,v,_ROW_KIND\na,1,10,+U\nb,1,,-D\nc,2,30,\n"))
	equalLines(t, "latest", mustRun(t, "scan", tbl, "--format", "csv"), "k,p,v", "a,1,10", "a,2,3", "c,2,30")
	equalLines(t, "snapshot 1", mustRun(t, "scan", tbl, "--format", "csv", "--snapshot", "1"), "k,p,v", "a,1,1", "b,1,2", "a,2,3")
	equalLines(t, "filter", mustRun(t, "scan", tbl, "--format", "csv", "--where", "p = 2 AND v > 5"), "k,p,v", "c,2,30")
	if got := strings.Count(mustRun(t, "scan", tbl, "--format", "jsonl", "--limit", "2"), "\n"); got != 2 {
		t.Errorf("--limit 2: %d rows", got)
	}

	var snaps []struct {
		ID         int64 `json:"id"`
		TimeMillis int64 `json:"timeMillis"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, "snapshots", tbl, "--json")), &snaps); err != nil {
		t.Fatal(err)
	}
	if len(snaps) != 2 {
		t.Fatalf("%d snapshots", len(snaps))
	}
	asOf := strconv.FormatInt(snaps[0].TimeMillis, 10)
	equalLines(t, "--as-of snapshot 1", mustRun(t, "scan", tbl, "--format", "csv", "--as-of", asOf), "k,p,v", "a,1,1", "b,1,2", "a,2,3")
}

// TestWriteErrors: bad values, unknown columns and null keys fail naming
// file, line and column, and commit nothing.
func TestWriteErrors(t *testing.T) {
	wh, in := t.TempDir(), t.TempDir()
	tbl := filepath.Join(wh, "e.db", "t")
	mustRun(t, "create", tbl, "--column", "id BIGINT", "--column", "amount DECIMAL(5, 2)", "--column", "day DATE", "--primary-key", "id", "--option", "bucket=1")
	for _, tc := range []struct {
		name, body, want string
		is               error
	}{
		{"bad.jsonl", "{\"id\": 1, \"amount\": 1}\n{\"id\": 2, \"amount\": \"12x\"}\n", `bad.jsonl: line 2: column "amount": bad value: want a DECIMAL(5, 2), got "12x"`, jsonrow.ErrValue},
		{"big.csv", "id,amount\n1,1\n2,1000.00\n", `big.csv: line 3: column "amount": bad value: 1000.00 does not fit DECIMAL(5, 2)`, jsonrow.ErrValue},
		{"date.csv", "id,day\n1,2024-13-01\n", `date.csv: line 2: column "day": bad value: want a date 'yyyy-mm-dd', got "2024-13-01"`, jsonrow.ErrValue},
		{"unknown.jsonl", `{"id": 1, "colour": "red"}`, `unknown.jsonl: line 1: column "colour": unknown column (table columns: id, amount, day; row kind: _ROW_KIND)`, errUnknownColumn},
		{"unknown.csv", "id,colour\n1,red\n", `unknown.csv: line 1: column "colour": unknown column`, errUnknownColumn},
		{"nullpk.jsonl", "{\"id\": 1}\n\n{\"amount\": 2}\n", `nullpk.jsonl: line 3: column "id": null in NOT NULL column`, errNull},
		{"nullpk.csv", "id,amount\n,1\n", `nullpk.csv: line 2: column "id": null in NOT NULL column`, errNull},
		{"kind.jsonl", `{"id": 1, "_ROW_KIND": "X"}`, `kind.jsonl: line 1: column "_ROW_KIND": bad value: row kind "X" is not +I, -U, +U or -D`, jsonrow.ErrValue},
		{"json.jsonl", `{"id": 1,`, `json.jsonl: line 1: bad value: invalid JSON`, jsonrow.ErrValue},
	} {
		_, err := runCLI(t, "write", tbl, writeFile(t, in, tc.name, tc.body))
		if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, tc.is) {
			t.Errorf("%s: got %v\nwant …%s…", tc.name, err, tc.want)
		}
	}
	if _, err := runCLI(t, "write", tbl, writeFile(t, in, "x.txt", "")); !errors.Is(err, errUsage) {
		t.Errorf("unknown extension: %v", err)
	}
	if _, err := runCLI(t, "write", tbl); !errors.Is(err, errUsage) {
		t.Errorf("no files: %v", err)
	}
	if out := mustRun(t, "snapshots", tbl, "--json"); strings.TrimSpace(out) != "[]" {
		t.Errorf("failed writes committed: %s", out)
	}
	// A Parquet input with a null key.
	src := filepath.Join(wh, "e.db", "src")
	mustRun(t, "create", src, "--column", "id BIGINT", "--column", "amount DECIMAL(5, 2)")
	mustRun(t, "write", src, writeFile(t, in, "src.jsonl", "{\"id\": 1}\n{\"amount\": 3}\n"))
	pq := filepath.Join(in, "src.parquet")
	mustRun(t, "scan", src, "--format", "parquet", "--output", pq)
	if _, err := runCLI(t, "write", tbl, pq); err == nil || !errors.Is(err, errNull) || !strings.Contains(err.Error(), `column "id"`) {
		t.Errorf("parquet null key: %v", err)
	}
	// Create errors.
	for _, args := range [][]string{
		{"create", filepath.Join(wh, "e.db", "n")},
		{"create", filepath.Join(wh, "e.db", "n"), "--column", "x"},
		{"create", filepath.Join(wh, "e.db", "n"), "--column", "x NOTATYPE"},
		{"create", filepath.Join(wh, "e.db", "n"), "--column", "x INT", "--option", "novalue"},
		{"create", filepath.Join(wh, "notadb", "n"), "--column", "x INT"},
	} {
		if _, err := runCLI(t, args...); !errors.Is(err, errUsage) {
			t.Errorf("%v: want usage error, got %v", args[1:], err)
		}
	}
	if _, err := runCLI(t, "create", filepath.Join(wh, "e.db", "n"), "--column", "x INT", "--option", "bucket=abc"); !errors.Is(err, table.ErrInvalidOption) {
		t.Errorf("bad option value: %v", err)
	}
}

// TestDemo: the demo runs in a fresh warehouse and ends with the expected
// rows.
func TestDemo(t *testing.T) {
	wh := t.TempDir()
	out := mustRun(t, "demo", "--warehouse", wh)
	for _, want := range []string{
		"snapshot 1 (APPEND): 6 rows written",
		"snapshot 2 (APPEND): 4 rows written",
		"snapshot 3 (APPEND): 2 rows written",
		"$ floe scan " + filepath.Join(wh, "shop.db", "orders") + " --snapshot 1",
		`{"id":8,"customer":"heidi","amount":"250.00"}`,
		"snapshot 4 (COMPACT): 2 of 2 buckets, 5 files -> 1 (0 moved up a level), 12 -> 6 rows",
		"snapshot 4 (COMPACT), 1 live files", // bucket 1 held only deleted orders
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	tbl := filepath.Join(wh, "shop.db", "orders")
	equalLines(t, "final rows", mustRun(t, "scan", tbl, "--format", "jsonl"),
		`{"id":1,"customer":"alice","amount":"25.00","ts":"2024-01-01 09:00:00","category":"books"}`,
		`{"id":2,"customer":"bob","amount":"99.50","ts":"2024-01-02 10:00:00","category":"games"}`,
		`{"id":4,"customer":"dave","amount":"310.00","ts":"2024-01-01 09:15:00","category":"garden"}`,
		`{"id":5,"customer":"erin","amount":"142.00","ts":"2024-01-02 10:05:00","category":"games"}`,
		`{"id":6,"customer":"frank","amount":"199.99","ts":"2024-01-01 09:25:00.25","category":"books"}`,
		`{"id":8,"customer":"heidi","amount":"250.00","ts":"2024-01-02 10:15:00","category":"garden"}`,
	)
	equalLines(t, "filtered", mustRun(t, "scan", tbl, "--format", "csv", "--select", "id", "--where", "amount >= 100 AND category <> 'games'"), "id", "4", "6", "8")
	if n := strings.Count(mustRun(t, "scan", tbl, "--snapshot", "2", "--format", "jsonl"), "\n"); n != 8 {
		t.Errorf("snapshot 2 has %d rows, want 8", n)
	}
}
