package table

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/internal/datafile"
	"github.com/floelake/floe/internal/dv"
	"github.com/floelake/floe/internal/fixtures"
	"github.com/floelake/floe/manifest"
	"github.com/floelake/floe/storage"
)

// corruptFixture is the table the corruption test damages: a primary-key
// table with deletion vectors whose latest snapshot reads a base and a
// delta manifest list, several manifests and an index manifest.
const corruptFixture = "paimon-cpp/tables/parquet/pk_table_scan_and_read_dv.db/pk_table_scan_and_read_dv"

// scanOutcome reads every row of the latest snapshot as sorted text, or
// returns the error (a panic is reported as an error too).
func scanOutcome(ctx context.Context, dir string) (rows string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
			rows = ""
		}
	}()
	tb, err := Open(ctx, dir)
	if err != nil {
		return "", err
	}
	defer tb.Close()
	alloc := memory.NewCheckedAllocator(memory.NewGoAllocator())
	r, err := tb.ReadAll(ctx, ScanOptions{}, ReadOptions{Alloc: alloc})
	if err != nil {
		return "", err
	}
	defer r.Release()
	var out []string
	for r.Next() {
		rec := r.Record()
		for i := 0; i < int(rec.NumRows()); i++ {
			parts := make([]string, rec.NumCols())
			for j := range parts {
				parts[j] = formatValue(rec.Column(j), i)
			}
			out = append(out, "("+strings.Join(parts, ", ")+")")
		}
	}
	if err := r.Err(); err != nil {
		return "", err
	}
	sort.Strings(out)
	return strings.Join(out, "\n"), nil
}

// avroLayout locates the parts of an Avro container header: the schema
// JSON, the codec value, the metadata keys and the sync marker.
type avroLayout struct {
	schema, codec [2]int // [start, end)
	keys          [][2]int
	sync          int // offset of the 16-byte sync marker
}

func parseLayout(t *testing.T, b []byte) avroLayout {
	t.Helper()
	var l avroLayout
	i := 4
	varint := func() int {
		var u uint64
		var s uint
		for {
			c := b[i]
			i++
			u |= uint64(c&0x7f) << s
			if c < 0x80 {
				break
			}
			s += 7
		}
		return int(int64(u>>1) ^ -int64(u&1))
	}
	for {
		n := varint()
		if n == 0 {
			break
		}
		for ; n > 0; n-- {
			kl := varint()
			key := string(b[i : i+kl])
			l.keys = append(l.keys, [2]int{i, i + kl})
			i += kl
			vl := varint()
			switch key {
			case "avro.schema":
				l.schema = [2]int{i, i + vl}
			case "avro.codec":
				l.codec = [2]int{i, i + vl}
			}
			i += vl
		}
	}
	l.sync = i
	if l.schema[1] == 0 || l.codec[1] == 0 {
		t.Fatal("fixture header lacks avro.schema or avro.codec")
	}
	return l
}

// fieldNameBytes returns the offsets of every byte of every field name in
// the schema JSON (record names, which readers ignore, are left out).
func fieldNameBytes(b []byte, l avroLayout) []int {
	var out []int
	js := b[l.schema[0]:l.schema[1]]
	key := []byte(`"name":"`)
	for off := 0; ; {
		k := bytes.Index(js[off:], key)
		if k < 0 {
			break
		}
		start := off + k + len(key)
		end := start + bytes.IndexByte(js[start:], '"')
		if !bytes.HasPrefix(js[start:end], []byte("record")) {
			for p := start; p < end; p++ {
				out = append(out, l.schema[0]+p)
			}
		}
		off = end
	}
	return out
}

type mutation struct {
	what string // name, codec, key, sync or body
	pos  int
	xor  byte
}

