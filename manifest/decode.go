package manifest

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/floelake/floe/internal/binrow"
	"github.com/floelake/floe/schema"
)

// Field codes. A writer-schema field maps by name to one of these; unknown
// names map to fSkip and are skipped, as Java does.
const (
	fSkip = iota
	fVersion
	fKind
	fPartition
	fBucket
	fTotalBuckets
	fFile
	fFileName
	fFileSize
	fRowCount
	fMinKey
	fMaxKey
	fKeyStats
	fValueStats
	fMinSeq
	fMaxSeq
	fSchemaID
	fLevel
	fExtraFiles
	fCreationTime
	fDeleteRowCount
	fEmbeddedIndex
	fFileSource
	fValueStatsCols
	fExternalPath
	fFirstRowID
	fWriteCols
	fWriteColsSeqs
	fMinValues
	fMaxValues
	fNullCounts
	fNumAdded
	fNumDeleted
	fPartitionStats
	fMinBucket
	fMaxBucket
	fMinLevel
	fMaxLevel
	fMinRowID
	fMaxRowID
	fIndexType
	fDVRanges
	fGlobalIndex
	fDVFile
	fDVOffset
	fDVLength
	fCardinality
	fRangeStart
	fRangeEnd
	fIndexFieldID
	fExtraFieldIDs
	fIndexMeta
	fSourceMeta
)

// want is the writer type a known field must have: T itself or a
// ["null", T] union (Paimon <= 0.9 declared every field nullable).
// Integer fields accept int and long, text fields string and bytes, as
// Avro's promotions allow.
type want uint8

const (
	wInt want = iota
	wLong
	wString
	wBytes
	wRecord
	wStringArray
	wLongArray
	wIntArray
	wRecordArray
)

func (w want) String() string {
	return [...]string{"int", "long", "string", "bytes", "record", "array<string>", "array<long>", "array<int>", "array<record>"}[w]
}

// nonNull strips a ["null", T] union to T. Any other union is not a type
// Paimon writes.
func nonNull(n *node) (*node, bool) {
	if n.kind != kUnion {
		return n, true
	}
	if len(n.branches) != 2 {
		return nil, false
	}
	a, b := n.branches[0], n.branches[1]
	switch {
	case a.kind == kNull && b.kind != kNull:
		return b, true
	case b.kind == kNull && a.kind != kNull:
		return a, true
	}
	return nil, false
}

func (w want) matches(n *node) bool {
	t, ok := nonNull(n)
	if !ok {
		return false
	}
	integer := func(k kind) bool { return k == kInt || k == kLong }
	text := func(k kind) bool { return k == kString || k == kBytes }
	switch w {
	case wInt, wLong:
		return integer(t.kind)
	case wString, wBytes:
		return text(t.kind)
	case wRecord:
		return t.kind == kRecord
	}
	if t.kind != kArray {
		return false
	}
	it, ok := nonNull(t.items)
	if !ok {
		return false
	}
	switch w {
	case wStringArray:
		return text(it.kind)
	case wLongArray, wIntArray:
		return integer(it.kind)
	case wRecordArray:
		return it.kind == kRecord
	}
	return false
}

// fieldSpec is one field Paimon writes in a record.
type fieldSpec struct {
	name string
	code int
	want want
	// since is 0 for fields every supported Paimon version writes, and k
	// for fields added by the k-th change to the record.
	since int
	sub   *spec // record fields
}

// spec lists the fields of one record kind and how they evolved.
//
// A file must carry every field its writer's version always writes; a
// missing one means the schema was damaged (a renamed field would
// otherwise decode as null or zero). Fields with since 0 are required.
// In a chained spec the changes happened in order in Java's history, so a
// schema with a field of change k has all fields of changes 1..k; in an
// unchained spec each change is all-or-none on its own (pypaimon writes
// the 1.4 row-id range of the manifest list without the 1.1 bucket and
// level ranges).
type spec struct {
	fields  []fieldSpec
	chained bool
	index   map[string]int
}

func newSpec(chained bool, fields ...fieldSpec) *spec {
	s := &spec{fields: fields, chained: chained, index: map[string]int{}}
	for i, f := range fields {
		s.index[f.name] = i
	}
	return s
}

func field(name string, code int, w want, since int) fieldSpec {
	return fieldSpec{name: name, code: code, want: w, since: since}
}

func record(name string, code int, since int, sub *spec) fieldSpec {
	return fieldSpec{name: name, code: code, want: wRecord, since: since, sub: sub}
}

