package schema

import (
	"fmt"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
)

// FieldIDKey is the Arrow field metadata key that carries a Paimon field id,
// the key pqarrow reads and writes as the Parquet field_id.
const FieldIDKey = "PARQUET:field_id"

// ToArrow returns the Arrow type for a Paimon type:
//
//	BOOLEAN               Boolean
//	TINYINT … BIGINT      Int8, Int16, Int32, Int64
//	FLOAT, DOUBLE         Float32, Float64
//	DECIMAL(p, s)         Decimal128(p, s)
//	CHAR, VARCHAR, STRING String (not LargeString; Paimon strings are < 2 GiB)
//	BINARY(n)             FixedSizeBinary(n)
//	VARBINARY, BYTES      Binary
//	DATE                  Date32
//	TIME(p)               Time32(ms) for p ≤ 3, Time64(µs) for p ≤ 6, else Time64(ns)
//	TIMESTAMP(p)          Timestamp without zone: ms for p ≤ 3, µs for p ≤ 6, else ns
//	TIMESTAMP_LTZ(p)      the same units with zone "UTC"
//	ARRAY<T>              List (element "element")
//	MAP<K, V>             Map (keys are never null in Arrow)
//	MULTISET<T>           Map<T, Int32 NOT NULL> (element → count), as Paimon stores it
//	ROW<…>                Struct, each child carrying its field id (FieldIDKey)
//	VECTOR<T, n>          FixedSizeList(n) of T
//	VARIANT, BLOB         Binary (VARIANT as its encoded bytes)
//
// Nullability of the type itself goes on the enclosing arrow.Field; nested
// element/value nullability is carried inside the Arrow type.
func ToArrow(t DataType) (arrow.DataType, error) {
	return toArrow(t, -1, 0)
}

// toArrow converts t; fieldID/depth (fieldID ≥ 0) make list elements and
// map keys/values carry Paimon's derived Parquet field ids.
func toArrow(t DataType, fieldID, depth int) (arrow.DataType, error) {
	switch t.Kind {
	case Boolean:
		return arrow.FixedWidthTypes.Boolean, nil
	case TinyInt:
		return arrow.PrimitiveTypes.Int8, nil
	case SmallInt:
		return arrow.PrimitiveTypes.Int16, nil
	case Int:
		return arrow.PrimitiveTypes.Int32, nil
	case BigInt:
		return arrow.PrimitiveTypes.Int64, nil
	case Float:
		return arrow.PrimitiveTypes.Float32, nil
	case Double:
		return arrow.PrimitiveTypes.Float64, nil
	case Decimal:
		if t.Precision < MinDecimalPrecision || t.Precision > MaxDecimalPrecision {
			return nil, fmt.Errorf("%w: %s", ErrInvalidType, t)
		}
		return &arrow.Decimal128Type{Precision: int32(t.Precision), Scale: int32(t.Scale)}, nil
	case Char, VarChar:
		return arrow.BinaryTypes.String, nil
	case Binary:
		if t.Length < 1 {
			return nil, fmt.Errorf("%w: %s", ErrInvalidType, t)
		}
		return &arrow.FixedSizeBinaryType{ByteWidth: t.Length}, nil
	case VarBinary, Variant, Blob:
		return arrow.BinaryTypes.Binary, nil
	case Date:
		return arrow.FixedWidthTypes.Date32, nil
	case Time:
		switch {
		case t.Precision <= 3:
			return arrow.FixedWidthTypes.Time32ms, nil
		case t.Precision <= 6:
			return arrow.FixedWidthTypes.Time64us, nil
		default:
			return arrow.FixedWidthTypes.Time64ns, nil
		}
	case Timestamp, TimestampLTZ:
		ts := &arrow.TimestampType{Unit: timeUnit(t.Precision)}
		if t.Kind == TimestampLTZ {
			ts.TimeZone = "UTC"
		}
		return ts, nil
	case Array, Vector:
		if t.Elem == nil {
			return nil, fmt.Errorf("%w: %s without element", ErrInvalidType, kindName(t.Kind))
		}
		f, err := arrowChild("element", *t.Elem, fieldID, depth+1, ArrayElementFieldID)
		if err != nil {
			return nil, err
		}
		if t.Kind == Vector {
			return arrow.FixedSizeListOfField(int32(t.Length), f), nil
		}
		return arrow.ListOfField(f), nil
	case Map, Multiset:
		var k, v DataType
		if t.Kind == Map {
			if t.Key == nil || t.Value == nil {
				return nil, fmt.Errorf("%w: MAP without key or value", ErrInvalidType)
			}
			k, v = *t.Key, *t.Value
		} else {
			if t.Elem == nil {
				return nil, fmt.Errorf("%w: MULTISET without element", ErrInvalidType)
			}
			k, v = *t.Elem, NewInt().WithNotNull(true)
		}
		kf, err := arrowChild("key", k, fieldID, depth+1, MapKeyFieldID)
		if err != nil {
			return nil, err
		}
		kf.Nullable = false
		vf, err := arrowChild("value", v, fieldID, depth+1, MapValueFieldID)
		if err != nil {
			return nil, err
		}
		return arrow.MapOfFields(kf, vf), nil
	case Row:
		fs := make([]arrow.Field, len(t.Fields))
		for i, f := range t.Fields {
			af, err := ArrowField(f)
			if err != nil {
				return nil, err
			}
			fs[i] = af
		}
		return arrow.StructOf(fs...), nil
	}
	return nil, fmt.Errorf("%w: no Arrow type for kind %d", ErrInvalidType, t.Kind)
}

