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
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/schollz/progressbar/v3"

	"github.com/floelake/floe/internal/jsonrow"
	"github.com/floelake/floe/schema"
	"github.com/floelake/floe/snapshot"
	"github.com/floelake/floe/table"
)

// stdin and stderr are the CLI's standard input and error (tests replace
// them).
var (
	stdin  io.Reader = os.Stdin
	stderr io.Writer = os.Stderr
)

// progressThreshold is the input size above which a terminal gets a
// progress bar.
const progressThreshold = 16 << 20

// inputError locates a bad input value: file, line (or row) and column.
type inputError struct {
	File   string
	Line   int    // 1-based line (JSON lines, CSV) or row (Parquet); 0 when unknown
	Unit   string // "line" or "row"
	Column string
	Err    error
}

func (e *inputError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ": %s %d", e.Unit, e.Line)
	}
	if e.Column != "" {
		fmt.Fprintf(&b, ": column %q", e.Column)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *inputError) Unwrap() error { return e.Err }

var (
	// errUnknownColumn reports an input column the table does not have.
	errUnknownColumn = errors.New("unknown column")
	// errNull reports a null in a NOT NULL column or primary key.
	errNull = errors.New("null in NOT NULL column")
)

// rowKinds are the accepted values of the row-kind column.
var rowKinds = map[string]bool{"+I": true, "-U": true, "+U": true, "-D": true}

// target describes the record batches the table's writer takes.
type target struct {
	fields []schema.Field
	arrow  *arrow.Schema // table columns only
	convs  []jsonrow.Conv
	index  map[string]int // column name (and lower-cased name) → index
	// kindName is the input column of row kinds beside the table's columns
	// (_ROW_KIND); "" when the table takes row kinds from one of its own
	// columns, kindField (rowkind.field), which is -1 otherwise.
	kindName  string
	kindField int
	pk        map[string]bool
}

func newTarget(s *schema.Table) (*target, error) {
	as, err := schema.ArrowSchema(s.Fields)
	if err != nil {
		return nil, err
	}
	tg := &target{fields: s.Fields, arrow: as, index: map[string]int{}, kindName: table.RowKindColumn, kindField: -1, pk: map[string]bool{}}
	if v, ok := s.Options.Get("rowkind.field"); ok && v != "" {
		tg.kindName = ""
		if tg.kindField = s.FieldIndex(v); tg.kindField < 0 {
			return nil, fmt.Errorf("%w: rowkind.field %q is not a column", table.ErrInvalidOption, v)
		}
	}
	for _, k := range s.PrimaryKeys {
		tg.pk[k] = true
	}
	for i, f := range s.Fields {
		c, err := jsonrow.NewConv(f.Type, as.Field(i).Type)
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", f.Name, err)
		}
		tg.convs = append(tg.convs, c)
		if _, dup := tg.index[strings.ToLower(f.Name)]; !dup {
			tg.index[strings.ToLower(f.Name)] = i
		}
	}
	for i, f := range s.Fields {
		tg.index[f.Name] = i
	}
	return tg, nil
}

// column finds an input column name: -1 for the row-kind column, -2 when
// unknown.
func (tg *target) column(name string) int {
	if tg.kindName != "" && name == tg.kindName {
		return -1
	}
	if i, ok := tg.index[name]; ok {
		return i
	}
	if i, ok := tg.index[strings.ToLower(name)]; ok {
		return i
	}
	return -2
}

func (tg *target) notNull(i int) bool {
	return tg.fields[i].Type.NotNull || tg.pk[tg.fields[i].Name]
}

// kindColumn names where row kinds come from, for messages.
func (tg *target) kindColumn() string {
	if tg.kindField >= 0 {
		return tg.fields[tg.kindField].Name
	}
	return tg.kindName
}

func (tg *target) unknown(name string) error {
	names := make([]string, len(tg.fields))
	for i, f := range tg.fields {
		names[i] = f.Name
	}
	kind := tg.kindName
	if tg.kindField >= 0 {
		kind = "column " + tg.fields[tg.kindField].Name + " (rowkind.field)"
	}
	return fmt.Errorf("%w (table columns: %s; row kind: %s)", errUnknownColumn, strings.Join(names, ", "), kind)
}

