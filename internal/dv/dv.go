// Package dv decodes Paimon deletion-vector index files: the per-data-file
// sets of deleted row positions that DELETION_VECTORS index files hold
// (paimon-format.md §7.8).
//
// An index file starts with a version byte (1). Each deletion vector inside
// it is a block located by the (offset, length) pair the index manifest
// records for its data file:
//
//	int32 BE  size of the payload
//	payload   size bytes
//	int32 BE  CRC-32 (IEEE, as java.util.zip.CRC32) of the payload
//
// The payload is either a 32-bit bitmap — the big-endian magic 1581511376
// followed by a RoaringBitmap in the portable serialization — or a 64-bit
// bitmap (deletion-vectors.bitmap64) — the little-endian magic 1681511377,
// a little-endian int64 count of 32-bit bitmaps, and for each a
// little-endian int32 high key and a portable RoaringBitmap. For 32-bit
// vectors the recorded length is the payload size; for 64-bit ones it
// covers the whole block (4 + size + 4). Positions are 0-based row numbers
// within the data file.
//
// The package has no dependencies on the rest of floe. Its functions are
// safe for concurrent use; a decoded Vector is immutable.
package dv

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"

	"github.com/RoaringBitmap/roaring/v2"
)

// Version is the only index-file version byte Paimon writes.
const Version = 1

// Magic numbers at the start of a deletion-vector payload.
const (
	Magic32 = 1581511376 // big-endian, 32-bit RoaringBitmap
	Magic64 = 1681511377 // little-endian, 64-bit (Iceberg-compatible)
)

// Sentinel errors.
var (
	// ErrCorrupt reports bytes that do not decode as a deletion vector.
	ErrCorrupt = errors.New("dv: corrupt deletion vector")
	// ErrUnsupportedVersion reports an index file version other than 1.
	ErrUnsupportedVersion = errors.New("dv: unsupported index file version")
)

// Vector is a decoded deletion vector: a set of deleted row positions. It
// is immutable and safe for concurrent use.
type Vector struct {
	low  *roaring.Bitmap // positions below 2^32 (high key 0)
	high []highBitmap    // 64-bit vectors only: keys > 0, ascending
}

type highBitmap struct {
	key uint32
	bm  *roaring.Bitmap
}

// FromBitmap wraps a 32-bit bitmap (which the caller must not modify
// afterwards).
func FromBitmap(bm *roaring.Bitmap) *Vector { return &Vector{low: bm} }

// Contains reports whether row position pos is deleted.
func (v *Vector) Contains(pos uint32) bool {
	return v != nil && v.low != nil && v.low.Contains(pos)
}

// Contains64 reports whether a 64-bit row position is deleted.
func (v *Vector) Contains64(pos uint64) bool {
	if v == nil {
		return false
	}
	hi := uint32(pos >> 32)
	if hi == 0 {
		return v.Contains(uint32(pos))
	}
	for _, h := range v.high {
		if h.key == hi {
			return h.bm.Contains(uint32(pos))
		}
	}
	return false
}

// Cardinality returns the number of deleted positions.
func (v *Vector) Cardinality() uint64 {
	if v == nil {
		return 0
	}
	var n uint64
	if v.low != nil {
		n = v.low.GetCardinality()
	}
	for _, h := range v.high {
		n += h.bm.GetCardinality()
	}
	return n
}

// Max returns the largest deleted position; ok is false for an empty
// vector.
func (v *Vector) Max() (pos uint64, ok bool) {
	if v == nil {
		return 0, false
	}
	for i := len(v.high) - 1; i >= 0; i-- {
		if h := v.high[i]; !h.bm.IsEmpty() {
			return uint64(h.key)<<32 | uint64(h.bm.Maximum()), true
		}
	}
	if v.low != nil && !v.low.IsEmpty() {
		return uint64(v.low.Maximum()), true
	}
	return 0, false
}

