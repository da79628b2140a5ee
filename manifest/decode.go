package manifest

import (
	"fmt"
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

// spec maps field names of one record to codes and nested specs.
type spec struct {
	codes map[string]int
	subs  map[int]*spec
}

var (
	statsSpec = &spec{codes: map[string]int{
		"_MIN_VALUES": fMinValues, "_MAX_VALUES": fMaxValues, "_NULL_COUNTS": fNullCounts,
	}}
	fileSpec = &spec{codes: map[string]int{
		"_FILE_NAME": fFileName, "_FILE_SIZE": fFileSize, "_ROW_COUNT": fRowCount,
		"_MIN_KEY": fMinKey, "_MAX_KEY": fMaxKey, "_KEY_STATS": fKeyStats, "_VALUE_STATS": fValueStats,
		"_MIN_SEQUENCE_NUMBER": fMinSeq, "_MAX_SEQUENCE_NUMBER": fMaxSeq, "_SCHEMA_ID": fSchemaID,
		"_LEVEL": fLevel, "_EXTRA_FILES": fExtraFiles, "_CREATION_TIME": fCreationTime,
		"_DELETE_ROW_COUNT": fDeleteRowCount, "_EMBEDDED_FILE_INDEX": fEmbeddedIndex,
		"_FILE_SOURCE": fFileSource, "_VALUE_STATS_COLS": fValueStatsCols, "_EXTERNAL_PATH": fExternalPath,
		"_FIRST_ROW_ID": fFirstRowID, "_WRITE_COLS": fWriteCols, "_WRITE_COLS_SEQUENCES": fWriteColsSeqs,
	}, subs: map[int]*spec{fKeyStats: statsSpec, fValueStats: statsSpec}}
	entrySpec = &spec{codes: map[string]int{
		"_VERSION": fVersion, "_KIND": fKind, "_PARTITION": fPartition, "_BUCKET": fBucket,
		"_TOTAL_BUCKETS": fTotalBuckets, "_FILE": fFile,
	}, subs: map[int]*spec{fFile: fileSpec}}
	listSpec = &spec{codes: map[string]int{
		"_VERSION": fVersion, "_FILE_NAME": fFileName, "_FILE_SIZE": fFileSize,
		"_NUM_ADDED_FILES": fNumAdded, "_NUM_DELETED_FILES": fNumDeleted,
		"_PARTITION_STATS": fPartitionStats, "_SCHEMA_ID": fSchemaID,
		"_MIN_BUCKET": fMinBucket, "_MAX_BUCKET": fMaxBucket, "_MIN_LEVEL": fMinLevel,
		"_MAX_LEVEL": fMaxLevel, "_MIN_ROW_ID": fMinRowID, "_MAX_ROW_ID": fMaxRowID,
	}, subs: map[int]*spec{fPartitionStats: statsSpec}}
	dvSpec = &spec{codes: map[string]int{
		"f0": fDVFile, "f1": fDVOffset, "f2": fDVLength, "_CARDINALITY": fCardinality,
	}}
	globalSpec = &spec{codes: map[string]int{
		"_ROW_RANGE_START": fRangeStart, "_ROW_RANGE_END": fRangeEnd, "_INDEX_FIELD_ID": fIndexFieldID,
		"_EXTRA_FIELD_IDS": fExtraFieldIDs, "_INDEX_META": fIndexMeta, "_SOURCE_META": fSourceMeta,
	}}
	indexSpec = &spec{codes: map[string]int{
		"_VERSION": fVersion, "_KIND": fKind, "_PARTITION": fPartition, "_BUCKET": fBucket,
		"_INDEX_TYPE": fIndexType, "_FILE_NAME": fFileName, "_FILE_SIZE": fFileSize,
		"_ROW_COUNT": fRowCount, "_DELETIONS_VECTORS_RANGES": fDVRanges,
		"_EXTERNAL_PATH": fExternalPath, "_GLOBAL_INDEX": fGlobalIndex,
	}, subs: map[int]*spec{fDVRanges: dvSpec, fGlobalIndex: globalSpec}}
)

// plan is a spec bound to one writer record schema.
type plan struct {
	rec    *node
	fields []fieldPlan
	has    map[int]bool
}

type fieldPlan struct {
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

func compile(rec *node, s *spec) (*plan, error) {
	p := &plan{rec: rec, has: map[int]bool{}}
	for _, f := range rec.fields {
		code := s.codes[f.name]
		fp := fieldPlan{code: code, typ: f.typ}
		if sub := s.subs[code]; sub != nil {
			r := findRecord(f.typ)
			if r == nil {
				return nil, fmt.Errorf("field %s is not a record", f.name)
			}
			sp, err := compile(r, sub)
			if err != nil {
				return nil, err
			}
			fp.sub = sp
		}
		p.has[code] = true
		p.fields = append(p.fields, fp)
	}
	return p, nil
}

// topPlan compiles the file's top-level schema (a record or a ["null",
// record] union as written by Paimon <= 0.9).
func topPlan(h *container, s *spec) (*plan, error) {
	rec := findRecord(h.schema)
	if rec == nil || (h.schema.kind != kRecord && h.schema.kind != kUnion) {
		return nil, fmt.Errorf("%w: top-level schema is not a record", ErrCorrupt)
	}
	p, err := compile(rec, s)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if !p.has[fVersion] {
		return nil, fmt.Errorf("%w: schema has no _VERSION field", ErrCorrupt)
	}
	return p, nil
}

type decoder struct {
	reader
	slab
	file    string
	top     *node
	version int32
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
		d.fail(errBadValue)
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
		if out == nil {
			out = d.ptrs(c)
		} else {
			out = append(out, make([]*int64, c)...)
		}
		for i := start; i < start+c && d.err == nil; i++ {
			if v, ok := d.optLong(n.items); ok {
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
	}
}

// begin reads the top-level union branch (if any) of one record.
func (d *decoder) begin(p *plan) bool {
	return d.reqRecord(d.top, p)
}

func (d *decoder) checkVersion(want int32) error {
	if d.err == nil && d.version != want {
		return fmt.Errorf("%s: %w: _VERSION %d (want %d)", d.file, ErrUnsupportedVersion, d.version, want)
	}
	return nil
}

// fileKind reads _KIND, which must be 0 (ADD) or 1 (DELETE).
func (d *decoder) fileKind(t *node) FileKind {
	k := d.reqInt(t)
	if k != 0 && k != 1 {
		d.fail(errBadValue)
	}
	return FileKind(k)
}

func (d *decoder) entry(p *plan, e *Entry) {
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
		case fTotalBuckets:
			e.TotalBuckets = d.reqInt(t)
		case fFile:
			d.dataFile(t, fp.sub, &e.File)
		default:
			d.skip(t)
		}
	}
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
	}
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
	}
}

