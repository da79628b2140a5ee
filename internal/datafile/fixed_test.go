package datafile

import (
	"bytes"
	"context"
	"encoding/binary"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"

	"github.com/floelake/floe/schema"
	"github.com/floelake/floe/storage"
)

// diffFixed is diffByteArray for the columns fixedReader decodes.
func diffFixed(t testing.TB, data []byte, batch int64, strict bool) int {
	t.Helper()
	return diffColumns(t, data, batch, strict, fixedColumn)
}

var fxSchema = arrow.NewSchema([]arrow.Field{
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true}, // not decoded by fixedReader
	{Name: "i32", Type: arrow.PrimitiveTypes.Int32},             // required, distinct
	{Name: "i64", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "i8", Type: arrow.PrimitiveTypes.Int8, Nullable: true}, // few values
	{Name: "i16", Type: arrow.PrimitiveTypes.Int16},               // required, few values
	{Name: "date", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	{Name: "low64", Type: arrow.PrimitiveTypes.Int64},                 // required, few values
	{Name: "nulls", Type: arrow.PrimitiveTypes.Int32, Nullable: true}, // all null
	{Name: "f64", Type: arrow.PrimitiveTypes.Float64, Nullable: true}, // not decoded by fixedReader
}, nil)

// fxColumns is the number of fxSchema's columns fixedReader decodes.
const fxColumns = 7

// fxRecords returns rows rows of fxSchema in records of at most per rows.
func fxRecords(rows, per int, seed uint64) []arrow.RecordBatch {
	rng := rand.New(rand.NewPCG(seed, 2))
	var out []arrow.RecordBatch
	for start := 0; start < rows; start += per {
		rb := array.NewRecordBuilder(memory.DefaultAllocator, fxSchema)
		for i := start; i < min(rows, start+per); i++ {
			rb.Field(0).(*array.StringBuilder).Append("x")
			rb.Field(1).(*array.Int32Builder).Append(int32(rng.Uint32()))
			if rng.IntN(6) == 0 {
				rb.Field(2).AppendNull()
			} else {
				rb.Field(2).(*array.Int64Builder).Append(int64(rng.Uint64()))
			}
			if rng.IntN(4) == 0 {
				rb.Field(3).AppendNull()
			} else {
				rb.Field(3).(*array.Int8Builder).Append([]int8{math.MinInt8, -1, 0, 1, math.MaxInt8}[rng.IntN(5)])
			}
			rb.Field(4).(*array.Int16Builder).Append([]int16{math.MinInt16, 7, math.MaxInt16}[rng.IntN(3)])
			if rng.IntN(9) == 0 {
				rb.Field(5).AppendNull()
			} else {
				rb.Field(5).(*array.Date32Builder).Append(arrow.Date32(19000 + rng.IntN(400)))
			}
			rb.Field(6).(*array.Int64Builder).Append([]int64{math.MinInt64, 0, math.MaxInt64, 1 << 40}[rng.IntN(4)])
			rb.Field(7).AppendNull()
			rb.Field(8).(*array.Float64Builder).Append(rng.Float64())
		}
		out = append(out, rb.NewRecordBatch())
		rb.Release()
	}
	return out
}

