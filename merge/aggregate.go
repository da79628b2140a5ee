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

func (e *aggregation) Traits() Traits { return Traits{} }

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
	removeOnDelete := e.t.o.AggregationRemoveOnDelete
	r := &colReducer{}
	for _, i := range idx {
		f := e.t.fields[i]
		acc, _, err := newAccumulator(e.fn[i], f, e.t.o.Fields[f.Name], removeOnDelete)
		if err != nil {
			return nil, err
		}
		r.cols = append(r.cols, &column{name: f.Name, nullable: !f.Type.NotNull, acc: acc})
	}
	r.result = func(g *Groups, s, e int) (schema.RowKind, int64, error) {
		if removeOnDelete && g.Kinds[e-1] == schema.Delete {
			return schema.Delete, g.Seqs[e-1], nil
		}
		return schema.Insert, g.Seqs[e-1], nil
	}
	// fold is Paimon's AggregateMergeFunction for one column: a -D with
	// remove-record-on-delete resets the value to the delete's.
	r.fold = func(col *column, g *Groups, s, e, c int) error {
		col.acc.reset()
		for i := s; i < e; i++ {
			v := cellOf(g, i, c)
			var err error
			switch k := g.Kinds[i]; {
			case removeOnDelete && k == schema.Delete:
				if !col.nullable && v.null() {
					return fmt.Errorf("%w: column %s", ErrNull, col.name)
				}
				col.acc.set(v)
			case k.IsRetract():
				err = col.acc.retract(v)
			default:
				err = col.acc.agg(v)
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
	return r, nil
}
