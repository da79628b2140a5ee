package datafile

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/floelake/floe/schema"
	"github.com/floelake/floe/storage"
)

// parallelTestRecords returns records of every flat physical type the
// writer produces, with nulls in the optional columns, in varied lengths
// and with a sliced record (non-zero array offsets).
func parallelTestRecords(t *testing.T, mem memory.Allocator) (*arrow.Schema, []arrow.RecordBatch) {
	t.Helper()
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "k", Type: arrow.PrimitiveTypes.Int32},
		{Name: "seq", Type: arrow.PrimitiveTypes.Int64},
		{Name: "kind", Type: arrow.PrimitiveTypes.Int8},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "lowcard", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "b", Type: arrow.BinaryTypes.Binary, Nullable: true},
		{Name: "flag", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "i16", Type: arrow.PrimitiveTypes.Int16, Nullable: true},
		{Name: "f32", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
		{Name: "f64", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "d", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: "t", Type: arrow.FixedWidthTypes.Time32ms, Nullable: true},
		{Name: "ts3", Type: &arrow.TimestampType{Unit: arrow.Millisecond}, Nullable: true},
		{Name: "ts9", Type: &arrow.TimestampType{Unit: arrow.Nanosecond}, Nullable: true},
		{Name: "dec", Type: &arrow.Decimal128Type{Precision: 20, Scale: 2}, Nullable: true},
		{Name: "dec5", Type: &arrow.Decimal128Type{Precision: 5, Scale: 1}, Nullable: true},
		{Name: "allnull", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	var recs []arrow.RecordBatch
	row := 0
	for _, n := range []int{1, 5000, 70000, 3} {
		b := array.NewRecordBuilder(mem, sc)
		for range n {
			i := row
			row++
			null := i%7 == 3
			b.Field(0).(*array.Int32Builder).Append(int32(i))
			b.Field(1).(*array.Int64Builder).Append(int64(i * 3))
			b.Field(2).(*array.Int8Builder).Append(int8(i % 4))
			for c := 3; c < sc.NumFields(); c++ {
				fb := b.Field(c)
				if (null && c != 4) || c == sc.NumFields()-1 {
					fb.AppendNull()
					continue
				}
				switch c {
				case 3:
					fb.(*array.StringBuilder).Append(fmt.Sprintf("v%08x", uint32(i)*2654435761))
				case 4:
					fb.(*array.StringBuilder).Append([]string{"a", "bb", "ccc"}[i%3])
				case 5:
					fb.(*array.BinaryBuilder).Append([]byte{byte(i), byte(i >> 8), 0xff})
				case 6:
					fb.(*array.BooleanBuilder).Append(i%3 == 0)
				case 7:
					fb.(*array.Int16Builder).Append(int16(i))
				case 8:
					fb.(*array.Float32Builder).Append(float32(i) / 3)
				case 9:
					fb.(*array.Float64Builder).Append(float64(i) * 1.5)
				case 10:
					fb.(*array.Date32Builder).Append(arrow.Date32(i % 20000))
				case 11:
					fb.(*array.Time32Builder).Append(arrow.Time32(i % 86400000))
				case 12, 13:
					fb.(*array.TimestampBuilder).Append(arrow.Timestamp(1_700_000_000_000 + int64(i)))
				case 14, 15:
					fb.(*array.Decimal128Builder).Append(decimal128.FromI64(int64(i%9999 - 5000)))
				}
			}
		}
		recs = append(recs, b.NewRecordBatch())
		b.Release()
	}
	// A slice with a non-zero offset.
	recs = append(recs, recs[2].NewSlice(13, 40013))
	return sc, recs
}

// TestParallelWriterBytes checks that encoding columns in parallel writes
// the very bytes pqarrow's serial writer writes, row groups and all.
func TestParallelWriterBytes(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	sc, recs := parallelTestRecords(t, mem)
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	for _, dict := range []bool{true, false} {
		t.Run(fmt.Sprint("dict=", dict), func(t *testing.T) {
			props := parquet.NewWriterProperties(
				parquet.WithAllocator(mem),
				parquet.WithCompression(compress.Codecs.Zstd),
				parquet.WithCompressionLevel(1),
				parquet.WithStoreDecimalAsInteger(true),
				parquet.WithMaxRowGroupLength(1<<40),
				parquet.WithDataPageVersion(parquet.DataPageV1),
				parquet.WithDictionaryDefault(dict),
				parquet.WithStats(true),
			)
			aprops := pqarrow.NewArrowWriterProperties(pqarrow.WithAllocator(mem), pqarrow.WithDeprecatedInt96Timestamps(true))

			var want bytes.Buffer
			fw, err := pqarrow.NewFileWriter(sc, &want, props, aprops)
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range recs {
				if err := fw.WriteBuffered(r); err != nil {
					t.Fatal(err)
				}
				if i == 2 {
					fw.NewBufferedRowGroup()
				}
			}
			if err := fw.Close(); err != nil {
				t.Fatal(err)
			}

			var got bytes.Buffer
			pw, err := newPQWriter(sc, &got, props, aprops)
			if err != nil {
				t.Fatal(err)
			}
			if pw.serial != nil {
				t.Fatal("flat schema written serially")
			}
			for len(pw.workers) < 4 {
				pw.workers = append(pw.workers, &encoder{ctx: pqarrow.NewArrowWriteContext(context.Background(), &pw.aprops)})
			}
			seen := make([]int, sc.NumFields())
			for i, r := range recs {
				if err := pw.write(r, func(j int) { seen[j]++ }); err != nil {
					t.Fatal(err)
				}
				for j := range sc.NumFields() {
					cw, err := pw.rg.Column(j)
					if err != nil {
						t.Fatal(err)
					}
					if _, ok := cw.(pageFlusher); !ok {
						t.Fatalf("column writer %T cannot flush its page early", cw)
					}
				}
				if i == 2 {
					if err := pw.newRowGroup(); err != nil {
						t.Fatal(err)
					}
				}
			}
			if err := pw.close(); err != nil {
				t.Fatal(err)
			}
			for j, n := range seen {
				if n != len(recs) {
					t.Errorf("column %d done %d times, want %d", j, n, len(recs))
				}
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Fatalf("parallel writer wrote %d bytes differing from pqarrow's %d", got.Len(), want.Len())
			}
		})
	}
}

func TestWantDictionary(t *testing.T) {
	mem := memory.NewGoAllocator()
	str := func(n int, f func(i int) string, nullEvery int) arrow.Array {
		b := array.NewStringBuilder(mem)
		defer b.Release()
		for i := range n {
			if nullEvery > 0 && i%nullEvery == 0 {
				b.AppendNull()
				continue
			}
			b.Append(f(i))
		}
		return b.NewArray()
	}
	ints := func(n int, f func(i int) int64) arrow.Array {
		b := array.NewInt64Builder(mem)
		defer b.Release()
		for i := range n {
			b.Append(f(i))
		}
		return b.NewArray()
	}
	for _, c := range []struct {
		name string
		arr  arrow.Array
		want bool
	}{
		{"distinct strings", str(16384, func(i int) string { return fmt.Sprintf("%010x", uint64(i)*0x9e3779b97f4a7c15) }, 0), false},
		{"distinct strings with nulls", str(16384, func(i int) string { return fmt.Sprint(i) }, 3), false},
		{"categories", str(16384, func(i int) string { return []string{"a", "b", "c"}[i%3] }, 5), true},
		{"few rows", str(100, func(i int) string { return fmt.Sprint(i) }, 0), true},
		{"sorted keys", ints(16384, func(i int) int64 { return int64(i) }), false},
		{"repeated ints", ints(16384, func(i int) int64 { return int64(i / 10) }), true},
		{"sliced distinct", array.NewSlice(ints(16384, func(i int) int64 { return int64(i) }), 1000, 9000), false},
		{"sliced constant", array.NewSlice(ints(16384, func(i int) int64 { return int64(i / 8192) }), 100, 8000), true},
	} {
		if got := wantDictionary(c.arr); got != c.want {
			t.Errorf("%s: wantDictionary = %v, want %v", c.name, got, c.want)
		}
		c.arr.Release()
	}
}

// TestDictionaryPerColumn checks that a data file keeps dictionaries for
// repetitive columns only, and reads back whole.
func TestDictionaryPerColumn(t *testing.T) {
	fields := []schema.Field{
		{ID: 0, Name: "id", Type: schema.NewBigInt().WithNotNull(true)},
		{ID: 1, Name: "hash", Type: schema.NewString()},
		{ID: 2, Name: "category", Type: schema.NewString()},
	}
	const rows = 20000
	f := writeTestFile(t, fields, WriterOptions{}, rows, func(b *array.RecordBuilder, i int) {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		b.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("%016x", uint64(i)*0x9e3779b97f4a7c15))
		b.Field(2).(*array.StringBuilder).Append([]string{"books", "games", "toys"}[i%3])
	})
	ctx, st, mem, pr := context.Background(), f.st, f.mem, f.pr
	rg := pr.MetaData().RowGroup(0)
	for j, want := range []bool{false, false, true} {
		cc, err := rg.ColumnChunk(j)
		if err != nil {
			t.Fatal(err)
		}
		if got := cc.HasDictionaryPage(); got != want {
			t.Errorf("column %s: dictionary page %v, want %v", fields[j].Name, got, want)
		}
	}
	rr, err := Open(ctx, ReadOptions{Store: st, Path: f.path, FileFields: fields, ReadFields: fields, Alloc: mem})
	if err != nil {
		t.Fatal(err)
	}
	defer rr.Release()
	n := 0
	for rr.Next() {
		r := rr.RecordBatch()
		for i := range int(r.NumRows()) {
			k := n + i
			if r.Column(0).(*array.Int64).Value(i) != int64(k) ||
				r.Column(1).(*array.String).Value(i) != fmt.Sprintf("%016x", uint64(k)*0x9e3779b97f4a7c15) ||
				r.Column(2).(*array.String).Value(i) != []string{"books", "games", "toys"}[k%3] {
				t.Fatalf("row %d differs", k)
			}
		}
		n += int(r.NumRows())
	}
	if err := rr.Err(); err != nil {
		t.Fatal(err)
	}
	if n != rows {
		t.Fatalf("read %d rows, want %d", n, rows)
	}
}

