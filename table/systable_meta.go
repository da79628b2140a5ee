package table

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/floelake/floe/internal/jsonpp"
	"github.com/floelake/floe/predicate"
	"github.com/floelake/floe/schema"
	"github.com/floelake/floe/snapshot"
	"github.com/floelake/floe/storage"
)

// The system tables of the table's metadata files: $snapshots, $schemas,
// $options, $tags, $branches, $consumers, $statistics.

// snapshotsSource yields one row per snapshot file, oldest first, reading
// each file only when its id may match the filter (Java pushes
// snapshot_id comparisons and IN lists down the same way).
type snapshotsSource struct {
	t    *Table
	ids  []int64
	loc  *time.Location
	keep *predicate.Bound // over snapshot_id alone
}

func (t *Table) snapshotsSource(ctx context.Context, o SystemTableOptions) (rowSource, error) {
	ids, err := snapshot.List(ctx, t.meta)
	if err != nil {
		return nil, err
	}
	s := &snapshotsSource{t: t, ids: ids, loc: o.Location}
	if !o.Filter.IsZero() {
		if s.keep, err = predicate.Bind(o.Filter, sysFields[sysSnapshots][:1], true); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *snapshotsSource) next(ctx context.Context) ([]any, error) {
	for len(s.ids) > 0 {
		id := s.ids[0]
		s.ids = s.ids[1:]
		if s.keep != nil && !s.keep.MayMatch(predicate.RowStats([]any{id})) {
			continue
		}
		snap, err := snapshot.Read(ctx, s.t.meta, id)
		if errors.Is(err, snapshot.ErrNotFound) {
			continue // expired while we read
		}
		if err != nil {
			return nil, err
		}
		return []any{
			snap.ID,
			snap.SchemaID,
			snap.CommitUser,
			snap.CommitIdentifier,
			string(snap.CommitKind),
			localWall(snap.TimeMillis, s.loc),
			snap.BaseManifestList,
			snap.DeltaManifestList,
			optString(snap.ChangelogManifestList),
			snap.TotalRecordCount,
			snap.DeltaRecordCount,
			optInt64(snap.ChangelogRecordCount),
			optInt64(snap.Watermark),
			optInt64(snap.NextRowID),
		}, nil
	}
	return nil, io.EOF
}

func (t *Table) schemasSource(ctx context.Context, o SystemTableOptions) (rowSource, error) {
	schemas, err := t.Schemas(ctx)
	if err != nil {
		return nil, err
	}
	rows := make([][]any, 0, len(schemas))
	for _, s := range schemas {
		fields := []byte{'['}
		for i, f := range s.Fields {
			if i > 0 {
				fields = append(fields, ',')
			}
			b, err := f.MarshalJSON()
			if err != nil {
				return nil, fmt.Errorf("schema %d: %w", s.ID, err)
			}
			fields = append(fields, b...)
		}
		fields = append(fields, ']')
		var opts []byte
		for i, kv := range javaOptions(s) {
			if i == 0 {
				opts = append(opts, '{')
			} else {
				opts = append(opts, ',')
			}
			opts = appendJSONString(opts, kv[0])
			opts = append(opts, ':')
			opts = appendJSONString(opts, kv[1])
		}
		if opts == nil {
			opts = append(opts, '{')
		}
		opts = append(opts, '}')
		rows = append(rows, []any{
			s.ID,
			string(fields),
			jsonStrings(s.PartitionKeys),
			jsonStrings(s.PrimaryKeys),
			string(opts),
			optString(s.Comment),
			localWall(s.TimeMillis, o.Location),
		})
	}
	return &rowsSource{rows: rows}, nil
}

func (t *Table) optionsSource(ctx context.Context) (rowSource, error) {
	// The latest schema as it is now, as Java's OptionsTable reads it.
	ids, err := schemaIDs(ctx, t.meta)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, ErrNotTable
	}
	s, err := readSchema(ctx, t.meta, ids[len(ids)-1])
	if err != nil {
		return nil, err
	}
	var rows [][]any
	for _, kv := range javaOptions(s) {
		rows = append(rows, []any{kv[0], kv[1]})
	}
	return &rowsSource{rows: rows}, nil
}

// javaOptions returns a schema's options as Java's TableSchema holds them:
// the file's options plus the defaults SchemaSerializer adds to old
// versions (bucket=1 up to version 1, file.format=orc up to version 2),
// in the iteration order of the java.util.HashMap it reads them into.
func javaOptions(s *schema.Table) [][2]string {
	o := s.Options.Clone()
	if _, ok := o.Get(schema.OptionBucket); !ok && s.FormatVersion() <= schema.Version07 {
		o.Set(schema.OptionBucket, "1")
	}
	if _, ok := o.Get(schema.OptionFileFormat); !ok && s.FormatVersion() <= schema.Version08 {
		o.Set(schema.OptionFileFormat, "orc")
	}
	keys := javaHashOrder(o.Keys())
	out := make([][2]string, len(keys))
	for i, k := range keys {
		v, _ := o.Get(k)
		out[i] = [2]string{k, v}
	}
	return out
}