// batch accumulates converted rows.
type batch struct {
	tg    *target
	rb    *array.RecordBuilder
	kinds []string // "" = +I
	lines []int
	bytes int // input bytes of the rows
	file  string
	unit  string
}

// batchBytes is the input size past which a batch is handed to the writer
// whatever its row count: with records of up to jsonrow.MaxRecordSizeLimit
// a batch's strings stay within what one Arrow string array addresses.
const batchBytes = 128 << 20

func newBatch(tg *target, mem memory.Allocator, file, unit string) *batch {
	return &batch{tg: tg, rb: array.NewRecordBuilder(mem, tg.arrow), file: file, unit: unit}
}

func (b *batch) len() int { return len(b.lines) }

// full reports whether the batch should be handed to the writer.
func (b *batch) full(rows int) bool { return b.len() >= rows || b.bytes >= batchBytes }

// add converts one row of values (aligned with the table's columns; nil =
// null) with its row kind; size is its input bytes.
func (b *batch) add(vals []any, kind string, line, size int) error {
	bad := func(col string, err error) error {
		return &inputError{File: b.file, Line: line, Unit: b.unit, Column: col, Err: err}
	}
	for i, v := range vals {
		if v == nil && b.tg.notNull(i) {
			return bad(b.tg.fields[i].Name, errNull)
		}
	}
	if f := b.tg.kindField; f >= 0 {
		// rowkind.field: the column's own value is the kind; Paimon
		// refuses null.
		if k, ok := vals[f].(string); !ok || !rowKinds[k] {
			return bad(b.tg.fields[f].Name, fmt.Errorf("%w: row kind (rowkind.field) must be +I, -U, +U or -D, got %s", jsonrow.ErrValue, jsonrow.Show(vals[f])))
		}
	}
	if kind != "" && !rowKinds[kind] {
		return bad(b.tg.kindName, fmt.Errorf("%w: row kind %q is not +I, -U, +U or -D", jsonrow.ErrValue, kind))
	}
	for i, v := range vals {
		if err := jsonrow.AppendValue(b.tg.convs[i], b.rb.Field(i), v, false); err != nil {
			// The builders now hold part of the row: the write fails as a
			// whole and nothing is committed.
			return bad(b.tg.fields[i].Name, err)
		}
	}
	b.kinds = append(b.kinds, kind)
	b.lines = append(b.lines, line)
	b.bytes += size
	return nil
}

// flush returns the accumulated rows as a record (with a row-kind column
// when some row has a kind) and resets the batch.
func (b *batch) flush(mem memory.Allocator) arrow.Record {
	rec := b.rb.NewRecord()
	var withKinds bool
	for _, k := range b.kinds {
		if k != "" && k != "+I" {
			withKinds = true
			break
		}
	}
	if withKinds && b.tg.kindName != "" {
		sb := array.NewStringBuilder(mem)
		for _, k := range b.kinds {
			if k == "" {
				k = "+I"
			}
			sb.Append(k)
		}
		kinds := sb.NewArray()
		sb.Release()
		fields := append(append([]arrow.Field{}, b.tg.arrow.Fields()...), arrow.Field{Name: b.tg.kindName, Type: arrow.BinaryTypes.String})
		cols := append(append([]arrow.Array{}, rec.Columns()...), kinds)
		out := array.NewRecord(arrow.NewSchema(fields, nil), cols, rec.NumRows())
		rec.Release()
		kinds.Release()
		rec = out
	}
	b.kinds = b.kinds[:0]
	b.bytes = 0
	return rec
}

// sink writes records and maps writer errors back to input lines.
type sink struct {
	ctx  context.Context
	w    *table.Writer
	rows int64
}

func (s *sink) write(rec arrow.Record, file, unit string, lines []int) error {
	defer rec.Release()
	if rec.NumRows() == 0 {
		return nil
	}
	if err := s.w.Write(s.ctx, rec); err != nil {
		var ce *table.ConstraintError
		if errors.As(err, &ce) && ce.Row >= 0 && ce.Row < len(lines) {
			return &inputError{File: file, Line: lines[ce.Row], Unit: unit, Column: ce.Column, Err: err}
		}
		return fmt.Errorf("%s: %w", file, err)
	}
	s.rows += rec.NumRows()
	return nil
}

