package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/predicate"
	"github.com/floelake/floe/snapshot"
	"github.com/floelake/floe/table"
)

// snapshotColumn is the column floe stream puts first: the snapshot a
// change belongs to.
const snapshotColumn = "_SNAPSHOT"

func cmdStream(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("stream", flag.ContinueOnError)
	from := fs.String("from", "", "where to start: earliest, latest, compacted, snapshot:N, time:T or tag:NAME (default: a full read of the latest snapshot, then its changes; compacted: a full read of the latest full compaction)")
	full := fs.Bool("full", false, "read the starting snapshot in full first (with earliest, latest, snapshot:N or tag:NAME)")
	untilLatest := fs.Bool("until-latest", false, "stop after the latest snapshot present at start (the default)")
	until := fs.String("until", "", "stop after: latest, snapshot:N (waiting for it if need be), tag:NAME or time:T (the last snapshot committed at or before T)")
	follow := fs.Bool("follow", false, "keep following the table, waiting for new snapshots")
	consumer := fs.String("consumer", "", "consumer id: continue from its saved progress, and save it after each snapshot")
	consumerMode := fs.String("consumer-mode", "", "exactly-once (progress saved once a snapshot's rows are out) or at-least-once (saved before each batch is read: the snapshot being read); default: the table's consumer.mode")
	shard := fs.String("shard", "", "read only the buckets of shard I of N (I/N, from 0/N), so that N streams share the changes")
	sel := fs.String("select", "", "columns to return, in order: a,b")
	where := fs.String("where", "", "row filter, e.g. \"amount > 10\"")
	format := fs.String("format", "jsonl", "output format: jsonl, csv or table")
	warehouse := fs.String("warehouse", "", "warehouse for a db.table identifier (default $"+warehouseEnv+")")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("stream", pos, 1, 2, "TABLE [--from earliest|latest|compacted|snapshot:N|time:T|tag:NAME] [--full] [--until-latest | --until latest|snapshot:N|tag:NAME|time:T | --follow] [--consumer ID [--consumer-mode exactly-once|at-least-once]] [--shard I/N] [--select a,b] [--where EXPR] [--format jsonl|csv|table]"); err != nil {
		return err
	}
	if n := btoi(*untilLatest) + btoi(*follow) + btoi(*until != ""); n > 1 {
		return fmt.Errorf("%w: use only one of --until-latest, --until and --follow", errUsage)
	}
	switch *format {
	case "jsonl", "csv", "table":
	default:
		return fmt.Errorf("%w: --format %q: want jsonl, csv or table", errUsage, *format)
	}
	if *format == "table" && *follow {
		return fmt.Errorf("%w: --format table prints when the stream ends; use jsonl or csv with --follow", errUsage)
	}
	opts := table.StreamOptions{Columns: splitList(*sel), ConsumerID: *consumer}
	switch *consumerMode {
	case "":
	case "exactly-once":
		opts.ConsumerMode = table.ConsumerExactlyOnce
	case "at-least-once":
		opts.ConsumerMode = table.ConsumerAtLeastOnce
	default:
		return fmt.Errorf("%w: --consumer-mode %q: want exactly-once or at-least-once", errUsage, *consumerMode)
	}
	if *shard != "" {
		i, n, ok := strings.Cut(*shard, "/")
		idx, err1 := strconv.Atoi(i)
		cnt, err2 := strconv.Atoi(n)
		if !ok || err1 != nil || err2 != nil || cnt < 1 || idx < 0 || idx >= cnt {
			return fmt.Errorf("%w: --shard %q: want I/N with 0 <= I < N", errUsage, *shard)
		}
		opts.Shard = table.Shard{Index: idx, Count: cnt}
	}
	if *consumerMode != "" && *consumer == "" {
		return fmt.Errorf("%w: --consumer-mode goes with --consumer", errUsage)
	}
	if !*follow {
		opts.Until = table.UntilLatest
	}
	if strings.TrimSpace(*where) != "" {
		if opts.Filter, err = predicate.Parse(*where); err != nil {
			return fmt.Errorf("--where: %w", err)
		}
	}
	t, done, err := openExisting(ctx, *warehouse, pos, true)
	if err != nil {
		return err
	}
	defer done()
	if err := streamStart(ctx, t, *from, *full, &opts); err != nil {
		return err
	}
	if *until != "" {
		if opts.Until, err = streamUntil(ctx, t, *until); err != nil {
			return err
		}
	}
	mem := memory.DefaultAllocator
	opts.Alloc = mem
	s, err := t.NewStream(ctx, opts)
	if err != nil {
		return err
	}
	defer s.Close()
	if !*follow {
		// A start beyond the latest snapshot waits only with --follow.
		latest, err := snapshot.LatestID(ctx, t.BranchStore())
		if err != nil {
			return err
		}
		kind, _, _ := strings.Cut(*from, ":")
		if next := s.NextSnapshot(); next > latest && (kind == "snapshot" || kind == "time") {
			return fmt.Errorf("%w: the stream starts at snapshot %d, after the latest (%d): use --follow to wait for it", table.ErrNoSnapshot, next, latest)
		}
	}

	var sink recordSink
	switch *format {
	case "jsonl":
		sink = newJSONLSink(out)
	case "csv":
		sink = newCSVSink(out)
	case "table":
		sink = &gridSink{out: out, max: gridCap}
	}
	if err := sink.begin(withSnapshotField(s.Schema())); err != nil {
		return err
	}
	if err := flushOut(out); err != nil {
		return err
	}
	for {
		b, err := s.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		rec := withSnapshot(b, mem)
		err = sink.write(rec)
		rec.Release()
		if err != nil {
			return err
		}
		if b.Last {
			if f, ok := sink.(interface{ flush() error }); ok {
				if err := f.flush(); err != nil {
					return err
				}
			}
			// The next snapshot may be a wait away: show these rows now.
			if err := flushOut(out); err != nil {
				return err
			}
			// The snapshot's rows are out: save the consumer's progress.
			if err := s.SaveProgress(ctx); err != nil {
				return err
			}
		}
	}
	return sink.end()
}

