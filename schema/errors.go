package schema

import "errors"

// Sentinel errors. Callers test with errors.Is.
var (
	// ErrCorrupt reports a schema file (or type JSON) that does not decode.
	// The error names the file.
	ErrCorrupt = errors.New("schema: corrupt")
	// ErrUnsupportedVersion reports a schema file whose version is newer
	// than this package understands.
	ErrUnsupportedVersion = errors.New("schema: unsupported version")
	// ErrInvalidType reports a type string or type that is not a valid
	// Paimon type (unknown keyword, parameter out of range, bad syntax).
	ErrInvalidType = errors.New("schema: invalid type")
	// ErrInvalidSchema reports a table schema that breaks Paimon's rules
	// (unknown or duplicate key columns, duplicate names, ...).
	ErrInvalidSchema = errors.New("schema: invalid schema")
)

// Errors of Paimon's casts (CastArray).
var (
	// ErrCast reports a value Paimon's cast rules reject; the error is a
	// *CastError.
	ErrCast = errors.New("schema: cast failed")
	// ErrNoCastRule reports a pair of types Paimon has no cast rule for.
	ErrNoCastRule = errors.New("schema: no cast rule")
)
