package merge

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
)

// theta_sketch: Paimon unions two serialized Apache DataSketches theta
// sketches with a fresh default union (nominal entries 4096, update seed
// 9001, p = 1) fed the accumulator then the input, and writes the union's
// ordered compact result. The union's buffer is a QuickSelect hash table
// whose theta, when it rebuilds, is the (k+1)-th smallest hash it holds;
// thetaUnion keeps the same state (the set of hashes, theta, the
// table's resize stages), so inputs in any order and of any family give
// Java's bytes.

var makeThetaSketch = makeVarBinary("theta_sketch", unionTheta)

const (
	thetaLgNom    = 12 // lg of the union's nominal entries, 4096
	thetaSeedHash = 0x93cc
	thetaMaxLong  = math.MaxInt64

	thetaFlagBigEndian = 1
	thetaFlagReadOnly  = 2
	thetaFlagEmpty     = 4
	thetaFlagCompact   = 8
	thetaFlagOrdered   = 16
	thetaFlagSingle    = 32

	thetaFamilyAlpha       = 1
	thetaFamilyQuickSelect = 2
	thetaFamilyCompact     = 3
)

var errTheta = errors.New("not a serialized theta sketch")

func unionTheta(x, y []byte) ([]byte, error) {
	u := newThetaUnion()
	if err := u.union(x); err != nil {
		return nil, err
	}
	if err := u.union(y); err != nil {
		return nil, err
	}
	return u.result(), nil
}

// thetaUnion is the state of a DataSketches theta union on the heap.
type thetaUnion struct {
	hashes    map[int64]struct{} // the gadget's retained hashes (all < theta)
	theta     int64              // the gadget's theta
	lgArr     int                // lg of the gadget's hash table size
	threshold int                // retained count that makes it resize or rebuild
	empty     bool               // the gadget saw no hash
	uTheta    int64              // the union's theta
	uEmpty    bool               // the union saw no non-empty sketch
}

func newThetaUnion() *thetaUnion {
	u := &thetaUnion{hashes: map[int64]struct{}{}, theta: thetaMaxLong, empty: true, uTheta: thetaMaxLong, uEmpty: true}
	// The table starts at the smallest size (2^5 at least) from which
	// resizes by 8 reach 2^(lgNom+1).
	u.lgArr = (thetaLgNom+1-5)%3 + 5
	u.threshold = thetaTableThreshold(u.lgArr)
	return u
}

func thetaTableThreshold(lgArr int) int {
	if lgArr <= thetaLgNom {
		return (1 << lgArr) / 2
	}
	return (1 << lgArr) * 15 / 16
}

func (u *thetaUnion) gadgetTheta() int64 {
	if u.empty {
		return thetaMaxLong
	}
	return u.theta
}

// update offers one hash to the gadget.
func (u *thetaUnion) update(h int64) error {
	if h < 0 {
		return fmt.Errorf("%w: negative hash %d", errTheta, h)
	}
	u.empty = false
	if h == 0 || h >= u.theta {
		return nil
	}
	if _, dup := u.hashes[h]; dup {
		return nil
	}
	u.hashes[h] = struct{}{}
	if len(u.hashes) <= u.threshold {
		return nil
	}
	if u.lgArr <= thetaLgNom {
		u.lgArr += max(min(3, thetaLgNom+1-u.lgArr), 1)
		u.threshold = thetaTableThreshold(u.lgArr)
		return nil
	}
	// Rebuild: theta becomes the (k+1)-th smallest hash, keeping the k
	// below it.
	s := u.sorted()
	u.theta = s[1<<thetaLgNom]
	for _, v := range s[1<<thetaLgNom:] {
		delete(u.hashes, v)
	}
	return nil
}

func (u *thetaUnion) sorted() []int64 {
	s := make([]int64, 0, len(u.hashes))
	for h := range u.hashes {
		s = append(s, h)
	}
	slices.Sort(s)
	return s
}

