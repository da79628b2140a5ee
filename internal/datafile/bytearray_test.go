package datafile

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io/fs"
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
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/floelake/floe/schema"
	"github.com/floelake/floe/storage"
)

// openPQ opens a Parquet file held in memory for pqarrow.
func openPQ(data []byte, mem memory.Allocator) (fr *pqarrow.FileReader, err error) {
	defer func() {
		if r := recover(); r != nil {
			fr, err = nil, fmt.Errorf("panic: %v", r)
		}
	}()
	pf, err := file.NewParquetReader(bytes.NewReader(data), file.WithReadProps(parquet.NewReaderProperties(mem)))
	if err != nil {
		return nil, err
	}
	fr, err = pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: 4096}, mem)
	if err != nil {
		pf.Close()
		return nil, err
	}
	return fr, nil
}

// nextSafe is c.next with a panic as an error (pqarrow panics on some
// damaged input).
func nextSafe(c columnSource, n int64) (a arrow.Array, err error) {
	defer func() {
		if r := recover(); r != nil {
			a, err = nil, fmt.Errorf("panic: %v", r)
		}
	}()
	return c.next(n)
}

// diffByteArray reads every column of the file that byteArrayReader
// decodes both with it and with pqarrow, batch rows at a time, and
// compares the arrays. strict: both must read the file without error.
// Otherwise (damaged input) byteArrayReader may fail, but what it returns
// must be what pqarrow returns. It returns the number of columns compared.
func diffByteArray(t testing.TB, data []byte, batch int64, strict bool) int {
	t.Helper()
	ctx := context.Background()
	checked := memory.NewCheckedAllocator(memory.NewGoAllocator())
	var mem memory.Allocator = checked
	if !strict {
		mem = memory.DefaultAllocator // (the checked one is slow for fuzzing)
	}
	own, err := openPQ(data, mem)
	if err != nil {
		if strict {
			t.Fatal(err)
		}
		return 0
	}
	defer own.ParquetReader().Close()
	if strict && !deltaEncoded(own.ParquetReader()) {
		// (arrow-go's DELTA decoders do not free all they allocate, nor
		// its readers when they fail.)
		defer checked.AssertSize(t, 0)
	}
	ref, err := openPQ(data, mem)
	if err != nil {
		t.Fatal(err)
	}
	defer ref.ParquetReader().Close()
	rows := own.ParquetReader().NumRows()
	if !strict && (rows > 1<<16 || rows < 0) {
		return 0
	}
	groups := make([]int, own.ParquetReader().NumRowGroups())
	for i := range groups {
		groups[i] = i
	}
	cols := 0
	for f := range own.Manifest.Fields {
		br := byteArrayColumn(ctx, own, f, mem)
		if br == nil {
			continue
		}
		cols++
		func() {
			defer br.release()
			leaf := own.Manifest.Fields[f].ColIndex
			var pq *pqColumn
			if cr, err := fieldReader(ctx, ref, f, leaf, groups); err == nil {
				pq = &pqColumn{r: cr, mem: mem}
				defer pq.release()
			} else if strict {
				t.Fatal(err)
			}
			for at := int64(0); at < rows; at += batch {
				n := min(batch, rows-at)
				got, err := br.next(n)
				if err != nil {
					if strict {
						t.Fatalf("column %d rows %d+%d: %v", f, at, n, err)
					}
					return
				}
				if got.Len() != int(n) {
					t.Fatalf("column %d rows %d+%d: %d values", f, at, n, got.Len())
				}
				if pq == nil {
					got.Release()
					t.Fatalf("column %d: decoded where pqarrow does not open the column", f)
				}
				want, err := nextSafe(pq, n)
				if err != nil {
					got.Release()
					if dump := os.Getenv("FLOE_DUMP_DAMAGED"); dump != "" {
						os.WriteFile(dump, data, 0o644)
					}
					t.Fatalf("column %d rows %d+%d: decoded where pqarrow fails: %v", f, at, n, err)
				}
				if !arrow.TypeEqual(got.DataType(), want.DataType()) || got.NullN() != want.NullN() || !array.Equal(got, want) {
					t.Errorf("column %d rows %d+%d differ:\n got %v\nwant %v", f, at, n, got, want)
				}
				got.Release()
				want.Release()
			}
		}()
	}
	return cols
}

