// Package datafile reads and writes Paimon data files and computes the file
// metadata a manifest records about them, matching Apache Paimon 1.4.2
// (checked byte for byte against every Parquet file of the Java-written
// fixtures with Avro manifests).
//
// # Layouts
//
// Append tables store the table columns. Primary-key tables store, in this
// order, _KEY_<k> for each trimmed primary-key field (same type, field id
// 1073741823 + id; left out in thin mode), _SEQUENCE_NUMBER (INT64,
// required, id 2147483646), _VALUE_KIND (INT32 annotated INT(8), required,
// id 2147483645), then every table column. In memory both directions use KV
// records (package kv: [_SEQUENCE_NUMBER, _VALUE_KIND, values…]) for
// primary-key tables and value records for append tables; the _KEY_
// columns are written from the value columns and never read back.
//
// # Parquet
//
// Files are written with arrow-go's pqarrow: message fields carry their
// Paimon field ids (list elements and map keys/values the derived ids of
// schema.ArrayElementFieldID and friends), NOT NULL maps to REQUIRED, no
// footer key/value metadata is written, data pages are v1, and compression
// is file.compression (zstd level 1 by default). Dictionary encoding is
// chosen per column and file: a column whose values, sampled from the
// file's first record, are more than 90% distinct is written PLAIN from
// the start (a dictionary would overflow its page limit and fall back
// anyway); the others get a dictionary, as in parquet-mr.
//
// Files of flat schemas go through arrow-go's lower-level file.Writer with
// buffered row groups, and the columns of each record are encoded and
// compressed in parallel (up to GOMAXPROCS goroutines, which also gather
// the manifest statistics of their columns); the bytes are those pqarrow's
// serial writer produces. Schemas with nested columns use pqarrow's writer.
// Types follow Java's writer: DECIMAL as INT32/INT64/FIXED_LEN_BYTE_ARRAY by
// precision, TINYINT/SMALLINT as annotated INT32, TIME as INT32 millis,
// BINARY(n) as plain BINARY, TIMESTAMP(p≤3) INT64 millis, p≤6 INT64 micros,
// p>6 INT96, isAdjustedToUTC false for TIMESTAMP and true for
// TIMESTAMP_LTZ. Two known differences: TIME is annotated
// isAdjustedToUTC=false (Java: true), and INT96 values before 1970 carry a
// positive nanos-of-day with the previous day where Java writes a negative
// nanos-of-day; Java and floe read both.
//
// A file rolls once the flushed bytes reach the target size; row groups are
// flushed when their buffered in-memory size reaches min(target, 128 MiB).
// Names are <prefix><uuid>-<n>.parquet with one uuid per Writer.
//
// Reading maps each wanted field to a file column by field id (through the
// schema the file was written with, then by name, as Java does); absent
// fields read as null, type changes are cast (numeric widening, anything
// to STRING, …), INT96 columns are decoded here (pqarrow rejects the
// negative nanos-of-day Java writes) and every column comes out as exactly
// schema.ToArrow of its read type. Avro data files are read (not written);
// ORC gives ErrUnsupportedFormat.
//
// # Metadata and statistics
//
// Java takes column statistics from the Parquet footer and then applies the
// column's stats mode; floe computes the same values while writing:
//
//   - min/max in Parquet order (signed numbers, unsigned bytes for strings);
//     none for BINARY/VARBINARY, for INT96 timestamps (p>6), for binaries
//     whose min+max reach 4096 bytes, and for FLOAT/DOUBLE when a NaN ends
//     up as min or max (parquet-mr compares with < and >, so a NaN only
//     sticks when it is the first value); a +0.0 min becomes -0.0 and a
//     -0.0 max +0.0.
//   - nested columns (ARRAY, MAP, MULTISET, ROW) get no statistics at all:
//     they count as mode none.
//   - truncate(n) cuts strings to n code points, the max with its last code
//     point incremented; if no bound exists min and max are dropped.
//     counts keeps only the null count; none drops the column, which with
//     metadata.stats-dense-store (default) leaves it out of the rows and
//     lists the kept names in _VALUE_STATS_COLS (null when all are kept).
//   - key statistics use truncate(128) (Paimon 0.9 used the table's mode).
//   - _MIN_KEY/_MAX_KEY are the first/last trimmed keys; append tables store
//     the empty row and empty key statistics, and number rows with a
//     sequence counter. _DELETE_ROW_COUNT counts -U/-D rows.
//     _CREATION_TIME is the local wall clock stored as if UTC.
package datafile
