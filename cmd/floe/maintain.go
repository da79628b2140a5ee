package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/floelake/floe/catalog"
	"github.com/floelake/floe/predicate"
	"github.com/floelake/floe/snapshot"
	"github.com/floelake/floe/table"
)

// The operator's commands: expire, tag, rollback, consumers, drop,
// drop-partition, truncate. Each calls one library function.

// parseOlderThan reads --older-than: a duration ("1 h", "2d", "30min")
// back from now, or a time as --as-of takes it.
func parseOlderThan(s string, now time.Time) (time.Time, error) {
	if d, err := table.ParseDuration(s); err == nil && !strings.ContainsAny(s, "-:T") {
		if d < 0 {
			return time.Time{}, fmt.Errorf("%w: --older-than %q is negative", errUsage, s)
		}
		return now.Add(-d), nil
	}
	tm, err := parseAsOf(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: --older-than %q: want a duration (1h, 2d, 30min) or a time (RFC 3339, 'yyyy-mm-dd hh:mm:ss' local, epoch millis)", errUsage, s)
	}
	return tm, nil
}

func cmdExpire(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("expire", flag.ContinueOnError)
	retainMax := fs.Int("retain-max", 0, "keep at most N snapshots (default: snapshot.num-retained.max)")
	retainMin := fs.Int("retain-min", 0, "keep at least N snapshots (default: snapshot.num-retained.min)")
	olderThan := fs.String("older-than", "", "expire snapshots whose successor is older than this: a duration back from now (1h, 2d) or a time (default: snapshot.time-retained)")
	maxDeletes := fs.Int("max-deletes", 0, "expire at most N snapshots (default: snapshot.expire.limit; -1: no limit)")
	dry := fs.Bool("dry-run", false, "print what would be deleted, delete nothing")
	asJSON := fs.Bool("json", false, "print JSON")
	warehouse := fs.String("warehouse", "", "warehouse for a db.table identifier (default $"+warehouseEnv+")")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("expire", pos, 1, 2, "TABLE [--retain-max N] [--retain-min N] [--older-than D|TIME] [--max-deletes N] [--dry-run] [--json]"); err != nil {
		return err
	}
	if *retainMax < 0 || *retainMin < 0 || *maxDeletes < -1 {
		return fmt.Errorf("%w: --retain-max and --retain-min must be positive, --max-deletes positive or -1", errUsage)
	}
	if *retainMax > 0 && *retainMin > *retainMax {
		return fmt.Errorf("%w: --retain-min %d is more than --retain-max %d", errUsage, *retainMin, *retainMax)
	}
	opts := table.ExpireOptions{RetainMax: *retainMax, RetainMin: *retainMin, Limit: *maxDeletes, DryRun: *dry}
	if *olderThan != "" {
		now := time.Now()
		if opts.OlderThan, err = parseOlderThan(*olderThan, now); err != nil {
			return err
		}
		if opts.OlderThan.After(now) {
			return fmt.Errorf("%w: --older-than %q is in the future", errUsage, *olderThan)
		}
	}
	t, done, err := openExisting(ctx, *warehouse, pos, true)
	if err != nil {
		return err
	}
	defer done()
	res, err := t.Expire(ctx, opts)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(out, struct {
			DryRun         bool     `json:"dryRun"`
			Begin          int64    `json:"begin"`
			End            int64    `json:"end"`
			Snapshots      int      `json:"snapshots"`
			DataFiles      int      `json:"dataFiles"`
			ChangelogFiles int      `json:"changelogFiles"`
			MetaFiles      int      `json:"metaFiles"`
			Paths          []string `json:"paths,omitempty"`
		}{*dry, res.Begin, res.End, res.Snapshots, res.DataFiles, res.ChangelogFiles, res.MetaFiles, res.Paths})
	}
	if res.Snapshots == 0 {
		fmt.Fprintln(out, "nothing to expire")
		return nil
	}
	verb := "expired"
	if *dry {
		verb = "would expire"
		for _, p := range res.Paths {
			fmt.Fprintln(out, p)
		}
	}
	fmt.Fprintf(out, "%s snapshots %d..%d (%d): %d data, %d changelog and %d metadata files\n",
		verb, res.Begin, res.End-1, res.Snapshots, res.DataFiles, res.ChangelogFiles, res.MetaFiles)
	return nil
}