// mutations lists the damage done to one metadata file, one byte at a
// time: every byte of every field name twice (its letter case flipped, and
// a seeded other bit), every byte of the codec name, the metadata keys
// and the sync marker (a seeded bit), and bodySample seeded bytes of the
// blocks (a seeded bit).
func mutations(t *testing.T, b []byte, rng *rand.Rand, bodySample int) []mutation {
	l := parseLayout(t, b)
	otherBit := func() byte { return []byte{0x01, 0x02, 0x04, 0x08, 0x10, 0x40, 0x80}[rng.IntN(7)] }
	var ms []mutation
	for _, p := range fieldNameBytes(b, l) {
		ms = append(ms, mutation{"name", p, 0x20}, mutation{"name", p, otherBit()})
	}
	for p := l.codec[0]; p < l.codec[1]; p++ {
		ms = append(ms, mutation{"codec", p, 1 << rng.IntN(8)})
	}
	for _, k := range l.keys {
		for p := k[0]; p < k[1]; p++ {
			ms = append(ms, mutation{"key", p, 1 << rng.IntN(8)})
		}
	}
	for p := l.sync; p < l.sync+16; p++ {
		ms = append(ms, mutation{"sync", p, 1 << rng.IntN(8)})
	}
	body := l.sync + 16
	if bodySample < 0 { // every bit of every body byte
		for p := body; p < len(b); p++ {
			for bit := range 8 {
				ms = append(ms, mutation{"body", p, 1 << bit})
			}
		}
		return ms
	}
	for range bodySample {
		ms = append(ms, mutation{"body", body + rng.IntN(len(b)-body), 1 << rng.IntN(8)})
	}
	return ms
}

// TestScanCorruptMetadata damages the Avro metadata files of fixture
// tables one byte at a time and scans the latest snapshot after each
// change. The files are the index manifest, the base and delta manifest
// lists, and a manifest that upgrades or compacts files with DELETE and
// ADD entries; the tables are a Paimon 1.2/1.3 and a Paimon 0.9
// (top-level unions, no _CARDINALITY) primary-key table with deletion
// vectors.
//
// Damage to the header — any field name in the writer schema, the codec
// name, the metadata keys, the sync marker — must fail with an error that
// wraps manifest.ErrCorrupt and names the file. Damage to the blocks must
// either leave the rows exactly the fixture's or fail with an error naming
// the file that wraps manifest.ErrCorrupt, storage.ErrNotFound (the
// damaged file now names a data, index or manifest file that does not
// exist) or manifest.ErrUnsupportedVersion (a _VERSION changed
// consistently to another positive number, which a newer Paimon could
// write). Never other rows, never a panic.
func TestScanCorruptMetadata(t *testing.T) {
	for _, fx := range []string{corruptFixture, "paimon-cpp/tables/parquet/pk_09.db/pk_09"} {
		t.Run(filepath.Base(fx), func(t *testing.T) { corruptMetadata(t, fx) })
	}
}

