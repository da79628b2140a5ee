package table

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/floelake/floe/catalog"
	"github.com/floelake/floe/schema"
	"github.com/floelake/floe/snapshot"
	"github.com/floelake/floe/storage"
)

// ErrInvalidSchemaChange reports a schema change Paimon would refuse: an
// unknown or existing column, a change to a partition or primary-key
// column, a type change without a cast, an option that cannot change once
// the table has snapshots, … The error names the column or option.
var ErrInvalidSchemaChange = errors.New("table: invalid schema change")

// SchemaChange is one change of an ALTER TABLE, as in Paimon's
// SchemaChange. Build values with SetOption, RemoveOption, AddColumn,
// RenameColumn, DropColumn, UpdateColumnType, UpdateColumnNullability,
// UpdateColumnComment, MoveColumn and UpdateComment. Column names are
// top-level columns (nested ROW fields cannot be changed yet).
type SchemaChange interface {
	apply(a *alteration) error
}

// Position places a column added by AddColumn or moved by MoveColumn.
// The zero value is Last (with AddColumn: after the other columns, or
// before the partition columns when the table sets
// add-column-before-partition=true).
type Position struct {
	kind moveKind
	ref  string
}

type moveKind uint8

const (
	moveDefault moveKind = iota
	moveFirst
	moveAfter
	moveBefore
	moveLast
)

// First places the column first.
func First() Position { return Position{kind: moveFirst} }

// Last places the column last.
func Last() Position { return Position{kind: moveLast} }

// After places the column right after column ref.
func After(ref string) Position { return Position{kind: moveAfter, ref: ref} }

// Before places the column right before column ref.
func Before(ref string) Position { return Position{kind: moveBefore, ref: ref} }

type setOption struct{ key, value string }
type removeOption struct{ key string }
type updateComment struct{ comment *string }
type addColumn struct {
	name, typ string
	comment   *string
	pos       Position
}
type renameColumn struct{ old, new string }
type dropColumn struct{ name string }
type updateColumnType struct{ name, typ string }
type updateColumnNullability struct {
	name     string
	nullable bool
}
type updateColumnComment struct {
	name    string
	comment *string
}
type moveColumn struct {
	name string
	pos  Position
}

// SetOption sets table option key to value.
func SetOption(key, value string) SchemaChange { return setOption{key, value} }

// RemoveOption removes table option key (Paimon's RESET).
func RemoveOption(key string) SchemaChange { return removeOption{key} }

// UpdateComment sets the table comment; "" removes it.
func UpdateComment(comment string) SchemaChange {
	if comment == "" {
		return updateComment{}
	}
	return updateComment{&comment}
}

// AddColumn adds a nullable column of type typ (Paimon SQL syntax, for
// example "BIGINT" or "ROW<a INT, b STRING>") with an optional comment at
// pos. The column gets the next unused field id.
func AddColumn(name, typ, comment string, pos Position) SchemaChange {
	c := addColumn{name: name, typ: typ, pos: pos}
	if comment != "" {
		c.comment = &comment
	}
	return c
}

// RenameColumn renames a column; its field id stays, and the primary key
// and options naming it (bucket-key, sequence.field, fields.<name>.*) follow.
func RenameColumn(oldName, newName string) SchemaChange { return renameColumn{oldName, newName} }

// DropColumn drops a column that is neither a partition nor a primary-key
// column.
func DropColumn(name string) SchemaChange { return dropColumn{name} }

// UpdateColumnType changes a column's type to typ (Paimon SQL syntax; its
// nullability replaces the column's). Implicit widening is always allowed,
// other casts unless disable-explicit-type-casting=true; never on partition
// or primary-key columns.
func UpdateColumnType(name, typ string) SchemaChange { return updateColumnType{name, typ} }

// UpdateColumnNullability makes a column nullable or NOT NULL. NULL to NOT
// NULL is refused unless alter-column-null-to-not-null.disabled=false.
func UpdateColumnNullability(name string, nullable bool) SchemaChange {
	return updateColumnNullability{name, nullable}
}

