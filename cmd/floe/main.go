// Command floe inspects and (in later releases) writes and maintains Apache
// Paimon tables without a JVM.
//
//	floe ls WAREHOUSE
//	floe schema TABLE
//	floe snapshots TABLE
//	floe files TABLE [--snapshot N]
//
// TABLE is the path or URL of a table directory, or WAREHOUSE db.table.
// Every command accepts --json.
package main

import (
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
  floe ls WAREHOUSE                  databases and their tables
  floe schema TABLE                  columns, keys and options of the latest schema
  floe snapshots TABLE               every snapshot: kind, time, records
  floe files TABLE [--snapshot N]    live data files at a snapshot (default latest)

TABLE is a table directory (path or URL such as s3://bucket/wh/db.db/t?endpoint=...),
or WAREHOUSE db.table. Every command accepts --json for machine-readable output.
`

// errUsage marks command-line mistakes (exit status 2).
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
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
	if len(args) == 0 {
		return fmt.Errorf("%w: no command", errUsage)
	}
	cmd, args := args[0], args[1:]
	switch cmd {
	case "ls":
		return cmdLs(ctx, args, out)
	case "schema":
		return cmdSchema(ctx, args, out)
	case "snapshots":
		return cmdSnapshots(ctx, args, out)
	case "files":
		return cmdFiles(ctx, args, out)
	case "help", "-h", "--help":
		fmt.Fprint(out, usage)
		return nil
	default:
		return fmt.Errorf("%w: unknown command %q", errUsage, cmd)
	}
}

// parse parses flags that may appear before, between or after positional
// arguments, and returns the positional ones.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
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
