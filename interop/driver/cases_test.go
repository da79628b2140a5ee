//go:build interop

package driver

import (
	"fmt"
	"sort"
	"strings"
)

// step is one operation of a case. who picks the engine: "A" (the writer
// under test, default) or "B" (the second writer of a mixed case).
type step struct {
	who  string
	op   string // write, overwrite, tag, tag-delete, compact, expire, rollback, alter
	rows string // JSON lines for write and overwrite
	// changes is the CHANGES.json array of an alter step.
	changes string
	name    string // tag name (tag, tag-delete; rollback: to this tag)
	n       int    // tag: snapshot (0 = latest); expire: retain-max
	// minor makes a compact step compact what the table's options pick
	// (no --full).
	minor bool
	// Maintenance cases (maintain_test.go): mark names the latest
	// snapshot after the step; at refers to a mark: the snapshot a tag
	// takes, a rollback returns to, or (expire) --older-than one
	// millisecond after its commit time. verify reads every snapshot and
	// tag after the step (expire, tag-delete, rollback and the last step
	// always do).
	mark, at string
	verify   bool
}

// check is an extra time-travel dump compared across readers.
type check struct {
	snapshot int
	tag      string
}

// shape is a case: a table, the steps that fill it, and what to compare.
type shape struct {
	name   string
	spec   string // SPEC.json with "table": "db.t"
	steps  []step
	checks []check
	// writers limits the engines that play A (name prefixes; nil = all).
	writers []string
	// mixed cases run for each pair (A, B) of distinct engines where one
	// is floe.
	mixed bool
	// floeFirst limits a mixed case to A = floe (B is then limited by
	// writers).
	floeFirst bool
	// want is the expected latest dump (canonical lines), if known.
	want string
	// concurrent, when set, replaces steps: B writes while A compacts at
	// the same time (runConcurrent); the case must be mixed and floeFirst.
	concurrent *concurrent
	// stream adds a view: the streaming read from snapshot 1 up to the
	// latest (the tools' stream), compared line by line in read order.
	stream bool
	// readers limits the engines that read the case's tables (name
	// prefixes; nil = all); the others are "not run" with readersWhy.
	readers    []string
	readersWhy string
	// model, when set, makes the case a maintenance case
	// (runMaintenance): the driver keeps the rows of every snapshot by
	// the model of this kind ("pk", "append", "dv") and reads every
	// snapshot and tag against it after the steps that change them.
	model string
}

const pkSpec = `{"table":"db.t","columns":[{"name":"id","type":"BIGINT NOT NULL"},{"name":"v","type":"STRING"},{"name":"n","type":"INT"}],"primaryKeys":["id"],"partitionKeys":[],"options":{"bucket":"2"}}`

var pkSteps = []step{
	{op: "write", rows: `{"id":1,"v":"a","n":1}
{"id":2,"v":"b","n":2}
{"id":3,"v":"c","n":3}
{"id":4,"v":null,"n":null}
`},
	{op: "tag", name: "t1"},
	{op: "write", rows: `{"id":2,"v":"b2","n":20,"_ROW_KIND":"+U"}
{"id":3,"_ROW_KIND":"-D"}
{"id":5,"v":"e","n":5}
`},
	{op: "write", rows: `{"id":1,"v":"a3","n":100}
{"id":6,"v":"f","n":6}
{"id":5,"_ROW_KIND":"-D"}
`},
}

const pkWant = `{"id":1,"v":"a3","n":100}
{"id":2,"v":"b2","n":20}
{"id":4,"v":null,"n":null}
{"id":6,"v":"f","n":6}
`

// pkUpserts updates by key without row kinds, which every writer can do.
var pkUpserts = []step{
	pkSteps[0],
	{op: "tag", name: "t1"},
	{op: "write", rows: `{"id":2,"v":"b2","n":20}
{"id":5,"v":"e","n":5}
`},
	{op: "write", rows: `{"id":1,"v":"a3","n":100}
{"id":3,"v":null,"n":null}
`},
}

const pkUpsertsWant = `{"id":1,"v":"a3","n":100}
{"id":2,"v":"b2","n":20}
{"id":3,"v":null,"n":null}
{"id":4,"v":null,"n":null}
{"id":5,"v":"e","n":5}
`

