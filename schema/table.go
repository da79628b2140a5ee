package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/floelake/floe/internal/jsonpp"
)

// Schema file versions. Version 3 is what Paimon 0.9 and later write.
const (
	Version07      = 1 // Paimon 0.7 and earlier (also: no "version" key)
	Version08      = 2 // Paimon 0.8
	CurrentVersion = 3
)

// Option keys this package interprets.
const (
	OptionBucket     = "bucket"
	OptionBucketKey  = "bucket-key"
	OptionFileFormat = "file.format"
	OptionPrimaryKey = "primary-key"
	OptionPartition  = "partition"
	OptionPath       = "path"
)

// Table is one version of a table's schema: the content of one
// schema/schema-N file.
//
// A Table is a plain value: safe for concurrent reads, not for concurrent
// mutation.
type Table struct {
	// Version is the schema file format version (CurrentVersion for new
	// schemas). 0 means the file had no "version" key, which Paimon reads as
	// version 1; it is kept so that the file re-encodes unchanged.
	Version int
	// ID is the schema id, N in schema-N.
	ID int64
	// Fields are the top-level columns in table order.
	Fields []Field
	// HighestFieldID is the largest field id ever assigned in this table
	// (including nested fields and dropped columns).
	HighestFieldID int
	// PartitionKeys name the partition columns in partition path order.
	PartitionKeys []string
	// PrimaryKeys name the primary key columns (may include partition columns).
	PrimaryKeys []string
	// Options are the table options exactly as stored (no defaults filled
	// in; see Option for the compatibility defaults). The "path" option is
	// kept but never used to locate the table.
	Options Options
	// Comment is the table comment, nil when the file has none.
	Comment *string
	// TimeMillis is when this schema version was created (Unix ms).
	TimeMillis int64
}

// FormatVersion returns the schema version with a missing version read as 1.
func (t *Table) FormatVersion() int {
	if t.Version == 0 {
		return Version07
	}
	return t.Version
}

// Option returns the effective value of an option, applying Paimon's
// compatibility defaults for old schema files: version ≤ 1 without "bucket"
// reads as bucket=1, and version ≤ 2 without "file.format" reads as
// file.format=orc. Other missing options report false.
func (t *Table) Option(key string) (string, bool) {
	if v, ok := t.Options.Get(key); ok {
		return v, true
	}
	switch {
	case key == OptionBucket && t.FormatVersion() <= Version07:
		return "1", true
	case key == OptionFileFormat && t.FormatVersion() <= Version08:
		return "orc", true
	}
	return "", false
}

// NewTable builds schema 0 of a new table. Field ids in fields are ignored
// and assigned depth-first from 0 (a ROW field before its children);
// primary-key columns become NOT NULL. The options "primary-key" and
// "partition" (comma-separated) are accepted in place of the arguments and
// removed from the options, as Paimon does. The result has Version
// CurrentVersion, ID 0 and TimeMillis now.
//
// Errors wrap ErrInvalidSchema.
func NewTable(fields []Field, partitionKeys, primaryKeys []string, options Options) (*Table, error) {
	opts := options.Clone()
	var err error
	if primaryKeys, err = keysFromOption(&opts, OptionPrimaryKey, primaryKeys); err != nil {
		return nil, err
	}
	if partitionKeys, err = keysFromOption(&opts, OptionPartition, partitionKeys); err != nil {
		return nil, err
	}
	fs, next := AssignFieldIDs(fields, 0)
	for i := range fs {
		if slices.Contains(primaryKeys, fs[i].Name) {
			fs[i].Type.NotNull = true
		}
	}
	t := &Table{
		Version:        CurrentVersion,
		Fields:         fs,
		HighestFieldID: next - 1,
		PartitionKeys:  nonNil(slices.Clone(partitionKeys)),
		PrimaryKeys:    nonNil(slices.Clone(primaryKeys)),
		Options:        opts,
		TimeMillis:     time.Now().UnixMilli(),
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	return t, nil
}

func keysFromOption(o *Options, key string, keys []string) ([]string, error) {
	v, ok := o.Get(key)
	if !ok {
		return keys, nil
	}
	if len(keys) > 0 {
		return nil, fmt.Errorf("%w: both the %q option and explicit keys are given", ErrInvalidSchema, key)
	}
	o.Delete(key)
	var out []string
	for _, k := range strings.Split(v, ",") {
		if k = strings.TrimSpace(k); k != "" {
			out = append(out, k)
		}
	}
	return out, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Validate checks the rules every schema must satisfy: unique field names
// (also inside ROW types), valid types, highestFieldId not below any field
// id, partition and primary keys naming existing columns without
// repetition, a primary key that is not only partition columns, and a
// "bucket-key" option naming columns that are outside the partition and
// inside the primary key (when there is one). Errors wrap ErrInvalidSchema.
func (t *Table) Validate() error {
	if err := checkFields(t.Fields, 0); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidSchema, err)
	}
	if h := HighestFieldID(t.Fields); t.HighestFieldID < h {
		return fmt.Errorf("%w: highestFieldId %d is below field id %d", ErrInvalidSchema, t.HighestFieldID, h)
	}
	if err := t.checkKeys("partition", t.PartitionKeys); err != nil {
		return err
	}
	if err := t.checkKeys("primary", t.PrimaryKeys); err != nil {
		return err
	}
	if len(t.PrimaryKeys) > 0 && len(t.TrimmedPrimaryKeys()) == 0 {
		return fmt.Errorf("%w: primary key %v is only partition columns %v", ErrInvalidSchema, t.PrimaryKeys, t.PartitionKeys)
	}
	bk := t.originalBucketKeys()
	for _, k := range bk {
		if t.FieldIndex(k) < 0 {
			return fmt.Errorf("%w: bucket key %q is not a column", ErrInvalidSchema, k)
		}
		if slices.Contains(t.PartitionKeys, k) {
			return fmt.Errorf("%w: bucket key %q is a partition column", ErrInvalidSchema, k)
		}
		if len(t.PrimaryKeys) > 0 && !slices.Contains(t.PrimaryKeys, k) {
			return fmt.Errorf("%w: bucket key %q is not in the primary key", ErrInvalidSchema, k)
		}
	}
	return nil
}

