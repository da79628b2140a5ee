package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/floelake/floe/table"
)

// cmdExpirePartitions drops the partitions older than the expiration time
// (table.ExpirePartitions).
func cmdExpirePartitions(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("expire-partitions", flag.ContinueOnError)
	olderThan := fs.String("older-than", "", "expire partitions whose time is older than this: a duration back from now (7d, 12h) or a time (default: partition.expiration-time)")
	maxExpires := fs.Int("max-expires", 0, "expire at most N partitions (default: partition.expiration-max-num)")
	dry := fs.Bool("dry-run", false, "print the partitions that would expire, drop nothing")
	cf := addCommitFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	warehouse := fs.String("warehouse", "", "warehouse for a db.table identifier (default $"+warehouseEnv+")")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("expire-partitions", pos, 1, 2, "TABLE [--older-than D|TIME] [--max-expires N] [--dry-run] [--json]"); err != nil {
		return err
	}
	if *maxExpires < 0 {
		return fmt.Errorf("%w: --max-expires must be positive", errUsage)
	}
	co, err := cf.options()
	if err != nil {
		return err
	}
	opts := table.ExpirePartitionsOptions{MaxExpires: *maxExpires, DryRun: *dry, CommitUser: co.CommitUser, Identifier: co.Identifier}
	if *olderThan != "" {
		now := time.Now()
		if opts.OlderThan, err = parseOlderThan(*olderThan, now); err != nil {
			return err
		}
	}
	t, done, err := openExisting(ctx, *warehouse, pos, true)
	if err != nil {
		return err
	}
	defer done()
	res, err := t.ExpirePartitions(ctx, opts)
	if err != nil {
		return err
	}
	var snaps []int64
	for _, c := range res.Commits {
		if n := len(c.Snapshots); n > 0 {
			snaps = append(snaps, c.Snapshots[n-1].ID)
		}
	}
	if *asJSON {
		type part struct {
			Values []string `json:"values"`
			Path   string   `json:"path"`
		}
		parts := []part{}
		for _, p := range res.Partitions {
			parts = append(parts, part{p.Values, p.Path})
		}
		return printJSON(out, struct {
			DryRun     bool    `json:"dryRun"`
			Partitions []part  `json:"partitions"`
			Snapshots  []int64 `json:"snapshots"`
		}{*dry, parts, append([]int64{}, snaps...)})
	}
	if len(res.Partitions) == 0 {
		fmt.Fprintln(out, "no partition to expire")
		return nil
	}
	for _, p := range res.Partitions {
		fmt.Fprintln(out, strings.TrimSuffix(p.Path, "/"))
	}
	verb := "expired"
	if *dry {
		verb = "would expire"
	}
	noun := "partitions"
	if len(res.Partitions) == 1 {
		noun = "partition"
	}
	fmt.Fprintf(out, "%s %d %s", verb, len(res.Partitions), noun)
	if len(snaps) > 0 {
		fmt.Fprintf(out, " (OVERWRITE snapshot %s)", strings.Trim(fmt.Sprint(snaps), "[]"))
	}
	fmt.Fprintln(out)
	return nil
}
