package table

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/floelake/floe/catalog"
	"github.com/floelake/floe/schema"
)

// ErrInvalidSpec reports a Spec that cannot become a table: an unknown or
// repeated column, a key naming no column, a key column of a nested type,
// or options that contradict each other.
var ErrInvalidSpec = errors.New("table: invalid table spec")

// Spec describes a table to create.
type Spec struct {
	// Columns in order; Type uses Paimon's SQL syntax ("BIGINT NOT NULL",
	// "DECIMAL(10, 2)", "ARRAY<STRING>", "ROW<a INT, b STRING>").
	Columns       []Column
	PartitionKeys []string
	PrimaryKeys   []string
	// Options are Paimon table options, in order ("bucket" = "4", …).
	Options []Option
	Comment string
}

// Column is one column of a Spec.
type Column struct {
	Name, Type, Comment string
}

// Option is one table option.
type Option struct{ Key, Value string }

// CreateOptions configure Create.
type CreateOptions struct {
	// IgnoreIfExists opens an existing table instead of failing.
	IgnoreIfExists bool
}

// Create creates table id in cat from spec (schema-0, written create-only)
// and opens it. Options are validated like Open validates them: a bad
// value fails with *OptionError naming the key. Primary-key columns become
// NOT NULL. The table shares the catalog's storage.
func Create(ctx context.Context, cat *catalog.Catalog, id catalog.Identifier, spec Spec, opts CreateOptions) (*Table, error) {
	if err := id.Validate(); err != nil {
		return nil, err
	}
	s, err := NewSchema(spec)
	if err != nil {
		return nil, fmt.Errorf("create table %s: %w", id, err)
	}
	if err := cat.CreateTable(ctx, id, s, opts.IgnoreIfExists); err != nil {
		return nil, fmt.Errorf("create table %s: %w", id, err)
	}
	return OpenIn(ctx, cat, id)
}

// NewSchema builds and checks schema 0 of a table described by spec
// without writing anything: column types parsed, field ids assigned from
// 0, primary-key columns made NOT NULL, options parsed as Open parses
// them. Errors wrap ErrInvalidSpec or are *OptionError values, or
// *UnsupportedError values for options floe cannot write yet
// (merge-engine=partial-update, changelog-producer=input, file.format=orc,
// a cross-partition upsert, …): such a table is refused when it is
// created rather than on every write.
func NewSchema(spec Spec) (*schema.Table, error) {
	if len(spec.Columns) == 0 {
		return nil, fmt.Errorf("%w: no columns", ErrInvalidSpec)
	}
	fields := make([]schema.Field, 0, len(spec.Columns))
	seen := make(map[string]bool, len(spec.Columns))
	for i, c := range spec.Columns {
		if strings.TrimSpace(c.Name) == "" {
			return nil, fmt.Errorf("%w: column %d has no name", ErrInvalidSpec, i)
		}
		if seen[c.Name] {
			return nil, fmt.Errorf("%w: duplicate column %q", ErrInvalidSpec, c.Name)
		}
		seen[c.Name] = true
		typ, err := schema.ParseType(c.Type)
		if err != nil {
			return nil, fmt.Errorf("%w: column %q: %w", ErrInvalidSpec, c.Name, err)
		}
		f := schema.Field{ID: i, Name: c.Name, Type: typ}
		if c.Comment != "" {
			d := c.Comment
			f.Description = &d
		}
		fields = append(fields, f)
	}
	byName := make(map[string]schema.Field, len(fields))
	for _, f := range fields {
		byName[f.Name] = f
	}
	if err := checkKeys("partition key", spec.PartitionKeys, byName); err != nil {
		return nil, err
	}
	if err := checkKeys("primary key", spec.PrimaryKeys, byName); err != nil {
		return nil, err
	}
	var opts schema.Options
	for _, o := range spec.Options {
		if strings.TrimSpace(o.Key) == "" {
			return nil, fmt.Errorf("%w: option with an empty key", ErrInvalidSpec)
		}
		opts.Set(o.Key, o.Value)
	}
	s, err := schema.NewTable(fields, spec.PartitionKeys, spec.PrimaryKeys, opts)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidSpec, err)
	}
	if spec.Comment != "" {
		c := spec.Comment
		s.Comment = &c
	}
	// NewTable may take the keys from the "primary-key" and "partition"
	// options; check what it ended up with.
	if err := checkKeys("partition key", s.PartitionKeys, byName); err != nil {
		return nil, err
	}
	if err := checkKeys("primary key", s.PrimaryKeys, byName); err != nil {
		return nil, err
	}
	for _, k := range s.PrimaryKeys {
		if nestedKind(byName[k].Type.Kind) {
			return nil, fmt.Errorf("%w: primary key column %q has nested type %s", ErrInvalidSpec, k, byName[k].Type)
		}
	}
	for _, k := range s.PartitionKeys {
		if nestedKind(byName[k].Type.Kind) {
			return nil, fmt.Errorf("%w: partition column %q has nested type %s", ErrInvalidSpec, k, byName[k].Type)
		}
	}
	cfg, err := ParseConfig(s)
	if err != nil {
		return nil, err
	}
	if err := checkCreateConfig(s, cfg); err != nil {
		return nil, err
	}
	if err := checkWritable(s, cfg); err != nil {
		return nil, err
	}
	return s, nil
}

