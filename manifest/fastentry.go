package manifest

import "unsafe"

// A fast path for manifest entries in the layouts Java Paimon 1.0 and
// later write (and floe writes): the fields of ManifestEntry and
// DataFileMeta in Paimon's order, required fields not nullable, optional
// ones ["null", T] unions, and the fields of later releases appended in
// order. For such a file the record is decoded by straight-line code
// instead of the schema-driven loop of decoder.entry.
//
// The fast path never reports an error: at anything it does not accept
// (damage, a union branch it does not expect, a value the checks reject)
// it gives up, and decoder.entry decodes the record again from its start
// with the schema-driven decoder, which gives the error. A record the
// fast path accepts decodes to exactly what the schema-driven decoder
// gives (FuzzFastEntry compares them).

// fastFileFields are the _FILE fields in Paimon's order, each with the
// one writer type the fast path reads for it. Fields from
// fastFileRequired on are optional unions added by later releases.
var fastFileFields = [...]struct {
	code int
	form fastForm
}{
	{fFileName, ffString},
	{fFileSize, ffLong},
	{fRowCount, ffLong},
	{fMinKey, ffBytes},
	{fMaxKey, ffBytes},
	{fKeyStats, ffStats},
	{fValueStats, ffStats},
	{fMinSeq, ffLong},
	{fMaxSeq, ffLong},
	{fSchemaID, ffLong},
	{fLevel, ffInt},
	{fExtraFiles, ffStrings},
	{fCreationTime, ffOptLong},
	{fDeleteRowCount, ffOptLong},
	{fEmbeddedIndex, ffOptBytes},
	{fFileSource, ffOptInt},
	{fValueStatsCols, ffOptStrings},
	{fExternalPath, ffOptString},
	{fFirstRowID, ffOptLong},
	{fWriteCols, ffOptStrings},
	{fWriteColsSeqs, ffOptLongs},
}

// fastFileRequired is how many leading fields of fastFileFields a layout
// must have (every release from 0.4 writes them).
const fastFileRequired = 13

var fastEntryFields = [...]struct {
	code int
	form fastForm
}{
	{fVersion, ffInt},
	{fKind, ffInt},
	{fPartition, ffBytes},
	{fBucket, ffInt},
	{fTotalBuckets, ffInt},
	{fFile, ffRecord},
}

type fastForm uint8

const (
	ffInt fastForm = iota
	ffLong
	ffString
	ffBytes
	ffRecord
	ffStats
	ffStrings
	ffOptLong
	ffOptInt
	ffOptBytes
	ffOptString
	ffOptStrings
	ffOptLongs
)

// fastEntryLayout is a manifest schema the fast path reads: how many of
// fastFileFields the _FILE record has.
type fastEntryLayout struct {
	fileFields int
}

// isKind reports whether n is the primitive k (not a union).
func isKind(n *node, k kind) bool { return n != nil && n.kind == k }

// optOf returns T of a ["null", T] union (nil for anything else).
func optOf(n *node) *node {
	if n == nil || n.kind != kUnion || len(n.branches) != 2 || n.branches[0].kind != kNull {
		return nil
	}
	return n.branches[1]
}

func (f fastForm) matches(n *node) bool {
	switch f {
	case ffInt:
		return isKind(n, kInt)
	case ffLong:
		return isKind(n, kLong)
	case ffString:
		return isKind(n, kString)
	case ffBytes:
		return isKind(n, kBytes)
	case ffRecord:
		return isKind(n, kRecord)
	case ffStats:
		if !isKind(n, kRecord) || len(n.fields) != 3 {
			return false
		}
		fs := n.fields
		a := optOf(fs[2].typ)
		return fs[0].name == "_MIN_VALUES" && isKind(fs[0].typ, kBytes) &&
			fs[1].name == "_MAX_VALUES" && isKind(fs[1].typ, kBytes) &&
			fs[2].name == "_NULL_COUNTS" && isKind(a, kArray) && isKind(optOf(a.items), kLong)
	case ffStrings:
		return isKind(n, kArray) && isKind(n.items, kString)
	case ffOptLong:
		return isKind(optOf(n), kLong)
	case ffOptInt:
		return isKind(optOf(n), kInt)
	case ffOptBytes:
		return isKind(optOf(n), kBytes)
	case ffOptString:
		return isKind(optOf(n), kString)
	case ffOptStrings:
		a := optOf(n)
		return isKind(a, kArray) && isKind(a.items, kString)
	case ffOptLongs:
		a := optOf(n)
		return isKind(a, kArray) && isKind(a.items, kLong)
	}
	return false
}

