package merge

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// hll_sketch: Paimon heapifies the accumulator as an Apache DataSketches
// HLL sketch, builds a union from the input (Union.heapify: a union of
// the input's lgK fed the input), adds the accumulator, and writes the
// union's result as a compact HLL_4 sketch. The union's gadget is an
// HLL_8 sketch that starts as a coupon LIST and is promoted to a coupon
// SET and to an HLL array as coupons arrive; the HIP accumulator it
// carries depends on the order of those updates, so hllSketch follows
// Java's state (coupon tables and their probing, the KxQ registers, the
// out-of-order flag) step by step.

var makeHllSketch = makeVarBinary("hll_sketch", unionHll)

var errHll = errors.New("not a serialized HLL sketch")

type hllMode uint8

const (
	hllList hllMode = iota
	hllSet
	hllHLL
)

// Target types, as their ordinals in the mode byte.
const (
	hll4 = 0
	hll6 = 1
	hll8 = 2
)

const (
	hllFlagEmpty   = 4
	hllFlagCompact = 8
	hllFlagOoo     = 16
	hllFlagRebuild = 32

	hllAuxToken = 15
	hllKeyMask  = 1<<26 - 1
)

// hllLgAuxInit is the lg of the initial HLL_4 exception table by lgK.
var hllLgAuxInit = [...]int{0, 2, 2, 2, 2, 2, 2, 3, 3, 3, 4, 4, 5, 5, 6, 7, 8, 9, 10, 11, 12, 13}

// hllSketch is a heap HLL sketch in one of its modes.
type hllSketch struct {
	lgK  int
	tgt  int
	mode hllMode

	// LIST and SET: the coupon array (a list filled in order, or an
	// open-addressing table) and the number of coupons.
	lgArr   int
	count   int
	coupons []uint32

	// HLL: the value of each slot, the HIP accumulator and the KxQ
	// registers (kept by HLL_8 sketches; the others are converted).
	vals       []uint8
	ooo        bool
	rebuild    bool
	hip        float64
	kxq0, kxq1 float64
}

// hllCorrupt carries a state Java would throw on, up to unionHll.
type hllCorrupt struct{ err error }

func hllFail(format string, args ...any) {
	panic(hllCorrupt{fmt.Errorf("%w: "+format, append([]any{errHll}, args...)...)})
}

func unionHll(acc, in []byte) (out []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			c, ok := p.(hllCorrupt)
			if !ok {
				panic(p)
			}
			out, err = nil, c.err
		}
	}()
	x, err := readHll(acc, true)
	if err != nil {
		return nil, err
	}
	y, err := readHll(in, false)
	if err != nil {
		return nil, err
	}
	lgMaxK := y.lgK
	g := newHllList(lgMaxK, hll8)
	g = hllUnionUpdate(g, y, lgMaxK)
	g = hllUnionUpdate(g, x, lgMaxK)
	g.checkRebuild()
	return g.compactHll4(), nil
}

func newHllList(lgK, tgt int) *hllSketch {
	return &hllSketch{lgK: lgK, tgt: tgt, mode: hllList, lgArr: 3, coupons: make([]uint32, 8)}
}

func newHllSet(lgK, tgt int) *hllSketch {
	return &hllSketch{lgK: lgK, tgt: tgt, mode: hllSet, lgArr: 5, coupons: make([]uint32, 32)}
}

func newHll8(lgK int) *hllSketch {
	return &hllSketch{lgK: lgK, tgt: hll8, mode: hllHLL, vals: make([]uint8, 1<<lgK), kxq0: float64(int(1) << lgK)}
}

func (s *hllSketch) empty() bool { return s.mode != hllHLL && s.count == 0 }

func invPow2(e int) float64 { return math.Float64frombits(uint64(1023-e) << 52) }

