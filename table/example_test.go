package table_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/catalog"
	"github.com/floelake/floe/predicate"
	"github.com/floelake/floe/snapshot"
	"github.com/floelake/floe/table"
)

// Create a primary-key table, write and upsert rows in two commits, and
// read it back with a filter, then as it was after the first commit.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "floe-example")
	defer os.RemoveAll(dir)

	cat, err := catalog.Open(ctx, dir, catalog.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer cat.Close()
	if err := cat.CreateDatabase(ctx, "shop", true); err != nil {
		log.Fatal(err)
	}
	t, err := table.Create(ctx, cat, catalog.Identifier{Database: "shop", Table: "orders"}, table.Spec{
		Columns: []table.Column{
			{Name: "id", Type: "BIGINT"},
			{Name: "customer", Type: "STRING"},
			{Name: "amount", Type: "DOUBLE"},
		},
		PrimaryKeys: []string{"id"},
		Options:     []table.Option{{Key: "bucket", Value: "2"}},
	}, table.CreateOptions{})
	if err != nil {
		log.Fatal(err)
	}
	defer t.Close()

	write := func(ids []int64, customers []string, amounts []float64, kinds []string) {
		sch := arrow.NewSchema([]arrow.Field{
			{Name: "id", Type: arrow.PrimitiveTypes.Int64},
			{Name: "customer", Type: arrow.BinaryTypes.String, Nullable: true},
			{Name: "amount", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
			{Name: table.RowKindColumn, Type: arrow.BinaryTypes.String},
		}, nil)
		b := array.NewRecordBuilder(memory.DefaultAllocator, sch)
		defer b.Release()
		b.Field(0).(*array.Int64Builder).AppendValues(ids, nil)
		b.Field(1).(*array.StringBuilder).AppendValues(customers, nil)
		b.Field(2).(*array.Float64Builder).AppendValues(amounts, nil)
		b.Field(3).(*array.StringBuilder).AppendValues(kinds, nil)
		rec := b.NewRecordBatch()
		defer rec.Release()

		w, err := t.NewWriter(ctx, table.WriterOptions{})
		if err != nil {
			log.Fatal(err)
		}
		defer w.Close()
		if err := w.Write(ctx, rec); err != nil {
			log.Fatal(err)
		}
		msgs, err := w.Prepare(ctx)
		if err != nil {
			log.Fatal(err)
		}
		res, err := t.Commit(ctx, msgs, table.CommitOptions{})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("committed snapshot", res.Snapshots[0].ID)
	}
	write([]int64{1, 2, 3}, []string{"ada", "bob", "cy"}, []float64{50, 120, 300}, []string{"+I", "+I", "+I"})
	write([]int64{2, 3}, []string{"bob", "cy"}, []float64{80, 0}, []string{"+U", "-D"})

	show := func(o table.ScanOptions) {
		rr, err := t.ReadAll(ctx, o, table.ReadOptions{})
		if err != nil {
			log.Fatal(err)
		}
		defer rr.Release()
		var rows []string
		for rr.Next() {
			rec := rr.RecordBatch()
			for i := range int(rec.NumRows()) {
				var row []string
				for c := range int(rec.NumCols()) {
					row = append(row, rec.Column(c).ValueStr(i))
				}
				rows = append(rows, fmt.Sprint(row))
			}
		}
		if err := rr.Err(); err != nil {
			log.Fatal(err)
		}
		slices.Sort(rows)
		fmt.Println(rows)
	}
	filter, err := predicate.Parse("amount >= 60.0")
	if err != nil {
		log.Fatal(err)
	}
	show(table.ScanOptions{Filter: filter, Columns: []string{"id", "amount"}})
	show(table.ScanOptions{SnapshotID: 1})
	// Output:
	// committed snapshot 1
	// committed snapshot 2
	// [[2 80]]
	// [[1 ada 50] [2 bob 120] [3 cy 300]]
}

// The helpers below keep the other examples short: a warehouse with an
// orders table, a commit of rows, and a sorted print of a scan.

// newOrders creates the table shop.orders (id, customer, amount) in a
// fresh warehouse directory and returns the directory and the table.
func newOrders(ctx context.Context) (string, *catalog.Catalog, *table.Table) {
	dir, err := os.MkdirTemp("", "floe-example")
	if err != nil {
		log.Fatal(err)
	}
	cat, err := catalog.Open(ctx, dir, catalog.Options{})
	if err != nil {
		log.Fatal(err)
	}
	if err := cat.CreateDatabase(ctx, "shop", true); err != nil {
		log.Fatal(err)
	}
	t, err := table.Create(ctx, cat, catalog.Identifier{Database: "shop", Table: "orders"}, table.Spec{
		Columns: []table.Column{
			{Name: "id", Type: "BIGINT"},
			{Name: "customer", Type: "STRING"},
			{Name: "amount", Type: "DOUBLE"},
		},
		PrimaryKeys: []string{"id"},
	}, table.CreateOptions{})
	if err != nil {
		log.Fatal(err)
	}
	return dir, cat, t
}

// commitOrders writes one row per id (as inserts) and commits them; it
// returns the new snapshot.
func commitOrders(ctx context.Context, t *table.Table, ids []int64, customers []string, amounts []float64) *snapshot.Snapshot {
	sch := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "customer", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "amount", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, sch)
	defer b.Release()
	b.Field(0).(*array.Int64Builder).AppendValues(ids, nil)
	b.Field(1).(*array.StringBuilder).AppendValues(customers, nil)
	b.Field(2).(*array.Float64Builder).AppendValues(amounts, nil)
	rec := b.NewRecordBatch()
	defer rec.Release()

	w, err := t.NewWriter(ctx, table.WriterOptions{})
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()
	if err := w.Write(ctx, rec); err != nil {
		log.Fatal(err)
	}
	msgs, err := w.Prepare(ctx)
	if err != nil {
		log.Fatal(err)
	}
	res, err := t.Commit(ctx, msgs, table.CommitOptions{})
	if err != nil {
		log.Fatal(err)
	}
	return res.Snapshots[0]
}

