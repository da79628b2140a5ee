package main

import (
	"flag"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/floelake/floe/schema"
	"github.com/floelake/floe/snapshot"
)

// synopsis is each command's usage line and what it does.
var synopsis = map[string]string{
	"create":            "floe create TABLE --column 'name TYPE' ... [flags]\n\ncreate a table (schema 0); options floe cannot write are refused",
	"alter":             "floe alter TABLE [flags]\n\nchange the schema: all change flags become one new schema, in order",
	"write":             "floe write TABLE FILE... [flags]\n\nadd rows from JSON lines, CSV or Parquet files (- is stdin) as one snapshot",
	"scan":              "floe scan TABLE[$branch_NAME][$SYSTEM] [flags]\n\nread rows (default: a grid of the latest snapshot) of the table or of its branch NAME, or a system table: TABLE$snapshots, $schemas, $options, $tags, $branches, $consumers, $files, $manifests, $partitions, $buckets, $statistics, $audit_log",
	"stream":            "floe stream TABLE [flags]\n\nread the table's changes snapshot by snapshot, with their row kinds (default: a full read of the latest snapshot, then its changes, until the latest)",
	"compact":           "floe compact TABLE [flags]\n\ncompact the table's buckets into one COMPACT snapshot, beside running writers",
	"demo":              "floe demo [flags]\n\ncreate, write, update, delete, scan, time-travel and compact a table",
	"ls":                "floe ls WAREHOUSE [flags]\n\nlist databases and their tables",
	"schema":            "floe schema TABLE [flags]\n\ncolumns, keys and options of the latest schema",
	"snapshots":         "floe snapshots TABLE [flags]\n\nevery snapshot: kind, time, records, commit user and identifier",
	"files":             "floe files TABLE [flags]\n\nlive data files at a snapshot (default latest)",
	"version":           "floe version\n\nfloe's version and the Paimon format it writes",
	"expire":            "floe expire TABLE [flags]\n\nremove the snapshots the retention no longer keeps (snapshot.num-retained.*, snapshot.time-retained, or the flags) and the files only they used; never a consumer's next snapshot or a tag's files",
	"tag":               "floe tag create TABLE NAME [--snapshot N] [--retain D]\n       floe tag delete TABLE NAME\n       floe tag rename TABLE OLD NEW\n       floe tag list TABLE [--json]\n\ntag snapshots; deleting a tag removes the files only it kept alive",
	"branch":            "floe branch create TABLE NAME [--from-tag T | --from-snapshot N]\n       floe branch list TABLE [--json]\n       floe branch delete TABLE NAME\n       floe branch fast-forward TABLE NAME\n\nbranches (branch/branch-NAME: own schemas, snapshots, tags; the table's data files): create one empty (the table's schema), from a tag or from a snapshot; delete one (data files only it used are left for floe remove-orphans); fast-forward the table to one (its snapshots, schemas and tags from the branch's start on become the branch's). Read, write, tag, expire or alter a branch as TABLE$branch_NAME.",
	"rollback":          "floe rollback TABLE --to-snapshot N | --to-tag NAME [flags]\n\nreturn the table to a snapshot or tag: later snapshots and tags and the files only they used are removed (floe writers wait; stop other engines' writers first)",
	"consumers":         "floe consumers TABLE [--reset ID --next N | --delete ID] [flags]\n\nlist, reset or delete the consumers of streaming reads",
	"drop":              "floe drop TABLE [flags]\n\ndrop the table and every file under it",
	"drop-partition":    "floe drop-partition TABLE --where PARTITION-FILTER [flags]\n\nremove the matching partitions in one OVERWRITE snapshot",
	"truncate":          "floe truncate TABLE [flags]\n\nremove every row in one OVERWRITE snapshot",
	"expire-partitions": "floe expire-partitions TABLE [--older-than D|TIME] [--dry-run] [flags]\n\ndrop, in an OVERWRITE snapshot, the partitions older than partition.expiration-time (or --older-than): their time read from their values (partition.timestamp-pattern, -formatter) or, with partition.expiration-strategy=update-time, their newest file",
}

// helpRequest is returned by parse for -h/--help: run prints the
// command's help and succeeds.
type helpRequest struct{ fs *flag.FlagSet }

func (h *helpRequest) Error() string { return "help requested" }

func (h *helpRequest) print(out io.Writer) error {
	fmt.Fprintf(out, "usage: %s\n", synopsis[h.fs.Name()])
	n := 0
	h.fs.VisitAll(func(*flag.Flag) { n++ })
	if n > 0 {
		fmt.Fprint(out, "\nflags:\n")
		h.fs.SetOutput(out)
		h.fs.PrintDefaults()
		h.fs.SetOutput(io.Discard)
	}
	return nil
}

// paimonRelease is the Apache Paimon release whose bytes floe writes
// (snapshot/doc.go, manifest/doc.go).
const paimonRelease = "1.4.2"

func cmdVersion(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("version", pos, 0, 0, ""); err != nil {
		return err
	}
	version, rev, modified := "(unknown)", "", false
	if bi, ok := debug.ReadBuildInfo(); ok {
		version = bi.Main.Version
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	fmt.Fprintf(out, "floe %s", version)
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		fmt.Fprintf(out, " (commit %s", rev)
		if modified {
			fmt.Fprint(out, ", modified")
		}
		fmt.Fprint(out, ")")
	}
	fmt.Fprintf(out, ", %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(out, "writes Apache Paimon %s tables: snapshot version %d, schema version %d, parquet data files\n",
		paimonRelease, snapshot.CurrentVersion, schema.CurrentVersion)
	return nil
}
