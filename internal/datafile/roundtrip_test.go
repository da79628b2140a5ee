package datafile_test

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"os"
	"reflect"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/internal/binrow"
	"github.com/floelake/floe/internal/datafile"
	"github.com/floelake/floe/internal/fixtures"
	"github.com/floelake/floe/internal/kv"
	"github.com/floelake/floe/schema"
)

func allTypeFields() []schema.Field {
	fs := []schema.Field{
		{Name: "id", Type: schema.NewInt().WithNotNull(true)},
		{Name: "b", Type: schema.NewBoolean()},
		{Name: "ti", Type: schema.NewTinyInt()},
		{Name: "si", Type: schema.NewSmallInt()},
		{Name: "bi", Type: schema.NewBigInt()},
		{Name: "f", Type: schema.NewFloat()},
		{Name: "d", Type: schema.NewDouble()},
		{Name: "d5", Type: schema.NewDecimal(5, 2)},
		{Name: "d15", Type: schema.NewDecimal(15, 3)},
		{Name: "d30", Type: schema.NewDecimal(30, 4)},
		{Name: "c", Type: schema.NewChar(3)},
		{Name: "s", Type: schema.NewString()},
		{Name: "bin", Type: schema.NewBinary(4)},
		{Name: "vb", Type: schema.NewBytes()},
		{Name: "dt", Type: schema.NewDate()},
		{Name: "tm", Type: schema.NewTime(3)},
		{Name: "ts0", Type: schema.NewTimestamp(0)},
		{Name: "ts3", Type: schema.NewTimestamp(3)},
		{Name: "ts6", Type: schema.NewTimestamp(6)},
		{Name: "ts9", Type: schema.NewTimestamp(9)},
		{Name: "ltz3", Type: schema.NewTimestampLTZ(3)},
		{Name: "ltz9", Type: schema.NewTimestampLTZ(9)},
		{Name: "arr", Type: schema.NewArray(schema.NewInt())},
		{Name: "m", Type: schema.NewMap(schema.NewString().WithNotNull(true), schema.NewDouble())},
		{Name: "r", Type: schema.NewRow(schema.Field{Name: "x", Type: schema.NewInt()}, schema.Field{Name: "y", Type: schema.NewString()})},
	}
	out, _ := schema.AssignFieldIDs(fs, 0)
	return out
}

func rowValues(i int) []any {
	if i%5 == 4 { // nulls everywhere but the key
		v := make([]any, len(allTypeFields()))
		v[0] = int32(i)
		return v
	}
	ns := int64(i-3)*86_400_000_000_123 + 456_789
	return []any{
		int32(i), i%2 == 0, int8(i), int16(-i), int64(i) << 40, float32(i) / 3, float64(-i) / 7,
		binrow.NewDecimal(int64(i*101), 5, 2), binrow.NewDecimal(int64(i)*1_000_000_007, 15, 3),
		binrow.NewDecimalBig(new(big.Int).Mul(big.NewInt(int64(i)-2), big.NewInt(1e18)), 30, 4),
		"abc", fmt.Sprintf("str-%d-é", i), []byte{1, 2, 3, byte(i)}, []byte(fmt.Sprint(i)),
		int32(i*100 - 200), int32(i * 1000),
		binrow.Timestamp{Millis: int64(i-2) * 1000}, binrow.Timestamp{Millis: int64(i-2)*1000 + 7},
		binrow.TimestampFromArrow(int64(i-2)*1_000_000+123456, arrow.Microsecond), binrow.TimestampFromNanos(ns),
		binrow.Timestamp{Millis: int64(i) * 99}, binrow.TimestampFromNanos(-ns),
		[]any{int32(i), nil, int32(2)}, binrow.Map{Keys: []any{"k"}, Values: []any{float64(i)}},
		[]any{int32(i), "y"},
	}
}

