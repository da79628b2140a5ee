package manifest

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"strings"
	"sync"
	"unicode/utf8"
	"unsafe"

	"github.com/klauspost/compress/snappy"
	"github.com/klauspost/compress/zstd"
)

// This file holds a small Avro object-container reader and writer, driven by
// the writer schema found in each file. It knows only what Paimon's manifest
// files need: primitive types, records, arrays, maps, unions, enums, fixed.

var avroMagic = []byte{'O', 'b', 'j', 1}

// maxBlockSize bounds one decompressed Avro block. Java writes blocks of
// about 64 KB; anything near this limit is a corrupt or hostile file.
const maxBlockSize = 64 << 20

// maxSchemaDepth bounds nesting of the writer schema.
const maxSchemaDepth = 32

// errTruncated and friends are internal; callers see them wrapped in
// ErrCorrupt with the file name.
var (
	errTruncated = errors.New("truncated data")
	errBadValue  = errors.New("invalid value")
	errBadSchema = errors.New("unexpected writer schema type")
	errNull      = errors.New("null in a field Paimon never leaves null")
)

type kind uint8

const (
	kNull kind = iota
	kBool
	kInt
	kLong
	kFloat
	kDouble
	kBytes
	kString
	kRecord
	kArray
	kMap
	kUnion
	kEnum
	kFixed
)

var kindNames = [...]string{"null", "boolean", "int", "long", "float", "double", "bytes", "string", "record", "array", "map", "union", "enum", "fixed"}