func checkKeys(what string, keys []string, byName map[string]schema.Field) error {
	dup := make(map[string]bool, len(keys))
	for _, k := range keys {
		if _, ok := byName[k]; !ok {
			return fmt.Errorf("%w: %s %q is not a column", ErrInvalidSpec, what, k)
		}
		if dup[k] {
			return fmt.Errorf("%w: %s %q listed twice", ErrInvalidSpec, what, k)
		}
		dup[k] = true
	}
	return nil
}

func nestedKind(k schema.Kind) bool {
	switch k {
	case schema.Array, schema.Map, schema.Multiset, schema.Row, schema.Variant, schema.Vector, schema.Blob:
		return true
	}
	return false
}

// checkCreateConfig applies the checks Paimon makes when a table is
// created (SchemaValidation) that ParseConfig does not: options naming
// columns must name existing ones, and a fixed-bucket append table needs
// a bucket key.
func checkCreateConfig(s *schema.Table, cfg *Config) error {
	for _, c := range cfg.SequenceFields {
		if s.FieldIndex(c) < 0 {
			return &OptionError{Key: "sequence.field", Value: strings.Join(cfg.SequenceFields, ","), Reason: "column " + c + " does not exist"}
		}
	}
	if v, ok := s.Option("rowkind.field"); ok {
		i := s.FieldIndex(v)
		if i < 0 {
			return &OptionError{Key: "rowkind.field", Value: v, Reason: "column does not exist"}
		}
		if k := s.Fields[i].Type.Kind; k != schema.VarChar && k != schema.Char {
			return &OptionError{Key: "rowkind.field", Value: v, Reason: "column is not a string"}
		}
	}
	for col := range cfg.FieldStatsModes {
		if s.FieldIndex(col) < 0 {
			return &OptionError{Key: fieldsPrefix + col + statsModeSuffix, Value: cfg.FieldStatsModes[col].String(), Reason: "column does not exist"}
		}
	}
	if len(s.PrimaryKeys) > 0 {
		// Paimon's SchemaValidation: combinations its readers and
		// compaction do not support.
		opt := func(k string) string { v, _ := s.Option(k); return v }
		if cfg.MergeEngine == MergeFirstRow {
			switch {
			case cfg.ChangelogProducer != ChangelogNone && cfg.ChangelogProducer != ChangelogLookup:
				return &OptionError{Key: "changelog-producer", Value: string(cfg.ChangelogProducer), Reason: "merge-engine first-row takes only none and lookup"}
			case len(cfg.SequenceFields) > 0:
				return &OptionError{Key: "sequence.field", Value: opt("sequence.field"), Reason: "merge-engine first-row takes no sequence field"}
			case cfg.DeletionVectorsEnabled:
				return &OptionError{Key: "deletion-vectors.enabled", Value: opt("deletion-vectors.enabled"), Reason: "merge-engine first-row needs no deletion vectors (it never deletes old rows)"}
			}
		}
		if cfg.DeletionVectorsEnabled && cfg.ChangelogProducer == ChangelogFullCompaction {
			return &OptionError{Key: "changelog-producer", Value: string(cfg.ChangelogProducer), Reason: "deletion vectors take only the none, input and lookup changelog producers"}
		}
	}
	if len(s.PrimaryKeys) == 0 {
		if cfg.Bucket > 0 && len(cfg.BucketKey) == 0 {
			v, _ := s.Option("bucket")
			return &OptionError{Key: "bucket", Value: v, Reason: "an append table with fixed buckets needs bucket-key"}
		}
		if cfg.Bucket == -2 {
			return &OptionError{Key: "bucket", Value: "-2", Reason: "postpone buckets need a primary key"}
		}
	}
	return nil
}