// UpdateColumnComment sets a column's comment; "" removes it.
func UpdateColumnComment(name, comment string) SchemaChange {
	if comment == "" {
		return updateColumnComment{name: name}
	}
	return updateColumnComment{name, &comment}
}

// MoveColumn moves an existing column to pos.
func MoveColumn(name string, pos Position) SchemaChange { return moveColumn{name, pos} }

// invalid returns an error wrapping ErrInvalidSchemaChange.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidSchemaChange, fmt.Sprintf(format, args...))
}

// alteration is the state ApplyChanges threads through the changes.
type alteration struct {
	old          *schema.Table
	hasSnapshots bool
	fields       []schema.Field
	highest      int
	options      schema.Options
	comment      *string
	renames      [][2]string
}

func (a *alteration) oldOption(key string) (string, bool) { return a.old.Options.Get(key) }

func (a *alteration) oldBool(key string, def bool) bool {
	if v, ok := a.oldOption(key); ok {
		return strings.EqualFold(v, "true")
	}
	return def
}

func (a *alteration) index(name string) int {
	for i, f := range a.fields {
		if f.Name == name {
			return i
		}
	}
	return -1
}

func (a *alteration) mustIndex(name string) (int, error) {
	i := a.index(name)
	if i < 0 {
		return -1, invalid("column %q does not exist", name)
	}
	return i, nil
}

// ApplyChanges returns the schema that follows old after changes, with id
// old.ID+1, or an error wrapping ErrInvalidSchemaChange (or *OptionError
// for an option value the new schema cannot parse, *UnsupportedError for
// one floe cannot write). It is Paimon's
// SchemaManager.generateTableSchema followed by the checks of a schema
// commit; hasSnapshots says whether the table has a snapshot (some option
// changes are refused then). old is not modified. The result's TimeMillis
// is now.
func ApplyChanges(old *schema.Table, hasSnapshots bool, changes ...SchemaChange) (*schema.Table, error) {
	a := &alteration{
		old:          old,
		hasSnapshots: hasSnapshots,
		fields:       slices.Clone(old.Fields),
		highest:      old.HighestFieldID,
		options:      old.Options.Clone(),
		comment:      old.Comment,
	}
	for _, c := range changes {
		if c == nil {
			return nil, invalid("nil change")
		}
		if err := c.apply(a); err != nil {
			return nil, err
		}
	}
	pks := slices.Clone(old.PrimaryKeys)
	renameAll(pks, a.renames)
	a.renameOptions()
	t := &schema.Table{
		Version:        schema.CurrentVersion,
		ID:             old.ID + 1,
		Fields:         a.fields,
		HighestFieldID: a.highest,
		PartitionKeys:  slices.Clone(old.PartitionKeys),
		PrimaryKeys:    pks,
		Options:        a.options,
		Comment:        a.comment,
		TimeMillis:     time.Now().UnixMilli(),
	}
	if err := normalizeKeys(t); err != nil {
		return nil, err
	}
	if err := t.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidSchemaChange, err)
	}
	cfg, err := ParseConfig(t)
	if err != nil {
		return nil, err
	}
	if err := checkCreateConfig(t, cfg); err != nil {
		return nil, err
	}
	if err := checkAlterWritable(old, t, cfg); err != nil {
		return nil, err
	}
	return t, nil
}

// checkAlterWritable refuses a change that makes a table floe writes
// unwritable, or that sets an option to a value floe cannot write. A table
// already unwritable (written by Java with options floe does not write)
// may still change in other ways.
func checkAlterWritable(old, next *schema.Table, cfg *Config) error {
	err := checkWritable(next, cfg)
	if err == nil {
		return nil
	}
	if oldCfg, perr := ParseConfig(old); perr == nil && checkWritable(old, oldCfg) == nil {
		return err
	}
	if key, ok := optionKey(err); ok {
		ov, oset := old.Option(key)
		nv, nset := next.Option(key)
		if ov != nv || oset != nset {
			return err
		}
	}
	return nil
}

