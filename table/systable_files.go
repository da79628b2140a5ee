package table

import (
	"bytes"
	"cmp"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/floelake/floe/internal/binrow"
	"github.com/floelake/floe/manifest"
	"github.com/floelake/floe/schema"
	"github.com/floelake/floe/snapshot"
)

// The system tables of a snapshot's manifests: $files, $manifests,
// $partitions, $buckets.

// filesSource yields one row per live data file of a snapshot, bucket by
// bucket (partitions and buckets ascending by their bytes), each bucket's
// files in manifest order.
type filesSource struct {
	t       *Table
	rs      *schema.Table // the schema the snapshot is described with
	mem     memory.Allocator
	root    string
	entries []manifest.Entry
	order   []int // entries in output order
	i       int
	parts   map[string]partText
	keys    map[int64][]schema.DataType
	stats   map[int64]*statsLayout
	byName  []int // rs fields in Java's TreeMap (name) order
}

// partText is a partition's text forms.
type partText struct {
	row  string // "{v1, v2}"
	path string // "k1=v1/k2=v2/" (the directory)
}

func (t *Table) filesSource(ctx context.Context, o SystemTableOptions) (rowSource, error) {
	snap, rs, err := t.sysSnapshot(ctx, o)
	if err != nil {
		return nil, err
	}
	s := &filesSource{t: t, rs: rs, mem: o.Alloc, root: t.location(),
		parts: map[string]partText{}, keys: map[int64][]schema.DataType{}, stats: map[int64]*statsLayout{}}
	s.byName = make([]int, len(rs.Fields))
	for i := range s.byName {
		s.byName[i] = i
	}
	slices.SortStableFunc(s.byName, func(a, b int) int { return javaCompare(rs.Fields[a].Name, rs.Fields[b].Name) })
	if snap == nil {
		return s, nil
	}
	live, err := manifest.LoadFileSet(ctx, t.store, []string{snap.BaseManifestList, snap.DeltaManifestList}, manifest.FileSetOptions{})
	if err != nil {
		return nil, err
	}
	s.entries = live.Entries()
	s.order = make([]int, len(s.entries))
	for i := range s.order {
		s.order[i] = i
	}
	slices.SortStableFunc(s.order, func(a, b int) int {
		x, y := &s.entries[a], &s.entries[b]
		if c := bytes.Compare(x.Partition, y.Partition); c != 0 {
			return c
		}
		return cmp.Compare(x.Bucket, y.Bucket)
	})
	return s, nil
}

func (s *filesSource) next(ctx context.Context) ([]any, error) {
	if s.i >= len(s.order) {
		return nil, io.EOF
	}
	e := &s.entries[s.order[s.i]]
	s.i++
	f := &e.File
	pt, err := s.partition(e.Partition)
	if err != nil {
		return nil, fmt.Errorf("file %s: partition: %w", f.FileName, err)
	}
	path := s.root + "/" + pt.path + bucketDirName(e.Bucket) + "/" + f.FileName
	if f.ExternalPath != nil {
		path = *f.ExternalPath
	}
	minKey, maxKey, err := s.keyTexts(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("file %s: %w", f.FileName, err)
	}
	nulls, mins, maxs, err := s.valueStats(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("file %s: value statistics: %w", f.FileName, err)
	}
	var created, source, writeCols any
	if f.CreationTime != nil {
		created = wallTime(*f.CreationTime)
	}
	if f.FileSource != nil {
		switch *f.FileSource {
		case manifest.FileSourceAppend:
			source = "APPEND"
		case manifest.FileSourceCompact:
			source = "COMPACT"
		}
	}
	if f.WriteCols != nil {
		writeCols = f.WriteCols
	}
	return []any{
		pt.row,
		e.Bucket,
		path,
		fileFormat(f.FileName),
		f.SchemaID,
		f.Level,
		f.RowCount,
		f.FileSize,
		minKey,
		maxKey,
		nulls,
		mins,
		maxs,
		f.MinSequenceNumber,
		f.MaxSequenceNumber,
		created,
		optInt64(f.DeleteRowCount),
		source,
		optInt64(f.FirstRowID),
		writeCols,
	}, nil
}

// partition returns the text forms of a serialized partition, cached.
func (s *filesSource) partition(b []byte) (partText, error) {
	if p, ok := s.parts[string(b)]; ok {
		return p, nil
	}
	vals, err := s.t.DecodePartition(b)
	if err != nil {
		return partText{}, err
	}
	row, err := castRowText(s.mem, s.t.partitionTypes(), vals)
	if err != nil {
		return partText{}, err
	}
	path, err := s.t.partitionPathOf(vals)
	if err != nil {
		return partText{}, err
	}
	p := partText{row: row, path: path}
	s.parts[string(b)] = p
	return p, nil
}

