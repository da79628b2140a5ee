package merge

import (
	"fmt"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/floelake/floe/schema"
)

// partialUpdate is the partial-update merge engine: non-null fields
// overwrite, sequence groups version sets of columns, and columns in a
// group may aggregate.
type partialUpdate struct {
	t *tableInfo
	// groups are the sequence groups (table field indexes).
	groups []pgroup
	// groupOf maps a table field to its group (protected or sequence
	// field), -1 when none.
	groupOf []int
	// fn is each field's aggregate function ("" = none).
	fn []string
}

type pgroup struct {
	key     string
	seq     []int
	removes bool
}

func newPartialUpdate(t *tableInfo) (Engine, error) {
	o := t.o
	e := &partialUpdate{t: t, groupOf: make([]int, len(t.fields)), fn: make([]string, len(t.fields))}
	for i := range e.groupOf {
		e.groupOf[i] = -1
	}
	seqFields := map[int]bool{}
	protected := map[int]bool{}
	for _, sg := range o.SequenceGroups {
		g := pgroup{key: sg.Key}
		for _, s := range sg.Sequence {
			i, ok := t.index[s]
			if !ok {
				return nil, &OptionError{Key: sg.Key, Value: s, Column: s, Reason: "sequence field is not a column"}
			}
			g.seq = append(g.seq, i)
		}
		gi := len(e.groups)
		for _, f := range sg.Fields {
			i, ok := t.index[f]
			if !ok {
				return nil, &OptionError{Key: sg.Key, Value: f, Column: f, Reason: "not a column"}
			}
			if protected[i] {
				return nil, &OptionError{Key: sg.Key, Value: f, Column: f, Reason: "column is in more than one sequence group"}
			}
			protected[i] = true
			e.groupOf[i] = gi
		}
		for _, i := range g.seq {
			seqFields[i] = true
			e.groupOf[i] = gi
		}
		e.groups = append(e.groups, g)
	}
	if o.PartialUpdateRemoveOnDelete && o.IgnoreDelete {
		return nil, &OptionError{Key: "partial-update.remove-record-on-delete", Value: "true", Reason: "conflicts with ignore-delete"}
	}
	if len(o.RemoveOnSequenceGroup) > 0 && o.IgnoreDelete {
		return nil, &OptionError{Key: "partial-update.remove-record-on-sequence-group", Reason: "conflicts with ignore-delete"}
	}
	if o.PartialUpdateRemoveOnDelete && len(e.groups) > 0 {
		return nil, &OptionError{Key: "partial-update.remove-record-on-delete", Value: "true", Reason: "conflicts with sequence groups"}
	}
	for _, s := range o.RemoveOnSequenceGroup {
		i, ok := t.index[s]
		if !ok || !seqFields[i] {
			return nil, &OptionError{Key: "partial-update.remove-record-on-sequence-group", Value: s, Column: s, Reason: "not a sequence field of a sequence group"}
		}
		for gi := range e.groups {
			if slices.Contains(e.groups[gi].seq, i) {
				e.groups[gi].removes = true
			}
		}
	}
	for i, f := range t.fields {
		switch {
		case seqFields[i]:
			continue
		case t.pk[f.Name]:
			e.fn[i] = "primary-key"
			continue
		}
		fn := o.Fields[f.Name].AggregateFunction
		key := fieldsPrefix + f.Name + ".aggregate-function"
		if fn == "" {
			fn, key = o.DefaultAggregate, "fields.default-aggregate-function"
		}
		if fn == "" {
			continue
		}
		if fn != "last_non_null_value" && !protected[i] {
			return nil, &OptionError{Key: key, Value: fn, Column: f.Name, Reason: "partial-update aggregates only columns in a sequence group (fields.<seq>.sequence-group)"}
		}
		if _, _, err := newAccumulator(fn, f, o.Fields[f.Name], false); err != nil {
			return nil, err
		}
		e.fn[i] = fn
	}
	return e, nil
}

func (e *partialUpdate) Name() string { return "partial-update" }

func (e *partialUpdate) Traits() Traits { return Traits{} }

func (e *partialUpdate) Accept(k schema.RowKind) (bool, error) {
	if !k.IsRetract() {
		return true, nil
	}
	o := e.t.o
	switch {
	case o.IgnoreDelete:
		return false, nil
	case len(e.groups) > 0:
		// Which groups a retract touches depends on its values
		// (CheckRetract).
		return true, nil
	case o.PartialUpdateRemoveOnDelete:
		return true, nil
	}
	return false, fmt.Errorf("%w: partial-update got %s; set ignore-delete, partial-update.remove-record-on-delete, or sequence groups (fields.<seq>.sequence-group) to accept retracts", ErrRetract, k)
}