// normalizeKeys does what Paimon's Schema constructor does with the
// "primary-key" and "partition" options (settable while a table has no
// snapshots) and forces primary-key columns NOT NULL.
func normalizeKeys(t *schema.Table) error {
	from := func(key string, keys *[]string) error {
		v, ok := t.Options.Get(key)
		if !ok {
			return nil
		}
		if len(*keys) > 0 {
			return invalid("option %q and the table's keys are both set", key)
		}
		t.Options.Delete(key)
		out := []string{}
		for _, k := range strings.Split(v, ",") {
			if k = strings.TrimSpace(k); k != "" {
				out = append(out, k)
			}
		}
		*keys = out
		return nil
	}
	if err := from(schema.OptionPartition, &t.PartitionKeys); err != nil {
		return err
	}
	if err := from(schema.OptionPrimaryKey, &t.PrimaryKeys); err != nil {
		return err
	}
	for i := range t.Fields {
		if slices.Contains(t.PrimaryKeys, t.Fields[i].Name) {
			t.Fields[i].Type.NotNull = true
		}
	}
	return nil
}

func renameAll(names []string, renames [][2]string) {
	for _, r := range renames {
		for i, n := range names {
			if n == r[0] {
				names[i] = r[1]
			}
		}
	}
}

// renameList renames the columns of a comma-separated list with all the
// renames of the ALTER at once, as Paimon does (a
// name maps to the new name of its first rename).
func (a *alteration) renameList(s string) string {
	parts := strings.Split(s, ",")
	for len(parts) > 0 && parts[len(parts)-1] == "" { // as Java's split
		parts = parts[:len(parts)-1]
	}
	for i, p := range parts {
		for _, r := range a.renames {
			if p == r[0] {
				parts[i] = r[1]
				break
			}
		}
	}
	return strings.Join(parts, ",")
}

// renameOptions renames the columns named in options: the values of
// bucket-key and sequence.field, the keys of fields.<col>.aggregate-function
// (and ignore-retract, distinct, list-agg-delimiter), and both the keys and
// values of fields.<cols>.sequence-group and fields.<cols>.nested-key.
// Renamed keys keep their place.
func (a *alteration) renameOptions() {
	if len(a.renames) == 0 {
		return
	}
	o := &a.options
	for _, k := range []string{"bucket-key", "sequence.field"} {
		if v, ok := o.Get(k); ok && strings.TrimSpace(v) != "" {
			o.Set(k, a.renameList(v))
		}
	}
	replaceKey := func(oldKey, newKey, value string) {
		keys := o.Keys()
		var n schema.Options
		for _, k := range keys {
			v, _ := o.Get(k)
			switch k {
			case oldKey:
				n.Set(newKey, value)
			case newKey:
				if oldKey != newKey {
					continue // replaced by the renamed option
				}
				n.Set(k, value)
			default:
				n.Set(k, v)
			}
		}
		*o = n
	}
	for _, r := range a.renames {
		for _, suffix := range []string{"aggregate-function", "ignore-retract", "distinct", "list-agg-delimiter"} {
			oldKey := "fields." + r[0] + "." + suffix
			if v, ok := o.Get(oldKey); ok {
				replaceKey(oldKey, "fields."+r[1]+"."+suffix, v)
			}
		}
	}
	for _, k := range a.old.Options.Keys() {
		if !strings.HasPrefix(k, "fields") {
			continue
		}
		var suffix string
		switch {
		case strings.HasSuffix(k, "sequence-group"):
			suffix = "sequence-group"
		case strings.HasSuffix(k, "nested-key"):
			suffix = "nested-key"
		default:
			continue
		}
		v, ok := o.Get(k)
		if !ok || len(k) < len("fields.")+len(suffix)+1 {
			continue
		}
		cols := k[len("fields.") : len(k)-len(suffix)-1]
		replaceKey(k, "fields."+a.renameList(cols)+"."+suffix, a.renameList(v))
	}
}

func (c setOption) apply(a *alteration) error {
	if strings.TrimSpace(c.key) == "" {
		return invalid("option with an empty key")
	}
	if a.hasSnapshots {
		old, had := a.oldOption(c.key)
		if err := checkAlterOption(a, c.key, old, had, c.value); err != nil {
			return err
		}
	}
	a.options.Set(c.key, c.value)
	return nil
}