func (s *sink) flush(b *batch, mem memory.Allocator) error {
	if b.len() == 0 {
		return nil
	}
	lines := append([]int(nil), b.lines...)
	b.lines = b.lines[:0]
	return s.write(b.flush(mem), b.file, b.unit, lines)
}

// readOpts configure reading input files.
type readOpts struct {
	batchRows int
	maxRecord int // bytes of one JSON line or CSV record
	progress  bool
}

func cmdWrite(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("write", flag.ContinueOnError)
	format := fs.String("format", "", "input format: jsonl, csv or parquet (default: from the file extension; jsonl for -)")
	overwrite := fs.Bool("overwrite", false, "replace the table's rows instead of adding to them")
	batchRows := fs.Int("batch-rows", 8192, "rows per record batch handed to the writer")
	maxRecord := fs.String("max-record-size", "256MiB", "longest JSON line or CSV record accepted (at most 1GiB)")
	progress := fs.Bool("progress", false, "show a progress bar on stderr (default: for large inputs on a terminal)")
	user := fs.String("commit-user", "", "commit user for an exactly-once commit (with --commit-identifier)")
	ident := fs.Int64("commit-identifier", 0, "commit identifier, increasing per commit user: a repeated (user, identifier) commits nothing")
	warehouse := fs.String("warehouse", "", "warehouse for a db.table identifier (default $"+warehouseEnv+")")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) < 2 {
		return fmt.Errorf("%w: floe write TABLE FILE… (FILE may be - for stdin)", errUsage)
	}
	if *batchRows <= 0 {
		return fmt.Errorf("%w: --batch-rows must be positive", errUsage)
	}
	ro := readOpts{batchRows: *batchRows, progress: *progress}
	if ro.maxRecord, err = parseRecordSize(*maxRecord); err != nil {
		return err
	}
	if (*user == "") != (*ident == 0) {
		return fmt.Errorf("%w: --commit-user and --commit-identifier go together", errUsage)
	}
	if *ident < 0 {
		return fmt.Errorf("%w: --commit-identifier must be positive", errUsage)
	}
	formats := make([]string, len(pos)-1)
	for i, f := range pos[1:] {
		formats[i], err = inputFormat(f, *format)
		if err != nil {
			return err
		}
	}
	t, done, err := openExisting(ctx, *warehouse, pos[:1], false)
	if err != nil {
		return err
	}
	defer done()
	if *user != "" {
		// A commit that landed before reads no input at all.
		left, err := t.FilterCommitted(ctx, *user, []int64{*ident})
		if err != nil {
			return err
		}
		if len(left) == 0 {
			return alreadyCommitted(ctx, out, t, *user, *ident)
		}
	}
	tg, err := newTarget(t.Schema())
	if err != nil {
		return err
	}
	mem := memory.DefaultAllocator
	w, err := t.NewWriter(ctx, table.WriterOptions{RowKindColumn: tg.kindName, Alloc: mem})
	if err != nil {
		return err
	}
	defer w.Close()
	s := &sink{ctx: ctx, w: w}
	for i, name := range pos[1:] {
		if err := writeInput(ctx, s, tg, mem, name, formats[i], ro); err != nil {
			return err
		}
	}
	msgs, err := w.Prepare(ctx)
	if err != nil {
		return err
	}
	res, err := t.Commit(ctx, msgs, table.CommitOptions{Overwrite: *overwrite, CommitUser: *user, Identifier: *ident})
	if err != nil {
		return err
	}
	if res.AlreadyCommitted && len(res.Snapshots) == 0 {
		return alreadyCommitted(ctx, out, t, *user, *ident)
	}
	if len(res.Snapshots) == 0 {
		fmt.Fprintf(out, "%s read, nothing to commit\n", rowCount(s.rows))
		return nil
	}
	var written int64
	for _, m := range msgs {
		for _, f := range m.NewFiles {
			written += f.RowCount
		}
	}
	snap := res.Snapshots[0]
	fmt.Fprintf(out, "snapshot %d (%s): %s\n", snap.ID, snap.CommitKind, writeSummary(s.rows, w.Stats().Rows, written))
	if len(res.Snapshots) > 1 {
		var before, after int
		for _, m := range msgs {
			before += len(m.CompactBefore)
			after += len(m.CompactAfter)
		}
		c := res.Snapshots[len(res.Snapshots)-1]
		fmt.Fprintf(out, "snapshot %d (%s): %d files compacted into %d\n", c.ID, c.CommitKind, before, after)
	}
	if res.CompactionAbandoned != nil {
		fmt.Fprintln(stderr, "floe: note: the rows were committed, but the writer's compaction was not:", res.CompactionAbandoned)
	}
	if note := visibilityNote(t.Schema()); note != "" {
		fmt.Fprintln(stderr, "floe: note:", note)
	}
	return nil
}

