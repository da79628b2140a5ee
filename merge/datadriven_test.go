package merge_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/internal/ddtest"
	"github.com/floelake/floe/internal/jsonrow"
	"github.com/floelake/floe/merge"
	"github.com/floelake/floe/schema"
)

var rewrite = flag.Bool("rewrite", false, "rewrite testdata/reduce/* with the reducers' results")

// TestReduceDatadriven runs testdata/reduce/*: each case is a table (its
// columns, primary key and options), one key's records in merge order
// (sequence numbers 1, 2, …), and the row the engine makes of them. The
// files follow Paimon 1.4.2's PartialUpdateMergeFunction and
// AggregateMergeFunction; -rewrite regenerates the expected outputs.
//
// Case syntax:
//
//	reduce
//	columns: id INT NOT NULL, a STRING, …
//	pk: id
//	option: merge-engine=partial-update
//	option: fields.g.sequence-group=a,b
//	read: a, g              (optional: the reducer's columns, default all)
//	+I {"id":1,"a":"x"}
//	-U {"id":1,"a":"x"}
//	----
//	+I seq=2 {"id":1,"a":"x"}
//
// The output is "error: …" (the error chain's sentinel) for a failing
// merge or option set, or "accept -U: …" lines when "accept" cases ask.
func TestReduceDatadriven(t *testing.T) {
	files, err := filepath.Glob("testdata/reduce/*")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			cases, trailer := ddtest.Read(t, path)
			changed := false
			for i := range cases {
				c := &cases[i]
				got := runReduceCase(t, c.Input)
				if got != c.Output {
					if *rewrite {
						c.Output = got
						changed = true
						continue
					}
					t.Errorf("%s:\n%s\n----\ngot:\n%s\nwant:\n%s", path, strings.Join(c.Input, "\n"), got, c.Output)
				}
			}
			if changed {
				ddtest.Write(t, path, cases, trailer)
			}
		})
	}
}

func runReduceCase(t *testing.T, input []string) string {
	t.Helper()
	var fields []schema.Field
	var pk, read []string
	opts := map[string]string{}
	type rec struct {
		kind schema.RowKind
		row  string
	}
	var recs []rec
	var accept []schema.RowKind
	for _, l := range input[1:] {
		switch {
		case strings.HasPrefix(l, "columns:"):
			for i, c := range splitTop(strings.TrimPrefix(l, "columns:")) {
				name, typ, _ := strings.Cut(strings.TrimSpace(c), " ")
				dt, err := schema.ParseType(typ)
				if err != nil {
					t.Fatalf("%s: %v", c, err)
				}
				fields = append(fields, schema.Field{ID: i, Name: name, Type: dt})
			}
		case strings.HasPrefix(l, "pk:"):
			pk = splitList(strings.TrimPrefix(l, "pk:"))
		case strings.HasPrefix(l, "read:"):
			read = splitList(strings.TrimPrefix(l, "read:"))
		case strings.HasPrefix(l, "option:"):
			k, v, _ := strings.Cut(strings.TrimSpace(strings.TrimPrefix(l, "option:")), "=")
			opts[k] = v
		case strings.HasPrefix(l, "accept:"):
			for _, k := range splitList(strings.TrimPrefix(l, "accept:")) {
				rk, err := schema.ParseRowKind(k)
				if err != nil {
					t.Fatal(err)
				}
				accept = append(accept, rk)
			}
		default:
			k, row, ok := strings.Cut(l, " ")
			rk, err := schema.ParseRowKind(k)
			if !ok || err != nil {
				t.Fatalf("bad record line %q", l)
			}
			recs = append(recs, rec{rk, row})
		}
	}
	o, err := merge.ParseOptions(opts)
	if err != nil {
		return "error: " + errText(err)
	}
	eng, err := merge.New(fields, pk, o)
	if err != nil {
		return "error: " + errText(err)
	}
	var out []string
	for _, k := range accept {
		keep, err := eng.Accept(k)
		if err != nil {
			out = append(out, fmt.Sprintf("accept %s: error: %s", k, errText(err)))
		} else {
			out = append(out, fmt.Sprintf("accept %s: %v", k, keep))
		}
	}
	if len(recs) == 0 {
		return strings.Join(out, "\n")
	}
	if read == nil {
		for _, f := range fields {
			read = append(read, f.Name)
		}
	} else {
		read = eng.ReadColumns(read)
	}
	var rf []schema.Field
	for _, n := range read {
		for _, f := range fields {
			if f.Name == n {
				rf = append(rf, f)
			}
		}
	}
	sc, err := schema.ArrowSchema(rf)
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	// One source record per input record, so refs cross sources.
	g := &merge.Groups{}
	for i, r := range recs {
		src := buildRow(t, mem, rf, sc, r.row)
		defer src.Release()
		g.Srcs = append(g.Srcs, src)
		g.Refs = append(g.Refs, merge.Ref{Src: int32(i)})
		g.Kinds = append(g.Kinds, r.kind)
		g.Seqs = append(g.Seqs, int64(i+1))
	}
	g.Ends = []int{len(recs)}
	if rc, ok := eng.(merge.RetractChecker); ok && len(rf) == len(fields) {
		for i, r := range recs {
			if r.kind.IsRetract() {
				if err := rc.CheckRetract(g.Srcs[i].Columns(), 0); err != nil {
					out = append(out, fmt.Sprintf("check record %d: error: %s", i+1, errText(err)))
				}
			}
		}
	}
	red, err := eng.Reducer(read)
	if err != nil {
		return strings.Join(append(out, "error: "+errText(err)), "\n")
	}
	res, err := red.Reduce(g, mem)
	if err != nil {
		return strings.Join(append(out, "error: "+errText(err)), "\n")
	}
	defer res.Release()
	if len(res.Kinds) == 0 {
		return strings.Join(append(out, "none"), "\n")
	}
	out1 := array.NewRecordBatch(sc, res.Cols, int64(len(res.Kinds)))
	defer out1.Release()
	var buf bytes.Buffer
	if err := array.RecordToJSON(out1, &buf); err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		out = append(out, fmt.Sprintf("%s seq=%d %s", res.Kinds[i], res.Seqs[i], l))
	}
	return strings.Join(out, "\n")
}

// errText names an error by its sentinel and message.
func errText(err error) string {
	for _, s := range []error{merge.ErrOption, merge.ErrRetract, merge.ErrNull, merge.ErrUnsupported} {
		if errors.Is(err, s) {
			return fmt.Sprintf("[%v] %v", s, err)
		}
	}
	return err.Error()
}

func buildRow(t *testing.T, mem memory.Allocator, fields []schema.Field, sc *arrow.Schema, row string) arrow.Record {
	t.Helper()
	v, err := jsonrow.Parse(row)
	if err != nil {
		t.Fatalf("%s: %v", row, err)
	}
	obj, ok := v.(jsonrow.Object)
	if !ok {
		t.Fatalf("%s: not an object", row)
	}
	b := array.NewRecordBuilder(mem, sc)
	defer b.Release()
	for i, f := range fields {
		conv, err := jsonrow.NewConv(f.Type, sc.Field(i).Type)
		if err != nil {
			t.Fatal(err)
		}
		var val any
		for _, m := range obj {
			if m.Key == f.Name {
				val = m.Val
			}
		}
		if err := jsonrow.AppendValue(conv, b.Field(i), val, false); err != nil {
			t.Fatalf("%s: %s: %v", row, f.Name, err)
		}
	}
	return b.NewRecordBatch()
}

// splitTop splits a column list at commas outside <> and ().
func splitTop(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, r := range s {
		switch r {
		case '<', '(':
			depth++
		case '>', ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
