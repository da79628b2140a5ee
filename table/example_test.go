package table_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/catalog"
	"github.com/floelake/floe/predicate"
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