// readHll heapifies a serialized sketch; checkRebuild recomputes the KxQ
// registers of an HLL_8 image that asks for it, as HllSketch.heapify does.
func readHll(b []byte, checkRebuild bool) (*hllSketch, error) {
	if len(b) < 8 {
		return nil, fmt.Errorf("%w: %d bytes", errHll, len(b))
	}
	preInts, serVer, fam, lgK, lgArr, flags := int(b[0]&0x3f), b[1], b[2], int(b[3]), int(b[4]), b[5]
	mode, tgt := hllMode(b[7]&3), int(b[7]>>2&3)
	if fam != 7 || serVer != 1 {
		return nil, fmt.Errorf("%w: family %d, serialization version %d", errHll, fam, serVer)
	}
	if want := [...]int{2, 3, 10, 0}[mode]; preInts != want || len(b) < 4*preInts {
		return nil, fmt.Errorf("%w: mode %d with %d preamble ints in %d bytes", errHll, mode, preInts, len(b))
	}
	if tgt > hll8 {
		return nil, fmt.Errorf("%w: target type %d", errHll, tgt)
	}
	if lgK < 4 || lgK > 21 {
		return nil, fmt.Errorf("%w: lgK %d", errHll, lgK)
	}
	s := &hllSketch{lgK: lgK, tgt: tgt, mode: mode}
	switch mode {
	case hllList:
		n := int(b[6])
		if n > 8 || len(b) < 8+4*n {
			return nil, fmt.Errorf("%w: list of %d coupons in %d bytes", errHll, n, len(b))
		}
		s.lgArr, s.count, s.coupons = 3, n, make([]uint32, 8)
		for i := range n {
			s.coupons[i] = binary.LittleEndian.Uint32(b[8+4*i:])
		}
		return s, nil
	case hllSet:
		if lgK < 8 {
			return nil, fmt.Errorf("%w: coupon set with lgK %d", errHll, lgK)
		}
		n := int(int32(binary.LittleEndian.Uint32(b[8:])))
		if n < 0 || n > 1<<(lgK-3) {
			return nil, fmt.Errorf("%w: coupon set of %d", errHll, n)
		}
		data := b[12:]
		if flags&hllFlagCompact != 0 {
			if len(data) < 4*n {
				return nil, fmt.Errorf("%w: set of %d coupons in %d bytes", errHll, n, len(b))
			}
			set := newHllSet(lgK, tgt)
			for i := range n {
				set.setInsert(binary.LittleEndian.Uint32(data[4*i:]))
			}
			return set, nil
		}
		if lgArr < 5 {
			lgArr = hllLgArrFor(n, 5)
		}
		if lgArr > lgK-3 || len(data) < 4<<lgArr || 4*n > 3<<lgArr {
			return nil, fmt.Errorf("%w: coupon table of 2^%d ints holding %d in %d bytes", errHll, lgArr, n, len(b))
		}
		s.lgArr, s.count, s.coupons = lgArr, n, make([]uint32, 1<<lgArr)
		seen := map[uint32]bool{}
		for i := range s.coupons {
			c := binary.LittleEndian.Uint32(data[4*i:])
			s.coupons[i] = c
			if c != 0 {
				if seen[c] {
					return nil, fmt.Errorf("%w: coupon %#x twice", errHll, c)
				}
				seen[c] = true
			}
		}
		if len(seen) != n {
			return nil, fmt.Errorf("%w: coupon table holds %d coupons, count says %d", errHll, len(seen), n)
		}
		return s, nil
	}
	k := 1 << lgK
	arrBytes := [...]int{k / 2, 3*k/4 + 1, k}[tgt]
	if len(b) < 40+arrBytes {
		return nil, fmt.Errorf("%w: HLL array of %d bytes in %d", errHll, arrBytes, len(b))
	}
	s.ooo = flags&hllFlagOoo != 0
	s.rebuild = flags&hllFlagRebuild != 0
	s.hip = math.Float64frombits(binary.LittleEndian.Uint64(b[8:]))
	s.kxq0 = math.Float64frombits(binary.LittleEndian.Uint64(b[16:]))
	s.kxq1 = math.Float64frombits(binary.LittleEndian.Uint64(b[24:]))
	arr := b[40 : 40+arrBytes]
	s.vals = make([]uint8, k)
	switch tgt {
	case hll8:
		copy(s.vals, arr)
	case hll6:
		for i := range k {
			bit := 6 * i
			s.vals[i] = uint8(binary.LittleEndian.Uint16(arr[bit/8:]) >> (bit % 8) & 0x3f)
		}
	case hll4:
		aux, err := readHllAux(b, lgK, lgArr, flags&hllFlagCompact != 0, 40+arrBytes)
		if err != nil {
			return nil, err
		}
		curMin := int(b[6])
		for i := range k {
			nib := int(arr[i/2] >> (4 * (i & 1)) & 0xf)
			if nib == hllAuxToken {
				v, ok := aux[i]
				if !ok {
					return nil, fmt.Errorf("%w: slot %d has no exception value", errHll, i)
				}
				s.vals[i] = v
			} else if v := nib + curMin; v <= 63 {
				s.vals[i] = uint8(v)
			} else {
				return nil, fmt.Errorf("%w: slot value %d", errHll, v)
			}
		}
	}
	for i, v := range s.vals {
		if v > 63 {
			return nil, fmt.Errorf("%w: slot %d value %d", errHll, i, v)
		}
	}
	if tgt != hll8 {
		// Only HLL_8 sketches enter the union as they are; HLL_4 and HLL_6
		// ones are converted to HLL_8, which rebuilds the registers.
		s.kxq0, s.kxq1, s.rebuild = 0, 0, false
	}
	if checkRebuild {
		s.checkRebuild()
	}
	return s, nil
}

