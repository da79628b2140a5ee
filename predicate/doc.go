// Package predicate builds row filters for table scans: comparisons,
// IN, IS [NOT] NULL, AND, OR and NOT over named columns. A scan uses a
// predicate three ways: to prune partitions, to skip files whose column
// statistics rule out every row, and to filter rows exactly.
//
// Literals are plain Go values (int, int64, float64, string, bool,
// time.Time, []byte, …); Bind coerces them to each column's Paimon type.
// Parse reads a SQL-like text form, which String prints back.
//
// # Life of a predicate
//
// A Predicate is an unresolved tree: column names and Go literals, built
// with the constructors (Equal, In, And, Not, …) or by Parse. It travels
// as text (MarshalText) inside serialized scan splits; Parse(p.String())
// rebuilds the same tree for every literal type Parse produces.
//
// Bind resolves it against a list of schema fields and returns a Bound:
// columns become field indexes, literals become floe's internal
// values for the column's type, and NOT is pushed down to the leaves
// (negation normal form) with SQL's three-valued logic: NOT a < 5 is
// a >= 5, NOT a IS NULL is a IS NOT NULL, NOT a IN (…) is a NOT IN (…),
// and De Morgan's laws for AND and OR. This is exact because every
// comparison is false (unknown) on a null and the value orders are total.
// Constants fold: a comparison with a NULL literal and x NOT IN (…, NULL)
// are never true; x IN (…, NULL) is x IN (…).
//
// # Literal conversion
//
//	column type          accepted literals
//	TINYINT…BIGINT       any Go integer in range; integral Decimal or float
//	FLOAT, DOUBLE        any Go integer or float (converted to the column's
//	                     width, as Paimon casts literals); Decimal
//	DECIMAL(p, s)        Go integers, Decimal, numeric strings and floats (by
//	                     their shortest decimal text), exactly: more than s
//	                     fraction digits or more than p digits in all give
//	                     ErrLiteral, never rounding
//	CHAR, VARCHAR        string
//	BINARY, VARBINARY    []byte, string
//	BOOLEAN              bool
//	DATE                 Date, time.Time (its calendar day), 'yyyy-mm-dd',
//	                     integers (days since 1970-01-01)
//	TIME                 'hh:mm[:ss[.fff]]', time.Time (its clock), integers
//	                     (millisecond of day); sub-millisecond parts fail
//	TIMESTAMP            time.Time: its wall clock as given, the zone ignored;
//	                     'yyyy-mm-dd hh:mm:ss[.f…]' (an offset is ignored too),
//	                     'yyyy-mm-dd' (midnight), Date
//	TIMESTAMP_LTZ        time.Time: the instant; text read in UTC unless it
//	                     carries an offset; Date (midnight UTC)
//
// A literal finer than the column's precision (a nanosecond timestamp for
// TIMESTAMP(3)) is kept as is and compared exactly. Comparisons on ARRAY,
// MAP, MULTISET, ROW, VECTOR, VARIANT and BLOB columns give ErrLiteral;
// IS [NOT] NULL works on every type. Every conversion error wraps
// ErrLiteral and names the column.
//
// Number literals in text follow standard SQL: 12.345 is an exact Decimal
// (text-backed, never a float64), 2.5E0 is a float64, 42 an int64.
//
// # Order and nulls
//
// Values compare in Paimon's order (as Paimon's InternalRow comparators): strings and
// binaries as unsigned bytes, decimals numerically, timestamps by millis
// then nanos, FLOAT and DOUBLE as Java's Float.compare/Double.compare — NaN
// equals NaN and is greater than +Inf, and -0.0 < 0.0. Paimon's own
// predicates compare literals the same way, so floe selects the same rows.
// Filter selects a row only when the predicate is true: unknown (null) is
// not selected.
//
// # Pruning
//
// MayMatch answers "could any row in these statistics match?" and is
// conservative: unknown statistics, columns a partial bind could not
// resolve, NaN literals or bounds, and statistics of the wrong Go type all
// say "may match". Only a false answer is acted on (the file, manifest or
// partition is skipped), so it must never be false when a row matches; a
// randomized test checks that against Filter.
//
// A partial Bind (partial = true) is for pruning with a subset of the
// columns, such as the partition keys: leaves on other columns become
// "unknown", which MayMatch treats as true. Because the tree is in
// negation normal form, an unknown leaf can only widen the answer. Filter
// refuses a Bound with unknown leaves (ErrColumn).
//
// # Concurrency
//
// Predicate and Bound are immutable and safe for concurrent use.
package predicate