const tagUsage = `floe tag create TABLE NAME [--snapshot N] [--retain D]
       floe tag delete TABLE NAME
       floe tag rename TABLE OLD NEW
       floe tag list TABLE [--json]`

func cmdTag(ctx context.Context, args []string, out io.Writer) error {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
		return &helpRequest{flag.NewFlagSet("tag", flag.ContinueOnError)}
	}
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return fmt.Errorf("%w: %s", errUsage, tagUsage)
	}
	sub := args[0]
	fs := flag.NewFlagSet("tag", flag.ContinueOnError)
	warehouse := fs.String("warehouse", "", "warehouse for a db.table identifier (default $"+warehouseEnv+")")
	asJSON := fs.Bool("json", false, "print JSON")
	var snap *int64
	var retain *string
	want := map[string]int{"create": 2, "delete": 2, "rename": 3, "list": 1}
	n, ok := want[sub]
	if !ok {
		return fmt.Errorf("%w: unknown tag command %q: %s", errUsage, sub, tagUsage)
	}
	if sub == "create" {
		snap = fs.Int64("snapshot", 0, "the snapshot to tag (default: the latest)")
		retain = fs.String("retain", "", "how long the tag lives, e.g. 7d (default: tag.default-time-retained, else forever)")
	}
	pos, err := parse(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) != n {
		return fmt.Errorf("%w: %s", errUsage, tagUsage)
	}
	t, done, err := openExisting(ctx, *warehouse, pos[:1], false)
	if err != nil {
		return err
	}
	defer done()
	switch sub {
	case "create":
		opts := table.TagOptions{SnapshotID: *snap}
		if *snap < 0 {
			return fmt.Errorf("%w: --snapshot must be positive", errUsage)
		}
		if *retain != "" {
			d, err := table.ParseDuration(*retain)
			if err != nil || d <= 0 {
				return fmt.Errorf("%w: --retain %q: want a positive duration such as 12h or 7d", errUsage, *retain)
			}
			opts.TimeRetained = d
		}
		tag, err := t.CreateTag(ctx, pos[1], opts)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(out, tagJSON(tag))
		}
		fmt.Fprintf(out, "tag %s: snapshot %d\n", tag.Name, tag.ID)
	case "delete":
		res, err := t.DeleteTag(ctx, pos[1])
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(out, map[string]any{"tag": res.Tag.Name, "snapshot": res.Tag.ID,
				"dataFiles": res.DataFiles, "changelogFiles": res.ChangelogFiles, "metaFiles": res.MetaFiles})
		}
		fmt.Fprintf(out, "deleted tag %s (snapshot %d): %d data, %d changelog and %d metadata files only it kept\n",
			res.Tag.Name, res.Tag.ID, res.DataFiles, res.ChangelogFiles, res.MetaFiles)
	case "rename":
		if err := t.RenameTag(ctx, pos[1], pos[2]); err != nil {
			return err
		}
		if *asJSON {
			return printJSON(out, map[string]string{"from": pos[1], "to": pos[2]})
		}
		fmt.Fprintf(out, "renamed tag %s to %s\n", pos[1], pos[2])
	case "list":
		tags, err := t.Tags(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			list := make([]any, len(tags))
			for i, tg := range tags {
				list[i] = tagJSON(tg)
			}
			return printJSON(out, list)
		}
		g := grid{header: []string{"tag", "snapshot", "kind", "committed", "records", "created", "retained"}}
		for _, tg := range tags {
			created, retained := "", ""
			if tg.CreateTime != nil {
				created = tg.CreateTime.Format("2006-01-02 15:04:05")
			}
			if tg.TimeRetained != nil {
				retained = tg.TimeRetained.String()
			}
			g.rows = append(g.rows, []string{tg.Name, strconv.FormatInt(tg.ID, 10), string(tg.CommitKind),
				time.UnixMilli(tg.TimeMillis).Format("2006-01-02 15:04:05.000"), strconv.FormatInt(tg.TotalRecordCount, 10), created, retained})
		}
		return g.print(out)
	}
	return nil
}

func tagJSON(tg *snapshot.Tag) map[string]any {
	m := map[string]any{"name": tg.Name, "snapshot": tg.ID, "commitKind": tg.CommitKind,
		"timeMillis": tg.TimeMillis, "totalRecordCount": tg.TotalRecordCount}
	if tg.CreateTime != nil {
		m["createTime"] = tg.CreateTime.Format("2006-01-02T15:04:05.999999999")
	}
	if tg.TimeRetained != nil {
		m["timeRetained"] = tg.TimeRetained.String()
	}
	return m
}

