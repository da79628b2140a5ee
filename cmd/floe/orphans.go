package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/floelake/floe/table"
)

func init() {
	synopsis["remove-orphans"] = "floe remove-orphans TABLE [flags]\n\n" +
		"delete the files no snapshot, tag, branch or changelog references (data and manifests of commits\n" +
		"that never happened, temporary files of killed writes) once they are older than --older-than"
}

func cmdRemoveOrphans(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("remove-orphans", flag.ContinueOnError)
	olderThan := fs.String("older-than", "1d", "delete only files last modified before this: a duration ago (90m, 36h, 7d, 1d12h) "+
		"or a time (RFC 3339, 'yyyy-mm-dd hh:mm:ss' local); longer than any write takes from its first file to its commit")
	dryRun := fs.Bool("dry-run", false, "list the orphan files, delete nothing")
	asJSON := fs.Bool("json", false, "print JSON (the files, their sizes and times)")
	warehouse := fs.String("warehouse", "", "warehouse for a db.table identifier (default $"+warehouseEnv+")")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("remove-orphans", pos, 1, 2, "TABLE [--older-than D] [--dry-run] [--json]"); err != nil {
		return err
	}
	age, err := parseAge(*olderThan, time.Now())
	if err != nil {
		return fmt.Errorf("--older-than %s: %w", *olderThan, err)
	}
	t, done, err := openExisting(ctx, *warehouse, pos, true)
	if err != nil {
		return err
	}
	defer done()
	res, err := t.RemoveOrphanFiles(ctx, table.RemoveOrphansOptions{OlderThan: age, DryRun: *dryRun})
	if res == nil {
		return err
	}
	if *asJSON {
		if perr := printJSON(out, res); err == nil {
			err = perr
		}
		return err
	}
	verb := "deleted"
	if res.DryRun {
		verb = "would delete"
		tbl := &grid{header: []string{"PATH", "SIZE", "MODIFIED"}}
		for _, f := range res.Files {
			tbl.add(f.Path, f.Size, f.ModTime.Local().Format("2006-01-02 15:04:05"))
		}
		if len(res.Files) > 0 {
			if err := tbl.print(out); err != nil {
				return err
			}
		}
	}
	fmt.Fprintf(out, "%s %d orphan files (%s) modified before %s; %d snapshots, tags and changelogs reference %d files\n",
		verb, len(res.Files), bytesText(res.Bytes), res.Cutoff.Local().Format("2006-01-02 15:04:05"), res.Sources, res.Referenced)
	return err
}

// parseAge reads remove-orphans' --older-than: a duration (Go's units plus d for
// days: 90m, 36h, 7d, 1d12h) or a point in time as --as-of takes it
// (not epoch millis: a bare number is refused). It returns how long ago
// that is; a time not in the past is refused like a negative duration.
func parseAge(s string, now time.Time) (time.Duration, error) {
	s = strings.TrimSpace(s)
	bad := func() error {
		return fmt.Errorf("%w: want a duration (90m, 36h, 7d) or a time (RFC 3339, 'yyyy-mm-dd hh:mm:ss')", errUsage)
	}
	if s == "" {
		return 0, bad()
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return 0, bad()
	}
	var d time.Duration
	if days, rest, ok := strings.Cut(s, "d"); ok {
		n, err := strconv.ParseUint(days, 10, 31)
		if err == nil {
			d = time.Duration(n) * 24 * time.Hour
			if rest != "" {
				r, err := time.ParseDuration(rest)
				if err != nil || strings.HasPrefix(rest, "-") || strings.HasPrefix(rest, "+") {
					return 0, bad()
				}
				d += r
			}
			return checkOlderThan(d)
		}
	}
	if d, err := time.ParseDuration(s); err == nil {
		return checkOlderThan(d)
	}
	tm, err := parseAsOf(s)
	if err != nil {
		return 0, bad()
	}
	return checkOlderThan(now.Sub(tm))
}

// checkOlderThan refuses a threshold that is not in the past: files being
// written now are not referenced yet.
func checkOlderThan(d time.Duration) (time.Duration, error) {
	if d <= 0 {
		return 0, &table.OrphanThresholdError{OlderThan: d}
	}
	return d, nil
}