func (c removeOption) apply(a *alteration) error {
	if a.hasSnapshots {
		if immutableOptions[c.key] {
			return invalid("option %q cannot change once the table has snapshots", c.key)
		}
		if c.key == "bucket" {
			return invalid("option %q cannot be reset", c.key)
		}
		if _, ok := a.oldOption("pk-clustering-override"); ok && c.key == "clustering.columns" {
			return invalid("option %q cannot be reset while pk-clustering-override is set", c.key)
		}
	}
	a.options.Delete(c.key)
	return nil
}

// immutableOptions are the options Paimon 1.4 marks @Immutable: they
// cannot change once the table has a snapshot.
var immutableOptions = map[string]bool{
	"bucket-key":                                     true,
	"bucket-function.type":                           true,
	"data-file.path-directory":                       true,
	"merge-engine":                                   true,
	"aggregation.remove-record-on-delete":            true,
	"partial-update.remove-record-on-delete":         true,
	"partial-update.remove-record-on-sequence-group": true,
	"rowkind.field":                                  true,
	"primary-key":                                    true,
	"partition":                                      true,
	"force-lookup":                                   true,
	"row-tracking.enabled":                           true,
	"data-evolution.enabled":                         true,
	"index-file-in-data-file-dir":                    true,
	"blob-descriptor-field":                          true,
	"blob-external-storage-path":                     true,
	"blob-external-storage-field":                    true,
	"pk-clustering-override":                         true,
}

// checkAlterOption is Paimon's SchemaManager.checkAlterTableOption.
func checkAlterOption(a *alteration, key, oldValue string, had bool, newValue string) error {
	if immutableOptions[key] {
		return invalid("option %q cannot change once the table has snapshots", key)
	}
	parseBool := func(v string, def bool) bool {
		if !had {
			return def
		}
		return strings.EqualFold(v, "true")
	}
	switch key {
	case "bucket":
		oldBucket := -1
		if had {
			n, err := strconv.Atoi(strings.TrimSpace(oldValue))
			if err != nil {
				return invalid("option bucket=%q: %v", oldValue, err)
			}
			oldBucket = n
		}
		newBucket, err := strconv.Atoi(strings.TrimSpace(newValue))
		if err != nil {
			return invalid("option bucket=%q: not a number", newValue)
		}
		if oldBucket == -1 {
			return invalid("option bucket cannot change when it is -1")
		}
		if newBucket == -1 {
			return invalid("option bucket cannot change to -1")
		}
	case "deletion-vectors.enabled":
		if !a.oldBool("deletion-vectors.modifiable", false) {
			if o, n := parseBool(oldValue, false), strings.EqualFold(newValue, "true"); o != n {
				return invalid("option deletion-vectors.enabled cannot change from %v to %v unless deletion-vectors.modifiable=true", o, n)
			}
		}
	case "ignore-delete", "ignore-update-before":
		if parseBool(oldValue, false) && !strings.EqualFold(newValue, "true") {
			return invalid("option %s cannot change from true to false", key)
		}
	case "clustering.columns":
		if _, ok := a.oldOption("pk-clustering-override"); ok {
			return invalid("option %q cannot change while pk-clustering-override is set", key)
		}
	}
	return nil
}

func (c updateComment) apply(a *alteration) error {
	a.comment = c.comment
	return nil
}

func (c addColumn) apply(a *alteration) error {
	if strings.TrimSpace(c.name) == "" {
		return invalid("add column: no name")
	}
	if strings.Contains(c.name, ".") {
		return invalid("add column %q: nested columns are not supported", c.name)
	}
	typ, err := schema.ParseType(c.typ)
	if err != nil {
		return invalid("add column %q: %v", c.name, err)
	}
	if typ.NotNull {
		return invalid("add column %q: a new column cannot be NOT NULL", c.name)
	}
	if a.index(c.name) >= 0 {
		return invalid("add column %q: column already exists", c.name)
	}
	// The column takes highestFieldId+1 and its nested ROW fields the ids
	// after it, as Paimon's ReassignFieldId does.
	assigned, next := schema.AssignFieldIDs([]schema.Field{{Name: c.name, Type: typ}}, a.highest+1)
	f := assigned[0]
	a.highest = next - 1
	f.Description = c.comment
	at := len(a.fields)
	switch c.pos.kind {
	case moveFirst:
		at = 0
	case moveAfter, moveBefore:
		i := a.index(c.pos.ref)
		if i < 0 {
			return invalid("add column %q: column %q does not exist", c.name, c.pos.ref)
		}
		at = i
		if c.pos.kind == moveAfter {
			at = i + 1
		}
	case moveDefault:
		if a.oldBool("add-column-before-partition", false) && len(a.old.PartitionKeys) > 0 {
			for i, g := range a.fields {
				if slices.Contains(a.old.PartitionKeys, g.Name) {
					at = i
					break
				}
			}
		}
	}
	a.fields = slices.Insert(a.fields, at, f)
	return nil
}

