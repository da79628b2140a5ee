// Package schema holds Paimon's data types and table schemas: type strings,
// the JSON of schema/schema-N files, field ids, derived key sets, and the
// mapping between Paimon and Arrow types. It matches Apache Paimon 1.4.2
// (schema file version 3) and reads the older versions 1 and 2.
//
// # Schema files
//
// A table keeps every version of its schema in schema/schema-N, N = 0 for
// CREATE TABLE and one more for each ALTER. Old versions stay as long as a
// data file written under them exists, because each data file records the
// schema id it was written with. A file is one JSON object, pretty-printed
// the way Jackson does it, with the keys in this order:
//
//	version         3 today; absent in files from Paimon 0.7 (read as 1)
//	id              the schema id N
//	fields          the columns, each {"id", "name", "type"} plus optional
//	                "description" and "defaultValue"
//	highestFieldId  the largest field id ever handed out (never decreases,
//	                so ids of dropped columns are not reused)
//	partitionKeys   partition columns, in partition-path order
//	primaryKeys     primary key columns (may include partition columns)
//	options         the table options that were set explicitly, as strings
//	comment         only when the table has one
//	timeMillis      when this version was made (0 when absent)
//
// Old files get two defaults on read that are never written back: a
// version 1 schema without "bucket" has one bucket, and a version ≤ 2
// schema without "file.format" stores ORC (see Table.Option). The "path"
// option may hold an absolute location from the machine that wrote it; it
// is kept but never used to find the table.
//
// # Types
//
// Atomic types are JSON strings in SQL form: BOOLEAN, TINYINT, SMALLINT,
// INT, BIGINT, FLOAT, DOUBLE, DECIMAL(p, s) (note the space), CHAR(n),
// VARCHAR(n) (STRING at the maximum length), BINARY(n), VARBINARY(n) (BYTES
// at the maximum), DATE, TIME(p), TIMESTAMP(p), TIMESTAMP(p) WITH LOCAL
// TIME ZONE, VARIANT and BLOB, each followed by " NOT NULL" when nulls are
// not allowed. ARRAY, MULTISET, MAP, ROW and VECTOR are JSON objects whose
// "type" member is the root name (plus " NOT NULL") next to "element",
// "key"/"value", "fields" or "element"/"length". Fields nested in ROW types
// carry their own ids.
//
// # Field ids
//
// Ids come from one counter per table, handed out depth-first in column
// order: a ROW column takes its id before its children. Data files refer to
// columns by id, which is what lets renamed and re-typed columns be read
// from old files. Parquet files also carry ids for list elements and map
// keys and values derived from the enclosing column's id (see
// ArrayElementFieldID), and reserved ids for system columns.
//
// # Casts
//
// When a column's type changes (ALTER TABLE … updateColumnType), data files
// keep the old type and readers convert their values. SupportsCast and
// HasCastRule are Paimon's two tables of which changes ALTER allows
// (DataTypeCasts and CastExecutors); CastArray converts an Arrow column as
// CastExecutors does, with Java's text forms (Float.toString,
// Double.toString, BigDecimal, DateTimeUtils) and Java's integer
// arithmetic: "1.5" read as INT is 1, 2.0 read as STRING is "2.0",
// BIGINT 2^32+1 read as INT is 1, a DECIMAL that does not fit is null, and
// "abc" read as INT is a *CastError where Java throws. testdata/cast holds
// the cases, checked against Java Paimon 1.4.2 and 2.0.0's own results.
// Floe follows Paimon 2.0 where 1.4.2 had bugs (TIMESTAMP to TIME before
// 1970, TIMESTAMP precision truncation of sub-precision nanoseconds), takes
// Java's local time zone to be UTC, and prints floats with the shortest
// digits as JDK 19+ does (JDK 8–18 print more digits for some large
// values).
//
// DataType, Field and Table are plain values: safe to read concurrently,
// not to mutate concurrently.
package schema