// dynBucketSpec is a dynamic-bucket primary-key table whose buckets hold
// two keys each.
const dynBucketSpec = `{"table":"db.t","columns":[{"name":"id","type":"BIGINT NOT NULL"},{"name":"v","type":"STRING"},{"name":"n","type":"INT"}],"primaryKeys":["id"],"partitionKeys":[],"options":{"bucket":"-1","dynamic-bucket.target-row-num":"2"}}`

const appendPartSpec = `{"table":"db.t","columns":[{"name":"id","type":"BIGINT"},{"name":"p","type":"STRING"},{"name":"q","type":"INT"},{"name":"v","type":"STRING"}],"primaryKeys":[],"partitionKeys":["p","q"],"options":{"bucket":"-1"}}`

const appendPartRows1 = `{"id":1,"p":"x","q":1,"v":"a"}
{"id":2,"p":"x","q":2,"v":"b"}
{"id":3,"p":"y","q":1,"v":"c"}
{"id":4,"p":null,"q":1,"v":"d"}
{"id":5,"p":"x","q":null,"v":"e"}
{"id":6,"p":null,"q":null,"v":"f"}
`

const appendPartRows2 = `{"id":7,"p":"x","q":1,"v":"g"}
{"id":8,"p":"z z/é","q":-3,"v":"h"}
`

const alterSpec = `{"table":"db.t","columns":[{"name":"id","type":"BIGINT NOT NULL"},{"name":"a","type":"INT"},{"name":"b","type":"STRING"},{"name":"c","type":"STRING"}],"primaryKeys":["id"],"partitionKeys":[],"options":{"bucket":"1"}}`

// alterSteps write, alter (add a column after a, rename b, widen a INT to
// BIGINT, drop c) and write rows using the new columns.
var alterSteps = []step{
	{op: "write", rows: `{"id":1,"a":1,"b":"x","c":"c1"}
{"id":2,"a":2,"b":"y","c":"c2"}
{"id":3,"a":null,"b":null,"c":"c3"}
`},
	{op: "alter", changes: `[{"op":"addColumn","name":"d","type":"STRING","after":"a"},{"op":"renameColumn","name":"b","newName":"bb"},{"op":"updateColumnType","name":"a","type":"BIGINT"},{"op":"dropColumn","name":"c"}]`},
	{op: "write", rows: `{"id":2,"a":30000000000,"d":"d2","bb":"y2"}
{"id":4,"a":-4,"d":null,"bb":"z"}
`},
}

const alterWant = `{"id":1,"a":1,"d":null,"bb":"x"}
{"id":2,"a":30000000000,"d":"d2","bb":"y2"}
{"id":3,"a":null,"d":null,"bb":null}
{"id":4,"a":-4,"d":null,"bb":"z"}
`

// castSpec and castSteps re-type columns between two writes (Paimon's
// casts on read: schema.CastArray): STRING → INT ("1.5" reads as 1),
// DOUBLE → STRING (2.0 → "2.0", 1e20 → "1.0E20"), FLOAT → DOUBLE,
// TIMESTAMP(3) → STRING (".000" kept), BIGINT → INT (wraps), DECIMAL
// narrowing (HALF_UP), INT → STRING, STRING → BOOLEAN, DATE → TIMESTAMP.
const castSpec = `{"table":"db.t","columns":[{"name":"id","type":"BIGINT NOT NULL"},{"name":"a","type":"STRING"},{"name":"b","type":"DOUBLE"},{"name":"c","type":"FLOAT"},{"name":"d","type":"TIMESTAMP(3)"},{"name":"e","type":"BIGINT"},{"name":"f","type":"DECIMAL(10, 4)"},{"name":"g","type":"INT"},{"name":"h","type":"STRING"},{"name":"i","type":"DATE"}],"primaryKeys":["id"],"partitionKeys":[],"options":{"bucket":"1"}}`

