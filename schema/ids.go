package schema

// Field ids Paimon reserves for system columns in data files (they never
// appear in schema files).
const (
	// KeyFieldIDStart + field id is the id of the _KEY_<name> copy of a
	// primary-key column.
	KeyFieldIDStart       = 1<<30 - 1 // Integer.MAX_VALUE / 2
	SequenceNumberFieldID = 1<<31 - 2 // _SEQUENCE_NUMBER
	ValueKindFieldID      = 1<<31 - 3 // _VALUE_KIND
	LevelFieldID          = 1<<31 - 4 // _LEVEL
	RowKindFieldID        = 1<<31 - 5 // rowkind (audit log)
	RowIDFieldID          = 1<<31 - 6 // _ROW_ID
	KeyFieldPrefix        = "_KEY_"
	structuredFieldIDBase = 1<<29 - 1 // Integer.MAX_VALUE / 4
	structuredDepthLimit  = 1 << 10
)

// ArrayElementFieldID is the Parquet field id Paimon gives the element of
// an ARRAY (or MULTISET/VECTOR) nested depth levels below the named field
// with id fieldID. Arithmetic wraps like Java's int.
func ArrayElementFieldID(fieldID, depth int) int {
	return int(int32(structuredFieldIDBase) + int32(fieldID)*structuredDepthLimit + int32(depth))
}

// MapKeyFieldID is the Parquet field id of a MAP key (see ArrayElementFieldID).
func MapKeyFieldID(fieldID, depth int) int {
	return int(int32(structuredFieldIDBase) - int32(fieldID)*structuredDepthLimit - int32(depth))
}

// MapValueFieldID is the Parquet field id of a MAP value (see ArrayElementFieldID).
func MapValueFieldID(fieldID, depth int) int {
	return ArrayElementFieldID(fieldID, depth)
}

// HighestFieldID returns the largest field id among fields and every field
// nested in their types (ROW fields, also inside ARRAY, MAP, MULTISET and
// VECTOR), or -1 when there are none.
func HighestFieldID(fields []Field) int {
	h := -1
	for _, f := range fields {
		h = max(h, f.ID, highestInType(f.Type))
	}
	return h
}

func highestInType(t DataType) int {
	h := -1
	switch t.Kind {
	case Array, Multiset, Vector:
		if t.Elem != nil {
			h = highestInType(*t.Elem)
		}
	case Map:
		if t.Key != nil {
			h = highestInType(*t.Key)
		}
		if t.Value != nil {
			h = max(h, highestInType(*t.Value))
		}
	case Row:
		h = HighestFieldID(t.Fields)
	}
	return h
}

// AssignFieldIDs returns a deep copy of fields with ids assigned
// depth-first from next: each field takes the next id before the fields
// nested in its type (so `a INT, b ROW<x INT, y INT>, c INT` numbers a=0,
// b=1, x=2, y=3, c=4, as Paimon does). It also returns the first unused id.
func AssignFieldIDs(fields []Field, next int) ([]Field, int) {
	out := make([]Field, len(fields))
	for i, f := range fields {
		f.ID = next
		next++
		f.Type, next = assignInType(f.Type, next)
		out[i] = f
	}
	return out, next
}

func assignInType(t DataType, next int) (DataType, int) {
	switch t.Kind {
	case Array, Multiset, Vector:
		if t.Elem != nil {
			var e DataType
			e, next = assignInType(*t.Elem, next)
			t.Elem = &e
		}
	case Map:
		if t.Key != nil {
			var k DataType
			k, next = assignInType(*t.Key, next)
			t.Key = &k
		}
		if t.Value != nil {
			var v DataType
			v, next = assignInType(*t.Value, next)
			t.Value = &v
		}
	case Row:
		t.Fields, next = AssignFieldIDs(t.Fields, next)
	}
	return t, next
}
