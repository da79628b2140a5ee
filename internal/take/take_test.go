package take

import (
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TestColumnNullRefs: cells of several sources in any order, with null
// refs, for a fixed-width, a string and a nested type.
func TestColumnNullRefs(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	for _, tc := range []struct {
		dt   arrow.DataType
		a, b string
		want string
	}{
		{arrow.PrimitiveTypes.Int64, `[1, null, 3]`, `[10, 20]`, `[20,null,1,3,null]`},
		{arrow.BinaryTypes.String, `["x", "y", null]`, `["long string"]`, `["long string",null,"x",null,"y"]`},
		{arrow.ListOf(arrow.PrimitiveTypes.Int32), `[[1], null, [3, 4]]`, `[[]]`, `[[],null,[1],[3,4],null]`},
	} {
		a, _, err := array.FromJSON(mem, tc.dt, strings.NewReader(tc.a))
		if err != nil {
			t.Fatal(err)
		}
		b, _, err := array.FromJSON(mem, tc.dt, strings.NewReader(tc.b))
		if err != nil {
			t.Fatal(err)
		}
		refs := []Ref{{Src: 1, Row: 1 % int32(b.Len())}, Null, {Src: 0, Row: 0}, {Src: 0, Row: 2}, {Src: 0, Row: 1}}
		got, err := Column(mem, tc.dt, []arrow.Array{a, b}, refs)
		if err != nil {
			t.Fatal(err)
		}
		js, _ := got.MarshalJSON()
		if strings.ReplaceAll(string(js), "\n", "") != tc.want {
			t.Errorf("%s: got %s, want %s", tc.dt, js, tc.want)
		}
		got.Release()
		a.Release()
		b.Release()
	}
}
