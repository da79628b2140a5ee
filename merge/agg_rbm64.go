package merge

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"slices"
)

// rbm64 is the union of two bitmaps of 64-bit values serialized the way
// Paimon's RoaringBitmap64 does: a Java Roaring64Bitmap (RoaringBitmap
// 1.2.x) written with its own serialize, which dumps its internals. Those
// are an adaptive radix tree over the high 48 bits of each value (nodes of
// 4, 16, 48 and 256 children, path-compressed prefixes, leaves pointing at
// containers by index) and a container store, a list of slot arrays that
// grow by half as containers are added, holding one 16-bit roaring
// container (array, bitmap or runs) per key. The layout depends on the
// order keys were added and on the container types each operation leaves,
// so floe replays what Java's or and runOptimize do, step for step, on the
// parsed structure instead of rebuilding it from the values.
//
// The wire format, all integers little-endian:
//
//	tag byte: 0 empty (nothing follows), 1 not empty
//	keySize int64, then the tree in pre-order, children by ascending key:
//	  node header: type byte (0 node4, 1 node16, 2 node48, 3 node256,
//	    4 leaf), count int16, prefix length byte, prefix bytes
//	  node4 body: int32 of the keys (position 0 in its top byte)
//	  node16 body: two int64, keys at positions 0-7 and 8-15 (top byte first)
//	  node48 body: 32 int64 mapping each key byte to a child slot (0xFF none)
//	  node256 body: 4 int64, a bit per present key byte
//	  leaf body: 6 key bytes (big-endian), container index int64
//	    (slot array << 32 | slot)
//	slot arrays int32, each: trim mark byte, slots int32, then per slot
//	  0 (empty) or 1, container type byte (0 run, 1 bitmap, 2 array),
//	  cardinality int32, and the container (runs: count uint16 then
//	  start/length-1 pairs; bitmap: 1024 int64; array: uint16 values)
//	containers int64, last slot array int32, last slot int32
func unionBitmap64(x, y []byte) ([]byte, error) {
	acc, err := readBitmap64(x)
	if err != nil {
		return nil, err
	}
	in, err := readBitmap64(y)
	if err != nil {
		return nil, err
	}
	acc.or(in)
	acc.runOptimize()
	return acc.appendTo(nil), nil
}

var makeBitmap64 = makeVarBinary("rbm64", unionBitmap64)

const (
	r64Node4 = iota
	r64Node16
	r64Node48
	r64Node256
	r64Leaf
)

const (
	r64Run = iota
	r64Bitmap
	r64Array
)

const r64Empty = 0xFF // a node48 key without a child

// r64Node is a node of the radix tree. keys holds node4 and node16 keys by
// position and node48's key-to-slot map; kids holds children by position
// (node4, node16), slot (node48) or key byte (node256).
type r64Node struct {
	kind   uint8
	count  int16
	prefix []byte
	keys   []byte
	kids   []*r64Node
	mask   [4]uint64 // node256
	key    [6]byte   // leaf
	cont   uint64    // leaf
}

// r64Container is one 16-bit roaring container. vals holds an array's
// values or a run container's start/length-1 pairs; words a bitmap's.
type r64Container struct {
	kind  uint8
	card  int
	vals  []uint16
	words []uint64
}

type bitmap64 struct {
	empty   bool
	keySize uint64
	root    *r64Node
	slots   [][]*r64Container
	size    uint64
	first   int32
	second  int32
}

var errBitmap64 = errors.New("not a serialized Roaring64Bitmap")

type r64Reader struct {
	b   []byte
	err error
}

func (r *r64Reader) take(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.b) {
		r.err = fmt.Errorf("%w: truncated", errBitmap64)
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *r64Reader) u8() uint8 {
	if v := r.take(1); v != nil {
		return v[0]
	}
	return 0
}

func (r *r64Reader) u16() uint16 {
	if v := r.take(2); v != nil {
		return binary.LittleEndian.Uint16(v)
	}
	return 0
}

func (r *r64Reader) u32() uint32 {
	if v := r.take(4); v != nil {
		return binary.LittleEndian.Uint32(v)
	}
	return 0
}

func (r *r64Reader) u64() uint64 {
	if v := r.take(8); v != nil {
		return binary.LittleEndian.Uint64(v)
	}
	return 0
}