// writeSummary says what became of the rows read: rows dropped by
// ignore-delete and rows merged with others of the same primary key in
// the write buffer do not become records.
func writeSummary(read, accepted, written int64) string {
	if read == written {
		return rowCount(read) + " written"
	}
	var why []string
	if d := read - accepted; d > 0 {
		why = append(why, fmt.Sprintf("%d retract rows dropped by ignore-delete", d))
	}
	if m := accepted - written; m > 0 {
		why = append(why, fmt.Sprintf("%d merged with rows of the same primary key", m))
	}
	rec := "records"
	if written == 1 {
		rec = "record"
	}
	msg := fmt.Sprintf("%s read, %d %s written", rowCount(read), written, rec)
	if len(why) > 0 {
		msg += " (" + strings.Join(why, "; ") + ")"
	}
	return msg
}

// visibilityNote explains, for write-only tables whose readers skip level-0 files,
// that rows floe writes show once another engine compacts them.
func visibilityNote(s *schema.Table) string {
	if len(s.PrimaryKeys) == 0 {
		return ""
	}
	if v, ok := s.Option("write-only"); !ok || !strings.EqualFold(strings.TrimSpace(v), "true") {
		return "" // the writer compacted level 0 up
	}
	for _, o := range [][2]string{{"deletion-vectors.enabled", "true"}, {"merge-engine", "first-row"}} {
		if v, ok := s.Option(o[0]); ok && strings.EqualFold(strings.TrimSpace(v), o[1]) {
			return fmt.Sprintf("with %s=%s and write-only=true, readers skip level-0 files: these rows become visible after a compaction (floe compact)", o[0], o[1])
		}
	}
	return ""
}

// alreadyCommitted reports a repeated exactly-once commit.
func alreadyCommitted(ctx context.Context, out io.Writer, t *table.Table, user string, ident int64) error {
	snaps, err := t.Snapshots(ctx)
	if err != nil {
		return err
	}
	var last *snapshot.Snapshot
	for _, sn := range snaps {
		if sn.CommitUser != user {
			continue
		}
		if sn.CommitIdentifier == ident {
			fmt.Fprintf(out, "already committed as snapshot %d (commit user %s, identifier %d): nothing to do\n", sn.ID, user, ident)
			return nil
		}
		last = sn
	}
	if last != nil {
		fmt.Fprintf(out, "nothing committed: commit user %s is at identifier %d (snapshot %d), past %d\n", user, last.CommitIdentifier, last.ID, ident)
		return nil
	}
	fmt.Fprintf(out, "nothing committed: commit user %s already committed identifier %d (in an expired snapshot)\n", user, ident)
	return nil
}

// parseRecordSize reads --max-record-size: a byte count with an optional
// unit (256MiB, 1g, 1000000).
func parseRecordSize(v string) (int, error) {
	t := strings.TrimSpace(v)
	if u := strings.ToLower(t); strings.HasSuffix(u, "ib") {
		t = t[:len(t)-2] // 256MiB = 256m
	}
	n, err := table.ParseMemorySize(t)
	if err != nil || n <= 0 || n > jsonrow.MaxRecordSizeLimit {
		return 0, fmt.Errorf("%w: --max-record-size %q: want a size from 1 byte to 1GiB, such as 512MiB", errUsage, v)
	}
	return int(n), nil
}

