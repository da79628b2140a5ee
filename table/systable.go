package table

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/predicate"
	"github.com/floelake/floe/schema"
	"github.com/floelake/floe/snapshot"
)

// ErrUnknownSystemTable reports a system table name floe does not know.
// *UnknownSystemTableError matches it.
var ErrUnknownSystemTable = errors.New("table: unknown system table")

// UnknownSystemTableError names the system table that does not exist. It
// matches ErrUnknownSystemTable.
type UnknownSystemTableError struct {
	Name string // as given
}

func (e *UnknownSystemTableError) Error() string {
	return fmt.Sprintf("table: unknown system table %q (known: %s)", e.Name, strings.Join(SystemTables(), ", "))
}

// Is makes errors.Is(err, ErrUnknownSystemTable) true.
func (e *UnknownSystemTableError) Is(target error) bool { return target == ErrUnknownSystemTable }

// System table names, as Paimon spells them after the "$" of
// "table$name".
const (
	sysAuditLog   = "audit_log"
	sysSnapshots  = "snapshots"
	sysSchemas    = "schemas"
	sysOptions    = "options"
	sysTags       = "tags"
	sysBranches   = "branches"
	sysConsumers  = "consumers"
	sysFiles      = "files"
	sysManifests  = "manifests"
	sysPartitions = "partitions"
	sysBuckets    = "buckets"
	sysStatistics = "statistics"
)