func (t *Table) checkKeys(what string, keys []string) error {
	seen := make(map[string]bool, len(keys))
	for _, k := range keys {
		if t.FieldIndex(k) < 0 {
			return fmt.Errorf("%w: %s key %q is not a column", ErrInvalidSchema, what, k)
		}
		if seen[k] {
			return fmt.Errorf("%w: %s key %q repeated", ErrInvalidSchema, what, k)
		}
		seen[k] = true
	}
	return nil
}

func checkFields(fields []Field, depth int) error {
	seen := make(map[string]bool, len(fields))
	for _, f := range fields {
		if seen[f.Name] {
			return fmt.Errorf("duplicate field name %q", f.Name)
		}
		seen[f.Name] = true
		if err := checkType(f.Type, depth+1); err != nil {
			return fmt.Errorf("field %q: %w", f.Name, err)
		}
	}
	return nil
}

// checkType checks parameters and nested field names of a type.
func checkType(t DataType, depth int) error {
	if depth > maxTypeDepth {
		return fmt.Errorf("%w: type nested too deeply", ErrInvalidType)
	}
	switch t.Kind {
	case Char, VarChar, Binary, VarBinary:
		if t.Length < 1 {
			return fmt.Errorf("%w: length %d", ErrInvalidType, t.Length)
		}
	case Decimal:
		if t.Precision < MinDecimalPrecision || t.Precision > MaxDecimalPrecision || t.Scale < 0 || t.Scale > t.Precision {
			return fmt.Errorf("%w: DECIMAL(%d, %d)", ErrInvalidType, t.Precision, t.Scale)
		}
	case Time, Timestamp, TimestampLTZ:
		if t.Precision < 0 || t.Precision > MaxTimePrecision {
			return fmt.Errorf("%w: precision %d", ErrInvalidType, t.Precision)
		}
	case Array, Multiset, Vector:
		if t.Elem == nil {
			return fmt.Errorf("%w: no element type", ErrInvalidType)
		}
		if t.Kind == Vector && t.Length < 1 {
			return fmt.Errorf("%w: VECTOR length %d", ErrInvalidType, t.Length)
		}
		return checkType(*t.Elem, depth+1)
	case Map:
		if t.Key == nil || t.Value == nil {
			return fmt.Errorf("%w: MAP without key or value", ErrInvalidType)
		}
		if err := checkType(*t.Key, depth+1); err != nil {
			return err
		}
		return checkType(*t.Value, depth+1)
	case Row:
		return checkFields(t.Fields, depth+1)
	case Boolean, TinyInt, SmallInt, Int, BigInt, Float, Double, Date, Variant, Blob:
	default:
		return fmt.Errorf("%w: unknown kind %d", ErrInvalidType, t.Kind)
	}
	return nil
}