func cmdRollback(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("rollback", flag.ContinueOnError)
	toSnap := fs.Int64("to-snapshot", 0, "the snapshot to return to")
	toTag := fs.String("to-tag", "", "the tag to return to")
	asJSON := fs.Bool("json", false, "print JSON")
	warehouse := fs.String("warehouse", "", "warehouse for a db.table identifier (default $"+warehouseEnv+")")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("rollback", pos, 1, 2, "TABLE --to-snapshot N | --to-tag NAME [--json]"); err != nil {
		return err
	}
	if (*toSnap != 0) == (*toTag != "") || *toSnap < 0 {
		return fmt.Errorf("%w: floe rollback needs one of --to-snapshot N (positive) and --to-tag NAME", errUsage)
	}
	t, done, err := openExisting(ctx, *warehouse, pos, true)
	if err != nil {
		return err
	}
	defer done()
	res, err := t.Rollback(ctx, table.RollbackOptions{SnapshotID: *toSnap, Tag: *toTag})
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(out, map[string]any{"snapshot": res.To, "snapshotsRemoved": res.Snapshots, "tagsRemoved": res.Tags,
			"changelogsRemoved": res.Changelogs, "dataFiles": res.DataFiles, "changelogFiles": res.ChangelogFiles, "metaFiles": res.MetaFiles})
	}
	fmt.Fprintf(out, "rolled back to snapshot %d: removed %d snapshots, %d tags, %d data, %d changelog and %d metadata files\n",
		res.To, res.Snapshots, res.Tags, res.DataFiles, res.ChangelogFiles, res.MetaFiles)
	return nil
}

func cmdConsumers(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("consumers", flag.ContinueOnError)
	reset := fs.String("reset", "", "set consumer ID's next snapshot (with --next N)")
	next := fs.Int64("next", 0, "the next snapshot for --reset")
	del := fs.String("delete", "", "delete consumer ID")
	asJSON := fs.Bool("json", false, "print JSON")
	warehouse := fs.String("warehouse", "", "warehouse for a db.table identifier (default $"+warehouseEnv+")")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("consumers", pos, 1, 2, "TABLE [--reset ID --next N | --delete ID] [--json]"); err != nil {
		return err
	}
	switch {
	case *reset != "" && *del != "":
		return fmt.Errorf("%w: use one of --reset and --delete", errUsage)
	case *reset != "" && *next <= 0:
		return fmt.Errorf("%w: --reset needs --next N (a positive snapshot id)", errUsage)
	case *reset == "" && *next != 0:
		return fmt.Errorf("%w: --next goes with --reset", errUsage)
	}
	t, done, err := openExisting(ctx, *warehouse, pos, true)
	if err != nil {
		return err
	}
	defer done()
	switch {
	case *reset != "":
		if err := t.ResetConsumer(ctx, *reset, *next); err != nil {
			return err
		}
		fmt.Fprintf(out, "consumer %s: next snapshot %d\n", *reset, *next)
		return nil
	case *del != "":
		if err := snapshot.DeleteConsumer(ctx, t.BranchStore(), *del); err != nil {
			return err
		}
		fmt.Fprintf(out, "deleted consumer %s\n", *del)
		return nil
	}
	cs, err := snapshot.Consumers(ctx, t.BranchStore())
	if err != nil {
		return err
	}
	ids := slices.Sorted(maps.Keys(cs))
	if *asJSON {
		list := make([]map[string]any, len(ids))
		for i, id := range ids {
			list[i] = map[string]any{"consumerId": id, "nextSnapshotId": cs[id].NextSnapshot}
		}
		return printJSON(out, list)
	}
	g := grid{header: []string{"consumer", "next snapshot"}}
	for _, id := range ids {
		g.rows = append(g.rows, []string{id, strconv.FormatInt(cs[id].NextSnapshot, 10)})
	}
	return g.print(out)
}

