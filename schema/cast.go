package schema

// Paimon's two cast tables. DataTypeCasts says which type changes ALTER
// TABLE allows (SupportsCast); CastExecutors says how values convert
// (HasCastRule, CastArray). ALTER needs both.

// family is a Paimon type family (DataTypeFamily), as a bit.
type family uint16

const (
	famPredefined family = 1 << iota
	famConstructed
	famCharString
	famBinaryString
	famNumeric
	famIntegerNumeric
	famExactNumeric
	famApproxNumeric
	famDatetime
	famTime
	famTimestamp
	famCollection
	famExtension
)

// families returns the families of a type root (DataTypeRoot's list).
func families(k Kind) family {
	switch k {
	case Char, VarChar:
		return famPredefined | famCharString
	case Boolean, Variant, Blob:
		return famPredefined
	case Binary, VarBinary:
		return famPredefined | famBinaryString
	case Decimal:
		return famPredefined | famNumeric | famExactNumeric
	case TinyInt, SmallInt, Int, BigInt:
		return famPredefined | famNumeric | famIntegerNumeric | famExactNumeric
	case Float, Double:
		return famPredefined | famNumeric | famApproxNumeric
	case Date:
		return famPredefined | famDatetime
	case Time:
		return famPredefined | famDatetime | famTime
	case Timestamp:
		return famPredefined | famDatetime | famTimestamp
	case TimestampLTZ:
		return famPredefined | famDatetime | famTimestamp | famExtension
	case Array, Vector, Multiset:
		return famConstructed | famCollection
	case Map:
		return famConstructed | famExtension
	case Row:
		return famConstructed
	}
	return 0
}

// castRule is one target's row of DataTypeCasts: the roots and families
// it casts from implicitly and explicitly.
type castRule struct {
	implicit    []Kind
	implicitFam family
	explicit    []Kind
	explicitFam family
}

var tsKinds = []Kind{Timestamp, TimestampLTZ}

var castRules = map[Kind]castRule{
	Char:         {implicit: []Kind{Char}, explicitFam: famPredefined | famConstructed},
	VarChar:      {implicitFam: famCharString, explicitFam: famPredefined | famConstructed},
	Boolean:      {implicit: []Kind{Boolean}, explicitFam: famCharString | famIntegerNumeric},
	Binary:       {implicit: []Kind{Binary}, explicitFam: famCharString, explicit: []Kind{VarBinary}},
	VarBinary:    {implicitFam: famBinaryString, explicitFam: famCharString, explicit: []Kind{Binary}},
	Decimal:      {implicitFam: famNumeric, explicitFam: famCharString, explicit: append([]Kind{Boolean}, tsKinds...)},
	TinyInt:      {implicit: []Kind{TinyInt}, explicitFam: famNumeric | famCharString, explicit: append([]Kind{Boolean}, tsKinds...)},
	SmallInt:     {implicit: []Kind{TinyInt, SmallInt}, explicitFam: famNumeric | famCharString, explicit: append([]Kind{Boolean}, tsKinds...)},
	Int:          {implicit: []Kind{TinyInt, SmallInt, Int}, explicitFam: famNumeric | famCharString, explicit: append([]Kind{Boolean}, tsKinds...)},
	BigInt:       {implicit: []Kind{TinyInt, SmallInt, Int, BigInt}, explicitFam: famNumeric | famCharString, explicit: append([]Kind{Boolean}, tsKinds...)},
	Float:        {implicit: []Kind{TinyInt, SmallInt, Int, BigInt, Float, Decimal}, explicitFam: famNumeric | famCharString, explicit: append([]Kind{Boolean}, tsKinds...)},
	Double:       {implicitFam: famNumeric, explicitFam: famCharString, explicit: append([]Kind{Boolean}, tsKinds...)},
	Date:         {implicit: []Kind{Date, Timestamp}, explicitFam: famTimestamp | famCharString},
	Time:         {implicit: []Kind{Time, Timestamp}, explicitFam: famTime | famTimestamp | famCharString},
	Timestamp:    {implicit: tsKinds, explicitFam: famDatetime | famCharString | famNumeric},
	TimestampLTZ: {implicit: tsKinds, explicitFam: famDatetime | famCharString | famNumeric},
}

