// Package merge holds Paimon's merge engines: how the records of one
// primary key, in merge order, reduce to the row a reader sees. It is pure
// logic over Arrow columns, with no I/O.
//
// An Engine is built once per table schema from typed Options (New); it
// says what it needs (Traits), checks input row kinds (Accept), and makes
// Reducers for a column layout. A Reducer takes a batch of key groups (the
// records of each key in merge order, as references into source records)
// and produces one output row per surviving key. The selecting engines
// (deduplicate, first-row) copy a whole input row; partial-update takes
// cells from several rows; aggregation computes values. The write buffer,
// compaction and merge-on-read all reduce through the same Reducer.
//
// As in Paimon, a key with a single record passes through unchanged
// (kind included); only keys with two or more records are merged.
package merge

import (
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/schema"
)

// ErrUnsupported reports a merge engine or function floe does not
// implement.
var ErrUnsupported = errors.New("merge: unsupported")

// ErrRetract reports retract input (-U/-D) that an engine or aggregate
// function does not accept.
var ErrRetract = errors.New("merge: retract record not accepted")

// ErrOption reports merge options that cannot work with the table's
// columns. Errors wrapping it are *OptionError.
var ErrOption = errors.New("merge: bad option")

// ErrNull reports a null in a NOT NULL column where a merge needs a value.
var ErrNull = errors.New("merge: null in a NOT NULL column")

// OptionError names the option (and column) a merge configuration fails
// on.
type OptionError struct {
	Key    string // the option, e.g. fields.c.aggregate-function
	Value  string
	Column string // "" when the option is not about one column
	Reason string
	Err    error // the cause, when there is one (e.g. ErrUnsupported)
}

func (e *OptionError) Unwrap() error { return e.Err }

func (e *OptionError) Error() string {
	s := "merge: option " + e.Key
	if e.Value != "" {
		s += "=" + e.Value
	}
	if e.Column != "" {
		s += " (column " + e.Column + ")"
	}
	return s + ": " + e.Reason
}

func (e *OptionError) Is(target error) bool { return target == ErrOption }

// Traits say what an engine needs from the places that use it.
type Traits struct {
	// Selecting engines copy one whole input row per key (deduplicate,
	// first-row); the others compute rows.
	Selecting bool
	// SkipLevel0OnRead: batch reads need not merge level 0 (first-row:
	// only compacted rows are visible).
	SkipLevel0OnRead bool
	// NeedsLookup: compaction must look keys up in higher levels to drop
	// records that lose to them (first-row).
	NeedsLookup bool
}

// Engine is a table's merge engine, bound to its schema. It is immutable
// and safe for concurrent use.
type Engine interface {
	// Name is the merge-engine option value.
	Name() string
	Traits() Traits
	// Accept checks one input row kind before it is buffered. It returns
	// false for rows the engine drops on write (ignore-delete), and an
	// error wrapping ErrRetract for retracts the engine cannot merge.
	Accept(k schema.RowKind) (bool, error)
	// ReadColumns returns the columns a reader must read to merge cols
	// correctly: cols plus, in table order, any sequence-group fields of
	// theirs that are missing.
	ReadColumns(cols []string) []string
	// Reducer returns a reducer for records whose value columns are cols
	// (a subset of the table's columns that holds the primary key and
	// whatever ReadColumns adds). A Reducer is not safe for concurrent
	// use; make one per goroutine.
	Reducer(cols []string) (Reducer, error)
}

// RetractChecker is implemented by engines whose acceptance of a retract
// depends on its values (partial-update with sequence groups: a retract
// touches only the groups whose sequence fields it carries). Writers call
// CheckRetract for each retract row Accept kept.
type RetractChecker interface {
	// CheckRetract checks row of cols, the table's columns in field
	// order; an error wraps ErrRetract and names the column.
	CheckRetract(cols []arrow.Array, row int) error
}

// Ref names row Row of source record Src.
type Ref struct {
	Src int32
	Row int32
}

// Groups is a batch of key groups: each key's records in merge order
// (oldest first).
type Groups struct {
	// Srcs are the source records; value column c of a source is its
	// column Offset+c, in the layout the Reducer was made for.
	Srcs   []arrow.Record
	Offset int
	// Refs, Kinds and Seqs describe every record of every group.
	Refs  []Ref
	Kinds []schema.RowKind
	Seqs  []int64
	// Ends[g] is one past the last record of group g; group g starts at
	// Ends[g-1] (0 for the first).
	Ends []int

	cols [][]arrow.Array // value columns by source, set by a Reduce
}

