package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/floelake/floe/schema"
)

// TestJavaWrittenTables reads tables Java Paimon 1.4.2 and 2.0.0 wrote
// (testdata/java, made by testdata/java/make.sh with the interop Java tool)
// and compares floe's canonical dump with Java's own dump of the same
// table, byte for byte. It needs no Java: it is the regression test for
// what the interop suite checks against a live JVM.
//
// The tables: pk_dv (deletion vectors, updates and deletes, a full
// compaction, then an upsert Java's writer compacts), pk_mor (two
// partitions, merge-on-read over updates and a delete, TIMESTAMP(6) before
// 1970, DECIMAL; tag t1), append_types (every primitive type, nested
// ARRAY/MAP/ROW, TIMESTAMP(9) as INT96 before 1970, null and empty
// partition values, NaN and -Infinity), pk_alter (a write, an ALTER that
// adds, renames, widens and drops columns, a write; snapshot 1 reads with
// the schema it was written with), pk_fcl (the full-compaction changelog
// producer after a full compaction), pk_dv_stale (a full compaction that
// rewrote the file a deletion vector belonged to; Paimon 1.4.2 leaves the
// vector in the index, apache/paimon#8778).
func TestJavaWrittenTables(t *testing.T) {
	ctx := context.Background()
	for _, v := range []string{"1.4.2", "2.0.0"} {
		wh := filepath.Join("testdata", "java", v)
		for _, c := range []struct{ table, tag, snapshot string }{
			{"pk_dv", "", ""}, {"pk_mor", "", ""}, {"pk_mor", "t1", ""}, {"append_types", "", ""},
			{"pk_alter", "", ""}, {"pk_alter", "", "1"}, {"pk_fcl", "", ""}, {"pk_dv_stale", "", ""},
		} {
			name := c.table
			args := []string{"--warehouse", wh, "--table", "db." + c.table}
			switch {
			case c.tag != "":
				name += "@" + c.tag
				args = append(args, "--tag", c.tag)
			case c.snapshot != "":
				name += "@" + c.snapshot
				args = append(args, "--snapshot", c.snapshot)
			}
			t.Run(v+"/"+name, func(t *testing.T) { checkDump(ctx, t, wh, name, args, 1) })
		}
	}
}

// TestJavaCastTables reads tables whose columns Java Paimon 1.4.2 and
// 2.0.0 re-typed with ALTER TABLE between writes (testdata/java-casts, made
// by its make.sh) and compares floe's dumps with Java's: every snapshot by
// time travel (read with that snapshot's schema, as Paimon does, so files
// of older schemas are cast) and the latest schema, row for row.
func TestJavaCastTables(t *testing.T) {
	ctx := context.Background()
	for _, v := range []string{"1.4.2", "2.0.0"} {
		wh := filepath.Join("testdata", "java-casts", v)
		for _, c := range []struct{ table, snapshot string }{
			{"casts", "1"}, {"casts", "2"}, {"casts", "3"}, {"casts", ""},
			{"casts_pk", "1"}, {"casts_pk", "2"}, {"casts_pk", ""},
		} {
			name := c.table
			args := []string{"--warehouse", wh, "--table", "db." + c.table}
			if c.snapshot != "" {
				name += "@" + c.snapshot
				args = append(args, "--snapshot", c.snapshot)
			}
			t.Run(v+"/"+name, func(t *testing.T) {
				want, err := os.ReadFile(filepath.Join(wh, name+".expected.jsonl"))
				if err != nil {
					t.Fatal(err)
				}
				if strings.Count(string(want), "\n") < 3 {
					t.Fatal("expectation too short")
				}
				var got bytes.Buffer
				if err := run(ctx, "dump", args, &got); err != nil {
					t.Fatal(err)
				}
				if got.String() != string(want) {
					t.Fatalf("floe's dump differs from Java's\n got:\n%s\nwant:\n%s", got.String(), want)
				}
			})
		}
		// "abc" read as INT: Java's read fails, and so does floe's, with
		// a *schema.CastError naming the column, the file and the value.
		t.Run(v+"/bad_int", func(t *testing.T) {
			javaErr, err := os.ReadFile(filepath.Join(wh, "bad_int.expected-error"))
			if err != nil || !strings.Contains(string(javaErr), "'abc'") {
				t.Fatalf("Java's error %q (%v)", javaErr, err)
			}
			err = run(ctx, "dump", []string{"--warehouse", wh, "--table", "db.bad_int"}, io.Discard)
			var ce *schema.CastError
			if !errors.As(err, &ce) || !errors.Is(err, schema.ErrCast) {
				t.Fatalf("err = %v", err)
			}
			if ce.Column != "s" || ce.Value != "abc" || !strings.HasSuffix(ce.File, ".parquet") || ce.Row != 1 {
				t.Errorf("%+v", ce)
			}
		})
		// 12345.67 read as DECIMAL(5, 2): Paimon's cast gives null, but
		// Java's CastedRow still reports the value as not null and the
		// reader fails on it (Java's dump: a NullPointerException). floe
		// returns the cast's result, null.
		t.Run(v+"/dec_overflow", func(t *testing.T) {
			javaErr, err := os.ReadFile(filepath.Join(wh, "dec_overflow.expected-error"))
			if err != nil || !strings.Contains(string(javaErr), "NullPointerException") {
				t.Fatalf("Java's error %q (%v)", javaErr, err)
			}
			var got bytes.Buffer
			if err := run(ctx, "dump", []string{"--warehouse", wh, "--table", "db.dec_overflow"}, &got); err != nil {
				t.Fatal(err)
			}
			if want := "{\"id\":1,\"d\":\"123.45\"}\n{\"id\":2,\"d\":null}\n"; got.String() != want {
				t.Errorf("got\n%s\nwant\n%s", got.String(), want)
			}
		})
	}
}