// TestDataPagesUnderOneMiB checks that plain data pages are cut before
// they reach 1 MiB (dataPageSize), so that arrow-go's page buffers, which
// grow by powers of two, stay at 1 MiB, and that the file reads back.
func TestDataPagesUnderOneMiB(t *testing.T) {
	fields := []schema.Field{
		{ID: 0, Name: "id", Type: schema.NewBigInt().WithNotNull(true)},
		{ID: 1, Name: "hash", Type: schema.NewString()},
	}
	const rows = 600_000 // about 4.6 MiB of ids and 10 MiB of hashes
	pr := writeTestFile(t, fields, WriterOptions{Compression: "none"}, rows, func(b *array.RecordBuilder, i int) {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		b.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("%016x", uint64(i)*0x9e3779b97f4a7c15))
	}).pr
	if pr.NumRows() != rows {
		t.Fatalf("%d rows, want %d", pr.NumRows(), rows)
	}
	for g := range pr.NumRowGroups() {
		rg := pr.RowGroup(g)
		for j := range fields {
			pages, err := rg.GetColumnPageReader(j)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for pages.Next() {
				dp, ok := pages.Page().(file.DataPage)
				if !ok {
					continue
				}
				if sz := dp.UncompressedSize(); sz >= 1<<20 {
					t.Errorf("row group %d, column %s: page of %d bytes", g, fields[j].Name, sz)
				}
				n++
			}
			if err := pages.Err(); err != nil {
				t.Fatal(err)
			}
			if n < 2 {
				t.Errorf("row group %d, column %s: %d data pages", g, fields[j].Name, n)
			}
		}
	}
}