func bucketDirName(bucket int32) string {
	if bucket == -2 {
		return "bucket-postpone"
	}
	return "bucket-" + strconv.Itoa(int(bucket))
}

// location is the table's root as Java prints its Path when the
// warehouse is given as floe takes it: the absolute path of a local
// table, the URL without its query parameters otherwise.
func (t *Table) location() string {
	u := t.store.URL()
	if p, ok := strings.CutPrefix(u, "file://"); ok {
		return strings.TrimSuffix(p, "/")
	}
	if i := strings.IndexByte(u, '?'); i >= 0 {
		u = u[:i]
	}
	return strings.TrimSuffix(u, "/")
}

// fileFormat is Paimon's DataFilePathFactory.formatIdentifier: the file
// name's extension, or the one before a compression extension.
func fileFormat(name string) string {
	i := strings.LastIndexByte(name, '.')
	if i < 0 {
		return ""
	}
	ext := name[i+1:]
	switch strings.ToLower(ext) {
	case "gz", "bz2", "deflate", "snappy", "lz4", "zst":
		if j := strings.LastIndexByte(name[:i], '.'); j >= 0 {
			return name[j+1 : i]
		}
	}
	return ext
}

// keyTexts formats a primary-key file's min and max keys as Java's
// Arrays.toString of the key values ("[1, a]"); null for files without
// key fields (append tables).
func (s *filesSource) keyTexts(ctx context.Context, f *manifest.DataFile) (any, any, error) {
	arity, _, err := binrow.Deserialize(f.MinKey)
	if err != nil || arity <= 0 {
		return nil, nil, nil
	}
	types, ok := s.keys[f.SchemaID]
	if !ok {
		if types, err = s.t.KeyTypes(ctx, f.SchemaID); err != nil {
			return nil, nil, err
		}
		s.keys[f.SchemaID] = types
	}
	if types == nil {
		return nil, nil, nil
	}
	text := func(b []byte, what string) (string, error) {
		vals, err := decodeSerialized(types, b)
		if err != nil {
			return "", fmt.Errorf("%s: %w", what, err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = javaObjectText(v)
		}
		return "[" + strings.Join(parts, ", ") + "]", nil
	}
	lo, err := text(f.MinKey, "min key")
	if err != nil {
		return nil, nil, err
	}
	hi, err := text(f.MaxKey, "max key")
	if err != nil {
		return nil, nil, err
	}
	return lo, hi, nil
}

// statsLayout maps the value statistics of files of one schema to the
// described schema's fields, as Java's SimpleStatsEvolution does.
type statsLayout struct {
	data *schema.Table
	// field[i] is the data schema field of described field i, -1 when the
	// column did not exist when the file was written.
	field []int
	// cast[i] is set when described field i changed type since.
	cast []bool
}

func (s *filesSource) layout(ctx context.Context, schemaID int64) (*statsLayout, error) {
	if l, ok := s.stats[schemaID]; ok {
		return l, nil
	}
	data, err := s.t.SchemaByID(ctx, schemaID)
	if err != nil {
		return nil, err
	}
	l := &statsLayout{data: data, field: make([]int, len(s.rs.Fields)), cast: make([]bool, len(s.rs.Fields))}
	for i, rf := range s.rs.Fields {
		l.field[i] = -1
		if schemaID == s.rs.ID {
			l.field[i] = i
			continue
		}
		if j := fieldIndexByID(data.Fields, rf.ID); j >= 0 {
			l.field[i] = j
			l.cast[i] = !sameType(data.Fields[j].Type, rf.Type)
		}
	}
	s.stats[schemaID] = l
	return l, nil
}

// valueStats formats a file's value statistics as Java's FilesTable does:
// maps from column name (sorted) to null count, min and max, evolved to
// the described schema ({a=0, b=null}).
func (s *filesSource) valueStats(ctx context.Context, f *manifest.DataFile) (string, string, string, error) {
	l, err := s.layout(ctx, f.SchemaID)
	if err != nil {
		return "", "", "", err
	}
	data := l.data.Fields
	// The stored statistics' columns: all of the data schema's, or the
	// dense _VALUE_STATS_COLS.
	statFields := data
	if f.ValueStatsCols != nil {
		statFields = make([]schema.Field, 0, len(f.ValueStatsCols))
		for _, c := range f.ValueStatsCols {
			sf, ok := l.data.Field(c)
			if !ok {
				return "", "", "", fmt.Errorf("%w: statistics column %q is not in schema %d", manifest.ErrCorrupt, c, l.data.ID)
			}
			statFields = append(statFields, sf)
		}
	}
	var mins, maxs []any
	if len(statFields) > 0 {
		types := typesNullable(statFields)
		if mins, err = decodeSerialized(types, f.ValueStats.Min); err != nil {
			return "", "", "", fmt.Errorf("min: %w", err)
		}
		if maxs, err = decodeSerialized(types, f.ValueStats.Max); err != nil {
			return "", "", "", fmt.Errorf("max: %w", err)
		}
	}
	// Per data schema field: its position among the stored columns.
	stored := make([]int, len(data))
	for i := range data {
		stored[i] = i
		if f.ValueStatsCols != nil {
			stored[i] = slices.Index(f.ValueStatsCols, data[i].Name)
		}
		if stored[i] >= len(statFields) {
			stored[i] = -1
		}
	}
	n := len(s.rs.Fields)
	nullText := make([]string, n)
	minText := make([]string, n)
	maxText := make([]string, n)
	for i := range s.rs.Fields {
		j := l.field[i]
		if j < 0 {
			// Not yet a column: all null.
			nullText[i], minText[i], maxText[i] = strconv.FormatInt(f.RowCount, 10), "null", "null"
			continue
		}
		k := -1
		if j < len(stored) {
			k = stored[j]
		}
		nullText[i] = "null"
		var lo, hi any
		if k >= 0 {
			if k < len(f.ValueStats.NullCounts) && f.ValueStats.NullCounts[k] != nil {
				nullText[i] = strconv.FormatInt(*f.ValueStats.NullCounts[k], 10)
			}
			lo, hi = mins[k], maxs[k]
		}
		if l.cast[i] {
			lo = castValue(s.mem, data[j].Type, s.rs.Fields[i].Type, lo)
			hi = castValue(s.mem, data[j].Type, s.rs.Fields[i].Type, hi)
		}
		minText[i], maxText[i] = javaObjectText(lo), javaObjectText(hi)
	}
	return s.javaMap(nullText), s.javaMap(minText), s.javaMap(maxText), nil
}

// javaMap formats a TreeMap<String, …> of the described fields.
func (s *filesSource) javaMap(vals []string) string {
	var b strings.Builder
	b.WriteByte('{')
	for n, i := range s.byName {
		if n > 0 {
			b.WriteString(", ")
		}
		b.WriteString(s.rs.Fields[i].Name)
		b.WriteByte('=')
		b.WriteString(vals[i])
	}
	b.WriteByte('}')
	return b.String()
}

// castValue converts a statistics value to a column's new type with
// Paimon's casts (nil when the cast fails, as no statistic is better than
// a wrong one).
func castValue(mem memory.Allocator, from, to schema.DataType, v any) any {
	if v == nil {
		return nil
	}
	from, to = from.Nullable(), to.Nullable()
	at, err := schema.ToArrow(from)
	if err != nil {
		return nil
	}
	b := array.NewBuilder(mem, at)
	defer b.Release()
	if err := binrow.AppendArrow(b, from, v); err != nil {
		return nil
	}
	arr := b.NewArray()
	defer arr.Release()
	out, err := schema.CastArray(mem, arr, from, to)
	if err != nil {
		return nil
	}
	defer out.Release()
	w, err := binrow.ArrowValue(to, out, 0)
	if err != nil {
		return nil
	}
	return w
}

// javaObjectText is the toString of the Java object Paimon's internal row
// getters return for a value: strings as they are, DATE and TIME as their
// int, FLOAT and DOUBLE as Java prints them, DECIMAL plain, TIMESTAMP as
// LocalDateTime.toString, null as "null". Java prints byte arrays by
// identity ("[B@1b6d3586"), which nothing can reproduce; floe prints
// X'hex'.
func javaObjectText(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case int8:
		return strconv.Itoa(int(x))
	case int16:
		return strconv.Itoa(int(x))
	case int32:
		return strconv.Itoa(int(x))
	case int64:
		return strconv.FormatInt(x, 10)
	case float32:
		return binrow.JavaFloatString(x)
	case float64:
		return binrow.JavaDoubleString(x)
	case binrow.Decimal:
		return x.String()
	case binrow.Timestamp:
		return binrow.LocalDateTimeString(x)
	case []byte:
		return "X'" + strings.ToUpper(hex.EncodeToString(x)) + "'"
	}
	return fmt.Sprint(v)
}