// TestCompactJavaWrittenTables compacts copies of the Java-written tables
// of TestJavaWrittenTables with floetool's compact (what the tables'
// options pick, then a full compaction) and checks after each that the
// latest rows are still Java's, that a compaction committed where there
// was something to compact, and that time travel to a tag still reads the
// rows of its snapshot. pk_fcl and pk_dv_stale end with Java's full
// compaction and append_types has two files per partition (fewer than a
// full compaction of an append bucket takes, three), so those commit
// nothing.
func TestCompactJavaWrittenTables(t *testing.T) {
	ctx := context.Background()
	for _, v := range []string{"1.4.2", "2.0.0"} {
		for _, c := range []struct {
			name    string
			commits bool
		}{{"pk_dv", true}, {"pk_mor", true}, {"append_types", false}, {"pk_alter", true}, {"pk_fcl", false}, {"pk_dv_stale", false}} {
			name := c.name
			t.Run(v+"/"+name, func(t *testing.T) {
				src := filepath.Join("testdata", "java", v)
				wh := copyWarehouse(t, src)
				want, err := os.ReadFile(filepath.Join(src, name+".expected.jsonl"))
				if err != nil {
					t.Fatal(err)
				}
				args := []string{"--warehouse", wh, "--table", "db." + name}
				latest := func() int {
					entries, err := os.ReadDir(filepath.Join(wh, "db.db", name, "snapshot"))
					if err != nil {
						t.Fatal(err)
					}
					n := 0
					for _, e := range entries {
						if strings.HasPrefix(e.Name(), "snapshot-") {
							n++
						}
					}
					return n
				}
				before := latest()
				for _, full := range []bool{false, true} {
					a := args
					if full {
						a = append(append([]string{}, args...), "--full")
					}
					err := run(ctx, "compact", a, io.Discard)
					if err != nil {
						t.Fatalf("compact (full %v): %v", full, err)
					}
					var got bytes.Buffer
					if err := run(ctx, "dump", args, &got); err != nil {
						t.Fatalf("dump after compact (full %v): %v", full, err)
					}
					if got.String() != string(want) {
						t.Fatalf("after compact (full %v) the rows differ from Java's\n got:\n%s\nwant:\n%s", full, got.String(), want)
					}
				}
				if after := latest(); (after > before) != c.commits {
					t.Errorf("%d snapshots before compacting, %d after; want a commit: %v", before, after, c.commits)
				}
				if name == "pk_mor" {
					tagged, err := os.ReadFile(filepath.Join(src, "pk_mor@t1.expected.jsonl"))
					if err != nil {
						t.Fatal(err)
					}
					var got bytes.Buffer
					if err := run(ctx, "dump", append(args, "--tag", "t1"), &got); err != nil {
						t.Fatal(err)
					}
					if got.String() != string(tagged) {
						t.Fatalf("tag t1 after compaction\n got:\n%s\nwant:\n%s", got.String(), tagged)
					}
				}
			})
		}
	}
}

