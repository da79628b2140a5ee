package merge

import (
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/internal/binrow"
	"github.com/floelake/floe/schema"
)

// step is one operation on an accumulator: "set", "agg", "rev"
// (aggReversed) or "retract" with input row in.
type step struct {
	op string
	in int
}

type aggCase struct {
	name  string
	fn    string
	typ   schema.DataType
	fo    FieldOptions
	cells string // JSON array of the input cells
	steps []step
	want  string // JSON of the result ("null" for null)
}

func seq(ops ...any) []step {
	var s []step
	for i := 0; i < len(ops); i += 2 {
		s = append(s, step{ops[i].(string), ops[i+1].(int)})
	}
	return s
}

func runAggCase(t *testing.T, tc aggCase) {
	t.Helper()
	at, err := schema.ToArrow(tc.typ)
	if err != nil {
		t.Fatal(err)
	}
	acc, err := aggFuncs[tc.fn].make(tc.typ, at, "c", tc.fo)
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	in, _, err := array.FromJSON(mem, at, strings.NewReader(tc.cells))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Release()
	acc.reset()
	for _, s := range tc.steps {
		c := cell{arr: in, row: s.in}
		switch s.op {
		case "set":
			acc.set(c)
		case "agg":
			err = acc.agg(c)
		case "rev":
			err = acc.aggReversed(c)
		case "retract":
			err = acc.retract(c)
		}
		if err != nil {
			t.Fatalf("%s %d: %v", s.op, s.in, err)
		}
	}
	b := array.NewBuilder(mem, at)
	defer b.Release()
	if err := acc.(valueAccumulator).appendTo(b); err != nil {
		t.Fatal(err)
	}
	got := b.NewArray()
	defer got.Release()
	want, _, err := array.FromJSON(mem, at, strings.NewReader("["+tc.want+"]"))
	if err != nil {
		t.Fatal(err)
	}
	defer want.Release()
	if !array.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func arrayOf(e schema.DataType) schema.DataType { return schema.DataType{Kind: schema.Array, Elem: &e} }

func mapOf(k, v schema.DataType) schema.DataType {
	k.NotNull = true
	return schema.DataType{Kind: schema.Map, Key: &k, Value: &v}
}

func rowOf(names string, types ...schema.DataType) schema.DataType {
	var fs []schema.Field
	for i, n := range strings.Split(names, ",") {
		fs = append(fs, schema.Field{ID: i, Name: n, Type: types[i]})
	}
	return schema.DataType{Kind: schema.Row, Fields: fs}
}

func TestCollect(t *testing.T) {
	ints := arrayOf(schema.NewInt())
	strs := arrayOf(schema.NewString())
	rows := arrayOf(rowOf("a,b", schema.NewInt(), schema.NewString()))
	bins := arrayOf(schema.NewVarBinary(schema.MaxLength))
	distinct := FieldOptions{Distinct: true}
	for _, tc := range []aggCase{
		{name: "concat", fn: "collect", typ: ints, cells: `[[3,1],[1,2],null]`,
			steps: seq("set", 0, "agg", 1, "agg", 2), want: `[3,1,1,2]`},
		{name: "null-acc", fn: "collect", typ: ints, cells: `[null,[2,2]]`,
			steps: seq("set", 0, "agg", 1), want: `[2,2]`},
		{name: "both-null", fn: "collect", typ: ints, cells: `[null,null]`,
			steps: seq("set", 0, "agg", 1), want: `null`},
		{name: "reversed-not-reversed", fn: "collect", typ: ints, cells: `[[3],[1]]`,
			steps: seq("set", 0, "rev", 1), want: `[3,1]`},
		// HashSet order: Integer hashes are the values, 16 buckets.
		{name: "distinct-hash-order", fn: "collect", typ: ints, fo: distinct, cells: `[[3,1,2],[2,17,null]]`,
			steps: seq("set", 0, "agg", 1), want: `[null,1,17,2,3]`},
		{name: "distinct-null-input", fn: "collect", typ: ints, fo: distinct, cells: `[[5,5,4],null]`,
			steps: seq("set", 0, "agg", 1), want: `[4,5]`},
		{name: "distinct-grows", fn: "collect", typ: ints, fo: distinct,
			cells: `[[0,16,1,2,3,4,5,6,7,8,9,10,11],[12,13]]`,
			// 14 keys pass 12: 32 buckets, so 16 follows 13.
			steps: seq("set", 0, "agg", 1), want: `[0,1,2,3,4,5,6,7,8,9,10,11,12,13,16]`},
		{name: "distinct-strings", fn: "collect", typ: strs, fo: distinct, cells: `[["a","b"],["a","c"]]`,
			steps: seq("set", 0, "agg", 1), want: javaStringSetOrder("a", "b", "c")},
		{name: "distinct-rows-first-seen", fn: "collect", typ: rows, fo: distinct,
			cells: `[[{"a":2,"b":"x"},{"a":1,"b":null}],[{"a":1,"b":null},{"a":0,"b":"y"},null]]`,
			steps: seq("set", 0, "agg", 1), want: `[{"a":2,"b":"x"},{"a":1,"b":null},{"a":0,"b":"y"},null]`},
		{name: "distinct-binary-identity", fn: "collect", typ: bins, fo: distinct, cells: `[["AQ=="],["AQ=="]]`,
			steps: seq("set", 0, "agg", 1), want: `["AQ==","AQ=="]`},
		{name: "retract-one-each", fn: "collect", typ: ints, cells: `[[1,2,1,3],[1,3,9]]`,
			steps: seq("set", 0, "retract", 1), want: `[2,1]`},
		{name: "retract-null-acc", fn: "collect", typ: ints, cells: `[null,[1]]`,
			steps: seq("set", 0, "retract", 1), want: `null`},
		{name: "retract-null-input", fn: "collect", typ: ints, cells: `[[1],null]`,
			steps: seq("set", 0, "retract", 1), want: `[1]`},
		{name: "retract-nulls", fn: "collect", typ: ints, cells: `[[null,1,null],[null]]`,
			steps: seq("set", 0, "retract", 1), want: `[1,null]`},
		{name: "retract-rows", fn: "collect", typ: rows, cells: `[[{"a":1,"b":"x"},{"a":1,"b":"y"}],[{"a":1,"b":"y"}]]`,
			steps: seq("set", 0, "retract", 1), want: `[{"a":1,"b":"x"}]`},
		{name: "retract-binary-identity", fn: "collect", typ: bins, cells: `[["AQ=="],["AQ=="]]`,
			steps: seq("set", 0, "retract", 1), want: `["AQ=="]`},
	} {
		t.Run(tc.name, func(t *testing.T) { runAggCase(t, tc) })
	}
}

// javaStringSetOrder orders distinct strings as a java.util.HashSet of
// Paimon BinaryStrings iterates them (16 buckets).
func javaStringSetOrder(s ...string) string {
	var h javaHashed
	for _, x := range s {
		h.add(binaryStringHash([]byte(x)), true)
	}
	var out []string
	for _, j := range h.entries(true) {
		out = append(out, `"`+s[j]+`"`)
	}
	return "[" + strings.Join(out, ",") + "]"
}

func TestMergeMap(t *testing.T) {
	m := mapOf(schema.NewInt(), schema.NewString())
	kt := mapOf(schema.NewString(), rowOf("v,ts", schema.NewInt(), schema.NewString()))
	for _, tc := range []aggCase{
		{name: "overwrite", fn: "merge_map", typ: m,
			cells: `[[{"key":17,"value":"a"},{"key":2,"value":"b"}],[{"key":1,"value":"c"},{"key":2,"value":null}]]`,
			steps: seq("set", 0, "agg", 1), want: `[{"key":17,"value":"a"},{"key":1,"value":"c"},{"key":2,"value":null}]`},
		{name: "reversed", fn: "merge_map", typ: m,
			cells: `[[{"key":2,"value":"old"}],[{"key":2,"value":"new"},{"key":1,"value":"x"}]]`,
			steps: seq("set", 0, "rev", 1), want: `[{"key":1,"value":"x"},{"key":2,"value":"old"}]`},
		{name: "null-side-unchanged", fn: "merge_map", typ: m,
			cells: `[null,[{"key":2,"value":"a"},{"key":1,"value":"b"}]]`,
			steps: seq("set", 0, "agg", 1), want: `[{"key":2,"value":"a"},{"key":1,"value":"b"}]`},
		{name: "retract", fn: "merge_map", typ: m,
			cells: `[[{"key":3,"value":"a"},{"key":2,"value":"b"}],[{"key":3,"value":"zzz"}]]`,
			steps: seq("set", 0, "retract", 1), want: `[{"key":2,"value":"b"}]`},
		{name: "retract-empty", fn: "merge_map", typ: m,
			cells: `[[{"key":3,"value":"a"},{"key":2,"value":"b"}],[]]`,
			steps: seq("set", 0, "retract", 1), want: `[{"key":3,"value":"a"},{"key":2,"value":"b"}]`},
		{name: "keytime", fn: "merge_map_with_keytime", typ: kt,
			cells: `[[{"key":"a","value":{"v":1,"ts":"2"}},{"key":"b","value":{"v":2,"ts":"5"}},{"key":"c","value":{"v":3,"ts":null}},{"key":"d","value":{"v":4,"ts":"1"}}],
			        [{"key":"a","value":{"v":10,"ts":"3"}},{"key":"b","value":{"v":20,"ts":"4"}},{"key":"c","value":{"v":30,"ts":"0"}},{"key":"d","value":null},{"key":"e","value":{"v":50,"ts":null}}]]`,
			steps: seq("set", 0, "agg", 1),
			want:  javaKeyTimeWant(),
		},
	} {
		t.Run(tc.name, func(t *testing.T) { runAggCase(t, tc) })
	}
}

// javaKeyTimeWant is the keytime case's result: a (newer ts wins), b (older
// ts keeps), c (stored ts null: input wins), d removed, e (null ts)
// ignored; in BinaryString HashMap order.
func javaKeyTimeWant() string {
	vals := map[string]string{"a": `{"v":10,"ts":"3"}`, "b": `{"v":2,"ts":"5"}`, "c": `{"v":30,"ts":"0"}`}
	var h javaHashed
	keys := []string{"a", "b", "c"}
	for _, k := range keys {
		h.add(binaryStringHash([]byte(k)), true)
	}
	var out []string
	for _, j := range h.entries(true) {
		out = append(out, `{"key":"`+keys[j]+`","value":`+vals[keys[j]]+`}`)
	}
	return "[" + strings.Join(out, ",") + "]"
}

func TestNested(t *testing.T) {
	rt := arrayOf(rowOf("k,v,w", schema.NewInt(), schema.NewString(), schema.NewInt()))
	key := FieldOptions{NestedKey: []string{"k"}}
	for _, tc := range []aggCase{
		{name: "append", fn: "nested_update", typ: rt,
			cells: `[[{"k":1,"v":"a","w":1},null],[{"k":1,"v":"b","w":2}]]`,
			steps: seq("set", 0, "agg", 1), want: `[{"k":1,"v":"a","w":1},{"k":1,"v":"b","w":2}]`},
		{name: "null-input", fn: "nested_update", typ: rt,
			cells: `[[{"k":1,"v":"a","w":1},null],null]`,
			steps: seq("set", 0, "agg", 1), want: `[{"k":1,"v":"a","w":1},null]`},
		{name: "count-limit", fn: "nested_update", typ: rt, fo: FieldOptions{CountLimit: 2},
			cells: `[[{"k":1,"v":"a","w":1}],[null,{"k":2,"v":"b","w":2},{"k":3,"v":"c","w":3}],[{"k":4,"v":"d","w":4}]]`,
			steps: seq("set", 0, "agg", 1, "agg", 2), want: `[{"k":1,"v":"a","w":1},{"k":2,"v":"b","w":2}]`},
		{name: "count-limit-full-acc-kept", fn: "nested_update", typ: rt, fo: FieldOptions{CountLimit: 1},
			cells: `[[null,{"k":1,"v":"a","w":1}],[{"k":2,"v":"b","w":2}]]`,
			steps: seq("set", 0, "agg", 1), want: `[null,{"k":1,"v":"a","w":1}]`},
		{name: "key-replaces", fn: "nested_update", typ: rt, fo: key,
			cells: `[[{"k":2,"v":"a","w":1},{"k":1,"v":"x","w":1}],[{"k":2,"v":"b","w":null}]]`,
			steps: seq("set", 0, "agg", 1), want: nestedKeyOrder(`{"k":2,"v":"b","w":null}`, `{"k":1,"v":"x","w":1}`)},
		{name: "key-reversed", fn: "nested_update", typ: rt, fo: key,
			cells: `[[{"k":2,"v":"old","w":1}],[{"k":2,"v":"new","w":2}]]`,
			steps: seq("set", 0, "rev", 1), want: `[{"k":2,"v":"old","w":1}]`},
		{name: "key-count-limit", fn: "nested_update", typ: rt, fo: FieldOptions{NestedKey: []string{"k"}, CountLimit: 2},
			cells: `[[{"k":2,"v":"a","w":1}],[{"k":2,"v":"b","w":2},{"k":3,"v":"c","w":3}]]`,
			steps: seq("set", 0, "agg", 1), want: `[{"k":2,"v":"b","w":2}]`},
		{name: "retract-equal", fn: "nested_update", typ: rt,
			cells: `[[{"k":1,"v":"a","w":1},null,{"k":1,"v":"a","w":1},{"k":1,"v":"a","w":2}],[{"k":1,"v":"a","w":1}]]`,
			steps: seq("set", 0, "retract", 1), want: `[{"k":1,"v":"a","w":2}]`},
		{name: "retract-key", fn: "nested_update", typ: rt, fo: key,
			cells: `[[{"k":1,"v":"a","w":1},{"k":2,"v":"b","w":2}],[{"k":1,"v":"zzz","w":null}]]`,
			steps: seq("set", 0, "retract", 1), want: `[{"k":2,"v":"b","w":2}]`},
		{name: "retract-null-input", fn: "nested_update", typ: rt, fo: key,
			cells: `[[{"k":1,"v":"a","w":1},null],null]`,
			steps: seq("set", 0, "retract", 1), want: `[{"k":1,"v":"a","w":1},null]`},
		{name: "partial", fn: "nested_partial_update", typ: rt, fo: key,
			cells: `[[{"k":2,"v":"a","w":1},null],[{"k":2,"v":null,"w":5},{"k":1,"v":"x","w":null}]]`,
			steps: seq("set", 0, "agg", 1), want: nestedKeyOrder(`{"k":2,"v":"a","w":5}`, `{"k":1,"v":"x","w":null}`)},
		{name: "partial-twice", fn: "nested_partial_update", typ: rt, fo: key,
			cells: `[[{"k":2,"v":"a","w":1}],[{"k":2,"v":null,"w":5}],[{"k":2,"v":"c","w":null}]]`,
			steps: seq("set", 0, "agg", 1, "agg", 2), want: `[{"k":2,"v":"c","w":5}]`},
		{name: "partial-reversed", fn: "nested_partial_update", typ: rt, fo: key,
			cells: `[[{"k":2,"v":"acc","w":null}],[{"k":2,"v":"in","w":7}]]`,
			steps: seq("set", 0, "rev", 1), want: `[{"k":2,"v":"acc","w":7}]`},
	} {
		t.Run(tc.name, func(t *testing.T) { runAggCase(t, tc) })
	}
}

// nestedKeyOrder orders rows whose INT key k is 2 and 1 as Paimon's
// HashMap over the projected BinaryRow key does.
func nestedKeyOrder(row2, row1 string) string {
	var h javaHashed
	for _, k := range []int32{2, 1} {
		key, err := binrow.Encode([]schema.DataType{schema.NewInt()}, []any{k})
		if err != nil {
			panic(err)
		}
		h.add(binrow.Hash(key), true)
	}
	rows := []string{row2, row1}
	var out []string
	for _, j := range h.entries(true) {
		out = append(out, rows[j])
	}
	return "[" + strings.Join(out, ",") + "]"
}

func TestAggMakeErrors(t *testing.T) {
	rt := arrayOf(rowOf("k,v", schema.NewInt(), schema.NewString()))
	for _, tc := range []struct {
		fn  string
		typ schema.DataType
		fo  FieldOptions
	}{
		{"collect", schema.NewInt(), FieldOptions{}},
		{"merge_map", arrayOf(schema.NewInt()), FieldOptions{}},
		{"merge_map", mapOf(rowOf("a,b", schema.NewInt(), schema.NewInt()), schema.NewInt()), FieldOptions{}},
		{"merge_map_with_keytime", mapOf(schema.NewInt(), schema.NewInt()), FieldOptions{}},
		{"merge_map_with_keytime", mapOf(schema.NewInt(), rowOf("a", schema.NewString())), FieldOptions{}},
		{"merge_map_with_keytime", mapOf(schema.NewInt(), rowOf("a,b", schema.NewString(), schema.NewInt())), FieldOptions{}},
		{"merge_map_with_keytime", mapOf(schema.NewInt(), rowOf("a,b", schema.NewString(), schema.NewInt())), FieldOptions{TsField: "x"}},
		{"nested_update", arrayOf(schema.NewInt()), FieldOptions{}},
		{"nested_update", rt, FieldOptions{NestedKey: []string{"nope"}}},
		{"nested_partial_update", rt, FieldOptions{}},
		{"rbm32", schema.NewString(), FieldOptions{}},
	} {
		at, err := schema.ToArrow(tc.typ)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := aggFuncs[tc.fn].make(tc.typ, at, "c", tc.fo); err == nil {
			t.Errorf("%s over %s %+v: no error", tc.fn, tc.typ, tc.fo)
		}
	}
	// Through the engine, the error names the option.
	f := schema.Field{Name: "c", Type: schema.NewInt()}
	_, err := New([]schema.Field{{Name: "k", Type: schema.NewInt()}, f}, []string{"k"},
		Options{Engine: "aggregation", Fields: map[string]FieldOptions{"c": {AggregateFunction: "collect"}}})
	var oe *OptionError
	if !errors.As(err, &oe) || oe.Column != "c" || oe.Key != "fields.c.aggregate-function" {
		t.Errorf("New: %v", err)
	}
}