// SystemTables returns the names of the system tables SystemTable reads,
// sorted: Paimon 1.4.2's audit_log, branches, buckets, consumers, files,
// manifests, options, partitions, schemas, snapshots, statistics and tags.
func SystemTables() []string {
	names := []string{sysAuditLog}
	for n := range sysFields {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// SystemTableOptions configure SystemTable. The zero value reads every
// column and row of the latest snapshot.
type SystemTableOptions struct {
	// At most one of SnapshotID, Tag and AsOf may be set. They choose the
	// snapshot that audit_log, files, manifests, partitions, buckets and
	// statistics describe (Paimon's scan.snapshot-id, scan.tag-name,
	// scan.timestamp-millis); the other system tables describe the whole
	// table and refuse them with an error matching errors.ErrUnsupported.
	SnapshotID int64
	Tag        string
	AsOf       time.Time
	// Columns to return, in this order (nil: all, in Paimon's order).
	Columns []string
	// Filter keeps the rows it matches (exactly, on any column).
	Filter predicate.Predicate
	// Location is the JVM default time zone Java Paimon turns epoch
	// milliseconds into TIMESTAMP(3) wall-clock values with (commit_time,
	// update_time, last_update_time, …); nil means time.Local. Columns
	// stored as wall-clock times (tags' create_time, files'
	// creation_time) do not depend on it.
	Location *time.Location
	// BatchSize is the most rows per record (default 4096).
	BatchSize int
	// Alloc allocates the records (default memory.DefaultAllocator).
	Alloc memory.Allocator
}

// SystemTable reads one of the table's read-only system tables, the
// metadata views Java Paimon serves as "table$name": name is one of
// SystemTables (case-insensitive, with or without the leading "$"). Its
// columns have Paimon 1.4.2's names, types and order (SystemTableFields);
// TIMESTAMP(3) columns are Arrow timestamps in milliseconds without a
// zone, holding wall-clock times as Java computes them. Rows come in
// Java's order where Java defines one; $schemas by id, $branches and
// $consumers by name, and $files by partition and bucket, where Java
// follows its directory listings and scan planning. An unknown name gives
// an *UnknownSystemTableError.
//
// Metadata is read as the reader goes where it can: $snapshots reads a
// snapshot file per row (none for ids a snapshot_id filter rules out),
// $manifests one manifest list at a time; $files holds the snapshot's
// live file entries, $partitions and $buckets their sums.
//
// The caller must Release the reader. It is not safe for concurrent use.
func (t *Table) SystemTable(ctx context.Context, name string, opts SystemTableOptions) (array.RecordReader, error) {
	n := normSystemName(name)
	if n == sysAuditLog {
		return t.auditLog(ctx, opts)
	}
	fields, ok := sysFields[n]
	if !ok {
		return nil, &UnknownSystemTableError{Name: name}
	}
	travel := opts.SnapshotID != 0 || opts.Tag != "" || !opts.AsOf.IsZero()
	if travel && !sysTravels[n] {
		return nil, fmt.Errorf("table: system table %s describes the whole table, not a snapshot: %w", n, errors.ErrUnsupported)
	}
	if opts.Location == nil {
		opts.Location = time.Local
	}
	if opts.Alloc == nil {
		opts.Alloc = memory.DefaultAllocator
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 4096
	}
	r, err := newSysReader(ctx, fields, opts)
	if err != nil {
		return nil, fmt.Errorf("system table %s: %w", n, err)
	}
	if r.src, err = t.sysSource(ctx, n, opts); err != nil {
		return nil, err
	}
	return r, nil
}

// SystemTableFields returns the columns of a system table as Paimon
// declares them (names, types, nullability, field ids). audit_log's are
// rowkind then the table's columns.
func (t *Table) SystemTableFields(name string) ([]schema.Field, error) {
	n := normSystemName(name)
	if n == sysAuditLog {
		return append([]schema.Field{{ID: schema.RowKindFieldID, Name: auditLogKind, Type: schema.NewString()}}, t.latest.Fields...), nil
	}
	fields, ok := sysFields[n]
	if !ok {
		return nil, &UnknownSystemTableError{Name: name}
	}
	return slices.Clone(fields), nil
}

func normSystemName(name string) string {
	return strings.ToLower(strings.TrimPrefix(name, "$"))
}

// auditLogKind is the audit_log's row-kind column.
const auditLogKind = "rowkind"

// auditLog is Paimon's audit_log: each key's merged row with its row kind
// (rowkind, first), deletes included.
func (t *Table) auditLog(ctx context.Context, o SystemTableOptions) (array.RecordReader, error) {
	scan := ScanOptions{SnapshotID: o.SnapshotID, Tag: o.Tag, AsOf: o.AsOf, Filter: o.Filter}
	var want []string
	if o.Columns != nil {
		// The read's own columns, then rowkind placed where asked.
		for _, c := range o.Columns {
			if c != auditLogKind {
				scan.Columns = append(scan.Columns, c)
			}
		}
		want = o.Columns
	}
	rr, err := t.ReadAll(ctx, scan, ReadOptions{BatchSize: o.BatchSize, Alloc: o.Alloc, RowKinds: true, KeepDeletes: true})
	if err != nil {
		return nil, err
	}
	fields := rr.Schema().Fields()
	fields[0].Name = auditLogKind
	idx := make([]int, len(fields))
	for i := range idx {
		idx[i] = i
	}
	if want != nil {
		idx = idx[:0]
		next := 1
		for _, c := range want {
			if c == auditLogKind {
				idx = append(idx, 0)
			} else {
				idx = append(idx, next)
				next++
			}
		}
	}
	out := make([]arrow.Field, len(idx))
	for i, j := range idx {
		out[i] = fields[j]
	}
	return &renamed{RecordReader: rr, schema: arrow.NewSchema(out, nil), cols: idx}, nil
}

// renamed reads rr's records under another schema, with columns cols.
type renamed struct {
	array.RecordReader
	schema *arrow.Schema
	cols   []int
	cur    arrow.RecordBatch
}

func (r *renamed) Schema() *arrow.Schema { return r.schema }
func (r *renamed) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if !r.RecordReader.Next() {
		return false
	}
	rec := r.RecordReader.RecordBatch()
	cols := make([]arrow.Array, len(r.cols))
	for i, j := range r.cols {
		cols[i] = rec.Column(j)
	}
	r.cur = array.NewRecordBatch(r.schema, cols, rec.NumRows())
	return true
}
func (r *renamed) RecordBatch() arrow.RecordBatch { return r.cur }
func (r *renamed) Record() arrow.RecordBatch      { return r.cur }
func (r *renamed) Release() {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	r.RecordReader.Release()
}

// sysTravels are the system tables that describe one snapshot.
var sysTravels = map[string]bool{
	sysFiles: true, sysManifests: true, sysPartitions: true, sysBuckets: true, sysStatistics: true,
}

// Paimon's system table types. SerializationUtils.newStringType(false) is
// STRING NOT NULL, DataTypes.TIMESTAMP_MILLIS() TIMESTAMP(3).
var (
	tBigInt   = schema.NewBigInt()
	tBigIntNN = schema.NewBigInt().WithNotNull(true)
	tIntNN    = schema.NewInt().WithNotNull(true)
	tString   = schema.NewString()
	tStringNN = schema.NewString().WithNotNull(true)
	tTS       = schema.NewTimestamp(3)
	tTSNN     = schema.NewTimestamp(3).WithNotNull(true)
)

func sysCols(cols ...any) []schema.Field {
	out := make([]schema.Field, 0, len(cols)/2)
	for i := 0; i < len(cols); i += 2 {
		out = append(out, schema.Field{ID: i / 2, Name: cols[i].(string), Type: cols[i+1].(schema.DataType)})
	}
	return out
}

// sysFields are the columns of each system table, from Paimon 1.4.2's
// org.apache.paimon.table.system.*Table TABLE_TYPEs.
var sysFields = map[string][]schema.Field{
	sysSnapshots: sysCols(
		"snapshot_id", tBigIntNN,
		"schema_id", tBigIntNN,
		"commit_user", tStringNN,
		"commit_identifier", tBigIntNN,
		"commit_kind", tStringNN,
		"commit_time", tTSNN,
		"base_manifest_list", tStringNN,
		"delta_manifest_list", tStringNN,
		"changelog_manifest_list", tString,
		"total_record_count", tBigInt,
		"delta_record_count", tBigInt,
		"changelog_record_count", tBigInt,
		"watermark", tBigInt,
		"next_row_id", tBigInt,
	),
	sysSchemas: sysCols(
		"schema_id", tBigIntNN,
		"fields", tStringNN,
		"partition_keys", tStringNN,
		"primary_keys", tStringNN,
		"options", tStringNN,
		"comment", tString,
		"update_time", tTSNN,
	),
	sysOptions: sysCols(
		"key", tStringNN,
		"value", tStringNN,
	),
	sysTags: sysCols(
		"tag_name", tStringNN,
		"snapshot_id", tBigIntNN,
		"schema_id", tBigIntNN,
		"commit_time", tTSNN,
		"record_count", tBigInt,
		"create_time", tTS,
		"time_retained", tString,
	),
	sysBranches: sysCols(
		"branch_name", tStringNN,
		"create_time", tTSNN,
	),
	sysConsumers: sysCols(
		"consumer_id", tStringNN,
		"next_snapshot_id", tBigIntNN,
	),
	sysFiles: sysCols(
		"partition", tString,
		"bucket", tIntNN,
		"file_path", tStringNN,
		"file_format", tStringNN,
		"schema_id", tBigIntNN,
		"level", tIntNN,
		"record_count", tBigIntNN,
		"file_size_in_bytes", tBigIntNN,
		"min_key", tString,
		"max_key", tString,
		"null_value_counts", tStringNN,
		"min_value_stats", tStringNN,
		"max_value_stats", tStringNN,
		"min_sequence_number", tBigInt,
		"max_sequence_number", tBigInt,
		"creation_time", tTS,
		"deleteRowCount", tBigInt,
		"file_source", tString,
		"first_row_id", tBigInt,
		"write_cols", schema.NewArray(tString),
	),
	sysManifests: sysCols(
		"file_name", tStringNN,
		"file_size", tBigIntNN,
		"num_added_files", tBigIntNN,
		"num_deleted_files", tBigIntNN,
		"schema_id", tBigIntNN,
		"min_partition_stats", tString,
		"max_partition_stats", tString,
		"min_row_id", tBigInt,
		"max_row_id", tBigInt,
	),
	sysPartitions: sysCols(
		"partition", tString,
		"record_count", tBigIntNN,
		"file_size_in_bytes", tBigIntNN,
		"file_count", tBigIntNN,
		"last_update_time", tTS,
		"created_at", tTS,
		"created_by", tString,
		"updated_by", tString,
		"options", tString,
	),
	sysBuckets: sysCols(
		"partition", tString,
		"bucket", tIntNN,
		"record_count", tBigIntNN,
		"file_size_in_bytes", tBigIntNN,
		"file_count", tBigIntNN,
		"last_update_time", tTS,
	),
	sysStatistics: sysCols(
		"snapshot_id", tBigIntNN,
		"schema_id", tBigIntNN,
		"mergedRecordCount", tBigInt,
		"mergedRecordSize", tBigInt,
		"colstat", tString,
	),
}

// rowSource yields a system table's rows one at a time: each row holds
// one Go value per column (see appendCell), nil for null. next returns
// io.EOF after the last row.
type rowSource interface {
	next(ctx context.Context) ([]any, error)
}

// rowsSource yields rows computed up front.
type rowsSource struct {
	rows [][]any
	i    int
}

func (s *rowsSource) next(context.Context) ([]any, error) {
	if s.i >= len(s.rows) {
		return nil, io.EOF
	}
	s.i++
	return s.rows[s.i-1], nil
}

// sysReader turns a rowSource into Arrow records of opts.BatchSize rows,
// filtered and projected.
type sysReader struct {
	ctx    context.Context
	opts   SystemTableOptions
	full   *arrow.Schema // every column
	out    *arrow.Schema // the projection
	cols   []int         // out column -> full column
	filter *predicate.Bound
	// allCols maps the filter's fields to the full record's columns.
	allCols []int
	src     rowSource
	rows    [][]any
	cur     arrow.RecordBatch
	err     error
	done    bool
	refs    atomic.Int64
	sel     []int32
}

func newSysReader(ctx context.Context, fields []schema.Field, o SystemTableOptions) (*sysReader, error) {
	full, err := schema.ArrowSchema(fields)
	if err != nil {
		return nil, err
	}
	r := &sysReader{ctx: ctx, opts: o, full: full, out: full}
	for i := range fields {
		r.cols = append(r.cols, i)
	}
	r.allCols = slices.Clone(r.cols)
	if o.Columns != nil {
		r.cols = r.cols[:0]
		var out []arrow.Field
		seen := map[string]bool{}
		for _, c := range o.Columns {
			i := slices.IndexFunc(fields, func(f schema.Field) bool { return f.Name == c })
			if i < 0 {
				return nil, fmt.Errorf("%w: %q", predicate.ErrColumn, c)
			}
			if seen[c] {
				return nil, fmt.Errorf("column %q requested twice", c)
			}
			seen[c] = true
			r.cols = append(r.cols, i)
			out = append(out, full.Field(i))
		}
		r.out = arrow.NewSchema(out, nil)
	}
	if !o.Filter.IsZero() {
		if r.filter, err = predicate.Bind(o.Filter, fields, false); err != nil {
			return nil, err
		}
	}
	r.refs.Store(1)
	return r, nil
}

func (r *sysReader) Retain()                        { r.refs.Add(1) }
func (r *sysReader) Schema() *arrow.Schema          { return r.out }
func (r *sysReader) RecordBatch() arrow.RecordBatch { return r.cur }
func (r *sysReader) Record() arrow.RecordBatch      { return r.cur }
func (r *sysReader) Err() error                     { return r.err }

func (r *sysReader) Release() {
	if r.refs.Add(-1) == 0 && r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
}

func (r *sysReader) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	for !r.done && r.err == nil {
		r.rows = r.rows[:0]
		for len(r.rows) < r.opts.BatchSize {
			if err := r.ctx.Err(); err != nil {
				r.err = err
				return false
			}
			row, err := r.src.next(r.ctx)
			if err == io.EOF {
				r.done = true
				break
			}
			if err != nil {
				r.err = err
				return false
			}
			r.rows = append(r.rows, row)
		}
		if len(r.rows) == 0 {
			return false
		}
		rec, err := r.batch()
		if err != nil {
			r.err = err
			return false
		}
		if rec != nil {
			r.cur = rec
			return true
		}
	}
	return false
}