// castTexts converts values of type t to Java's CAST(v AS STRING) text
// (Paimon's CastExecutors); nulls give ok false.
func castTexts(mem memory.Allocator, t schema.DataType, vals []any) ([]string, []bool, error) {
	t = t.Nullable()
	at, err := schema.ToArrow(t)
	if err != nil {
		return nil, nil, err
	}
	b := array.NewBuilder(mem, at)
	defer b.Release()
	for _, v := range vals {
		if err := binrow.AppendArrow(b, t, v); err != nil {
			return nil, nil, err
		}
	}
	arr := b.NewArray()
	defer arr.Release()
	out, err := schema.CastArray(mem, arr, t, schema.NewString())
	if err != nil {
		return nil, nil, err
	}
	defer out.Release()
	strs := out.(*array.String)
	texts := make([]string, len(vals))
	ok := make([]bool, len(vals))
	for i := range vals {
		if strs.IsValid(i) {
			texts[i], ok[i] = strs.Value(i), true
		}
	}
	return texts, ok, nil
}

// castRowText is Paimon's cast of a ROW to STRING: "{v1, v2}", null
// fields as "null" ("{}" for the empty partition of an unpartitioned
// table).
func castRowText(mem memory.Allocator, types []schema.DataType, vals []any) (string, error) {
	parts := make([]string, len(vals))
	for i, v := range vals {
		texts, ok, err := castTexts(mem, types[i], []any{v})
		if err != nil {
			return "", err
		}
		parts[i] = "null"
		if ok[0] {
			parts[i] = texts[0]
		}
	}
	return "{" + strings.Join(parts, ", ") + "}", nil
}

