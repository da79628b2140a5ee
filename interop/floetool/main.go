// Command floetool is floe's implementation of the interop tool contract
// (interop/README.md): create, write, alter, compact, tag and dump tables of a local
// filesystem warehouse with floe's library, so the interop driver can
// compare floe with Java Paimon, pypaimon and Spark SQL. compact runs
// table.Compact, expire table.Expire, rollback table.Rollback, tag and
// tag-delete table.CreateTag and table.DeleteTag; check verifies that every
// file each snapshot and tag references exists and that each reads in
// full.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/catalog"
	"github.com/floelake/floe/internal/jsonrow"
	"github.com/floelake/floe/schema"
	"github.com/floelake/floe/snapshot"
	"github.com/floelake/floe/table"
)

// errUnsupported maps to exit status 3.
var errUnsupported = errors.New("unsupported by floe")

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: floetool create|write|alter|compact|tag|tag-delete|expire|rollback|dump|check|stream --warehouse W …")
		os.Exit(2)
	}
	err := run(context.Background(), os.Args[1], os.Args[2:], os.Stdout)
	switch {
	case err == nil:
	case errors.Is(err, errUnsupported):
		fmt.Fprintln(os.Stderr, "floetool:", err)
		os.Exit(3)
	default:
		fmt.Fprintln(os.Stderr, "floetool:", err)
		os.Exit(1)
	}
}

type options struct {
	warehouse, spec, table, data, commitUser, name, tag, changes string
	overwrite, full                                              bool
	identifier, snapshotID, retainMax, retainMin, fromSnapshot   int64
	olderThan                                                    int64
}

func run(ctx context.Context, cmd string, args []string, out io.Writer) error {
	var o options
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.StringVar(&o.warehouse, "warehouse", "", "warehouse directory")
	fs.StringVar(&o.spec, "spec", "", "SPEC.json")
	fs.StringVar(&o.table, "table", "", "db.table")
	fs.StringVar(&o.data, "data", "", "ROWS.jsonl")
	fs.StringVar(&o.changes, "changes", "", "CHANGES.json")
	fs.StringVar(&o.commitUser, "commit-user", "", "commit user")
	fs.Int64Var(&o.identifier, "identifier", 0, "commit identifier")
	fs.BoolVar(&o.overwrite, "overwrite", false, "overwrite the table")
	fs.BoolVar(&o.full, "full", false, "full compaction")
	fs.StringVar(&o.name, "name", "", "tag name")
	fs.Int64Var(&o.snapshotID, "snapshot", 0, "snapshot id")
	fs.StringVar(&o.tag, "tag", "", "tag name")
	fs.Int64Var(&o.retainMax, "retain-max", 0, "snapshots to retain at most")
	fs.Int64Var(&o.retainMin, "retain-min", 0, "snapshots to retain at least")
	fs.Int64Var(&o.olderThan, "older-than", 0, "expire: snapshots committed before this time (epoch milliseconds) may go")
	fs.Int64Var(&o.fromSnapshot, "from-snapshot", 1, "stream: first snapshot")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.warehouse == "" {
		return errors.New("--warehouse is required")
	}
	switch cmd {
	case "create":
		return create(ctx, o)
	case "write":
		return write(ctx, o)
	case "tag":
		return tag(ctx, o)
	case "tag-delete":
		return tagDelete(ctx, o)
	case "expire":
		return expire(ctx, o)
	case "rollback":
		return rollback(ctx, o)
	case "check":
		return check(ctx, o, out)
	case "alter":
		return alter(ctx, o)
	case "dump":
		return dump(ctx, o, out)
	case "compact":
		return compact(ctx, o, out)
	case "stream":
		return stream(ctx, o, out)
	}
	return fmt.Errorf("unknown subcommand %q", cmd)
}

type specJSON struct {
	Table   string `json:"table"`
	Columns []struct {
		Name    string `json:"name"`
		Type    string `json:"type"`
		Comment string `json:"comment"`
	} `json:"columns"`
	PrimaryKeys   []string          `json:"primaryKeys"`
	PartitionKeys []string          `json:"partitionKeys"`
	Options       map[string]string `json:"options"`
}