// batch builds the record of r.rows, keeping the rows the filter matches
// (nil when none does).
func (r *sysReader) batch() (arrow.RecordBatch, error) {
	rec, err := r.build(r.rows)
	if err != nil {
		return nil, err
	}
	if r.filter != nil {
		r.sel, err = r.filter.Filter(rec, r.allCols, r.sel)
		if err != nil {
			rec.Release()
			return nil, err
		}
		if len(r.sel) == 0 {
			rec.Release()
			return nil, nil
		}
		if len(r.sel) < len(r.rows) {
			rec.Release()
			kept := make([][]any, len(r.sel))
			for i, j := range r.sel {
				kept[i] = r.rows[j]
			}
			if rec, err = r.build(kept); err != nil {
				return nil, err
			}
		}
	}
	defer rec.Release()
	cols := make([]arrow.Array, len(r.cols))
	for i, j := range r.cols {
		cols[i] = rec.Column(j)
	}
	return array.NewRecordBatch(r.out, cols, rec.NumRows()), nil
}

// build appends rows to a new record of every column.
func (r *sysReader) build(rows [][]any) (arrow.RecordBatch, error) {
	b := array.NewRecordBuilder(r.opts.Alloc, r.full)
	defer b.Release()
	for _, row := range rows {
		for c, v := range row {
			if err := appendCell(b.Field(c), v); err != nil {
				return nil, fmt.Errorf("column %s: %w", r.full.Field(c).Name, err)
			}
		}
	}
	return b.NewRecordBatch(), nil
}

