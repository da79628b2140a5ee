package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/floelake/floe/catalog"
	"github.com/floelake/floe/schema"
	"github.com/floelake/floe/table"
)

// multiFlag is a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ", ") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func splitList(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// parseColumn reads "name TYPE [COMMENT 'text']".
func parseColumn(s string) (table.Column, error) {
	s = strings.TrimSpace(s)
	i := strings.IndexAny(s, " \t")
	if i <= 0 {
		return table.Column{}, fmt.Errorf("%w: --column %q: want 'name TYPE'", errUsage, s)
	}
	c := table.Column{Name: s[:i], Type: strings.TrimSpace(s[i+1:])}
	if strings.HasPrefix(c.Name, "`") && strings.HasSuffix(c.Name, "`") && len(c.Name) > 1 {
		c.Name = c.Name[1 : len(c.Name)-1]
	}
	up := strings.ToUpper(c.Type)
	if j := strings.LastIndex(up, " COMMENT '"); j >= 0 && strings.HasSuffix(c.Type, "'") {
		c.Comment = strings.ReplaceAll(c.Type[j+len(" COMMENT '"):len(c.Type)-1], "''", "'")
		c.Type = strings.TrimSpace(c.Type[:j])
	}
	if _, err := schema.ParseType(c.Type); err != nil {
		return table.Column{}, fmt.Errorf("%w: --column %q: %v", errUsage, s, err)
	}
	return c, nil
}

func cmdCreate(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("create", flag.ContinueOnError)
	var cols, opts multiFlag
	fs.Var(&cols, "column", "column 'name TYPE' (repeatable, in order)")
	fs.Var(&opts, "option", "table option key=value (repeatable)")
	pk := fs.String("primary-key", "", "primary key columns a,b")
	part := fs.String("partition", "", "partition columns p,q")
	comment := fs.String("comment", "", "table comment")
	ifNotExists := fs.Bool("if-not-exists", false, "succeed when the table exists")
	warehouse := fs.String("warehouse", "", "warehouse for a db.table identifier (default $"+warehouseEnv+")")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("create", pos, 1, 2, "TABLE --column 'name TYPE' …"); err != nil {
		return err
	}
	if len(cols) == 0 {
		return fmt.Errorf("%w: floe create needs at least one --column", errUsage)
	}
	spec := table.Spec{PrimaryKeys: splitList(*pk), PartitionKeys: splitList(*part), Comment: *comment}
	for _, c := range cols {
		col, err := parseColumn(c)
		if err != nil {
			return err
		}
		spec.Columns = append(spec.Columns, col)
	}
	for _, o := range opts {
		k, v, ok := strings.Cut(o, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return fmt.Errorf("%w: --option %q: want key=value", errUsage, o)
		}
		spec.Options = append(spec.Options, table.Option{Key: strings.TrimSpace(k), Value: strings.TrimSpace(v)})
	}
	addr, err := resolveTable(*warehouse, pos, true)
	if err != nil {
		return err
	}
	if addr.branch != "" {
		return fmt.Errorf("%w: a branch is made from its table: floe branch create TABLE %s", errUsage, addr.branch)
	}
	cat, err := catalog.Open(ctx, addr.warehouse, catalog.Options{})
	if err != nil {
		return err
	}
	defer cat.Close()
	if err := cat.CreateDatabase(ctx, addr.id.Database, true); err != nil {
		return err
	}
	t, err := table.Create(ctx, cat, addr.id, spec, table.CreateOptions{IgnoreIfExists: *ifNotExists})
	if err != nil {
		return err
	}
	defer t.Close()
	s := t.Schema()
	kind := "append"
	if len(s.PrimaryKeys) > 0 {
		kind = "primary-key"
	}
	fmt.Fprintf(out, "created %s table %s (%d columns, schema %d) at %s\n", kind, addr.id, len(s.Fields), s.ID, addr.where())
	return nil
}