// manifestsSource yields the manifests of a snapshot's base and delta
// lists, in list order, reading one list at a time.
type manifestsSource struct {
	t     *Table
	rs    *schema.Table
	mem   memory.Allocator
	lists []string
	metas []manifest.FileMeta
	parts []schema.DataType
}

func (t *Table) manifestsSource(ctx context.Context, o SystemTableOptions) (rowSource, error) {
	snap, rs, err := t.sysSnapshot(ctx, o)
	if err != nil {
		return nil, err
	}
	s := &manifestsSource{t: t, rs: rs, mem: o.Alloc}
	for _, f := range rs.PartitionFields() {
		s.parts = append(s.parts, f.Type)
	}
	if snap != nil {
		for _, n := range []string{snap.BaseManifestList, snap.DeltaManifestList} {
			if n != "" {
				s.lists = append(s.lists, n)
			}
		}
	}
	return s, nil
}

func (s *manifestsSource) next(ctx context.Context) ([]any, error) {
	for len(s.metas) == 0 {
		if len(s.lists) == 0 {
			return nil, io.EOF
		}
		metas, err := manifest.ReadList(ctx, s.t.store, s.lists[0])
		if err != nil {
			return nil, err
		}
		s.lists, s.metas = s.lists[1:], metas
	}
	m := &s.metas[0]
	s.metas = s.metas[1:]
	stat := func(b []byte, what string) (string, error) {
		vals, err := decodeSerialized(s.parts, b)
		if err != nil {
			return "", fmt.Errorf("manifest %s: %s partition: %w", m.FileName, what, err)
		}
		return castRowText(s.mem, s.parts, vals)
	}
	lo, err := stat(m.PartitionStats.Min, "min")
	if err != nil {
		return nil, err
	}
	hi, err := stat(m.PartitionStats.Max, "max")
	if err != nil {
		return nil, err
	}
	return []any{
		m.FileName,
		m.FileSize,
		m.NumAddedFiles,
		m.NumDeletedFiles,
		m.SchemaID,
		lo,
		hi,
		optInt64(m.MinRowID),
		optInt64(m.MaxRowID),
	}, nil
}

// entrySum adds up the manifest entries of a partition or bucket as
// Java's PartitionEntry and BucketEntry do: ADD counts, DELETE subtracts,
// and the last file creation time is the latest of every entry (deleted
// files' included).
type entrySum struct {
	partition    []byte
	bucket       int32
	records      int64
	bytes        int64
	files        int64
	lastCreation int64 // epoch millis; math.MinInt64 when no entry has one
}