// The specs follow Java Paimon's serializers from 0.4 (the first release
// with _VERSION 2 manifests) to 2.1 and pypaimon's writers.
var (
	statsSpec = newSpec(true,
		field("_MIN_VALUES", fMinValues, wBytes, 0),
		field("_MAX_VALUES", fMaxValues, wBytes, 0),
		field("_NULL_COUNTS", fNullCounts, wLongArray, 0))
	fileSpec = newSpec(true,
		field("_FILE_NAME", fFileName, wString, 0),
		field("_FILE_SIZE", fFileSize, wLong, 0),
		field("_ROW_COUNT", fRowCount, wLong, 0),
		field("_MIN_KEY", fMinKey, wBytes, 0),
		field("_MAX_KEY", fMaxKey, wBytes, 0),
		record("_KEY_STATS", fKeyStats, 0, statsSpec),
		record("_VALUE_STATS", fValueStats, 0, statsSpec),
		field("_MIN_SEQUENCE_NUMBER", fMinSeq, wLong, 0),
		field("_MAX_SEQUENCE_NUMBER", fMaxSeq, wLong, 0),
		field("_SCHEMA_ID", fSchemaID, wLong, 0),
		field("_LEVEL", fLevel, wInt, 0),
		field("_EXTRA_FILES", fExtraFiles, wStringArray, 0),
		field("_CREATION_TIME", fCreationTime, wLong, 0),
		field("_DELETE_ROW_COUNT", fDeleteRowCount, wLong, 1),         // 0.8
		field("_EMBEDDED_FILE_INDEX", fEmbeddedIndex, wBytes, 2),      // 0.8
		field("_FILE_SOURCE", fFileSource, wInt, 3),                   // 0.9
		field("_VALUE_STATS_COLS", fValueStatsCols, wStringArray, 4),  // 1.0
		field("_EXTERNAL_PATH", fExternalPath, wString, 5),            // 1.0
		field("_FIRST_ROW_ID", fFirstRowID, wLong, 6),                 // 1.3
		field("_WRITE_COLS", fWriteCols, wStringArray, 7),             // 1.3
		field("_WRITE_COLS_SEQUENCES", fWriteColsSeqs, wLongArray, 8)) // 2.1
	entrySpec = newSpec(true,
		field("_VERSION", fVersion, wInt, 0),
		field("_KIND", fKind, wInt, 0),
		field("_PARTITION", fPartition, wBytes, 0),
		field("_BUCKET", fBucket, wInt, 0),
		field("_TOTAL_BUCKETS", fTotalBuckets, wInt, 0),
		record("_FILE", fFile, 0, fileSpec))
	listSpec = newSpec(false,
		field("_VERSION", fVersion, wInt, 0),
		field("_FILE_NAME", fFileName, wString, 0),
		field("_FILE_SIZE", fFileSize, wLong, 0),
		field("_NUM_ADDED_FILES", fNumAdded, wLong, 0),
		field("_NUM_DELETED_FILES", fNumDeleted, wLong, 0),
		record("_PARTITION_STATS", fPartitionStats, 0, statsSpec),
		field("_SCHEMA_ID", fSchemaID, wLong, 0),
		field("_MIN_BUCKET", fMinBucket, wInt, 1), // 1.1
		field("_MAX_BUCKET", fMaxBucket, wInt, 1),
		field("_MIN_LEVEL", fMinLevel, wInt, 1),
		field("_MAX_LEVEL", fMaxLevel, wInt, 1),
		field("_MIN_ROW_ID", fMinRowID, wLong, 2), // 1.4
		field("_MAX_ROW_ID", fMaxRowID, wLong, 2))
	dvSpec = newSpec(true,
		field("f0", fDVFile, wString, 0),
		field("f1", fDVOffset, wInt, 0),
		field("f2", fDVLength, wInt, 0),
		field("_CARDINALITY", fCardinality, wLong, 1)) // 1.0
	globalSpec = newSpec(true,
		field("_ROW_RANGE_START", fRangeStart, wLong, 0),
		field("_ROW_RANGE_END", fRangeEnd, wLong, 0),
		field("_INDEX_FIELD_ID", fIndexFieldID, wInt, 0),
		field("_EXTRA_FIELD_IDS", fExtraFieldIDs, wIntArray, 0),
		field("_INDEX_META", fIndexMeta, wBytes, 0),
		field("_SOURCE_META", fSourceMeta, wBytes, 1)) // 2.0
	indexSpec = newSpec(true,
		field("_VERSION", fVersion, wInt, 0),
		field("_KIND", fKind, wInt, 0),
		field("_PARTITION", fPartition, wBytes, 0),
		field("_BUCKET", fBucket, wInt, 0),
		field("_INDEX_TYPE", fIndexType, wString, 0),
		field("_FILE_NAME", fFileName, wString, 0),
		field("_FILE_SIZE", fFileSize, wLong, 0),
		field("_ROW_COUNT", fRowCount, wLong, 0),
		fieldSpec{name: "_DELETIONS_VECTORS_RANGES", code: fDVRanges, want: wRecordArray, since: 1, sub: dvSpec}, // 0.8
		field("_EXTERNAL_PATH", fExternalPath, wString, 2),                                                       // 1.3
		record("_GLOBAL_INDEX", fGlobalIndex, 3, globalSpec))                                                     // 1.4
)

// plan is a spec bound to one writer record schema.
type plan struct {
	rec    *node
	fields []fieldPlan
	has    map[int]bool
	fast   *fastEntryLayout // manifest entries the fast path reads (nil: none)
}

type fieldPlan struct {
	name string
	code int
	typ  *node
	sub  *plan // for fields holding a record (directly, in a union, or as array items)
}