// fxVariants are writer settings covering what fixedReader decodes and
// what it leaves to pqarrow.
func fxVariants() map[string][]parquet.WriterProperty {
	small := []parquet.WriterProperty{parquet.WithDataPageSize(512), parquet.WithMaxRowGroupLength(1000), parquet.WithBatchSize(64)}
	with := func(p ...parquet.WriterProperty) []parquet.WriterProperty {
		return append(append([]parquet.WriterProperty(nil), small...), p...)
	}
	delta := []parquet.WriterProperty{parquet.WithDictionaryDefault(false)}
	for _, c := range []string{"i32", "i64", "i8", "i16", "date", "low64", "nulls"} {
		delta = append(delta, parquet.WithEncodingFor(c, parquet.Encodings.DeltaBinaryPacked))
	}
	return map[string][]parquet.WriterProperty{
		"dict-v1":         with(parquet.WithDictionaryDefault(true), parquet.WithDataPageVersion(parquet.DataPageV1)),
		"dict-v2-zstd":    with(parquet.WithDictionaryDefault(true), parquet.WithDataPageVersion(parquet.DataPageV2), parquet.WithCompression(compress.Codecs.Zstd)),
		"plain-v1-snappy": with(parquet.WithDictionaryDefault(false), parquet.WithCompression(compress.Codecs.Snappy)),
		"plain-v2":        with(parquet.WithDictionaryDefault(false), parquet.WithDataPageVersion(parquet.DataPageV2)),
		"dict-fallback":   with(parquet.WithDictionaryDefault(true), parquet.WithDictionaryPageSizeLimit(64)),
		"delta":           with(append(delta, parquet.WithDataPageVersion(parquet.DataPageV2))...),
		"one-row-group":   {parquet.WithDictionaryDefault(true), parquet.WithCompression(compress.Codecs.Zstd)},
	}
}

func TestFixedDifferential(t *testing.T) {
	recs := fxRecords(3000, 700, 1)
	defer releaseRecs(recs)
	for name, props := range fxVariants() {
		t.Run(name, func(t *testing.T) {
			data := baWrite(t, recs, props...)
			batches := []int64{7, 999, 4096}
			if name == "dict-v1" || name == "plain-v2" {
				batches = append(batches, 1, 100, 1000)
			}
			for _, batch := range batches {
				if n := diffFixed(t, data, batch, true); n != fxColumns {
					t.Fatalf("%d columns compared", n)
				}
			}
		})
	}
}

// TestFixedFallbackMidChunk hands a chunk to pqarrow part way through
// (as for a page this reader does not decode) and compares.
func TestFixedFallbackMidChunk(t *testing.T) {
	recs := fxRecords(2500, 700, 2)
	defer releaseRecs(recs)
	data := baWrite(t, recs, fxVariants()["dict-v1"]...)
	ctx := context.Background()
	for _, first := range []int64{1, 333, 1000, 1500} {
		own, err := openPQ(data, memory.DefaultAllocator)
		if err != nil {
			t.Fatal(err)
		}
		ref, err := openPQ(data, memory.DefaultAllocator)
		if err != nil {
			t.Fatal(err)
		}
		for f := 1; f <= fxColumns; f++ {
			c := fixedColumn(ctx, own, f, memory.DefaultAllocator)
			if c == nil {
				t.Fatalf("column %d: no fixedReader", f)
			}
			cr, err := ref.GetFieldReader(ctx, f, map[int]bool{f: true}, []int{0, 1, 2})
			if err != nil {
				t.Fatal(err)
			}
			pq := &pqColumn{r: cr, mem: memory.DefaultAllocator}
			for at, n := int64(0), first; at < 2500; at, n = at+n, 400 {
				n = min(n, 2500-at)
				if at == first {
					fp := flatOf(c)
					if fp.other != nil {
						t.Fatal("already on pqarrow")
					}
					if fp.rows > 0 {
						if err := fp.fallback(); err != nil {
							t.Fatal(err)
						}
					}
				}
				got, err := c.next(n)
				if err != nil {
					t.Fatal(err)
				}
				want, err := pq.next(n)
				if err != nil {
					t.Fatal(err)
				}
				if !array.Equal(got, want) {
					t.Errorf("first %d column %d rows %d+%d differ", first, f, at, n)
				}
				got.Release()
				want.Release()
			}
			c.release()
			pq.release()
		}
		own.ParquetReader().Close()
		ref.ParquetReader().Close()
	}
}

// flatOf is the flatPages of a fixedReader.
func flatOf(c columnSource) *flatPages {
	switch r := c.(type) {
	case *fixedReader[int32, int8]:
		return &r.flatPages
	case *fixedReader[int32, int16]:
		return &r.flatPages
	case *fixedReader[int32, int32]:
		return &r.flatPages
	case *fixedReader[int64, int64]:
		return &r.flatPages
	}
	panic("not a fixedReader")
}

