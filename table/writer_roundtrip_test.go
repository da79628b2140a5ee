package table

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/internal/binrow"
	"github.com/floelake/floe/internal/datafile"
	"github.com/floelake/floe/internal/kv"
	"github.com/floelake/floe/schema"
)

// tableRows reads every live file of the latest snapshot back with
// datafile.Open and applies deduplicate semantics (primary-key tables:
// per key the record with the highest sequence number, dropped when it
// is a retract). Each row is rendered as fmt.Sprint of its values; the
// result is sorted.
func tableRows(t *testing.T, tb *Table) []string {
	t.Helper()
	ctx := context.Background()
	files, _, err := tb.Files(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	s := tb.Schema()
	pk := len(s.PrimaryKeys) > 0
	type rec struct {
		seq  int64
		kind schema.RowKind
		row  string
	}
	latest := map[string]rec{}
	var out []string
	seqs := map[string]map[int64]bool{} // bucket path -> sequence numbers seen
	for _, f := range files {
		r, err := datafile.Open(ctx, datafile.ReadOptions{
			Store: tb.Store(), Path: f.Path, Size: f.Size,
			FileFields: s.Fields, ReadFields: s.Fields, KV: pk,
		})
		if err != nil {
			t.Fatalf("open %s: %v", f.Path, err)
		}
		dir := f.Path[:strings.LastIndex(f.Path, "/")]
		if seqs[dir] == nil {
			seqs[dir] = map[int64]bool{}
		}
		var rowsInFile int64
		for r.Next() {
			b := r.Record()
			off := 0
			if pk {
				off = kv.ValueOffset
			}
			for i := range int(b.NumRows()) {
				vals := make([]any, len(s.Fields))
				for c, fl := range s.Fields {
					v, err := binrow.ArrowValue(fl.Type, b.Column(off+c), i)
					if err != nil {
						t.Fatal(err)
					}
					vals[c] = v
				}
				row := fmt.Sprint(vals...)
				rowsInFile++
				if !pk {
					out = append(out, row)
					continue
				}
				seq := b.Column(kv.SeqColumn).(*array.Int64).Value(i)
				kind := schema.RowKind(b.Column(kv.KindColumn).(*array.Int8).Value(i))
				if seqs[dir][seq] {
					t.Errorf("%s: sequence number %d used twice", dir, seq)
				}
				seqs[dir][seq] = true
				var key []any
				for _, k := range s.PrimaryKeys {
					key = append(key, vals[s.FieldIndex(k)])
				}
				ks := fmt.Sprint(key...)
				if cur, ok := latest[ks]; !ok || seq > cur.seq {
					latest[ks] = rec{seq, kind, row}
				}
			}
		}
		if err := r.Err(); err != nil {
			t.Fatal(err)
		}
		r.Release()
		if rowsInFile != f.RowCount {
			t.Errorf("%s: %d rows, manifest says %d", f.Path, rowsInFile, f.RowCount)
		}
	}
	for _, r := range latest {
		if !r.kind.IsRetract() {
			out = append(out, r.row)
		}
	}
	sort.Strings(out)
	return out
}

// kindRecord builds rows (dt, id, name, v, _ROW_KIND).
func kindRecord(t *testing.T, alloc memory.Allocator, rows []string) arrow.Record {
	t.Helper()
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "dt", Type: arrow.BinaryTypes.String},
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "name", Type: arrow.BinaryTypes.String},
		{Name: "v", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "_ROW_KIND", Type: arrow.BinaryTypes.String},
	}, nil)
	rec, _, err := array.RecordFromJSON(alloc, sc, strings.NewReader("["+strings.Join(rows, ",")+"]"))
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

type pkModel map[string]string // "dt id" -> row

func (m pkModel) apply(dt string, id int, name string, v float64, kind string) string {
	k := fmt.Sprint(dt, " ", id)
	if kind == "-D" || kind == "-U" {
		delete(m, k)
	} else {
		m[k] = fmt.Sprint(dt, id, name, v)
	}
	return fmt.Sprintf(`{"dt":%q,"id":%d,"name":%q,"v":%v,"_ROW_KIND":%q}`, dt, id, name, v, kind)
}

