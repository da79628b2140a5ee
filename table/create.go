package table

import (
	"context"

	"github.com/floelake/floe/catalog"
)

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
	panic("table: Create not implemented")
}
