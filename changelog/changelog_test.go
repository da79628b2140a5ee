package changelog

import (
	"flag"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/floelake/floe/internal/ddtest"
	"github.com/floelake/floe/lsm"
	"github.com/floelake/floe/schema"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the expected outputs of testdata files")

// TestDecisions runs testdata/decisions:
//
//	before PRODUCER LEVEL…        the key's records' levels, in merge order
//	rows PRODUCER before=K|none after=K|none [equal]
//
// PRODUCER is lookup, first-row or full:MAXLEVEL.
func TestDecisions(t *testing.T) {
	ddtest.Run(t, filepath.Join("testdata", "decisions"), *rewrite, func(in []string) string { return runCase(t, in[0]) })
}

func producer(t *testing.T, name string) lsm.Changelog {
	switch {
	case name == "lookup":
		return Lookup{}
	case name == "first-row":
		return FirstRow{}
	case strings.HasPrefix(name, "full:"):
		n, err := strconv.Atoi(strings.TrimPrefix(name, "full:"))
		if err != nil {
			t.Fatal(err)
		}
		return Full{MaxLevel: n}
	}
	t.Fatalf("producer %q", name)
	return nil
}

func runCase(t *testing.T, line string) string {
	f := strings.Fields(line)
	if len(f) < 2 {
		t.Fatalf("case %q", line)
	}
	p := producer(t, f[1])
	switch f[0] {
	case "before":
		var levels []int
		for _, s := range f[2:] {
			l, err := strconv.Atoi(s)
			if err != nil {
				t.Fatal(err)
			}
			levels = append(levels, l)
		}
		b, ch, lk := p.Before(levels)
		return fmt.Sprintf("before=%d changed=%t lookup=%t", b, ch, lk)
	case "rows":
		var before, after schema.RowKind
		var hasBefore, hasAfter, equal bool
		for _, a := range f[2:] {
			k, v, _ := strings.Cut(a, "=")
			switch k {
			case "equal":
				equal = true
			case "before", "after":
				if v == "none" {
					continue
				}
				kind, err := schema.ParseRowKind(v)
				if err != nil {
					t.Fatal(err)
				}
				if k == "before" {
					before, hasBefore = kind, true
				} else {
					after, hasAfter = kind, true
				}
			default:
				t.Fatalf("argument %q", a)
			}
		}
		rows := p.Rows(nil, before, after, hasBefore, hasAfter, func() bool { return equal })
		if len(rows) == 0 {
			return "(none)"
		}
		var out []string
		for _, r := range rows {
			side := "after"
			if r.Before {
				side = "before"
			}
			out = append(out, r.Kind.String()+" "+side)
		}
		return strings.Join(out, "\n")
	}
	t.Fatalf("command %q", f[0])
	return ""
}
