package schema

// Kind is the root of a Paimon data type.
type Kind uint8

// Every Paimon type root.
const (
	Boolean Kind = iota + 1
	TinyInt
	SmallInt
	Int
	BigInt
	Float
	Double
	Decimal
	Char
	VarChar
	Binary
	VarBinary
	Date
	Time
	Timestamp    // TIMESTAMP(p) WITHOUT TIME ZONE
	TimestampLTZ // TIMESTAMP(p) WITH LOCAL TIME ZONE
	Array
	Map
	Multiset
	Row
	Variant
	Blob
	Vector
)

// MaxLength is the length of STRING (VARCHAR) and BYTES (VARBINARY).
const MaxLength = 2147483647

// DataType is one Paimon type. Only the fields that apply to its Kind are set.
type DataType struct {
	Kind    Kind
	NotNull bool

	// Length of CHAR, VARCHAR, BINARY, VARBINARY (MaxLength for STRING/BYTES),
	// and the element count of VECTOR.
	Length int
	// Precision of DECIMAL (1..38), TIME, TIMESTAMP and TIMESTAMP_LTZ (0..9).
	Precision int
	// Scale of DECIMAL.
	Scale int

	// Elem is the element type of ARRAY, MULTISET and VECTOR.
	Elem *DataType
	// Key and Value are the types of MAP.
	Key, Value *DataType
	// Fields are the fields of ROW.
	Fields []Field
}

// Field is a named column (top-level or inside a ROW) with its id.
type Field struct {
	ID           int
	Name         string
	Type         DataType
	Description  *string
	DefaultValue *string
}

// Nullable returns a copy of t that admits nulls.
func (t DataType) Nullable() DataType { t.NotNull = false; return t }

// WithNotNull returns a copy of t with NOT NULL set to notNull.
func (t DataType) WithNotNull(notNull bool) DataType { t.NotNull = notNull; return t }

// Convenience constructors for the common types (nullable).
func NewBoolean() DataType            { return DataType{Kind: Boolean} }
func NewTinyInt() DataType            { return DataType{Kind: TinyInt} }
func NewSmallInt() DataType           { return DataType{Kind: SmallInt} }
func NewInt() DataType                { return DataType{Kind: Int} }
func NewBigInt() DataType             { return DataType{Kind: BigInt} }
func NewFloat() DataType              { return DataType{Kind: Float} }
func NewDouble() DataType             { return DataType{Kind: Double} }
func NewDecimal(p, s int) DataType    { return DataType{Kind: Decimal, Precision: p, Scale: s} }
func NewChar(n int) DataType          { return DataType{Kind: Char, Length: n} }
func NewVarChar(n int) DataType       { return DataType{Kind: VarChar, Length: n} }
func NewString() DataType             { return DataType{Kind: VarChar, Length: MaxLength} }
func NewBinary(n int) DataType        { return DataType{Kind: Binary, Length: n} }
func NewVarBinary(n int) DataType     { return DataType{Kind: VarBinary, Length: n} }
func NewBytes() DataType              { return DataType{Kind: VarBinary, Length: MaxLength} }
func NewDate() DataType               { return DataType{Kind: Date} }
func NewTime(p int) DataType          { return DataType{Kind: Time, Precision: p} }
func NewTimestamp(p int) DataType     { return DataType{Kind: Timestamp, Precision: p} }
func NewTimestampLTZ(p int) DataType  { return DataType{Kind: TimestampLTZ, Precision: p} }
func NewArray(elem DataType) DataType { return DataType{Kind: Array, Elem: &elem} }
func NewMultiset(e DataType) DataType { return DataType{Kind: Multiset, Elem: &e} }
func NewMap(k, v DataType) DataType   { return DataType{Kind: Map, Key: &k, Value: &v} }
func NewRow(fields ...Field) DataType { return DataType{Kind: Row, Fields: fields} }
func NewVector(e DataType, n int) DataType {
	return DataType{Kind: Vector, Elem: &e, Length: n}
}
