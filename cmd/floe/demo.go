package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// The demo's input files: deterministic orders, an upsert batch in CSV and
// a batch of deletes.
const (
	demoOrders1 = `{"id": 1, "customer": "alice", "amount": "25.00", "ts": "2024-01-01 09:00:00", "category": "books"}
{"id": 2, "customer": "bob", "amount": "120.50", "ts": "2024-01-01 09:05:00", "category": "games"}
{"id": 3, "customer": "carol", "amount": "8.99", "ts": "2024-01-01 09:10:00", "category": "books"}
{"id": 4, "customer": "dave", "amount": "310.00", "ts": "2024-01-01 09:15:00", "category": "garden"}
{"id": 5, "customer": "erin", "amount": "42.00", "ts": "2024-01-01 09:20:00", "category": "games"}
{"id": 6, "customer": "frank", "amount": "199.99", "ts": "2024-01-01 09:25:00.250", "category": "books"}
`
	demoOrders2 = `id,customer,amount,ts,category
2,bob,99.50,2024-01-02 10:00:00,games
5,erin,142.00,2024-01-02 10:05:00,games
7,grace,15.25,2024-01-02 10:10:00,books
8,heidi,250.00,2024-01-02 10:15:00,garden
`
	demoOrders3 = `{"_ROW_KIND": "-D", "id": 3}
{"_ROW_KIND": "-D", "id": 7}
`
)

func cmdDemo(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	warehouse := fs.String("warehouse", "", "warehouse directory (default: a fresh temporary directory)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := wantArgs("demo", pos, 0, 0, "[--warehouse DIR]"); err != nil {
		return err
	}
	wh := *warehouse
	if wh == "" {
		if wh, err = os.MkdirTemp("", "floe-demo-"); err != nil {
			return err
		}
	}
	inputs, err := os.MkdirTemp("", "floe-demo-input-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(inputs)
	files := map[string]string{"orders-1.jsonl": demoOrders1, "orders-2.csv": demoOrders2, "orders-3.jsonl": demoOrders3}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(inputs, name), []byte(body), 0o644); err != nil {
			return err
		}
	}
	tbl := filepath.Join(wh, "shop.db", "orders")
	fmt.Fprintf(out, "floe demo: a primary-key table in the warehouse %s\n", wh)

	step := 0
	say := func(title string) {
		step++
		fmt.Fprintf(out, "\n== %d. %s\n", step, title)
		flushOut(out)
	}
	do := func(args ...string) error {
		shown := make([]string, len(args))
		for i, a := range args {
			a = strings.ReplaceAll(a, inputs+string(filepath.Separator), "")
			switch {
			case !strings.ContainsAny(a, " '*()<>;&|\"$`\\"):
			case !strings.ContainsAny(a, "'"):
				a = "'" + a + "'"
			case !strings.ContainsAny(a, "\"$`\\!"):
				a = `"` + a + `"`
			default:
				a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
			}
			shown[i] = a
		}
		fmt.Fprintf(out, "$ floe %s\n", strings.Join(shown, " "))
		if err := run(ctx, args, out); err != nil {
			return fmt.Errorf("floe %s: %w", args[0], err)
		}
		return nil
	}
	showFile := func(name string) {
		fmt.Fprintf(out, "%s:\n", name)
		for _, l := range strings.SplitAfter(strings.TrimSuffix(files[name], "\n"), "\n") {
			fmt.Fprintf(out, "    %s", l)
		}
		fmt.Fprintln(out)
	}
	in := func(name string) string { return filepath.Join(inputs, name) }

	say("Create the table: primary key id, 2 buckets")
	if err := do("create", tbl,
		"--column", "id BIGINT", "--column", "customer STRING", "--column", "amount DECIMAL(10, 2)",
		"--column", "ts TIMESTAMP(3)", "--column", "category STRING",
		"--primary-key", "id", "--option", "bucket=2", "--comment", "floe demo orders"); err != nil {
		return err
	}

	say("Commit 1: six orders from JSON lines")
	showFile("orders-1.jsonl")
	if err := do("write", tbl, in("orders-1.jsonl")); err != nil {
		return err
	}
	if err := do("scan", tbl); err != nil {
		return err
	}

	say("Commit 2: upsert orders 2 and 5, insert 7 and 8 (CSV)")
	showFile("orders-2.csv")
	if err := do("write", tbl, in("orders-2.csv")); err != nil {
		return err
	}

	say("Commit 3: delete orders 3 and 7 (row kind -D)")
	showFile("orders-3.jsonl")
	if err := do("write", tbl, in("orders-3.jsonl")); err != nil {
		return err
	}

	say("The latest snapshot: updates applied, deleted orders gone")
	if err := do("scan", tbl); err != nil {
		return err
	}
	if err := do("snapshots", tbl); err != nil {
		return err
	}

	say("Time travel to snapshot 1 (before the upserts) and 2 (before the deletes)")
	if err := do("scan", tbl, "--snapshot", "1"); err != nil {
		return err
	}
	if err := do("scan", tbl, "--snapshot", "2"); err != nil {
		return err
	}

	say("A filtered scan with a projection, as JSON lines")
	if err := do("scan", tbl, "--where", "amount >= 100 AND category <> 'games'", "--select", "id,customer,amount", "--format", "jsonl"); err != nil {
		return err
	}

	say("The data files of the latest snapshot")
	if err := do("files", tbl); err != nil {
		return err
	}

	say("Full compaction: each bucket becomes one sorted run at the top level, deletes dropped")
	if err := do("compact", tbl, "--full"); err != nil {
		return err
	}
	if err := do("files", tbl); err != nil {
		return err
	}
	fmt.Fprintf(out, "\nThe table stays at %s; try: floe scan %s --format csv\n", tbl, tbl)
	return nil
}