// rowCount renders n rows in English.
func rowCount(n int64) string {
	if n == 1 {
		return "1 row"
	}
	return fmt.Sprintf("%d rows", n)
}

func inputFormat(name, forced string) (string, error) {
	switch forced {
	case "jsonl", "json", "ndjson":
		return "jsonl", nil
	case "csv", "parquet":
		return forced, nil
	case "":
	default:
		return "", fmt.Errorf("%w: --format %q: want jsonl, csv or parquet", errUsage, forced)
	}
	if name == "-" {
		return "jsonl", nil
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".jsonl", ".ndjson", ".json":
		return "jsonl", nil
	case ".csv":
		return "csv", nil
	case ".parquet":
		return "parquet", nil
	}
	return "", fmt.Errorf("%w: %s: unknown input format (use --format jsonl|csv|parquet)", errUsage, name)
}

// isTerminal reports whether w is a character device.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func newBar(total int64, desc string, force bool) *progressbar.ProgressBar {
	if !force && (!isTerminal(stderr) || total < progressThreshold) {
		return nil
	}
	return progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(stderr),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionShowBytes(true),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100_000_000),
		progressbar.OptionShowCount(),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(stderr) }),
		progressbar.OptionFullWidth(),
	)
}

func writeInput(ctx context.Context, s *sink, tg *target, mem memory.Allocator, name, format string, ro readOpts) error {
	display := name
	var r io.Reader
	var size int64 = -1
	if name == "-" {
		if format == "parquet" {
			return fmt.Errorf("%w: parquet input cannot come from stdin", errUsage)
		}
		display = "<stdin>"
		r = stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil {
			size = st.Size()
		}
		if format == "parquet" {
			return writeParquet(ctx, s, tg, mem, f, name, ro)
		}
		r = f
	}
	if bar := newBar(size, display, ro.progress); bar != nil {
		pr := progressbar.NewReader(r, bar)
		r = &pr
		defer bar.Finish()
	}
	if format == "csv" {
		return writeCSV(ctx, s, tg, mem, r, display, ro)
	}
	return writeJSONL(ctx, s, tg, mem, r, display, ro)
}

// tooLarge reports an input record over --max-record-size.
func tooLarge(file string, line int, err error) error {
	return &inputError{File: file, Line: line, Unit: "line",
		Err: fmt.Errorf("%w (--max-record-size raises the limit, up to 1GiB)", err)}
}

