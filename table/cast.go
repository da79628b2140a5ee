package table

import "github.com/floelake/floe/schema"

// Paimon's type families (DataTypeFamily), as far as the cast rules use them.
type family uint16

const (
	famPredefined family = 1 << iota
	famConstructed
	famCharString
	famBinaryString
	famNumeric
	famIntegerNumeric
	famApproxNumeric
	famExactNumeric
	famDatetime
	famTime
	famTimestamp
)

func families(k schema.Kind) family {
	switch k {
	case schema.Char, schema.VarChar:
		return famPredefined | famCharString
	case schema.Boolean, schema.Variant, schema.Blob:
		return famPredefined
	case schema.Binary, schema.VarBinary:
		return famPredefined | famBinaryString
	case schema.Decimal:
		return famPredefined | famNumeric | famExactNumeric
	case schema.TinyInt, schema.SmallInt, schema.Int, schema.BigInt:
		return famPredefined | famNumeric | famIntegerNumeric | famExactNumeric
	case schema.Float, schema.Double:
		return famPredefined | famNumeric | famApproxNumeric
	case schema.Date:
		return famPredefined | famDatetime
	case schema.Time:
		return famPredefined | famDatetime | famTime
	case schema.Timestamp, schema.TimestampLTZ:
		return famPredefined | famDatetime | famTimestamp
	case schema.Array, schema.Vector, schema.Multiset, schema.Map, schema.Row:
		return famConstructed
	}
	return 0
}

// castRule is one target's row of Paimon's DataTypeCasts: the roots and
// families it casts from implicitly and explicitly.
type castRule struct {
	implicit    []schema.Kind
	implicitFam family
	explicit    []schema.Kind
	explicitFam family
}

var tsKinds = []schema.Kind{schema.Timestamp, schema.TimestampLTZ}

var castRules = map[schema.Kind]castRule{
	schema.Char:         {implicit: []schema.Kind{schema.Char}, explicitFam: famPredefined | famConstructed},
	schema.VarChar:      {implicitFam: famCharString, explicitFam: famPredefined | famConstructed},
	schema.Boolean:      {implicit: []schema.Kind{schema.Boolean}, explicitFam: famCharString | famIntegerNumeric},
	schema.Binary:       {implicit: []schema.Kind{schema.Binary}, explicitFam: famCharString, explicit: []schema.Kind{schema.VarBinary}},
	schema.VarBinary:    {implicitFam: famBinaryString, explicitFam: famCharString, explicit: []schema.Kind{schema.Binary}},
	schema.Decimal:      {implicitFam: famNumeric, explicitFam: famCharString, explicit: append([]schema.Kind{schema.Boolean}, tsKinds...)},
	schema.TinyInt:      {implicit: []schema.Kind{schema.TinyInt}, explicitFam: famNumeric | famCharString, explicit: append([]schema.Kind{schema.Boolean}, tsKinds...)},
	schema.SmallInt:     {implicit: []schema.Kind{schema.TinyInt, schema.SmallInt}, explicitFam: famNumeric | famCharString, explicit: append([]schema.Kind{schema.Boolean}, tsKinds...)},
	schema.Int:          {implicit: []schema.Kind{schema.TinyInt, schema.SmallInt, schema.Int}, explicitFam: famNumeric | famCharString, explicit: append([]schema.Kind{schema.Boolean}, tsKinds...)},
	schema.BigInt:       {implicit: []schema.Kind{schema.TinyInt, schema.SmallInt, schema.Int, schema.BigInt}, explicitFam: famNumeric | famCharString, explicit: append([]schema.Kind{schema.Boolean}, tsKinds...)},
	schema.Float:        {implicit: []schema.Kind{schema.TinyInt, schema.SmallInt, schema.Int, schema.BigInt, schema.Float, schema.Decimal}, explicitFam: famNumeric | famCharString, explicit: append([]schema.Kind{schema.Boolean}, tsKinds...)},
	schema.Double:       {implicitFam: famNumeric, explicitFam: famCharString, explicit: append([]schema.Kind{schema.Boolean}, tsKinds...)},
	schema.Date:         {implicit: []schema.Kind{schema.Date, schema.Timestamp}, explicitFam: famTimestamp | famCharString},
	schema.Time:         {implicit: []schema.Kind{schema.Time, schema.Timestamp}, explicitFam: famTime | famTimestamp | famCharString},
	schema.Timestamp:    {implicit: tsKinds, explicitFam: famDatetime | famCharString | famNumeric},
	schema.TimestampLTZ: {implicit: tsKinds, explicitFam: famDatetime | famCharString | famNumeric},
}

