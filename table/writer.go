package table

import (
	"context"
	"errors"
	"log/slog"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Errors of the write path.
var (
	// ErrConstraint reports input rows that violate the table's schema:
	// a null in a NOT NULL column or primary key, or a bad row kind. The
	// *ConstraintError says where.
	ErrConstraint = errors.New("table: constraint violated")
	// ErrInputSchema reports a record whose columns do not match the table.
	ErrInputSchema = errors.New("table: input schema mismatch")
	// ErrClosed reports use of a closed writer.
	ErrClosed = errors.New("table: writer closed")
)

// ConstraintError locates a rejected row. errors.Is(err, ErrConstraint).
type ConstraintError struct {
	Column string // column name
	Row    int    // row index within the record passed to Write
	Reason string // "null in NOT NULL column", "null primary key", "invalid row kind"
}

func (e *ConstraintError) Error() string {
	return "table: constraint violated: column " + e.Column + " row " + itoa(e.Row) + ": " + e.Reason
}

// Is makes errors.Is(err, ErrConstraint) true.
func (e *ConstraintError) Is(target error) bool { return target == ErrConstraint }

// RowKindColumn is the default name of the optional input column that
// carries each row's kind: a string column (+I, -U, +U, -D) or an int8
// column (0–3). Rows default to +I when the column is absent.
const RowKindColumn = "_ROW_KIND"

// WriterOptions configure NewWriter. The zero value means the defaults.
type WriterOptions struct {
	// RowKindColumn names the input column carrying row kinds (default
	// RowKindColumn). The table option rowkind.field, when set, wins.
	RowKindColumn string
	// SpillDir is the local directory for write-buffer spill files (default
	// os.TempDir()).
	SpillDir string
	// Alloc allocates Arrow memory (default memory.DefaultAllocator).
	Alloc memory.Allocator
	// Logger receives lifecycle events (nil discards them).
	Logger *slog.Logger
}

// Writer turns Arrow record batches into data files and commit messages.
// It routes rows to partitions and buckets, buffers and sorts them per
// bucket within the table's write-buffer-size (spilling to local disk
// when write-buffer-spillable), and flushes level-0 files. It is not safe
// for concurrent use; several Writers (in one process or many) may write
// one table and commit together or separately. The caller must Close it.
type Writer struct {
	t *Table
	o WriterOptions
}

// NewWriter returns a writer over the table's latest schema.
func (t *Table) NewWriter(ctx context.Context, opts WriterOptions) (*Writer, error) {
	panic("table: NewWriter not implemented")
}

// Write adds the rows of rec. rec's columns are matched to the table's by
// name (the row-kind column may be added); types must be the table's Arrow
// types. Rows violating NOT NULL, carrying a null primary key or an invalid
// row kind are rejected with a *ConstraintError and nothing of rec is
// written. Write does not retain rec after it returns.
func (w *Writer) Write(ctx context.Context, rec arrow.Record) error {
	panic("table: Writer.Write not implemented")
}

// Prepare flushes every buffer into data files and returns the commit
// messages describing them (one per touched partition and bucket, plus
// index changes for dynamic buckets). The writer stays usable: the next
// Prepare returns only what was written after this one.
func (w *Writer) Prepare(ctx context.Context) ([]CommitMessage, error) {
	panic("table: Writer.Prepare not implemented")
}

// Close releases the writer's memory and spill files. Data files already
// returned by Prepare stay; files written for rows never prepared are
// deleted.
func (w *Writer) Close() error { panic("table: Writer.Close not implemented") }
