package lsm

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
)

// A lookup cache file maps the encoded keys of one data file to their row
// positions. It is private to the process that wrote it (Lookup keeps its
// sparse index in memory and never reopens a file it did not just write),
// so its layout is floe's own and carries no version:
//
//	magic "FLOELKP\x00"
//	block*   payload, then the CRC-32C of the payload (4 bytes, little-endian)
//
// A payload is a run of entries in ascending key order, then the offsets
// of its restart entries (uint32 each, little-endian) and their count
// (uint32). An entry is
//
//	uvarint shared     bytes shared with the previous key of the block
//	uvarint unshared   then that many bytes of the key
//	uvarint delta      the row position minus the previous entry's
//
// Every lookupRestart-th entry of a block, the first included, is a
// restart: it shares nothing and its delta is the position itself, so a
// reader can binary-search the restarts and scan only from the nearest.
// Blocks hold about lookupBlockSize bytes; the in-memory sparse index
// keeps each block's first key, offset and length.

var lookupMagic = []byte("FLOELKP\x00")

const (
	lookupBlockSize = 4 << 10
	lookupRestart   = 16
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errBlockDamaged reports a cache block that fails its checksum or does
// not decode; Lookup rebuilds the file.
var errBlockDamaged = errors.New("lsm: lookup cache block damaged")

// lookupIndex is the sparse index of one cache file.
type lookupIndex struct {
	firsts  []byte // first keys of the blocks, concatenated
	fends   []int  // fends[b] ends block b's first key in firsts
	offs    []int64
	lens    []int32 // payload lengths
	last    []byte  // the file's largest key
	entries int64
}

func (x *lookupIndex) blocks() int { return len(x.offs) }

func (x *lookupIndex) first(b int) []byte {
	s := 0
	if b > 0 {
		s = x.fends[b-1]
	}
	return x.firsts[s:x.fends[b]]
}

// block returns the block that may hold key: the last one whose first key
// is <= key, searching from block lo on; -1 if key precedes block lo.
func (x *lookupIndex) block(key []byte, lo int) int {
	i, j := lo, x.blocks()
	for i < j {
		h := int(uint(i+j) >> 1)
		if bytes.Compare(x.first(h), key) <= 0 {
			i = h + 1
		} else {
			j = h
		}
	}
	return i - 1
}

// memSize estimates the index's heap bytes.
func (x *lookupIndex) memSize() int64 {
	return int64(cap(x.firsts) + 8*cap(x.fends) + 8*cap(x.offs) + 4*cap(x.lens) + cap(x.last))
}

// lookupWriter writes a cache file from entries given in ascending key
// order.
type lookupWriter struct {
	w       *bufio.Writer
	off     int64 // file offset of the next block
	block   []byte
	prev    []byte // previous key of the block
	prevPos int64
	n       int // entries in the block
	restart []uint32
	idx     lookupIndex
	crc     [4]byte
}

func newLookupWriter(f *os.File) (*lookupWriter, error) {
	w := &lookupWriter{w: bufio.NewWriterSize(f, 64<<10)}
	if _, err := w.w.Write(lookupMagic); err != nil {
		return nil, err
	}
	w.off = int64(len(lookupMagic))
	return w, nil
}

// add appends one entry; key must be greater than the previous one.
func (w *lookupWriter) add(key []byte, pos int64) error {
	if w.n == 0 {
		w.idx.firsts = append(w.idx.firsts, key...)
		w.idx.fends = append(w.idx.fends, len(w.idx.firsts))
	}
	if w.n%lookupRestart == 0 {
		w.restart = append(w.restart, uint32(len(w.block)))
		w.prev, w.prevPos = w.prev[:0], 0
	}
	shared := 0
	for shared < len(key) && shared < len(w.prev) && key[shared] == w.prev[shared] {
		shared++
	}
	w.block = binary.AppendUvarint(w.block, uint64(shared))
	w.block = binary.AppendUvarint(w.block, uint64(len(key)-shared))
	w.block = append(w.block, key[shared:]...)
	w.block = binary.AppendUvarint(w.block, uint64(pos-w.prevPos))
	w.prev = append(w.prev[:0], key...)
	w.prevPos = pos
	w.n++
	w.idx.entries++
	if len(w.block)+4*len(w.restart) >= lookupBlockSize {
		return w.flushBlock()
	}
	return nil
}

func (w *lookupWriter) flushBlock() error {
	if w.n == 0 {
		return nil
	}
	w.idx.last = append(w.idx.last[:0], w.prev...)
	for _, r := range w.restart {
		w.block = binary.LittleEndian.AppendUint32(w.block, r)
	}
	w.block = binary.LittleEndian.AppendUint32(w.block, uint32(len(w.restart)))
	w.restart = w.restart[:0]
	binary.LittleEndian.PutUint32(w.crc[:], crc32.Checksum(w.block, castagnoli))
	if _, err := w.w.Write(w.block); err != nil {
		return err
	}
	if _, err := w.w.Write(w.crc[:]); err != nil {
		return err
	}
	w.idx.offs = append(w.idx.offs, w.off)
	w.idx.lens = append(w.idx.lens, int32(len(w.block)))
	w.off += int64(len(w.block)) + 4
	w.block, w.n = w.block[:0], 0
	return nil
}

// finish flushes everything and returns the index and the file size.
func (w *lookupWriter) finish() (*lookupIndex, int64, error) {
	if err := w.flushBlock(); err != nil {
		return nil, 0, err
	}
	if err := w.w.Flush(); err != nil {
		return nil, 0, err
	}
	idx := w.idx
	return &idx, w.off, nil
}

// readBlock reads and verifies block b into buf (grown as needed).
func readBlock(f *os.File, x *lookupIndex, b int, buf []byte) ([]byte, error) {
	n := int(x.lens[b]) + 4
	if cap(buf) < n {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	if _, err := f.ReadAt(buf, x.offs[b]); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return buf, fmt.Errorf("%w: block %d truncated", errBlockDamaged, b)
		}
		return buf, err
	}
	payload := buf[:n-4]
	if crc32.Checksum(payload, castagnoli) != binary.LittleEndian.Uint32(buf[n-4:]) {
		return buf, fmt.Errorf("%w: block %d checksum mismatch", errBlockDamaged, b)
	}
	return payload, nil
}