func arrowChild(name string, t DataType, fieldID, depth int, id func(int, int) int) (arrow.Field, error) {
	at, err := toArrow(t, fieldID, depth)
	if err != nil {
		return arrow.Field{}, err
	}
	f := arrow.Field{Name: name, Type: at, Nullable: !t.NotNull}
	if fieldID >= 0 {
		f.Metadata = arrow.NewMetadata([]string{FieldIDKey}, []string{strconv.Itoa(id(fieldID, depth))})
	}
	return f, nil
}

func timeUnit(precision int) arrow.TimeUnit {
	switch {
	case precision <= 3:
		return arrow.Millisecond
	case precision <= 6:
		return arrow.Microsecond
	default:
		return arrow.Nanosecond
	}
}

// ArrowField returns the Arrow field for a Paimon field: its name, type,
// nullability and its id under FieldIDKey. List elements and map keys and
// values get the derived ids Paimon writes to Parquet (ArrayElementFieldID,
// MapKeyFieldID, MapValueFieldID).
func ArrowField(f Field) (arrow.Field, error) {
	at, err := toArrow(f.Type, f.ID, 0)
	if err != nil {
		return arrow.Field{}, fmt.Errorf("field %q: %w", f.Name, err)
	}
	return arrow.Field{
		Name:     f.Name,
		Type:     at,
		Nullable: !f.Type.NotNull,
		Metadata: arrow.NewMetadata([]string{FieldIDKey}, []string{strconv.Itoa(f.ID)}),
	}, nil
}

// ArrowSchema returns the Arrow schema of fields (see ArrowField).
func ArrowSchema(fields []Field) (*arrow.Schema, error) {
	fs := make([]arrow.Field, len(fields))
	for i, f := range fields {
		af, err := ArrowField(f)
		if err != nil {
			return nil, err
		}
		fs[i] = af
	}
	return arrow.NewSchema(fs, nil), nil
}

// ArrowSchema returns the Arrow schema of the table's columns.
func (t *Table) ArrowSchema() (*arrow.Schema, error) { return ArrowSchema(t.Fields) }

// FromArrow returns the Paimon type for an Arrow type; nullable sets the
// nullability of the result. It reverses ToArrow where it can and widens
// where Paimon has no exact type:
//
//	String, LargeString, StringView        STRING
//	Binary, LargeBinary, BinaryView        BYTES
//	FixedSizeBinary(n)                     BINARY(n)
//	Uint8, Uint16, Uint32                  SMALLINT, INT, BIGINT
//	Decimal32/64/128/256(p ≤ 38, s)        DECIMAL(p, s)
//	Date32, Date64                         DATE
//	Time32(s|ms), Time64(µs|ns)            TIME(0|3|6|9)
//	Timestamp(s|ms|µs|ns)                  TIMESTAMP(0|3|6|9); with a zone TIMESTAMP_LTZ
//	List, LargeList, ListView              ARRAY
//	FixedSizeList(n)                       VECTOR<T, n>
//	Map                                    MAP (never MULTISET)
//	Struct                                 ROW; ids from FieldIDKey metadata, else 0, 1, …
//	Dictionary                             its value type
//
// Other types (Uint64, Float16, Null, intervals, unions, …) give an error
// wrapping ErrInvalidType.
func FromArrow(at arrow.DataType, nullable bool) (DataType, error) {
	t, err := fromArrow(at, 0)
	if err != nil {
		return DataType{}, err
	}
	t.NotNull = !nullable
	return t, nil
}