// fastLayout returns the fast layout of a compiled manifest-entry plan
// whose top-level schema is top, or nil when the fast path does not read
// it.
func fastLayout(top *node, p *plan) *fastEntryLayout {
	if top != p.rec || len(p.fields) != len(fastEntryFields) {
		return nil
	}
	for i, f := range fastEntryFields {
		if p.fields[i].code != f.code || !f.form.matches(p.fields[i].typ) {
			return nil
		}
	}
	fp := p.fields[len(p.fields)-1].sub
	if fp == nil || fp.rec != p.fields[len(p.fields)-1].typ {
		return nil
	}
	n := len(fp.fields)
	if n < fastFileRequired || n > len(fastFileFields) {
		return nil
	}
	for i := range n {
		f := fastFileFields[i]
		if fp.fields[i].code != f.code || !f.form.matches(fp.fields[i].typ) {
			return nil
		}
		if f.form == ffStats && fp.fields[i].sub.rec != fp.fields[i].typ {
			return nil
		}
	}
	return &fastEntryLayout{fileFields: n}
}

// Fast readers: they read like reader's, setting r.err on damage. The
// caller checks r.err once per record.

// varint reads a zigzag varint, with the one-byte case inline.
func (r *reader) varint() int64 {
	if r.i < len(r.b) {
		if c := r.b[r.i]; c < 0x80 {
			r.i++
			return int64(c>>1) ^ -int64(c&1)
		}
	}
	return r.long()
}

// int32v reads an int (a varint in int32 range).
func (r *reader) int32v() int32 {
	v := r.varint()
	if int64(int32(v)) != v {
		r.fail(errBadValue)
	}
	return int32(v)
}

// opt reads the branch of a ["null", T] union: false for null.
func (r *reader) opt() bool {
	if r.i < len(r.b) {
		switch r.b[r.i] {
		case 0:
			r.i++
			return false
		case 2:
			r.i++
			return true
		}
	}
	r.fail(errBadValue)
	return false
}

// rawBytes is reader.bytes with the one-byte length inline.
func (r *reader) rawBytes() []byte {
	if r.i < len(r.b) {
		if c := r.b[r.i]; c < 0x80 && c&1 == 0 {
			n := int(c >> 1)
			if j := r.i + 1 + n; j <= len(r.b) {
				out := r.b[r.i+1 : j : j]
				r.i = j
				return out
			}
		}
	}
	return r.bytes()
}

