package catalog

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxNameLength is the longest database or table name in bytes; with the
// ".db" suffix a database directory name still fits the common 255-byte
// limit of file systems and object key segments.
const MaxNameLength = 252

// SystemDatabase is the name Paimon reserves for its virtual system
// database; it cannot be created or dropped.
const SystemDatabase = "sys"

// Identifier names a table in a warehouse.
type Identifier struct {
	Database string
	Table    string
}

// ParseIdentifier parses "database.table". Like Paimon, it needs exactly one
// dot; both parts must be valid names (see ValidateName).
func ParseIdentifier(s string) (Identifier, error) {
	db, table, ok := strings.Cut(s, ".")
	if !ok || strings.Contains(table, ".") {
		return Identifier{}, &InvalidNameError{Name: s, Reason: `want "database.table" with exactly one dot`}
	}
	id := Identifier{Database: db, Table: table}
	if err := id.Validate(); err != nil {
		return Identifier{}, err
	}
	return id, nil
}

// String returns "database.table".
func (id Identifier) String() string { return id.Database + "." + id.Table }

// Validate checks both names (see ValidateName).
func (id Identifier) Validate() error {
	if err := ValidateName(id.Database); err != nil {
		return err
	}
	if err := ValidateName(id.Table); err != nil {
		return err
	}
	if strings.Contains(id.Table, "$") {
		// Paimon reads "table$snapshots" etc. as system tables.
		return &InvalidNameError{Name: id.Table, Reason: `"$" marks Paimon system tables`}
	}
	return nil
}

// path returns the table root relative to the warehouse.
func (id Identifier) path() string { return dbDir(id.Database) + "/" + id.Table }

// ValidateName checks a database or table name. A name is rejected when it
// could escape or confuse the warehouse layout: empty, "." or "..", a
// leading "." (hidden files; our own marker objects), "/" or "\", control
// characters, invalid UTF-8, or longer than MaxNameLength bytes. Errors are
// *InvalidNameError and match ErrInvalidName.
func ValidateName(name string) error {
	bad := func(reason string) error { return &InvalidNameError{Name: name, Reason: reason} }
	switch {
	case name == "":
		return bad("empty")
	case name == "." || name == "..":
		return bad("a path element")
	case strings.HasPrefix(name, "."):
		return bad("starts with a dot")
	case len(name) > MaxNameLength:
		return bad(fmt.Sprintf("longer than %d bytes", MaxNameLength))
	case !utf8.ValidString(name):
		return bad("not valid UTF-8")
	case strings.ContainsAny(name, `/\`):
		return bad("contains a path separator")
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return bad("contains a control character")
		}
	}
	return nil
}

// InvalidNameError reports a database or table name that cannot be used.
// It matches ErrInvalidName with errors.Is.
type InvalidNameError struct {
	Name   string
	Reason string
}

func (e *InvalidNameError) Error() string {
	return fmt.Sprintf("catalog: invalid name %q: %s", e.Name, e.Reason)
}

// Is makes errors.Is(err, ErrInvalidName) true.
func (e *InvalidNameError) Is(target error) bool { return target == ErrInvalidName }