func (c renameColumn) apply(a *alteration) error {
	if slices.Contains(a.old.PartitionKeys, c.old) {
		return invalid("rename column %q: it is a partition column", c.old)
	}
	i, err := a.mustIndex(c.old)
	if err != nil {
		return err
	}
	if a.fields[i].Type.Kind == schema.Blob {
		return invalid("rename column %q: it is a BLOB column", c.old)
	}
	if strings.TrimSpace(c.new) == "" {
		return invalid("rename column %q: empty new name", c.old)
	}
	if a.index(c.new) >= 0 {
		return invalid("rename column %q: column %q already exists", c.old, c.new)
	}
	a.fields[i].Name = c.new
	a.renames = append(a.renames, [2]string{c.old, c.new})
	return nil
}

func (c dropColumn) apply(a *alteration) error {
	if slices.Contains(a.old.PartitionKeys, c.name) || slices.Contains(a.old.PrimaryKeys, c.name) {
		return invalid("drop column %q: it is a partition or primary-key column", c.name)
	}
	i, err := a.mustIndex(c.name)
	if err != nil {
		return err
	}
	a.fields = slices.Delete(a.fields, i, i+1)
	if len(a.fields) == 0 {
		return invalid("drop column %q: cannot drop all columns", c.name)
	}
	return nil
}

func (c updateColumnType) apply(a *alteration) error {
	if slices.Contains(a.old.PartitionKeys, c.name) {
		return invalid("update column %q: it is a partition column", c.name)
	}
	if slices.Contains(a.old.PrimaryKeys, c.name) {
		return invalid("update column %q: it is a primary-key column", c.name)
	}
	i, err := a.mustIndex(c.name)
	if err != nil {
		return err
	}
	to, err := schema.ParseType(c.typ)
	if err != nil {
		return invalid("update column %q: %v", c.name, err)
	}
	from := a.fields[i].Type
	if err := a.checkNullability(c.name, !from.NotNull, !to.NotNull); err != nil {
		return err
	}
	if !schema.SupportsCast(from, to, !a.oldBool("disable-explicit-type-casting", false)) || !schema.HasCastRule(from, to) {
		return invalid("update column %q: type %s cannot be converted to %s", c.name, from, to)
	}
	// Nested ROW fields of the new type get fresh ids.
	f := a.fields[i]
	if hasRow(to) {
		assigned, next := schema.AssignFieldIDs([]schema.Field{{Name: f.Name, Type: to}}, a.highest)
		to = assigned[0].Type
		a.highest = max(a.highest, next-1)
	}
	f.Type = to
	a.fields[i] = f
	return nil
}

func hasRow(t schema.DataType) bool {
	return schema.HighestFieldID([]schema.Field{{ID: -1, Type: t}}) >= 0
}

func (a *alteration) checkNullability(name string, oldNullable, newNullable bool) error {
	if oldNullable && !newNullable && a.oldBool("alter-column-null-to-not-null.disabled", true) {
		return invalid("column %q cannot change from nullable to NOT NULL (set alter-column-null-to-not-null.disabled=false to allow it)", name)
	}
	return nil
}

func (c updateColumnNullability) apply(a *alteration) error {
	if c.nullable && slices.Contains(a.old.PrimaryKeys, c.name) {
		return invalid("column %q: cannot change the nullability of a primary-key column", c.name)
	}
	i, err := a.mustIndex(c.name)
	if err != nil {
		return err
	}
	if err := a.checkNullability(c.name, !a.fields[i].Type.NotNull, c.nullable); err != nil {
		return err
	}
	a.fields[i].Type.NotNull = !c.nullable
	return nil
}