func cmdDrop(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("drop", flag.ContinueOnError)
	ifExists := fs.Bool("if-exists", false, "succeed when the table does not exist")
	asJSON := fs.Bool("json", false, "print JSON")
	warehouse := fs.String("warehouse", "", "warehouse for a db.table identifier (default $"+warehouseEnv+")")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("drop", pos, 1, 2, "TABLE [--if-exists] [--json]"); err != nil {
		return err
	}
	a, err := resolveTable(*warehouse, pos, true)
	if err != nil {
		return err
	}
	if a.branch != "" {
		return fmt.Errorf("%w: floe drop removes a whole table; floe branch delete TABLE %s removes a branch", errUsage, a.branch)
	}
	cat, err := catalog.Open(ctx, a.warehouse, catalog.Options{})
	if err != nil {
		return err
	}
	defer cat.Close()
	if err := cat.DropTable(ctx, a.id, *ifExists); err != nil {
		if errors.Is(err, catalog.ErrTableNotFound) {
			return missingTable(table.ErrNotTable, a.id.String(), a.warehouse)
		}
		return err
	}
	if *asJSON {
		return printJSON(out, map[string]string{"dropped": a.id.String()})
	}
	fmt.Fprintf(out, "dropped table %s\n", a.id)
	return nil
}

// commitFlags are the exactly-once flags of commands that commit.
type commitFlags struct {
	user  *string
	ident *int64
}

func addCommitFlags(fs *flag.FlagSet) commitFlags {
	return commitFlags{
		user:  fs.String("commit-user", "", "commit user for an exactly-once commit (with --commit-identifier)"),
		ident: fs.Int64("commit-identifier", 0, "commit identifier, increasing per commit user: a repeated (user, identifier) commits nothing"),
	}
}

func (c commitFlags) options() (table.CommitOptions, error) {
	if (*c.user == "") != (*c.ident == 0) {
		return table.CommitOptions{}, fmt.Errorf("%w: --commit-user and --commit-identifier go together", errUsage)
	}
	if *c.ident < 0 {
		return table.CommitOptions{}, fmt.Errorf("%w: --commit-identifier must be positive", errUsage)
	}
	return table.CommitOptions{CommitUser: *c.user, Identifier: *c.ident}, nil
}

func printCommit(out io.Writer, asJSON bool, what string, res *table.CommitResult) error {
	var id int64
	if len(res.Snapshots) > 0 {
		id = res.Snapshots[len(res.Snapshots)-1].ID
	}
	if asJSON {
		return printJSON(out, map[string]any{"snapshot": id, "alreadyCommitted": res.AlreadyCommitted})
	}
	switch {
	case res.AlreadyCommitted:
		fmt.Fprintf(out, "%s: already committed, nothing done\n", what)
	case id == 0:
		fmt.Fprintf(out, "%s: nothing to do\n", what)
	default:
		fmt.Fprintf(out, "%s: snapshot %d (OVERWRITE)\n", what, id)
	}
	return nil
}

func cmdTruncate(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("truncate", flag.ContinueOnError)
	cf := addCommitFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	warehouse := fs.String("warehouse", "", "warehouse for a db.table identifier (default $"+warehouseEnv+")")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("truncate", pos, 1, 2, "TABLE [--commit-user U --commit-identifier N] [--json]"); err != nil {
		return err
	}
	opts, err := cf.options()
	if err != nil {
		return err
	}
	t, done, err := openExisting(ctx, *warehouse, pos, true)
	if err != nil {
		return err
	}
	defer done()
	res, err := t.Truncate(ctx, opts)
	if err != nil {
		return err
	}
	return printCommit(out, *asJSON, "truncated", res)
}

func cmdDropPartition(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("drop-partition", flag.ContinueOnError)
	where := fs.String("where", "", "the partitions to drop: a filter over partition columns, e.g. \"dt = '2024-01-01'\"")
	cf := addCommitFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	warehouse := fs.String("warehouse", "", "warehouse for a db.table identifier (default $"+warehouseEnv+")")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("drop-partition", pos, 1, 2, "TABLE --where PARTITION-FILTER [--commit-user U --commit-identifier N] [--json]"); err != nil {
		return err
	}
	if strings.TrimSpace(*where) == "" {
		return fmt.Errorf("%w: floe drop-partition needs --where PARTITION-FILTER (floe truncate empties the whole table)", errUsage)
	}
	p, err := predicate.Parse(*where)
	if err != nil {
		return fmt.Errorf("%w: --where: %w", errUsage, err)
	}
	opts, err := cf.options()
	if err != nil {
		return err
	}
	t, done, err := openExisting(ctx, *warehouse, pos, true)
	if err != nil {
		return err
	}
	defer done()
	res, err := t.DropPartitionsWhere(ctx, p, opts)
	if err != nil {
		return err
	}
	return printCommit(out, *asJSON, "dropped partitions", res)
}
