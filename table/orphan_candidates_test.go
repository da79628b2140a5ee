package table

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/floelake/floe/internal/ddtest"
)

// TestOrphanCandidatesDatadriven runs testdata/orphan_candidates: which
// files orphan cleanup may delete once unreferenced (orphanCandidate).
func TestOrphanCandidatesDatadriven(t *testing.T) {
	const path = "testdata/orphan_candidates"
	cases, trailer := ddtest.Read(t, path)
	for i := range cases {
		c := &cases[i]
		got, err := runOrphanCandidates(c.Input)
		if err != nil {
			got = "error: " + err.Error()
		}
		if *rewrite {
			c.Output = got
			continue
		}
		if got != c.Output {
			t.Errorf("%s case %d (%s):\ngot:\n%s\nwant:\n%s", path, i, c.Input[0], got, c.Output)
		}
	}
	if *rewrite {
		ddtest.Write(t, path, cases, trailer)
	}
}

func runOrphanCandidates(input []string) (string, error) {
	cmd := strings.Fields(input[0])
	if len(cmd) == 0 || cmd[0] != "classify" {
		return "", fmt.Errorf("unknown command %q", input[0])
	}
	var l orphanLayout
	for _, a := range cmd[1:] {
		k, v, _ := strings.Cut(a, "=")
		switch k {
		case "partitions":
			n, err := strconv.Atoi(v)
			if err != nil {
				return "", err
			}
			l.partitions = n
		case "data-dir":
			l.dataDir = v
		default:
			return "", fmt.Errorf("unknown argument %q", a)
		}
	}
	var out []string
	for _, key := range input[1:] {
		why := orphanCandidate(key, l)
		if why == "" {
			why = "-"
		}
		out = append(out, key+": "+why)
	}
	return strings.Join(out, "\n"), nil
}

func TestIsPaimonTemp(t *testing.T) {
	for name, want := range map[string]bool{
		".snapshot-3.0b1e6f3c-9a55-4c43-8f1b-0d2c5d1e7a01.tmp": true,
		".LATEST.0b1e6f3c-9a55-4c43-8f1b-0d2c5d1e7a01.tmp":     true,
		"..0b1e6f3c-9a55-4c43-8f1b-0d2c5d1e7a01.tmp":           false,
		".x.0b1e6f3c-9a55-4c43-8f1b-0d2c5d1e7a0.tmp":           false,
		"snapshot-3.0b1e6f3c-9a55-4c43-8f1b-0d2c5d1e7a01.tmp":  false,
		".x-0b1e6f3c-9a55-4c43-8f1b-0d2c5d1e7a01.tmp":          false,
		".floe-0b1e6f3c-9a55-4c43-8f1b-0d2c5d1e7a01.tmp":       false,
		".x.0b1e6f3c-9a55-4c43-8f1b-0d2c5d1e7a01.tmp.crc":      false,
	} {
		if got := isPaimonTemp(name); got != want {
			t.Errorf("isPaimonTemp(%q) = %v, want %v", name, got, want)
		}
	}
}