func buildRecord(t *testing.T, mem memory.Allocator, fields []schema.Field, kvLayout bool, rows int) arrow.RecordBatch {
	t.Helper()
	var afs []arrow.Field
	if kvLayout {
		afs = kv.SystemFields()
	}
	for _, f := range fields {
		at, err := schema.ToArrow(f.Type)
		if err != nil {
			t.Fatal(err)
		}
		afs = append(afs, arrow.Field{Name: f.Name, Type: at, Nullable: !f.Type.NotNull})
	}
	sc := arrow.NewSchema(afs, nil)
	b := array.NewRecordBuilder(mem, sc)
	defer b.Release()
	for i := 0; i < rows; i++ {
		off := 0
		if kvLayout {
			b.Field(0).(*array.Int64Builder).Append(int64(100 + i))
			b.Field(1).(*array.Int8Builder).Append(int8(i % 4))
			off = 2
		}
		for j, v := range rowValues(i) {
			if err := binrow.AppendArrow(b.Field(off+j), fields[j].Type, v); err != nil {
				t.Fatalf("row %d field %s: %v", i, fields[j].Name, err)
			}
		}
	}
	return b.NewRecordBatch()
}

func readAll(t *testing.T, o datafile.ReadOptions) [][]any {
	t.Helper()
	rr, err := datafile.Open(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	defer rr.Release()
	var out [][]any
	for rr.Next() {
		rec := rr.RecordBatch()
		for i, f := range rr.Schema().Fields() {
			if !arrowTypeEqual(rec.Column(i).DataType(), f.Type) {
				t.Errorf("column %s: %s, want %s", f.Name, rec.Column(i).DataType(), f.Type)
			}
		}
		off := 0
		if o.KV {
			off = 2
		}
		for r := 0; r < int(rec.NumRows()); r++ {
			row := make([]any, 0, rec.NumCols())
			if o.KV {
				row = append(row, rec.Column(0).(*array.Int64).Value(r), rec.Column(1).(*array.Int8).Value(r))
			}
			for j, f := range o.ReadFields {
				v, err := binrow.ArrowValue(f.Type, rec.Column(off+j), r)
				if err != nil {
					t.Fatal(err)
				}
				row = append(row, v)
			}
			out = append(out, row)
		}
	}
	if err := rr.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRoundTrip(t *testing.T) {
	for _, pk := range []bool{false, true} {
		t.Run(fmt.Sprint("pk=", pk), func(t *testing.T) {
			ctx := context.Background()
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			fields := allTypeFields()
			var keys []schema.Field
			if pk {
				keys = fields[:1]
			}
			st := memStore(t)
			w, err := datafile.NewWriter(datafile.WriterOptions{
				Store: st, Dir: "bucket-0", Format: "parquet", Compression: "zstd",
				TargetFileSize: 1 << 30, Fields: fields, KeyFields: keys, StatsDenseStore: true,
				FirstSequence: 7, Alloc: mem,
			})
			if err != nil {
				t.Fatal(err)
			}
			const rows = 20
			rec := buildRecord(t, mem, fields, pk, rows)
			if err := w.Write(ctx, rec); err != nil {
				t.Fatal(err)
			}
			rec.Release()
			metas, err := w.Close(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(metas) != 1 || metas[0].RowCount != rows {
				t.Fatalf("metas %+v", metas)
			}
			m := metas[0]
			size, err := st.Size(ctx, "bucket-0/"+m.FileName)
			if err != nil || size != m.FileSize {
				t.Fatalf("size %d, meta %d, %v", size, m.FileSize, err)
			}
			if pk {
				if m.MinSequenceNumber != 100 || m.MaxSequenceNumber != 100+rows-1 || *m.DeleteRowCount != 10 {
					t.Errorf("seq %d..%d deletes %d", m.MinSequenceNumber, m.MaxSequenceNumber, *m.DeleteRowCount)
				}
			} else if m.MinSequenceNumber != 7 || m.MaxSequenceNumber != 7+rows-1 || w.NextSequence() != 7+rows {
				t.Errorf("seq %d..%d", m.MinSequenceNumber, m.MaxSequenceNumber)
			}
			got := readAll(t, datafile.ReadOptions{Store: st, Path: "bucket-0/" + m.FileName, Size: m.FileSize,
				FileFields: fields, ReadFields: fields, KV: pk, BatchSize: 7, Alloc: mem})
			if len(got) != rows {
				t.Fatalf("read %d rows", len(got))
			}
			for i, row := range got {
				want := rowValues(i)
				if pk {
					want = append([]any{int64(100 + i), int8(i % 4)}, want...)
				}
				for j := range want {
					if !valueEqual(want[j], row[j]) {
						t.Errorf("row %d col %d: got %#v want %#v", i, j, row[j], want[j])
					}
				}
			}
			// Deletes and projection with a missing and a renamed field.
			proj := []schema.Field{fields[11], {ID: 99, Name: "new", Type: schema.NewInt()}}
			proj[0].Name = "renamed"
			got = readAll(t, datafile.ReadOptions{Store: st, Path: "bucket-0/" + m.FileName,
				FileFields: fields, ReadFields: proj, Deletes: evens{}, Alloc: mem})
			if len(got) != rows/2 {
				t.Fatalf("with deletes: %d rows", len(got))
			}
			for k, row := range got {
				i := 2*k + 1
				if !valueEqual(row[0], rowValues(i)[11]) || row[1] != nil {
					t.Errorf("row %d: %v", i, row)
				}
			}
		})
	}
}

type evens struct{}

func (evens) Contains(p uint32) bool { return p%2 == 0 }

func valueEqual(a, b any) bool {
	if da, ok := a.(binrow.Decimal); ok {
		db, ok := b.(binrow.Decimal)
		return ok && da.Cmp(db) == 0
	}
	return reflect.DeepEqual(a, b)
}

func TestRolling(t *testing.T) {
	ctx := context.Background()
	fields := allTypeFields()[:7]
	st := memStore(t)
	w, err := datafile.NewWriter(datafile.WriterOptions{Store: st, Dir: "b", Format: "parquet",
		TargetFileSize: 64 << 10, Fields: fields, Compression: "none"})
	if err != nil {
		t.Fatal(err)
	}
	for k := 0; k < 20; k++ {
		rec := buildRecordN(t, fields, 5000)
		if err := w.Write(ctx, rec); err != nil {
			t.Fatal(err)
		}
		rec.Release()
	}
	metas, err := w.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(metas) < 2 {
		t.Fatalf("%d files", len(metas))
	}
	var total, next int64
	for i, m := range metas {
		if m.MinSequenceNumber != next {
			t.Errorf("file %d starts at %d, want %d", i, m.MinSequenceNumber, next)
		}
		next = m.MaxSequenceNumber + 1
		total += m.RowCount
		if want := fmt.Sprintf("-%d.parquet", i); m.FileName[len(m.FileName)-len(want):] != want {
			t.Errorf("name %s", m.FileName)
		}
	}
	if total != 100000 {
		t.Errorf("total %d", total)
	}
	// Large files are read with ranged requests (Seek/ReadAt over the
	// store); force that path and read every file back.
	restore := datafile.SetWholeFileLimit(1 << 10)
	defer restore()
	for _, m := range metas {
		rr, err := datafile.Open(ctx, datafile.ReadOptions{Store: st, Path: "b/" + m.FileName, Size: m.FileSize,
			FileFields: fields, ReadFields: fields})
		if err != nil {
			t.Fatal(err)
		}
		var n int64
		for rr.Next() {
			n += rr.RecordBatch().NumRows()
		}
		if err := rr.Err(); err != nil {
			t.Fatal(err)
		}
		rr.Release()
		if n != m.RowCount {
			t.Errorf("%s: read %d rows, want %d", m.FileName, n, m.RowCount)
		}
	}
	// Abort removes everything.
	if err := w.Abort(ctx); err != nil {
		t.Fatal(err)
	}
}

func buildRecordN(t *testing.T, fields []schema.Field, n int) arrow.RecordBatch {
	mem := memory.DefaultAllocator
	var afs []arrow.Field
	for _, f := range fields {
		at, _ := schema.ToArrow(f.Type)
		afs = append(afs, arrow.Field{Name: f.Name, Type: at, Nullable: true})
	}
	b := array.NewRecordBuilder(mem, arrow.NewSchema(afs, nil))
	defer b.Release()
	for i := 0; i < n; i++ {
		for j, v := range rowValues(i)[:len(fields)] {
			if err := binrow.AppendArrow(b.Field(j), fields[j].Type, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	return b.NewRecordBatch()
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	st := memStore(t)
	if err := st.Write(ctx, "x.orc", []byte("ORC")); err != nil {
		t.Fatal(err)
	}
	if _, err := datafile.Open(ctx, datafile.ReadOptions{Store: st, Path: "x.orc"}); !errors.Is(err, datafile.ErrUnsupportedFormat) {
		t.Errorf("orc: %v", err)
	}
	if _, err := datafile.NewWriter(datafile.WriterOptions{Store: st, Format: "orc"}); !errors.Is(err, datafile.ErrUnsupportedFormat) {
		t.Errorf("orc writer: %v", err)
	}
	// A file whose size differs from the manifest's is not read.
	if err := st.Write(ctx, "x.parquet", []byte("PAR1....PAR1")); err != nil {
		t.Fatal(err)
	}
	if _, err := datafile.Open(ctx, datafile.ReadOptions{Store: st, Path: "x.parquet", Size: 13}); !errors.Is(err, datafile.ErrSize) {
		t.Errorf("size: %v", err)
	}
}

// TestFuzzOpen feeds mutated fixture bytes to Open: every failure must be
// ErrCorrupt (or a schema error), never a panic.
func TestFuzzOpen(t *testing.T) {
	seed, err := os.ReadFile(fixtures.Path(t, "paimon-cpp", "tables", "parquet", "append_complex_data.db", "append_complex_data",
		"f1=10", "bucket-0", "data-35f2719c-ffae-4697-960e-af95a0b4bd51-0.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	fuzzOne(t, seed)
	for i := 0; i < 300; i++ {
		b := append([]byte(nil), seed...)
		p := (i*7919 + 13) % len(b)
		b[p] ^= byte(i*31 + 1)
		if i%3 == 0 {
			b = b[:len(b)-(i%len(b))]
		}
		fuzzOne(t, b)
	}
}

func FuzzOpen(f *testing.F) {
	f.Add([]byte("PAR1\x00\x00\x00\x00PAR1"))
	f.Fuzz(func(t *testing.T, b []byte) { fuzzOne(t, b) })
}

func fuzzOne(t *testing.T, b []byte) {
	ctx := context.Background()
	st := memStore(t)
	if err := st.Write(ctx, "f.parquet", b); err != nil {
		t.Fatal(err)
	}
	fields := []schema.Field{{ID: 0, Name: "f1", Type: schema.NewInt()}, {ID: 5, Name: "f6", Type: schema.NewBytes()}}
	rr, err := datafile.Open(ctx, datafile.ReadOptions{Store: st, Path: "f.parquet", ReadFields: fields, FileFields: fields})
	if err != nil {
		if !errors.Is(err, datafile.ErrCorrupt) && !errors.Is(err, datafile.ErrSchema) {
			t.Fatalf("error not ErrCorrupt: %v", err)
		}
		return
	}
	for rr.Next() {
	}
	if err := rr.Err(); err != nil && !errors.Is(err, datafile.ErrCorrupt) && !errors.Is(err, datafile.ErrSchema) {
		t.Fatalf("error not ErrCorrupt: %v", err)
	}
	rr.Release()
}

// TestOpenParallelColumns reads a file with its columns decoded one after
// another and on several goroutines: the records are the same.
func TestOpenParallelColumns(t *testing.T) {
	ctx := context.Background()
	b, err := os.ReadFile(fixtures.Path(t, "paimon-cpp", "tables", "parquet", "append_complex_data.db", "append_complex_data",
		"f1=10", "bucket-0", "data-35f2719c-ffae-4697-960e-af95a0b4bd51-0.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	st := memStore(t)
	if err := st.Write(ctx, "f.parquet", b); err != nil {
		t.Fatal(err)
	}
	read := func(parallel, batch int) []arrow.RecordBatch {
		rr, err := datafile.Open(ctx, datafile.ReadOptions{Store: st, Path: "f.parquet", Parallel: parallel, BatchSize: batch,
			ReadFields: []schema.Field{{ID: 0, Name: "f1", Type: schema.NewInt()}, {ID: 5, Name: "f6", Type: schema.NewBytes()},
				{ID: 99, Name: "missing", Type: schema.NewInt()}}})
		if err != nil {
			t.Fatal(err)
		}
		defer rr.Release()
		var out []arrow.RecordBatch
		for rr.Next() {
			r := rr.RecordBatch()
			r.Retain()
			out = append(out, r)
		}
		if err := rr.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	for _, batch := range []int{1, 2, 4096} {
		one, many := read(1, batch), read(4, batch)
		if len(one) != len(many) || len(one) == 0 {
			t.Fatalf("batch %d: %d records serially, %d in parallel", batch, len(one), len(many))
		}
		for i := range one {
			if !array.RecordEqual(one[i], many[i]) {
				t.Fatalf("batch %d, record %d: %v != %v", batch, i, one[i], many[i])
			}
			one[i].Release()
			many[i].Release()
		}
	}
}