// typeName describes a writer type in error messages.
func typeName(n *node) string {
	switch n.kind {
	case kArray:
		return "array<" + typeName(n.items) + ">"
	case kUnion:
		parts := make([]string, len(n.branches))
		for i, b := range n.branches {
			parts[i] = typeName(b)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return kindNames[n.kind]
}

// node is one parsed Avro schema type.
type node struct {
	kind     kind
	name     string // records: short name
	fields   []schemaField
	items    *node   // array items, map values
	branches []*node // union
	size     int     // fixed size, enum symbol count
}

type schemaField struct {
	name string
	typ  *node
}

var nullNode = &node{kind: kNull}

// parseSchema parses Avro schema JSON.
func parseSchema(b []byte) (*node, error) {
	if !utf8.Valid(b) {
		return nil, errors.New("avro schema: not UTF-8")
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("avro schema: %w", err)
	}
	if len(bytes.TrimSpace(b[dec.InputOffset():])) != 0 {
		return nil, errors.New("avro schema: data after the JSON value")
	}
	p := schemaParser{names: map[string]*node{}, busy: map[*node]bool{}}
	return p.parse(v, "", 0)
}

type schemaParser struct {
	names map[string]*node
	busy  map[*node]bool // records whose fields are being parsed
}

func primitive(s string) (kind, bool) {
	switch s {
	case "null":
		return kNull, true
	case "boolean":
		return kBool, true
	case "int":
		return kInt, true
	case "long":
		return kLong, true
	case "float":
		return kFloat, true
	case "double":
		return kDouble, true
	case "bytes":
		return kBytes, true
	case "string":
		return kString, true
	}
	return 0, false
}

func (p *schemaParser) parse(v any, ns string, depth int) (*node, error) {
	if depth > maxSchemaDepth {
		return nil, errors.New("avro schema: nested too deeply")
	}
	switch t := v.(type) {
	case string:
		if k, ok := primitive(t); ok {
			return &node{kind: k}, nil
		}
		n := p.names[t]
		if n == nil && ns != "" {
			n = p.names[ns+"."+t]
		}
		if n == nil {
			return nil, fmt.Errorf("avro schema: unknown type %q", t)
		}
		if p.busy[n] {
			return nil, fmt.Errorf("avro schema: recursive type %q not supported", t)
		}
		return n, nil
	case []any:
		if len(t) == 0 {
			return nil, errors.New("avro schema: empty union")
		}
		n := &node{kind: kUnion}
		for _, b := range t {
			c, err := p.parse(b, ns, depth+1)
			if err != nil {
				return nil, err
			}
			if c.kind == kUnion {
				return nil, errors.New("avro schema: nested union")
			}
			n.branches = append(n.branches, c)
		}
		return n, nil
	case map[string]any:
		typ, _ := t["type"].(string)
		switch typ {
		case "record", "error":
			name, _ := t["name"].(string)
			for _, part := range strings.Split(name, ".") {
				if !validName(part) {
					return nil, fmt.Errorf("avro schema: invalid record name %q", name)
				}
			}
			if s, ok := t["namespace"].(string); ok {
				ns = s
			}
			n := &node{kind: kRecord, name: name}
			full := name
			if ns != "" && !containsDot(name) {
				full = ns + "." + name
			}
			p.names[full] = n
			p.names[name] = n
			p.busy[n] = true
			fs, ok := t["fields"].([]any)
			if !ok {
				return nil, fmt.Errorf("avro schema: record %q without fields", name)
			}
			for _, f := range fs {
				fm, ok := f.(map[string]any)
				if !ok {
					return nil, errors.New("avro schema: bad field")
				}
				fname, _ := fm["name"].(string)
				if !validName(fname) {
					return nil, fmt.Errorf("avro schema: invalid field name %q in record %q", fname, name)
				}
				ft, err := p.parse(fm["type"], ns, depth+1)
				if err != nil {
					return nil, err
				}
				n.fields = append(n.fields, schemaField{name: fname, typ: ft})
			}
			delete(p.busy, n)
			return n, nil
		case "array":
			it, err := p.parse(t["items"], ns, depth+1)
			if err != nil {
				return nil, err
			}
			return &node{kind: kArray, items: it}, nil
		case "map":
			it, err := p.parse(t["values"], ns, depth+1)
			if err != nil {
				return nil, err
			}
			return &node{kind: kMap, items: it}, nil
		case "enum":
			syms, _ := t["symbols"].([]any)
			n := &node{kind: kEnum, size: len(syms)}
			if name, ok := t["name"].(string); ok {
				p.names[name] = n
			}
			return n, nil
		case "fixed":
			num, _ := t["size"].(json.Number)
			sz, err := num.Int64()
			if err != nil || sz < 0 || sz > math.MaxInt32 {
				return nil, errors.New("avro schema: bad fixed size")
			}
			n := &node{kind: kFixed, size: int(sz)}
			if name, ok := t["name"].(string); ok {
				p.names[name] = n
			}
			return n, nil
		default:
			// {"type":"long","logicalType":...} and similar.
			if k, ok := primitive(typ); ok {
				return &node{kind: k}, nil
			}
			return nil, fmt.Errorf("avro schema: unknown type %v", t["type"])
		}
	}
	return nil, fmt.Errorf("avro schema: unexpected %T", v)
}

// validName reports whether s is an Avro name: [A-Za-z_][A-Za-z0-9_]*.
// Java's Avro parser rejects any other.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case '0' <= c && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

func containsDot(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			return true
		}
	}
	return false
}

// reader decodes Avro binary values. Errors are sticky: after the first
// failure every read returns zero values and err stays set.
type reader struct {
	b   []byte
	i   int
	err error
}

func (r *reader) fail(err error) {
	if r.err == nil {
		r.err = err
	}
	r.i = len(r.b)
}

func (r *reader) long() int64 {
	var u uint64
	var s uint
	for k := 0; k < 10; k++ {
		if r.i >= len(r.b) {
			r.fail(errTruncated)
			return 0
		}
		c := r.b[r.i]
		r.i++
		u |= uint64(c&0x7f) << s
		if c < 0x80 {
			return int64(u>>1) ^ -int64(u&1)
		}
		s += 7
	}
	r.fail(errBadValue)
	return 0
}

func (r *reader) int32() int32 {
	v := r.long()
	if v < math.MinInt32 || v > math.MaxInt32 {
		r.fail(errBadValue)
		return 0
	}
	return int32(v)
}

// length reads a non-negative length that must fit in the remaining bytes.
func (r *reader) length() int {
	n := r.long()
	if n < 0 || n > int64(len(r.b)-r.i) {
		r.fail(errTruncated)
		return 0
	}
	return int(n)
}

