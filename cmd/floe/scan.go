package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/floelake/floe/predicate"
	"github.com/floelake/floe/table"
)

// auditLogSuffix names Paimon's audit_log system table of a table, and
// auditLogKind its row-kind column.
const (
	auditLogSuffix = "$audit_log"
	auditLogKind   = "rowkind"
)

// gridCap is how many rows the table format shows without --limit.
const gridCap = 10_000

// parseAsOf reads --as-of: RFC 3339, 'yyyy-mm-dd hh:mm:ss[.fff]' (local
// time) or epoch milliseconds.
func parseAsOf(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.UnixMilli(ms), nil
	}
	if tm, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return tm, nil
	}
	for _, l := range []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if tm, err := time.ParseInLocation(l, s, time.Local); err == nil {
			return tm, nil
		}
	}
	return time.Time{}, fmt.Errorf("%w: --as-of %q: want RFC 3339, 'yyyy-mm-dd hh:mm:ss' (local time) or epoch millis", errUsage, s)
}

func cmdScan(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("scan", flag.ContinueOnError)
	sel := fs.String("select", "", "columns to return, in order: a,b")
	where := fs.String("where", "", "row filter, e.g. \"amount > 10 AND category IN ('a', 'b')\"")
	snapID := fs.Int64("snapshot", 0, "read this snapshot (time travel)")
	tag := fs.String("tag", "", "read the snapshot of this tag")
	asOf := fs.String("as-of", "", "read the latest snapshot at this time (RFC 3339, 'yyyy-mm-dd hh:mm:ss' local, or epoch millis)")
	limitFlag := fs.Int64("limit", 0, "stop after N rows (default: all rows)")
	format := fs.String("format", "table", "output format: table, jsonl, csv or parquet")
	output := fs.String("output", "", "write to this file instead of stdout (required for parquet)")
	between := fs.String("incremental-between", "", "read the changes after START up to END: two snapshot ids or two tags, START,END (rows with their _ROW_KIND)")
	betweenTime := fs.String("incremental-between-timestamp", "", "read the changes committed after T1 up to T2: T1,T2 (times as for --as-of)")
	incrMode := fs.String("incremental-mode", "auto", "with --incremental-between: auto, delta, changelog or diff")
	warehouse := fs.String("warehouse", "", "warehouse for a db.table identifier (default $"+warehouseEnv+")")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("scan", pos, 1, 2, "TABLE [--select a,b] [--where EXPR] [--snapshot N | --tag T | --as-of TIME | --incremental-between START,END | --incremental-between-timestamp T1,T2 [--incremental-mode auto|delta|changelog|diff]] [--limit N] [--format table|jsonl|csv|parquet] [--output FILE]"); err != nil {
		return err
	}
	limit := new(int64(-1)) // all rows
	if isSet(fs, "limit") {
		if *limitFlag < 0 {
			return fmt.Errorf("%w: --limit must be 0 or more", errUsage)
		}
		limit = limitFlag
	}
	opts := table.ScanOptions{SnapshotID: *snapID, Tag: *tag, Columns: splitList(*sel)}
	travel := 0
	if *snapID != 0 {
		travel++
		if *snapID < 0 {
			return fmt.Errorf("%w: --snapshot must be positive", errUsage)
		}
	}
	if *tag != "" {
		travel++
	}
	if *asOf != "" {
		travel++
		if opts.AsOf, err = parseAsOf(*asOf); err != nil {
			return err
		}
	}
	var incr *table.IncrementalOptions
	if *between != "" || *betweenTime != "" {
		travel++
		if incr, err = incrementalOptions(*between, *betweenTime, *incrMode); err != nil {
			return err
		}
		incr.Columns, incr.Alloc = opts.Columns, memory.DefaultAllocator
	} else if isSet(fs, "incremental-mode") {
		return fmt.Errorf("%w: --incremental-mode goes with --incremental-between", errUsage)
	}
	if travel > 1 {
		return fmt.Errorf("%w: use only one of --snapshot, --tag, --as-of, --incremental-between and --incremental-between-timestamp", errUsage)
	}
	switch *format {
	case "table", "jsonl", "csv":
	case "parquet":
		if *output == "" {
			return fmt.Errorf("%w: --format parquet needs --output FILE", errUsage)
		}
	default:
		return fmt.Errorf("%w: --format %q: want table, jsonl, csv or parquet", errUsage, *format)
	}
	if strings.TrimSpace(*where) != "" {
		if opts.Filter, err = predicate.Parse(*where); err != nil {
			return fmt.Errorf("--where: %w", err)
		}
	}
	// TABLE$audit_log: Paimon's system table of each key's merged row with
	// its row kind (rowkind, first), deletes included.
	ro := table.ReadOptions{Alloc: memory.DefaultAllocator}
	// TABLE$branch_NAME is a branch; TABLE$NAME (after it, if any) another
	// of Paimon's system tables.
	last := &pos[len(pos)-1]
	base, branch, sys, err := splitObject(*last)
	if err != nil {
		return err
	}
	*last = withBranch(base, branch)
	if "$"+sys == auditLogSuffix {
		sys = ""
		ro.RowKinds, ro.KeepDeletes = true, true
	} else if sys != "" && incr != nil {
		return fmt.Errorf("%w: --incremental-between reads a table's changes, not the system table $%s", errUsage, sys)
	}
	t, done, err := openExisting(ctx, *warehouse, pos, true)
	if err != nil {
		return err
	}
	defer done()
	mem := ro.Alloc
	var rr array.RecordReader
	if sys != "" {
		so := table.SystemTableOptions{SnapshotID: opts.SnapshotID, Tag: opts.Tag, AsOf: opts.AsOf,
			Columns: opts.Columns, Filter: opts.Filter, Alloc: mem}
		if rr, err = t.SystemTable(ctx, sys, so); err != nil {
			return systemTableError(err, sys, opts)
		}
	} else if incr != nil {
		// Changes: each row's kind first (_ROW_KIND, or the audit_log's
		// rowkind).
		incr.Filter = opts.Filter
		s, err := t.NewIncremental(ctx, *incr)
		if err != nil {
			return err
		}
		defer s.Close()
		rr = &changeReader{ctx: ctx, s: s}
	} else if rr, err = t.ReadAll(ctx, opts, ro); err != nil {
		return missingSnapshot(err, opts.SnapshotID, opts.Tag, opts.AsOf)
	}
	defer rr.Release()

	dst := out
	var file *os.File
	var fileBuf *bufio.Writer
	if *output != "" {
		if file, err = os.Create(*output); err != nil {
			return err
		}
		defer file.Close()
		fileBuf = bufio.NewWriterSize(file, 256<<10)
		dst = fileBuf
	}
	var sink recordSink
	switch *format {
	case "table":
		sink = &gridSink{out: dst, max: gridCap, limited: *limit >= 0}
	case "jsonl":
		sink = newJSONLSink(dst)
	case "csv":
		sink = newCSVSink(dst)
	case "parquet":
		sink = &parquetSink{out: dst, mem: mem}
	}
	sc := rr.Schema()
	if ro.RowKinds {
		fields := sc.Fields()
		fields[0].Name = auditLogKind
		sc = arrow.NewSchema(fields, nil)
	}
	if err := sink.begin(sc); err != nil {
		return err
	}
	var rows int64
	for (*limit < 0 || rows < *limit) && rr.Next() {
		rec := rr.Record()
		n := rec.NumRows()
		if *limit >= 0 && rows+n > *limit {
			n = *limit - rows
		}
		part := rec.NewSlice(0, n)
		if ro.RowKinds { // the audit_log's column name
			named := array.NewRecord(sc, part.Columns(), n)
			part.Release()
			part = named
		}
		err = sink.write(part)
		part.Release()
		if err != nil {
			return err
		}
		rows += n
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	if err := rr.Err(); err != nil && err != io.EOF {
		return err
	}
	if err := sink.end(); err != nil {
		return err
	}
	if file != nil {
		if err := fileBuf.Flush(); err != nil {
			return err
		}
		if err := file.Close(); err != nil && !errors.Is(err, os.ErrClosed) {
			return err
		}
		fmt.Fprintf(stderr, "%s written to %s\n", rowCount(rows), *output)
	}
	return nil
}

// systemTableError explains why a system table cannot be read.
func systemTableError(err error, name string, opts table.ScanOptions) error {
	var unknown *table.UnknownSystemTableError
	switch {
	case errors.As(err, &unknown):
		return &notFound{err: err, msg: fmt.Sprintf("no system table $%s (system tables: $%s)", name, strings.Join(table.SystemTables(), ", $"))}
	case errors.Is(err, errors.ErrUnsupported):
		return fmt.Errorf("%w: $%s describes the whole table: --snapshot, --tag and --as-of choose the snapshot of $files, $manifests, $partitions, $buckets, $statistics and $audit_log", errUsage, name)
	}
	return missingSnapshot(err, opts.SnapshotID, opts.Tag, opts.AsOf)
}

// incrementalOptions reads --incremental-between (two snapshot ids or two
// tags, as Paimon's incremental-between), --incremental-between-timestamp
// and --incremental-mode.
func incrementalOptions(between, betweenTime, mode string) (*table.IncrementalOptions, error) {
	m, err := table.ParseIncrementalMode(mode)
	if err != nil {
		return nil, fmt.Errorf("%w: --incremental-mode %q: want auto, delta, changelog or diff", errUsage, mode)
	}
	o := &table.IncrementalOptions{Mode: m}
	if between != "" && betweenTime != "" {
		return nil, fmt.Errorf("%w: use only one of --incremental-between and --incremental-between-timestamp", errUsage)
	}
	if betweenTime != "" {
		a, b, ok := strings.Cut(betweenTime, ",")
		if !ok {
			return nil, fmt.Errorf("%w: --incremental-between-timestamp %q: want T1,T2", errUsage, betweenTime)
		}
		if o.FromTime, err = parseAsOf(a); err != nil {
			return nil, err
		}
		if o.ToTime, err = parseAsOf(b); err != nil {
			return nil, err
		}
		return o, nil
	}
	a, b, ok := strings.Cut(between, ",")
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	if !ok || a == "" || b == "" {
		return nil, fmt.Errorf("%w: --incremental-between %q: want START,END (snapshot ids or tags)", errUsage, between)
	}
	from, err1 := strconv.ParseInt(a, 10, 64)
	to, err2 := strconv.ParseInt(b, 10, 64)
	if err1 == nil && err2 == nil {
		o.FromSnapshot, o.ToSnapshot = from, to
	} else {
		o.FromTag, o.ToTag = a, b
	}
	return o, nil
}

// changeReader reads a Stream's batches as a RecordReader.
type changeReader struct {
	ctx context.Context
	s   *table.Stream
	cur arrow.Record
	err error
}

func (r *changeReader) Retain()                   {}
func (r *changeReader) Release()                  {}
func (r *changeReader) Schema() *arrow.Schema     { return r.s.Schema() }
func (r *changeReader) Record() arrow.Record      { return r.cur }
func (r *changeReader) RecordBatch() arrow.Record { return r.cur }
func (r *changeReader) Err() error                { return r.err }
func (r *changeReader) Next() bool {
	r.cur = nil
	if r.err != nil {
		return false
	}
	b, err := r.s.Next(r.ctx)
	if err != nil {
		if !errors.Is(err, io.EOF) {
			r.err = err
		}
		return false
	}
	r.cur = b.Record
	return true
}

// recordSink writes scan results in one output format.
type recordSink interface {
	begin(*arrow.Schema) error
	write(arrow.Record) error
	end() error
}

// gridSink buffers up to max rows as text and prints an aligned grid with
// a row-count footer (counting the rows it did not show too).
type gridSink struct {
	out     io.Writer
	max     int
	limited bool
	g       grid
	total   int64
}

func (s *gridSink) begin(sc *arrow.Schema) error {
	for _, f := range sc.Fields() {
		s.g.header = append(s.g.header, f.Name)
	}
	return nil
}

func (s *gridSink) write(rec arrow.Record) error {
	for r := 0; r < int(rec.NumRows()); r++ {
		s.total++
		if len(s.g.rows) >= s.max && !s.limited {
			continue
		}
		row := make([]string, rec.NumCols())
		for c, col := range rec.Columns() {
			txt, ok := cellText(col, r)
			switch {
			case !ok:
				txt = "NULL"
			case txt == "":
				txt = `""`
			}
			row[c] = strings.NewReplacer("\t", `\t`, "\n", `\n`).Replace(txt)
		}
		s.g.rows = append(s.g.rows, row)
	}
	return nil
}

func (s *gridSink) end() error {
	if err := s.g.print(s.out); err != nil {
		return err
	}
	if int64(len(s.g.rows)) < s.total {
		_, err := fmt.Fprintf(s.out, "(%s, first %d shown; use --limit or another --format)\n", rowCount(s.total), len(s.g.rows))
		return err
	}
	_, err := fmt.Fprintf(s.out, "(%s)\n", rowCount(s.total))
	return err
}

// jsonlSink writes one JSON object per row, columns in schema order.
type jsonlSink struct {
	w     *bufio.Writer
	names [][]byte
	buf   []byte
}

func newJSONLSink(w io.Writer) *jsonlSink { return &jsonlSink{w: bufio.NewWriterSize(w, 1<<16)} }

func (s *jsonlSink) begin(sc *arrow.Schema) error {
	for i, f := range sc.Fields() {
		var b []byte
		if i == 0 {
			b = append(b, '{')
		} else {
			b = append(b, ',')
		}
		b = appendJSONString(b, f.Name)
		s.names = append(s.names, append(b, ':'))
	}
	return nil
}

func (s *jsonlSink) write(rec arrow.Record) error {
	cols := rec.Columns()
	for r := 0; r < int(rec.NumRows()); r++ {
		b := s.buf[:0]
		for c, col := range cols {
			b = append(b, s.names[c]...)
			b = appendJSON(b, col, r)
		}
		if len(cols) == 0 {
			b = append(b, '{')
		}
		b = append(b, '}', '\n')
		if _, err := s.w.Write(b); err != nil {
			return err
		}
		s.buf = b
	}
	return nil
}

func (s *jsonlSink) end() error   { return s.w.Flush() }
func (s *jsonlSink) flush() error { return s.w.Flush() }

// csvSink writes a header and one record per row; null is an empty cell.
type csvSink struct {
	w   *csv.Writer
	row []string
}

func newCSVSink(w io.Writer) *csvSink { return &csvSink{w: csv.NewWriter(w)} }

func (s *csvSink) begin(sc *arrow.Schema) error {
	h := make([]string, sc.NumFields())
	for i, f := range sc.Fields() {
		h[i] = f.Name
	}
	s.row = make([]string, len(h))
	return s.w.Write(h)
}

func (s *csvSink) write(rec arrow.Record) error {
	for r := 0; r < int(rec.NumRows()); r++ {
		for c, col := range rec.Columns() {
			s.row[c], _ = cellText(col, r)
		}
		if err := s.w.Write(s.row); err != nil {
			return err
		}
	}
	return nil
}

func (s *csvSink) flush() error {
	s.w.Flush()
	return s.w.Error()
}

func (s *csvSink) end() error {
	s.w.Flush()
	return s.w.Error()
}

// parquetSink writes the records to a Parquet file with pqarrow.
type parquetSink struct {
	out io.Writer
	mem memory.Allocator
	fw  *pqarrow.FileWriter
}

func (s *parquetSink) begin(sc *arrow.Schema) error {
	props := parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Zstd), parquet.WithAllocator(s.mem))
	fw, err := pqarrow.NewFileWriter(sc, s.out, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema(), pqarrow.WithAllocator(s.mem)))
	if err != nil {
		return err
	}
	s.fw = fw
	return nil
}

func (s *parquetSink) write(rec arrow.Record) error { return s.fw.WriteBuffered(rec) }

func (s *parquetSink) end() error { return s.fw.Close() }

// isSet reports whether flag name was given on the command line.
func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			set = true
		}
	})
	return set
}