func writeJSONL(ctx context.Context, s *sink, tg *target, mem memory.Allocator, r io.Reader, name string, ro readOpts) error {
	lr := jsonrow.NewLineReader(r, ro.maxRecord)
	b := newBatch(tg, mem, name, "line")
	defer b.rb.Release()
	vals := make([]any, len(tg.fields))
	seen := make([]bool, len(tg.fields))
	for n := 0; ; n++ {
		text, line, err := lr.Next()
		if err == io.EOF {
			break
		}
		if errors.Is(err, jsonrow.ErrRecordTooLarge) {
			return tooLarge(name, line, err)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if n%4096 == 4095 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		size := len(text)
		text = strings.TrimSpace(text)
		if text == "" {
			continue
		}
		v, err := jsonrow.Parse(text)
		if err != nil {
			return &inputError{File: name, Line: line, Unit: "line", Err: fmt.Errorf("%w: %w", jsonrow.ErrValue, err)}
		}
		obj, ok := v.(jsonrow.Object)
		if !ok {
			return &inputError{File: name, Line: line, Unit: "line", Err: fmt.Errorf("%w: want a JSON object, got %s", jsonrow.ErrValue, jsonrow.Show(v))}
		}
		clear(vals)
		clear(seen)
		kind := ""
		for _, m := range obj {
			i := tg.column(m.Key)
			switch {
			case i == -1:
				k, ok := m.Val.(string)
				if !ok && m.Val != nil {
					return &inputError{File: name, Line: line, Unit: "line", Column: m.Key, Err: jsonrow.BadValue("a row kind string", m.Val)}
				}
				kind = k
			case i == -2:
				return &inputError{File: name, Line: line, Unit: "line", Column: m.Key, Err: tg.unknown(m.Key)}
			default:
				if seen[i] {
					return &inputError{File: name, Line: line, Unit: "line", Column: m.Key, Err: fmt.Errorf("%w: column given twice", jsonrow.ErrValue)}
				}
				seen[i] = true
				vals[i] = m.Val
			}
		}
		if err := b.add(vals, kind, line, size); err != nil {
			return err
		}
		clear(vals) // the line's memory is free once the batch holds its values
		if b.full(ro.batchRows) {
			if err := s.flush(b, mem); err != nil {
				return err
			}
		}
	}
	return s.flush(b, mem)
}

// errCSVTooLarge stops csv.Reader inside a record over the size limit.
var errCSVTooLarge = errors.New("csv record over the size limit")

// csvLimit bounds how far csv.Reader may read past the start of the
// record it is reading (plus the little its own buffer reads ahead).
type csvLimit struct {
	r           io.Reader
	start, read int64 // offset of the current record; bytes handed out
	max         int64
}

const csvSlack = 64 << 10

func (l *csvLimit) Read(p []byte) (int, error) {
	room := l.start + l.max + csvSlack - l.read
	if room <= 0 {
		return 0, errCSVTooLarge
	}
	if int64(len(p)) > room {
		p = p[:room]
	}
	n, err := l.r.Read(p)
	l.read += int64(n)
	return n, err
}

func writeCSV(ctx context.Context, s *sink, tg *target, mem memory.Allocator, r io.Reader, name string, ro readOpts) error {
	lim := &csvLimit{r: bufio.NewReaderSize(r, 1<<20), max: int64(ro.maxRecord)}
	cr := csv.NewReader(lim)
	cr.ReuseRecord = true
	// next is the line the next record starts on (blank lines aside).
	next := 1
	advance := func(rec []string) error {
		last, _ := cr.FieldPos(len(rec) - 1)
		next = last + strings.Count(rec[len(rec)-1], "\n") + 1
		size := cr.InputOffset() - lim.start
		lim.start = cr.InputOffset()
		if size > lim.max+2 {
			return tooLarge(name, next-1, fmt.Errorf("%w: the record is longer than %s", jsonrow.ErrRecordTooLarge, jsonrow.SizeText(lim.max)))
		}
		return nil
	}
	readErr := func(err error) error {
		if errors.Is(err, errCSVTooLarge) {
			return tooLarge(name, next, fmt.Errorf("%w: the record is longer than %s", jsonrow.ErrRecordTooLarge, jsonrow.SizeText(lim.max)))
		}
		return fmt.Errorf("%s: %w", name, err)
	}
	header, err := cr.Read()
	if err == io.EOF {
		return nil
	}
	if err != nil {
		return readErr(err)
	}
	if err := advance(header); err != nil {
		return err
	}
	cols := make([]int, len(header))
	seen := map[int]bool{}
	for j, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		cols[j] = tg.column(h)
		if cols[j] == -2 {
			return &inputError{File: name, Line: 1, Unit: "line", Column: h, Err: tg.unknown(h)}
		}
		if seen[cols[j]] {
			return &inputError{File: name, Line: 1, Unit: "line", Column: h, Err: fmt.Errorf("%w: column given twice", jsonrow.ErrValue)}
		}
		seen[cols[j]] = true
	}
	b := newBatch(tg, mem, name, "line")
	defer b.rb.Release()
	vals := make([]any, len(tg.fields))
	for {
		start := lim.start
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return readErr(err)
		}
		line, _ := cr.FieldPos(0)
		if err := advance(rec); err != nil {
			return err
		}
		clear(vals)
		kind := ""
		for j, cell := range rec {
			switch i := cols[j]; {
			case i == -1:
				kind = strings.TrimSpace(cell)
			case cell == "":
				// empty cell: null
			default:
				vals[i] = cell
			}
		}
		if err := b.add(vals, kind, line, int(lim.start-start)); err != nil {
			return err
		}
		if b.full(ro.batchRows) {
			if err := s.flush(b, mem); err != nil {
				return err
			}
			if err := ctx.Err(); err != nil {
				return err
			}
		}
	}
	return s.flush(b, mem)
}

