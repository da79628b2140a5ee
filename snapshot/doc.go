// Package snapshot reads and writes a Paimon table's version metadata: the
// snapshot files, their LATEST/EARLIEST hints, tags, consumers and
// long-lived changelog files, and it publishes new snapshots with a
// create-only write.
//
// The bytes match Apache Paimon 1.4.2 (snapshot format version 3); files
// written by Paimon 0.8 through 2.x are read.
//
// # Files
//
// All paths are relative to the table root (or a branch root,
// branch/branch-<name>/, which has the same layout).
//
//   - snapshot/snapshot-<id>: a JSON object describing one committed version.
//     Ids start at 1 and are dense; the number in the name equals the "id"
//     key. Keys, in the order Paimon 1.4.2 writes them: version (always 3),
//     id, schemaId, baseManifestList and its byte size, deltaManifestList and
//     its size, changelogManifestList and its size, indexManifest, commitUser,
//     commitIdentifier, commitKind (APPEND, COMPACT, OVERWRITE or ANALYZE),
//     timeMillis, totalRecordCount, deltaRecordCount, changelogRecordCount,
//     watermark, statistics, properties, nextRowId. Absent optional values are
//     left out. Older writers (≤1.3) also wrote explicit nulls, an empty
//     "logOffsets" map and "changelogRecordCount" : 0; Paimon 2.x adds uuid
//     (after version), writerVersion (after commitUser), totalFileSize,
//     totalDataFiles and operation (at the end). Readers ignore keys they do
//     not know. The text is Jackson's default pretty print: two-space indent,
//     "key" : value, no trailing newline. Sizes of manifest lists must be
//     exact, because readers use them as the file length.
//   - snapshot/LATEST and snapshot/EARLIEST: the decimal id of the newest and
//     oldest snapshot, without a newline, overwritten after commits and
//     expirations. They are hints only: they may be missing, stale or
//     garbage, and are used only after checking the snapshot files they name
//     (see Dir.LatestID and Dir.EarliestID).
//   - tag/tag-<name>: the snapshot JSON of the tagged snapshot, followed by
//     tagCreateTime, a Java LocalDateTime written as the array [year, month,
//     day, hour, minute] with seconds appended when seconds or nanoseconds are
//     non-zero and nanoseconds appended when non-zero, and tagTimeRetained, a
//     Java Duration written as a decimal number of seconds with nine fraction
//     digits ("86400.000000000"). A tag keeps the tagged snapshot's files
//     alive after the snapshot itself expires.
//   - consumer/consumer-<id>: {"nextSnapshot" : N}, the next snapshot a
//     named streaming reader will read. Expiration keeps snapshot N and later.
//   - changelog/changelog-<id>: when changelog files are retained longer than
//     snapshots, an expired snapshot's JSON is copied here unchanged; the
//     directory has its own LATEST and EARLIEST hints.
//
// File names starting with "." are temporary files of other writers and are
// ignored, as is anything whose suffix is not a canonical positive decimal.
//
// # Commit point
//
// A snapshot becomes visible when snapshot/snapshot-<id> is created. Publish
// creates it with a create-only (If-None-Match) write and resolves every
// answer the store can give: success, "exists" (ours or a competitor's), or
// an ambiguous error, which it settles by re-sending the same bytes. See
// Publish for the rules. FindCommitted and LatestByUser implement Paimon's
// exactly-once recovery on top of commitUser and commitIdentifier.
//
// All functions are stateless and safe for concurrent use; they take the
// table's *storage.Store and never close it.
package snapshot