// supportsCast is Paimon's DataTypeCasts.supportsCast: implicit casts
// (widening) always, explicit ones (the SQL CAST table) when allowExplicit.
// Casts are decided by type root; parameters (lengths, precisions) do not
// matter, as in Paimon.
func supportsCast(from, to schema.DataType, allowExplicit bool) bool {
	if !from.NotNull && to.NotNull && !allowExplicit {
		return false
	}
	if sameIgnoringNull(from, to) || from.Kind == to.Kind {
		return true // identity casts hold for every root
	}
	r, ok := castRules[to.Kind]
	if !ok {
		return false
	}
	in := func(kinds []schema.Kind, fam family) bool {
		for _, k := range kinds {
			if k == from.Kind {
				return true
			}
		}
		return families(from.Kind)&fam != 0
	}
	if in(r.implicit, r.implicitFam) {
		return true
	}
	return allowExplicit && in(r.explicit, r.explicitFam)
}

func sameIgnoringNull(a, b schema.DataType) bool {
	a.NotNull, b.NotNull = false, false
	return a.String() == b.String()
}

// castExecutorExists reports whether Paimon's CastExecutors has a rule to
// convert from into to (ALTER refuses a type change without one, even when
// supportsCast allows it).
func castExecutorExists(from, to schema.DataType) bool {
	ff, tf := families(from.Kind), families(to.Kind)
	isString := to.Kind == schema.VarChar && to.Length == schema.MaxLength
	numPrim := famIntegerNumeric | famApproxNumeric
	switch {
	case from.Kind == schema.Decimal && to.Kind == schema.Decimal:
	case ff&numPrim != 0 && to.Kind == schema.Decimal:
	case from.Kind == schema.Decimal && tf&numPrim != 0:
	case ff&numPrim != 0 && tf&numPrim != 0:
	case ff&famNumeric != 0 && (to.Kind == schema.Timestamp || to.Kind == schema.TimestampLTZ):
	case from.Kind == schema.Boolean && tf&famNumeric != 0:
	case ff&famIntegerNumeric != 0 && to.Kind == schema.Boolean:
	case ff&famNumeric != 0 && tf&famCharString != 0:
	case from.Kind == schema.Boolean && tf&famCharString != 0:
	case ff&famTimestamp != 0 && isString:
	case (from.Kind == schema.Time || from.Kind == schema.Date) && isString:
	case ff&famCharString != 0 && tf&famCharString != 0:
	case (from.Kind == schema.Array || from.Kind == schema.Map || from.Kind == schema.Row) && tf&famCharString != 0:
	case ff&famCharString != 0 && (to.Kind == schema.Boolean || to.Kind == schema.Decimal || tf&numPrim != 0 ||
		to.Kind == schema.Date || to.Kind == schema.Time || tf&famTimestamp != 0 || tf&famBinaryString != 0 ||
		to.Kind == schema.Array || to.Kind == schema.Map || to.Kind == schema.Row):
	case ff&famTimestamp != 0 && (tf&famTimestamp != 0 || to.Kind == schema.Date || to.Kind == schema.Time || to.Kind == schema.BigInt || to.Kind == schema.Int):
	case (from.Kind == schema.Date || from.Kind == schema.Time) && tf&famTimestamp != 0:
	case ff&famBinaryString != 0 && (tf&famBinaryString != 0 || tf&famCharString != 0):
	default:
		return false
	}
	return true
}
