package datafile_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/internal/binrow"
	"github.com/floelake/floe/internal/datafile"
	"github.com/floelake/floe/schema"
	"github.com/floelake/floe/storage"
)

// writeCastFile writes rows of fields (values in binrow's Go form) to one
// Parquet file and returns its path.
func writeCastFile(t *testing.T, st *storage.Store, mem memory.Allocator, fields []schema.Field, rows [][]any) string {
	t.Helper()
	ctx := context.Background()
	w, err := datafile.NewWriter(datafile.WriterOptions{Store: st, Dir: "bucket-0", Format: "parquet",
		TargetFileSize: 1 << 30, Fields: fields, Alloc: mem})
	if err != nil {
		t.Fatal(err)
	}
	sc, err := schema.ArrowSchema(fields)
	if err != nil {
		t.Fatal(err)
	}
	b := array.NewRecordBuilder(mem, sc)
	defer b.Release()
	for _, r := range rows {
		for j, v := range r {
			if err := binrow.AppendArrow(b.Field(j), fields[j].Type, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	if err := w.Write(ctx, rec); err != nil {
		t.Fatal(err)
	}
	metas, err := w.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return "bucket-0/" + metas[0].FileName
}

// TestReadCastColumns reads a file whose columns changed type since it was
// written: each is converted with Paimon's casts, inside ROW and ARRAY
// values too.
func TestReadCastColumns(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	st := memStore(t)
	old, _ := schema.AssignFieldIDs([]schema.Field{
		{Name: "s", Type: schema.NewString()},
		{Name: "d", Type: schema.NewDouble()},
		{Name: "f", Type: schema.NewFloat()},
		{Name: "ts", Type: schema.NewTimestamp(3)},
		{Name: "big", Type: schema.NewBigInt()},
		{Name: "r", Type: schema.NewRow(schema.Field{Name: "x", Type: schema.NewInt()}, schema.Field{Name: "y", Type: schema.NewString()})},
		{Name: "arr", Type: schema.NewArray(schema.NewFloat())},
		{Name: "dec", Type: schema.NewDecimal(10, 2)},
	}, 0)
	path := writeCastFile(t, st, mem, old, [][]any{
		{"1.5", 2.0, float32(1.1), binrow.Timestamp{Millis: 1705314030000}, int64(1) << 32, []any{int32(7), "a"}, []any{float32(1.1)}, binrow.NewDecimal(12345, 10, 2)},
		{"-42", 1e20, float32(0.1), binrow.Timestamp{Millis: 1705314030123}, int64(-1), []any{nil, "b"}, []any{}, binrow.NewDecimal(-5, 10, 2)},
		{nil, nil, nil, nil, nil, nil, nil, nil},
	})
	read := make([]schema.Field, len(old))
	copy(read, old)
	read[0].Type = schema.NewInt()
	read[1].Type = schema.NewString()
	read[2].Type = schema.NewDouble()
	read[3].Type = schema.NewString()
	read[4].Type = schema.NewInt()
	read[5].Type = schema.NewRow(schema.Field{ID: old[5].Type.Fields[0].ID, Name: "x", Type: schema.NewBigInt()},
		schema.Field{ID: old[5].Type.Fields[1].ID, Name: "y", Type: schema.NewVarChar(1)})
	read[6].Type = schema.NewArray(schema.NewDouble())
	read[7].Type = schema.NewDecimal(4, 1)
	rr, err := datafile.Open(context.Background(), datafile.ReadOptions{Store: st, Path: path, FileFields: old, ReadFields: read, Alloc: mem})
	if err != nil {
		t.Fatal(err)
	}
	defer rr.Release()
	var got []string
	for rr.Next() {
		rec := rr.RecordBatch()
		for i := 0; i < int(rec.NumRows()); i++ {
			var cells []string
			for c := 0; c < int(rec.NumCols()); c++ {
				cells = append(cells, rec.Column(c).ValueStr(i))
			}
			got = append(got, strings.Join(cells, " | "))
		}
	}
	if err := rr.Err(); err != nil {
		t.Fatal(err)
	}
	want := []string{
		`1 | 2.0 | 1.100000023841858 | 2024-01-15 10:20:30.000 | 0 | {"x":7,"y":"a"} | [1.100000023841858] | 123.5`,
		`-42 | 1.0E20 | 0.10000000149011612 | 2024-01-15 10:20:30.123 | -1 | {"x":null,"y":"b"} | [] | -0.1`,
		`(null) | (null) | (null) | (null) | (null) | (null) | (null) | (null)`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestReadCastError reads a value Java's cast rejects: the error names the
// column, the file, the value and its row.
func TestReadCastError(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	st := memStore(t)
	old, _ := schema.AssignFieldIDs([]schema.Field{{Name: "s", Type: schema.NewString()}}, 0)
	path := writeCastFile(t, st, mem, old, [][]any{{"1"}, {"2"}, {"3"}, {"abc"}})
	read := []schema.Field{{ID: old[0].ID, Name: "n", Type: schema.NewInt()}}
	rr, err := datafile.Open(context.Background(), datafile.ReadOptions{Store: st, Path: path, FileFields: old,
		ReadFields: read, BatchSize: 2, Alloc: mem})
	if err != nil {
		t.Fatal(err)
	}
	defer rr.Release()
	rows := 0
	for rr.Next() {
		rows += int(rr.RecordBatch().NumRows())
	}
	err = rr.Err()
	var ce *schema.CastError
	if !errors.Is(err, schema.ErrCast) || !errors.As(err, &ce) {
		t.Fatalf("err = %v", err)
	}
	if rows != 2 || ce.Column != "n" || ce.File != path || ce.Row != 3 || ce.Value != "abc" ||
		ce.From.String() != "STRING" || ce.To.String() != "INT" {
		t.Errorf("rows %d, error %+v", rows, ce)
	}
	if msg := err.Error(); !strings.Contains(msg, path) || !strings.Contains(msg, `"abc"`) {
		t.Errorf("message %q", msg)
	}
}