func create(ctx context.Context, o options) error {
	raw, err := os.ReadFile(o.spec)
	if err != nil {
		return err
	}
	var sj specJSON
	if err := json.Unmarshal(raw, &sj); err != nil {
		return fmt.Errorf("%s: %w", o.spec, err)
	}
	id, err := catalog.ParseIdentifier(sj.Table)
	if err != nil {
		return err
	}
	spec := table.Spec{PrimaryKeys: sj.PrimaryKeys, PartitionKeys: sj.PartitionKeys}
	for _, c := range sj.Columns {
		spec.Columns = append(spec.Columns, table.Column{Name: c.Name, Type: c.Type, Comment: c.Comment})
	}
	keys := make([]string, 0, len(sj.Options))
	for k := range sj.Options {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		spec.Options = append(spec.Options, table.Option{Key: k, Value: sj.Options[k]})
	}
	cat, err := catalog.Open(ctx, o.warehouse, catalog.Options{})
	if err != nil {
		return err
	}
	defer cat.Close()
	if err := cat.CreateDatabase(ctx, id.Database, true); err != nil {
		return err
	}
	t, err := table.Create(ctx, cat, id, spec, table.CreateOptions{})
	if err != nil {
		return err
	}
	return t.Close()
}

func open(ctx context.Context, o options) (*table.Table, func(), error) {
	id, err := catalog.ParseIdentifier(o.table)
	if err != nil {
		return nil, nil, err
	}
	cat, err := catalog.Open(ctx, o.warehouse, catalog.Options{})
	if err != nil {
		return nil, nil, err
	}
	t, err := table.OpenIn(ctx, cat, id)
	if err != nil {
		cat.Close()
		return nil, nil, err
	}
	return t, func() { t.Close(); cat.Close() }, nil
}

func write(ctx context.Context, o options) error {
	t, done, err := open(ctx, o)
	if err != nil {
		return err
	}
	defer done()
	rec, err := readRows(t.Schema(), o.data)
	if err != nil {
		return err
	}
	defer rec.Release()
	w, err := t.NewWriter(ctx, table.WriterOptions{RowKindColumn: table.RowKindColumn})
	if err != nil {
		return err
	}
	defer w.Close()
	if rec.NumRows() > 0 {
		if err := w.Write(ctx, rec); err != nil {
			return err
		}
	}
	msgs, err := w.Prepare(ctx)
	if err != nil {
		return err
	}
	// Paimon's INSERT OVERWRITE replaces the partitions written to unless
	// the table sets dynamic-partition-overwrite=false.
	dynamic := true
	if v, ok := t.Schema().Option("dynamic-partition-overwrite"); ok && strings.EqualFold(v, "false") {
		dynamic = false
	}
	_, err = t.Commit(ctx, msgs, table.CommitOptions{Overwrite: o.overwrite, DynamicOverwrite: o.overwrite && dynamic,
		CommitUser: o.commitUser, Identifier: o.identifier})
	return err
}

// readRows converts a JSON-lines file into one record of the table's
// columns, plus a _ROW_KIND column when some row is not +I.
func readRows(s *schema.Table, path string) (arrow.Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	as, err := schema.ArrowSchema(s.Fields)
	if err != nil {
		return nil, err
	}
	convs := make([]jsonrow.Conv, len(s.Fields))
	index := map[string]int{}
	for i, f := range s.Fields {
		if convs[i], err = jsonrow.NewConv(f.Type, as.Field(i).Type); err != nil {
			return nil, fmt.Errorf("column %q: %w", f.Name, err)
		}
		index[f.Name] = i
	}
	mem := memory.DefaultAllocator
	rb := array.NewRecordBuilder(mem, as)
	defer rb.Release()
	var kinds []string
	withKinds := false
	lr := jsonrow.NewLineReader(f, jsonrow.DefaultMaxRecordSize)
	vals := make([]any, len(s.Fields))
	for {
		text, line, err := lr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		text = strings.TrimSpace(text)
		if len(text) == 0 {
			continue
		}
		v, err := jsonrow.Parse(text)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		obj, ok := v.(jsonrow.Object)
		if !ok {
			return nil, fmt.Errorf("%s:%d: not a JSON object", path, line)
		}
		clear(vals)
		kind := "+I"
		for _, m := range obj {
			if m.Key == table.RowKindColumn {
				k, _ := m.Val.(string)
				switch k {
				case "+I", "-U", "+U", "-D":
				default:
					return nil, fmt.Errorf("%s:%d: bad row kind %v", path, line, m.Val)
				}
				kind = k
				if k != "+I" {
					withKinds = true
				}
				continue
			}
			i, ok := index[m.Key]
			if !ok {
				return nil, fmt.Errorf("%s:%d: unknown column %q", path, line, m.Key)
			}
			vals[i] = m.Val
		}
		for i, f := range s.Fields {
			if err := jsonrow.AppendValue(convs[i], rb.Field(i), vals[i], f.Type.NotNull); err != nil {
				return nil, fmt.Errorf("%s:%d: column %q: %w", path, line, f.Name, err)
			}
		}
		kinds = append(kinds, kind)
	}
	rec := rb.NewRecord()
	if !withKinds {
		return rec, nil
	}
	sb := array.NewStringBuilder(mem)
	sb.AppendValues(kinds, nil)
	ka := sb.NewArray()
	sb.Release()
	fields := append(append([]arrow.Field{}, as.Fields()...), arrow.Field{Name: table.RowKindColumn, Type: arrow.BinaryTypes.String})
	cols := append(append([]arrow.Array{}, rec.Columns()...), ka)
	out := array.NewRecord(arrow.NewSchema(fields, nil), cols, rec.NumRows())
	rec.Release()
	ka.Release()
	return out, nil
}

