// Package binrow is Paimon's BinaryRow codec and bucket hash, byte for byte
// as Java Paimon 1.4.2 writes them (the format has not changed since 0.4).
//
// # Values
//
// Decode returns, and Encode takes, one Go value per field; nil is null:
//
//	BOOLEAN                      bool
//	TINYINT / SMALLINT           int8 / int16
//	INT, DATE, TIME              int32 (DATE: days since 1970-01-01; TIME: millisecond of day)
//	BIGINT                       int64
//	FLOAT / DOUBLE               float32 / float64
//	DECIMAL(p,s)                 Decimal (int64 unscaled fast path; *big.Int only when it does not fit)
//	CHAR, VARCHAR                string (UTF-8)
//	BINARY, VARBINARY, BLOB      []byte
//	TIMESTAMP, TIMESTAMP_LTZ     Timestamp{Millis, NanoOfMilli}
//	ARRAY                        []any
//	MAP                          Map{Keys, Values}
//	MULTISET                     Map{Keys: elements, Values: int32 counts}
//	ROW                          []any, one value per nested field
//
// VARIANT and VECTOR are not supported yet (ErrUnsupported). Encode is strict
// about Go types: an int where an int32 is expected is ErrValue.
//
// # Row layout
//
// A row is a fixed part followed by a variable part, all little-endian:
//
//   - Bytes 0..w-1, with w = ((arity+63+8)/64)*8, hold the header byte (the
//     RowKind: 0 +I, 1 -U, 2 +U, 3 -D) and the null bits: field i is null
//     when bit i+8 is set (byte (i+8)/8, mask 1<<((i+8)%8)).
//   - Then one 8-byte slot per field. Unused slot bytes are zero; a null
//     field's slot is zero.
//   - Then variable-length chunks, each padded with zeros to a multiple of 8,
//     in field order. A slot pointing at a chunk holds offset<<32 | length,
//     the offset counted from the start of the row.
//
// Fixed-width values sit at the start of their slot: BOOLEAN and TINYINT one
// byte, SMALLINT two, INT/DATE/TIME/FLOAT four, BIGINT/DOUBLE eight (floats as
// raw IEEE bits). DECIMAL with precision ≤ 18 stores its unscaled value as an
// int64; TIMESTAMP with precision ≤ 3 stores epoch millis.
//
// Strings and binaries of at most 7 bytes live in the slot itself: the bytes
// first, and 0x80|length in the slot's last byte. Longer ones go to a chunk.
//
// DECIMAL with precision > 18 always takes a 16-byte chunk holding the
// unscaled value as minimal big-endian two's complement (Java's
// BigInteger.toByteArray); the slot's low word is the byte count. TIMESTAMP
// with precision > 3 always takes an 8-byte chunk holding the epoch millis;
// the slot's low word is the nanosecond of the millisecond. A null value of
// either kind still takes its (zeroed) chunk and its slot still holds the
// offset, with the null bit set: Java keeps the room for updates in place,
// and since the bucket hash and partition identity run over these bytes, so
// must we.
//
// Nested values go to a chunk: a ROW as a complete row of its own (offsets
// relative to its own start); an ARRAY as a BinaryArray — an int32 element
// count, null bits (bit i from byte 4, rounded up to 4-byte words), then one
// element per entry of 1 (BOOLEAN, TINYINT), 2 (SMALLINT), 4 (INT, DATE,
// TIME, FLOAT) or 8 bytes (everything else, using the slot rules above with
// offsets relative to the array), padded to 8, then the elements' chunks.
// Null array elements are zero with their bit set; unlike rows, they reserve
// no chunk. NaN elements are stored as Java's canonical NaN. A MAP is an
// int32 size of the key array, the key array, and the value array.
//
// # Serialized form, hash, buckets
//
// In Avro bytes fields a row is prefixed by its arity as a 4-byte big-endian
// int (Serialize, Deserialize); the empty row serializes to 12 bytes.
//
// Hash is BinaryRow.hashCode: MurmurHash3 x86_32 over the row's
// little-endian 4-byte words with seed 42. Bucket is the default bucket
// function abs(hash % n) and ModBucket the "mod" one (floorMod).
//
// # Order
//
// CompareValues and CompareRows order keys as Paimon does: nulls first,
// strings and binaries by unsigned bytes, FLOAT/DOUBLE as Java's
// Float/Double.compare, decimals numerically, timestamps by millis then nanos.
//
// # Partition paths
//
// PartitionPath renders "k1=v1/k2=v2/" from partition values, using Java's
// toString forms (partition.legacy-name=true, the default) or CAST-to-STRING
// forms, Java's path escaping and the default partition name. Known gaps:
// FLOAT/DOUBLE use the shortest round-trip digits of JDK 19+ (older JDKs may
// print more digits); TIMESTAMP_LTZ with legacy-name=false is rendered in UTC
// (Java uses the JVM time zone); BINARY has no legacy form.
//
// Writers, Rows and the functions here never panic on input bytes: Decode,
// NewRow, Deserialize and the Row accessors return errors wrapping ErrCorrupt
// and bound every allocation by the input length. A Writer is not safe for
// concurrent use; a Row is safe for concurrent reads.
package binrow