func (r *reader) rawStr() string {
	b := r.rawBytes()
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// fastStrings reads array<string>: nil for an empty array.
func (d *decoder) fastStrings() []string {
	var out []string
	for {
		c := d.count()
		if c == 0 || d.err != nil {
			return out
		}
		if out == nil {
			out = make([]string, 0, c)
		}
		for ; c > 0 && d.err == nil; c-- {
			out = append(out, d.rawStr())
		}
	}
}

// fastOptStrings reads ["null", array<string>] as optStrings does.
func (d *decoder) fastOptStrings() []string {
	if !d.opt() {
		return nil
	}
	out := d.fastStrings()
	if out == nil && d.err == nil {
		return emptyStrings
	}
	return out
}

func (d *decoder) fastOptLong() *int64 {
	if !d.opt() {
		return nil
	}
	return d.int64p(d.varint())
}

// fastStats reads a stats record as decoder.stats does; false means the
// record must go to the schema-driven decoder.
//
// which (0: key, 1: value statistics) selects the null counts of the last
// record to compare with: when this record's encoding of them is the
// same, its NullCounts is that record's slice. An encoding that decoded
// once decodes again to the same values from exactly the same bytes, so
// comparing bytes is enough; tables whose files have the same null counts
// (all zero, say) then take no slice per file.
func (d *decoder) fastStats(s *SimpleStats, which int) bool {
	s.Min = d.rawBytes()
	s.Max = d.rawBytes()
	if !d.opt() {
		return true
	}
	last := &d.lastCounts[which]
	start := d.i
	if d.err == nil && len(last.raw) > 0 && len(d.b)-start >= len(last.raw) && string(d.b[start:start+len(last.raw)]) == string(last.raw) {
		d.i += len(last.raw)
		s.NullCounts = last.counts
		return true
	}
	var out []*int64
	for {
		c := d.count()
		if c == 0 || d.err != nil {
			break
		}
		start := len(out)
		out = d.morePtrs(out, c)
		for i := start; i < start+c; i++ {
			if !d.opt() {
				continue
			}
			v := d.varint()
			if v < 0 || d.err != nil {
				return false
			}
			out[i] = d.int64p(v)
		}
	}
	if out == nil {
		out = emptyCounts
	}
	s.NullCounts = out
	if d.err != nil {
		return false
	}
	last.raw, last.counts = d.b[start:d.i], out
	return true
}

// fastEntry decodes one record of layout l into e. It returns false,
// leaving the reader anywhere, when the record is not one it accepts.
func (d *decoder) fastEntry(l *fastEntryLayout, e *Entry) bool {
	d.version = d.int32v()
	k := d.varint()
	if k != 0 && k != 1 {
		return false
	}
	e.Kind = FileKind(k)
	e.Partition = d.rawBytes()
	e.Bucket = d.int32v()
	e.TotalBuckets = d.int32v()
	if d.err != nil {
		return false
	}
	if d.keep != nil && !d.keep(e.Partition, e.Bucket) {
		return false // the schema-driven decoder skips _FILE
	}
	f := &e.File
	f.FileName = d.rawStr()
	f.FileSize = d.varint()
	f.RowCount = d.varint()
	f.MinKey = d.rawBytes()
	f.MaxKey = d.rawBytes()
	if !d.fastStats(&f.KeyStats, 0) || !d.fastStats(&f.ValueStats, 1) {
		return false
	}
	f.MinSequenceNumber = d.varint()
	f.MaxSequenceNumber = d.varint()
	f.SchemaID = d.varint()
	f.Level = d.int32v()
	f.ExtraFiles = d.fastStrings()
	f.CreationTime = d.fastOptLong()
	n := l.fileFields
	if n > 13 {
		f.DeleteRowCount = d.fastOptLong()
	}
	if n > 14 && d.opt() {
		f.EmbeddedIndex = d.rawBytes()
	}
	if n > 15 && d.opt() {
		f.FileSource = d.int32p(d.int32v())
	}
	if n > 16 {
		f.ValueStatsCols = d.fastOptStrings()
	}
	if n > 17 && d.opt() {
		f.ExternalPath = d.stringp(d.rawStr())
	}
	if n > 18 {
		f.FirstRowID = d.fastOptLong()
	}
	if n > 19 {
		f.WriteCols = d.fastOptStrings()
	}
	if n > 20 && d.opt() {
		f.WriteColsSequences = []int64{}
		for {
			c := d.count()
			if c == 0 || d.err != nil {
				break
			}
			for ; c > 0; c-- {
				f.WriteColsSequences = append(f.WriteColsSequences, d.varint())
			}
		}
	}
	return d.err == nil && checkDataFile(f) == nil && checkEntry(e) == nil
}
