package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/floelake/floe/predicate"
	"github.com/floelake/floe/table"
)

func cmdCompact(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("compact", flag.ContinueOnError)
	where := fs.String("where", "", "compact only partitions matching this filter over partition columns, e.g. \"dt = '2024-01-01'\"")
	full := fs.Bool("full", false, "rewrite each bucket into one sorted run at the top level (default: what the table's compaction options pick)")
	progress := fs.Bool("progress", false, "report each compacted bucket on stderr")
	parallel := fs.Int("parallelism", 0, "buckets compacted at once (default: the number of cores)")
	warehouse := fs.String("warehouse", "", "warehouse for a db.table identifier (default $"+warehouseEnv+")")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("compact", pos, 1, 2, "TABLE [--where PARTITION-FILTER] [--full] [--progress] [--parallelism N]"); err != nil {
		return err
	}
	if *parallel < 0 {
		return fmt.Errorf("%w: --parallelism must be 0 or more", errUsage)
	}
	opts := table.CompactOptions{Full: *full, Parallelism: *parallel}
	if strings.TrimSpace(*where) != "" {
		if opts.Where, err = predicate.Parse(*where); err != nil {
			return fmt.Errorf("--where: %w", err)
		}
	}
	if *progress {
		opts.Progress = func(p table.CompactProgress) {
			fmt.Fprintf(stderr, "compact: %d/%d buckets, %d files in, %d out, %s read (%s), %s\n",
				p.BucketsDone, p.Buckets, p.FilesIn, p.FilesOut, bytesText(p.BytesRead), rate(p.BytesRead, p.Elapsed), p.Elapsed.Round(time.Millisecond))
		}
	}
	t, done, err := openExisting(ctx, *warehouse, pos, true)
	if err != nil {
		return err
	}
	defer done()
	res, err := t.Compact(ctx, opts)
	if err != nil {
		return err
	}
	if res.Snapshot == nil {
		fmt.Fprintf(out, "nothing to compact (%d buckets looked at)\n", res.Buckets)
		return nil
	}
	secs := res.Duration.Seconds()
	fmt.Fprintf(out, "snapshot %d (COMPACT): %d of %d buckets, %d files -> %d (%d moved up a level), %d -> %d rows, %s -> %s in %s (%.0f rows/s, %s)\n",
		res.Snapshot.ID, res.Compacted, res.Buckets, res.FilesIn, res.FilesOut, res.Upgraded, res.RowsIn, res.RowsOut,
		bytesText(res.BytesIn), bytesText(res.BytesOut), res.Duration.Round(time.Millisecond),
		float64(res.RowsIn)/max(secs, 1e-9), rate(res.BytesIn, res.Duration))
	return nil
}

// bytesText prints a byte count with a binary unit.
func bytesText(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

func rate(n int64, d time.Duration) string {
	return bytesText(int64(float64(n)/max(d.Seconds(), 1e-9))) + "/s"
}