// TestJavaMergeTables reads partial-update and aggregation tables Java
// Paimon 1.4.2 and 2.0.0 wrote (testdata/java-merge, made by its make.sh;
// its README lists what each table exercises) and compares floe's dumps
// with Java's, byte for byte: snapshot 3 (three uncompacted files whose
// keys meet), snapshot 4 (Java's full compaction) and the latest snapshot
// (the compacted run plus one more level-0 file). The "simple" subtests
// cover partial-update and the aggregation functions over primitive
// types, "complex" the functions over arrays, maps, bitmaps and sketches.
func TestJavaMergeTables(t *testing.T) {
	ctx := context.Background()
	groups := []struct {
		name   string
		tables []string
	}{
		{"simple", []string{"pu", "pu_ignore_delete", "pu_remove_delete", "pu_seq", "pu_seq2", "agg", "agg_retract", "agg_remove_delete", "agg_seq"}},
		{"complex", []string{"agg_complex", "agg_complex_retract", "agg_rbm64"}},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, v := range []string{"1.4.2", "2.0.0"} {
				wh := filepath.Join("testdata", "java-merge", v)
				for _, table := range g.tables {
					for _, snap := range []string{"3", "4", ""} {
						name := table
						args := []string{"--warehouse", wh, "--table", "db." + table}
						if snap != "" {
							name += "@" + snap
							args = append(args, "--snapshot", snap)
						}
						t.Run(v+"/"+name, func(t *testing.T) {
							checkDump(ctx, t, wh, name, args, 2)
						})
					}
				}
			}
		})
	}
}

// TestCompactJavaMergeTables compacts copies of the tables of
// TestJavaMergeTables with floetool's compact (what the table's options
// pick, then full) and checks after each that floe's dump is still Java's
// latest dump: floe's merge engines rewrite Java's files (a compacted run
// plus a level-0 file over it) without changing a row.
func TestCompactJavaMergeTables(t *testing.T) {
	ctx := context.Background()
	groups := []struct {
		name   string
		tables []string
	}{
		{"simple", []string{"pu", "pu_ignore_delete", "pu_remove_delete", "pu_seq", "pu_seq2", "agg", "agg_retract", "agg_remove_delete", "agg_seq"}},
		{"complex", []string{"agg_complex", "agg_complex_retract", "agg_rbm64"}},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, v := range []string{"1.4.2", "2.0.0"} {
				for _, table := range g.tables {
					t.Run(v+"/"+table, func(t *testing.T) {
						src := filepath.Join("testdata", "java-merge", v)
						wh := copyWarehouse(t, src)
						want, err := os.ReadFile(filepath.Join(src, table+".expected.jsonl"))
						if err != nil {
							t.Fatal(err)
						}
						args := []string{"--warehouse", wh, "--table", "db." + table}
						for _, full := range []bool{false, true} {
							a := args
							if full {
								a = append(append([]string{}, args...), "--full")
							}
							if err := run(ctx, "compact", a, io.Discard); err != nil {
								t.Fatalf("compact (full %v): %v", full, err)
							}
							var got bytes.Buffer
							if err := run(ctx, "dump", args, &got); err != nil {
								t.Fatalf("dump after compact (full %v): %v", full, err)
							}
							if got.String() != string(want) {
								t.Fatalf("after compact (full %v) the rows differ from Java's\n got:\n%s\nwant:\n%s", full, got.String(), want)
							}
						}
					})
				}
			}
		})
	}
}