// writeParquet reads a Parquet file with pqarrow and hands its records to
// the writer, casting columns whose Arrow types differ from the table's.
func writeParquet(ctx context.Context, s *sink, tg *target, mem memory.Allocator, f *os.File, name string, ro readOpts) error {
	pr, err := file.NewParquetReader(f)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	defer pr.Close()
	fr, err := pqarrow.NewFileReader(pr, pqarrow.ArrowReadProperties{BatchSize: int64(ro.batchRows)}, mem)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	rr, err := fr.GetRecordReader(ctx, nil, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	defer rr.Release()
	in := rr.Schema()
	src := make([]int, len(tg.fields)) // input column per table column, -1 absent
	for i := range src {
		src[i] = -1
	}
	kindCol := -1
	for j, fld := range in.Fields() {
		switch i := tg.column(fld.Name); {
		case i == -1:
			kindCol = j
		case i == -2:
			return &inputError{File: name, Column: fld.Name, Err: tg.unknown(fld.Name)}
		default:
			src[i] = j
		}
	}
	var bar *progressbar.ProgressBar
	if ro.progress || (isTerminal(stderr) && pr.NumRows() > 1_000_000) {
		bar = progressbar.NewOptions64(pr.NumRows(), progressbar.OptionSetWriter(stderr),
			progressbar.OptionSetDescription(name), progressbar.OptionSetItsString("rows"),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetWidth(30),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(stderr) }))
	}
	var row int64
	for rr.Next() {
		rec := rr.Record()
		n := rec.NumRows()
		fields := append([]arrow.Field{}, tg.arrow.Fields()...)
		cols := make([]arrow.Array, 0, len(fields)+1)
		release := func() {
			for _, c := range cols {
				c.Release()
			}
		}
		for i, fld := range tg.fields {
			want := tg.arrow.Field(i).Type
			var col arrow.Array
			if src[i] < 0 {
				col = array.MakeArrayOfNull(mem, want, int(n))
			} else {
				c := rec.Column(src[i])
				if arrow.TypeEqual(c.DataType(), want) {
					c.Retain()
					col = c
				} else {
					col, err = compute.CastArray(compute.WithAllocator(ctx, mem), c, compute.SafeCastOptions(want))
					if err != nil {
						release()
						return &inputError{File: name, Column: fld.Name,
							Err: fmt.Errorf("%w: cannot convert %s to %s: %v", jsonrow.ErrValue, c.DataType(), fld.Type, err)}
					}
				}
			}
			cols = append(cols, col)
			if r := jsonrow.FirstInvalidUTF8(col); r >= 0 {
				release()
				return &inputError{File: name, Line: int(row) + r + 1, Unit: "row", Column: fld.Name,
					Err: &jsonrow.ValueError{Reason: "text that is not UTF-8", Err: jsonrow.ErrInvalidUTF8}}
			}
			if tg.notNull(i) && col.NullN() > 0 {
				for r := 0; r < col.Len(); r++ {
					if col.IsNull(r) {
						release()
						return &inputError{File: name, Line: int(row) + r + 1, Unit: "row", Column: fld.Name, Err: errNull}
					}
				}
			}
		}
		if kindCol >= 0 {
			c := rec.Column(kindCol)
			c.Retain()
			cols = append(cols, c)
			fields = append(fields, arrow.Field{Name: tg.kindName, Type: c.DataType(), Nullable: true})
		}
		out := array.NewRecord(arrow.NewSchema(fields, nil), cols, n)
		release()
		lines := make([]int, n)
		for r := range lines {
			lines[r] = int(row) + r + 1
		}
		if err := s.write(out, name, "row", lines); err != nil {
			return err
		}
		row += n
		if bar != nil {
			bar.Add64(n)
		}
	}
	if bar != nil {
		bar.Finish()
	}
	if err := rr.Err(); err != nil && err != io.EOF {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}