func corruptMetadata(t *testing.T, fixture string) {
	ctx := context.Background()
	dir := copyDir(t, fixtures.Path(t, filepath.FromSlash(fixture)))
	want, err := scanOutcome(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	golden := strings.TrimSuffix(filepath.Base(fixture), ".db")
	gold, err := os.ReadFile(filepath.Join("testdata", "scan", "parquet", golden+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	if _, rows, _ := strings.Cut(string(gold), "\n"); want+"\n" != rows {
		t.Fatalf("fixture reads\n%s\nwant\n%s", want, rows)
	}
	tb, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := tb.Snapshot(ctx, 0)
	tb.Close()
	if err != nil {
		t.Fatal(err)
	}
	targets := []string{*snap.IndexManifest, snap.BaseManifestList, snap.DeltaManifestList}
	b, err := os.ReadFile(filepath.Join(dir, "manifest", snap.BaseManifestList))
	if err != nil {
		t.Fatal(err)
	}
	metas, err := manifest.DecodeList(snap.BaseManifestList, b)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range metas {
		if m.NumAddedFiles > 0 && m.NumDeletedFiles > 0 {
			targets = append(targets, m.FileName)
			break
		}
	}
	if len(targets) != 4 {
		t.Fatal("fixture has no manifest with ADD and DELETE entries")
	}

	rng := rand.New(rand.NewPCG(9, 1))
	stats := map[string]int{}
	failures := 0
	for _, name := range targets {
		p := filepath.Join(dir, "manifest", name)
		orig, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		sample := 100
		if os.Getenv("FLOE_CORRUPT_EXHAUSTIVE") != "" {
			sample = -1 // a soak: every bit of every body byte (minutes)
		}
		for _, m := range mutations(t, orig, rng, sample) {
			b := bytes.Clone(orig)
			b[m.pos] ^= m.xor
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := scanOutcome(ctx, dir)
			header := m.what != "body"
			var bad string
			switch {
			case err == nil && got == want && !header:
				stats["same rows"]++
			case err == nil && got == want:
				bad = "no error"
			case err == nil:
				bad = "other rows:\n" + got
			case strings.HasPrefix(err.Error(), "panic"):
				bad = err.Error()
			case !strings.Contains(err.Error(), name):
				bad = fmt.Sprintf("error does not name the file: %v", err)
			case errors.Is(err, manifest.ErrCorrupt):
				stats["ErrCorrupt"]++
			case header:
				bad = fmt.Sprintf("error does not wrap manifest.ErrCorrupt: %v", err)
			case errors.Is(err, storage.ErrNotFound):
				stats["ErrNotFound"]++
			case errors.Is(err, manifest.ErrUnsupportedVersion):
				stats["ErrUnsupportedVersion"]++
			default:
				bad = fmt.Sprintf("error wraps none of the accepted sentinels: %v", err)
			}
			if bad != "" {
				failures++
				if failures <= 20 {
					t.Errorf("%s: %s byte %d ^%#x: %s", name, m.what, m.pos, m.xor, bad)
				}
			}
		}
		if err := os.WriteFile(p, orig, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d scans of %d damaged files: %v", stats["same rows"]+stats["ErrCorrupt"]+stats["ErrNotFound"]+stats["ErrUnsupportedVersion"]+failures, len(targets), stats)
	if failures > 0 {
		t.Errorf("%d damaged files gave other rows or a wrong error", failures)
	}
}

// rewriteIndexManifest decodes the fixture copy's index manifest, lets
// mod change its entries and writes them back under the same name.
func rewriteIndexManifest(t *testing.T, dir string, mod func([]manifest.IndexEntry) []manifest.IndexEntry) string {
	t.Helper()
	ctx := context.Background()
	tb, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Close()
	snap, err := tb.Snapshot(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	name := *snap.IndexManifest
	p := filepath.Join(dir, "manifest", name)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	es, err := manifest.DecodeIndexManifest(name, b)
	if err != nil {
		t.Fatal(err)
	}
	if b, err = manifest.EncodeIndexManifest(mod(es), manifest.EncodeOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

// TestScanDeletionVectorOfNoLiveFile: a deletion vector that a damaged
// index manifest moved to another bucket or partition, or whose data file
// name lost a few bytes, would resurrect the rows it deletes if skipped, so
// the scan fails naming the index manifest. A vector of a file that is
// gone for good (Paimon's compaction leaves those, apache/paimon#8778) is
// ignored, as Java does.
func TestScanDeletionVectorOfNoLiveFile(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name string
		mod  func([]manifest.IndexEntry) []manifest.IndexEntry
	}{
		{"one byte of the data file name", func(es []manifest.IndexEntry) []manifest.IndexEntry {
			b := []byte(es[0].DVRanges[0].DataFile)
			b[10] ^= 1
			es[0].DVRanges[0].DataFile = string(b)
			return es
		}},
		{"other bucket", func(es []manifest.IndexEntry) []manifest.IndexEntry {
			es[0].Bucket, es[1].Bucket = es[1].Bucket, es[0].Bucket
			return es
		}},
		{"other partition", func(es []manifest.IndexEntry) []manifest.IndexEntry {
			es[0].Partition = bytes.Clone(es[0].Partition)
			es[0].Partition[12]++ // f1=11
			return es
		}},
		{"two vectors for one file", func(es []manifest.IndexEntry) []manifest.IndexEntry {
			e := es[0]
			e.FileName = "index-00000000-0000-0000-0000-000000000000-9"
			return append(es, e)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := copyDir(t, fixtures.Path(t, filepath.FromSlash(corruptFixture)))
			name := rewriteIndexManifest(t, dir, c.mod)
			rows, err := scanOutcome(ctx, dir)
			if !errors.Is(err, manifest.ErrCorrupt) || !strings.Contains(err.Error(), name) {
				t.Fatalf("want ErrCorrupt naming %s, got %v\n%s", name, err, rows)
			}
		})
	}
}

// TestScanDeletionVectorChecks: a vector that records another cardinality
// than it holds, or lies elsewhere in a whole index file, is a damaged
// index manifest; a damaged index file is dv.ErrCorrupt. Both name the
// index manifest.
func TestScanDeletionVectorChecks(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name  string
		mod   func([]manifest.IndexEntry) []manifest.IndexEntry
		index func(b []byte) // damages the index files
		want  error
	}{
		{"cardinality", func(es []manifest.IndexEntry) []manifest.IndexEntry {
			n := *es[0].DVRanges[0].Cardinality + 1
			es[0].DVRanges[0].Cardinality = &n
			return es
		}, nil, manifest.ErrCorrupt},
		{"length", func(es []manifest.IndexEntry) []manifest.IndexEntry {
			es[0].DVRanges[0].Length--
			return es
		}, nil, manifest.ErrCorrupt},
		{"index file size", func(es []manifest.IndexEntry) []manifest.IndexEntry {
			es[0].FileSize++
			return es
		}, nil, manifest.ErrCorrupt},
		{"damaged index file", func(es []manifest.IndexEntry) []manifest.IndexEntry { return es },
			func(b []byte) { b[10] ^= 1 }, dv.ErrCorrupt},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := copyDir(t, fixtures.Path(t, filepath.FromSlash(corruptFixture)))
			name := rewriteIndexManifest(t, dir, c.mod)
			if c.index != nil {
				files, _ := filepath.Glob(filepath.Join(dir, "index", "index-*"))
				for _, f := range files {
					b, _ := os.ReadFile(f)
					c.index(b)
					if err := os.WriteFile(f, b, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			rows, err := scanOutcome(ctx, dir)
			if !errors.Is(err, c.want) || !strings.Contains(err.Error(), name) {
				t.Fatalf("want %v naming %s, got %v\n%s", c.want, name, err, rows)
			}
		})
	}
}

// TestScanErrorsNameTheirLister: an error reading a file names the file
// that listed it — a manifest its manifest list, a data file its manifest,
// an index file its index manifest — and keeps the sentinel.
func TestScanErrorsNameTheirLister(t *testing.T) {
	ctx := context.Background()
	src := fixtures.Path(t, filepath.FromSlash(corruptFixture))
	tb, err := Open(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := tb.NewScan(ctx, ScanOptions{})
	tb.Close()
	if err != nil {
		t.Fatal(err)
	}
	s := plan.Splits[1]
	f := s.Files[0].FileName
	dataFile := filepath.Join(fmt.Sprintf("f1=10/bucket-%d", s.Bucket), f)
	if s.Manifests[0] == "" || s.Deletes[0] == nil || s.Deletes[0].IndexManifest == "" {
		t.Fatalf("split does not record where its files come from: %+v", s)
	}
	snap := plan.Snapshot
	metas, err := manifest.ReadList(ctx, mustStore(t, src), snap.BaseManifestList)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		damage func(dir string) error
		want   error
		lister string
	}{
		{"missing manifest", func(dir string) error {
			return os.Remove(filepath.Join(dir, "manifest", metas[0].FileName))
		}, storage.ErrNotFound, snap.BaseManifestList},
		{"missing data file", func(dir string) error {
			return os.Remove(filepath.Join(dir, dataFile))
		}, storage.ErrNotFound, s.Manifests[0]},
		{"damaged data file", func(dir string) error {
			p := filepath.Join(dir, dataFile)
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			for i := len(b) - 40; i < len(b)-8; i++ {
				b[i] = 0xff // the Parquet footer
			}
			return os.WriteFile(p, b, 0o644)
		}, datafile.ErrCorrupt, s.Manifests[0]},
		{"missing index file", func(dir string) error {
			return os.Remove(filepath.Join(dir, "index", s.Deletes[0].IndexFile))
		}, storage.ErrNotFound, s.Deletes[0].IndexManifest},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := copyDir(t, src)
			if err := c.damage(dir); err != nil {
				t.Fatal(err)
			}
			_, err := scanOutcome(ctx, dir)
			if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.lister) {
				t.Fatalf("want %v naming %s, got %v", c.want, c.lister, err)
			}
		})
	}
}

func mustStore(t *testing.T, dir string) *storage.Store {
	st, err := storage.OpenLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestScanStaleDeletionVector reads a table Java Paimon 1.4.2 left with the
// deletion vector of a file its full compaction rewrote (apache/paimon#8778;
// interop/floetool/testdata/java/make.sh): the scan ignores it, as Java's
// readers do, counts it, and returns Java's rows. A vector of a far-off name
// added to the fixture is ignored the same way.
func TestScanStaleDeletionVector(t *testing.T) {
	ctx := context.Background()
	tb, err := Open(ctx, filepath.Join("..", "interop", "floetool", "testdata", "java", "1.4.2", "db.db", "pk_dv_stale"))
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Close()
	plan, err := tb.NewScan(ctx, ScanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Stats.StaleDeletionVectors != 1 {
		t.Fatalf("stale deletion vectors = %d, want 1", plan.Stats.StaleDeletionVectors)
	}

	dir := copyDir(t, fixtures.Path(t, filepath.FromSlash(corruptFixture)))
	want, err := scanOutcome(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	rewriteIndexManifest(t, dir, func(es []manifest.IndexEntry) []manifest.IndexEntry {
		e := es[0]
		e.FileName = "index-00000000-0000-0000-0000-000000000000-9"
		e.DVRanges = append([]manifest.DVRange(nil), e.DVRanges...)
		e.DVRanges[0].DataFile = "data-00000000-0000-0000-0000-000000000000-0.parquet"
		return append(es, e)
	})
	if got, err := scanOutcome(ctx, dir); err != nil || got != want {
		t.Fatalf("with a stale vector: %v\n%s\nwant\n%s", err, got, want)
	}
}

func TestStaleDVName(t *testing.T) {
	live := []string{"data-d18e5571-abce-4309-ad4a-37f0bc93679f-0.parquet", "data-f19db350-7c55-4686-8839-78d15aa17fc1-0.parquet"}
	for _, c := range []struct {
		file      string
		elsewhere bool
		stale     bool
	}{
		{"data-02f5863b-719c-4205-b88b-5e53b9e6625e-0.parquet", false, true}, // another uuid
		{"data-d18e5571-abce-4309-ad4a-37f0bc93679f-1.parquet", false, false},
		{"data-d18e5571-abce-4309-ad4a-37f0bc93679e-0.parquet", false, false},
		{"data-d18e5571-abce-4309-ad4a-37f0bc93679f-0.parquet", true, false},
		{"data-x.parquet", false, true},
		{"data-02f5863b-719c-4205-b88b-5e53b9e6625e-0.parquet", true, false},
	} {
		if got := staleDVName(c.file, c.elsewhere, live) == ""; got != c.stale {
			t.Errorf("staleDVName(%s, %v) stale = %v, want %v", c.file, c.elsewhere, got, c.stale)
		}
	}
}