// readHllAux reads the exception values of an HLL_4 image by slot.
func readHllAux(b []byte, lgK, lgArr int, compact bool, start int) (map[int]uint8, error) {
	n := int(int32(binary.LittleEndian.Uint32(b[36:])))
	if n <= 0 {
		return nil, nil
	}
	ints := n
	if !compact {
		if lgArr >= lgK {
			return nil, fmt.Errorf("%w: exception table of 2^%d ints", errHll, lgArr)
		}
		ints = 1 << lgArr
	}
	if n > 1<<lgK || (len(b)-start)/4 < ints {
		return nil, fmt.Errorf("%w: %d exceptions in %d bytes", errHll, n, len(b))
	}
	aux := map[int]uint8{}
	for i := range ints {
		p := binary.LittleEndian.Uint32(b[start+4*i:])
		if p == 0 && !compact {
			continue
		}
		slot := int(p&hllKeyMask) & (1<<lgK - 1)
		if _, dup := aux[slot]; dup {
			return nil, fmt.Errorf("%w: exception slot %d twice", errHll, slot)
		}
		aux[slot] = uint8(p >> 26)
	}
	return aux, nil
}

// hllLgArrFor is the lg size of a table for n entries at load 3/4, at
// least lgMin.
func hllLgArrFor(n, lgMin int) int {
	lg := 0
	for 1<<lg < n {
		lg++
	}
	if 4*n > 3<<lg {
		lg++
	}
	return max(lgMin, lg)
}

// hllFind probes a coupon table: the index of c, or ^index of the empty
// slot where it goes.
func hllFind(arr []uint32, lgArr int, c uint32) int {
	mask := uint32(len(arr) - 1)
	probe := c & mask
	start := probe
	for {
		switch arr[probe] {
		case 0:
			return ^int(probe)
		case c:
			return int(probe)
		}
		probe = (probe + ((c&hllKeyMask)>>lgArr | 1)) & mask
		if probe == start {
			hllFail("coupon table full")
		}
	}
}

// setInsert adds a coupon to a SET, growing the table; it reports whether
// the set has outgrown its largest table (Java then promotes it to HLL).
func (s *hllSketch) setInsert(c uint32) bool {
	i := hllFind(s.coupons, s.lgArr, c)
	if i >= 0 {
		return false
	}
	s.coupons[^i] = c
	s.count++
	if 4*s.count > 3<<s.lgArr {
		if s.lgArr == s.lgK-3 {
			return true
		}
		s.lgArr++
		grown := make([]uint32, 1<<s.lgArr)
		for _, v := range s.coupons {
			if v != 0 {
				j := hllFind(grown, s.lgArr, v)
				if j >= 0 {
					hllFail("duplicate coupon")
				}
				grown[^j] = v
			}
		}
		s.coupons = grown
	}
	return false
}

// couponUpdate is HllSketch.couponUpdate: it returns the sketch, which a
// promotion replaces.
func (s *hllSketch) couponUpdate(c uint32) *hllSketch {
	if c>>26 == 0 {
		return s
	}
	return s.implCouponUpdate(c)
}