func (r *r64Reader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %s", errBitmap64, fmt.Sprintf(format, args...))
	}
}

// readBitmap64 parses a serialized Roaring64Bitmap and checks everything
// the union relies on: a tree whose paths spell its leaves' keys, sorted
// keys, every container referenced exactly once, containers that hold
// what their cardinality says. Bytes after it are ignored, as Java does.
func readBitmap64(b []byte) (*bitmap64, error) {
	r := &r64Reader{b: b}
	bm := &bitmap64{first: -1}
	switch tag := r.u8(); {
	case r.err != nil:
		return nil, r.err
	case tag == 0:
		bm.empty = true
		return bm, nil
	case tag != 1:
		return nil, fmt.Errorf("%w: tag %d", errBitmap64, tag)
	}
	bm.keySize = r.u64()
	var path [6]byte
	leaves := 0
	bm.root = readR64Node(r, path[:0], &leaves)
	nSlots := int(int32(r.u32()))
	if r.err == nil && (nSlots < 1 || nSlots > len(r.b)) {
		r.fail("%d slot arrays", nSlots)
	}
	for i := 0; i < nSlots && r.err == nil; i++ {
		r.u8() // trim mark, ignored as Java does
		n := int(int32(r.u32()))
		if r.err == nil && (n < 1 || n > len(r.b)) {
			r.fail("%d slots", n)
			break
		}
		arr := make([]*r64Container, n)
		for j := range arr {
			switch mark := r.u8(); mark {
			case 0:
			case 1:
				arr[j] = readR64Container(r)
			default:
				r.fail("slot mark %d", mark)
			}
			if r.err != nil {
				break
			}
		}
		bm.slots = append(bm.slots, arr)
	}
	bm.size = r.u64()
	bm.first = int32(r.u32())
	bm.second = int32(r.u32())
	if r.err != nil {
		return nil, r.err
	}
	if int(bm.first) != len(bm.slots)-1 || bm.second < 0 || int(bm.second) >= len(bm.slots[bm.first]) {
		return nil, fmt.Errorf("%w: last slot %d/%d outside the store", errBitmap64, bm.first, bm.second)
	}
	if slices.ContainsFunc(bm.slots[bm.first][bm.second+1:], func(c *r64Container) bool { return c != nil }) {
		return nil, fmt.Errorf("%w: containers after the last slot %d/%d", errBitmap64, bm.first, bm.second)
	}
	if bm.keySize != uint64(leaves) {
		return nil, fmt.Errorf("%w: %d keys, %d leaves", errBitmap64, bm.keySize, leaves)
	}
	// Every leaf names a distinct, present container and no container is
	// left unnamed (Java would count its values).
	named := map[uint64]bool{}
	var err error
	bm.root.walk(func(l *r64Node) {
		i, j := l.cont>>32, uint32(l.cont)
		switch {
		case err != nil:
		case i >= uint64(len(bm.slots)) || int(j) >= len(bm.slots[i]) || bm.slots[i][j] == nil:
			err = fmt.Errorf("%w: leaf names container %d/%d, which is absent", errBitmap64, i, j)
		case named[l.cont]:
			err = fmt.Errorf("%w: container %d/%d named twice", errBitmap64, i, j)
		default:
			named[l.cont] = true
		}
	})
	if err != nil {
		return nil, err
	}
	present := 0
	for _, arr := range bm.slots {
		for _, c := range arr {
			if c != nil {
				present++
			}
		}
	}
	if present != len(named) || bm.size != uint64(present) {
		return nil, fmt.Errorf("%w: %d containers, %d named, size %d", errBitmap64, present, len(named), bm.size)
	}
	return bm, nil
}

