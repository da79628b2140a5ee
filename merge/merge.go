// Package merge holds Paimon's merge engines: how the records of one
// primary key, in merge order, reduce to the row a reader sees. It is pure
// logic, with no I/O.
//
// Only the selecting engines exist so far: deduplicate (the newest record
// wins) and first-row (the oldest insert wins). partial-update and
// aggregation produce new values and are not implemented yet.
package merge

import (
	"errors"
	"fmt"

	"github.com/floelake/floe/schema"
)

// ErrUnsupported reports a merge engine floe does not implement yet.
var ErrUnsupported = errors.New("merge: unsupported merge engine")

// ErrRetract reports retract input (-U/-D) that an engine does not accept.
var ErrRetract = errors.New("merge: retract record not accepted")

// Engine reduces the records of one key to the record that represents it.
// Implementations are stateless and safe for concurrent use.
type Engine interface {
	// Name is the merge-engine option value.
	Name() string
	// Select returns the index, in kinds, of the record that represents the
	// key, given the kinds of all its records in merge order (oldest
	// first). -1 means no record survives. The chosen record may be a
	// retract: writers keep it (it must shadow older files), readers drop it.
	Select(kinds []schema.RowKind) int
	// Accept checks one input record before it is buffered: first-row
	// without ignore-delete rejects retracts with ErrRetract. It returns
	// false for records the engine drops on write (ignore-delete).
	Accept(k schema.RowKind) (bool, error)
}

// Options configure New.
type Options struct {
	IgnoreDelete bool
}

// New returns the engine named by the merge-engine option.
func New(name string, o Options) (Engine, error) {
	switch name {
	case "", "deduplicate":
		return Deduplicate{IgnoreDelete: o.IgnoreDelete}, nil
	case "first-row":
		return FirstRow{IgnoreDelete: o.IgnoreDelete}, nil
	case "partial-update", "aggregation":
		return nil, fmt.Errorf("%w: %s", ErrUnsupported, name)
	}
	return nil, fmt.Errorf("%w: %q", ErrUnsupported, name)
}

// Deduplicate keeps the newest record of a key.
type Deduplicate struct{ IgnoreDelete bool }

// Name implements Engine.
func (Deduplicate) Name() string { return "deduplicate" }

// Select implements Engine: the last record.
func (Deduplicate) Select(kinds []schema.RowKind) int { return len(kinds) - 1 }

// Accept implements Engine.
func (d Deduplicate) Accept(k schema.RowKind) (bool, error) {
	if d.IgnoreDelete && k.IsRetract() {
		return false, nil
	}
	return true, nil
}

// FirstRow keeps the oldest non-retract record of a key.
type FirstRow struct{ IgnoreDelete bool }

// Name implements Engine.
func (FirstRow) Name() string { return "first-row" }

// Select implements Engine: the first +I/+U record, or -1.
func (FirstRow) Select(kinds []schema.RowKind) int {
	for i, k := range kinds {
		if !k.IsRetract() {
			return i
		}
	}
	return -1
}

// Accept implements Engine.
func (f FirstRow) Accept(k schema.RowKind) (bool, error) {
	if k.IsRetract() {
		if f.IgnoreDelete {
			return false, nil
		}
		return false, fmt.Errorf("%w: first-row merge engine got %s (set ignore-delete=true)", ErrRetract, k)
	}
	return true, nil
}