// streamStart sets where the stream starts from --from and --full.
func streamStart(ctx context.Context, t *table.Table, from string, full bool, opts *table.StreamOptions) error {
	kind, arg, _ := strings.Cut(from, ":")
	switch kind {
	case "":
		if arg != "" {
			return fmt.Errorf("%w: --from %q", errUsage, from)
		}
		opts.Start = table.StartLatestFull // Paimon's default
	case "earliest":
		opts.Start, opts.SnapshotID = table.StartFromSnapshot, 1
		if full {
			opts.Start = table.StartFromSnapshotFull
		}
	case "latest":
		opts.Start = table.StartLatest
		if full {
			opts.Start = table.StartLatestFull
		}
	case "compacted": // always a full read (compacted-full)
		opts.Start = table.StartCompactedFull
	case "snapshot", "tag":
		if kind == "snapshot" {
			id, err := strconv.ParseInt(arg, 10, 64)
			if err != nil || id <= 0 {
				return fmt.Errorf("%w: --from snapshot:%s: want a snapshot id", errUsage, arg)
			}
			opts.SnapshotID = id
		} else {
			tag, err := snapshot.ReadTag(ctx, t.BranchStore(), arg)
			if err != nil {
				return missingSnapshot(fmt.Errorf("%w: %w", table.ErrNoSnapshot, err), 0, arg, time.Time{})
			}
			opts.SnapshotID = tag.ID
		}
		opts.Start = table.StartFromSnapshot
		if full {
			opts.Start = table.StartFromSnapshotFull
		}
	case "time":
		if full {
			return fmt.Errorf("%w: --full does not go with --from time:T", errUsage)
		}
		tm, err := parseAsOf(arg)
		if err != nil {
			return err
		}
		opts.Start, opts.Time = table.StartFromTime, tm
	default:
		return fmt.Errorf("%w: --from %q: want earliest, latest, compacted, snapshot:N, time:T or tag:NAME", errUsage, from)
	}
	if kind != "snapshot" && kind != "tag" && kind != "time" && arg != "" {
		return fmt.Errorf("%w: --from %q", errUsage, from)
	}
	return nil
}

// streamUntil reads --until: the last snapshot a stream reads.
func streamUntil(ctx context.Context, t *table.Table, until string) (int64, error) {
	kind, arg, _ := strings.Cut(until, ":")
	switch kind {
	case "latest":
		if arg == "" {
			return table.UntilLatest, nil
		}
	case "snapshot":
		if id, err := strconv.ParseInt(arg, 10, 64); err == nil && id > 0 {
			return id, nil
		}
		return 0, fmt.Errorf("%w: --until snapshot:%s: want a snapshot id", errUsage, arg)
	case "tag":
		tag, err := snapshot.ReadTag(ctx, t.BranchStore(), arg)
		if err != nil {
			return 0, missingSnapshot(fmt.Errorf("%w: %w", table.ErrNoSnapshot, err), 0, arg, time.Time{})
		}
		return tag.ID, nil
	case "time":
		tm, err := parseAsOf(arg)
		if err != nil {
			return 0, err
		}
		s, err := snapshot.AtOrBefore(ctx, t.BranchStore(), tm.UnixMilli())
		if err != nil {
			return 0, missingSnapshot(fmt.Errorf("%w: %w", table.ErrNoSnapshot, err), 0, "", tm)
		}
		return s.ID, nil
	}
	return 0, fmt.Errorf("%w: --until %q: want latest, snapshot:N, tag:NAME or time:T", errUsage, until)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// withSnapshotField prepends the snapshot column's field to sc.
func withSnapshotField(sc *arrow.Schema) *arrow.Schema {
	return arrow.NewSchema(append([]arrow.Field{{Name: snapshotColumn, Type: arrow.PrimitiveTypes.Int64}}, sc.Fields()...), nil)
}

// withSnapshot prepends the snapshot column to a batch.
func withSnapshot(b table.ChangeBatch, mem memory.Allocator) arrow.Record {
	n := int(b.Record.NumRows())
	bld := array.NewInt64Builder(mem)
	defer bld.Release()
	bld.Reserve(n)
	for range n {
		bld.UnsafeAppend(b.SnapshotID)
	}
	ids := bld.NewArray()
	defer ids.Release()
	return array.NewRecord(withSnapshotField(b.Record.Schema()), append([]arrow.Array{ids}, b.Record.Columns()...), int64(n))
}