// testFile is a data file writeTestFile wrote and opened.
type testFile struct {
	st   *storage.Store
	mem  *memory.CheckedAllocator
	path string
	pr   *file.Reader
}

// writeTestFile writes rows rows, filled by fill, as one record to a data
// file in a mem:// store (opts gives the writer's other options), and
// opens it with arrow-go's Parquet reader. The allocator is checked for
// leaks when the test ends.
func writeTestFile(t *testing.T, fields []schema.Field, opts WriterOptions, rows int, fill func(b *array.RecordBuilder, i int)) testFile {
	t.Helper()
	ctx := context.Background()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	sc, err := schema.ArrowSchema(fields)
	if err != nil {
		t.Fatal(err)
	}
	st, err := storage.Open(ctx, "mem://")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	opts.Store, opts.Dir, opts.Fields, opts.Alloc = st, "bucket-0", fields, mem
	w, err := NewWriter(opts)
	if err != nil {
		t.Fatal(err)
	}
	b := array.NewRecordBuilder(mem, sc)
	for i := range rows {
		fill(b, i)
	}
	rec := b.NewRecordBatch()
	b.Release()
	err = w.Write(ctx, rec)
	rec.Release()
	if err != nil {
		t.Fatal(err)
	}
	metas, err := w.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	path := "bucket-0/" + metas[0].FileName
	data, err := st.Read(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	pr, err := file.NewParquetReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pr.Close() })
	return testFile{st: st, mem: mem, path: path, pr: pr}
}