// decodeFile runs one record decoder over every record of an Avro file.
func decodeFile[T any](name string, b []byte, s *spec, want int32, one func(d *decoder, p *plan, v *T)) ([]T, error) {
	h, err := parseHeader(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	p, err := topPlan(h, s)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	d := &decoder{file: name, top: h.schema}
	// Size the result from the block headers, bounded by the file size so
	// a bogus count cannot force a large allocation.
	out := make([]T, 0, min(countRecords(b, h), len(b)/4+1))
	err = readBlocks(b, h, func(r *reader, count int) error {
		d.reader = *r
		out = growCap(out, count)
		for range count {
			out = append(out, *new(T))
			d.version = -1
			one(d, p, &out[len(out)-1])
			if d.err != nil {
				break
			}
			if err := d.checkVersion(want); err != nil {
				return err
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
	return decodeFile(name, b, listSpec, Version, (*decoder).fileMeta)
}

// DecodeManifest decodes a manifest file.
func DecodeManifest(name string, b []byte) ([]Entry, error) {
	return decodeFile(name, b, entrySpec, Version, (*decoder).entry)
}

// DecodeIndexManifest decodes an index manifest.
func DecodeIndexManifest(name string, b []byte) ([]IndexEntry, error) {
	return decodeFile(name, b, indexSpec, IndexVersion, (*decoder).indexEntry)
}