// checkDump compares floe's dump (floetool dump args) with Java's in
// wh/name.expected.jsonl, which must hold at least minLines lines.
func checkDump(ctx context.Context, t *testing.T, wh, name string, args []string, minLines int) {
	t.Helper()
	want, err := os.ReadFile(filepath.Join(wh, name+".expected.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(want), "\n") < minLines {
		t.Fatal("expectation too short")
	}
	var got bytes.Buffer
	if err := run(ctx, "dump", args, &got); err != nil {
		t.Fatal(err)
	}
	if got.String() != string(want) {
		t.Fatalf("floe's dump differs from Java's\n got:\n%s\nwant:\n%s", got.String(), want)
	}
}

// copyWarehouse copies a fixture warehouse into a temporary directory, so
// a test may change it.
func copyWarehouse(t *testing.T, src string) string {
	t.Helper()
	wh := t.TempDir()
	if err := os.CopyFS(wh, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	return wh
}

// TestJavaStreams streams tables Java Paimon 1.4.2 and 2.0.0 wrote, one
// per changelog producer and merge engine (testdata/java-stream, made by
// its make.sh), from snapshot 1 up to the latest, and compares floe's
// output with Java's streaming read of the same table byte for byte: the
// same snapshots, rows, row kinds and order.
func TestJavaStreams(t *testing.T) {
	ctx := context.Background()
	for _, v := range []string{"1.4.2", "2.0.0"} {
		for _, table := range []string{"none", "none_b2", "input", "lookup", "lookup_pu", "lookup_agg", "lookup_first", "fcl", "append"} {
			t.Run(v+"/"+table, func(t *testing.T) {
				wh := filepath.Join("testdata", "java-stream", v)
				want, err := os.ReadFile(filepath.Join(wh, table+".stream.jsonl"))
				if err != nil {
					t.Fatal(err)
				}
				if len(want) == 0 {
					t.Fatal("Java streamed nothing")
				}
				var got bytes.Buffer
				if err := run(ctx, "stream", []string{"--warehouse", wh, "--table", "db." + table}, &got); err != nil {
					t.Fatal(err)
				}
				if got.String() != string(want) {
					t.Fatalf("floe's stream:\n%s\nJava's:\n%s", got.String(), want)
				}
			})
		}
	}
}

// TestFloeStreams replays make.sh of testdata/java-stream with floe as the
// writer (create, writes 1–3, a full compaction, write 4) for the tables
// whose changelog floe produces, and checks that floe's stream of its own
// table equals Java's stream of Java's table, snapshot by snapshot.
func TestFloeStreams(t *testing.T) {
	ctx := context.Background()
	src := filepath.Join("testdata", "java-stream")
	for _, v := range []string{"1.4.2", "2.0.0"} {
		for _, name := range []string{"none", "none_b2", "input", "lookup", "lookup_pu", "lookup_agg", "lookup_first", "fcl", "append"} {
			t.Run(v+"/"+name, func(t *testing.T) {
				wh := t.TempDir()
				rows := "kinds"
				switch name {
				case "lookup_pu", "lookup_first", "append":
					rows = "inserts"
				}
				step := func(cmd string, args ...string) {
					t.Helper()
					var out bytes.Buffer
					if err := run(ctx, cmd, append([]string{"--warehouse", wh}, args...), &out); err != nil {
						t.Fatalf("%s %v: %v", cmd, args, err)
					}
				}
				spec := filepath.Join(src, name+".json")
				if name == "fcl" {
					// Java's core writer compacts fully only when asked;
					// floe's writer, like Paimon's Flink sink, does so at
					// every commit of a full-compaction table unless
					// write-only.
					b, err := os.ReadFile(spec)
					if err != nil {
						t.Fatal(err)
					}
					b = bytes.Replace(b, []byte(`"options":{`), []byte(`"options":{"write-only":"true",`), 1)
					spec = filepath.Join(t.TempDir(), "fcl.json")
					if err := os.WriteFile(spec, b, 0o600); err != nil {
						t.Fatal(err)
					}
				}
				step("create", "--spec", spec)
				for n := 1; n <= 3; n++ {
					step("write", "--table", "db."+name, "--data", filepath.Join(src, fmt.Sprintf("%s.%d.jsonl", rows, n)))
				}
				step("compact", "--table", "db."+name, "--full")
				step("write", "--table", "db."+name, "--data", filepath.Join(src, rows+".4.jsonl"))
				var got bytes.Buffer
				if err := run(ctx, "stream", []string{"--warehouse", wh, "--table", "db." + name}, &got); err != nil {
					t.Fatal(err)
				}
				want, err := os.ReadFile(filepath.Join(src, v, name+".stream.jsonl"))
				if err != nil {
					t.Fatal(err)
				}
				if got.String() != string(want) {
					t.Fatalf("floe's stream of its table:\n%s\nJava's of its table:\n%s", got.String(), want)
				}
			})
		}
	}
}