var castSteps = []step{
	{op: "write", rows: `{"id":1,"a":"1.5","b":2.0,"c":1.1,"d":"2024-01-15 10:20:30","e":2147483648,"f":"1.2350","g":7,"h":"Yes","i":"2024-01-15"}
{"id":2,"a":"-42","b":1e20,"c":0.1,"d":"2024-01-15 10:20:30.5","e":-1,"f":"-1.2349","g":-5,"h":"0","i":"1969-12-31"}
{"id":3,"a":null,"b":null,"c":null,"d":null,"e":null,"f":null,"g":null,"h":null,"i":null}
`},
	{op: "alter", changes: `[{"op":"updateColumnType","name":"a","type":"INT"},{"op":"updateColumnType","name":"b","type":"STRING"},{"op":"updateColumnType","name":"c","type":"DOUBLE"},{"op":"updateColumnType","name":"d","type":"STRING"},{"op":"updateColumnType","name":"e","type":"INT"},{"op":"updateColumnType","name":"f","type":"DECIMAL(6, 2)"},{"op":"updateColumnType","name":"g","type":"STRING"},{"op":"updateColumnType","name":"h","type":"BOOLEAN"},{"op":"updateColumnType","name":"i","type":"TIMESTAMP(3)"}]`},
	{op: "write", rows: `{"id":2,"a":20,"b":"two","c":0.5,"d":"dd","e":22,"f":"2.22","g":"g2","h":true,"i":"2024-02-02 02:02:02"}
{"id":4,"a":4,"b":"four","c":4.25,"d":"d4","e":4,"f":"4.44","g":"g4","h":false,"i":"2024-04-04 04:04:04.004"}
`},
}

const castWant = `{"id":1,"a":1,"b":"2.0","c":1.100000023841858,"d":"2024-01-15 10:20:30.000","e":-2147483648,"f":"1.24","g":"7","h":true,"i":"2024-01-15 00:00:00"}
{"id":2,"a":20,"b":"two","c":0.5,"d":"dd","e":22,"f":"2.22","g":"g2","h":true,"i":"2024-02-02 02:02:02"}
{"id":3,"a":null,"b":null,"c":null,"d":null,"e":null,"f":null,"g":null,"h":null,"i":null}
{"id":4,"a":4,"b":"four","c":4.25,"d":"d4","e":4,"f":"4.44","g":"g4","h":false,"i":"2024-04-04 04:04:04.004"}
`

var javaCompactedSteps = []step{
	{who: "A", op: "write", rows: pkSteps[0].rows},
	{who: "B", op: "write", rows: pkSteps[2].rows},
	{who: "B", op: "compact"},
	{who: "A", op: "write", rows: pkSteps[3].rows},
	{who: "B", op: "write", rows: "{\"id\":7,\"v\":\"g\",\"n\":7}\n"},
}

const javaCompactedWant = pkWant + "{\"id\":7,\"v\":\"g\",\"n\":7}\n"