// javaHashOrder returns keys (distinct, in insertion order) in the order a
// java.util.HashMap that they were put into iterates them: by bucket,
// (h ^ h>>>16) & (capacity-1) with h the String hash code and capacity
// the table size after the puts (16, doubled whenever the size passes
// 3/4 of it), then in insertion order within a bucket. A bucket of more
// than 8 keys (which Java would turn into a tree, or answer by growing a
// small table) is not modelled; it needs many colliding option names.
func javaHashOrder(keys []string) []string {
	capacity := 16
	for len(keys) > capacity*3/4 {
		capacity *= 2
	}
	bucket := func(k string) int {
		h := javaStringHash(k)
		return int((h ^ h>>16) & uint32(capacity-1))
	}
	out := slices.Clone(keys)
	slices.SortStableFunc(out, func(a, b string) int { return bucket(a) - bucket(b) })
	return out
}

// javaStringHash is java.lang.String.hashCode: s[0]*31^(n-1) + … over
// UTF-16 code units, in 32-bit arithmetic.
func javaStringHash(s string) uint32 {
	var h uint32
	for _, r := range s {
		if r >= 0x10000 {
			a, b := utf16.EncodeRune(r)
			h = 31*h + uint32(a)
			h = 31*h + uint32(b)
			continue
		}
		h = 31*h + uint32(r)
	}
	return h
}

// javaCompare orders strings as java.lang.String.compareTo: by UTF-16
// code units.
func javaCompare(a, b string) int {
	if a == b {
		return 0
	}
	ua, ub := utf16.Encode([]rune(a)), utf16.Encode([]rune(b))
	return slices.Compare(ua, ub)
}

// appendJSONString appends s as a JSON string (no HTML escaping, as the
// schema files floe writes).
func appendJSONString(b []byte, s string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return append(b, bytes.TrimRight(buf.Bytes(), "\n")...)
}

// jsonStrings is Jackson's flat JSON of a list of strings.
func jsonStrings(ss []string) string {
	b := []byte{'['}
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return string(append(b, ']'))
}

func (t *Table) tagsSource(ctx context.Context, o SystemTableOptions) (rowSource, error) {
	tags, err := snapshot.Tags(ctx, t.meta)
	if err != nil {
		return nil, err
	}
	// Java's TagsTable collects them in a TreeMap by name.
	slices.SortFunc(tags, func(a, b *snapshot.Tag) int { return javaCompare(a.Name, b.Name) })
	rows := make([][]any, 0, len(tags))
	for _, tg := range tags {
		var created, retained any
		if tg.CreateTime != nil {
			created = wallTime(tg.CreateTime.UnixMilli()) // a wall clock already
		}
		if tg.TimeRetained != nil {
			retained = javaDuration(*tg.TimeRetained)
		}
		rows = append(rows, []any{
			tg.Name,
			tg.ID,
			tg.SchemaID,
			localWall(tg.TimeMillis, o.Location),
			tg.TotalRecordCount,
			created,
			retained,
		})
	}
	return &rowsSource{rows: rows}, nil
}

// javaDuration formats d as java.time.Duration.toString: "PT0S", "PT24H",
// "PT1H30M", "PT0.5S", "PT-1.5S".
func javaDuration(d time.Duration) string {
	if d == 0 {
		return "PT0S"
	}
	// Java keeps seconds (floor) and nanoseconds 0..999,999,999.
	secs := int64(d / time.Second)
	nanos := int64(d % time.Second)
	if nanos < 0 {
		secs--
		nanos += int64(time.Second)
	}
	eff := secs
	if secs < 0 && nanos > 0 {
		eff++
	}
	hours, minutes, s := eff/3600, (eff%3600)/60, eff%60
	var b strings.Builder
	b.WriteString("PT")
	if hours != 0 {
		b.WriteString(strconv.FormatInt(hours, 10) + "H")
	}
	if minutes != 0 {
		b.WriteString(strconv.FormatInt(minutes, 10) + "M")
	}
	if s == 0 && nanos == 0 && b.Len() > 2 {
		return b.String()
	}
	if secs < 0 && nanos > 0 && s == 0 {
		b.WriteString("-0")
	} else {
		b.WriteString(strconv.FormatInt(s, 10))
	}
	if nanos > 0 {
		var frac int64
		if secs < 0 {
			frac = 2*int64(time.Second) - nanos
		} else {
			frac = nanos + int64(time.Second)
		}
		f := strings.TrimRight(strconv.FormatInt(frac, 10), "0")
		b.WriteString("." + f[1:])
	}
	b.WriteString("S")
	return b.String()
}

// branchDir and branchPrefix name a table's branches: branch/branch-<name>.
const (
	branchDir    = "branch"
	branchPrefix = "branch-"
)