func (m pkModel) rows() []string {
	var out []string
	for _, r := range m {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

func writeCommit(t *testing.T, tb *Table, alloc memory.Allocator, batches ...[]string) WriterStats {
	t.Helper()
	ctx := context.Background()
	w, err := tb.NewWriter(ctx, WriterOptions{Alloc: alloc, SpillDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	for _, b := range batches {
		rec := kindRecord(t, alloc, b)
		err := w.Write(ctx, rec)
		rec.Release()
		if err != nil {
			t.Fatal(err)
		}
	}
	msgs, err := w.Prepare(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tb.Commit(ctx, msgs, CommitOptions{}); err != nil {
		t.Fatal(err)
	}
	return w.Stats()
}

// Rows written, committed and read back equal a model with deduplicate
// semantics, over fixed and dynamic buckets, spilling and flushing
// buffers, and several writers continuing sequence numbers.
func TestWriteRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []Option
	}{
		{"fixed", []Option{{"bucket", "3"}}},
		{"dynamic", []Option{{"dynamic-bucket.target-row-num", "20"}}},
		{"spill", []Option{{"bucket", "2"}, {"write-buffer-size", "32 kb"}}},
		{"flush", []Option{{"bucket", "2"}, {"write-buffer-size", "32 kb"}, {"write-buffer-spillable", "false"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cat := testCatalog(t)
			tb := createTable(t, cat, "rt", pkSpec(tc.opts...))
			alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer alloc.AssertSize(t, 0)
			m := pkModel{}
			var b1, b2, b3 []string
			for i := range 300 {
				b1 = append(b1, m.apply([]string{"a", "b"}[i%2], i, "first", float64(i), "+I"))
			}
			for i := range 100 {
				b2 = append(b2, m.apply([]string{"a", "b"}[i%2], i, "second", float64(i)+0.5, "+U"))
			}
			for i := 290; i < 300; i++ {
				b2 = append(b2, m.apply([]string{"a", "b"}[i%2], i, "gone", 0, "-D"))
			}
			st := writeCommit(t, tb, alloc, b1, b2)
			if (tc.name == "spill") != (st.Spills > 0) || (tc.name == "flush") != (st.Flushes > 0) {
				t.Errorf("stats %+v", st)
			}
			// A second writer updates keys again; its sequence numbers
			// must follow the committed ones for the update to win.
			for i := 50; i < 70; i++ {
				b3 = append(b3, m.apply([]string{"a", "b"}[i%2], i, "third", -1, "+I"))
			}
			b3 = append(b3, m.apply("c", 1000, "new", 1, "+I"))
			writeCommit(t, tb, alloc, b3)
			got, want := tableRows(t, tb), m.rows()
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("read back %d rows, want %d\n got %v\nwant %v", len(got), len(want), head(got), head(want))
			}
		})
	}
}

func head(s []string) []string { return s[:min(len(s), 5)] }

func TestWriteAppendRoundTrip(t *testing.T) {
	ctx := context.Background()
	cat := testCatalog(t)
	for _, opts := range [][]Option{nil, {{"bucket", "2"}, {"bucket-key", "id"}}} {
		name := fmt.Sprintf("app%d", len(opts))
		tb := createTable(t, cat, name, Spec{
			Columns:       []Column{{Name: "dt", Type: "STRING"}, {Name: "id", Type: "BIGINT"}, {Name: "name", Type: "STRING"}, {Name: "v", Type: "DOUBLE"}},
			PartitionKeys: []string{"dt"},
			Options:       opts,
		})
		sc, _ := tb.Schema().ArrowSchema()
		var want []string
		for round := range 2 {
			w, err := tb.NewWriter(ctx, WriterOptions{})
			if err != nil {
				t.Fatal(err)
			}
			rec := idRecord(memory.DefaultAllocator, sc, "x", round*100, 100)
			for i := range 100 {
				id := round*100 + i
				want = append(want, fmt.Sprint("x", int64(id), "name-of-a-row-long-enough-to-take-memory", float64(id)/2))
			}
			if err := w.Write(ctx, rec); err != nil {
				t.Fatal(err)
			}
			rec.Release()
			msgs, err := w.Prepare(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range msgs {
				wantTotal := int32(-1)
				if opts != nil {
					wantTotal = 2
				}
				if m.TotalBuckets != wantTotal {
					t.Errorf("%s: total buckets %d", name, m.TotalBuckets)
				}
			}
			if _, err := tb.Commit(ctx, msgs, CommitOptions{}); err != nil {
				t.Fatal(err)
			}
			w.Close()
		}
		sort.Strings(want)
		got := tableRows(t, tb)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s: read back %d rows, want %d", name, len(got), len(want))
		}
		// Sequence numbers of a bucket continue across writers.
		files, _, err := tb.Files(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		next := map[string]int64{}
		sort.Slice(files, func(i, j int) bool { return files[i].MinSequence < files[j].MinSequence })
		for _, f := range files {
			dir := f.Path[:strings.LastIndex(f.Path, "/")]
			if f.MinSequence != next[dir] || f.MaxSequence != f.MinSequence+f.RowCount-1 {
				t.Errorf("%s: %s sequence %d..%d, want from %d", name, f.Path, f.MinSequence, f.MaxSequence, next[dir])
			}
			next[dir] = f.MaxSequence + 1
		}
	}
}

// Close deletes data files of rows never prepared.
func TestWriterCloseDeletesUnprepared(t *testing.T) {
	ctx := context.Background()
	cat := testCatalog(t)
	tb := createTable(t, cat, "cl", pkSpec(Option{"bucket", "1"}, Option{"write-buffer-size", "16 kb"}, Option{"write-buffer-spillable", "false"}))
	sc, _ := tb.Schema().ArrowSchema()
	w, err := tb.NewWriter(ctx, WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		rec := idRecord(memory.DefaultAllocator, sc, "d", i*200, 200)
		if err := w.Write(ctx, rec); err != nil {
			t.Fatal(err)
		}
		rec.Release()
	}
	if w.Stats().Flushes == 0 || w.Stats().Files == 0 {
		t.Fatalf("no flush: %+v", w.Stats())
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	objs, err := tb.Store().List(ctx, "dt=d/")
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 0 {
		t.Errorf("%d files left after Close", len(objs))
	}
	if err := w.Write(ctx, nil); err != ErrClosed {
		t.Errorf("write after close: %v", err)
	}
}