// findRecord strips unions and arrays to the record inside n, if any.
func findRecord(n *node) *node {
	for depth := 0; n != nil && depth < 4; depth++ {
		switch n.kind {
		case kRecord:
			return n
		case kArray:
			n = n.items
		case kUnion:
			var next *node
			for _, b := range n.branches {
				if b.kind != kNull {
					next = b
					break
				}
			}
			n = next
		default:
			return nil
		}
	}
	return nil
}

// compile binds spec s to the writer record rec, checking that every
// field the writer's Paimon version always writes is there with the type
// Paimon gives it. path prefixes field names in errors.
func compile(rec *node, s *spec, path string) (*plan, error) {
	p := &plan{rec: rec, has: map[int]bool{}}
	present := make([]bool, len(s.fields))
	seen := map[string]bool{}
	var unknown []string
	for _, f := range rec.fields {
		if seen[f.name] {
			return nil, fmt.Errorf("writer schema has field %s%s twice", path, f.name)
		}
		seen[f.name] = true
		i, ok := s.index[f.name]
		if !ok {
			// Unknown fields are skipped, as Java does: newer Paimon
			// versions append fields.
			unknown = append(unknown, f.name)
			p.fields = append(p.fields, fieldPlan{name: f.name, code: fSkip, typ: f.typ})
			continue
		}
		fs := &s.fields[i]
		present[i] = true
		if !fs.want.matches(f.typ) {
			return nil, fmt.Errorf("field %s%s has writer type %s, want %s", path, f.name, typeName(f.typ), fs.want)
		}
		fp := fieldPlan{name: f.name, code: fs.code, typ: f.typ}
		if fs.sub != nil {
			sp, err := compile(findRecord(f.typ), fs.sub, path+f.name+".")
			if err != nil {
				return nil, err
			}
			fp.sub = sp
		}
		p.has[fs.code] = true
		p.fields = append(p.fields, fp)
	}
	if err := s.checkPresent(present, unknown, path); err != nil {
		return nil, err
	}
	return p, nil
}

// checkPresent reports the first field the writer schema lacks although
// the Paimon version that wrote it always writes it, and an unknown field
// that differs from a missing known one by one byte or by case (a damaged
// name).
func (s *spec) checkPresent(present []bool, unknown []string, path string) error {
	newest, newestAt := 0, -1
	groups := map[int]int{} // since -> a present field of that change
	for i, f := range s.fields {
		if present[i] && f.since > 0 {
			groups[f.since] = i
			if f.since > newest {
				newest, newestAt = f.since, i
			}
		}
	}
	for i, f := range s.fields {
		if present[i] {
			continue
		}
		var why string
		switch j, ok := groups[f.since]; {
		case f.since == 0:
		case ok:
			why = fmt.Sprintf(", which Paimon writes together with %s%s", path, s.fields[j].name)
		case s.chained && f.since < newest:
			why = fmt.Sprintf(", which every Paimon version writing %s%s writes", path, s.fields[newestAt].name)
		default:
			continue // written only by later versions
		}
		msg := fmt.Sprintf("writer schema lacks field %s%s%s", path, f.name, why)
		if u := similarName(unknown, f.name); u != "" {
			msg += fmt.Sprintf(" (it has an unknown field %s%s)", path, u)
		}
		return errors.New(msg)
	}
	for i, f := range s.fields {
		if !present[i] {
			if u := similarName(unknown, f.name); u != "" {
				return fmt.Errorf("writer schema has an unknown field %s%s in place of %s%s", path, u, path, f.name)
			}
		}
	}
	return nil
}

// similarName returns the name in names that differs from want only by
// letter case or in a single byte, or "".
func similarName(names []string, want string) string {
	for _, n := range names {
		if strings.EqualFold(n, want) {
			return n
		}
		if len(n) != len(want) {
			continue
		}
		diff := 0
		for i := 0; i < len(n); i++ {
			if n[i] != want[i] {
				diff++
			}
		}
		if diff == 1 {
			return n
		}
	}
	return ""
}

// topPlan compiles the file's top-level schema (a record or a ["null",
// record] union as written by Paimon <= 0.9).
func topPlan(h *container, s *spec) (*plan, error) {
	top, ok := nonNull(h.schema)
	if !ok || top.kind != kRecord {
		return nil, fmt.Errorf("%w: top-level schema is not a record", ErrCorrupt)
	}
	p, err := compile(top, s, "")
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if s == entrySpec {
		p.fast = fastLayout(h.schema, p)
	}
	return p, nil
}

type decoder struct {
	reader
	slab
	top     *node
	version int32

	// blockBytes sums the decoded blocks' sizes (the memory decoded
	// values point into).
	blockBytes int64
	// keep, when set, is asked about each manifest entry once its
	// partition and bucket are read; false skips its _FILE undecoded
	// (dropped is set, and the entry is counted in droppedKinds).
	keep         func(partition []byte, bucket int32) bool
	dropped      bool
	droppedKinds [2]int64
	// generic turns the fast path off (tests compare the two).
	generic bool
	// lastCounts are the null counts the fast path decoded last, of key
	// and of value statistics, and the bytes they decoded from.
	lastCounts [2]struct {
		raw    []byte
		counts []*int64
	}
}