func (s *hllSketch) implCouponUpdate(c uint32) *hllSketch {
	switch s.mode {
	case hllList:
		for i, v := range s.coupons {
			if v == 0 {
				s.coupons[i] = c
				s.count++
				if s.count >= len(s.coupons) {
					if s.lgK < 8 {
						return s.promoteToHll()
					}
					set := newHllSet(s.lgK, s.tgt)
					for _, v := range s.coupons[:s.count] {
						set.setInsert(v)
					}
					return set
				}
				return s
			}
			if v == c {
				return s
			}
		}
		hllFail("coupon list full")
	case hllSet:
		if s.setInsert(c) {
			return s.promoteToHll()
		}
		return s
	}
	s.updateSlotWithKxQ(int(c)&(1<<s.lgK-1), int(c>>26))
	return s
}

// promoteToHll turns a LIST or SET into an HLL array, its HIP accumulator
// the coupon estimate.
func (s *hllSketch) promoteToHll() *hllSketch {
	if s.tgt != hll8 {
		hllFail("promotion of a %d sketch", s.tgt)
	}
	h := newHll8(s.lgK)
	for _, c := range s.coupons {
		if c != 0 {
			h.updateSlotWithKxQ(int(c)&(1<<s.lgK-1), int(c>>26))
		}
	}
	h.hip = hllCouponEstimate(s.count)
	return h
}

func (s *hllSketch) updateSlotWithKxQ(slot, v int) {
	old := int(s.vals[slot])
	if v <= old {
		return
	}
	s.vals[slot] = uint8(v & 0x3f)
	s.hip += float64(int(1)<<s.lgK) / (s.kxq0 + s.kxq1)
	if old < 32 {
		s.kxq0 -= invPow2(old)
	} else {
		s.kxq1 -= invPow2(old)
	}
	if v < 32 {
		s.kxq0 += invPow2(v)
	} else {
		s.kxq1 += invPow2(v)
	}
}

// setOoo is putOutOfOrder: setting the flag clears the HIP accumulator.
func (s *hllSketch) setOoo(ooo bool) {
	if ooo {
		s.hip = 0
	}
	s.ooo = ooo
}

// mergeCouponsInto updates t with the coupons of s in table order.
func (s *hllSketch) mergeCouponsInto(t *hllSketch) *hllSketch {
	for _, c := range s.coupons {
		if c != 0 {
			t = t.couponUpdate(c)
		}
	}
	return t
}

// copyAsHll8 is copyAs(HLL_8).
func (s *hllSketch) copyAsHll8() *hllSketch {
	c := *s
	c.tgt = hll8
	if s.mode != hllHLL {
		c.coupons = append([]uint32(nil), s.coupons...)
		return &c
	}
	if s.tgt == hll8 {
		c.vals = append([]uint8(nil), s.vals...)
		return &c
	}
	h := newHll8(s.lgK)
	h.setOoo(s.ooo)
	for i, v := range s.vals {
		if v != 0 {
			h.updateSlotWithKxQ(i, int(v))
		}
	}
	h.hip = s.hip
	return h
}

// downsample copies an HLL array into a new HLL_8 one of lgK.
func (s *hllSketch) downsample(lgK int) *hllSketch {
	h := newHll8(lgK)
	for i, v := range s.vals {
		if v != 0 {
			h.updateSlotWithKxQ(i&(1<<lgK-1), int(v))
		}
	}
	h.hip = s.hip
	h.setOoo(s.ooo)
	return h
}

// mergeHll takes the slot maxima of src (lgK >= t's) into t.
func (src *hllSketch) mergeHll(t *hllSketch) {
	mask := 1<<t.lgK - 1
	for i, v := range src.vals {
		if v > t.vals[i&mask] {
			t.vals[i&mask] = v
		}
	}
	t.rebuild = true
}

// hllUnionUpdate is Union.update(src) on gadget g (HLL_8, on the heap).
func hllUnionUpdate(g, src *hllSketch, lgMaxK int) *hllSketch {
	if src.empty() {
		return g
	}
	switch src.mode {
	case hllList:
		return src.mergeCouponsInto(g)
	case hllSet:
		if g.empty() && src.lgK == g.lgK {
			return src.copyAsHll8()
		}
		return src.mergeCouponsInto(g)
	}
	srcHll8 := func() *hllSketch {
		if src.lgK > lgMaxK {
			return src.downsample(lgMaxK)
		}
		return src.copyAsHll8()
	}
	switch {
	case g.empty():
		return srcHll8()
	case g.mode != hllHLL:
		return g.mergeCouponsInto(srcHll8())
	case src.lgK < g.lgK:
		d := g.downsample(src.lgK)
		src.mergeHll(d)
		d.setOoo(true)
		return d
	default:
		src.mergeHll(g)
		g.setOoo(true)
		return g
	}
}