// compact compacts every bucket of the table (table.Compact): what the
// table's compaction options pick, or with --full each bucket into one
// sorted run. A table with nothing to compact commits nothing. It prints
// one JSON line describing what it did.
func compact(ctx context.Context, o options, out io.Writer) error {
	t, done, err := open(ctx, o)
	if err != nil {
		return err
	}
	defer done()
	var base int64
	if snap, err := snapshot.Latest(ctx, t.Store()); err == nil {
		base = snap.ID
	}
	res, err := t.Compact(ctx, table.CompactOptions{Full: o.full, CommitUser: o.commitUser})
	if errors.Is(err, table.ErrUnsupported) {
		// A table whose changelog comes from compaction (floe makes none yet).
		return fmt.Errorf("%w: %w", errUnsupported, err)
	}
	if err != nil {
		return err
	}
	// One line for the interop driver: the latest snapshot when compact
	// started, the COMPACT snapshot (0 = nothing to compact) and the
	// plans made (more than one after a lost conflict).
	var id int64
	if res.Snapshot != nil {
		id = res.Snapshot.ID
	}
	_, err = fmt.Fprintf(out, "{\"base\":%d,\"snapshot\":%d,\"attempts\":%d,\"files_in\":%d,\"files_out\":%d}\n",
		base, id, res.Attempts, res.FilesIn, res.FilesOut)
	return err
}

// tag tags the latest snapshot, or --snapshot N, with table.CreateTag.
func tag(ctx context.Context, o options) error {
	if o.name == "" {
		return errors.New("--name is required")
	}
	t, done, err := open(ctx, o)
	if err != nil {
		return err
	}
	defer done()
	_, err = t.CreateTag(ctx, o.name, table.TagOptions{SnapshotID: o.snapshotID})
	return err
}

// tagDelete deletes a tag and the files only it kept alive
// (table.DeleteTag).
func tagDelete(ctx context.Context, o options) error {
	if o.name == "" {
		return errors.New("--name is required")
	}
	t, done, err := open(ctx, o)
	if err != nil {
		return err
	}
	defer done()
	_, err = t.DeleteTag(ctx, o.name)
	return err
}

// expire expires snapshots with table.Expire: beyond the newest
// --retain-max always, never the newest --retain-min (default 1). Without
// --older-than the time retention is off (a century), so the counts alone
// decide, as the Java tool's does; with it, a snapshot between the two
// counts expires once the snapshot after it was committed before that
// time (Paimon 2.0's rule). No limit on the snapshots one run expires.
func expire(ctx context.Context, o options) error {
	if o.retainMax <= 0 {
		return errors.New("--retain-max is required")
	}
	t, done, err := open(ctx, o)
	if err != nil {
		return err
	}
	defer done()
	now := time.Now()
	opts := table.ExpireOptions{RetainMax: int(o.retainMax), RetainMin: int(o.retainMin), Limit: -1, Now: now,
		OlderThan: now.AddDate(-100, 0, 0)}
	if opts.RetainMin <= 0 {
		opts.RetainMin = min(1, opts.RetainMax)
	}
	if o.olderThan > 0 {
		opts.OlderThan = time.UnixMilli(o.olderThan)
	}
	res, err := t.Expire(ctx, opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "expired snapshots [%d, %d): %d snapshot files, %d data files, %d changelog files, %d metadata files\n",
		res.Begin, max(res.Begin, res.End), res.Snapshots, res.DataFiles, res.ChangelogFiles, res.MetaFiles)
	return nil
}

// rollback returns the table to --snapshot N or --tag T (table.Rollback).
func rollback(ctx context.Context, o options) error {
	if (o.snapshotID > 0) == (o.tag != "") {
		return errors.New("rollback needs one of --snapshot and --tag")
	}
	t, done, err := open(ctx, o)
	if err != nil {
		return err
	}
	defer done()
	_, err = t.Rollback(ctx, table.RollbackOptions{SnapshotID: o.snapshotID, Tag: o.tag})
	return err
}

