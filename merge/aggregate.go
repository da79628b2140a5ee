package merge

import (
	"fmt"

	"github.com/floelake/floe/schema"
)

// aggregation is the aggregation merge engine: every non-key column folds
// with its aggregate function.
type aggregation struct {
	t        *tableInfo
	fn       []string // by table field
	retracts []bool   // the column's function (or ignore-retract) takes retracts
}

// aggFuncName is Paimon's AggregateMergeFunction.getAggFuncName.
func (t *tableInfo) aggFuncName(f schema.Field) (fn, key string) {
	switch {
	case t.seq[f.Name]:
		return "last_value", "sequence.field"
	case t.pk[f.Name]:
		return "primary-key", "primary-key"
	}
	if fn := t.o.Fields[f.Name].AggregateFunction; fn != "" {
		return fn, fieldsPrefix + f.Name + ".aggregate-function"
	}
	if t.o.DefaultAggregate != "" {
		return t.o.DefaultAggregate, "fields.default-aggregate-function"
	}
	return "last_non_null_value", ""
}

func newAggregation(t *tableInfo) (Engine, error) {
	e := &aggregation{t: t}
	for _, f := range t.fields {
		fn, key := t.aggFuncName(f)
		_, r, err := newAccumulator(fn, f, t.o.Fields[f.Name], t.o.AggregationRemoveOnDelete)
		if err != nil {
			if oe, ok := err.(*OptionError); ok && key != "" && oe.Key == fieldsPrefix+f.Name+".aggregate-function" {
				oe.Key = key
			}
			return nil, err
		}
		e.fn = append(e.fn, fn)
		e.retracts = append(e.retracts, r)
	}
	return e, nil
}

func (e *aggregation) Name() string { return "aggregation" }

func (e *aggregation) Traits() Traits { return Traits{KeepsDeletes: true} }

func (e *aggregation) Accept(k schema.RowKind) (bool, error) {
	if !k.IsRetract() {
		return true, nil
	}
	if e.t.o.IgnoreDelete {
		return false, nil
	}
	if k == schema.Delete && e.t.o.AggregationRemoveOnDelete {
		return true, nil
	}
	for i, ok := range e.retracts {
		if !ok {
			f := e.t.fields[i].Name
			return false, fmt.Errorf("%w: aggregation got %s, and aggregate function %s of column %s does not support retraction (set fields.%s.ignore-retract=true)",
				ErrRetract, k, e.fn[i], f, f)
		}
	}
	return true, nil
}

func (e *aggregation) ReadColumns(cols []string) []string { return cols }

func (e *aggregation) Reducer(cols []string) (Reducer, error) {
	idx, err := e.t.layout(cols)
	if err != nil {
		return nil, err
	}
	m := &aggMerger{removeOnDelete: e.t.o.AggregationRemoveOnDelete}
	for _, i := range idx {
		f := e.t.fields[i]
		acc, _, err := newAccumulator(e.fn[i], f, e.t.o.Fields[f.Name], e.t.o.AggregationRemoveOnDelete)
		if err != nil {
			return nil, err
		}
		m.cols = append(m.cols, &column{field: i, name: f.Name, nullable: !f.Type.NotNull, acc: acc})
	}
	return &computeReducer{cols: m.cols, m: m}, nil
}

// aggMerger is Paimon's AggregateMergeFunction over cells.
type aggMerger struct {
	cols           []*column
	removeOnDelete bool
}

func (m *aggMerger) merge(g *Groups, s, e int) (schema.RowKind, int64, error) {
	for _, c := range m.cols {
		c.acc.reset()
	}
	deleteRow := false
	for i := s; i < e; i++ {
		k := g.Kinds[i]
		deleteRow = m.removeOnDelete && k == schema.Delete
		if deleteRow {
			if err := initRow(m.cols, g, i); err != nil {
				return 0, 0, err
			}
			continue
		}
		for c, col := range m.cols {
			v := cellOf(g, i, c)
			var err error
			if k.IsRetract() {
				err = col.acc.retract(v)
			} else {
				err = col.acc.agg(v)
			}
			if err != nil {
				return 0, 0, err
			}
		}
	}
	if deleteRow {
		return schema.Delete, g.Seqs[e-1], nil
	}
	return schema.Insert, g.Seqs[e-1], nil
}