// bytes returns a sub-slice of the block buffer (capacity clipped, so
// appending to it never overwrites neighbouring data). The result is never
// nil.
func (r *reader) bytes() []byte {
	n := r.length()
	if r.err != nil {
		return []byte{}
	}
	out := r.b[r.i : r.i+n : r.i+n]
	r.i += n
	return out
}

// str returns a string sharing the block buffer. Block buffers are
// allocated per block and never written after decompression, so the
// string stays immutable.
func (r *reader) str() string {
	b := r.bytes()
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// branch resolves a union: it reads the branch index and returns the
// branch type (for a non-union it returns n itself).
func (r *reader) branch(n *node) *node {
	if n.kind != kUnion {
		return n
	}
	idx := r.long()
	if r.err != nil {
		return nullNode
	}
	if idx < 0 || idx >= int64(len(n.branches)) {
		r.fail(errBadValue)
		return nullNode
	}
	return n.branches[idx]
}

// count reads an array/map block count; 0 ends the sequence. Negative
// counts are followed by a byte size, which is read and ignored. The count
// is bounded by the remaining bytes so a bogus count cannot make callers
// allocate or loop without bound.
func (r *reader) count() int {
	n := r.long()
	if n < 0 {
		if n == math.MinInt64 {
			r.fail(errBadValue)
			return 0
		}
		n = -n
		r.long()
	}
	if r.err != nil {
		return 0
	}
	if n > int64(len(r.b)-r.i) {
		r.fail(errTruncated)
		return 0
	}
	return int(n)
}

func (r *reader) skipN(n int) {
	if n < 0 || n > len(r.b)-r.i {
		r.fail(errTruncated)
		return
	}
	r.i += n
}

// skip skips a value of type n.
func (r *reader) skip(n *node) {
	if r.err != nil {
		return
	}
	switch n.kind {
	case kNull:
	case kBool:
		r.skipN(1)
	case kInt, kLong, kEnum:
		r.long()
	case kFloat:
		r.skipN(4)
	case kDouble:
		r.skipN(8)
	case kBytes, kString:
		r.skipN(r.length())
	case kFixed:
		r.skipN(n.size)
	case kRecord:
		for _, f := range n.fields {
			r.skip(f.typ)
		}
	case kArray, kMap:
		for {
			c := r.count()
			if c == 0 || r.err != nil {
				return
			}
			for ; c > 0 && r.err == nil; c-- {
				if n.kind == kMap {
					r.skipN(r.length())
				}
				r.skip(n.items)
			}
		}
	case kUnion:
		r.skip(r.branch(n))
	}
}

// Value helpers: each resolves a union first, then accepts the writer
// types Java could have produced for that target (int/long interchange).

func (r *reader) optLong(n *node) (int64, bool) {
	n = r.branch(n)
	switch n.kind {
	case kInt, kLong:
		return r.long(), true
	case kNull:
		return 0, false
	}
	r.fail(errBadSchema)
	return 0, false
}

func (r *reader) optInt(n *node) (int32, bool) {
	n = r.branch(n)
	switch n.kind {
	case kInt, kLong:
		return r.int32(), true
	case kNull:
		return 0, false
	}
	r.fail(errBadSchema)
	return 0, false
}

func (r *reader) reqLong(n *node) int64 {
	v, ok := r.optLong(n)
	if !ok && r.err == nil {
		r.fail(errNull)
	}
	return v
}

func (r *reader) reqInt(n *node) int32 {
	v, ok := r.optInt(n)
	if !ok && r.err == nil {
		r.fail(errNull)
	}
	return v
}

// optBytes returns nil for null.
func (r *reader) optBytes(n *node) []byte {
	n = r.branch(n)
	switch n.kind {
	case kBytes, kString:
		return r.bytes()
	case kNull:
		return nil
	}
	r.fail(errBadSchema)
	return nil
}

func (r *reader) reqBytes(n *node) []byte {
	b := r.optBytes(n)
	if b == nil && r.err == nil {
		r.fail(errNull)
	}
	return b
}

func (r *reader) optString(n *node) (string, bool) {
	n = r.branch(n)
	switch n.kind {
	case kBytes, kString:
		return r.str(), true
	case kNull:
		return "", false
	}
	r.fail(errBadSchema)
	return "", false
}

func (r *reader) reqString(n *node) string {
	s, ok := r.optString(n)
	if !ok && r.err == nil {
		r.fail(errNull)
	}
	return s
}

var emptyStrings = []string{}

// optStrings reads a nullable array of strings; null gives nil, an empty
// array a non-nil empty slice.
func (r *reader) optStrings(n *node) []string {
	n = r.branch(n)
	switch n.kind {
	case kNull:
		return nil
	case kArray:
	default:
		r.fail(errBadSchema)
		return nil
	}
	var out []string
	for {
		c := r.count()
		if c == 0 || r.err != nil {
			break
		}
		if out == nil {
			out = make([]string, 0, c)
		}
		for ; c > 0 && r.err == nil; c-- {
			s, ok := r.optString(n.items)
			if !ok && r.err == nil {
				r.fail(errNull)
			}
			out = append(out, s)
		}
	}
	if out == nil && r.err == nil {
		return emptyStrings
	}
	return out
}

// recordOf resolves n to a record (nil for null).
func (r *reader) recordOf(n *node) *node {
	n = r.branch(n)
	switch n.kind {
	case kRecord:
		return n
	case kNull:
		return nil
	}
	r.fail(errBadSchema)
	return nil
}

// slab hands out small values from shared chunks, so decoding a manifest
// does not allocate once per optional field.
type slab struct {
	i64  []int64
	i32  []int32
	p64  []*int64
	strs []string
}

const slabChunk = 512

func (s *slab) int64p(v int64) *int64 {
	if uint64(v) < smallValues && smallInts != nil {
		return &smallInts[v]
	}
	if len(s.i64) == 0 {
		s.i64 = make([]int64, slabChunk)
	}
	p := &s.i64[0]
	*p = v
	s.i64 = s.i64[1:]
	return p
}

func (s *slab) int32p(v int32) *int32 {
	if uint32(v) < smallValues && smallInts != nil {
		// The low half of a little-endian int64 (smallInts is nil on
		// big-endian machines).
		return (*int32)(unsafe.Pointer(&smallInts[v]))
	}
	if len(s.i32) == 0 {
		s.i32 = make([]int32, slabChunk)
	}
	p := &s.i32[0]
	*p = v
	s.i32 = s.i32[1:]
	return p
}

func (s *slab) ptrs(n int) []*int64 {
	if n > slabChunk/4 {
		return make([]*int64, n)
	}
	if len(s.p64) < n {
		s.p64 = make([]*int64, slabChunk)
	}
	out := s.p64[:n:n]
	s.p64 = s.p64[n:]
	return out
}

func (s *slab) stringp(v string) *string {
	if len(s.strs) == 0 {
		s.strs = make([]string, slabChunk/4)
	}
	p := &s.strs[0]
	*p = v
	s.strs = s.strs[1:]
	return p
}

// container is a parsed Avro object-container header.
type container struct {
	schema *node
	codec  string
	sync   [16]byte
	body   int // offset of the first block
}

// formatError classifies non-Avro content.
func formatError(b []byte) error {
	if len(b) >= 3 && string(b[:3]) == "ORC" {
		return fmt.Errorf("%w: ORC manifests (manifest.format=orc) are not supported; rewrite the table's manifests as Avro (for example with Paimon's rewrite procedures after setting manifest.format=avro)", ErrUnsupportedFormat)
	}
	if len(b) >= 4 && string(b[:4]) == "PAR1" {
		return fmt.Errorf("%w: Parquet manifests (manifest.format=parquet) are not supported", ErrUnsupportedFormat)
	}
	return fmt.Errorf("%w: not an Avro object container file", ErrCorrupt)
}

func parseHeader(b []byte) (*container, error) {
	if len(b) < 4 || !bytes.Equal(b[:4], avroMagic) {
		return nil, formatError(b)
	}
	r := reader{b: b, i: 4}
	meta := map[string][]byte{}
	for {
		c := r.count()
		if r.err != nil {
			return nil, fmt.Errorf("%w: header: %v", ErrCorrupt, r.err)
		}
		if c == 0 {
			break
		}
		for ; c > 0; c-- {
			k := string(r.bytes())
			v := r.bytes()
			if r.err != nil {
				return nil, fmt.Errorf("%w: header: %v", ErrCorrupt, r.err)
			}
			meta[k] = v
		}
	}
	h := &container{}
	if len(b)-r.i < 16 {
		return nil, fmt.Errorf("%w: header: %v", ErrCorrupt, errTruncated)
	}
	copy(h.sync[:], b[r.i:])
	h.body = r.i + 16
	sch, ok := meta["avro.schema"]
	if !ok {
		return nil, fmt.Errorf("%w: header has no avro.schema", ErrCorrupt)
	}
	s, err := parseSchema(sch)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	h.schema = s
	for k := range meta {
		// Keys in the avro. namespace are reserved by the Avro spec;
		// writers only ever put avro.schema and avro.codec there, so any
		// other, or a near miss of those two, is a damaged key (a
		// damaged avro.codec would otherwise read zstandard blocks as
		// uncompressed).
		if k == "avro.schema" || k == "avro.codec" {
			continue
		}
		if strings.HasPrefix(k, "avro.") || similarName([]string{k}, "avro.codec") != "" || similarName([]string{k}, "avro.schema") != "" {
			return nil, fmt.Errorf("%w: header has unknown metadata key %q", ErrCorrupt, k)
		}
	}
	codec, ok := meta["avro.codec"]
	h.codec = string(codec)
	switch h.codec {
	case "null", "deflate", "snappy", "zstandard":
	case "":
		if ok {
			return nil, fmt.Errorf("%w: empty avro.codec", ErrCorrupt)
		}
		h.codec = "null" // absent means null (Avro spec)
	case "bzip2", "xz":
		// Codecs the Avro spec defines that this package does not read.
		return nil, fmt.Errorf("%w: avro codec %q", ErrUnsupportedFormat, h.codec)
	default:
		return nil, fmt.Errorf("%w: avro codec %q is not an Avro codec", ErrCorrupt, h.codec)
	}
	return h, nil
}

var (
	zstdDecOnce sync.Once
	zstdDec     *zstd.Decoder
	zstdDecErr  error
)

func zstdDecoder() (*zstd.Decoder, error) {
	zstdDecOnce.Do(func() {
		zstdDec, zstdDecErr = zstd.NewReader(nil,
			zstd.WithDecoderConcurrency(0),
			zstd.WithDecoderMaxMemory(maxBlockSize),
			zstd.WithDecoderLowmem(false))
	})
	return zstdDec, zstdDecErr
}

// decompress returns a freshly allocated buffer holding the block's
// uncompressed bytes (never aliasing the input).
func decompress(codec string, src []byte) ([]byte, error) {
	switch codec {
	case "null":
		return bytes.Clone(src), nil
	case "zstandard":
		d, err := zstdDecoder()
		if err != nil {
			return nil, err
		}
		return d.DecodeAll(src, nil)
	case "snappy":
		if len(src) < 4 {
			return nil, errTruncated
		}
		body := src[:len(src)-4]
		n, err := snappy.DecodedLen(body)
		if err != nil {
			return nil, err
		}
		if n > maxBlockSize {
			return nil, errors.New("block too large")
		}
		out, err := snappy.Decode(make([]byte, n), body)
		if err != nil {
			return nil, err
		}
		if crc32.ChecksumIEEE(out) != binary.BigEndian.Uint32(src[len(src)-4:]) {
			return nil, errors.New("snappy block checksum mismatch")
		}
		return out, nil
	case "deflate":
		fr := flate.NewReader(bytes.NewReader(src))
		defer fr.Close()
		out, err := io.ReadAll(io.LimitReader(fr, maxBlockSize+1))
		if err != nil {
			return nil, err
		}
		if len(out) > maxBlockSize {
			return nil, errors.New("block too large")
		}
		return out, nil
	}
	return nil, fmt.Errorf("codec %q", codec)
}

// readBlocks walks the data blocks of a container, calling fn with a
// reader over each decompressed block and its record count. fn must
// consume exactly the block.
func readBlocks(b []byte, h *container, fn func(r *reader, count int) error) error {
	r := reader{b: b, i: h.body}
	for r.i < len(b) {
		count := r.long()
		size := r.long()
		if r.err != nil {
			return fmt.Errorf("%w: block header: %v", ErrCorrupt, r.err)
		}
		if count < 0 || size < 0 || size > int64(len(b)-r.i) {
			return fmt.Errorf("%w: block header: %v", ErrCorrupt, errTruncated)
		}
		raw := b[r.i : r.i+int(size)]
		r.i += int(size)
		if len(b)-r.i < 16 {
			return fmt.Errorf("%w: block sync marker: %v", ErrCorrupt, errTruncated)
		}
		if !bytes.Equal(b[r.i:r.i+16], h.sync[:]) {
			return fmt.Errorf("%w: block sync marker mismatch", ErrCorrupt)
		}
		r.i += 16
		data, err := decompress(h.codec, raw)
		if err != nil {
			return fmt.Errorf("%w: %s block: %v", ErrCorrupt, h.codec, err)
		}
		// Every record takes at least one byte in Paimon's schemas.
		if count > int64(len(data)) {
			return fmt.Errorf("%w: block claims %d records in %d bytes", ErrCorrupt, count, len(data))
		}
		br := &reader{b: data}
		if err := fn(br, int(count)); err != nil {
			return err
		}
		if br.err != nil {
			return fmt.Errorf("%w: %v", ErrCorrupt, br.err)
		}
		if br.i != len(data) {
			return fmt.Errorf("%w: %d trailing bytes in block", ErrCorrupt, len(data)-br.i)
		}
	}
	return nil
}

// ---- writing ----

type writer struct{ b []byte }

func (w *writer) long(v int64) {
	w.b = binary.AppendUvarint(w.b, uint64(v<<1)^uint64(v>>63))
}

func (w *writer) bytes(b []byte) {
	w.long(int64(len(b)))
	w.b = append(w.b, b...)
}

func (w *writer) str(s string) {
	w.long(int64(len(s)))
	w.b = append(w.b, s...)
}

// Nullable helpers write union ["null", T]: branch 0 null, 1 value.
func (w *writer) null()   { w.b = append(w.b, 0) }
func (w *writer) branch() { w.b = append(w.b, 2) } // zigzag(1)

func (w *writer) optLong(p *int64) {
	if p == nil {
		w.null()
		return
	}
	w.branch()
	w.long(*p)
}

func (w *writer) optInt(p *int32) {
	if p == nil {
		w.null()
		return
	}
	w.branch()
	w.long(int64(*p))
}

func (w *writer) optString(p *string) {
	if p == nil {
		w.null()
		return
	}
	w.branch()
	w.str(*p)
}

func (w *writer) optBytes(b []byte) {
	if b == nil {
		w.null()
		return
	}
	w.branch()
	w.bytes(b)
}

func (w *writer) strings(s []string) {
	if len(s) > 0 {
		w.long(int64(len(s)))
		for _, v := range s {
			w.str(v)
		}
	}
	w.long(0)
}

func (w *writer) optStrings(s []string) {
	if s == nil {
		w.null()
		return
	}
	w.branch()
	w.strings(s)
}

// Codec names an Avro block codec.
type Codec string

// Codecs accepted by EncodeOptions.
const (
	CodecZstd    Codec = "zstandard" // Paimon's default (manifest.compression=zstd)
	CodecSnappy  Codec = "snappy"
	CodecDeflate Codec = "deflate"
	CodecNull    Codec = "null"
)

// EncodeOptions control how a manifest file is written. The zero value
// means zstandard at level 1, as Paimon 1.4 writes by default.
type EncodeOptions struct {
	Codec Codec // "" means CodecZstd
	// Level is the zstd level (default 1) or the deflate level
	// (default -1, flate.DefaultCompression).
	Level int
	// Sync, if non-nil, is the 16-byte sync marker; otherwise it is random.
	Sync *[16]byte
}

// syncInterval is the uncompressed block size after which a block is
// flushed (Avro's Java DataFileWriter default).
const syncInterval = 64000

var zstdEncoders sync.Map // zstd.EncoderLevel -> *zstd.Encoder

func zstdEncoder(level int) (*zstd.Encoder, error) {
	if level == 0 {
		level = 1
	}
	lv := zstd.EncoderLevelFromZstd(level)
	if e, ok := zstdEncoders.Load(lv); ok {
		return e.(*zstd.Encoder), nil
	}
	e, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(lv), zstd.WithEncoderConcurrency(1))
	if err != nil {
		return nil, err
	}
	actual, _ := zstdEncoders.LoadOrStore(lv, e)
	return actual.(*zstd.Encoder), nil
}

