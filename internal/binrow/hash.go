package binrow

import (
	"encoding/binary"
	"fmt"
	"math/bits"
)

// Serialize returns the form of a row stored in Avro bytes fields: the
// arity as a 4-byte big-endian int followed by the row bytes.
func Serialize(arity int, raw []byte) []byte {
	return AppendSerialized(make([]byte, 0, 4+len(raw)), arity, raw)
}

// AppendSerialized appends the serialized form of a row to dst.
func AppendSerialized(dst []byte, arity int, raw []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(arity))
	return append(dst, raw...)
}

// Deserialize splits a serialized row into its arity and row bytes (which
// alias b). It checks that the row holds at least its fixed part.
func Deserialize(b []byte) (arity int, raw []byte, err error) {
	if len(b) < 4 {
		return 0, nil, corrupt("serialized row of %d bytes", len(b))
	}
	a := int64(int32(binary.BigEndian.Uint32(b)))
	raw = b[4:]
	if a < 0 || a > int64(len(raw)) || FixedSize(int(a)) > len(raw) {
		return 0, nil, corrupt("arity %d with %d row bytes", a, len(raw))
	}
	return int(a), raw, nil
}

// EmptyRow returns the bytes of a row with no fields (8 zero bytes); its
// serialized form, Serialize(0, EmptyRow()), is 12 bytes.
func EmptyRow() []byte { return make([]byte, 8) }

// Hash returns Java's BinaryRow.hashCode of raw: MurmurHash3 (x86, 32 bit)
// over the little-endian 4-byte words of the row, seed 42, finalised with
// the byte length. Rows are always a multiple of 8 bytes long; trailing bytes
// beyond a multiple of 4 would be ignored.
func Hash(raw []byte) int32 {
	h := uint32(42)
	n := len(raw) &^ 3
	for i := 0; i < n; i += 4 {
		k := binary.LittleEndian.Uint32(raw[i:])
		k *= 0xcc9e2d51
		k = bits.RotateLeft32(k, 15)
		k *= 0x1b873593
		h ^= k
		h = bits.RotateLeft32(h, 13)
		h = h*5 + 0xe6546b64
	}
	h ^= uint32(len(raw))
	h ^= h >> 16
	h *= 0x85ebca6b
	h ^= h >> 13
	h *= 0xc2b2ae35
	h ^= h >> 16
	return int32(h)
}

// Bucket is Paimon's default bucket function: Math.abs(hash % n) with Java's
// truncating remainder. Since |hash % n| < n the absolute value never
// overflows. n must be positive (Java rejects other values); Bucket panics
// otherwise, as validating the bucket count is the caller's job.
func Bucket(hash int32, n int) int {
	if n <= 0 {
		panic(fmt.Sprintf("binrow: bucket count %d", n))
	}
	b := int64(hash) % int64(n)
	if b < 0 {
		b = -b
	}
	return int(b)
}

// ModBucket is Paimon's "mod" bucket function: Math.floorMod(key, n) for a
// single INT or BIGINT bucket key. A null key reads as 0, as in Java.
func ModBucket(key int64, n int) int {
	if n <= 0 {
		panic(fmt.Sprintf("binrow: bucket count %d", n))
	}
	b := key % int64(n)
	if b < 0 {
		b += int64(n)
	}
	return int(b)
}