// FieldIndex returns the position of the top-level column name, or -1.
func (t *Table) FieldIndex(name string) int {
	for i, f := range t.Fields {
		if f.Name == name {
			return i
		}
	}
	return -1
}

// Field returns the top-level column name.
func (t *Table) Field(name string) (Field, bool) {
	if i := t.FieldIndex(name); i >= 0 {
		return t.Fields[i], true
	}
	return Field{}, false
}

// FieldNames returns the top-level column names in order.
func (t *Table) FieldNames() []string {
	out := make([]string, len(t.Fields))
	for i, f := range t.Fields {
		out[i] = f.Name
	}
	return out
}

// TrimmedPrimaryKeys returns the primary keys without the partition
// columns: what Paimon stores as the key of each record (the _KEY_ columns,
// min/max keys and key statistics) and the default bucket key.
func (t *Table) TrimmedPrimaryKeys() []string {
	var out []string
	for _, k := range t.PrimaryKeys {
		if !slices.Contains(t.PartitionKeys, k) {
			out = append(out, k)
		}
	}
	return out
}

func (t *Table) originalBucketKeys() []string {
	v, _ := t.Options.Get(OptionBucketKey)
	if strings.TrimSpace(v) == "" {
		return nil
	}
	keys := strings.Split(v, ",")
	for len(keys) > 0 && keys[len(keys)-1] == "" { // as Java's split
		keys = keys[:len(keys)-1]
	}
	return keys
}

// BucketKeys returns the columns hashed to choose a bucket: the "bucket-key"
// option (comma-separated), else the trimmed primary key, else all columns.
func (t *Table) BucketKeys() []string {
	if k := t.originalBucketKeys(); len(k) > 0 {
		return k
	}
	if k := t.TrimmedPrimaryKeys(); len(k) > 0 {
		return k
	}
	return t.FieldNames()
}

// CrossPartitionUpdate reports whether a primary key can move between
// partitions: the table has primary and partition keys and the primary key
// does not contain every partition column.
func (t *Table) CrossPartitionUpdate() bool {
	if len(t.PrimaryKeys) == 0 || len(t.PartitionKeys) == 0 {
		return false
	}
	for _, p := range t.PartitionKeys {
		if !slices.Contains(t.PrimaryKeys, p) {
			return true
		}
	}
	return false
}

// Project returns the top-level fields with the given names, in the order
// of names. Missing names are skipped.
func (t *Table) Project(names []string) []Field {
	out := make([]Field, 0, len(names))
	for _, n := range names {
		if f, ok := t.Field(n); ok {
			out = append(out, f)
		}
	}
	return out
}

// PartitionFields returns the partition columns in partition order.
func (t *Table) PartitionFields() []Field { return t.Project(t.PartitionKeys) }

// PrimaryKeyFields returns the primary key columns in key order.
func (t *Table) PrimaryKeyFields() []Field { return t.Project(t.PrimaryKeys) }

// TrimmedPrimaryKeyFields returns the trimmed primary key columns.
func (t *Table) TrimmedPrimaryKeyFields() []Field { return t.Project(t.TrimmedPrimaryKeys()) }

// BucketKeyFields returns the bucket key columns.
func (t *Table) BucketKeyFields() []Field { return t.Project(t.BucketKeys()) }

// RowType returns the table's row type: a NOT NULL ROW of all columns
// (Paimon's logical row type).
func (t *Table) RowType() DataType {
	return DataType{Kind: Row, NotNull: true, Fields: slices.Clone(t.Fields)}
}

// PartitionType returns the ROW type of the partition columns, the type of
// the partition BinaryRow.
func (t *Table) PartitionType() DataType {
	return DataType{Kind: Row, NotNull: true, Fields: t.PartitionFields()}
}

// TrimmedPrimaryKeyType returns the ROW type of the trimmed primary key.
func (t *Table) TrimmedPrimaryKeyType() DataType {
	return DataType{Kind: Row, NotNull: true, Fields: t.TrimmedPrimaryKeyFields()}
}

// BucketKeyType returns the ROW type of the bucket key.
func (t *Table) BucketKeyType() DataType {
	return DataType{Kind: Row, NotNull: true, Fields: t.BucketKeyFields()}
}