// fieldReader is fr.GetFieldReader with a panic as an error.
func fieldReader(ctx context.Context, fr *pqarrow.FileReader, f, leaf int, groups []int) (cr *pqarrow.ColumnReader, err error) {
	defer func() {
		if r := recover(); r != nil {
			cr, err = nil, fmt.Errorf("panic: %v", r)
		}
	}()
	return fr.GetFieldReader(ctx, f, map[int]bool{leaf: true}, groups)
}

// deltaEncoded says whether any column chunk of the file lists a DELTA
// encoding.
func deltaEncoded(pf *file.Reader) bool {
	md := pf.MetaData()
	for g := range md.NumRowGroups() {
		rg := md.RowGroup(g)
		for c := range rg.NumColumns() {
			cc, err := rg.ColumnChunk(c)
			if err != nil {
				return true
			}
			for _, e := range cc.Encodings() {
				switch e {
				case parquet.Encodings.DeltaByteArray, parquet.Encodings.DeltaLengthByteArray, parquet.Encodings.DeltaBinaryPacked:
					return true
				}
			}
		}
	}
	return false
}

// baWrite writes recs as one Parquet file with pqarrow and props.
func baWrite(t testing.TB, recs []arrow.RecordBatch, props ...parquet.WriterProperty) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := pqarrow.NewFileWriter(recs[0].Schema(), &buf, parquet.NewWriterProperties(props...), pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if err := w.WriteBuffered(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var baSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int32},
	{Name: "low", Type: arrow.BinaryTypes.String, Nullable: true},  // few distinct values
	{Name: "high", Type: arrow.BinaryTypes.String, Nullable: true}, // mostly distinct
	{Name: "req", Type: arrow.BinaryTypes.String},                  // required
	{Name: "bin", Type: arrow.BinaryTypes.Binary, Nullable: true},
	{Name: "nulls", Type: arrow.BinaryTypes.String, Nullable: true}, // all null
	{Name: "big", Type: arrow.BinaryTypes.Binary, Nullable: true},   // some large values
}, nil)

// baRecords returns rows rows of baSchema in records of at most per rows.
func baRecords(rows, per int, seed uint64) []arrow.RecordBatch {
	rng := rand.New(rand.NewPCG(seed, 1))
	str := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('a' + rng.IntN(26))
		}
		return string(b)
	}
	low := []string{"", "x", "yy", "a longer dictionary value", "zz"}
	var out []arrow.RecordBatch
	for start := 0; start < rows; start += per {
		rb := array.NewRecordBuilder(memory.DefaultAllocator, baSchema)
		for i := start; i < min(rows, start+per); i++ {
			rb.Field(0).(*array.Int32Builder).Append(int32(i))
			if rng.IntN(5) == 0 {
				rb.Field(1).AppendNull()
			} else {
				rb.Field(1).(*array.StringBuilder).Append(low[rng.IntN(len(low))])
			}
			if rng.IntN(7) == 0 {
				rb.Field(2).AppendNull()
			} else {
				rb.Field(2).(*array.StringBuilder).Append(str(rng.IntN(20)))
			}
			rb.Field(3).(*array.StringBuilder).Append(str(rng.IntN(4)))
			if rng.IntN(3) == 0 {
				rb.Field(4).AppendNull()
			} else {
				rb.Field(4).(*array.BinaryBuilder).Append([]byte(str(rng.IntN(12))))
			}
			rb.Field(5).AppendNull()
			if rng.IntN(500) == 0 {
				rb.Field(6).(*array.BinaryBuilder).Append(bytes.Repeat([]byte{byte(i)}, 70_000))
			} else if rng.IntN(2) == 0 {
				rb.Field(6).AppendNull()
			} else {
				rb.Field(6).(*array.BinaryBuilder).Append([]byte(str(3)))
			}
		}
		out = append(out, rb.NewRecordBatch())
		rb.Release()
	}
	return out
}