// Bitmap returns the positions below 2^32. The caller must not modify it.
func (v *Vector) Bitmap() *roaring.Bitmap {
	if v == nil || v.low == nil {
		return roaring.New()
	}
	return v.low
}

// CheckVersion checks the version byte at the start of an index file.
func CheckVersion(file []byte) error {
	if len(file) == 0 {
		return fmt.Errorf("%w: empty index file", ErrCorrupt)
	}
	if file[0] != Version {
		return fmt.Errorf("%w: %d", ErrUnsupportedVersion, file[0])
	}
	return nil
}

// CheckBlocks checks that an index file is whole: its version byte, then
// deletion-vector blocks (size, payload, CRC) with matching CRCs up to its
// last byte, as every writer lays them out. A reader that cannot decode a
// vector at the place the index manifest gives uses it to tell a damaged
// index file (an error) from a damaged manifest (nil).
func CheckBlocks(file []byte) error {
	if err := CheckVersion(file); err != nil {
		return err
	}
	for off := int64(1); off < int64(len(file)); {
		if off+8 > int64(len(file)) {
			return fmt.Errorf("%w: truncated block at %d", ErrCorrupt, off)
		}
		size := int64(binary.BigEndian.Uint32(file[off:]))
		end := off + 4 + size + 4
		if end > int64(len(file)) {
			return fmt.Errorf("%w: block of %d bytes at %d outside file of %d bytes", ErrCorrupt, size, off, len(file))
		}
		if crc32.ChecksumIEEE(file[off+4:end-4]) != binary.BigEndian.Uint32(file[end-4:]) {
			return fmt.Errorf("%w: crc mismatch in block at %d", ErrCorrupt, off)
		}
		off = end
	}
	return nil
}

// Decode decodes the deletion vector at (offset, length) of an index
// file's bytes, as the index manifest records them. It checks the file's
// version byte, the block's size and its CRC.
func Decode(file []byte, offset, length int32) (*Vector, error) {
	if err := CheckVersion(file); err != nil {
		return nil, err
	}
	if offset < 1 || length < 0 || int64(offset)+4 > int64(len(file)) {
		return nil, fmt.Errorf("%w: range (%d, %d) outside file of %d bytes", ErrCorrupt, offset, length, len(file))
	}
	size := int64(binary.BigEndian.Uint32(file[offset:]))
	end := int64(offset) + 4 + size + 4
	if size > int64(len(file)) || end > int64(len(file)) {
		return nil, fmt.Errorf("%w: block of %d bytes at %d outside file of %d bytes", ErrCorrupt, size, offset, len(file))
	}
	if int64(length) != size && int64(length) != size+8 {
		return nil, fmt.Errorf("%w: recorded length %d does not match block size %d", ErrCorrupt, length, size)
	}
	payload := file[int64(offset)+4 : int64(offset)+4+size]
	want := binary.BigEndian.Uint32(file[end-4:])
	if got := crc32.ChecksumIEEE(payload); got != want {
		return nil, fmt.Errorf("%w: crc %08x, want %08x", ErrCorrupt, got, want)
	}
	return DecodePayload(payload)
}

// DecodePayload decodes a deletion-vector payload (magic and bitmap,
// without the size and CRC around it).
func DecodePayload(p []byte) (v *Vector, err error) {
	defer func() {
		// The roaring decoder validates its input, but a panic on
		// malformed bytes must never escape to a reader.
		if r := recover(); r != nil {
			v, err = nil, fmt.Errorf("%w: bitmap: %v", ErrCorrupt, r)
		}
	}()
	if len(p) < 4 {
		return nil, fmt.Errorf("%w: payload of %d bytes", ErrCorrupt, len(p))
	}
	switch {
	case binary.BigEndian.Uint32(p) == Magic32:
		bm, err := readBitmap(p[4:], true)
		if err != nil {
			return nil, err
		}
		return &Vector{low: bm}, nil
	case binary.LittleEndian.Uint32(p) == Magic64:
		return decode64(p[4:])
	}
	return nil, fmt.Errorf("%w: unknown magic %08x", ErrCorrupt, binary.BigEndian.Uint32(p))
}

