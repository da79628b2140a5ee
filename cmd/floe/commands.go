package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/floelake/floe/catalog"
	"github.com/floelake/floe/schema"
	"github.com/floelake/floe/table"
)

// openTable opens TABLE given as one argument (a table location) or two
// (WAREHOUSE db.table). The returned func closes what was opened.
func openTable(ctx context.Context, pos []string) (*table.Table, func(), error) {
	if len(pos) == 2 {
		if !isIdentifier(pos[1]) {
			return nil, nil, fmt.Errorf("%w: %q is not db.table", errUsage, pos[1])
		}
		id, err := catalog.ParseIdentifier(pos[1])
		if err != nil {
			return nil, nil, err
		}
		return tableAddr{warehouse: pos[0], id: id}.open(ctx)
	}
	return tableAddr{location: pos[0]}.open(ctx)
}

func cmdLs(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("ls", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("ls", pos, 1, 1, "WAREHOUSE"); err != nil {
		return err
	}
	cat, err := catalog.Open(ctx, pos[0], catalog.Options{})
	if err != nil {
		return err
	}
	defer cat.Close()
	dbs, err := cat.Databases(ctx)
	if err != nil {
		return err
	}
	type dbJSON struct {
		Database string   `json:"database"`
		Tables   []string `json:"tables"`
	}
	var res []dbJSON
	tbl := &grid{header: []string{"DATABASE", "TABLE"}}
	for _, db := range dbs {
		tables, err := cat.Tables(ctx, db)
		if err != nil {
			return err
		}
		if tables == nil {
			tables = []string{}
		}
		res = append(res, dbJSON{db, tables})
		if len(tables) == 0 {
			tbl.add(db, "")
		}
		for _, t := range tables {
			tbl.add(db, t)
		}
	}
	if *asJSON {
		if res == nil {
			res = []dbJSON{}
		}
		return printJSON(out, res)
	}
	return tbl.print(out)
}

func cmdSchema(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("schema", flag.ContinueOnError)
	warehouse := fs.String("warehouse", "", "warehouse for a db.table identifier (default $"+warehouseEnv+")")
	asJSON := fs.Bool("json", false, "print the schema file's JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("schema", pos, 1, 2, "TABLE"); err != nil {
		return err
	}
	t, done, err := openExisting(ctx, *warehouse, pos, true)
	if err != nil {
		return err
	}
	defer done()
	s := t.Schema()
	if *asJSON {
		b, err := s.Encode()
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(out, "%s\n", b)
		return err
	}
	fmt.Fprintf(out, "schema id:       %d\n", s.ID)
	fmt.Fprintf(out, "primary keys:    %s\n", list(s.PrimaryKeys))
	fmt.Fprintf(out, "partition keys:  %s\n", list(s.PartitionKeys))
	if s.Comment != nil {
		fmt.Fprintf(out, "comment:         %s\n", *s.Comment)
	}
	fmt.Fprintln(out)
	tbl := &grid{header: []string{"ID", "COLUMN", "TYPE", "DESCRIPTION"}}
	for _, f := range s.Fields {
		desc := ""
		if f.Description != nil {
			desc = *f.Description
		}
		tbl.add(f.ID, f.Name, f.Type.String(), desc)
	}
	if err := tbl.print(out); err != nil {
		return err
	}
	if s.Options.Len() > 0 {
		fmt.Fprintln(out)
		opts := &grid{header: []string{"OPTION", "VALUE"}}
		for _, k := range s.Options.Keys() {
			v, _ := s.Options.Get(k)
			opts.add(k, v)
		}
		return opts.print(out)
	}
	return nil
}

func list(s []string) string {
	if len(s) == 0 {
		return "-"
	}
	return strings.Join(s, ", ")
}

func cmdSnapshots(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("snapshots", flag.ContinueOnError)
	warehouse := fs.String("warehouse", "", "warehouse for a db.table identifier (default $"+warehouseEnv+")")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("snapshots", pos, 1, 2, "TABLE"); err != nil {
		return err
	}
	t, done, err := openExisting(ctx, *warehouse, pos, true)
	if err != nil {
		return err
	}
	defer done()
	snaps, err := t.Snapshots(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		raw := make([]json.RawMessage, 0, len(snaps))
		for _, s := range snaps {
			b, err := json.Marshal(s)
			if err != nil {
				return err
			}
			raw = append(raw, b)
		}
		return printJSON(out, raw)
	}
	tbl := &grid{header: []string{"ID", "KIND", "TIME (LOCAL)", "SCHEMA", "TOTAL RECORDS", "DELTA RECORDS", "CHANGELOG", "COMMIT USER", "IDENTIFIER"}}
	for _, s := range snaps {
		ident := fmt.Sprint(s.CommitIdentifier)
		if s.CommitIdentifier == 1<<63-1 {
			ident = "batch"
		}
		tbl.add(s.ID, string(s.CommitKind), time.UnixMilli(s.TimeMillis).Format("2006-01-02 15:04:05.000"),
			s.SchemaID, s.TotalRecordCount, s.DeltaRecordCount, s.ChangelogRecordCount, s.CommitUser, ident)
	}
	return tbl.print(out)
}

// fileJSON is the scripted form of a live data file: BinaryRow values are
// rendered as strings so that every type survives JSON.
type fileJSON struct {
	Path           string   `json:"path"`
	Partition      []string `json:"partition"`
	Bucket         int32    `json:"bucket"`
	TotalBuckets   int32    `json:"totalBuckets"`
	Level          int32    `json:"level"`
	RowCount       int64    `json:"rowCount"`
	DeleteRowCount *int64   `json:"deleteRowCount"`
	MinKey         []string `json:"minKey"`
	MaxKey         []string `json:"maxKey"`
	MinSequence    int64    `json:"minSequence"`
	MaxSequence    int64    `json:"maxSequence"`
	Size           int64    `json:"size"`
	SchemaID       int64    `json:"schemaId"`
	Source         string   `json:"source,omitempty"`
}

func cmdFiles(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("files", flag.ContinueOnError)
	warehouse := fs.String("warehouse", "", "warehouse for a db.table identifier (default $"+warehouseEnv+")")
	asJSON := fs.Bool("json", false, "print JSON")
	snapID := fs.Int64("snapshot", 0, "snapshot id (default: latest)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("files", pos, 1, 2, "TABLE [--snapshot N]"); err != nil {
		return err
	}
	if *snapID < 0 {
		return fmt.Errorf("%w: --snapshot must be positive", errUsage)
	}
	t, done, err := openExisting(ctx, *warehouse, pos, true)
	if err != nil {
		return err
	}
	defer done()
	files, snap, err := t.Files(ctx, *snapID)
	if err != nil {
		return missingSnapshot(err, *snapID, "", time.Time{})
	}
	partTypes := fieldTypes(t.Schema().PartitionFields())
	res := make([]fileJSON, 0, len(files))
	keys := map[int64][]schema.DataType{} // key types by schema id
	for _, f := range files {
		keyTypes, ok := keys[f.SchemaID]
		if !ok {
			if keyTypes, err = t.KeyTypes(ctx, f.SchemaID); err != nil {
				return err
			}
			keys[f.SchemaID] = keyTypes
		}
		res = append(res, fileJSON{
			Path: f.Path, Partition: formatRow(partTypes, f.Partition), Bucket: f.Bucket,
			TotalBuckets: f.TotalBuckets, Level: f.Level, RowCount: f.RowCount,
			DeleteRowCount: f.DeleteRowCount, MinKey: formatRow(keyTypes, f.MinKey),
			MaxKey: formatRow(keyTypes, f.MaxKey), MinSequence: f.MinSequence,
			MaxSequence: f.MaxSequence, Size: f.Size, SchemaID: f.SchemaID, Source: f.Source,
		})
	}
	if *asJSON {
		return printJSON(out, res)
	}
	fmt.Fprintf(out, "snapshot %d (%s), %d live files\n\n", snap.ID, snap.CommitKind, len(files))
	tbl := &grid{header: []string{"PARTITION", "BUCKET", "LEVEL", "ROWS", "DELETES", "MIN KEY", "MAX KEY", "SEQUENCE", "SIZE", "FILE"}}
	for i, f := range res {
		part := files[i].PartitionPath
		if part == "" {
			part = "-"
		} else {
			part = strings.TrimSuffix(part, "/")
		}
		tbl.add(part, f.Bucket, f.Level, f.RowCount, f.DeleteRowCount, tuple(f.MinKey), tuple(f.MaxKey),
			fmt.Sprintf("%d..%d", f.MinSequence, f.MaxSequence), f.Size, files[i].Name)
	}
	return tbl.print(out)
}

func fieldTypes(fields []schema.Field) []schema.DataType {
	out := make([]schema.DataType, len(fields))
	for i, f := range fields {
		out[i] = f.Type
	}
	return out
}

func tuple(vals []string) string {
	if vals == nil {
		return "-"
	}
	return "(" + strings.Join(vals, ", ") + ")"
}