func fromArrow(at arrow.DataType, depth int) (DataType, error) {
	if depth > maxTypeDepth {
		return DataType{}, fmt.Errorf("%w: Arrow type nested too deeply", ErrInvalidType)
	}
	switch a := at.(type) {
	case *arrow.BooleanType:
		return NewBoolean(), nil
	case *arrow.Int8Type:
		return NewTinyInt(), nil
	case *arrow.Int16Type, *arrow.Uint8Type:
		return NewSmallInt(), nil
	case *arrow.Int32Type, *arrow.Uint16Type:
		return NewInt(), nil
	case *arrow.Int64Type, *arrow.Uint32Type:
		return NewBigInt(), nil
	case *arrow.Float32Type:
		return NewFloat(), nil
	case *arrow.Float64Type:
		return NewDouble(), nil
	case arrow.DecimalType:
		p, s := int(a.GetPrecision()), int(a.GetScale())
		if p < MinDecimalPrecision || p > MaxDecimalPrecision || s < 0 || s > p {
			return DataType{}, fmt.Errorf("%w: Arrow %s", ErrInvalidType, at)
		}
		return NewDecimal(p, s), nil
	case *arrow.StringType, *arrow.LargeStringType, *arrow.StringViewType:
		return NewString(), nil
	case *arrow.BinaryType, *arrow.LargeBinaryType, *arrow.BinaryViewType:
		return NewBytes(), nil
	case *arrow.FixedSizeBinaryType:
		if a.ByteWidth < 1 {
			return DataType{}, fmt.Errorf("%w: Arrow %s", ErrInvalidType, at)
		}
		return NewBinary(a.ByteWidth), nil
	case *arrow.Date32Type, *arrow.Date64Type:
		return NewDate(), nil
	case *arrow.Time32Type:
		return NewTime(unitPrecision(a.Unit)), nil
	case *arrow.Time64Type:
		return NewTime(unitPrecision(a.Unit)), nil
	case *arrow.TimestampType:
		if a.TimeZone != "" {
			return NewTimestampLTZ(unitPrecision(a.Unit)), nil
		}
		return NewTimestamp(unitPrecision(a.Unit)), nil
	case *arrow.MapType: // before ListLikeType: a map is list-like too
		k, err := fromArrowField(a.KeyField(), depth)
		if err != nil {
			return DataType{}, err
		}
		v, err := fromArrowField(a.ItemField(), depth)
		if err != nil {
			return DataType{}, err
		}
		return NewMap(k, v), nil
	case *arrow.FixedSizeListType:
		e, err := fromArrowField(a.ElemField(), depth)
		if err != nil {
			return DataType{}, err
		}
		if a.Len() < 1 {
			return DataType{}, fmt.Errorf("%w: Arrow %s", ErrInvalidType, at)
		}
		return NewVector(e, int(a.Len())), nil
	case *arrow.ListType, *arrow.LargeListType, *arrow.ListViewType, *arrow.LargeListViewType:
		e, err := fromArrowField(a.(arrow.ListLikeType).ElemField(), depth)
		if err != nil {
			return DataType{}, err
		}
		return NewArray(e), nil
	case *arrow.StructType:
		fs, err := fromArrowFields(a.Fields(), depth)
		if err != nil {
			return DataType{}, err
		}
		return NewRow(fs...), nil
	case *arrow.DictionaryType:
		return fromArrow(a.ValueType, depth+1)
	}
	return DataType{}, fmt.Errorf("%w: no Paimon type for Arrow %s", ErrInvalidType, at)
}

func fromArrowField(f arrow.Field, depth int) (DataType, error) {
	t, err := fromArrow(f.Type, depth+1)
	if err != nil {
		return DataType{}, err
	}
	t.NotNull = !f.Nullable
	return t, nil
}

func fromArrowFields(afs []arrow.Field, depth int) ([]Field, error) {
	fs := make([]Field, len(afs))
	for i, af := range afs {
		t, err := fromArrowField(af, depth)
		if err != nil {
			return nil, fmt.Errorf("field %q: %w", af.Name, err)
		}
		id := i
		if v, ok := af.Metadata.GetValue(FieldIDKey); ok {
			n, err := strconv.Atoi(v)
			if err != nil {
				return nil, fmt.Errorf("%w: field %q: bad %s %q", ErrInvalidType, af.Name, FieldIDKey, v)
			}
			id = n
		}
		fs[i] = Field{ID: id, Name: af.Name, Type: t}
	}
	return fs, nil
}

// FromArrowSchema returns Paimon fields for an Arrow schema. Field ids come
// from FieldIDKey metadata where present, else from the position; callers
// building a new table renumber them anyway (NewTable, AssignFieldIDs).
func FromArrowSchema(s *arrow.Schema) ([]Field, error) {
	return fromArrowFields(s.Fields(), 0)
}

func unitPrecision(u arrow.TimeUnit) int {
	switch u {
	case arrow.Second:
		return 0
	case arrow.Millisecond:
		return 3
	case arrow.Microsecond:
		return 6
	}
	return 9
}