// SupportsCast is Paimon's DataTypeCasts.supportsCast: whether a column of
// type from may become type to. Implicit casts (widening, "without losing
// information") are always allowed; explicit ones (the SQL CAST table) when
// allowExplicit. Only type roots matter, not lengths or precisions; a
// nullable type goes to NOT NULL only explicitly. ALTER TABLE also needs
// HasCastRule.
func SupportsCast(from, to DataType, allowExplicit bool) bool {
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
	in := func(kinds []Kind, fam family) bool {
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

func sameIgnoringNull(a, b DataType) bool {
	a.NotNull, b.NotNull = false, false
	return a.String() == b.String()
}

// rule is one of Paimon's cast rules (CastExecutors).
type rule uint8

const (
	ruleNone rule = iota
	ruleDecimalToDecimal
	ruleNumericToDecimal // integer and approximate numerics
	ruleDecimalToNumeric
	ruleNumericPrimitive
	ruleNumericToTimestamp
	ruleBooleanToNumeric
	ruleNumericToBoolean
	ruleNumericToString
	ruleBooleanToString
	ruleTimestampToString
	ruleTimeToString
	ruleDateToString
	ruleStringToString
	ruleArrayToString
	ruleMapToString
	ruleRowToString
	ruleStringToBoolean
	ruleStringToDecimal
	ruleStringToNumeric
	ruleStringToDate
	ruleStringToTime
	ruleStringToTimestamp
	ruleStringToBinary
	ruleStringToArray
	ruleStringToMap
	ruleStringToRow
	ruleTimestampToTimestamp
	ruleTimestampToDate
	ruleTimestampToTime
	ruleDateToTimestamp
	ruleTimeToTimestamp
	ruleTimestampToNumeric
	ruleBinaryToBinary
	ruleBinaryToString
)

// ruleDef is a rule's predicate: input roots and families; target roots,
// families, and the one exact target type Paimon keys some rules by
// (nullable STRING).
type ruleDef struct {
	r             rule
	inKinds       []Kind
	inFam         family
	toKinds       []Kind
	toFam         family
	toExactString bool // target exactly STRING (nullable)
}

// ruleDefs in CastExecutors' registration order: a later rule replaces an
// earlier one registered for the same (target, input) key.
var ruleDefs = []ruleDef{
	{r: ruleDecimalToDecimal, inKinds: []Kind{Decimal}, toKinds: []Kind{Decimal}},
	{r: ruleNumericToDecimal, inFam: famIntegerNumeric | famApproxNumeric, toKinds: []Kind{Decimal}},
	{r: ruleDecimalToNumeric, inKinds: []Kind{Decimal}, toFam: famIntegerNumeric | famApproxNumeric},
	{r: ruleNumericPrimitive, inFam: famIntegerNumeric | famApproxNumeric, toFam: famIntegerNumeric | famApproxNumeric},
	{r: ruleNumericToTimestamp, inFam: famNumeric, toKinds: tsKinds},
	{r: ruleBooleanToNumeric, inKinds: []Kind{Boolean}, toFam: famNumeric},
	{r: ruleNumericToBoolean, inFam: famIntegerNumeric, toKinds: []Kind{Boolean}},
	{r: ruleNumericToString, inFam: famNumeric, toFam: famCharString},
	{r: ruleBooleanToString, inKinds: []Kind{Boolean}, toFam: famCharString},
	{r: ruleTimestampToString, inFam: famTimestamp, toExactString: true},
	{r: ruleTimeToString, inKinds: []Kind{Time}, toExactString: true},
	{r: ruleDateToString, inKinds: []Kind{Date}, toExactString: true},
	{r: ruleStringToString, inFam: famCharString, toFam: famCharString},
	{r: ruleArrayToString, inKinds: []Kind{Array}, toFam: famCharString},
	{r: ruleMapToString, inKinds: []Kind{Map}, toFam: famCharString},
	{r: ruleRowToString, inKinds: []Kind{Row}, toFam: famCharString},
	{r: ruleStringToBoolean, inFam: famCharString, toKinds: []Kind{Boolean}},
	{r: ruleStringToDecimal, inFam: famCharString, toKinds: []Kind{Decimal}},
	{r: ruleStringToNumeric, inFam: famCharString, toFam: famIntegerNumeric | famApproxNumeric},
	{r: ruleStringToDate, inFam: famCharString, toKinds: []Kind{Date}},
	{r: ruleStringToTime, inFam: famCharString, toKinds: []Kind{Time}},
	{r: ruleStringToTimestamp, inFam: famCharString, toFam: famTimestamp},
	{r: ruleStringToBinary, inFam: famCharString, toFam: famBinaryString},
	{r: ruleStringToArray, inFam: famCharString, toKinds: []Kind{Array}},
	{r: ruleStringToMap, inFam: famCharString, toKinds: []Kind{Map}},
	{r: ruleStringToRow, inFam: famCharString, toKinds: []Kind{Row}},
	{r: ruleTimestampToTimestamp, inKinds: tsKinds, toKinds: tsKinds},
	{r: ruleTimestampToDate, inKinds: tsKinds, toKinds: []Kind{Date}},
	{r: ruleTimestampToTime, inKinds: tsKinds, toKinds: []Kind{Time}},
	{r: ruleDateToTimestamp, inKinds: []Kind{Date}, toKinds: tsKinds},
	{r: ruleTimeToTimestamp, inKinds: []Kind{Time}, toKinds: tsKinds},
	{r: ruleTimestampToNumeric, inKinds: tsKinds, toKinds: []Kind{BigInt, Int}},
	{r: ruleBinaryToBinary, inFam: famBinaryString, toFam: famBinaryString},
	{r: ruleBinaryToString, inFam: famBinaryString, toFam: famCharString},
}

// ruleKey is a key of CastExecutors' lookup maps: a root, a family, or the
// exact STRING type.
type ruleKey struct {
	kind   Kind
	fam    family
	string bool
}

var ruleTable = func() map[ruleKey]map[ruleKey]rule {
	m := map[ruleKey]map[ruleKey]rule{}
	for _, d := range ruleDefs {
		var targets, inputs []ruleKey
		if d.toExactString {
			targets = append(targets, ruleKey{string: true})
		}
		for _, k := range d.toKinds {
			targets = append(targets, ruleKey{kind: k})
		}
		for f := family(1); f != 0 && f <= famExtension; f <<= 1 {
			if d.toFam&f != 0 {
				targets = append(targets, ruleKey{fam: f})
			}
			if d.inFam&f != 0 {
				inputs = append(inputs, ruleKey{fam: f})
			}
		}
		for _, k := range d.inKinds {
			inputs = append(inputs, ruleKey{kind: k})
		}
		for _, t := range targets {
			if m[t] == nil {
				m[t] = map[ruleKey]rule{}
			}
			for _, in := range inputs {
				m[t][in] = d.r
			}
		}
	}
	return m
}()

// resolveRule is CastExecutors' lookup: targets by exact type (nullable
// STRING), then root, then families in declaration order; within a
// target, inputs by root, then families. The first match wins.
func resolveRule(from, to DataType) rule {
	var targets []ruleKey
	if to.Kind == VarChar && to.Length == MaxLength && !to.NotNull {
		targets = append(targets, ruleKey{string: true})
	}
	targets = append(targets, ruleKey{kind: to.Kind})
	for f := family(1); f <= famExtension; f <<= 1 {
		if families(to.Kind)&f != 0 {
			targets = append(targets, ruleKey{fam: f})
		}
	}
	for _, t := range targets {
		m := ruleTable[t]
		if m == nil {
			continue
		}
		if r, ok := m[ruleKey{kind: from.Kind}]; ok {
			return r
		}
		for f := family(1); f <= famExtension; f <<= 1 {
			if families(from.Kind)&f != 0 {
				if r, ok := m[ruleKey{fam: f}]; ok {
					return r
				}
			}
		}
	}
	return ruleNone
}

// HasCastRule reports whether Paimon's CastExecutors converts values of
// type from to type to: a rule matches and builds an executor (some rules
// match but build none, for example TINYINT to TIMESTAMP, where only INT
// and BIGINT convert). ALTER TABLE refuses a type change without one, even
// when SupportsCast allows it. Rules keyed by the exact type STRING (from
// DATE, TIME and TIMESTAMP) do not match STRING NOT NULL, as in Paimon.
func HasCastRule(from, to DataType) bool {
	switch resolveRule(from, to) {
	case ruleNone:
		return false
	case ruleNumericToTimestamp:
		return from.Kind == Int || from.Kind == BigInt
	}
	return true
}
