package table

import (
	"errors"
	"testing"

	"github.com/floelake/floe/merge"
	"github.com/floelake/floe/predicate"
)

func puSpec(opts ...Option) Spec {
	return Spec{Columns: []Column{{Name: "id", Type: "INT NOT NULL"}, {Name: "v", Type: "STRING"}, {Name: "n", Type: "BIGINT"}},
		PrimaryKeys: []string{"id"}, Options: append([]Option{{"bucket", "1"}, {"merge-engine", "partial-update"}}, opts...)}
}

// engineModes are the ways a key's records meet: in a read only, in the
// writer's inline compaction, and in a full compaction before the last
// write.
var engineModes = []struct {
	name string
	opts []Option
	full bool
}{
	{"write-only", []Option{{"write-only", "true"}}, false},
	{"inline", []Option{{"num-sorted-run.compaction-trigger", "2"}}, false},
	{"full", []Option{{"write-only", "true"}}, true},
}

// TestPartialUpdateRemoveOnDeleteAcrossCommits: a delete between two
// commits resets the row, whether the records meet in a read, an inline
// compaction or a full compaction.
func TestPartialUpdateRemoveOnDeleteAcrossCommits(t *testing.T) {
	for _, tc := range engineModes {
		t.Run(tc.name, func(t *testing.T) {
			e := newCastEnv(t, puSpec(append(tc.opts, Option{"partial-update.remove-record-on-delete", "true"})...))
			e.writeKinds(`[{"id":1,"v":"a","n":5},{"id":2,"v":"b","n":1}]`)
			e.writeKinds(`[{"id":1,"v":null,"n":null,"_ROW_KIND":"-D"},{"id":2,"v":null,"n":2}]`)
			if tc.full {
				e.compact(CompactOptions{Full: true})
			}
			e.writeKinds(`[{"id":1,"v":null,"n":7}]`)
			if got, want := e.rows(), "1 (null) 7\n2 b 2"; got != want {
				t.Fatalf("got\n%s\nwant\n%s", got, want)
			}
		})
	}
}

// TestPartialUpdateSequenceGroupsAcrossCommits: two sequence groups
// written out of order over several commits, with a retract, read the same
// whichever way the records met; a projection reads the group's sequence
// field to merge.
func TestPartialUpdateSequenceGroupsAcrossCommits(t *testing.T) {
	spec := Spec{Columns: []Column{{Name: "id", Type: "INT NOT NULL"}, {Name: "a", Type: "STRING"}, {Name: "g1", Type: "INT"},
		{Name: "b", Type: "STRING"}, {Name: "s", Type: "BIGINT"}, {Name: "g2", Type: "INT"}},
		PrimaryKeys: []string{"id"}, Options: []Option{{"bucket", "1"}, {"merge-engine", "partial-update"},
			{"fields.g1.sequence-group", "a"}, {"fields.g2.sequence-group", "b,s"}, {"fields.s.aggregate-function", "sum"}}}
	for _, tc := range engineModes {
		t.Run(tc.name, func(t *testing.T) {
			spec := spec
			spec.Options = append(append([]Option{}, spec.Options...), tc.opts...)
			e := newCastEnv(t, spec)
			e.writeKinds(`[{"id":1,"a":"a2","g1":2,"b":"b1","s":10,"g2":1}]`)
			e.writeKinds(`[{"id":1,"a":"a1","g1":1,"b":null,"s":5,"g2":null}]`)
			e.writeKinds(`[{"id":1,"a":null,"g1":null,"b":"b3","s":1,"g2":3},{"id":2,"a":"x","g1":1,"b":"y","s":1,"g2":1}]`)
			if tc.full {
				e.compact(CompactOptions{Full: true})
			}
			// A retract of group 2 not older than the row: b becomes null,
			// s subtracts.
			e.writeKinds(`[{"id":1,"a":null,"g1":null,"b":"b3","s":4,"g2":4,"_ROW_KIND":"-U"}]`)
			if got, want := e.rows(), "1 a2 2 (null) 7 4\n2 x 1 y 1 1"; got != want {
				t.Fatalf("got\n%s\nwant\n%s", got, want)
			}
			got, _, err := e.read(ScanOptions{Columns: []string{"id", "a"}})
			if err != nil {
				t.Fatal(err)
			}
			if want := "1 a2\n2 x"; got != want {
				t.Fatalf("projection: got\n%s\nwant\n%s", got, want)
			}
		})
	}
}