// tableJSON is the schema file layout in Java's key order.
type tableJSON struct {
	Version        int      `json:"version,omitempty"`
	ID             int64    `json:"id"`
	Fields         []Field  `json:"fields"`
	HighestFieldID int      `json:"highestFieldId"`
	PartitionKeys  []string `json:"partitionKeys"`
	PrimaryKeys    []string `json:"primaryKeys"`
	Options        Options  `json:"options"`
	Comment        *string  `json:"comment,omitempty"`
	TimeMillis     int64    `json:"timeMillis"`
}

// Encode returns the schema file bytes, formatted as Java writes them
// (Jackson's pretty printer, keys in Java's order).
func (t *Table) Encode() ([]byte, error) {
	j := tableJSON{
		Version:        t.Version,
		ID:             t.ID,
		Fields:         t.Fields,
		HighestFieldID: t.HighestFieldID,
		PartitionKeys:  nonNil(t.PartitionKeys),
		PrimaryKeys:    nonNil(t.PrimaryKeys),
		Options:        t.Options,
		Comment:        t.Comment,
		TimeMillis:     t.TimeMillis,
	}
	if j.Fields == nil {
		j.Fields = []Field{}
	}
	b, err := jsonpp.Marshal(j)
	if err != nil {
		return nil, fmt.Errorf("encode schema %d: %w", t.ID, err)
	}
	return b, nil
}

// Decode parses a schema file. name identifies the file in errors (for
// example "schema/schema-3"). Bytes that do not decode, or decode to a
// schema that breaks Validate's rules, give an error wrapping ErrCorrupt; a
// version newer than CurrentVersion gives ErrUnsupportedVersion.
func Decode(name string, b []byte) (*Table, error) {
	t, err := decode(b)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", name, err)
	}
	return t, nil
}

func decode(b []byte) (*Table, error) {
	var in struct {
		Version        *int      `json:"version"`
		ID             *int64    `json:"id"`
		Fields         *[]Field  `json:"fields"`
		HighestFieldID *int32    `json:"highestFieldId"`
		PartitionKeys  *[]string `json:"partitionKeys"`
		PrimaryKeys    *[]string `json:"primaryKeys"`
		Options        *Options  `json:"options"`
		Comment        *string   `json:"comment"`
		TimeMillis     *int64    `json:"timeMillis"`
	}
	if b = bytes.TrimSpace(b); len(b) == 0 || b[0] != '{' {
		return nil, fmt.Errorf("%w: not a JSON object", ErrCorrupt)
	}
	if err := json.Unmarshal(b, &in); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	var missing []string
	if in.ID == nil {
		missing = append(missing, "id")
	}
	if in.Fields == nil {
		missing = append(missing, "fields")
	}
	if in.HighestFieldID == nil {
		missing = append(missing, "highestFieldId")
	}
	if in.PartitionKeys == nil {
		missing = append(missing, "partitionKeys")
	}
	if in.PrimaryKeys == nil {
		missing = append(missing, "primaryKeys")
	}
	if in.Options == nil {
		missing = append(missing, "options")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%w: missing %s", ErrCorrupt, strings.Join(missing, ", "))
	}
	t := &Table{
		ID:             *in.ID,
		Fields:         *in.Fields,
		HighestFieldID: int(*in.HighestFieldID),
		PartitionKeys:  *in.PartitionKeys,
		PrimaryKeys:    *in.PrimaryKeys,
		Options:        *in.Options,
		Comment:        in.Comment,
	}
	if in.Version != nil {
		t.Version = *in.Version
		if t.Version < 1 {
			return nil, fmt.Errorf("%w: version %d", ErrCorrupt, t.Version)
		}
		if t.Version > CurrentVersion {
			return nil, fmt.Errorf("%w: schema version %d (newest known %d)", ErrUnsupportedVersion, t.Version, CurrentVersion)
		}
	}
	if in.TimeMillis != nil {
		t.TimeMillis = *in.TimeMillis
	}
	if t.ID < 0 {
		return nil, fmt.Errorf("%w: negative schema id %d", ErrCorrupt, t.ID)
	}
	if err := t.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return t, nil
}

// FilePrefix is the name prefix of schema files in a table's schema/ dir.
const FilePrefix = "schema-"

// FileName returns the name of schema file id ("schema-3"), relative to
// the table's schema/ directory.
func FileName(id int64) string { return FilePrefix + strconv.FormatInt(id, 10) }

// ParseFileName returns the id of a schema file name ("schema-3" → 3). It
// accepts only canonical names: a non-negative decimal id without sign or
// leading zeros.
func ParseFileName(name string) (int64, bool) {
	s, ok := strings.CutPrefix(name, FilePrefix)
	if !ok || s == "" || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil
}