func (e *partialUpdate) ReadColumns(cols []string) []string {
	out := slices.Clone(cols)
	for _, c := range cols {
		i, ok := e.t.index[c]
		if !ok || e.groupOf[i] < 0 {
			continue
		}
		for _, s := range e.groups[e.groupOf[i]].seq {
			if n := e.t.fields[s].Name; !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	return out
}

func (e *partialUpdate) Reducer(cols []string) (Reducer, error) {
	idx, err := e.t.layout(cols)
	if err != nil {
		return nil, err
	}
	pos := map[int]int{}
	for c, i := range idx {
		pos[i] = c
	}
	if len(e.groups) == 0 {
		return e.plainReducer(idx), nil
	}
	m := &partialMerger{e: e, groupOf: make([]int, len(idx)), seqOf: make([]bool, len(idx))}
	gmap := map[int]int{} // engine group -> reducer group
	for c, i := range idx {
		f := e.t.fields[i]
		col := &column{name: f.Name, nullable: !f.Type.NotNull}
		// Without sequence groups Paimon ignores aggregate functions: every
		// column takes its last non-null value.
		if fn := e.fn[i]; fn != "" && len(e.groups) > 0 {
			if col.acc, _, err = newAccumulator(fn, f, e.t.o.Fields[f.Name], false); err != nil {
				return nil, err
			}
		}
		m.cols = append(m.cols, col)
		m.groupOf[c] = -1
		gi := e.groupOf[i]
		if gi < 0 {
			continue
		}
		rg, ok := gmap[gi]
		if !ok {
			pg := e.groups[gi]
			sg := &seqGroup{removes: pg.removes}
			for _, s := range pg.seq {
				p, ok := pos[s]
				if !ok {
					return nil, fmt.Errorf("%w: sequence field %s of column %s is not read (use ReadColumns)", ErrOption, e.t.fields[s].Name, f.Name)
				}
				sg.seq = append(sg.seq, p)
				at, err := schema.ToArrow(e.t.fields[s].Type)
				if err != nil {
					return nil, err
				}
				cmp := cellCompare(at)
				if cmp == nil {
					return nil, &OptionError{Key: pg.key, Column: e.t.fields[s].Name, Reason: "sequence field type " + e.t.fields[s].Type.String() + " has no order"}
				}
				sg.cmps = append(sg.cmps, cmp)
			}
			rg = len(m.groups)
			gmap[gi] = rg
			m.groups = append(m.groups, sg)
		}
		m.groupOf[c] = rg
		m.seqOf[c] = slices.Contains(e.groups[gi].seq, i)
	}
	return &computeReducer{cols: m.cols, m: m}, nil
}

// partialMerger is Paimon's PartialUpdateMergeFunction over cells, for
// tables with sequence groups (which exclude remove-record-on-delete; the
// others reduce column by column: plainReducer).
type partialMerger struct {
	e       *partialUpdate
	cols    []*column
	groups  []*seqGroup
	groupOf []int  // by value column; -1 none
	seqOf   []bool // value column is a sequence field of its group

	empty   []int8 // per group: 0 unknown, 1 empty, 2 not empty (per record)
	newer   []int8 // per group: 0 unknown, 1 record not older than the row, 2 older
	updated []bool // per column: sequence field already set by this retract
}

func (m *partialMerger) merge(g *Groups, s, e int) (schema.RowKind, int64, error) {
	o := m.e.t.o
	for _, c := range m.cols {
		c.reset()
	}
	var seq int64
	meetInsert, filled, deleteRow := false, false, false
	for i := s; i < e; i++ {
		deleteRow = false
		k := g.Kinds[i]
		if k.IsRetract() {
			if !filled {
				if err := initRow(m.cols, g, i); err != nil {
					return 0, 0, err
				}
				filled = true
			}
			if o.IgnoreDelete {
				continue
			}
			seq = g.Seqs[i]
			del, err := m.retract(g, i)
			if err != nil {
				return 0, 0, err
			}
			deleteRow = del
			continue
		}
		seq = g.Seqs[i]
		if err := m.update(g, i); err != nil {
			return 0, 0, err
		}
		meetInsert, filled = true, true
	}
	if deleteRow || !meetInsert {
		return schema.Delete, seq, nil
	}
	return schema.Insert, seq, nil
}

// groupEmpty reports (and remembers for record i) whether the group's
// sequence fields are all null.
func (m *partialMerger) groupEmpty(g *Groups, i, gi int) bool {
	switch m.empty[gi] {
	case 1:
		return true
	case 2:
		return false
	}
	if m.groups[gi].empty(g, i) {
		m.empty[gi] = 1
		return true
	}
	m.empty[gi] = 2
	return false
}

func (m *partialMerger) resetRecord() {
	if len(m.empty) != len(m.groups) {
		m.empty = make([]int8, len(m.groups))
		m.newer = make([]int8, len(m.groups))
	}
	clear(m.empty)
	clear(m.newer)
}

// notOlder reports whether record i's group sequence compares ≥ the row's.
// It is decided once per record: setting the group's sequence fields from
// the record (which happens only when it is not older) keeps the answer.
func (m *partialMerger) notOlder(g *Groups, i, gi int) bool {
	switch m.newer[gi] {
	case 1:
		return true
	case 2:
		return false
	}
	if m.groups[gi].compare(m.cols, g, i) >= 0 {
		m.newer[gi] = 1
		return true
	}
	m.newer[gi] = 2
	return false
}

// update is updateWithSequenceGroup.
func (m *partialMerger) update(g *Groups, i int) error {
	m.resetRecord()
	for c, col := range m.cols {
		v := cellOf(g, i, c)
		gi := m.groupOf[c]
		if gi < 0 {
			if col.acc != nil {
				if err := col.acc.agg(v); err != nil {
					return err
				}
			} else if !v.null() {
				col.cur = v
			}
			continue
		}
		if m.groupEmpty(g, i, gi) {
			continue
		}
		sg := m.groups[gi]
		if m.notOlder(g, i, gi) {
			if m.seqOf[c] {
				for _, sc := range sg.seq {
					m.cols[sc].cur = cellOf(g, i, sc)
				}
				continue
			}
			if col.acc == nil {
				col.cur = v
			} else if err := col.acc.agg(v); err != nil {
				return err
			}
		} else if col.acc != nil {
			if err := col.acc.aggReversed(v); err != nil {
				return err
			}
		}
	}
	return nil
}

// retract is retractWithSequenceGroup; it reports a whole-row delete
// (partial-update.remove-record-on-sequence-group).
func (m *partialMerger) retract(g *Groups, i int) (bool, error) {
	m.resetRecord()
	if len(m.updated) != len(m.cols) {
		m.updated = make([]bool, len(m.cols))
	}
	clear(m.updated)
	for c, col := range m.cols {
		gi := m.groupOf[c]
		if gi < 0 || m.groupEmpty(g, i, gi) {
			continue
		}
		sg := m.groups[gi]
		v := cellOf(g, i, c)
		if m.notOlder(g, i, gi) {
			if m.seqOf[c] {
				for _, sc := range sg.seq {
					if m.updated[sc] {
						continue
					}
					if g.Kinds[i] == schema.Delete && sg.removes {
						return true, initRow(m.cols, g, i)
					}
					m.cols[sc].cur = cellOf(g, i, sc)
					m.updated[sc] = true
				}
				continue
			}
			if col.acc == nil {
				col.cur = nullCell
			} else if err := col.acc.retract(v); err != nil {
				return false, err
			}
		} else if col.acc != nil {
			if err := col.acc.retract(v); err != nil {
				return false, err
			}
		}
	}
	return false, nil
}

// plainReducer reduces partial-update without sequence groups column by
// column: every column takes its last non-null insert (Paimon ignores
// aggregate functions there).
func (e *partialUpdate) plainReducer(idx []int) Reducer {
	o := e.t.o
	r := &colReducer{}
	for _, i := range idx {
		f := e.t.fields[i]
		r.cols = append(r.cols, &column{name: f.Name, nullable: !f.Type.NotNull})
	}
	r.result = func(g *Groups, s, end int) (schema.RowKind, int64, error) {
		var seq int64
		meetInsert, deleteRow := false, false
		for i := s; i < end; i++ {
			deleteRow = false
			k := g.Kinds[i]
			switch {
			case !k.IsRetract():
				seq, meetInsert = g.Seqs[i], true
			case o.IgnoreDelete:
			case o.PartialUpdateRemoveOnDelete:
				seq, deleteRow = g.Seqs[i], k == schema.Delete
			default:
				_, err := e.Accept(k)
				return 0, 0, err
			}
		}
		if deleteRow || !meetInsert {
			return schema.Delete, seq, nil
		}
		return schema.Insert, seq, nil
	}
	r.fold = func(col *column, g *Groups, s, end, c int) error {
		col.reset()
		filled := false
		for i := s; i < end; i++ {
			v := cellOf(g, i, c)
			k := g.Kinds[i]
			if k.IsRetract() {
				if !filled || o.PartialUpdateRemoveOnDelete && !o.IgnoreDelete && k == schema.Delete {
					// The first record seeds the row; a delete resets it.
					if !col.nullable && v.null() {
						return fmt.Errorf("%w: column %s", ErrNull, col.name)
					}
					col.cur, filled = v, true
				}
				continue
			}
			if !v.null() {
				col.cur = v
			} else if !col.nullable {
				return fmt.Errorf("%w: column %s", ErrNull, col.name)
			}
			filled = true
		}
		return nil
	}
	return r
}

// CheckRetract implements RetractChecker: a retract that carries a
// group's sequence fields retracts that group's aggregate functions, which
// must support retraction.
func (e *partialUpdate) CheckRetract(cols []arrow.Array, row int) error {
	if len(e.groups) == 0 || e.t.o.IgnoreDelete {
		return nil
	}
	for gi, g := range e.groups {
		empty := true
		for _, s := range g.seq {
			if s < len(cols) && cols[s].IsValid(row) {
				empty = false
				break
			}
		}
		if empty {
			continue
		}
		for i, fn := range e.fn {
			if e.groupOf[i] != gi || fn == "" || fn == "primary-key" {
				continue
			}
			f := e.t.fields[i]
			if fo := e.t.o.Fields[f.Name]; !fo.IgnoreRetract && !aggFuncs[fn].retracts {
				return fmt.Errorf("%w: a retract of sequence group %s retracts column %s, whose aggregate function %s does not support retraction (set fields.%s.ignore-retract=true)",
					ErrRetract, g.key, f.Name, fn, f.Name)
			}
		}
	}
	return nil
}