// readR64Node reads a node and its subtree; path holds the key bytes
// above it.
func readR64Node(r *r64Reader, path []byte, leaves *int) *r64Node {
	kind := r.u8()
	count := int16(r.u16())
	plen := int(int8(r.u8()))
	if r.err != nil {
		return nil
	}
	if plen < 0 || len(path)+plen > 6 {
		r.fail("prefix of %d bytes at depth %d", plen, len(path))
		return nil
	}
	n := &r64Node{kind: kind, count: count, prefix: slices.Clone(r.take(plen))}
	if kind == r64Leaf {
		copy(n.key[:], r.take(6))
		n.cont = r.u64()
		if r.err == nil && string(n.key[:len(path)]) != string(path) {
			r.fail("leaf %x under path %x", n.key, path)
		}
		*leaves++
		return n
	}
	depth := len(path) + plen
	if depth >= 6 {
		r.fail("inner node at depth %d", depth)
		return nil
	}
	path = append(path, n.prefix...)
	var order []byte // child key bytes in ascending order
	switch kind {
	case r64Node4, r64Node16:
		size := 4
		if kind == r64Node16 {
			size = 16
		}
		if count < 1 || int(count) > size {
			r.fail("node of %d with %d children", size, count)
			return nil
		}
		n.keys = make([]byte, size)
		if kind == r64Node4 {
			binary.BigEndian.PutUint32(n.keys, r.u32())
		} else {
			binary.BigEndian.PutUint64(n.keys, r.u64())
			binary.BigEndian.PutUint64(n.keys[8:], r.u64())
		}
		order = n.keys[:count]
		for i := 1; i < len(order); i++ {
			if order[i] <= order[i-1] {
				r.fail("unsorted node keys %x", order)
				return nil
			}
		}
		n.kids = make([]*r64Node, size)
	case r64Node48:
		n.keys = make([]byte, 256)
		for i := 0; i < 32; i++ {
			binary.BigEndian.PutUint64(n.keys[8*i:], r.u64())
		}
		var seen [48]bool
		for k, s := range n.keys {
			if s == r64Empty {
				continue
			}
			if s >= 48 || seen[s] {
				r.fail("node48 slot %d", s)
				return nil
			}
			seen[s] = true
			order = append(order, byte(k))
		}
		if len(order) != int(count) || count < 1 {
			r.fail("node48 with %d children, count %d", len(order), count)
			return nil
		}
		n.kids = make([]*r64Node, 48)
	case r64Node256:
		for i := range n.mask {
			n.mask[i] = r.u64()
		}
		for k := 0; k < 256; k++ {
			if n.mask[k>>6]&(1<<(k&63)) != 0 {
				order = append(order, byte(k))
			}
		}
		if len(order) != int(count) || count < 1 {
			r.fail("node256 with %d children, count %d", len(order), count)
			return nil
		}
		n.kids = make([]*r64Node, 256)
	default:
		r.fail("node type %d", kind)
		return nil
	}
	for i, k := range order {
		c := readR64Node(r, append(path, k), leaves)
		if r.err != nil {
			return nil
		}
		switch kind {
		case r64Node4, r64Node16:
			n.kids[i] = c
		case r64Node48:
			n.kids[n.keys[k]] = c
		default:
			n.kids[k] = c
		}
	}
	return n
}

func readR64Container(r *r64Reader) *r64Container {
	c := &r64Container{kind: r.u8(), card: int(int32(r.u32()))}
	if r.err != nil {
		return nil
	}
	switch c.kind {
	case r64Run:
		n := int(r.u16())
		c.vals = readU16s(r, 2*n)
		total, prevEnd := 0, -2
		for i := 0; i+1 < len(c.vals); i += 2 {
			start, end := int(c.vals[i]), int(c.vals[i])+int(c.vals[i+1])
			if start <= prevEnd || end > 0xFFFF {
				r.fail("run %d+%d", start, c.vals[i+1])
				return nil
			}
			prevEnd = end
			total += end - start + 1
		}
		if r.err == nil && total != c.card {
			r.fail("run container of %d values says %d", total, c.card)
		}
	case r64Bitmap:
		c.words = make([]uint64, 1024)
		total := 0
		for i := range c.words {
			c.words[i] = r.u64()
			total += bits.OnesCount64(c.words[i])
		}
		if r.err == nil && total != c.card {
			r.fail("bitmap container of %d values says %d", total, c.card)
		}
	case r64Array:
		if c.card < 0 || c.card > 1<<16 {
			r.fail("array container of %d values", c.card)
			return nil
		}
		c.vals = readU16s(r, c.card)
		for i := 1; i < len(c.vals); i++ {
			if c.vals[i] <= c.vals[i-1] {
				r.fail("unsorted array container")
				return nil
			}
		}
	default:
		r.fail("container type %d", c.kind)
	}
	return c
}