func releaseRecs(recs []arrow.RecordBatch) {
	for _, r := range recs {
		r.Release()
	}
}

// baVariants are writer settings covering what byteArrayReader decodes
// and what it leaves to pqarrow.
func baVariants() map[string][]parquet.WriterProperty {
	small := []parquet.WriterProperty{parquet.WithDataPageSize(512), parquet.WithMaxRowGroupLength(1000), parquet.WithBatchSize(64)}
	with := func(p ...parquet.WriterProperty) []parquet.WriterProperty {
		return append(append([]parquet.WriterProperty(nil), small...), p...)
	}
	encoding := func(e parquet.Encoding) []parquet.WriterProperty {
		var out []parquet.WriterProperty
		for _, c := range []string{"low", "high", "req", "bin", "nulls", "big"} {
			out = append(out, parquet.WithEncodingFor(c, e))
		}
		return out
	}
	return map[string][]parquet.WriterProperty{
		"dict-v1":          with(parquet.WithDictionaryDefault(true), parquet.WithDataPageVersion(parquet.DataPageV1)),
		"dict-v2-zstd":     with(parquet.WithDictionaryDefault(true), parquet.WithDataPageVersion(parquet.DataPageV2), parquet.WithCompression(compress.Codecs.Zstd)),
		"plain-v1-snappy":  with(parquet.WithDictionaryDefault(false), parquet.WithCompression(compress.Codecs.Snappy)),
		"plain-v2":         with(parquet.WithDictionaryDefault(false), parquet.WithDataPageVersion(parquet.DataPageV2)),
		"dict-fallback":    with(parquet.WithDictionaryDefault(true), parquet.WithDictionaryPageSizeLimit(64)),
		"delta-length":     with(append(encoding(parquet.Encodings.DeltaLengthByteArray), parquet.WithDictionaryDefault(false))...),
		"delta-byte-array": with(append(encoding(parquet.Encodings.DeltaByteArray), parquet.WithDictionaryDefault(false), parquet.WithDataPageVersion(parquet.DataPageV2))...),
		"one-row-group":    {parquet.WithDictionaryDefault(true), parquet.WithCompression(compress.Codecs.Zstd)},
	}
}

func TestByteArrayDifferential(t *testing.T) {
	recs := baRecords(3000, 700, 1)
	defer releaseRecs(recs)
	for name, props := range baVariants() {
		t.Run(name, func(t *testing.T) {
			data := baWrite(t, recs, props...)
			batches := []int64{7, 999, 4096}
			if name == "dict-v1" || name == "plain-v2" {
				batches = append(batches, 1, 100, 1000)
			}
			for _, batch := range batches {
				if n := diffByteArray(t, data, batch, true); n != 6 {
					t.Fatalf("%d columns compared", n)
				}
			}
		})
	}
}

// TestByteArrayFallbackMidChunk hands a chunk to pqarrow part way through
// (as for a page this reader does not decode) and compares.
func TestByteArrayFallbackMidChunk(t *testing.T) {
	recs := baRecords(2500, 700, 2)
	defer releaseRecs(recs)
	data := baWrite(t, recs, baVariants()["dict-v1"]...)
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
		for _, f := range []int{1, 2, 3} {
			br := byteArrayColumn(ctx, own, f, memory.DefaultAllocator)
			cr, err := ref.GetFieldReader(ctx, f, map[int]bool{f: true}, []int{0, 1, 2})
			if err != nil {
				t.Fatal(err)
			}
			pq := &pqColumn{r: cr, mem: memory.DefaultAllocator}
			for at, n := int64(0), first; at < 2500; at, n = at+n, 400 {
				n = min(n, 2500-at)
				if at == first {
					if br.other != nil {
						t.Fatal("already on pqarrow")
					}
					if br.rows > 0 {
						if err := br.fallback(); err != nil {
							t.Fatal(err)
						}
					}
				}
				got, err := br.next(n)
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
			br.release()
			pq.release()
		}
		own.ParquetReader().Close()
		ref.ParquetReader().Close()
	}
}