// checkRebuild recomputes the KxQ registers of an HLL_8 array after
// merges that skipped them.
func (s *hllSketch) checkRebuild() {
	if !s.rebuild || s.mode != hllHLL || s.tgt != hll8 {
		return
	}
	s.kxq0, s.kxq1 = float64(int(1)<<s.lgK), 0
	for _, v := range s.vals {
		if v > 0 {
			if v < 32 {
				s.kxq0 += invPow2(int(v)) - 1.0
			} else {
				s.kxq1 += invPow2(int(v)) - 1.0
			}
		}
	}
	s.rebuild = false
}

// compactHll4 is copyAs(HLL_4).toCompactByteArray().
func (s *hllSketch) compactHll4() []byte {
	if s.mode != hllHLL {
		preInts, start := 2, 8
		if s.mode == hllSet {
			preInts, start = 3, 12
		}
		flags := byte(hllFlagCompact)
		if s.count == 0 {
			flags |= hllFlagEmpty
		}
		out := make([]byte, start+4*s.count)
		copy(out, []byte{byte(preInts), 1, 7, byte(s.lgK), byte(s.lgArr), flags, 0, byte(hll4<<2) | byte(s.mode)})
		if s.mode == hllList {
			out[6] = byte(s.count)
		} else {
			binary.LittleEndian.PutUint32(out[8:], uint32(s.count))
		}
		n := 0
		for _, c := range s.coupons {
			if c != 0 {
				if n == s.count {
					hllFail("more coupons than the count %d", s.count)
				}
				binary.LittleEndian.PutUint32(out[start+4*n:], c)
				n++
			}
		}
		return out
	}
	k := 1 << s.lgK
	curMin, numAtCurMin := 64, 0
	for _, v := range s.vals {
		switch {
		case int(v) < curMin:
			curMin, numAtCurMin = int(v), 1
		case int(v) == curMin:
			numAtCurMin++
		}
	}
	nibbles := make([]byte, k/2)
	kxq0, kxq1 := float64(k), 0.0
	var aux []uint32
	lgAux, auxCount := hllLgAuxInit[s.lgK], 0
	for i, v := range s.vals {
		if v == 0 {
			continue
		}
		kxq0 -= 1.0
		if v < 32 {
			kxq0 += invPow2(int(v))
		} else {
			kxq1 += invPow2(int(v))
		}
		nib := int(v) - curMin
		if int(v) >= curMin+hllAuxToken {
			nib = hllAuxToken
			if aux == nil {
				aux = make([]uint32, 1<<lgAux)
			}
			aux, lgAux = hllAuxAdd(aux, lgAux, s.lgK, i, int(v), auxCount)
			auxCount++
		}
		nibbles[i/2] |= byte(nib) << (4 * (i & 1))
	}
	out := make([]byte, 40+k/2+4*auxCount)
	flags := byte(hllFlagCompact)
	if s.ooo {
		flags |= hllFlagOoo
	}
	lgArrByte := 0
	if aux != nil {
		lgArrByte = lgAux
	}
	copy(out, []byte{10, 1, 7, byte(s.lgK), byte(lgArrByte), flags, byte(curMin), byte(hll4<<2) | byte(hllHLL)})
	binary.LittleEndian.PutUint64(out[8:], math.Float64bits(s.hip))
	binary.LittleEndian.PutUint64(out[16:], math.Float64bits(kxq0))
	binary.LittleEndian.PutUint64(out[24:], math.Float64bits(kxq1))
	binary.LittleEndian.PutUint32(out[32:], uint32(numAtCurMin))
	binary.LittleEndian.PutUint32(out[36:], uint32(auxCount))
	copy(out[40:], nibbles)
	n := 0
	for _, p := range aux {
		if p != 0 {
			binary.LittleEndian.PutUint32(out[40+k/2+4*n:], p)
			n++
		}
	}
	return out
}

