// Package table is floe's front door to Apache Paimon tables: create and
// open them, write Arrow record batches, commit them as snapshots, scan
// them back as Arrow (now or at an older snapshot), and evolve their
// schema. Tables floe writes are Paimon tables that Flink, Spark, Java
// Paimon and pypaimon read, and floe reads theirs.
//
// # Opening and creating
//
// Open opens a table from the URL or path of its directory
// (/data/wh/shop.db/orders, s3://bucket/wh/shop.db/orders?region=…) in one
// call; OpenIn opens one by identifier in a catalog.Catalog (a warehouse),
// and OpenStore one rooted at a storage.Store. Create writes schema-0 of a
// new table described by a Spec: columns with Paimon SQL types, partition
// and primary keys, and Paimon table options (bucket, merge-engine,
// sequence.field, file.compression, …), which are parsed once into a
// typed Config; a bad value fails with an *OptionError naming the key. A
// Table is safe for concurrent use; Close it.
//
// # Branches
//
// A Table is one branch of a table: its main branch (the directory itself)
// unless opened with Table.OpenBranch, which reads and writes the schemas,
// snapshots, tags and consumers of branch/branch-<name>/ over the table's
// shared data files, as Paimon's table$branch_<name> does. CreateBranch
// (empty, or from a tag), Branches, DeleteBranch and FastForward manage
// them as Paimon's FileSystemBranchManager; the scan.fallback-branch and
// scan.primary-branch options make a batch scan read the partitions one
// branch lacks from the other.
//
// # Writing and committing
//
// Table.NewWriter returns a Writer over the latest schema. Writer.Write
// takes arrow.Records whose columns match the table's by name, plus an
// optional row-kind column (RowKindColumn: +I, -U, +U, -D) for updates and
// deletes. The writer routes rows to partitions and buckets (fixed,
// dynamic and unaware bucket modes), buffers primary-key rows per bucket
// within write-buffer-size (spilling sorted runs to local disk), and
// writes level-0 Parquet data files. Writer.Prepare returns the
// CommitMessages describing the files; they serialize (MarshalBinary), so
// many writers, in one process or many, can hand their messages to one
// committer.
//
// Unless write-only, the writer compacts each primary-key bucket's LSM
// tree as Paimon's writers do, and writes the changelog its
// changelog-producer asks for: input (every input row), lookup (each key's
// previous version against its new one, at every commit) or
// full-compaction (the difference between full compactions). Table.Compact
// compacts a table's buckets in parallel as one COMPACT snapshot.
//
// Table.Commit publishes messages as one snapshot with a create-only write
// of snapshot-N: concurrent committers get exactly one winner per id, a
// loser re-checks Paimon's conflict rules against the new snapshot and
// retries, and a real conflict fails with ErrCommitConflict. With a
// CommitUser and increasing Identifiers a retried commit is recognised and
// never applied twice. CommitOptions.Overwrite replaces the whole table,
// given partitions or the partitions written; Truncate and DropPartitions
// commit deletions only.
//
// # Scanning, splits and time travel
//
// Table.ReadAll returns an array.RecordReader over the rows of a snapshot:
// primary-key buckets are merged on read by the table's merge engine
// (deduplicate, first-row, partial-update or aggregation) with deletion
// vectors applied, append tables
// are concatenated. ScanOptions choose the columns, a predicate.Predicate
// that prunes partitions and files by statistics and filters rows exactly,
// and the snapshot: the latest by default, or time travel by SnapshotID,
// Tag (tags are made with snapshot.CreateTag) or AsOf (the latest snapshot
// committed at or before a time). Time travel reads with the schema the
// chosen snapshot was written with, as Paimon does.
//
// For parallel or distributed reads, Table.NewScan plans the scan into a
// Plan of Splits, one per partition and bucket; a Split serializes with
// MarshalBinary, and Table.Read reads one in any process that opened the
// table.
//
// ReadOptions.RowKinds adds each row's kind as a leading RowKindColumn;
// with KeepDeletes the read keeps retract rows, as Paimon's audit_log
// system table does.
//
// Table.SystemTable reads Paimon's other read-only system tables
// ($snapshots, $schemas, $options, $tags, $branches, $consumers, $files,
// $manifests, $partitions, $buckets, $statistics) as Arrow, with Java
// Paimon's columns; an unknown name is an *UnknownSystemTableError.
//
// # Streaming
//
// Table.NewStream follows a table: Stream.Next returns, snapshot by
// snapshot, the rows each one changes, with their row kinds (the delta
// files of APPEND snapshots, or the changelog files when the table has a
// changelog producer), after an optional full read of a starting
// snapshot (StreamOptions.Start: Paimon's scan modes). It waits for new
// snapshots by looking for the next snapshot file, without listing
// directories, until StreamOptions.Until; a consumer id makes it resume
// where Stream.SaveProgress last recorded (exactly-once) or where Next
// last was (ConsumerAtLeastOnce), consumer files not written for
// consumer.expiration-time expire (Table.ExpireConsumers), and a snapshot
// expired before it was read is a *SnapshotExpiredError. StreamOptions.Shard
// splits a stream's buckets between several readers, and Stream.Position
// (serializable) resumes one anywhere.
//
// Table.NewIncremental reads the changes between two snapshots (ids, tags
// or times; the start exclusive) as Paimon's incremental-between does,
// through the same Stream: each snapshot's delta or changelog rows, or
// the difference between the rows at both ends (IncrementalDiff).
//
// # Schema evolution
//
// Alter (for a table in a catalog) and AlterStore (for a table opened by
// URL: AlterStore(ctx, t.Store(), …)) apply SchemaChanges — add, drop,
// rename, move and retype columns, change nullability and comments, set
// and remove options — as one new schema written create-only, after the
// checks Paimon makes (ApplyChanges is the pure decision). Data files are
// never rewritten: old files are read through field ids with Paimon's
// casts. An open Table keeps the schema it was opened with; open it again
// to write the new columns.
//
// # Inspection
//
// Schemas, Snapshots, Snapshot and Files list a table's schema versions,
// its snapshots and the live data files of any snapshot, with partitions
// and keys decoded from their BinaryRow bytes; the floe CLI's schema,
// snapshots and files commands print them.
//
// # Orphan files
//
// Table.RemoveOrphanFiles deletes the files that no snapshot, tag, branch
// or long-lived changelog references once they are older than a
// threshold (a day by default): data and manifests of commits that never
// happened or were abandoned, and temporary files of killed writes. It
// lists the files before it reads the snapshots, so it runs beside
// writers; the floe CLI's remove-orphans command calls it.
//
// Not yet here: writing ORC or Avro data files.
package table