// TestByteArrayFloeFiles compares the decoders on files floe's writer
// writes (its own dictionary decision, zstd, several row groups).
func TestByteArrayFloeFiles(t *testing.T) {
	ctx := context.Background()
	fields, _ := schema.AssignFieldIDs([]schema.Field{
		{Name: "id", Type: schema.NewInt().WithNotNull(true)},
		{Name: "low", Type: schema.NewString()},
		{Name: "high", Type: schema.NewString()},
		{Name: "req", Type: schema.NewString().WithNotNull(true)},
		{Name: "bin", Type: schema.NewBytes()},
		{Name: "nulls", Type: schema.NewString()},
		{Name: "big", Type: schema.NewBytes()},
	}, 0)
	recs := baRecords(20000, 4096, 3)
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
			if n := diffByteArray(t, data, batch, true); n != 6 {
				t.Fatalf("%d columns compared", n)
			}
		}
	}
}

// TestByteArrayFixtures compares the decoders on every Parquet file under
// testdata (written by Java Paimon and paimon-cpp).
func TestByteArrayFixtures(t *testing.T) {
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
			cols += diffByteArray(t, data, batch, true)
		}
	}
	if cols == 0 {
		t.Fatal("no STRING/BYTES column in the fixtures")
	}
	t.Logf("%d files, %d column reads compared", len(files), cols)
}

// TestByteArrayDamaged checks that damaged files never panic and
// never decode to something pqarrow does not.
func TestByteArrayDamaged(t *testing.T) {
	recs := baRecords(300, 300, 4)
	defer releaseRecs(recs)
	for name, props := range baVariants() {
		data := baWrite(t, recs, append(props, parquet.WithCompression(compress.Codecs.Uncompressed))...)
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(5, uint64(len(name))))
			// The pages: between the magic and the footer.
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
				diffByteArray(t, d, int64(1+rng.IntN(300)), false)
			}
		})
	}
}

func TestHybrid(t *testing.T) {
	// RLE run of 3 ones, bit-packed group of 8 (0b10110010), RLE run of 2 zeros.
	var h hybrid
	h.init([]byte{3 << 1, 1, 1<<1 | 1, 0b10110010, 2 << 1, 0}, 1)
	valid := []byte{0xff, 0xff, 0xff}
	set, err := h.levels(valid, 1, 13)
	if err != nil || set != 7 {
		t.Fatal(set, err)
	}
	// bits 1..3 set, 4..11 = 0,1,0,0,1,1,0,1, 12..13 clear; bit 0 and 14.. kept.
	want := []byte{0b00101111, 0b11001011, 0xff}
	if !bytes.Equal(valid, want) {
		t.Fatalf("%08b want %08b", valid, want)
	}
	if _, err := h.levels(valid, 0, 1); err == nil {
		t.Fatal("levels past the end")
	}
	// width 10, bit-packed: values 0..7.
	var w uint64
	var packed []byte
	nbits := 0
	for v := range 8 {
		w |= uint64(v*100) << nbits
		nbits += 10
		for nbits >= 8 {
			packed = append(packed, byte(w))
			w >>= 8
			nbits -= 8
		}
	}
	h.init(append([]byte{1<<1 | 1}, packed...), 10)
	out := make([]uint32, 8)
	if err := h.decode(out); err != nil {
		t.Fatal(err)
	}
	for i, v := range out {
		if v != uint32(i*100) {
			t.Fatalf("%v", out)
		}
	}
}

// FuzzByteArrayPages damages small Parquet files (uncompressed, so that
// mutations reach the page bytes: lengths, levels, dictionary indices, bit
// widths, page headers): byteArrayReader must never panic, and whatever
// it decodes must be what pqarrow decodes.
func FuzzByteArrayPages(f *testing.F) {
	recs := baRecords(60, 60, 6)
	defer releaseRecs(recs)
	names := make([]string, 0)
	vs := baVariants()
	for name := range vs {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		props := append(vs[name], parquet.WithCompression(compress.Codecs.Uncompressed), parquet.WithStats(false))
		f.Add(baWrite(f, recs, props...), uint16(7))
	}
	f.Fuzz(func(t *testing.T, data []byte, batch uint16) {
		diffByteArray(t, data, int64(batch%512)+1, false)
	})
}
