// Package manifest reads and writes Paimon's file metadata: manifest
// lists, manifest files and index manifests, and merges manifest entries
// into the set of live files.
//
// # Files
//
// All three kinds live in a table's manifest/ directory and are Avro
// object-container files (magic "Obj\x01", an avro.schema and avro.codec
// metadata pair, a 16-byte sync marker, then blocks of records). Each
// record starts with a _VERSION field: 2 for manifest lists and manifests,
// 1 for index manifests.
//
//   - A manifest list (manifest-list-<uuid>-<n>) has one FileMeta per
//     manifest file: its name and exact size, how many ADD and DELETE
//     entries it holds, min/max/null-count statistics of the partitions it
//     touches, the largest schema id, and (1.1+) bucket and level ranges and
//     (1.4+) a row-id range used to skip it while planning. A snapshot names
//     a base list (everything before the commit), a delta list (the commit's
//     own changes) and optionally a changelog list.
//   - A manifest (manifest-<uuid>-<n>) has one Entry per data-file change:
//     ADD or DELETE, the partition as a serialized BinaryRow, the bucket,
//     the bucket count in force, and a DataFile with the file's name, size,
//     row count, key range, key and value statistics, sequence-number
//     range, schema id, LSM level and later-added optional fields.
//   - An index manifest (index-manifest-<uuid>-<n>) lists every live index
//     file of a snapshot (hash indexes, deletion-vector files with the
//     per-data-file ranges inside them, global indexes). Unlike data
//     manifests it is always a complete state, so all its entries are ADD.
//
// A snapshot's live data files are the entries of its base list followed
// by its delta list, merged by file identity (partition bytes, bucket,
// level, file name, extra files, embedded index, external path): an ADD
// inserts, a DELETE cancels the matching ADD or stays as a tombstone. See
// Merge and LiveFiles.
//
// # Compatibility
//
// The writer produces exactly the layout of Apache Paimon 1.4.2: the same
// one-line Avro schemas (records named record, record__FILE,
// record__FILE__KEY_STATS, … in namespace org.apache.paimon.avro.generated,
// every nullable field a ["null", T] union defaulting to null), only the
// avro.schema and avro.codec metadata keys, zstandard level 1 by default,
// and blocks of about 64 KB. The 2.x fields _WRITE_COLS_SEQUENCES and
// _SOURCE_META are written only when set.
//
// The reader follows Java's rules rather than Avro schema resolution: it
// takes the writer schema from the file, maps fields by name, skips
// unknown fields and leaves missing ones null or zero. That accepts every
// release from 0.8 (snappy, DataFileMeta ending at _EMBEDDED_FILE_INDEX)
// and 0.9 (top-level and nested ["null", record] unions) to 2.x. The
// codecs null, deflate, snappy and zstandard are supported. ORC or
// Parquet manifests (manifest.format in old 1.x tables) give
// ErrUnsupportedFormat; any other undecodable input gives ErrCorrupt, and
// an unknown _VERSION ErrUnsupportedVersion, each naming the file.
//
// Decoded values share memory with per-block buffers owned by the result;
// callers may keep them but must not modify the bytes or strings' backing
// arrays. All functions are safe for concurrent use.
package manifest
