package schema

import (
	"errors"
	"fmt"
)

// RowKind is the change a row carries, with Paimon's byte values (the
// _VALUE_KIND column of primary-key data files, the rowkind.field option,
// and the _ROW_KIND column floe's writers and streams exchange).
type RowKind int8

// The row kinds.
const (
	Insert       RowKind = 0 // +I
	UpdateBefore RowKind = 1 // -U
	UpdateAfter  RowKind = 2 // +U
	Delete       RowKind = 3 // -D
)

// ErrRowKind reports an unknown row kind.
var ErrRowKind = errors.New("schema: invalid row kind")

// String returns Paimon's short form: +I, -U, +U, -D.
func (k RowKind) String() string {
	switch k {
	case Insert:
		return "+I"
	case UpdateBefore:
		return "-U"
	case UpdateAfter:
		return "+U"
	case Delete:
		return "-D"
	}
	return fmt.Sprintf("RowKind(%d)", int8(k))
}

// IsRetract reports whether k retracts a row (-U or -D).
func (k RowKind) IsRetract() bool { return k == UpdateBefore || k == Delete }

// Valid reports whether k is one of the four kinds.
func (k RowKind) Valid() bool { return k >= Insert && k <= Delete }

// ParseRowKind parses +I, -U, +U or -D (also the names INSERT,
// UPDATE_BEFORE, UPDATE_AFTER, DELETE).
func ParseRowKind(s string) (RowKind, error) {
	switch s {
	case "+I", "INSERT", "I":
		return Insert, nil
	case "-U", "UPDATE_BEFORE":
		return UpdateBefore, nil
	case "+U", "UPDATE_AFTER", "U":
		return UpdateAfter, nil
	case "-D", "DELETE", "D":
		return Delete, nil
	}
	return 0, fmt.Errorf("%w: %q", ErrRowKind, s)
}
