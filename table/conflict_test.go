package table

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/floelake/floe/manifest"
	"github.com/floelake/floe/schema"
)

// ddCase is one case of a datadriven file: input lines, then "----", then
// the expected output, ended by a blank line.
type ddCase struct {
	input  []string
	output string
}

func readDD(t *testing.T, path string) (header []string, cases []ddCase) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	var cur *ddCase
	inOut := false
	var out []string
	for _, l := range lines {
		switch {
		case cur == nil && (l == "" || strings.HasPrefix(l, "#")):
			if len(cases) == 0 {
				header = append(header, l)
			}
		case cur == nil:
			cur = &ddCase{input: []string{l}}
		case !inOut && l == "----":
			inOut = true
		case !inOut:
			cur.input = append(cur.input, l)
		case l == "":
			cur.output = strings.Join(out, "\n")
			cases = append(cases, *cur)
			cur, inOut, out = nil, false, nil
		default:
			out = append(out, l)
		}
	}
	if cur != nil {
		cur.output = strings.Join(out, "\n")
		cases = append(cases, *cur)
	}
	return header, cases
}

func writeDD(t *testing.T, path string, cases []ddCase) {
	var sb strings.Builder
	sb.WriteString("# Conflict checks (checkConflicts). A case: `check [pk] [overwrite]`, then\n" +
		"# entries: `live|+|- p=<int> b=<bucket> tb=<total buckets> l=<level> f=<name> k=<min>..<max>`\n" +
		"# (defaults b=0 tb=4 l=0 k=0..0); `----` and the result. Rewrite with -rewrite.\n\n")
	for _, c := range cases {
		sb.WriteString(strings.Join(c.input, "\n"))
		sb.WriteString("\n----\n")
		sb.WriteString(c.output)
		sb.WriteString("\n\n")
	}
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestConflictDatadriven(t *testing.T) {
	path := "testdata/commit/conflict.txt"
	_, cases := readDD(t, path)
	for i := range cases {
		c := &cases[i]
		got, err := runConflictCase(t, c.input)
		if err != nil {
			t.Fatalf("%s: %v", c.input[0], err)
		}
		if *rewrite {
			c.output = got
			continue
		}
		if got != c.output {
			t.Errorf("case %d (%s):\ngot:\n%s\nwant:\n%s", i, strings.Join(c.input, " | "), got, c.output)
		}
	}
	if *rewrite {
		writeDD(t, path, cases)
	}
}

func runConflictCase(t *testing.T, input []string) (string, error) {
	cmd := strings.Fields(input[0])
	if len(cmd) == 0 || cmd[0] != "check" {
		return "", fmt.Errorf("unknown command %q", input[0])
	}
	var pk, overwrite bool
	for _, a := range cmd[1:] {
		switch a {
		case "pk":
			pk = true
		case "overwrite":
			overwrite = true
		default:
			return "", fmt.Errorf("unknown flag %q", a)
		}
	}
	var live, delta []manifest.Entry
	for _, l := range input[1:] {
		fs := strings.Fields(l)
		if len(fs) == 0 {
			continue
		}
		e := manifest.Entry{Bucket: 0, TotalBuckets: 4}
		var p, lo, hi int64
		for _, kv := range fs[1:] {
			k, v, _ := strings.Cut(kv, "=")
			var err error
			switch k {
			case "p":
				p, err = strconv.ParseInt(v, 10, 32)
			case "b":
				var n int64
				n, err = strconv.ParseInt(v, 10, 32)
				e.Bucket = int32(n)
			case "tb":
				var n int64
				n, err = strconv.ParseInt(v, 10, 32)
				e.TotalBuckets = int32(n)
			case "l":
				var n int64
				n, err = strconv.ParseInt(v, 10, 32)
				e.File.Level = int32(n)
			case "f":
				e.File.FileName = v
			case "k":
				a, b, _ := strings.Cut(v, "..")
				if lo, err = strconv.ParseInt(a, 10, 32); err == nil {
					hi, err = strconv.ParseInt(b, 10, 32)
				}
			default:
				err = fmt.Errorf("unknown field %q", k)
			}
			if err != nil {
				return "", err
			}
		}
		e.Partition = partRow(t, int32(p))
		e.File.MinKey, e.File.MaxKey = keyRow(t, int32(lo)), keyRow(t, int32(hi))
		switch fs[0] {
		case "live":
			live = append(live, e)
		case "+":
			delta = append(delta, e)
		case "-":
			e.Kind = manifest.Delete
			delta = append(delta, e)
		default:
			return "", fmt.Errorf("unknown entry kind %q", fs[0])
		}
	}
	var keyTypes []schema.DataType
	if pk {
		keyTypes = []schema.DataType{schema.NewInt().WithNotNull(true)}
	}
	if err := checkConflicts(live, delta, keyTypes, overwrite); err != nil {
		return err.Error(), nil
	}
	return "ok", nil
}

// TestCheckIndexConflicts: deletion-vector index changes must be made
// against the live index: a deleted file must be live, a bucket must not
// gain a vector file the commit did not see, and one commit must not give
// a bucket two.
func TestCheckIndexConflicts(t *testing.T) {
	dvf := func(bucket int32, name string) manifest.IndexEntry {
		return manifest.IndexEntry{Partition: []byte{0, 0, 0, 0}, Bucket: bucket, IndexType: manifest.IndexDeletionVectors, FileName: name}
	}
	hash := manifest.IndexEntry{Bucket: 0, IndexType: manifest.IndexHash, FileName: "h"}
	prev := []manifest.IndexEntry{dvf(0, "a"), dvf(1, "b"), hash}
	cases := []struct {
		name     string
		add, del []manifest.IndexEntry
		conflict bool
	}{
		{"replace own bucket's file", []manifest.IndexEntry{dvf(0, "a2")}, []manifest.IndexEntry{dvf(0, "a")}, false},
		{"first file of a bucket", []manifest.IndexEntry{dvf(2, "c")}, nil, false},
		{"delete a file no longer live", []manifest.IndexEntry{dvf(0, "a2")}, []manifest.IndexEntry{dvf(0, "gone")}, true},
		{"bucket gained a file unseen", []manifest.IndexEntry{dvf(1, "b2")}, nil, true},
		{"two files for one bucket", []manifest.IndexEntry{dvf(2, "c"), dvf(2, "d")}, nil, true},
		{"hash files are not checked", []manifest.IndexEntry{{Bucket: 0, IndexType: manifest.IndexHash, FileName: "h2"}}, nil, false},
	}
	for _, c := range cases {
		err := checkIndexConflicts(prev, c.add, c.del)
		if got := errors.Is(err, ErrCommitConflict); got != c.conflict {
			t.Errorf("%s: err %v, want conflict %v", c.name, err, c.conflict)
		}
	}
}

// TestCheckVectorFiles: a deletion vector may only name a data file that
// is live once the commit applies.
func TestCheckVectorFiles(t *testing.T) {
	ent := func(k manifest.FileKind, name string) manifest.Entry {
		return manifest.Entry{Kind: k, Bucket: 0, File: manifest.DataFile{FileName: name}}
	}
	dvs := func(names ...string) []manifest.IndexEntry {
		e := manifest.IndexEntry{IndexType: manifest.IndexDeletionVectors, FileName: "i"}
		for _, n := range names {
			e.DVRanges = append(e.DVRanges, manifest.DVRange{DataFile: n})
		}
		return []manifest.IndexEntry{e}
	}
	live := []manifest.Entry{ent(manifest.Add, "x"), ent(manifest.Add, "y")}
	delta := []manifest.Entry{ent(manifest.Delete, "y"), ent(manifest.Add, "z")}
	for _, c := range []struct {
		add      []manifest.IndexEntry
		conflict bool
	}{
		{dvs("x", "z"), false},
		{dvs("y"), true},    // deleted by this commit
		{dvs("gone"), true}, // rewritten by another commit
		{nil, false},
	} {
		err := checkVectorFiles(live, delta, c.add)
		if got := errors.Is(err, ErrCommitConflict); got != c.conflict {
			t.Errorf("%v: err %v, want conflict %v", c.add, err, c.conflict)
		}
	}
}

// TestCheckLookupBase: a lookup compaction commits only while its bucket's
// files above level 0 are those it saw, less the ones it removes.
func TestCheckLookupBase(t *testing.T) {
	f := func(k manifest.FileKind, level int32, name string) manifest.Entry {
		return manifest.Entry{Kind: k, Bucket: 1, File: manifest.DataFile{FileName: name, Level: level}}
	}
	live := []manifest.Entry{f(manifest.Add, 5, "x"), f(manifest.Add, 4, "y"), f(manifest.Add, 0, "l0")}
	dep := func(base ...string) []lookupDep { return []lookupDep{{bucket: 1, base: base}} }
	for _, c := range []struct {
		name     string
		live     []manifest.Entry
		delta    []manifest.Entry
		deps     []lookupDep
		conflict bool
	}{
		{"unchanged", live, []manifest.Entry{f(manifest.Delete, 0, "l0"), f(manifest.Add, 3, "z")}, dep("x", "y"), false},
		{"base file removed by this commit", live, []manifest.Entry{f(manifest.Delete, 4, "y"), f(manifest.Add, 4, "y2")}, dep("x", "y"), false},
		{"file gained above level 0", live, nil, dep("x"), true},
		{"base file gone", live[:1], nil, dep("x", "y"), true},
		{"other bucket", []manifest.Entry{{Kind: manifest.Add, Bucket: 2, File: manifest.DataFile{FileName: "o", Level: 5}}}, nil, dep(), false},
	} {
		err := checkLookupBase(c.live, c.delta, c.deps)
		if got := errors.Is(err, ErrCommitConflict); got != c.conflict {
			t.Errorf("%s: err %v, want conflict %v", c.name, err, c.conflict)
		}
	}
}
