package merge_test

import (
	"errors"
	"testing"

	"github.com/floelake/floe/merge"
	"github.com/floelake/floe/schema"
)

func TestAccept(t *testing.T) {
	for _, tc := range []struct {
		eng     merge.Engine
		k       schema.RowKind
		keep    bool
		wantErr error
	}{
		{merge.NewDeduplicate(merge.Options{}), schema.Delete, true, nil},
		{merge.NewDeduplicate(merge.Options{IgnoreDelete: true}), schema.Delete, false, nil},
		{merge.NewDeduplicate(merge.Options{IgnoreDelete: true}), schema.Insert, true, nil},
		{merge.NewFirstRow(merge.Options{}), schema.UpdateBefore, false, merge.ErrRetract},
		{merge.NewFirstRow(merge.Options{IgnoreDelete: true}), schema.Delete, false, nil},
		{merge.NewFirstRow(merge.Options{}), schema.UpdateAfter, true, nil},
	} {
		keep, err := tc.eng.Accept(tc.k)
		if keep != tc.keep || !errors.Is(err, tc.wantErr) {
			t.Errorf("%s.Accept(%s) = %v, %v", tc.eng.Name(), tc.k, keep, err)
		}
	}
}

func TestNewUnknownEngine(t *testing.T) {
	if _, err := merge.New(nil, nil, merge.Options{Engine: "nope"}); !errors.Is(err, merge.ErrOption) {
		t.Errorf("New(nope): %v", err)
	}
}