// fieldError is a decoding or validation error in one field; field is a
// dotted path such as _FILE._LEVEL.
type fieldError struct {
	field string
	err   error
}

func (e *fieldError) Error() string { return e.field + ": " + e.err.Error() }
func (e *fieldError) Unwrap() error { return e.err }

// inField prefixes the path of d's error with name (the error was met
// while decoding field name).
func (d *decoder) inField(name string) {
	if fe, ok := d.err.(*fieldError); ok {
		d.err = &fieldError{name + "." + fe.field, fe.err}
		return
	}
	d.err = &fieldError{name, d.err}
}

// invalid reports a value that Paimon never writes.
func invalid(field, format string, args ...any) error {
	return &fieldError{field, fmt.Errorf(format, args...)}
}

// record resolves a (possibly union-wrapped) record value against p.rec.
// It returns false for null.
func (d *decoder) record(n *node, p *plan) bool {
	r := d.recordOf(n)
	if r == nil {
		return false
	}
	if r != p.rec {
		d.fail(errBadSchema)
		return false
	}
	return true
}

func (d *decoder) reqRecord(n *node, p *plan) bool {
	ok := d.record(n, p)
	if !ok && d.err == nil {
		d.fail(errNull)
	}
	return ok
}

var emptyCounts = []*int64{}

func (d *decoder) nullCounts(n *node) []*int64 {
	n = d.branch(n)
	switch n.kind {
	case kNull:
		return nil
	case kArray:
	default:
		d.fail(errBadSchema)
		return nil
	}
	var out []*int64
	for {
		c := d.count()
		if c == 0 || d.err != nil {
			break
		}
		start := len(out)
		out = d.morePtrs(out, c)
		for i := start; i < start+c && d.err == nil; i++ {
			if v, ok := d.optLong(n.items); ok {
				if v < 0 {
					d.fail(fmt.Errorf("negative null count %d", v))
				}
				out[i] = d.int64p(v)
			}
		}
	}
	if out == nil && d.err == nil {
		return emptyCounts
	}
	return out
}

func (d *decoder) stats(n *node, p *plan, s *SimpleStats) {
	if !d.reqRecord(n, p) {
		return
	}
	for i := range p.fields {
		f := &p.fields[i]
		switch f.code {
		case fMinValues:
			s.Min = d.reqBytes(f.typ)
		case fMaxValues:
			s.Max = d.reqBytes(f.typ)
		case fNullCounts:
			s.NullCounts = d.nullCounts(f.typ)
		default:
			d.skip(f.typ)
		}
		if d.err != nil {
			d.inField(f.name)
			return
		}
	}
}

func (d *decoder) optLongP(n *node) *int64 {
	if v, ok := d.optLong(n); ok {
		return d.int64p(v)
	}
	return nil
}

func (d *decoder) optIntP(n *node) *int32 {
	if v, ok := d.optInt(n); ok {
		return d.int32p(v)
	}
	return nil
}

func (d *decoder) optStringP(n *node) *string {
	if v, ok := d.optString(n); ok {
		return d.stringp(v)
	}
	return nil
}

func (d *decoder) longs(n *node) []int64 { return decodeArray(d, n, d.reqLong) }

func (d *decoder) ints(n *node) []int32 { return decodeArray(d, n, d.reqInt) }

// decodeArray reads a nullable Avro array whose items item decodes; a null
// array gives nil, an empty one a non-nil empty slice.
func decodeArray[T any](d *decoder, n *node, item func(*node) T) []T {
	n = d.branch(n)
	switch n.kind {
	case kNull:
		return nil
	case kArray:
	default:
		d.fail(errBadSchema)
		return nil
	}
	out := []T{}
	for {
		c := d.count()
		if c == 0 || d.err != nil {
			break
		}
		for ; c > 0 && d.err == nil; c-- {
			out = append(out, item(n.items))
		}
	}
	return out
}

func (d *decoder) dataFile(n *node, p *plan, f *DataFile) {
	if !d.reqRecord(n, p) {
		return
	}
	for i := range p.fields {
		fp := &p.fields[i]
		t := fp.typ
		switch fp.code {
		case fFileName:
			f.FileName = d.reqString(t)
		case fFileSize:
			f.FileSize = d.reqLong(t)
		case fRowCount:
			f.RowCount = d.reqLong(t)
		case fMinKey:
			f.MinKey = d.reqBytes(t)
		case fMaxKey:
			f.MaxKey = d.reqBytes(t)
		case fKeyStats:
			d.stats(t, fp.sub, &f.KeyStats)
		case fValueStats:
			d.stats(t, fp.sub, &f.ValueStats)
		case fMinSeq:
			f.MinSequenceNumber = d.reqLong(t)
		case fMaxSeq:
			f.MaxSequenceNumber = d.reqLong(t)
		case fSchemaID:
			f.SchemaID = d.reqLong(t)
		case fLevel:
			f.Level = d.reqInt(t)
		case fExtraFiles:
			f.ExtraFiles = d.optStrings(t)
			if len(f.ExtraFiles) == 0 {
				f.ExtraFiles = nil
			}
		case fCreationTime:
			f.CreationTime = d.optLongP(t)
		case fDeleteRowCount:
			f.DeleteRowCount = d.optLongP(t)
		case fEmbeddedIndex:
			f.EmbeddedIndex = d.optBytes(t)
		case fFileSource:
			f.FileSource = d.optIntP(t)
		case fValueStatsCols:
			f.ValueStatsCols = d.optStrings(t)
		case fExternalPath:
			f.ExternalPath = d.optStringP(t)
		case fFirstRowID:
			f.FirstRowID = d.optLongP(t)
		case fWriteCols:
			f.WriteCols = d.optStrings(t)
		case fWriteColsSeqs:
			f.WriteColsSequences = d.longs(t)
		default:
			d.skip(t)
		}
		if d.err != nil {
			d.inField(fp.name)
			return
		}
	}
	if err := checkDataFile(f); err != nil {
		d.fail(err)
	}
}