var shapes = []shape{
	{name: "pk, fixed bucket, updates and deletes", spec: pkSpec, steps: pkSteps,
		checks: []check{{snapshot: 1}, {tag: "t1"}}, want: pkWant},
	{name: "pk, fixed bucket, upserts", spec: pkSpec, steps: pkUpserts,
		checks: []check{{snapshot: 1}, {tag: "t1"}}, want: pkUpsertsWant},
	{name: "pk, dynamic bucket", steps: pkSteps, want: pkWant,
		spec: `{"table":"db.t","columns":[{"name":"id","type":"BIGINT NOT NULL"},{"name":"v","type":"STRING"},{"name":"n","type":"INT"}],"primaryKeys":["id"],"partitionKeys":[],"options":{"bucket":"-1"}}`},
	{name: "pk, partitioned by two columns", spec: `{"table":"db.t","columns":[{"name":"dt","type":"STRING NOT NULL"},{"name":"h","type":"INT NOT NULL"},{"name":"id","type":"BIGINT NOT NULL"},{"name":"v","type":"STRING"}],"primaryKeys":["dt","h","id"],"partitionKeys":["dt","h"],"options":{"bucket":"2"}}`,
		steps: []step{
			{op: "write", rows: `{"dt":"2024-01-01","h":0,"id":1,"v":"a"}
{"dt":"2024-01-01","h":1,"id":1,"v":"b"}
{"dt":"2024-01-02","h":0,"id":2,"v":"c"}
{"dt":"2024-01-02","h":-1,"id":3,"v":"d"}
`},
			{op: "write", rows: `{"dt":"2024-01-01","h":0,"id":1,"v":"a2"}
{"dt":"2024-01-02","h":0,"id":2,"_ROW_KIND":"-D"}
{"dt":"2024-01-03","h":5,"id":4,"v":"e"}
`},
		},
		want: `{"dt":"2024-01-01","h":0,"id":1,"v":"a2"}
{"dt":"2024-01-01","h":1,"id":1,"v":"b"}
{"dt":"2024-01-02","h":-1,"id":3,"v":"d"}
{"dt":"2024-01-03","h":5,"id":4,"v":"e"}
`},
	{name: "pk, overwrite", spec: pkSpec, steps: []step{
		pkSteps[0],
		{op: "overwrite", rows: `{"id":9,"v":"z","n":9}
`},
	}, checks: []check{{snapshot: 1}}, want: `{"id":9,"v":"z","n":9}
`},
	{name: "append, unaware bucket, partitioned with null and empty values", spec: appendPartSpec,
		steps:  []step{{op: "write", rows: appendPartRows1}, {op: "write", rows: appendPartRows2}},
		checks: []check{{snapshot: 1}}},
	{name: "append, empty-string partition value", spec: appendPartSpec,
		steps: []step{{op: "write", rows: `{"id":1,"p":"","q":1,"v":"a"}
`}}},
	{name: "append, fixed bucket", spec: `{"table":"db.t","columns":[{"name":"id","type":"BIGINT"},{"name":"v","type":"STRING"}],"primaryKeys":[],"partitionKeys":[],"options":{"bucket":"2","bucket-key":"id"}}`,
		steps: []step{
			{op: "write", rows: "{\"id\":1,\"v\":\"a\"}\n{\"id\":2,\"v\":\"b\"}\n{\"id\":3,\"v\":null}\n"},
			{op: "write", rows: "{\"id\":1,\"v\":\"a\"}\n{\"id\":4,\"v\":\"d\"}\n"},
		},
		want: "{\"id\":1,\"v\":\"a\"}\n{\"id\":1,\"v\":\"a\"}\n{\"id\":2,\"v\":\"b\"}\n{\"id\":3,\"v\":null}\n{\"id\":4,\"v\":\"d\"}\n"},
	{name: "append, overwrite", spec: appendPartSpec,
		steps: []step{{op: "write", rows: appendPartRows1}, {op: "overwrite", rows: appendPartRows2}},
		// Dynamic partition overwrite: only partition (x, 1) is replaced.
		want: `{"id":2,"p":"x","q":2,"v":"b"}
{"id":3,"p":"y","q":1,"v":"c"}
{"id":4,"p":null,"q":1,"v":"d"}
{"id":5,"p":"x","q":null,"v":"e"}
{"id":6,"p":null,"q":null,"v":"f"}
{"id":7,"p":"x","q":1,"v":"g"}
{"id":8,"p":"z z/é","q":-3,"v":"h"}
`},
	{name: "types: numeric", spec: `{"table":"db.t","columns":[{"name":"id","type":"INT NOT NULL"},{"name":"b","type":"BOOLEAN"},{"name":"ti","type":"TINYINT"},{"name":"si","type":"SMALLINT"},{"name":"i","type":"INT"},{"name":"bi","type":"BIGINT"},{"name":"f","type":"FLOAT"},{"name":"d","type":"DOUBLE"},{"name":"dec","type":"DECIMAL(10, 2)"},{"name":"dec38","type":"DECIMAL(38, 10)"},{"name":"dec5","type":"DECIMAL(5, 0)"}],"primaryKeys":["id"],"partitionKeys":[],"options":{"bucket":"1"}}`,
		steps: []step{{op: "write", rows: `{"id":1,"b":true,"ti":-128,"si":32767,"i":-2147483648,"bi":9223372036854775807,"f":0.1,"d":0.1,"dec":"12.5","dec38":"1234567890123456789012345678.0123456789","dec5":"-99999"}
{"id":2,"b":false,"ti":127,"si":-32768,"i":2147483647,"bi":-9223372036854775808,"f":3.4028235e38,"d":1.7976931348623157e308,"dec":"-0.01","dec38":"-0.0000000001","dec5":"0"}
{"id":3,"b":null,"ti":null,"si":null,"i":null,"bi":null,"f":null,"d":null,"dec":null,"dec38":null,"dec5":null}
{"id":4,"f":1e-45,"d":5e-324}
{"id":5,"f":1234567,"d":123456.789}
`}}},
	{name: "types: float special values", spec: `{"table":"db.t","columns":[{"name":"id","type":"INT NOT NULL"},{"name":"f","type":"FLOAT"},{"name":"d","type":"DOUBLE"}],"primaryKeys":["id"],"partitionKeys":[],"options":{"bucket":"1"}}`,
		steps: []step{{op: "write", rows: `{"id":1,"f":"NaN","d":"NaN"}
{"id":2,"f":"Infinity","d":"-Infinity"}
{"id":3,"f":-0.0,"d":-0.0}
`}}},
	{name: "types: text and binary", spec: `{"table":"db.t","columns":[{"name":"id","type":"INT NOT NULL"},{"name":"c","type":"CHAR(3)"},{"name":"vc","type":"VARCHAR(10)"},{"name":"s","type":"STRING"},{"name":"bin","type":"BINARY(3)"},{"name":"vb","type":"VARBINARY(8)"},{"name":"by","type":"BYTES"}],"primaryKeys":["id"],"partitionKeys":[],"options":{"bucket":"1"}}`,
		steps: []step{{op: "write", rows: `{"id":1,"c":"abc","vc":"héllo","s":"tab\there \"q\" \\ 日本","bin":"AAEC","vb":"","by":"/+8="}
{"id":2,"c":"xyz","vc":"","s":"","bin":"////","vb":"AA==","by":"AAAAAA=="}
{"id":3}
`}}},
	{name: "types: date and time", spec: `{"table":"db.t","columns":[{"name":"id","type":"INT NOT NULL"},{"name":"dt","type":"DATE"},{"name":"tm","type":"TIME"},{"name":"tm3","type":"TIME(3)"},{"name":"ts0","type":"TIMESTAMP(0)"},{"name":"ts3","type":"TIMESTAMP(3)"},{"name":"ts6","type":"TIMESTAMP(6)"},{"name":"ltz3","type":"TIMESTAMP_LTZ(3)"},{"name":"ltz6","type":"TIMESTAMP_LTZ(6)"}],"primaryKeys":["id"],"partitionKeys":[],"options":{"bucket":"1"}}`,
		steps: []step{{op: "write", rows: `{"id":1,"dt":"2024-01-31","tm":"10:20:30","tm3":"23:59:59.999","ts0":"2024-01-31 10:20:30","ts3":"2024-01-31 10:20:30.123","ts6":"2024-01-31 10:20:30.123456","ltz3":"2024-01-31 10:20:30.1","ltz6":"2024-01-31 10:20:30.000001"}
{"id":2,"dt":"1969-12-31","tm":"00:00:00","tm3":"00:00:00.001","ts0":"1969-12-31 23:59:59","ts3":"1900-01-01 00:00:00","ts6":"2262-04-11 23:47:16.854775","ltz3":"1970-01-01 00:00:00","ltz6":"1999-12-31 23:59:59.999999"}
{"id":3}
`}}},
	{name: "types: nanosecond timestamps", spec: `{"table":"db.t","columns":[{"name":"id","type":"INT NOT NULL"},{"name":"ts9","type":"TIMESTAMP(9)"},{"name":"ltz9","type":"TIMESTAMP_LTZ(9)"}],"primaryKeys":["id"],"partitionKeys":[],"options":{"bucket":"1"}}`,
		steps: []step{{op: "write", rows: `{"id":1,"ts9":"2024-01-31 10:20:30.123456789","ltz9":"2024-01-31 10:20:30.000000001"}
{"id":2}
`}}},
	{name: "types: nested ARRAY, MAP, ROW", spec: `{"table":"db.t","columns":[{"name":"id","type":"INT NOT NULL"},{"name":"a","type":"ARRAY<INT>"},{"name":"as","type":"ARRAY<STRING>"},{"name":"m","type":"MAP<STRING, BIGINT>"},{"name":"r","type":"ROW<x INT, y STRING>"},{"name":"deep","type":"ARRAY<ROW<k STRING, vs ARRAY<DOUBLE>>>"},{"name":"mr","type":"MAP<INT, ROW<a DECIMAL(5, 2), b DATE>>"}],"primaryKeys":["id"],"partitionKeys":[],"options":{"bucket":"1"}}`,
		steps: []step{{op: "write", rows: `{"id":1,"a":[1,2,null],"as":["x",null,""],"m":[["b",2],["a",null],["c",3]],"r":{"x":1,"y":"y"},"deep":[{"k":"p","vs":[1.5,null]},null],"mr":[[2,{"a":"1.5","b":"2024-01-01"}],[1,null]]}
{"id":2,"a":[],"as":[],"m":[],"r":{"x":null,"y":null},"deep":[],"mr":[]}
{"id":3}
`}}},
	{name: "mixed writers, pk", spec: pkSpec, mixed: true,
		steps:  []step{{who: "A", op: "write", rows: pkUpserts[0].rows}, {who: "B", op: "write", rows: pkUpserts[2].rows}, {who: "A", op: "tag", name: "t2"}, {who: "A", op: "write", rows: pkUpserts[3].rows}},
		checks: []check{{snapshot: 1}, {snapshot: 2}, {tag: "t2"}}, want: pkUpsertsWant},
	{name: "mixed writers, pk with deletes", spec: pkSpec, mixed: true,
		steps:  []step{{who: "A", op: "write", rows: pkSteps[0].rows}, {who: "B", op: "write", rows: pkSteps[2].rows}, {who: "A", op: "write", rows: pkSteps[3].rows}},
		checks: []check{{snapshot: 1}, {snapshot: 2}}, want: pkWant},
	{name: "mixed writers, append partitioned", spec: appendPartSpec, mixed: true,
		steps:  []step{{who: "A", op: "write", rows: appendPartRows1}, {who: "B", op: "write", rows: appendPartRows2}, {who: "A", op: "write", rows: "{\"id\":9,\"p\":\"x\",\"q\":1,\"v\":\"i\"}\n"}},
		checks: []check{{snapshot: 2}}},
	// Both writers keep one dynamic-bucket index (HASH index files): an
	// updated key must stay in the bucket the other writer gave it, else
	// the key is read twice; new keys fill buckets of two rows.
	{name: "mixed writers, dynamic bucket", spec: dynBucketSpec, mixed: true,
		steps: []step{
			{who: "A", op: "write", rows: `{"id":1,"v":"a","n":1}
{"id":2,"v":"b","n":2}
{"id":3,"v":"c","n":3}
{"id":4,"v":null,"n":null}
{"id":5,"v":"e","n":5}
`},
			{who: "B", op: "write", rows: `{"id":3,"v":"c2","n":30}
{"id":6,"v":"f","n":6}
{"id":1,"v":"a2","n":10}
{"id":7,"v":"g","n":7}
{"id":8,"v":"h","n":8}
`},
			{who: "A", op: "write", rows: `{"id":7,"v":"g3","n":70}
{"id":2,"v":"b3","n":20}
{"id":9,"v":"i","n":9}
{"id":6,"v":null,"n":60}
`},
		},
		checks: []check{{snapshot: 1}, {snapshot: 2}},
		want: `{"id":1,"v":"a2","n":10}
{"id":2,"v":"b3","n":20}
{"id":3,"v":"c2","n":30}
{"id":4,"v":null,"n":null}
{"id":5,"v":"e","n":5}
{"id":6,"v":null,"n":60}
{"id":7,"v":"g3","n":70}
{"id":8,"v":"h","n":8}
{"id":9,"v":"i","n":9}
`},
	// floe commits on top of a table Java compacted (levels above 0, and
	// for deletion vectors, DV index files), then Java writes and compacts
	// again over floe's files.
	{name: "mixed writers, floe over a java-compacted table", spec: pkSpec, mixed: true, floeFirst: true, writers: []string{"java"},
		steps:  javaCompactedSteps,
		checks: []check{{snapshot: 1}, {snapshot: 3}}, want: javaCompactedWant},
	{name: "mixed writers, floe over a java-compacted table with deletion vectors", mixed: true, floeFirst: true, writers: []string{"java"},
		spec:   `{"table":"db.t","columns":[{"name":"id","type":"BIGINT NOT NULL"},{"name":"v","type":"STRING"},{"name":"n","type":"INT"}],"primaryKeys":["id"],"partitionKeys":[],"options":{"bucket":"2","deletion-vectors.enabled":"true"}}`,
		steps:  append(append([]step{}, javaCompactedSteps...), step{who: "B", op: "compact"}),
		checks: []check{{snapshot: 1}}, want: javaCompactedWant},
	{name: "tag by snapshot id", spec: pkSpec,
		steps:  []step{pkUpserts[0], pkUpserts[2], {op: "tag", name: "first", n: 1}},
		checks: []check{{tag: "first"}}},

	{name: "schema change", spec: alterSpec, steps: alterSteps,
		checks: []check{{snapshot: 1}}, want: alterWant},
	{name: "mixed writers, schema change", spec: alterSpec, mixed: true,
		steps: []step{
			{who: "A", op: "write", rows: alterSteps[0].rows},
			{who: "B", op: "alter", changes: alterSteps[1].changes},
			{who: "A", op: "write", rows: alterSteps[2].rows},
		},
		checks: []check{{snapshot: 1}}, want: alterWant},

	{name: "schema change, type casts", spec: castSpec, steps: castSteps,
		checks: []check{{snapshot: 1}}, want: castWant},
	{name: "mixed writers, schema change, type casts", spec: castSpec, mixed: true,
		steps: []step{
			{who: "A", op: "write", rows: castSteps[0].rows},
			{who: "B", op: "alter", changes: castSteps[1].changes},
			{who: "A", op: "write", rows: castSteps[2].rows},
		},
		checks: []check{{snapshot: 1}}, want: castWant},

	// Features only Java writes; floe must read them or report why not.
	{name: "java: full compaction", spec: pkSpec, writers: []string{"java"},
		steps: append(append([]step{}, pkSteps...), step{op: "compact"}), want: pkWant},
	// A large first write, then small overlapping ones: with the lookup
	// changelog producer Java compacts each new level-0 file into level 2
	// while the large run stays on level 3, so the reader merges keys
	// (id 150) across levels.
	{name: "java: compaction leaves overlapping levels", writers: []string{"java"},
		spec:   `{"table":"db.t","columns":[{"name":"id","type":"BIGINT NOT NULL"},{"name":"v","type":"STRING"},{"name":"n","type":"INT"}],"primaryKeys":["id"],"partitionKeys":[],"options":{"bucket":"1","num-levels":"4","changelog-producer":"lookup"}}`,
		steps:  levelSteps(),
		checks: []check{{snapshot: 1}, {snapshot: 3}}, want: levelWant()},
	// Batch reads of deletion-vector and first-row tables skip level 0, so
	// these cases compact before the rows are compared.
	{name: "java: deletion vectors", writers: []string{"java"}, steps: append(append([]step{}, pkSteps...), step{op: "compact"}), want: pkWant,
		spec: `{"table":"db.t","columns":[{"name":"id","type":"BIGINT NOT NULL"},{"name":"v","type":"STRING"},{"name":"n","type":"INT"}],"primaryKeys":["id"],"partitionKeys":[],"options":{"bucket":"2","deletion-vectors.enabled":"true"}}`},
	{name: "java: append deletion vectors after compaction", writers: []string{"java"},
		spec:  `{"table":"db.t","columns":[{"name":"id","type":"BIGINT"},{"name":"v","type":"STRING"}],"primaryKeys":[],"partitionKeys":[],"options":{"bucket":"-1","deletion-vectors.enabled":"true"}}`,
		steps: []step{{op: "write", rows: "{\"id\":1,\"v\":\"a\"}\n"}, {op: "write", rows: "{\"id\":2,\"v\":\"b\"}\n"}, {op: "compact"}}},
	{name: "java: partial-update", writers: []string{"java"},
		spec:  `{"table":"db.t","columns":[{"name":"id","type":"BIGINT NOT NULL"},{"name":"a","type":"STRING"},{"name":"b","type":"INT"}],"primaryKeys":["id"],"partitionKeys":[],"options":{"bucket":"1","merge-engine":"partial-update"}}`,
		steps: []step{{op: "write", rows: "{\"id\":1,\"a\":\"x\",\"b\":null}\n"}, {op: "write", rows: "{\"id\":1,\"a\":null,\"b\":7}\n"}},
		want:  "{\"id\":1,\"a\":\"x\",\"b\":7}\n"},
	{name: "java: aggregation", writers: []string{"java"},
		spec:  `{"table":"db.t","columns":[{"name":"id","type":"BIGINT NOT NULL"},{"name":"s","type":"BIGINT"},{"name":"m","type":"INT"}],"primaryKeys":["id"],"partitionKeys":[],"options":{"bucket":"1","merge-engine":"aggregation","fields.s.aggregate-function":"sum","fields.m.aggregate-function":"max"}}`,
		steps: []step{{op: "write", rows: "{\"id\":1,\"s\":1,\"m\":5}\n"}, {op: "write", rows: "{\"id\":1,\"s\":2,\"m\":3}\n"}},
		want:  "{\"id\":1,\"s\":3,\"m\":5}\n"},
	{name: "java: first-row", writers: []string{"java"},
		spec:  `{"table":"db.t","columns":[{"name":"id","type":"BIGINT NOT NULL"},{"name":"v","type":"STRING"}],"primaryKeys":["id"],"partitionKeys":[],"options":{"bucket":"1","merge-engine":"first-row"}}`,
		steps: []step{{op: "write", rows: "{\"id\":1,\"v\":\"first\"}\n"}, {op: "write", rows: "{\"id\":1,\"v\":\"second\"}\n"}, {op: "compact"}},
		want:  "{\"id\":1,\"v\":\"first\"}\n"},
	{name: "java: changelog-producer input", writers: []string{"java"}, steps: pkSteps, want: pkWant,
		spec: `{"table":"db.t","columns":[{"name":"id","type":"BIGINT NOT NULL"},{"name":"v","type":"STRING"},{"name":"n","type":"INT"}],"primaryKeys":["id"],"partitionKeys":[],"options":{"bucket":"2","changelog-producer":"input"}}`},
	{name: "java: changelog-producer lookup", writers: []string{"java"}, steps: pkSteps, want: pkWant,
		spec: `{"table":"db.t","columns":[{"name":"id","type":"BIGINT NOT NULL"},{"name":"v","type":"STRING"},{"name":"n","type":"INT"}],"primaryKeys":["id"],"partitionKeys":[],"options":{"bucket":"2","changelog-producer":"lookup"}}`},
	{name: "java: changelog-producer full-compaction", writers: []string{"java"}, steps: append(append([]step{}, pkSteps...), step{op: "compact"}), want: pkWant,
		spec: `{"table":"db.t","columns":[{"name":"id","type":"BIGINT NOT NULL"},{"name":"v","type":"STRING"},{"name":"n","type":"INT"}],"primaryKeys":["id"],"partitionKeys":[],"options":{"bucket":"2","changelog-producer":"full-compaction"}}`},
	{name: "java: expired snapshots", spec: pkSpec, writers: []string{"java"},
		steps: append(append([]step{}, pkSteps...), step{op: "expire", n: 1}), want: pkWant, checks: []check{{tag: "t1"}}},
}