func (t *Table) branchesSource(ctx context.Context, o SystemTableOptions) (rowSource, error) {
	names, err := t.store.ListDir(ctx, branchDir)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", branchDir, err)
	}
	var rows [][]any
	for _, n := range names {
		dir, ok := strings.CutSuffix(n, "/")
		if !ok || !strings.HasPrefix(dir, branchPrefix) || len(dir) == len(branchPrefix) {
			continue
		}
		created, err := t.branchCreated(ctx, branchDir+"/"+dir)
		if err != nil {
			return nil, err
		}
		rows = append(rows, []any{strings.TrimPrefix(dir, branchPrefix), localWall(created.UnixMilli(), o.Location)})
	}
	slices.SortFunc(rows, func(a, b []any) int { return javaCompare(a[0].(string), b[0].(string)) })
	return &rowsSource{rows: rows}, nil
}

// branchCreated stands in for the modification time of a branch's
// directory, which Java reports and object stores do not have: the
// earliest modification time of the branch's schema files (written when
// the branch was created), or of any file of the branch.
func (t *Table) branchCreated(ctx context.Context, dir string) (time.Time, error) {
	for _, p := range []string{dir + "/schema/", dir + "/"} {
		objs, err := t.store.List(ctx, p)
		if err != nil {
			return time.Time{}, fmt.Errorf("list %s: %w", p, err)
		}
		var first time.Time
		for _, o := range objs {
			if first.IsZero() || o.ModTime.Before(first) {
				first = o.ModTime
			}
		}
		if !first.IsZero() {
			return first, nil
		}
	}
	return time.Unix(0, 0), nil
}

func (t *Table) consumersSource(ctx context.Context) (rowSource, error) {
	cs, err := snapshot.Consumers(ctx, t.meta)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(cs))
	for id := range cs {
		ids = append(ids, id)
	}
	// Java's ConsumersTable reads them into a HashMap, listed by name.
	slices.Sort(ids)
	rows := make([][]any, 0, len(ids))
	for _, id := range javaHashOrder(ids) {
		rows = append(rows, []any{id, cs[id].NextSnapshot})
	}
	return &rowsSource{rows: rows}, nil
}

// statisticsDir holds the ANALYZE statistics files a snapshot's
// "statistics" names.
const statisticsDir = "statistics"

// statisticsFile is a statistics/stat-… file.
type statisticsFile struct {
	SnapshotID        *int64          `json:"snapshotId"`
	SchemaID          *int64          `json:"schemaId"`
	MergedRecordCount *int64          `json:"mergedRecordCount"`
	MergedRecordSize  *int64          `json:"mergedRecordSize"`
	ColStats          json.RawMessage `json:"colStats"`
}

// colStats is one column's entry of colStats, in Java's field order.
type colStats struct {
	ColID         int     `json:"colId"`
	DistinctCount *int64  `json:"distinctCount,omitempty"`
	Min           *string `json:"min,omitempty"`
	Max           *string `json:"max,omitempty"`
	NullCount     *int64  `json:"nullCount,omitempty"`
	AvgLen        *int64  `json:"avgLen,omitempty"`
	MaxLen        *int64  `json:"maxLen,omitempty"`
}

func (t *Table) statisticsSource(ctx context.Context, o SystemTableOptions) (rowSource, error) {
	snap, _, err := t.sysSnapshot(ctx, o)
	if err != nil {
		return nil, err
	}
	if snap == nil || snap.Statistics == nil {
		return &rowsSource{}, nil
	}
	p := statisticsDir + "/" + *snap.Statistics
	b, err := t.store.Read(ctx, p)
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return nil, fmt.Errorf("snapshot %d names statistics file %s: %w", snap.ID, p, err)
		}
		return nil, err
	}
	var f statisticsFile
	if err := json.Unmarshal(b, &f); err != nil || f.SnapshotID == nil || f.SchemaID == nil {
		return nil, fmt.Errorf("decode %s: %w: not a statistics file", p, snapshot.ErrCorrupt)
	}
	cs, err := colStatsJSON(f.ColStats)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w: colStats: %v", p, snapshot.ErrCorrupt, err)
	}
	return &rowsSource{rows: [][]any{{
		*f.SnapshotID, *f.SchemaID, optInt64(f.MergedRecordCount), optInt64(f.MergedRecordSize), cs,
	}}}, nil
}

// colStatsJSON re-encodes a statistics file's colStats as Java's
// StatisticTable shows it: Jackson's pretty JSON of the map (in file
// order) of each column's ColStats (null members left out).
func colStatsJSON(raw json.RawMessage) (any, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "null", nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, errors.New("not an object")
	}
	out := []byte{'{'}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		name, _ := tok.(string)
		var c colStats
		if err := dec.Decode(&c); err != nil {
			return nil, fmt.Errorf("column %q: %w", name, err)
		}
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = appendJSONString(out, name)
		out = append(out, ':')
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(c); err != nil {
			return nil, err
		}
		out = append(out, bytes.TrimRight(buf.Bytes(), "\n")...)
	}
	out = append(out, '}')
	pretty, err := jsonpp.Indent(out)
	if err != nil {
		return nil, err
	}
	return string(pretty), nil
}
