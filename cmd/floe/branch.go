package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/floelake/floe/snapshot"
	"github.com/floelake/floe/table"
)

const branchUsage = `floe branch create TABLE NAME [--from-tag T | --from-snapshot N]
       floe branch list TABLE [--json]
       floe branch delete TABLE NAME
       floe branch fast-forward TABLE NAME`

// cmdBranch creates, lists, deletes and fast-forwards branches (Paimon's
// create_branch, delete_branch and fast_forward procedures). TABLE is one
// argument (a location, or db.table with --warehouse) or two (WAREHOUSE
// db.table); reading and writing a branch is TABLE$branch_NAME.
func cmdBranch(ctx context.Context, args []string, out io.Writer) error {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
		return &helpRequest{flag.NewFlagSet("branch", flag.ContinueOnError)}
	}
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return fmt.Errorf("%w: %s", errUsage, branchUsage)
	}
	sub := args[0]
	want := map[string]int{"create": 1, "delete": 1, "fast-forward": 1, "list": 0}
	n, ok := want[sub]
	if !ok {
		return fmt.Errorf("%w: unknown branch command %q: %s", errUsage, sub, branchUsage)
	}
	fs := flag.NewFlagSet("branch", flag.ContinueOnError)
	warehouse := fs.String("warehouse", "", "warehouse for a db.table identifier (default $"+warehouseEnv+")")
	asJSON := fs.Bool("json", false, "print JSON")
	var fromTag *string
	var fromSnap *int64
	if sub == "create" {
		fromTag = fs.String("from-tag", "", "start the branch at this tag's snapshot (default: an empty branch with the table's schema)")
		fromSnap = fs.Int64("from-snapshot", 0, "start the branch at this snapshot (Paimon 1.4 and 2.0 start branches from tags only; Java's expiry does not keep a branch's files, floe's does)")
	}
	pos, err := parse(fs, args[1:])
	if err != nil {
		return err
	}
	// TABLE [NAME] or WAREHOUSE db.table [NAME].
	if len(pos) != 1+n && len(pos) != 2+n {
		return fmt.Errorf("%w: %s", errUsage, branchUsage)
	}
	tbl, name := pos[:len(pos)-n], ""
	if n == 1 {
		name = pos[len(pos)-1]
	}
	if fromSnap != nil && isSet(fs, "from-snapshot") {
		if *fromTag != "" {
			return fmt.Errorf("%w: --from-tag and --from-snapshot: give one", errUsage)
		}
		if *fromSnap <= 0 {
			return fmt.Errorf("%w: --from-snapshot %d: snapshot ids start at 1", errUsage, *fromSnap)
		}
	}
	if sub == "create" {
		if err := table.ValidateBranchName(name); err != nil {
			return err
		}
	}
	t, done, err := openExisting(ctx, *warehouse, tbl, true)
	if err != nil {
		return err
	}
	defer done()
	switch sub {
	case "create":
		err := t.CreateBranch(ctx, name, table.BranchOptions{Tag: *fromTag, Snapshot: *fromSnap})
		switch {
		case errors.Is(err, table.ErrBranchExists):
			return &notFound{err: err, msg: fmt.Sprintf("branch %q already exists (floe branch list shows the branches)", name)}
		case errors.Is(err, snapshot.ErrNotFound) && *fromTag != "":
			return &notFound{err: err, msg: fmt.Sprintf("tag %q does not exist (floe tag list shows the tags)", *fromTag)}
		case errors.Is(err, snapshot.ErrNotFound) && *fromSnap != 0:
			return &notFound{err: err, msg: fmt.Sprintf("snapshot %d does not exist (floe scan 'TABLE$snapshots' shows the snapshots)", *fromSnap)}
		case err != nil:
			return err
		}
		if *asJSON {
			res := map[string]any{"branch": name, "fromTag": *fromTag}
			if *fromSnap != 0 {
				res["fromSnapshot"] = *fromSnap
			}
			return printJSON(out, res)
		}
		switch {
		case *fromTag != "":
			fmt.Fprintf(out, "created branch %s from tag %s\n", name, *fromTag)
		case *fromSnap != 0:
			fmt.Fprintf(out, "created branch %s from snapshot %d\n", name, *fromSnap)
		default:
			fmt.Fprintf(out, "created branch %s (empty, schema %d)\n", name, t.Schema().ID)
		}
	case "list":
		names, err := t.Branches(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			list := make([]any, len(names))
			for i, b := range names {
				list[i] = map[string]string{"name": b}
			}
			return printJSON(out, list)
		}
		for _, b := range names {
			fmt.Fprintln(out, b)
		}
	case "delete":
		files, err := t.DeleteBranch(ctx, name)
		if errors.Is(err, table.ErrNoBranch) {
			return &notFound{err: err, msg: fmt.Sprintf("branch %q does not exist", name)}
		}
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(out, map[string]any{"branch": name, "files": files})
		}
		fmt.Fprintf(out, "deleted branch %s (%d files; data files only it used are left for floe remove-orphans)\n", name, files)
	case "fast-forward":
		res, err := t.FastForward(ctx, name)
		if errors.Is(err, table.ErrNoBranch) {
			return &notFound{err: err, msg: fmt.Sprintf("branch %q does not exist", name)}
		}
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(out, map[string]any{"branch": name, "from": res.From, "removed": res.Removed, "copied": res.Copied})
		}
		fmt.Fprintf(out, "fast-forwarded %s to branch %s: snapshots from %d on are the branch's (%d files removed, %d copied)\n",
			t.Branch(), name, res.From, res.Removed, res.Copied)
	}
	return nil
}
