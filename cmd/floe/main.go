// Command floe creates, writes, scans and inspects Apache Paimon tables
// without a JVM.
//
//	floe create TABLE --column 'name TYPE' … [--primary-key a,b] [--partition p]
//	floe alter TABLE [--add-column 'name TYPE' [--after c|--first]] [--drop-column c]
//	           [--rename-column old=new] [--alter-type c=TYPE] [--set k=v] [--reset k]
//	floe write TABLE FILE…        (JSON lines, CSV, Parquet; - for stdin)
//	floe scan TABLE [--select a,b] [--where EXPR] [--snapshot N | --tag T | --as-of TIME]
//	floe branch create|list|delete|fast-forward TABLE [NAME]
//	floe demo [--warehouse DIR]
//	floe ls WAREHOUSE
//	floe schema TABLE
//	floe snapshots TABLE
//	floe files TABLE [--snapshot N]
//	floe version
//
// floe COMMAND --help prints a command's flags.
//
// TABLE is the path or URL of a table directory (WAREHOUSE/<db>.db/<table>),
// WAREHOUSE db.table, or db.table with --warehouse or $FLOE_WAREHOUSE.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
)

const usage = `floe: Apache Paimon tables without a JVM

usage:
  floe demo [--warehouse DIR]        create, write, update, delete, scan, time-travel and compact a table
  floe create TABLE --column 'name TYPE' ... [--primary-key a,b] [--partition p,q]
               [--option k=v ...] [--comment C] [--if-not-exists]
  floe alter TABLE                   change the schema (all flags become one new schema, in order)
               [--add-column 'name TYPE' [--after c | --first]] [--drop-column c]
               [--rename-column old=new] [--alter-type c=TYPE] [--set k=v] [--reset k]
  floe write TABLE FILE...           add rows from JSON lines, CSV or Parquet files (- is stdin)
               [--format jsonl|csv|parquet] [--overwrite] [--batch-rows N] [--progress]
               [--max-record-size SIZE] [--commit-user U --commit-identifier N]
  floe scan TABLE                    read rows (default: a grid of the latest snapshot)
               [--select a,b] [--where EXPR] [--snapshot N | --tag T | --as-of TIME]
               [--incremental-between A,B | --incremental-between-timestamp T1,T2
                [--incremental-mode auto|delta|changelog|diff]]
               [--limit N] [--format table|jsonl|csv|parquet] [--output FILE]
  floe stream TABLE                  read the table's changes, snapshot by snapshot (JSON lines:
               _SNAPSHOT, _ROW_KIND, columns)
               [--from earliest|latest|compacted|snapshot:N|time:T|tag:NAME] [--full]
               [--until-latest | --until latest|snapshot:N|tag:T|time:T | --follow]
               [--consumer ID [--consumer-mode exactly-once|at-least-once]] [--shard I/N]
               [--select a,b] [--where EXPR]
               [--format jsonl|csv|table]
  floe compact TABLE                 compact buckets (a COMPACT snapshot), beside running writers
               [--where PARTITION-FILTER] [--full] [--progress] [--parallelism N]
  floe expire TABLE                  remove old snapshots and the files only they used
               [--retain-max N] [--retain-min N] [--older-than D|TIME] [--max-deletes N] [--dry-run]
  floe tag create TABLE NAME         tag a snapshot [--snapshot N] [--retain D]
  floe tag delete|rename|list TABLE …  delete NAME, rename OLD NEW, list the tags
  floe branch create TABLE NAME      a branch: empty (the table's schema), [--from-tag T] or [--from-snapshot N]
  floe branch list|delete|fast-forward TABLE …  list, delete NAME, make the table NAME's
               history (read and write a branch as TABLE$branch_NAME)
  floe rollback TABLE                return to a snapshot or tag (--to-snapshot N | --to-tag NAME);
               later snapshots and tags are removed (floe writers wait; stop others first)
  floe consumers TABLE               list consumers [--reset ID --next N | --delete ID]
  floe truncate TABLE                remove every row (an OVERWRITE snapshot)
  floe drop-partition TABLE --where PARTITION-FILTER   remove partitions (an OVERWRITE snapshot)
  floe expire-partitions TABLE       drop partitions older than partition.expiration-time
               [--older-than D|TIME] [--max-expires N] [--dry-run]
  floe drop TABLE [--if-exists]      drop the table and its files
  floe remove-orphans TABLE          delete files no snapshot, tag or branch references, once older
               than a day: uncommitted data, manifests, temporary files of killed writes
               [--older-than D] [--dry-run] [--json]
  floe ls WAREHOUSE                  databases and their tables
  floe schema TABLE                  columns, keys and options of the latest schema
  floe snapshots TABLE               every snapshot: kind, time, records
  floe files TABLE [--snapshot N]    live data files at a snapshot (default latest)
  floe version                       floe's version and the Paimon format it writes
  floe COMMAND --help                a command's flags

TABLE is a table directory WAREHOUSE/<db>.db/<table> (path or URL such as
s3://bucket/wh/db.db/t?endpoint=...), or WAREHOUSE db.table, or db.table with
--warehouse W (default $FLOE_WAREHOUSE; write takes only this form or a location).
ls, schema, snapshots, files and the maintenance commands accept --json for
machine-readable output; truncate, drop-partition and expire-partitions take --commit-user U
--commit-identifier N for an exactly-once commit.
`