func dump(ctx context.Context, o options, out io.Writer) error {
	t, done, err := open(ctx, o)
	if err != nil {
		return err
	}
	defer done()
	scan := table.ScanOptions{SnapshotID: o.snapshotID, Tag: o.tag}
	if o.snapshotID == 0 && o.tag == "" {
		if _, err := snapshot.Latest(ctx, t.Store()); err != nil {
			// A table without snapshots has no rows.
			if ok, _ := noSnapshot(ctx, t); ok {
				return nil
			}
		}
	}
	// All columns, of the snapshot's schema when time travelling.
	rr, err := t.ReadAll(ctx, scan, table.ReadOptions{})
	if err != nil {
		return err
	}
	defer rr.Release()
	var lines []string
	for rr.Next() {
		rec := rr.Record()
		for i := 0; i < int(rec.NumRows()); i++ {
			b, err := canonRow(nil, rec, i)
			if err != nil {
				return err
			}
			lines = append(lines, string(b))
		}
	}
	if err := rr.Err(); err != nil {
		return err
	}
	sort.Strings(lines)
	bw := bufio.NewWriter(out)
	for _, l := range lines {
		bw.WriteString(l)
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// stream prints the table's streaming read from --from-snapshot up to
// the latest snapshot, in the order read (interop/README.md).
func stream(ctx context.Context, o options, out io.Writer) error {
	t, done, err := open(ctx, o)
	if err != nil {
		return err
	}
	defer done()
	s, err := t.NewStream(ctx, table.StreamOptions{Start: table.StartFromSnapshot, SnapshotID: o.fromSnapshot, Until: table.UntilLatest})
	if err != nil {
		return err
	}
	defer s.Close()
	bw := bufio.NewWriter(out)
	var line []byte
	for {
		b, err := s.Next(ctx)
		if errors.Is(err, io.EOF) {
			return bw.Flush()
		}
		if err != nil {
			return err
		}
		for i := 0; i < int(b.Record.NumRows()); i++ {
			row, err := canonRow(nil, b.Record, i)
			if err != nil {
				return err
			}
			line = append(line[:0], `{"_SNAPSHOT":`...)
			line = strconv.AppendInt(line, b.SnapshotID, 10)
			line = append(line, ',')
			line = append(line, row[1:]...)
			bw.Write(line)
			bw.WriteByte('\n')
		}
	}
}

func noSnapshot(ctx context.Context, t *table.Table) (bool, error) {
	ids, err := snapshot.List(ctx, t.Store())
	if err != nil {
		return false, err
	}
	return len(ids) == 0, nil
}

// changeJSON is one entry of CHANGES.json (interop/README.md).
type changeJSON struct {
	Op      string `json:"op"`
	Name    string `json:"name"`
	Type    string `json:"type"`
	After   string `json:"after"`
	First   bool   `json:"first"`
	NewName string `json:"newName"`
	Key     string `json:"key"`
	Value   string `json:"value"`
	Comment string `json:"comment"`
}

func alter(ctx context.Context, o options) error {
	raw, err := os.ReadFile(o.changes)
	if err != nil {
		return err
	}
	var cs []changeJSON
	if err := json.Unmarshal(raw, &cs); err != nil {
		return fmt.Errorf("%s: %w", o.changes, err)
	}
	var changes []table.SchemaChange
	for _, c := range cs {
		switch c.Op {
		case "addColumn":
			p := table.Position{}
			switch {
			case c.First:
				p = table.First()
			case c.After != "":
				p = table.After(c.After)
			}
			changes = append(changes, table.AddColumn(c.Name, c.Type, c.Comment, p))
		case "dropColumn":
			changes = append(changes, table.DropColumn(c.Name))
		case "renameColumn":
			changes = append(changes, table.RenameColumn(c.Name, c.NewName))
		case "updateColumnType":
			changes = append(changes, table.UpdateColumnType(c.Name, c.Type))
		case "setOption":
			changes = append(changes, table.SetOption(c.Key, c.Value))
		case "removeOption":
			changes = append(changes, table.RemoveOption(c.Key))
		default:
			return fmt.Errorf("%w: change %q", errUnsupported, c.Op)
		}
	}
	id, err := catalog.ParseIdentifier(o.table)
	if err != nil {
		return err
	}
	cat, err := catalog.Open(ctx, o.warehouse, catalog.Options{})
	if err != nil {
		return err
	}
	defer cat.Close()
	_, err = table.Alter(ctx, cat, id, changes...)
	return err
}
