package merge

import (
	"fmt"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/internal/take"
	"github.com/floelake/floe/schema"
)

// selecting is deduplicate (last) and first-row.
type selecting struct {
	t    *tableInfo
	name string
	last bool
}

func (e *selecting) Name() string { return e.name }

func (e *selecting) Traits() Traits {
	if e.last {
		return Traits{Selecting: true}
	}
	return Traits{Selecting: true, SkipLevel0OnRead: true, NeedsLookup: true}
}

func (e *selecting) Accept(k schema.RowKind) (bool, error) {
	if !k.IsRetract() {
		return true, nil
	}
	if e.t.o.IgnoreDelete {
		return false, nil
	}
	if !e.last {
		return false, fmt.Errorf("%w: first-row merge engine got %s (set ignore-delete=true)", ErrRetract, k)
	}
	return true, nil
}

func (e *selecting) ReadColumns(cols []string) []string { return cols }

func (e *selecting) Reducer(cols []string) (Reducer, error) {
	if e.t.fields != nil {
		if _, err := e.t.layout(cols); err != nil {
			return nil, err
		}
	}
	return &selectReducer{last: e.last}, nil
}

type selectReducer struct {
	last bool
	refs []take.Ref
	srcs []arrow.Array
}

// pick returns the record of group [s, e) that represents the key, or -1.
// first-row never keeps a retract, not even a lone one: its writers refuse
// them, and a retract from elsewhere must not shadow an older insert.
func (r *selectReducer) pick(kinds []schema.RowKind, s, e int) int {
	if r.last {
		return e - 1
	}
	for i := s; i < e; i++ {
		if !kinds[i].IsRetract() {
			return i
		}
	}
	return -1
}

func (r *selectReducer) Reduce(g *Groups, mem memory.Allocator) (*Output, error) {
	out := &Output{}
	r.refs = r.refs[:0]
	s := 0
	for gi, e := range g.Ends {
		if p := r.pick(g.Kinds, s, e); p >= 0 {
			if out.Groups != nil {
				out.Groups = append(out.Groups, int32(gi))
			}
			out.Kinds = append(out.Kinds, g.Kinds[p])
			out.Seqs = append(out.Seqs, g.Seqs[p])
			r.refs = append(r.refs, take.Ref(g.Refs[p]))
		} else if out.Groups == nil {
			out.Groups = make([]int32, len(out.Kinds), len(g.Ends))
			for i := range out.Groups {
				out.Groups[i] = int32(i)
			}
		}
		s = e
	}
	return out, gatherRows(out, g, mem, r.refs, &r.srcs)
}

// gatherRows sets out.Cols to the value columns of the rows refs (a run of
// consecutive rows of one source is a zero-copy slice).
func gatherRows(out *Output, g *Groups, mem memory.Allocator, refs []take.Ref, srcs *[]arrow.Array) error {
	if len(g.Srcs) == 0 || len(refs) == 0 {
		return nil
	}
	ncol := int(g.Srcs[0].NumCols()) - g.Offset
	out.Cols = make([]arrow.Array, ncol)
	if take.Contiguous(refs) {
		f := refs[0]
		for c := range ncol {
			out.Cols[c] = array.NewSlice(g.Srcs[f.Src].Column(g.Offset+c), int64(f.Row), int64(f.Row)+int64(len(refs)))
		}
		return nil
	}
	err := forColumns(ncol, len(refs), srcs, func(c int, srcs *[]arrow.Array) error {
		a, err := gatherColumn(mem, g, c, refs, srcs)
		out.Cols[c] = a
		return err
	})
	if err != nil {
		out.Release()
	}
	return err
}

// gatherColumn builds value column c from refs (negative Src: null).
func gatherColumn(mem memory.Allocator, g *Groups, c int, refs []take.Ref, srcs *[]arrow.Array) (arrow.Array, error) {
	*srcs = (*srcs)[:0]
	for _, s := range g.Srcs {
		*srcs = append(*srcs, s.Column(g.Offset+c))
	}
	return take.Column(mem, g.Srcs[0].Column(g.Offset+c).DataType(), *srcs, refs)
}

// KeepAll returns a reducer that keeps every record of every group,
// unchanged: a k-way merge into one sorted run, reducing nothing.
func KeepAll() Reducer { return &keepAll{} }

type keepAll struct {
	refs []take.Ref
	srcs []arrow.Array
}

func (r *keepAll) Reduce(g *Groups, mem memory.Allocator) (*Output, error) {
	out := &Output{Kinds: slices.Clone(g.Kinds), Seqs: slices.Clone(g.Seqs)}
	r.refs = r.refs[:0]
	for _, ref := range g.Refs {
		r.refs = append(r.refs, take.Ref(ref))
	}
	return out, gatherRows(out, g, mem, r.refs, &r.srcs)
}

// NewDeduplicate returns the deduplicate engine for any column layout (no
// table schema needed: it only selects rows).
func NewDeduplicate(o Options) Engine {
	return &selecting{t: &tableInfo{o: o}, name: "deduplicate", last: true}
}

// NewFirstRow returns the first-row engine for any column layout.
func NewFirstRow(o Options) Engine {
	return &selecting{t: &tableInfo{o: o}, name: "first-row"}
}