// checkDataFile rejects values Paimon never writes in a DataFileMeta.
func checkDataFile(f *DataFile) error {
	switch {
	case badName(f.FileName):
		return invalid("_FILE_NAME", "%q is not a file name", f.FileName)
	case f.FileSize < 0:
		return invalid("_FILE_SIZE", "negative size %d", f.FileSize)
	case f.RowCount < 0:
		return invalid("_ROW_COUNT", "negative count %d", f.RowCount)
	case f.SchemaID < 0:
		return invalid("_SCHEMA_ID", "negative schema id %d", f.SchemaID)
	case f.Level < 0:
		return invalid("_LEVEL", "negative level %d", f.Level)
	case f.DeleteRowCount != nil && (*f.DeleteRowCount < 0 || *f.DeleteRowCount > f.RowCount):
		return invalid("_DELETE_ROW_COUNT", "%d retract rows in a file of %d rows", *f.DeleteRowCount, f.RowCount)
	case f.FileSource != nil && *f.FileSource != FileSourceAppend && *f.FileSource != FileSourceCompact:
		return invalid("_FILE_SOURCE", "unknown file source %d", *f.FileSource)
	case f.FirstRowID != nil && *f.FirstRowID < 0:
		return invalid("_FIRST_ROW_ID", "negative row id %d", *f.FirstRowID)
	}
	for _, x := range f.ExtraFiles {
		if badName(x) {
			return invalid("_EXTRA_FILES", "%q is not a file name", x)
		}
	}
	if err := checkRow("_MIN_KEY", f.MinKey); err != nil {
		return err
	}
	return checkRow("_MAX_KEY", f.MaxKey)
}

// checkRow checks that b is a serialized BinaryRow: an arity, at least the
// fixed part, and a valid row kind in the header byte.
func checkRow(field string, b []byte) error {
	_, raw, err := binrow.Deserialize(b)
	if err != nil {
		return &fieldError{field, err}
	}
	if k := schema.RowKind(raw[0]); !k.Valid() {
		return invalid(field, "row kind %d", raw[0])
	}
	return nil
}

// badName reports a string that cannot be the name of a file Paimon
// wrote: empty, not UTF-8 (Avro strings are UTF-8), or holding a path
// separator or a control character.
func badName(s string) bool {
	if s == "" {
		return true
	}
	var or byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if notInName[c] {
			return true
		}
		or |= c
	}
	return or >= utf8.RuneSelf && !utf8.ValidString(s)
}

// notInName marks the bytes no file name holds.
var notInName = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = true
	}
	t[0x7f], t['/'] = true, true
	return t
}()

// begin reads the top-level union branch (if any) of one record.
func (d *decoder) begin(p *plan) bool {
	return d.reqRecord(d.top, p)
}

// checkVersion checks the _VERSION of record i against the version this
// package reads (want) and that of the file's first record (first, 0
// before it is known). Every record of a file comes from one serializer, so
// a record that differs from the first one, or a version below 1, is
// damage; a file whose records agree on another version is one this
// package does not know.
func (d *decoder) checkVersion(i int, want int32, first *int32) error {
	v := d.version
	switch {
	case v < 1:
		return fmt.Errorf("%w: record %d: _VERSION %d", ErrCorrupt, i, v)
	case *first != 0 && v != *first:
		return fmt.Errorf("%w: record %d: _VERSION %d, record 0 has %d", ErrCorrupt, i, v, *first)
	case v != want:
		return fmt.Errorf("%w: _VERSION %d (want %d)", ErrUnsupportedVersion, v, want)
	}
	*first = v
	return nil
}

// fileKind reads _KIND, which must be 0 (ADD) or 1 (DELETE).
func (d *decoder) fileKind(t *node) FileKind {
	k := d.reqInt(t)
	if d.err == nil && k != 0 && k != 1 {
		d.fail(fmt.Errorf("unknown kind %d", k))
	}
	return FileKind(k)
}

