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
// Merge, and FileSet: the live files by partition, bucket and level, loaded
// with partition and bucket pruning (LoadFileSet).
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
// The reader takes the writer schema from the file and maps fields by
// name, as Java does, skipping fields it does not know (newer Paimon
// versions append fields). It never guesses a missing field: a writer
// schema must have every field that the Paimon version that wrote it
// always writes, with the type Paimon gives it. Paimon added fields one
// change at a time (DataFileMeta: 0.8 _DELETE_ROW_COUNT and
// _EMBEDDED_FILE_INDEX, 0.9 _FILE_SOURCE, 1.0 _VALUE_STATS_COLS and
// _EXTERNAL_PATH, 1.3 _FIRST_ROW_ID and _WRITE_COLS, 2.1
// _WRITE_COLS_SEQUENCES; index manifests: 0.8 _DELETIONS_VECTORS_RANGES,
// 1.0 _CARDINALITY, 1.3 _EXTERNAL_PATH, 1.4 _GLOBAL_INDEX), so a schema
// holding a field of one change must hold all fields of the earlier ones;
// fields older than all supported releases are always required. The
// manifest list's 1.1 bucket and level ranges and 1.4 row-id range are
// each all-or-none (pypaimon writes the second without the first). A
// known field missing, a field twice, a known field of the wrong type, an
// unknown field whose name is a known missing one with one byte or the
// letter case changed, or a name that is not an Avro name, is
// ErrCorrupt naming the file and the field. So are values Paimon never
// writes (negative sizes, counts and levels, unknown kinds, buckets
// outside the bucket count, BinaryRows shorter than their fixed part or
// with an unknown row kind, file names that are not names, index entries
// other than ADD, deletion-vector ranges outside their index file or not
// one per row count), records whose _VERSION differs from the first
// record's, and CheckListed's disagreements between a manifest and its
// list entry. That
// accepts every release from 0.4 (0.8: snappy, DataFileMeta ending at
// _EMBEDDED_FILE_INDEX; 0.9: top-level and nested ["null", record]
// unions) to 2.x. The codecs null, deflate, snappy and zstandard are
// supported; bzip2 and xz, ORC or Parquet manifests (manifest.format in
// old 1.x tables) give ErrUnsupportedFormat; any other codec name or
// unknown avro.* metadata key is damage (ErrCorrupt). A _VERSION that all
// records agree on other than the one this package reads gives
// ErrUnsupportedVersion.
//
// Decoded values share memory with per-block buffers owned by the result;
// callers may keep them but must not modify the bytes or strings' backing
// arrays. All functions are safe for concurrent use.
package manifest