// prepare caches the sources' value columns.
func (g *Groups) prepare() {
	g.cols = g.cols[:0]
	for _, s := range g.Srcs {
		g.cols = append(g.cols, s.Columns()[g.Offset:])
	}
}

// Reset empties g, keeping its capacity (Srcs are not released).
func (g *Groups) Reset() {
	clear(g.Srcs)
	clear(g.cols)
	g.cols = g.cols[:0]
	g.Srcs, g.Refs, g.Kinds, g.Seqs, g.Ends = g.Srcs[:0], g.Refs[:0], g.Kinds[:0], g.Seqs[:0], g.Ends[:0]
}

// Len is the number of groups.
func (g *Groups) Len() int { return len(g.Ends) }

// Bounds returns the records of group i.
func (g *Groups) Bounds(i int) (int, int) {
	if i == 0 {
		return 0, g.Ends[0]
	}
	return g.Ends[i-1], g.Ends[i]
}

// Output is the result of one Reduce: one row per surviving key, in group
// order.
type Output struct {
	Kinds []schema.RowKind
	Seqs  []int64
	// Groups, when some group produced no row, holds the group of each
	// row; nil means row i is group i.
	Groups []int32
	// Cols are the value columns; the caller owns (releases) them.
	Cols []arrow.Array
}

// Release releases the columns.
func (o *Output) Release() {
	for _, c := range o.Cols {
		if c != nil {
			c.Release()
		}
	}
	o.Cols = nil
}

// Reducer reduces key groups to rows.
type Reducer interface {
	// Reduce merges every group of g. Groups whose result is dropped
	// produce no row. A result whose kind is a retract (-U/-D) is kept:
	// writers need it to shadow older levels; readers drop it.
	Reduce(g *Groups, mem memory.Allocator) (*Output, error)
}

// New returns the engine o.Engine names for a table with the given fields
// and primary key. Option errors wrap ErrOption (an *OptionError).
func New(fields []schema.Field, primaryKeys []string, o Options) (Engine, error) {
	t, err := newTableInfo(fields, primaryKeys, o)
	if err != nil {
		return nil, err
	}
	switch o.Engine {
	case "", "deduplicate":
		return &selecting{t: t, name: "deduplicate", last: true}, nil
	case "first-row":
		return &selecting{t: t, name: "first-row"}, nil
	case "partial-update":
		return newPartialUpdate(t)
	case "aggregation":
		return newAggregation(t)
	}
	return nil, &OptionError{Key: "merge-engine", Value: o.Engine, Reason: "unknown merge engine"}
}

// tableInfo is what every engine knows about the table.
type tableInfo struct {
	o      Options
	fields []schema.Field
	index  map[string]int
	pk     map[string]bool
	seq    map[string]bool // sequence.field columns
}

func newTableInfo(fields []schema.Field, primaryKeys []string, o Options) (*tableInfo, error) {
	t := &tableInfo{o: o, fields: fields, index: make(map[string]int, len(fields)), pk: map[string]bool{}, seq: map[string]bool{}}
	for i, f := range fields {
		t.index[f.Name] = i
	}
	for _, k := range primaryKeys {
		if _, ok := t.index[k]; !ok {
			return nil, &OptionError{Key: "primary-key", Value: k, Reason: "not a column"}
		}
		t.pk[k] = true
	}
	for _, s := range o.SequenceFields {
		if _, ok := t.index[s]; !ok {
			return nil, &OptionError{Key: "sequence.field", Value: s, Column: s, Reason: "not a column"}
		}
		t.seq[s] = true
	}
	return t, nil
}

// layout maps the reducer's columns to table fields.
func (t *tableInfo) layout(cols []string) ([]int, error) {
	idx := make([]int, len(cols))
	for i, c := range cols {
		j, ok := t.index[c]
		if !ok {
			return nil, fmt.Errorf("%w: column %q is not in the table", ErrOption, c)
		}
		idx[i] = j
	}
	return idx, nil
}