// TestFixedFloeFiles compares the decoders on files floe's writer writes
// (its own dictionary decision, zstd, several row groups).
func TestFixedFloeFiles(t *testing.T) {
	ctx := context.Background()
	fields, _ := schema.AssignFieldIDs([]schema.Field{
		{Name: "s", Type: schema.NewString()},
		{Name: "i32", Type: schema.NewInt().WithNotNull(true)},
		{Name: "i64", Type: schema.NewBigInt()},
		{Name: "i8", Type: schema.NewTinyInt()},
		{Name: "i16", Type: schema.NewSmallInt().WithNotNull(true)},
		{Name: "date", Type: schema.NewDate()},
		{Name: "low64", Type: schema.NewBigInt().WithNotNull(true)},
		{Name: "nulls", Type: schema.NewInt()},
		{Name: "f64", Type: schema.NewDouble()},
	}, 0)
	recs := fxRecords(20000, 4096, 3)
	defer releaseRecs(recs)
	for _, rg := range []int64{32 << 10, 128 << 20} {
		st, err := storage.Open(ctx, "mem://")
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		w, err := NewWriter(WriterOptions{Store: st, Dir: "b", Format: "parquet", TargetFileSize: 1 << 30,
			RowGroupSize: rg, Fields: fields})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			if err := w.Write(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		metas, err := w.Close(ctx)
		if err != nil || len(metas) != 1 {
			t.Fatal(metas, err)
		}
		data, err := st.Read(ctx, "b/"+metas[0].FileName)
		if err != nil {
			t.Fatal(err)
		}
		for _, batch := range []int64{5, 4096} {
			if n := diffFixed(t, data, batch, true); n != fxColumns {
				t.Fatalf("%d columns compared", n)
			}
		}
	}
}

// TestFixedFixtures compares the decoders on every Parquet file under
// testdata (written by Java Paimon and paimon-cpp).
func TestFixedFixtures(t *testing.T) {
	var files []string
	for _, root := range []string{"../../testdata", "../../table/testdata"} {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, ".parquet") {
				files = append(files, p)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(files) < 50 {
		t.Fatalf("%d fixture files", len(files))
	}
	cols := 0
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, batch := range []int64{3, 4096} {
			cols += diffFixed(t, data, batch, true)
		}
	}
	if cols == 0 {
		t.Fatal("no integer column in the fixtures")
	}
	t.Logf("%d files, %d column reads compared", len(files), cols)
}

// TestFixedDamaged checks that damaged files never panic and never
// decode to something pqarrow does not.
func TestFixedDamaged(t *testing.T) {
	recs := fxRecords(300, 300, 4)
	defer releaseRecs(recs)
	for name, props := range fxVariants() {
		data := baWrite(t, recs, append(props, parquet.WithCompression(compress.Codecs.Uncompressed))...)
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(5, uint64(len(name))))
			pages := len(data) - 8 - int(binary.LittleEndian.Uint32(data[len(data)-8:])) - 4
			for range 100 {
				d := bytes.Clone(data)
				for range 1 + rng.IntN(4) {
					at := 4 + rng.IntN(pages)
					if rng.IntN(4) == 0 {
						at = rng.IntN(len(d)) // the footer too
					}
					d[at] ^= byte(1 + rng.IntN(255))
				}
				diffFixed(t, d, int64(1+rng.IntN(300)), false)
			}
		})
	}
}

// FuzzFixedPages damages small Parquet files (uncompressed, so that
// mutations reach the page bytes): fixedReader must never panic, and
// whatever it decodes must be what pqarrow decodes.
func FuzzFixedPages(f *testing.F) {
	recs := fxRecords(60, 60, 6)
	defer releaseRecs(recs)
	vs := fxVariants()
	names := make([]string, 0, len(vs))
	for name := range vs {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		props := append(vs[name], parquet.WithCompression(compress.Codecs.Uncompressed), parquet.WithStats(false))
		f.Add(baWrite(f, recs, props...), uint16(7))
	}
	f.Fuzz(func(t *testing.T, data []byte, batch uint16) {
		diffFixed(t, data, int64(batch%512)+1, false)
	})
}