func (d *decoder) entry(p *plan, e *Entry) {
	if p.fast != nil && !d.generic {
		start := d.i
		if d.fastEntry(p.fast, e) {
			return
		}
		// Decode the record again, and report its error, the slow way.
		d.i, d.err, d.version = start, nil, -1
		*e = Entry{}
	}
	if !d.begin(p) {
		return
	}
	var gotPart, gotBucket bool // keep is asked only once both are read
	for i := range p.fields {
		fp := &p.fields[i]
		t := fp.typ
		switch fp.code {
		case fVersion:
			d.version = d.reqInt(t)
		case fKind:
			e.Kind = d.fileKind(t)
		case fPartition:
			e.Partition, gotPart = d.reqBytes(t), true
		case fBucket:
			e.Bucket, gotBucket = d.reqInt(t), true
		case fTotalBuckets:
			e.TotalBuckets = d.reqInt(t)
		case fFile:
			if d.keep != nil && gotPart && gotBucket && d.err == nil && !d.keep(e.Partition, e.Bucket) {
				d.dropped = true
				d.skip(t)
				break
			}
			d.dataFile(t, fp.sub, &e.File)
		default:
			d.skip(t)
		}
		if d.err != nil {
			d.inField(fp.name)
			return
		}
	}
	if err := checkEntry(e); err != nil {
		d.fail(err)
	}
}

// checkEntry rejects values Paimon never writes in a ManifestEntry (its
// DataFileMeta is checked by checkDataFile).
func checkEntry(e *Entry) error {
	if err := checkRow("_PARTITION", e.Partition); err != nil {
		return err
	}
	return checkBucket(e.Bucket, e.TotalBuckets)
}

// checkBucket checks a bucket and the bucket count in force: buckets are
// numbered from 0, -2 is the postpone bucket; counts are positive, -1
// (dynamic or unaware bucket) or -2 (postpone).
func checkBucket(bucket, total int32) error {
	switch {
	case bucket < -2:
		return invalid("_BUCKET", "bucket %d", bucket)
	case total < -2:
		return invalid("_TOTAL_BUCKETS", "%d buckets", total)
	case total > 0 && bucket >= total:
		return invalid("_BUCKET", "bucket %d of %d", bucket, total)
	}
	return nil
}

func (d *decoder) fileMeta(p *plan, m *FileMeta) {
	if !d.begin(p) {
		return
	}
	for i := range p.fields {
		fp := &p.fields[i]
		t := fp.typ
		switch fp.code {
		case fVersion:
			d.version = d.reqInt(t)
		case fFileName:
			m.FileName = d.reqString(t)
		case fFileSize:
			m.FileSize = d.reqLong(t)
		case fNumAdded:
			m.NumAddedFiles = d.reqLong(t)
		case fNumDeleted:
			m.NumDeletedFiles = d.reqLong(t)
		case fPartitionStats:
			d.stats(t, fp.sub, &m.PartitionStats)
		case fSchemaID:
			m.SchemaID = d.reqLong(t)
		case fMinBucket:
			m.MinBucket = d.optIntP(t)
		case fMaxBucket:
			m.MaxBucket = d.optIntP(t)
		case fMinLevel:
			m.MinLevel = d.optIntP(t)
		case fMaxLevel:
			m.MaxLevel = d.optIntP(t)
		case fMinRowID:
			m.MinRowID = d.optLongP(t)
		case fMaxRowID:
			m.MaxRowID = d.optLongP(t)
		default:
			d.skip(t)
		}
		if d.err != nil {
			d.inField(fp.name)
			return
		}
	}
	if err := checkFileMeta(m); err != nil {
		d.fail(err)
	}
}

// checkFileMeta rejects values Paimon never writes in a ManifestFileMeta.
// Bucket and level ranges are checked only for non-empty manifests (Java
// leaves its running minimum above its maximum when there is no entry).
func checkFileMeta(m *FileMeta) error {
	switch {
	case badName(m.FileName):
		return invalid("_FILE_NAME", "%q is not a file name", m.FileName)
	case m.FileSize < 0:
		return invalid("_FILE_SIZE", "negative size %d", m.FileSize)
	case m.NumAddedFiles < 0:
		return invalid("_NUM_ADDED_FILES", "negative count %d", m.NumAddedFiles)
	case m.NumDeletedFiles < 0:
		return invalid("_NUM_DELETED_FILES", "negative count %d", m.NumDeletedFiles)
	case m.SchemaID < 0:
		return invalid("_SCHEMA_ID", "negative schema id %d", m.SchemaID)
	case (m.MinBucket == nil) != (m.MaxBucket == nil):
		return invalid("_MIN_BUCKET", "bucket range with one end null")
	case (m.MinLevel == nil) != (m.MaxLevel == nil):
		return invalid("_MIN_LEVEL", "level range with one end null")
	case (m.MinRowID == nil) != (m.MaxRowID == nil):
		return invalid("_MIN_ROW_ID", "row-id range with one end null")
	}
	if m.NumAddedFiles+m.NumDeletedFiles == 0 {
		return nil
	}
	switch {
	case m.MinBucket != nil && (*m.MinBucket < -2 || *m.MinBucket > *m.MaxBucket):
		return invalid("_MIN_BUCKET", "bucket range %d..%d", *m.MinBucket, *m.MaxBucket)
	case m.MinLevel != nil && (*m.MinLevel < 0 || *m.MinLevel > *m.MaxLevel):
		return invalid("_MIN_LEVEL", "level range %d..%d", *m.MinLevel, *m.MaxLevel)
	}
	return nil
}