// wallTime is a TIMESTAMP(3) cell: wall-clock milliseconds read as UTC.
type wallTime int64

// appendCell appends one Go value: int64, int32, string, bool, wallTime,
// []string (ARRAY<STRING>) or nil (null).
func appendCell(b array.Builder, v any) error {
	if v == nil {
		b.AppendNull()
		return nil
	}
	switch b := b.(type) {
	case *array.Int64Builder:
		if x, ok := v.(int64); ok {
			b.Append(x)
			return nil
		}
	case *array.Int32Builder:
		if x, ok := v.(int32); ok {
			b.Append(x)
			return nil
		}
	case *array.StringBuilder:
		if x, ok := v.(string); ok {
			b.Append(x)
			return nil
		}
	case *array.BooleanBuilder:
		if x, ok := v.(bool); ok {
			b.Append(x)
			return nil
		}
	case *array.TimestampBuilder:
		if x, ok := v.(wallTime); ok {
			b.Append(arrow.Timestamp(x))
			return nil
		}
	case *array.ListBuilder:
		if x, ok := v.([]string); ok {
			b.Append(true)
			vb := b.ValueBuilder().(*array.StringBuilder)
			for _, s := range x {
				vb.Append(s)
			}
			return nil
		}
	}
	return fmt.Errorf("table: system table cell %T for %s", v, b.Type())
}

