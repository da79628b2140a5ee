package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/floelake/floe/catalog"
	"github.com/floelake/floe/table"
)

// alterStep is one change flag, in command-line order. Added columns get
// their position after parsing (--after and --first may come anywhere).
type alterStep struct {
	change table.SchemaChange
	add    *table.Column
}

func cmdAlter(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("alter", flag.ContinueOnError)
	var steps []alterStep
	pair := func(flagName, v string) (string, string, error) {
		a, b, ok := strings.Cut(v, "=")
		a, b = strings.TrimSpace(a), strings.TrimSpace(b)
		if !ok || a == "" {
			return "", "", fmt.Errorf("%w: --%s %q: want a=b", errUsage, flagName, v)
		}
		return a, b, nil
	}
	fs.Func("add-column", "add column 'name TYPE [COMMENT '...']' (repeatable)", func(v string) error {
		c, err := parseColumn(v)
		if err != nil {
			return err
		}
		steps = append(steps, alterStep{add: &c})
		return nil
	})
	fs.Func("drop-column", "drop column (repeatable)", func(v string) error {
		steps = append(steps, alterStep{change: table.DropColumn(strings.TrimSpace(v))})
		return nil
	})
	fs.Func("rename-column", "rename column old=new (repeatable)", func(v string) error {
		a, b, err := pair("rename-column", v)
		if err == nil {
			steps = append(steps, alterStep{change: table.RenameColumn(a, b)})
		}
		return err
	})
	fs.Func("alter-type", "change a column's type col=TYPE (repeatable)", func(v string) error {
		a, b, err := pair("alter-type", v)
		if err == nil {
			steps = append(steps, alterStep{change: table.UpdateColumnType(a, b)})
		}
		return err
	})
	fs.Func("set", "set table option key=value (repeatable)", func(v string) error {
		a, b, err := pair("set", v)
		if err == nil {
			steps = append(steps, alterStep{change: table.SetOption(a, b)})
		}
		return err
	})
	fs.Func("reset", "remove table option key (repeatable)", func(v string) error {
		steps = append(steps, alterStep{change: table.RemoveOption(strings.TrimSpace(v))})
		return nil
	})
	after := fs.String("after", "", "place the added columns after this column")
	first := fs.Bool("first", false, "place the added columns first")
	warehouse := fs.String("warehouse", "", "warehouse for a db.table identifier (default $"+warehouseEnv+")")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("alter", pos, 1, 2, "TABLE [--add-column 'name TYPE' [--after c|--first]] [--drop-column c] [--rename-column old=new] [--alter-type c=TYPE] [--set k=v] [--reset k]"); err != nil {
		return err
	}
	if len(steps) == 0 {
		return fmt.Errorf("%w: floe alter needs at least one change", errUsage)
	}
	if *after != "" && *first {
		return fmt.Errorf("%w: floe alter: --after and --first together", errUsage)
	}
	// Several added columns keep their order: the first goes where
	// --after/--first say, the next ones after it.
	var changes []table.SchemaChange
	prev := ""
	for _, s := range steps {
		if s.add == nil {
			changes = append(changes, s.change)
			continue
		}
		p := table.Position{}
		switch {
		case prev != "":
			p = table.After(prev)
		case *first:
			p = table.First()
		case *after != "":
			p = table.After(*after)
		}
		if *first || *after != "" {
			prev = s.add.Name
		}
		changes = append(changes, table.AddColumn(s.add.Name, s.add.Type, s.add.Comment, p))
	}
	if (*first || *after != "") && prev == "" {
		return fmt.Errorf("%w: floe alter: --after/--first need --add-column", errUsage)
	}
	addr, err := resolveTable(*warehouse, pos, true)
	if err != nil {
		return err
	}
	if addr.branch != "" {
		// A branch has schemas of its own (branch/branch-NAME/schema).
		t, done, err := addr.open(ctx)
		if err != nil {
			return err
		}
		defer done()
		s, err := table.AlterStore(ctx, t.BranchStore(), changes...)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "altered %s branch %s: schema %d (%d columns)\n", addr.id, addr.branch, s.ID, len(s.Fields))
		return nil
	}
	cat, err := catalog.Open(ctx, addr.warehouse, catalog.Options{})
	if err != nil {
		return err
	}
	defer cat.Close()
	s, err := table.Alter(ctx, cat, addr.id, changes...)
	if err != nil {
		return missingTable(err, addr.id.String(), addr.warehouse)
	}
	fmt.Fprintf(out, "altered %s: schema %d (%d columns)\n", addr.id, s.ID, len(s.Fields))
	return nil
}
