package merge_test

import (
	"errors"
	"testing"

	"github.com/floelake/floe/merge"
	"github.com/floelake/floe/schema"
)

func kinds(s ...string) []schema.RowKind {
	out := make([]schema.RowKind, len(s))
	for i, x := range s {
		k, err := schema.ParseRowKind(x)
		if err != nil {
			panic(err)
		}
		out[i] = k
	}
	return out
}

func TestSelect(t *testing.T) {
	for _, tc := range []struct {
		eng   merge.Engine
		kinds []schema.RowKind
		want  int
	}{
		{merge.Deduplicate{}, kinds("+I"), 0},
		{merge.Deduplicate{}, kinds("+I", "+U", "-D"), 2},
		{merge.Deduplicate{}, kinds("-D", "+I"), 1},
		{merge.FirstRow{}, kinds("+I", "+U"), 0},
		{merge.FirstRow{}, kinds("-D", "-U", "+U", "+I"), 2},
		{merge.FirstRow{}, kinds("-D", "-U"), -1},
	} {
		if got := tc.eng.Select(tc.kinds); got != tc.want {
			t.Errorf("%s.Select(%v) = %d, want %d", tc.eng.Name(), tc.kinds, got, tc.want)
		}
	}
}

func TestAccept(t *testing.T) {
	for _, tc := range []struct {
		eng     merge.Engine
		k       schema.RowKind
		keep    bool
		wantErr error
	}{
		{merge.Deduplicate{}, schema.Delete, true, nil},
		{merge.Deduplicate{IgnoreDelete: true}, schema.Delete, false, nil},
		{merge.Deduplicate{IgnoreDelete: true}, schema.Insert, true, nil},
		{merge.FirstRow{}, schema.UpdateBefore, false, merge.ErrRetract},
		{merge.FirstRow{IgnoreDelete: true}, schema.Delete, false, nil},
		{merge.FirstRow{}, schema.UpdateAfter, true, nil},
	} {
		keep, err := tc.eng.Accept(tc.k)
		if keep != tc.keep || !errors.Is(err, tc.wantErr) {
			t.Errorf("%s%+v.Accept(%s) = %v, %v", tc.eng.Name(), tc.eng, tc.k, keep, err)
		}
	}
}

func TestNew(t *testing.T) {
	for _, name := range []string{"", "deduplicate", "first-row"} {
		if _, err := merge.New(name, merge.Options{}); err != nil {
			t.Errorf("New(%q): %v", name, err)
		}
	}
	for _, name := range []string{"partial-update", "aggregation", "nope"} {
		if _, err := merge.New(name, merge.Options{}); !errors.Is(err, merge.ErrUnsupported) {
			t.Errorf("New(%q): %v", name, err)
		}
	}
}