// printRows prints the column names of rr, then its rows sorted, and
// releases it.
func printRows(rr array.RecordReader, err error) {
	if err != nil {
		log.Fatal(err)
	}
	defer rr.Release()
	var names []string
	for _, f := range rr.Schema().Fields() {
		names = append(names, f.Name)
	}
	var rows []string
	for rr.Next() {
		rec := rr.RecordBatch()
		for i := range int(rec.NumRows()) {
			var row []string
			for c := range int(rec.NumCols()) {
				row = append(row, rec.Column(c).ValueStr(i))
			}
			rows = append(rows, fmt.Sprint(row))
		}
	}
	if err := rr.Err(); err != nil {
		log.Fatal(err)
	}
	slices.Sort(rows)
	fmt.Println(names, rows)
}

// Open a table from the path or URL of its directory in one call.
func ExampleOpen() {
	ctx := context.Background()
	dir, cat, t := newOrders(ctx)
	defer os.RemoveAll(dir)
	defer cat.Close()
	commitOrders(ctx, t, []int64{1, 2}, []string{"ada", "bob"}, []float64{50, 120})
	t.Close()

	// A local path; URLs such as file:///…, s3://bucket/wh/shop.db/orders
	// or gs://… work the same way (see storage.Open).
	t, err := table.Open(ctx, filepath.Join(dir, "shop.db", "orders"))
	if err != nil {
		log.Fatal(err)
	}
	defer t.Close()
	fmt.Println("primary key:", t.Schema().PrimaryKeys)
	printRows(t.ReadAll(ctx, table.ScanOptions{}, table.ReadOptions{}))
	// Output:
	// primary key: [id]
	// [id customer amount] [[1 ada 50] [2 bob 120]]
}

// Read a table as it was: by snapshot id, by tag, or as of a time.
func ExampleTable_ReadAll_timeTravel() {
	ctx := context.Background()
	dir, cat, t := newOrders(ctx)
	defer os.RemoveAll(dir)
	defer cat.Close()
	defer t.Close()

	first := commitOrders(ctx, t, []int64{1, 2}, []string{"ada", "bob"}, []float64{50, 120})
	// Tag the first snapshot: a tag keeps it readable after expiry.
	if _, err := snapshot.CreateTag(ctx, t.Store(), "v1", first, snapshot.TagOptions{}); err != nil {
		log.Fatal(err)
	}
	commitOrders(ctx, t, []int64{2, 3}, []string{"bob", "cy"}, []float64{80, 300})

	read := func(o table.ScanOptions) { printRows(t.ReadAll(ctx, o, table.ReadOptions{})) }
	read(table.ScanOptions{})
	read(table.ScanOptions{SnapshotID: first.ID})
	read(table.ScanOptions{Tag: "v1"})
	read(table.ScanOptions{AsOf: time.UnixMilli(first.TimeMillis)})
	// Output:
	// [id customer amount] [[1 ada 50] [2 bob 80] [3 cy 300]]
	// [id customer amount] [[1 ada 50] [2 bob 120]]
	// [id customer amount] [[1 ada 50] [2 bob 120]]
	// [id customer amount] [[1 ada 50] [2 bob 120]]
}