// union adds one serialized sketch, as Union.union(Memory) does.
func (u *thetaUnion) union(b []byte) error {
	if len(b) < 16 {
		// Java ignores anything shorter than 16 bytes; floe accepts only
		// what can be an empty sketch (8 bytes, serialization 1 to 4).
		if len(b) == 8 && b[1] >= 1 && b[1] <= 4 {
			return nil
		}
		return fmt.Errorf("%w: %d bytes", errTheta, len(b))
	}
	preLongs, serVer, fam, flags := int(b[0]&0x3f), b[1], b[2], b[5]
	if serVer != 3 {
		return fmt.Errorf("%w: serialization version %d (floe reads version 3, what DataSketches writes uncompressed)", errTheta, serVer)
	}
	if fam < thetaFamilyAlpha || fam > thetaFamilyCompact {
		return fmt.Errorf("%w: family %d is not alpha, quickselect or compact", errTheta, fam)
	}
	if flags&thetaFlagBigEndian != 0 {
		return fmt.Errorf("%w: big-endian", errTheta)
	}
	if preLongs == 1 {
		single := fam == thetaFamilyCompact && flags&0x1f == thetaFlagReadOnly|thetaFlagCompact|thetaFlagOrdered ||
			flags&thetaFlagSingle != 0
		if single {
			return u.update(int64(binary.LittleEndian.Uint64(b[8:])))
		}
		return nil // empty
	}
	if preLongs > 3 {
		return fmt.Errorf("%w: %d preamble longs", errTheta, preLongs)
	}
	if sh := binary.LittleEndian.Uint16(b[6:]); sh != thetaSeedHash {
		return fmt.Errorf("%w: seed hash %#04x is not that of the default seed (%#04x)", errTheta, sh, thetaSeedHash)
	}
	count := int64(int32(binary.LittleEndian.Uint32(b[8:])))
	if count < 0 {
		return fmt.Errorf("%w: negative count %d", errTheta, count)
	}
	thetaIn := int64(thetaMaxLong)
	if preLongs == 2 {
		if count == 0 {
			return nil
		}
	} else {
		if len(b) < 24 {
			return fmt.Errorf("%w: %d bytes", errTheta, len(b))
		}
		thetaIn = int64(binary.LittleEndian.Uint64(b[16:]))
		if thetaIn <= 0 {
			return fmt.Errorf("%w: theta %d", errTheta, thetaIn)
		}
	}
	u.uTheta = min(u.uTheta, thetaIn, u.gadgetTheta())
	u.uEmpty = false
	body := b[preLongs*8:]
	size := count
	if flags&thetaFlagOrdered == 0 && flags&thetaFlagCompact == 0 {
		lgArr := int(b[4])
		if lgArr > 26 {
			return fmt.Errorf("%w: hash table of 2^%d longs", errTheta, lgArr)
		}
		size = 1 << lgArr
	}
	if int64(len(body))/8 < size {
		return fmt.Errorf("%w: %d hashes in %d bytes", errTheta, size, len(body))
	}
	for i := range int(size) {
		h := int64(binary.LittleEndian.Uint64(body[8*i:]))
		if flags&thetaFlagOrdered != 0 {
			if h >= u.uTheta {
				break // sorted: the rest are above theta too
			}
		} else if h <= 0 || h >= u.uTheta {
			continue
		}
		if err := u.update(h); err != nil {
			return err
		}
	}
	u.uTheta = min(u.uTheta, u.gadgetTheta())
	return nil
}

// result is the union's ordered compact sketch, serialized.
func (u *thetaUnion) result() []byte {
	s := u.sorted()
	theta := u.gadgetTheta()
	if len(s) > 1<<thetaLgNom {
		theta = min(theta, s[1<<thetaLgNom])
	}
	theta = min(theta, u.uTheta)
	n, _ := slices.BinarySearch(s, theta)
	s = s[:n]
	empty := u.empty && u.uEmpty || len(s) == 0 && theta == thetaMaxLong
	var out []byte
	pre0 := func(preLongs, flags byte) {
		out = append(out, preLongs, 3, thetaFamilyCompact, 0, 0, flags)
		out = binary.LittleEndian.AppendUint16(out, thetaSeedHash)
	}
	switch {
	case empty:
		return []byte{1, 3, thetaFamilyCompact, 0, 0, thetaFlagReadOnly | thetaFlagEmpty | thetaFlagCompact | thetaFlagOrdered, 0, 0}
	case len(s) == 1 && theta == thetaMaxLong:
		pre0(1, thetaFlagReadOnly|thetaFlagCompact|thetaFlagOrdered|thetaFlagSingle)
		return binary.LittleEndian.AppendUint64(out, uint64(s[0]))
	}
	preLongs := byte(2)
	if theta < thetaMaxLong {
		preLongs = 3
	}
	out = make([]byte, 0, 8*(int(preLongs)+len(s)))
	pre0(preLongs, thetaFlagReadOnly|thetaFlagCompact|thetaFlagOrdered)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(s)))
	out = binary.LittleEndian.AppendUint32(out, math.Float32bits(1))
	if preLongs == 3 {
		out = binary.LittleEndian.AppendUint64(out, uint64(theta))
	}
	for _, h := range s {
		out = binary.LittleEndian.AppendUint64(out, uint64(h))
	}
	return out
}