func readU16s(r *r64Reader, n int) []uint16 {
	b := r.take(2 * n)
	if b == nil {
		return nil
	}
	v := make([]uint16, n)
	for i := range v {
		v[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return v
}

// children calls f on n's children in ascending key order (the order
// Java serializes them and iterates keys).
func (n *r64Node) children(f func(*r64Node)) {
	switch n.kind {
	case r64Node4, r64Node16:
		for _, c := range n.kids[:n.count] {
			f(c)
		}
	case r64Node48:
		for _, s := range n.keys {
			if s != r64Empty {
				f(n.kids[s])
			}
		}
	case r64Node256:
		for _, c := range n.kids {
			if c != nil {
				f(c)
			}
		}
	}
}

// walk calls f on the leaves under n in ascending key order.
func (n *r64Node) walk(f func(*r64Node)) {
	if n.kind == r64Leaf {
		f(n)
		return
	}
	n.children(func(c *r64Node) { c.walk(f) })
}

// childPos is the position of key byte k among n's children, or -1.
func (n *r64Node) childPos(k byte) int {
	switch n.kind {
	case r64Node4, r64Node16:
		if i := slices.Index(n.keys[:n.count], k); i >= 0 {
			return i
		}
	case r64Node48:
		if n.keys[k] != r64Empty {
			return int(k)
		}
	case r64Node256:
		if n.kids[k] != nil {
			return int(k)
		}
	}
	return -1
}

func (n *r64Node) child(pos int) *r64Node {
	if n.kind == r64Node48 {
		return n.kids[n.keys[pos]]
	}
	return n.kids[pos]
}

func (n *r64Node) setChild(pos int, c *r64Node) {
	if n.kind == r64Node48 {
		n.kids[n.keys[pos]] = c
	} else {
		n.kids[pos] = c
	}
}

// find returns the leaf of key, or nil.
func (bm *bitmap64) find(key [6]byte) *r64Node {
	n, depth := bm.root, 0
	for n != nil {
		if n.kind == r64Leaf {
			if n.key == key {
				return n
			}
			return nil
		}
		if len(n.prefix) > 0 {
			if depth+len(n.prefix) >= 6 || string(n.prefix) != string(key[depth:depth+len(n.prefix)]) {
				return nil
			}
			depth += len(n.prefix)
		}
		pos := n.childPos(key[depth])
		if pos < 0 {
			return nil
		}
		n = n.child(pos)
		depth++
	}
	return nil
}

func newR64Node4(prefix []byte) *r64Node {
	return &r64Node{kind: r64Node4, prefix: slices.Clone(prefix), keys: make([]byte, 4), kids: make([]*r64Node, 4)}
}

// insert adds key's leaf under n the way Java's Art.insert does and
// returns the node that replaces n.
func insert(n *r64Node, key [6]byte, depth int, cont uint64) *r64Node {
	if n == nil {
		return &r64Node{kind: r64Leaf, key: key, cont: cont}
	}
	if n.kind == r64Leaf {
		common := 0
		for depth+common < 6 && n.key[depth+common] == key[depth+common] {
			common++
		}
		n.prefix = nil
		n4 := newR64Node4(key[depth : depth+common])
		insertChild(n4, n, n.key[depth+common])
		insertChild(n4, &r64Node{kind: r64Leaf, key: key, cont: cont}, key[depth+common])
		return n4
	}
	if len(n.prefix) > 0 {
		mm := 0
		for mm < len(n.prefix) && n.prefix[mm] == key[depth+mm] {
			mm++
		}
		if mm != len(n.prefix) {
			n4 := newR64Node4(n.prefix[:mm])
			insertChild(n4, n, n.prefix[mm])
			n.prefix = slices.Clone(n.prefix[mm+1:])
			return insertChild(n4, &r64Node{kind: r64Leaf, key: key, cont: cont}, key[depth+mm])
		}
		depth += len(n.prefix)
	}
	if pos := n.childPos(key[depth]); pos >= 0 {
		c := n.child(pos)
		if fresh := insert(c, key, depth+1, cont); fresh != c {
			n.setChild(pos, fresh)
		}
		return n
	}
	return insertChild(n, &r64Node{kind: r64Leaf, key: key, cont: cont}, key[depth])
}

// insertChild adds child under key byte k, growing n into the next node
// type when it is full, and returns the node that replaces n.
func insertChild(n *r64Node, child *r64Node, k byte) *r64Node {
	switch n.kind {
	case r64Node4, r64Node16:
		if int(n.count) == len(n.keys) {
			if n.kind == r64Node4 {
				g := &r64Node{kind: r64Node16, count: 4, prefix: n.prefix, keys: make([]byte, 16), kids: make([]*r64Node, 16)}
				copy(g.keys, n.keys)
				copy(g.kids, n.kids)
				return insertChild(g, child, k)
			}
			g := &r64Node{kind: r64Node48, count: 16, prefix: n.prefix, keys: make([]byte, 256), kids: make([]*r64Node, 48)}
			for i := range g.keys {
				g.keys[i] = r64Empty
			}
			for i := 0; i < 16; i++ {
				g.keys[n.keys[i]] = byte(i)
				g.kids[i] = n.kids[i]
			}
			return insertChild(g, child, k)
		}
		c := int(n.count)
		n.keys[c] = k
		n.kids[c] = child
		// Java's insertion sort over the first count+1 positions.
		for i := 0; i < c; i++ {
			j := i
			key, kid := n.keys[i+1], n.kids[i+1]
			for key < n.keys[j] {
				n.keys[j+1], n.kids[j+1] = n.keys[j], n.kids[j]
				if j == 0 {
					j--
					break
				}
				j--
			}
			n.keys[j+1], n.kids[j+1] = key, kid
		}
		n.count++
		return n
	case r64Node48:
		if n.count < 48 {
			pos := int(n.count)
			if n.kids[pos] != nil {
				pos = slices.Index(n.kids, nil)
			}
			n.kids[pos] = child
			n.keys[k] = byte(pos)
			n.count++
			return n
		}
		g := &r64Node{kind: r64Node256, count: n.count, prefix: n.prefix, kids: make([]*r64Node, 256)}
		for key, s := range n.keys {
			if s != r64Empty {
				g.kids[key] = n.kids[s]
				g.mask[key>>6] |= 1 << (key & 63)
			}
		}
		return insertChild(g, child, k)
	default: // node256
		n.count++
		n.kids[k] = child
		n.mask[k>>6] |= 1 << (k & 63)
		return n
	}
}

// addContainer stores c in the next slot, growing the last slot array by
// half as Java's store does, and returns its index.
func (bm *bitmap64) addContainer(c *r64Container) uint64 {
	if bm.first == -1 {
		bm.slots = append(bm.slots, make([]*r64Container, 1))
		bm.first, bm.second = int32(len(bm.slots)-1), 0
	} else {
		bm.second++
	}
	arr := bm.slots[bm.first]
	if need := int(bm.second) + 1; need > len(arr) {
		grown := len(arr) + len(arr)>>1
		grown = max(grown, need)
		arr = append(arr, make([]*r64Container, grown-len(arr))...)
		bm.slots[bm.first] = arr
	}
	arr[bm.second] = c
	bm.size++
	return uint64(bm.first)<<32 | uint64(bm.second)
}

func (bm *bitmap64) container(idx uint64) *r64Container {
	return bm.slots[idx>>32][uint32(idx)]
}

// or adds in's values to bm: a key bm lacks gets a copy of in's container
// in a new slot and a new leaf; a shared key's container becomes the
// union, in the container type Java's in-place or leaves.
func (bm *bitmap64) or(in *bitmap64) {
	if in.empty {
		return
	}
	bm.empty = false
	in.root.walk(func(l *r64Node) {
		c := in.container(l.cont)
		if mine := bm.find(l.key); mine != nil {
			bm.slots[mine.cont>>32][uint32(mine.cont)] = orContainers(bm.container(mine.cont), c)
			return
		}
		idx := bm.addContainer(c)
		bm.root = insert(bm.root, l.key, 0, idx)
		bm.keySize++
	})
}

// runOptimize turns array and bitmap containers into run containers where
// those are smaller; run containers stay as they are (Java keeps them even
// when an array or bitmap would be smaller).
func (bm *bitmap64) runOptimize() {
	for _, arr := range bm.slots {
		for i, c := range arr {
			if c != nil && c.kind != r64Run {
				arr[i] = runOptimized(c)
			}
		}
	}
}

func runOptimized(c *r64Container) *r64Container {
	var runs int
	var size int
	if c.kind == r64Array {
		for i, v := range c.vals {
			if i == 0 || v != c.vals[i-1]+1 {
				runs++
			}
		}
		size = 2 * c.card
	} else {
		runs = countRuns(c.words)
		size = 8192
	}
	if size <= 2+4*runs {
		return c
	}
	if c.kind == r64Bitmap {
		return fromWords(c.words, c.card, r64Run)
	}
	out := &r64Container{kind: r64Run, card: c.card, vals: make([]uint16, 0, 2*runs)}
	for i, v := range c.vals {
		if i == 0 || v != c.vals[i-1]+1 {
			out.vals = append(out.vals, v, 0)
		} else {
			out.vals[len(out.vals)-1]++
		}
	}
	return out
}

// bitsOf is the container's values as a 65536-bit set (a bitmap's own
// words, not a copy).
func (c *r64Container) bitsOf() []uint64 {
	if c.kind == r64Bitmap {
		return c.words
	}
	w := make([]uint64, 1024)
	if c.kind == r64Array {
		for _, v := range c.vals {
			w[v>>6] |= 1 << (v & 63)
		}
		return w
	}
	for i := 0; i+1 < len(c.vals); i += 2 {
		setRange(w, int(c.vals[i]), int(c.vals[i])+int(c.vals[i+1])+1)
	}
	return w
}

// setRange sets the bits [start, end) of w.
func setRange(w []uint64, start, end int) {
	first, last := start>>6, (end-1)>>6
	lo, hi := ^uint64(0)<<(start&63), ^uint64(0)>>(63-((end-1)&63))
	if first == last {
		w[first] |= lo & hi
		return
	}
	w[first] |= lo
	for i := first + 1; i < last; i++ {
		w[i] = ^uint64(0)
	}
	w[last] |= hi
}

// nextBit is the first position at or after v whose bit in w is set (or
// clear, with set false), or 1<<16 when there is none.
func nextBit(w []uint64, v int, set bool) int {
	flip := uint64(0)
	if !set {
		flip = ^uint64(0)
	}
	i := v >> 6
	if i >= len(w) {
		return 1 << 16
	}
	x := (w[i] ^ flip) & (^uint64(0) << (v & 63))
	for x == 0 {
		i++
		if i == len(w) {
			return 1 << 16
		}
		x = w[i] ^ flip
	}
	return i<<6 + bits.TrailingZeros64(x)
}

func (c *r64Container) full() bool {
	return c.kind == r64Run && len(c.vals) == 2 && c.vals[0] == 0 && c.vals[1] == 0xFFFF
}

func countRuns(w []uint64) int {
	runs := 0
	for i, x := range w {
		// Starts of runs: set bits whose lower neighbour is clear.
		prev := uint64(0)
		if i > 0 {
			prev = w[i-1] >> 63
		}
		runs += bits.OnesCount64(x &^ (x<<1 | prev))
	}
	return runs
}

// orContainers is Java's a.ior(b) as far as the container type goes: the
// values are the union, the type is the one Java's operation returns.
func orContainers(a, b *r64Container) *r64Container {
	if a.full() {
		return a
	}
	if a.kind == r64Array && b.kind == r64Array && a.card+b.card <= 4096 {
		// The common small case, merged as sorted lists.
		out := &r64Container{kind: r64Array, vals: make([]uint16, 0, a.card+b.card)}
		x, y := a.vals, b.vals
		for len(x) > 0 && len(y) > 0 {
			switch {
			case x[0] < y[0]:
				out.vals, x = append(out.vals, x[0]), x[1:]
			case x[0] > y[0]:
				out.vals, y = append(out.vals, y[0]), y[1:]
			default:
				out.vals, x, y = append(out.vals, x[0]), x[1:], y[1:]
			}
		}
		out.vals = append(append(out.vals, x...), y...)
		out.card = len(out.vals)
		return out
	}
	w := slices.Clone(a.bitsOf())
	card := 0
	for i, x := range b.bitsOf() {
		w[i] |= x
		card += bits.OnesCount64(w[i])
	}
	var kind uint8
	switch {
	case card == 1<<16:
		kind = r64Run // every path returns a full run container
	case a.kind == r64Array && b.kind == r64Array:
		kind = r64Array
		if card > 4096 {
			kind = r64Bitmap
		}
	case a.kind == r64Bitmap || b.kind == r64Bitmap:
		kind = r64Bitmap
	default: // a run and an array, or two runs: the most compact type
		runs := countRuns(w)
		switch {
		case 2+4*runs <= min(8192, 2+2*card):
			kind = r64Run
		case card <= 4096:
			kind = r64Array
		default:
			kind = r64Bitmap
		}
	}
	return fromWords(w, card, kind)
}

// fromWords is the container of kind holding the card values set in w.
func fromWords(w []uint64, card int, kind uint8) *r64Container {
	c := &r64Container{kind: kind, card: card}
	switch kind {
	case r64Bitmap:
		c.words = w
	case r64Array:
		c.vals = make([]uint16, 0, c.card)
		for i, x := range w {
			for x != 0 {
				c.vals = append(c.vals, uint16(i<<6+bits.TrailingZeros64(x)))
				x &= x - 1
			}
		}
	default:
		for v := nextBit(w, 0, true); v < 1<<16; {
			end := nextBit(w, v, false)
			c.vals = append(c.vals, uint16(v), uint16(end-1-v))
			v = nextBit(w, end, true)
		}
	}
	return c
}

// appendTo appends the serialized bitmap to b.
func (bm *bitmap64) appendTo(b []byte) []byte {
	if bm.empty || bm.root == nil {
		return append(b, 0)
	}
	b = append(b, 1)
	b = binary.LittleEndian.AppendUint64(b, bm.keySize)
	b = appendR64Node(b, bm.root)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(bm.slots)))
	for _, arr := range bm.slots {
		b = append(b, 0xFE) // Java's "not trimmed" mark
		b = binary.LittleEndian.AppendUint32(b, uint32(len(arr)))
		for _, c := range arr {
			if c == nil {
				b = append(b, 0)
				continue
			}
			b = append(b, 1, c.kind)
			b = binary.LittleEndian.AppendUint32(b, uint32(c.card))
			switch c.kind {
			case r64Run:
				b = binary.LittleEndian.AppendUint16(b, uint16(len(c.vals)/2))
				for _, v := range c.vals {
					b = binary.LittleEndian.AppendUint16(b, v)
				}
			case r64Bitmap:
				for _, x := range c.words {
					b = binary.LittleEndian.AppendUint64(b, x)
				}
			default:
				for _, v := range c.vals {
					b = binary.LittleEndian.AppendUint16(b, v)
				}
			}
		}
	}
	b = binary.LittleEndian.AppendUint64(b, bm.size)
	b = binary.LittleEndian.AppendUint32(b, uint32(bm.first))
	return binary.LittleEndian.AppendUint32(b, uint32(bm.second))
}

func appendR64Node(b []byte, n *r64Node) []byte {
	b = append(b, n.kind)
	b = binary.LittleEndian.AppendUint16(b, uint16(n.count))
	b = append(b, byte(len(n.prefix)))
	b = append(b, n.prefix...)
	switch n.kind {
	case r64Leaf:
		b = append(b, n.key[:]...)
		return binary.LittleEndian.AppendUint64(b, n.cont)
	case r64Node4:
		b = binary.LittleEndian.AppendUint32(b, binary.BigEndian.Uint32(n.keys))
	case r64Node16, r64Node48: // keys (node48: its key-to-slot map) as big-endian longs
		for i := 0; i < len(n.keys); i += 8 {
			b = binary.LittleEndian.AppendUint64(b, binary.BigEndian.Uint64(n.keys[i:]))
		}
	case r64Node256:
		for _, x := range n.mask {
			b = binary.LittleEndian.AppendUint64(b, x)
		}
	}
	n.children(func(c *r64Node) { b = appendR64Node(b, c) })
	return b
}
