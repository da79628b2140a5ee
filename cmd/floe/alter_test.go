package main

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/floelake/floe/table"
)

func TestAlter(t *testing.T) {
	wh, in := t.TempDir(), t.TempDir()
	tbl := filepath.Join(wh, "db.db", "t")
	mustRun(t, "create", tbl, "--column", "id INT", "--column", "a INT", "--column", "b STRING",
		"--column", "c STRING", "--primary-key", "id", "--option", "bucket=1")
	mustRun(t, "write", tbl, writeFile(t, in, "a.jsonl", `{"id":1,"a":10,"b":"x","c":"c1"}`+"\n"))
	out := mustRun(t, "alter", tbl, "--add-column", "d STRING COMMENT 'the d'", "--after", "a",
		"--add-column", "e INT", "--rename-column", "b=bb", "--alter-type", "a=BIGINT",
		"--drop-column", "c", "--set", "snapshot.num-retained.min=5", "--set", "write-only=true", "--reset", "write-only")
	if !strings.Contains(out, "altered db.t: schema 1 (5 columns)") {
		t.Fatalf("alter: %s", out)
	}
	sc := mustRun(t, "schema", tbl)
	for _, want := range []string{"schema id:       1", "1   a       BIGINT", "4   d       STRING        the d", "5   e       INT", "2   bb      STRING", "snapshot.num-retained.min"} {
		if !strings.Contains(sc, want) {
			t.Errorf("schema lacks %q:\n%s", want, sc)
		}
	}
	if strings.Contains(sc, "write-only") {
		t.Errorf("reset option still there:\n%s", sc)
	}
	mustRun(t, "write", tbl, writeFile(t, in, "b.jsonl", `{"id":2,"a":20,"d":"dd","e":5,"bb":"y"}`+"\n"))
	equalLines(t, "scan", mustRun(t, "scan", tbl, "--format", "jsonl"),
		`{"id":1,"a":10,"d":null,"e":null,"bb":"x"}`, `{"id":2,"a":20,"d":"dd","e":5,"bb":"y"}`)

	if _, err := runCLI(t, "alter", tbl, "--drop-column", "id"); !errors.Is(err, table.ErrInvalidSchemaChange) {
		t.Errorf("drop pk: want ErrInvalidSchemaChange, got %v", err)
	}
	if _, err := runCLI(t, "alter", tbl); !errors.Is(err, errUsage) {
		t.Errorf("no change: want usage error, got %v", err)
	}
	if _, err := runCLI(t, "alter", tbl, "--rename-column", "x"); !errors.Is(err, errUsage) {
		t.Errorf("bad rename: want usage error, got %v", err)
	}
}