// sumEntries reads the manifests of snap a batch at a time and sums their
// entries by partition (byBucket false) or by partition and bucket.
// Entries with no files left are dropped.
func (t *Table) sumEntries(ctx context.Context, snap *snapshot.Snapshot, byBucket bool, o SystemTableOptions) ([]*entrySum, error) {
	if snap == nil {
		return nil, nil
	}
	lists, err := manifest.ReadLists(ctx, t.store, snap.BaseManifestList, snap.DeltaManifestList)
	if err != nil {
		return nil, err
	}
	type key struct {
		partition string
		bucket    int32
	}
	sums := map[key]*entrySum{}
	var order []*entrySum
	for li, metas := range lists.Metas {
		for len(metas) > 0 {
			n := min(len(metas), manifest.ReadLimit)
			parts, err := manifest.ReadManifests(ctx, t.store, metas[:n])
			if err != nil {
				return nil, fmt.Errorf("manifest list %s: %w", lists.Names[li], err)
			}
			metas = metas[n:]
			for _, es := range parts {
				for i := range es {
					e := &es[i]
					k := key{partition: string(e.Partition)}
					if byBucket {
						k.bucket = e.Bucket
					}
					s := sums[k]
					if s == nil {
						s = &entrySum{partition: []byte(k.partition), bucket: k.bucket, lastCreation: math.MinInt64}
						sums[k] = s
						order = append(order, s)
					}
					sign := int64(1)
					if e.Kind == manifest.Delete {
						sign = -1
					}
					s.records += sign * e.File.RowCount
					s.bytes += sign * e.File.FileSize
					s.files += sign
					if e.File.CreationTime != nil {
						s.lastCreation = max(s.lastCreation, wallEpoch(*e.File.CreationTime, o.Location))
					}
				}
			}
		}
	}
	out := order[:0]
	for _, s := range order {
		if s.files > 0 {
			out = append(out, s)
		}
	}
	return out, nil
}

func (s *entrySum) lastUpdate(o SystemTableOptions) any {
	if s.lastCreation == math.MinInt64 {
		return nil
	}
	return localWall(s.lastCreation, o.Location)
}

func (t *Table) partitionsSource(ctx context.Context, o SystemTableOptions) (rowSource, error) {
	snap, rs, err := t.sysSnapshot(ctx, o)
	if err != nil {
		return nil, err
	}
	sums, err := t.sumEntries(ctx, snap, false, o)
	if err != nil {
		return nil, err
	}
	fields := rs.PartitionFields()
	rows := make([][]any, 0, len(sums))
	for _, s := range sums {
		vals, err := t.DecodePartition(s.partition)
		if err != nil {
			return nil, fmt.Errorf("partition: %w", err)
		}
		var b strings.Builder
		for i, f := range fields {
			if i > 0 {
				b.WriteByte('/')
			}
			text := t.cfg.PartitionDefaultName
			if vals[i] != nil {
				texts, ok, err := castTexts(o.Alloc, f.Type, vals[i:i+1])
				if err != nil {
					return nil, fmt.Errorf("partition %s: %w", f.Name, err)
				}
				// A blank string is the default partition, as in the
				// partition's directory name.
				if ok[0] && !(isString(f.Type) && strings.TrimFunc(texts[0], unicode.IsSpace) == "") {
					text = texts[0]
				}
			}
			b.WriteString(f.Name + "=" + text)
		}
		rows = append(rows, []any{b.String(), s.records, s.bytes, s.files, s.lastUpdate(o), nil, nil, nil, nil})
	}
	slices.SortStableFunc(rows, func(a, b []any) int { return javaCompare(a[0].(string), b[0].(string)) })
	return &rowsSource{rows: rows}, nil
}

func isString(t schema.DataType) bool { return t.Kind == schema.Char || t.Kind == schema.VarChar }

func (t *Table) bucketsSource(ctx context.Context, o SystemTableOptions) (rowSource, error) {
	snap, _, err := t.sysSnapshot(ctx, o)
	if err != nil {
		return nil, err
	}
	sums, err := t.sumEntries(ctx, snap, true, o)
	if err != nil {
		return nil, err
	}
	texts := map[string]string{}
	rows := make([][]any, 0, len(sums))
	for _, s := range sums {
		text, ok := texts[string(s.partition)]
		if !ok {
			vals, err := t.DecodePartition(s.partition)
			if err != nil {
				return nil, fmt.Errorf("partition: %w", err)
			}
			if text, err = castRowText(o.Alloc, t.partitionTypes(), vals); err != nil {
				return nil, err
			}
			texts[string(s.partition)] = text
		}
		rows = append(rows, []any{text, s.bucket, s.records, s.bytes, s.files, s.lastUpdate(o)})
	}
	slices.SortStableFunc(rows, func(a, b []any) int {
		if c := javaCompare(a[0].(string), b[0].(string)); c != 0 {
			return c
		}
		return cmp.Compare(a[1].(int32), b[1].(int32))
	})
	return &rowsSource{rows: rows}, nil
}