func (d *decoder) dvRanges(n *node, p *plan) []DVRange {
	n = d.branch(n)
	switch n.kind {
	case kNull:
		return nil
	case kArray:
	default:
		d.fail(errBadSchema)
		return nil
	}
	out := []DVRange{}
	for {
		c := d.count()
		if c == 0 || d.err != nil {
			break
		}
		for ; c > 0 && d.err == nil; c-- {
			var r DVRange
			if !d.reqRecord(n.items, p) {
				break
			}
			for i := range p.fields {
				fp := &p.fields[i]
				switch fp.code {
				case fDVFile:
					r.DataFile = d.reqString(fp.typ)
				case fDVOffset:
					r.Offset = d.reqInt(fp.typ)
				case fDVLength:
					r.Length = d.reqInt(fp.typ)
				case fCardinality:
					r.Cardinality = d.optLongP(fp.typ)
				default:
					d.skip(fp.typ)
				}
				if d.err != nil {
					d.inField(fp.name)
					return out
				}
			}
			out = append(out, r)
		}
	}
	return out
}

func (d *decoder) globalIndex(n *node, p *plan) *GlobalIndexMeta {
	if !d.record(n, p) {
		return nil
	}
	g := &GlobalIndexMeta{}
	for i := range p.fields {
		fp := &p.fields[i]
		t := fp.typ
		switch fp.code {
		case fRangeStart:
			g.RowRangeStart = d.reqLong(t)
		case fRangeEnd:
			g.RowRangeEnd = d.reqLong(t)
		case fIndexFieldID:
			g.IndexFieldID = d.reqInt(t)
		case fExtraFieldIDs:
			g.ExtraFieldIDs = d.ints(t)
		case fIndexMeta:
			g.IndexMeta = d.optBytes(t)
		case fSourceMeta:
			g.SourceMeta = d.optBytes(t)
		default:
			d.skip(t)
		}
		if d.err != nil {
			d.inField(fp.name)
			return g
		}
	}
	return g
}

func (d *decoder) indexEntry(p *plan, e *IndexEntry) {
	if !d.begin(p) {
		return
	}
	for i := range p.fields {
		fp := &p.fields[i]
		t := fp.typ
		switch fp.code {
		case fVersion:
			d.version = d.reqInt(t)
		case fKind:
			e.Kind = d.fileKind(t)
		case fPartition:
			e.Partition = d.reqBytes(t)
		case fBucket:
			e.Bucket = d.reqInt(t)
		case fIndexType:
			e.IndexType = d.reqString(t)
		case fFileName:
			e.FileName = d.reqString(t)
		case fFileSize:
			e.FileSize = d.reqLong(t)
		case fRowCount:
			e.RowCount = d.reqLong(t)
		case fDVRanges:
			e.DVRanges = d.dvRanges(t, fp.sub)
		case fExternalPath:
			e.ExternalPath = d.optStringP(t)
		case fGlobalIndex:
			e.GlobalIndex = d.globalIndex(t, fp.sub)
		default:
			d.skip(t)
		}
		if d.err != nil {
			d.inField(fp.name)
			return
		}
	}
	if e.IndexType == IndexDeletionVectors && !p.has[fDVRanges] {
		d.fail(errors.New("writer schema lacks field _DELETIONS_VECTORS_RANGES, which every deletion-vector entry has"))
		return
	}
	if err := checkIndexEntry(e); err != nil {
		d.fail(err)
	}
}