// errUsage marks command-line mistakes (exit status 2).
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	// Output goes through one buffer, flushed at exit (and by commands
	// that wait, see flushOut): a write per line to an unbuffered stdout
	// costs a system call each.
	out := bufio.NewWriterSize(os.Stdout, 64<<10)
	err := run(ctx, os.Args[1:], out)
	stop()
	if ferr := out.Flush(); err == nil && ferr != nil {
		err = fmt.Errorf("write output: %w", ferr)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "floe:", err)
		if errors.Is(err, errUsage) {
			fmt.Fprint(os.Stderr, "\n"+usage)
			os.Exit(2)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	err := dispatch(ctx, args, out)
	var h *helpRequest
	if errors.As(err, &h) {
		return h.print(out)
	}
	return err
}

func dispatch(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: no command", errUsage)
	}
	cmd, args := args[0], args[1:]
	switch cmd {
	case "create":
		return cmdCreate(ctx, args, out)
	case "alter":
		return cmdAlter(ctx, args, out)
	case "write":
		return cmdWrite(ctx, args, out)
	case "compact":
		return cmdCompact(ctx, args, out)
	case "remove-orphans":
		return cmdRemoveOrphans(ctx, args, out)
	case "scan":
		return cmdScan(ctx, args, out)
	case "stream":
		return cmdStream(ctx, args, out)
	case "demo":
		return cmdDemo(ctx, args, out)
	case "expire":
		return cmdExpire(ctx, args, out)
	case "tag":
		return cmdTag(ctx, args, out)
	case "branch":
		return cmdBranch(ctx, args, out)
	case "rollback":
		return cmdRollback(ctx, args, out)
	case "consumers":
		return cmdConsumers(ctx, args, out)
	case "drop":
		return cmdDrop(ctx, args, out)
	case "expire-partitions":
		return cmdExpirePartitions(ctx, args, out)
	case "drop-partition":
		return cmdDropPartition(ctx, args, out)
	case "truncate":
		return cmdTruncate(ctx, args, out)
	case "ls":
		return cmdLs(ctx, args, out)
	case "schema":
		return cmdSchema(ctx, args, out)
	case "snapshots":
		return cmdSnapshots(ctx, args, out)
	case "files":
		return cmdFiles(ctx, args, out)
	case "version", "--version":
		return cmdVersion(args, out)
	case "help", "-h", "-help", "--help":
		if len(args) == 1 && synopsis[args[0]] != "" {
			// floe help CMD: the command's own help.
			return dispatch(ctx, []string{args[0], "--help"}, out)
		}
		fmt.Fprint(out, usage)
		return nil
	default:
		return fmt.Errorf("%w: unknown command %q", errUsage, cmd)
	}
}

// flushOut flushes out if it buffers (the CLI's stdout does), so that
// what was written shows before a command waits.
func flushOut(out io.Writer) error {
	if f, ok := out.(interface{ Flush() error }); ok {
		return f.Flush()
	}
	return nil
}

// parse parses flags that may appear before, between or after positional
// arguments, and returns the positional ones.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, &helpRequest{fs}
			}
			return nil, fmt.Errorf("%w: %s: %v", errUsage, fs.Name(), err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func wantArgs(cmd string, pos []string, min, max int, what string) error {
	if len(pos) < min || len(pos) > max {
		return fmt.Errorf("%w: floe %s %s", errUsage, cmd, what)
	}
	return nil
}

func isIdentifier(s string) bool {
	return strings.Count(s, ".") == 1 && !strings.ContainsAny(s, "/\\:") && !strings.HasPrefix(s, ".")
}