// hllAuxAdd adds slot's value to an HLL_4 exception table (count entries
// before), growing it at load 3/4; it returns the table and its lg size.
func hllAuxAdd(aux []uint32, lgAux, lgK, slot, v, count int) ([]uint32, int) {
	find := func(arr []uint32, lg, slot int) int {
		mask := len(arr) - 1
		probe := slot & mask
		for {
			if arr[probe] == 0 {
				return probe
			}
			if int(arr[probe])&(1<<lgK-1) == slot {
				hllFail("exception slot %d twice", slot)
			}
			probe = (probe + (slot>>lg | 1)) & mask
		}
	}
	aux[find(aux, lgAux, slot)] = uint32(v)<<26 | uint32(slot)&hllKeyMask
	if 4*(count+1) > 3*len(aux) {
		lgAux++
		grown := make([]uint32, 1<<lgAux)
		for _, p := range aux {
			if p != 0 {
				grown[find(grown, lgAux, int(p)&(1<<lgK-1))] = p
			}
		}
		aux = grown
	}
	return aux, lgAux
}

// hllCouponEstimate is the estimate of a coupon LIST or SET: a cubic
// interpolation of the coupon count in DataSketches' coupon mapping.
func hllCouponEstimate(n int) float64 {
	x := float64(n)
	xs, ys := hllCouponX[:], hllCouponY[:]
	last := len(xs) - 1
	if x == xs[last] {
		return max(ys[last], x)
	}
	lo, hi := 0, last
	for lo+1 < hi {
		mid := lo + (hi-lo)/2
		if xs[mid] <= x {
			lo = mid
		} else {
			hi = mid
		}
	}
	off := lo - 1
	switch lo {
	case 0:
		off = 0
	case last - 1:
		off = lo - 2
	}
	return max(cubicInterpolate(xs[off:off+4], ys[off:off+4], x), x)
}

// cubicInterpolate is the Lagrange polynomial through four points at x.
func cubicInterpolate(xs, ys []float64, x float64) float64 {
	var sum float64
	for i := range 4 {
		num, den := 1.0, 1.0
		for j := range 4 {
			if j != i {
				num = float64(num * (x - xs[j]))
				den = float64(den * (xs[i] - xs[j]))
			}
		}
		sum += float64(ys[i]*num) / den
	}
	return sum
}

// The coupon mapping of DataSketches' HLL sketch: the estimated distinct
// count (y) for a coupon count (x), numerical data of the format.
var hllCouponX = [...]float64{
	0, 1, 20, 400, 8000, 160000, 300000, 600000, 900000, 1200000, 1500000, 1800000, 2100000, 2400000,
	2700000, 3000000, 3300000, 3600000, 3900000, 4200000, 4500000, 4800000, 5100000, 5400000, 5700000,
	6000000, 6300000, 6600000, 6900000, 7200000, 7500000, 7800000, 8100000, 8400000, 8700000, 9000000,
	9300000, 9600000, 9900000, 10200000,
}

var hllCouponY = [...]float64{
	0, 1, 20.0000009437402611, 400.0003963713384110, 8000.1589294602090376, 160063.6067763759638183,
	300223.7071597663452849, 600895.5933856170158833, 902016.8065120954997838, 1203588.4983199508860707,
	1505611.8245524743106216, 1808087.9449319066479802, 2111018.0231759352609515, 2414403.2270142501220107,
	2718244.7282051891088486, 3022543.7025524540804327, 3327301.3299219091422856, 3632518.7942584538832307,
	3938197.2836029687896371, 4244337.9901093561202288, 4550942.1100616492331028, 4858010.8438911894336343,
	5165545.3961938973516226, 5473546.9757476449012756, 5782016.7955296505242586, 6090956.0727340159937739,
	6400366.0287892958149314, 6710247.8893762007355690, 7020602.8844453142955899, 7331432.2482349723577499,
	7642737.2192891482263803, 7954519.0404754765331745, 8266778.9590033423155546, 8579518.2264420464634895,
	8892738.0987390466034412, 9206439.8362383283674717, 9520624.7036988288164139, 9835293.9703129194676876,
	10150448.9097250290215015, 10466090.8000503256917000,
}