// Add and rename columns, then read the new schema and an old snapshot.
// No data file is rewritten.
func ExampleAlter() {
	ctx := context.Background()
	dir, cat, t := newOrders(ctx)
	defer os.RemoveAll(dir)
	defer cat.Close()
	commitOrders(ctx, t, []int64{1, 2}, []string{"ada", "bob"}, []float64{50, 120})
	t.Close()

	id := catalog.Identifier{Database: "shop", Table: "orders"}
	s, err := table.Alter(ctx, cat, id,
		table.AddColumn("note", "STRING", "free text", table.After("customer")),
		table.RenameColumn("amount", "total"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("schema", s.ID)

	// An open table keeps its schema: open it again to see the change.
	t, err = table.OpenIn(ctx, cat, id)
	if err != nil {
		log.Fatal(err)
	}
	defer t.Close()
	printRows(t.ReadAll(ctx, table.ScanOptions{}, table.ReadOptions{}))
	printRows(t.ReadAll(ctx, table.ScanOptions{SnapshotID: 1}, table.ReadOptions{}))
	// Output:
	// schema 1
	// [id customer note total] [[1 ada (null) 50] [2 bob (null) 120]]
	// [id customer amount] [[1 ada 50] [2 bob 120]]
}

// Plan a scan into splits, ship one to another process as bytes, and read
// it there.
func ExampleTable_NewScan() {
	ctx := context.Background()
	dir, cat, t := newOrders(ctx)
	defer os.RemoveAll(dir)
	defer cat.Close()
	defer t.Close()
	commitOrders(ctx, t, []int64{1, 2, 3}, []string{"ada", "bob", "cy"}, []float64{50, 120, 300})

	filter, err := predicate.Parse("amount > 100")
	if err != nil {
		log.Fatal(err)
	}
	plan, err := t.NewScan(ctx, table.ScanOptions{Filter: filter, Columns: []string{"id", "amount"}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("snapshot", plan.Snapshot.ID, "splits", len(plan.Splits))
	for _, sp := range plan.Splits {
		b, err := sp.MarshalBinary() // send b to a worker
		if err != nil {
			log.Fatal(err)
		}
		var got table.Split // the worker, with its own open Table
		if err := got.UnmarshalBinary(b); err != nil {
			log.Fatal(err)
		}
		printRows(t.Read(ctx, &got, table.ReadOptions{}))
	}
	// Output:
	// snapshot 1 splits 1
	// [id amount] [[2 120] [3 300]]
}

// Follow a table: read its latest snapshot in full, then each new
// commit's changes as it lands, with row kinds; the stream ends here
// after snapshot 2 (Until), where a service would keep following.
func ExampleTable_NewStream() {
	ctx := context.Background()
	dir, cat, t := newOrders(ctx)
	defer os.RemoveAll(dir)
	defer cat.Close()
	defer t.Close()
	commitOrders(ctx, t, []int64{1, 2}, []string{"ada", "bob"}, []float64{50, 120})

	s, err := t.NewStream(ctx, table.StreamOptions{Until: 2, Columns: []string{"id", "amount"}})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	committed := make(chan struct{})
	go func() { // another writer, meanwhile
		defer close(committed)
		commitOrders(ctx, t, []int64{2, 3}, []string{"bob", "cy"}, []float64{125, 300})
	}()
	defer func() { <-committed }()
	for {
		b, err := s.Next(ctx) // waits for snapshot 2
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		for i := range int(b.Record.NumRows()) {
			fmt.Println("snapshot", b.SnapshotID, b.Record.Column(0).ValueStr(i), b.Record.Column(1).ValueStr(i), b.Record.Column(2).ValueStr(i))
		}
	}
	// Output:
	// snapshot 1 +I 1 50
	// snapshot 1 +I 2 120
	// snapshot 2 +I 2 125
	// snapshot 2 +I 3 300
}
