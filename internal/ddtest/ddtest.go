// Package ddtest reads and rewrites datadriven test files: cases of a
// command line and input lines, "----", the expected output, ended by a
// blank line; comment (#) and blank lines between cases are kept.
package ddtest

import (
	"os"
	"strings"
	"testing"
)

// Case is one case of a file.
type Case struct {
	Before []string // comment and blank lines before the case
	Input  []string // the command line, then input lines
	Output string
}

// Read reads the cases of path and the lines after the last one.
func Read(t testing.TB, path string) (cases []Case, trailer []string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cur *Case
	var pending, out []string
	inOut := false
	for _, l := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		switch {
		case cur == nil && (l == "" || strings.HasPrefix(l, "#")):
			pending = append(pending, l)
		case cur == nil:
			cur = &Case{Before: pending, Input: []string{l}}
			pending = nil
		case !inOut && l == "----":
			inOut = true
		case !inOut:
			cur.Input = append(cur.Input, l)
		case l == "":
			cur.Output = strings.Join(out, "\n")
			cases = append(cases, *cur)
			cur, inOut, out = nil, false, nil
			pending = []string{""}
		default:
			out = append(out, l)
		}
	}
	if cur != nil {
		cur.Output = strings.Join(out, "\n")
		cases = append(cases, *cur)
		pending = nil
	}
	return cases, pending
}

// Write writes cases (and trailer lines) to path.
func Write(t testing.TB, path string, cases []Case, trailer []string) {
	t.Helper()
	var sb strings.Builder
	for _, c := range cases {
		for _, l := range c.Before {
			sb.WriteString(l + "\n")
		}
		sb.WriteString(strings.Join(c.Input, "\n"))
		sb.WriteString("\n----\n")
		sb.WriteString(c.Output)
		sb.WriteString("\n")
	}
	for _, l := range trailer {
		sb.WriteString(l + "\n")
	}
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Run runs every case of path through run (which returns the output for
// the case's input lines) and fails each case whose output differs; with
// rewrite it writes the outputs back into the file instead.
func Run(t *testing.T, path string, rewrite bool, run func(input []string) string) {
	t.Helper()
	cases, trailer := Read(t, path)
	changed := false
	for i := range cases {
		c := &cases[i]
		got := run(c.Input)
		if got == c.Output {
			continue
		}
		if rewrite {
			c.Output, changed = got, true
			continue
		}
		t.Errorf("%s\n----\ngot:\n%s\nwant:\n%s", strings.Join(c.Input, "\n"), got, c.Output)
	}
	if changed {
		Write(t, path, cases, trailer)
	}
}