// levelSteps writes ids 100..399, then three small batches that add ids
// 1..3 and update id 150 each time.
func levelSteps() []step {
	var big strings.Builder
	for i := 100; i < 400; i++ {
		fmt.Fprintf(&big, "{\"id\":%d,\"v\":\"big-%d\",\"n\":%d}\n", i, i, i)
	}
	steps := []step{{op: "write", rows: big.String()}}
	for i := 1; i <= 3; i++ {
		steps = append(steps, step{op: "write", rows: fmt.Sprintf("{\"id\":%d,\"v\":\"x\",\"n\":%d}\n{\"id\":150,\"v\":\"y%d\",\"n\":%d}\n", i, i, i, -i)})
	}
	return steps
}

// levelWant is levelSteps' result, sorted as canonical dumps are (by line).
func levelWant() string {
	var b strings.Builder
	for i := 1; i <= 3; i++ {
		fmt.Fprintf(&b, "{\"id\":%d,\"v\":\"x\",\"n\":%d}\n", i, i)
	}
	for i := 100; i < 400; i++ {
		if i == 150 {
			b.WriteString("{\"id\":150,\"v\":\"y3\",\"n\":-3}\n")
			continue
		}
		fmt.Fprintf(&b, "{\"id\":%d,\"v\":\"big-%d\",\"n\":%d}\n", i, i, i)
	}
	lines := strings.SplitAfter(b.String(), "\n")
	sort.Strings(lines)
	return strings.Join(lines, "")
}
