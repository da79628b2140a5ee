package lsm_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/floelake/floe/lsm"
)

type span struct{ lo, hi string }

func fmtSections(secs [][][]span) string {
	var b strings.Builder
	for i, sec := range secs {
		if i > 0 {
			b.WriteString(" | ")
		}
		for j, run := range sec {
			if j > 0 {
				b.WriteString(" ; ")
			}
			for k, f := range run {
				if k > 0 {
					b.WriteString(" ")
				}
				fmt.Fprintf(&b, "%s-%s", f.lo, f.hi)
			}
		}
	}
	return b.String()
}

func TestSections(t *testing.T) {
	parse := func(s string) []span {
		var out []span
		for _, f := range strings.Fields(s) {
			lo, hi, _ := strings.Cut(f, "-")
			out = append(out, span{lo, hi})
		}
		return out
	}
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"a-c", "a-c"},
		// Disjoint files: one section each.
		{"d-f a-c", "a-c | d-f"},
		// Touching keys overlap (maxKey == minKey is not above it).
		{"a-c c-e", "a-c ; c-e"},
		// Overlapping files share a section; packed into runs greedily.
		{"a-c b-d d-f", "b-d ; a-c d-f"},
		{"a-z b-c d-e", "b-c d-e ; a-z"},
		// The section bound is the largest maxKey so far.
		{"a-m b-c d-e n-p", "b-c d-e ; a-m | n-p"},
		{"a-b a-c a-d", "a-b ; a-c ; a-d"},
		{"a-b c-d b-c", "b-c ; a-b c-d"},
	} {
		got := fmtSections(lsm.Sections(parse(tc.in),
			func(s span) []byte { return []byte(s.lo) },
			func(s span) []byte { return []byte(s.hi) },
			bytes.Compare))
		if got != tc.want {
			t.Errorf("Sections(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