func compress(opts EncodeOptions, codec Codec, dst, src []byte) ([]byte, error) {
	switch codec {
	case CodecNull:
		return append(dst, src...), nil
	case CodecZstd:
		e, err := zstdEncoder(opts.Level)
		if err != nil {
			return nil, err
		}
		return e.EncodeAll(src, dst), nil
	case CodecSnappy:
		dst = append(dst, snappy.Encode(nil, src)...)
		return binary.BigEndian.AppendUint32(dst, crc32.ChecksumIEEE(src)), nil
	case CodecDeflate:
		level := opts.Level
		if level == 0 {
			level = flate.DefaultCompression
		}
		buf := bytes.NewBuffer(dst)
		fw, err := flate.NewWriter(buf, level)
		if err != nil {
			return nil, err
		}
		if _, err := fw.Write(src); err != nil {
			return nil, err
		}
		if err := fw.Close(); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}
	return nil, fmt.Errorf("manifest: unknown codec %q", codec)
}

// containerWriter accumulates records into blocks.
type containerWriter struct {
	opts  EncodeOptions
	codec Codec
	sync  [16]byte
	out   []byte
	block writer
	count int
	tmp   []byte
}

func newContainerWriter(schema string, opts EncodeOptions) (*containerWriter, error) {
	codec := opts.Codec
	if codec == "" {
		codec = CodecZstd
	}
	switch codec {
	case CodecZstd, CodecSnappy, CodecDeflate, CodecNull:
	default:
		return nil, fmt.Errorf("manifest: unknown codec %q", codec)
	}
	cw := &containerWriter{opts: opts, codec: codec}
	if opts.Sync != nil {
		cw.sync = *opts.Sync
	} else {
		randomSync(&cw.sync)
	}
	w := writer{b: append([]byte(nil), avroMagic...)}
	w.long(2)
	w.str("avro.schema")
	w.str(schema)
	w.str("avro.codec")
	w.str(string(codec))
	w.long(0)
	w.b = append(w.b, cw.sync[:]...)
	cw.out = w.b
	return cw, nil
}

// endRecord notes one record written into cw.block and flushes when the
// block is full.
func (cw *containerWriter) endRecord() error {
	cw.count++
	if len(cw.block.b) >= syncInterval {
		return cw.flush()
	}
	return nil
}

func (cw *containerWriter) flush() error {
	if cw.count == 0 {
		return nil
	}
	var err error
	cw.tmp, err = compress(cw.opts, cw.codec, cw.tmp[:0], cw.block.b)
	if err != nil {
		return err
	}
	w := writer{b: cw.out}
	w.long(int64(cw.count))
	w.long(int64(len(cw.tmp)))
	w.b = append(w.b, cw.tmp...)
	w.b = append(w.b, cw.sync[:]...)
	cw.out = w.b
	cw.block.b = cw.block.b[:0]
	cw.count = 0
	return nil
}

func (cw *containerWriter) finish() ([]byte, error) {
	if err := cw.flush(); err != nil {
		return nil, err
	}
	return cw.out, nil
}