// TestAggregationAcrossCommits: sums, max and listagg across commits and
// compactions, with retractions; a filter on an aggregated column applies
// to the merged value, not to the records.
func TestAggregationAcrossCommits(t *testing.T) {
	spec := Spec{Columns: []Column{{Name: "id", Type: "INT NOT NULL"}, {Name: "s", Type: "BIGINT"}, {Name: "m", Type: "INT"}, {Name: "l", Type: "STRING"}},
		PrimaryKeys: []string{"id"}, Options: []Option{{"bucket", "2"}, {"merge-engine", "aggregation"},
			{"fields.s.aggregate-function", "sum"}, {"fields.m.aggregate-function", "max"}, {"fields.m.ignore-retract", "true"},
			{"fields.l.aggregate-function", "listagg"}, {"fields.l.ignore-retract", "true"}}}
	for _, tc := range engineModes {
		t.Run(tc.name, func(t *testing.T) {
			spec := spec
			spec.Options = append(append([]Option{}, spec.Options...), tc.opts...)
			e := newCastEnv(t, spec)
			e.writeKinds(`[{"id":1,"s":1,"m":5,"l":"a"},{"id":2,"s":100,"m":1,"l":"x"}]`)
			e.writeKinds(`[{"id":1,"s":2,"m":3,"l":"b"},{"id":1,"s":3,"m":null,"l":"c"}]`)
			if tc.full {
				e.compact(CompactOptions{Full: true})
			}
			e.writeKinds(`[{"id":1,"s":2,"m":9,"l":"z","_ROW_KIND":"-U"},{"id":2,"s":1,"m":7,"l":null,"_ROW_KIND":"+U"}]`)
			if got, want := e.rows(), "1 4 5 a,b,c\n2 101 7 x"; got != want {
				t.Fatalf("got\n%s\nwant\n%s", got, want)
			}
			// s of id 1 is 1, 2, 3, -2 in its records: only the merged 4
			// passes the filter.
			f, err := predicate.Parse("s = 4")
			if err != nil {
				t.Fatal(err)
			}
			got, _, err := e.read(ScanOptions{Filter: f})
			if err != nil {
				t.Fatal(err)
			}
			if want := "1 4 5 a,b,c"; got != want {
				t.Fatalf("filter: got\n%s\nwant\n%s", got, want)
			}
		})
	}
}

// TestMergeWritesRefused: input an engine cannot merge fails the write
// with an error naming the row and column, and nothing is committed.
func TestMergeWritesRefused(t *testing.T) {
	e := newCastEnv(t, Spec{Columns: []Column{{Name: "id", Type: "INT NOT NULL"}, {Name: "m", Type: "INT"}},
		PrimaryKeys: []string{"id"}, Options: []Option{{"bucket", "1"}, {"merge-engine", "aggregation"}, {"fields.m.aggregate-function", "max"}}})
	e.writeKinds(`[{"id":1,"m":1}]`)
	tb := e.open()
	w, err := tb.NewWriter(e.ctx, WriterOptions{Alloc: e.alloc, SpillDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	rec := e.kindRecord(tb, `[{"id":2,"m":3},{"id":1,"m":1,"_ROW_KIND":"-D"}]`)
	defer rec.Release()
	err = w.Write(e.ctx, rec)
	var ce *ConstraintError
	if !errors.Is(err, merge.ErrRetract) || !errors.As(err, &ce) || ce.Row != 1 {
		t.Fatalf("write of a retract into max: %v", err)
	}
	if got := e.rows(); got != "1 1" {
		t.Fatalf("rows after the refused write: %s", got)
	}
	for _, bad := range [][]Option{
		{{"merge-engine", "aggregation"}, {"fields.m.aggregate-function", "bool_or"}},
		{{"merge-engine", "partial-update"}, {"fields.m.sequence-group", "nope"}},
		{{"merge-engine", "partial-update"}, {"fields.m.aggregate-function", "sum"}},
		{{"merge-engine", "aggregation"}, {"deletion-vectors.enabled", "true"}},
	} {
		_, err := Create(e.ctx, e.cat, e.id, Spec{Columns: []Column{{Name: "id", Type: "INT NOT NULL"}, {Name: "m", Type: "INT"}},
			PrimaryKeys: []string{"id"}, Options: append([]Option{{"bucket", "1"}}, bad...)}, CreateOptions{})
		var oe *OptionError
		var ue *UnsupportedError
		if !errors.As(err, &oe) && !errors.As(err, &ue) {
			t.Errorf("create with %v: %v", bad, err)
		}
	}
}

// TestPartialUpdateSequenceField: with sequence.field the records of a key
// merge in that field's order, not in arrival order.
func TestPartialUpdateSequenceField(t *testing.T) {
	for _, tc := range engineModes {
		t.Run(tc.name, func(t *testing.T) {
			spec := Spec{Columns: []Column{{Name: "id", Type: "INT NOT NULL"}, {Name: "a", Type: "STRING"}, {Name: "b", Type: "INT"}, {Name: "ts", Type: "BIGINT"}},
				PrimaryKeys: []string{"id"}, Options: append([]Option{{"bucket", "1"}, {"merge-engine", "partial-update"}, {"sequence.field", "ts"}}, tc.opts...)}
			e := newCastEnv(t, spec)
			e.writeKinds(`[{"id":1,"a":"x","b":null,"ts":5}]`)
			if tc.full {
				e.compact(CompactOptions{Full: true})
			}
			e.writeKinds(`[{"id":1,"a":"y","b":2,"ts":3}]`)
			if got, want := e.rows(), "1 x 2 5"; got != want {
				t.Fatalf("got\n%s\nwant\n%s", got, want)
			}
		})
	}
}