// Helpers that turn optional values into cells.
func optInt64(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

func optString(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}

// localWall converts epoch milliseconds to the wall clock of loc, as
// LocalDateTime.ofInstant(Instant.ofEpochMilli(ms), zone) does.
func localWall(ms int64, loc *time.Location) wallTime {
	_, off := time.UnixMilli(ms).In(loc).Zone()
	return wallTime(ms + int64(off)*1000)
}

// wallEpoch converts a wall clock (milliseconds read as UTC) in loc to
// epoch milliseconds, as LocalDateTime.atZone(zone).toInstant() does
// (except in the hour a clock change skips or repeats, where Go and Java
// may pick different offsets).
func wallEpoch(wall int64, loc *time.Location) int64 {
	u := time.UnixMilli(wall).UTC()
	l := time.Date(u.Year(), u.Month(), u.Day(), u.Hour(), u.Minute(), u.Second(), u.Nanosecond(), loc)
	return l.UnixMilli()
}

// sysSource returns the row source of system table n.
func (t *Table) sysSource(ctx context.Context, n string, o SystemTableOptions) (rowSource, error) {
	switch n {
	case sysSnapshots:
		return t.snapshotsSource(ctx, o)
	case sysSchemas:
		return t.schemasSource(ctx, o)
	case sysOptions:
		return t.optionsSource(ctx)
	case sysTags:
		return t.tagsSource(ctx, o)
	case sysBranches:
		return t.branchesSource(ctx, o)
	case sysConsumers:
		return t.consumersSource(ctx)
	case sysStatistics:
		return t.statisticsSource(ctx, o)
	case sysFiles:
		return t.filesSource(ctx, o)
	case sysManifests:
		return t.manifestsSource(ctx, o)
	case sysPartitions:
		return t.partitionsSource(ctx, o)
	case sysBuckets:
		return t.bucketsSource(ctx, o)
	}
	return nil, &UnknownSystemTableError{Name: n}
}

// sysSnapshot resolves the snapshot a system table describes and the
// schema to describe it with: the latest (nil when the table has none)
// with the table's schema, or the time-travel target with its own.
func (t *Table) sysSnapshot(ctx context.Context, o SystemTableOptions) (*snapshot.Snapshot, *schema.Table, error) {
	so := ScanOptions{SnapshotID: o.SnapshotID, Tag: o.Tag, AsOf: o.AsOf}
	snap, err := t.resolveSnapshot(ctx, so)
	if errors.Is(err, ErrNoSnapshot) && o.SnapshotID == 0 && o.Tag == "" && o.AsOf.IsZero() {
		return nil, t.latest, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if o.SnapshotID == 0 && o.Tag == "" && o.AsOf.IsZero() {
		return snap, t.latest, nil
	}
	rs, err := t.SchemaByID(ctx, snap.SchemaID)
	if err != nil {
		return nil, nil, err
	}
	return snap, rs, nil
}