// checkIndexEntry rejects values Paimon never writes in an
// IndexManifestEntry. An index manifest is the full state of a snapshot's
// index files, so every entry is an ADD (Java refuses others too). Only
// deletion-vector entries have ranges and only global-index entries (any
// type but HASH and DELETION_VECTORS) have global-index metadata. A
// deletion-vector file holds one vector per data file, each inside the
// file, and records their number as its row count.
func checkIndexEntry(e *IndexEntry) error {
	switch {
	case e.Kind != Add:
		return invalid("_KIND", "%s entry in an index manifest", e.Kind)
	case e.IndexType == "":
		return invalid("_INDEX_TYPE", "empty")
	case badName(e.FileName):
		return invalid("_FILE_NAME", "%q is not a file name", e.FileName)
	case e.FileSize < 0:
		return invalid("_FILE_SIZE", "negative size %d", e.FileSize)
	case e.RowCount < 0:
		return invalid("_ROW_COUNT", "negative count %d", e.RowCount)
	case e.Bucket < -2:
		return invalid("_BUCKET", "bucket %d", e.Bucket)
	}
	if err := checkRow("_PARTITION", e.Partition); err != nil {
		return err
	}
	switch e.IndexType {
	case IndexDeletionVectors, IndexHash:
		if e.GlobalIndex != nil {
			return invalid("_GLOBAL_INDEX", "%s entry with global-index metadata", e.IndexType)
		}
	default:
		// Since 1.4 every other index type is a global index; earlier
		// releases write only HASH and DELETION_VECTORS.
		if e.GlobalIndex == nil {
			return invalid("_INDEX_TYPE", "unknown index type %q without global-index metadata", e.IndexType)
		}
	}
	if e.IndexType != IndexDeletionVectors {
		if e.DVRanges != nil {
			return invalid("_DELETIONS_VECTORS_RANGES", "%s entry with deletion-vector ranges", e.IndexType)
		}
		return nil
	}
	if int64(len(e.DVRanges)) != e.RowCount {
		return invalid("_DELETIONS_VECTORS_RANGES", "%d deletion vectors, _ROW_COUNT says %d", len(e.DVRanges), e.RowCount)
	}
	seen := make(map[string]bool, len(e.DVRanges))
	for i := range e.DVRanges {
		r := &e.DVRanges[i]
		switch {
		case badName(r.DataFile):
			return invalid("_DELETIONS_VECTORS_RANGES.f0", "%q is not a file name", r.DataFile)
		case seen[r.DataFile]:
			return invalid("_DELETIONS_VECTORS_RANGES.f0", "two deletion vectors for data file %s", r.DataFile)
		case r.Offset < 1 || r.Length < 0 || int64(r.Offset)+int64(r.Length) > e.FileSize:
			return invalid("_DELETIONS_VECTORS_RANGES", "deletion vector of %s at (%d, %d) outside index file of %d bytes", r.DataFile, r.Offset, r.Length, e.FileSize)
		case r.Cardinality != nil && *r.Cardinality < 0:
			return invalid("_DELETIONS_VECTORS_RANGES._CARDINALITY", "negative cardinality %d", *r.Cardinality)
		}
		seen[r.DataFile] = true
	}
	return nil
}

// decodeFile runs one record decoder over every record of an Avro file.
// d may be nil, or carry a keep function. Records are appended to dst
// (when it has room; nil: a new slice).
func decodeFile[T any](name string, b []byte, s *spec, want int32, d *decoder, dst []T, one func(d *decoder, p *plan, v *T)) ([]T, error) {
	h, err := parseHeader(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	p, err := topPlan(h, s)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if d == nil {
		d = &decoder{}
	}
	d.top = h.schema
	var first int32
	// Size the result from the block headers, bounded by the file size so
	// a bogus count cannot force a large allocation.
	out := dst[:0]
	if cap(out) == 0 {
		out = make([]T, 0, min(countRecords(b, h), len(b)/4+1))
	}
	rec := 0 // records decoded, dropped ones too
	err = readBlocks(b, h, func(r *reader, count int) error {
		d.reader = *r
		d.blockBytes += int64(len(r.b))
		out = growCap(out, count)
		for range count {
			// Capacity past len is zero (fresh, or cleared when an
			// entry is dropped): extend without writing zeros again.
			out = out[:len(out)+1]
			d.version = -1
			d.dropped = false
			one(d, p, &out[len(out)-1])
			if d.err != nil {
				return fmt.Errorf("%w: record %d: %v", ErrCorrupt, rec, d.err)
			}
			if err := d.checkVersion(rec, want, &first); err != nil {
				return err
			}
			rec++
			if d.dropped {
				if e, ok := any(&out[len(out)-1]).(*Entry); ok {
					d.droppedKinds[e.Kind]++
				}
				out[len(out)-1] = *new(T)
				out = out[:len(out)-1]
			}
		}
		*r = d.reader
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return out, nil
}

// countRecords sums the record counts of the block headers, stopping at
// the first malformed header (the decoding pass reports it).
func countRecords(b []byte, h *container) int {
	r := reader{b: b, i: h.body}
	total := 0
	for r.i < len(b) {
		count, size := r.long(), r.long()
		if r.err != nil || count < 0 || size < 0 || size > int64(len(b)-r.i-16) {
			break
		}
		r.i += int(size) + 16
		total += int(min(count, int64(len(b))))
	}
	return total
}

func growCap[T any](s []T, n int) []T {
	if cap(s)-len(s) >= n {
		return s
	}
	c := max(len(s)+n, 2*cap(s))
	ns := make([]T, len(s), c)
	copy(ns, s)
	return ns
}

// DecodeList decodes a manifest list. name is used in error messages.
// The result shares memory with internal buffers, not with b.
func DecodeList(name string, b []byte) ([]FileMeta, error) {
	return decodeFile(name, b, listSpec, Version, nil, nil, (*decoder).fileMeta)
}

// DecodeManifest decodes a manifest file.
func DecodeManifest(name string, b []byte) ([]Entry, error) {
	return decodeFile(name, b, entrySpec, Version, nil, nil, (*decoder).entry)
}

// DecodeIndexManifest decodes an index manifest.
func DecodeIndexManifest(name string, b []byte) ([]IndexEntry, error) {
	return decodeFile(name, b, indexSpec, IndexVersion, nil, nil, (*decoder).indexEntry)
}

// morePtrs extends out by c pointers for the next block of an array of
// optional longs (the first block from the decoder's slab).
func (d *decoder) morePtrs(out []*int64, c int) []*int64 {
	if out == nil {
		return d.ptrs(c)
	}
	return append(out, make([]*int64, c)...)
}