func (c updateColumnComment) apply(a *alteration) error {
	i, err := a.mustIndex(c.name)
	if err != nil {
		return err
	}
	a.fields[i].Description = c.comment
	return nil
}

func (c moveColumn) apply(a *alteration) error {
	from, err := a.mustIndex(c.name)
	if err != nil {
		return err
	}
	to := 0
	switch c.pos.kind {
	case moveFirst:
		to = 0
	case moveLast, moveDefault:
		to = len(a.fields) - 1
	case moveAfter, moveBefore:
		ref := a.index(c.pos.ref)
		if ref < 0 {
			return invalid("move column %q: column %q does not exist", c.name, c.pos.ref)
		}
		to = ref
		if ref == from {
			return invalid("move column %q: cannot move a column relative to itself", c.name)
		}
		if c.pos.kind == moveAfter && from > ref {
			to++
		}
		if c.pos.kind == moveBefore && from < ref {
			to--
		}
		to = min(to, len(a.fields)-1)
	}
	if to == from && (c.pos.kind == moveFirst || c.pos.kind == moveLast || c.pos.kind == moveDefault) {
		return invalid("move column %q: it is already there", c.name)
	}
	f := a.fields[from]
	a.fields = slices.Delete(a.fields, from, from+1)
	a.fields = slices.Insert(a.fields, to, f)
	return nil
}

// Alter applies changes to table id of cat as one new schema (id latest+1)
// written create-only, like Paimon's SchemaManager.commitChanges. When
// another writer creates that schema id first, Alter reloads the latest
// schema, checks the changes against it again and retries (a bounded
// number of times). A change Paimon refuses fails with an error wrapping
// ErrInvalidSchemaChange (or an *OptionError) and writes nothing. Writers
// and tables opened before Alter keep the schema they opened with; open the
// table again to write the new columns.
func Alter(ctx context.Context, cat *catalog.Catalog, id catalog.Identifier, changes ...SchemaChange) (*schema.Table, error) {
	if err := id.Validate(); err != nil {
		return nil, err
	}
	s, err := AlterStore(ctx, cat.TableStore(id), changes...)
	if err != nil {
		return nil, fmt.Errorf("alter table %s: %w", id, err)
	}
	return s, nil
}

// alterAttempts bounds Alter's retries after lost races.
const alterAttempts = 100

// AlterStore is Alter for the table rooted at st.
func AlterStore(ctx context.Context, st *storage.Store, changes ...SchemaChange) (*schema.Table, error) {
	if len(changes) == 0 {
		return nil, invalid("no changes")
	}
	var last error
	for range alterAttempts {
		ids, err := schemaIDs(ctx, st)
		if err != nil {
			return nil, err
		}
		if len(ids) == 0 {
			return nil, ErrNotTable
		}
		old, err := readSchema(ctx, st, ids[len(ids)-1])
		if err != nil {
			return nil, err
		}
		_, err = snapshot.Latest(ctx, st)
		hasSnapshots := err == nil
		if err != nil && !errors.Is(err, snapshot.ErrNotFound) {
			return nil, err
		}
		next, err := ApplyChanges(old, hasSnapshots, changes...)
		if err != nil {
			return nil, err
		}
		enc, err := next.Encode()
		if err != nil {
			return nil, err
		}
		p := "schema/" + schema.FileName(next.ID)
		err = st.Create(ctx, p, enc)
		if err == nil {
			return next, nil
		}
		if errors.Is(err, storage.ErrExist) {
			last = err
			continue // lost the race: reload and check again
		}
		// Ambiguous: ours if the file now holds exactly our bytes.
		if got, rerr := st.Read(ctx, p); rerr == nil && bytes.Equal(got, enc) {
			return next, nil
		}
		return nil, fmt.Errorf("create %s: %w", p, err)
	}
	return nil, fmt.Errorf("%w: gave up after %d lost races: %w", ErrInvalidSchemaChange, alterAttempts, last)
}