func decode64(p []byte) (*Vector, error) {
	if len(p) < 8 {
		return nil, fmt.Errorf("%w: 64-bit bitmap header truncated", ErrCorrupt)
	}
	n := binary.LittleEndian.Uint64(p)
	p = p[8:]
	// Each bitmap takes at least a key and an 8-byte portable header.
	if n > uint64(len(p))/12 {
		return nil, fmt.Errorf("%w: %d bitmaps in %d bytes", ErrCorrupt, n, len(p))
	}
	v := &Vector{}
	first := true
	var last uint32
	for i := uint64(0); i < n; i++ {
		if len(p) < 4 {
			return nil, fmt.Errorf("%w: 64-bit bitmap %d truncated", ErrCorrupt, i)
		}
		key := binary.LittleEndian.Uint32(p)
		if !first && key <= last {
			return nil, fmt.Errorf("%w: 64-bit bitmap keys not ascending", ErrCorrupt)
		}
		first, last = false, key
		r := bytes.NewReader(p[4:])
		bm := roaring.New()
		if _, err := bm.ReadFrom(r); err != nil {
			return nil, fmt.Errorf("%w: bitmap %d: %v", ErrCorrupt, i, err)
		}
		p = p[len(p)-r.Len():]
		if key == 0 {
			v.low = bm
		} else {
			v.high = append(v.high, highBitmap{key: key, bm: bm})
		}
	}
	if len(p) != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrCorrupt, len(p))
	}
	if v.low == nil {
		v.low = roaring.New()
	}
	return v, nil
}

func readBitmap(p []byte, whole bool) (*roaring.Bitmap, error) {
	r := bytes.NewReader(p)
	bm := roaring.New()
	if _, err := bm.ReadFrom(r); err != nil {
		return nil, fmt.Errorf("%w: bitmap: %v", ErrCorrupt, err)
	}
	if whole && r.Len() != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes after bitmap", ErrCorrupt, r.Len())
	}
	return bm, nil
}

// Encode32 appends to dst a 32-bit deletion-vector block (size, payload,
// CRC) for bm and returns the extended slice together with the length the
// index manifest records for it (the payload size).
func Encode32(dst []byte, bm *roaring.Bitmap) ([]byte, int32, error) {
	var buf bytes.Buffer
	buf.Write(binary.BigEndian.AppendUint32(nil, Magic32))
	if _, err := bm.WriteTo(&buf); err != nil {
		return dst, 0, err
	}
	payload := buf.Bytes()
	return appendBlock(dst, payload), int32(len(payload)), nil
}

// Encode64 appends to dst a 64-bit deletion-vector block (size, payload,
// CRC) for the positions of bm (all below 2^32: one bitmap, high key 0)
// and returns the extended slice together with the length the index
// manifest records for it (the whole block, 4 + size + 4).
func Encode64(dst []byte, bm *roaring.Bitmap) ([]byte, int32, error) {
	var buf bytes.Buffer
	buf.Write(binary.LittleEndian.AppendUint32(nil, Magic64))
	buf.Write(binary.LittleEndian.AppendUint64(nil, 1))
	buf.Write(binary.LittleEndian.AppendUint32(nil, 0))
	if _, err := bm.WriteTo(&buf); err != nil {
		return dst, 0, err
	}
	payload := buf.Bytes()
	return appendBlock(dst, payload), int32(4 + len(payload) + 4), nil
}

// appendBlock appends a block: the payload's size, the payload, its CRC.
func appendBlock(dst, payload []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(payload)))
	dst = append(dst, payload...)
	return binary.BigEndian.AppendUint32(dst, crc32.ChecksumIEEE(payload))
}