// blockCursor walks the entries of one verified block payload.
type blockCursor struct {
	data     []byte // the entries
	restarts []byte // their offsets, 4 bytes each
	off      int    // offset of the next entry
	start    int    // offset of the current entry, -1 if none
	nextR    int    // the first restart at or after off
	key      []byte
	pos      int64
}

func (c *blockCursor) reset(payload []byte) error {
	if len(payload) < 4 {
		return errBlockDamaged
	}
	n := uint64(binary.LittleEndian.Uint32(payload[len(payload)-4:]))
	if n == 0 || 4*n > uint64(len(payload)-4) {
		return errBlockDamaged
	}
	end := len(payload) - 4 - int(4*n)
	c.data, c.restarts = payload[:end], payload[end:len(payload)-4]
	prev := -1
	for r := range int(n) {
		o := int(binary.LittleEndian.Uint32(c.restarts[4*r:]))
		if o <= prev || o >= end || (r == 0 && o != 0) {
			return errBlockDamaged
		}
		prev = o
	}
	c.off, c.start, c.nextR, c.key, c.pos = 0, -1, 0, c.key[:0], 0
	return nil
}

func (c *blockCursor) restart(r int) int {
	return int(binary.LittleEndian.Uint32(c.restarts[4*r:]))
}

// restartKey returns the key of restart entry r.
func (c *blockCursor) restartKey(r int) ([]byte, error) {
	o := c.restart(r)
	shared, n := binary.Uvarint(c.data[o:])
	if n <= 0 || shared != 0 {
		return nil, errBlockDamaged
	}
	o += n
	unshared, n := binary.Uvarint(c.data[o:])
	if n <= 0 || unshared > uint64(len(c.data)-o-n) {
		return nil, errBlockDamaged
	}
	o += n
	return c.data[o : o+int(unshared)], nil
}

// seek moves to the first entry whose key is >= k, never backwards; false
// if the block has none.
func (c *blockCursor) seek(k []byte) (bool, error) {
	if c.start >= 0 && bytes.Compare(c.key, k) >= 0 {
		return true, nil
	}
	// The last restart whose key is <= k; jump there if it is ahead.
	lo, hi := 0, len(c.restarts)/4
	for lo < hi {
		h := int(uint(lo+hi) >> 1)
		rk, err := c.restartKey(h)
		if err != nil {
			return false, err
		}
		if bytes.Compare(rk, k) <= 0 {
			lo = h + 1
		} else {
			hi = h
		}
	}
	if r := lo - 1; r >= 0 && c.restart(r) > c.start {
		c.off, c.nextR = c.restart(r), r
	}
	for {
		ok, err := c.next()
		if !ok || err != nil {
			return false, err
		}
		if bytes.Compare(c.key, k) >= 0 {
			return true, nil
		}
	}
}

// next decodes the next entry; false at the end of the block.
func (c *blockCursor) next() (bool, error) {
	if c.off >= len(c.data) {
		return false, nil
	}
	start := c.off
	shared, n := binary.Uvarint(c.data[c.off:])
	if c.nextR < len(c.restarts)/4 && start == c.restart(c.nextR) && shared != 0 {
		return false, errBlockDamaged
	}
	if n <= 0 || shared > uint64(len(c.key)) {
		return false, errBlockDamaged
	}
	c.off += n
	unshared, n := binary.Uvarint(c.data[c.off:])
	if n <= 0 || unshared > uint64(len(c.data)-c.off-n) {
		return false, errBlockDamaged
	}
	c.off += n
	c.key = append(c.key[:shared], c.data[c.off:c.off+int(unshared)]...)
	c.off += int(unshared)
	delta, n := binary.Uvarint(c.data[c.off:])
	if n <= 0 || delta > 1<<62 {
		return false, errBlockDamaged
	}
	c.off += n
	if c.nextR < len(c.restarts)/4 && start == c.restart(c.nextR) {
		c.pos = int64(delta)
		c.nextR++
	} else {
		c.pos += int64(delta)
	}
	c.start = start
	return true, nil
}
