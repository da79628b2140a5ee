//go:build interop

package driver

import "strings"

// Merge-engine cases (issue 11): floe writes partial-update and
// aggregation tables (several writes whose keys meet across files, nulls
// for unset fields, -U/-D retractions, sequence groups, aggregate
// functions), compacts them, and writes them together with Java; every
// engine reads the result. Java 1.4.2/2.0.0 write the same steps as the
// comparison rows (writers floe and java: pypaimon's writer takes no
// retractions and Spark's turns them into DELETE statements).

func init() {
	shapes = append(shapes, mergeShapes()...)
}

// puSpec is a partial-update table over two buckets.
const puSpec = `{"table":"db.t","columns":[{"name":"id","type":"BIGINT NOT NULL"},{"name":"a","type":"STRING"},{"name":"b","type":"INT"},{"name":"c","type":"DOUBLE"}],"primaryKeys":["id"],"partitionKeys":[],"options":{"bucket":"2","merge-engine":"partial-update"}}`

// puWrites: each write sets some fields of a key and leaves the others
// null (or omits them), so the latest row gathers fields from every file.
var puWrites = []step{
	{op: "write", rows: `{"id":1,"a":"a1","b":null,"c":1.5}
{"id":2,"a":"b1","b":2,"c":null}
{"id":3,"a":null,"b":null,"c":null}
`},
	{op: "write", rows: `{"id":1,"a":null,"b":10,"c":null}
{"id":2,"a":"b2","b":null,"c":2.5}
{"id":4,"a":"d2"}
`},
	{op: "write", rows: `{"id":1,"a":"a3","b":null,"c":null}
{"id":3,"a":null,"b":30,"c":null}
{"id":4,"a":null,"b":null,"c":4.5}
`},
}

const puWant = `{"id":1,"a":"a3","b":10,"c":1.5}
{"id":2,"a":"b2","b":2,"c":2.5}
{"id":3,"a":null,"b":30,"c":null}
{"id":4,"a":"d2","b":null,"c":4.5}
`

const puIgnoreDeleteSpec = `{"table":"db.t","columns":[{"name":"id","type":"BIGINT NOT NULL"},{"name":"a","type":"STRING"},{"name":"b","type":"INT"},{"name":"c","type":"DOUBLE"}],"primaryKeys":["id"],"partitionKeys":[],"options":{"bucket":"1","merge-engine":"partial-update","ignore-delete":"true"}}`

// puIgnoreDeleteSteps: -D and -U rows are ignored (id 3's only record is
// a -D: no row).
var puIgnoreDeleteSteps = []step{
	{op: "write", rows: `{"id":1,"a":"a1","b":1,"c":1.5}
{"id":2,"a":"b1","b":null,"c":2.5}
`},
	{op: "write", rows: `{"id":1,"a":null,"b":null,"c":null,"_ROW_KIND":"-D"}
{"id":2,"a":"b1","b":null,"c":2.5,"_ROW_KIND":"-U"}
{"id":2,"a":null,"b":22,"c":null,"_ROW_KIND":"+U"}
`},
	{op: "write", rows: `{"id":3,"a":"c3","b":null,"c":null,"_ROW_KIND":"-D"}
{"id":1,"a":null,"b":null,"c":9.5}
`},
	{op: "compact"},
}

const puIgnoreDeleteWant = `{"id":1,"a":"a1","b":1,"c":9.5}
{"id":2,"a":"b1","b":22,"c":2.5}
`

const puRemoveDeleteSpec = `{"table":"db.t","columns":[{"name":"id","type":"BIGINT NOT NULL"},{"name":"a","type":"STRING"},{"name":"b","type":"INT"},{"name":"c","type":"DOUBLE"}],"primaryKeys":["id"],"partitionKeys":[],"options":{"bucket":"1","merge-engine":"partial-update","partial-update.remove-record-on-delete":"true"}}`

// puRemoveDeleteSteps: a -D removes the row; a later partial insert of
// the key starts from the deleted row's values (Java's behaviour: id 1
// keeps a and c from the -D).
var puRemoveDeleteSteps = []step{
	{op: "write", rows: `{"id":1,"a":"a1","b":1,"c":1.5}
{"id":2,"a":"b1","b":2,"c":null}
{"id":3,"a":"c1","b":3,"c":3.5}
`},
	{op: "write", rows: `{"id":1,"a":"a1","b":1,"c":1.5,"_ROW_KIND":"-D"}
{"id":2,"a":null,"b":null,"c":null,"_ROW_KIND":"-D"}
`},
	{op: "write", rows: `{"id":1,"a":null,"b":100,"c":null}
{"id":3,"a":null,"b":null,"c":33.5}
`},
	{op: "compact"},
	{op: "write", rows: `{"id":3,"a":"c1","b":3,"c":33.5,"_ROW_KIND":"-D"}
{"id":2,"a":"b4","b":null,"c":null}
`},
}

const puRemoveDeleteWant = `{"id":1,"a":"a1","b":100,"c":1.5}
{"id":2,"a":"b4","b":null,"c":null}
`

// puSeqSpec has two sequence groups: g1 → a, m (max) and g2a,g2b (two
// sequence fields) → c, s (sum); d belongs to no group.
const puSeqSpec = `{"table":"db.t","columns":[{"name":"id","type":"BIGINT NOT NULL"},{"name":"g1","type":"INT"},{"name":"a","type":"STRING"},{"name":"m","type":"INT"},{"name":"g2a","type":"INT"},{"name":"g2b","type":"BIGINT"},{"name":"c","type":"STRING"},{"name":"s","type":"INT"},{"name":"d","type":"STRING"}],"primaryKeys":["id"],"partitionKeys":[],"options":{"bucket":"1","merge-engine":"partial-update","fields.g1.sequence-group":"a,m","fields.g2a,g2b.sequence-group":"c,s","fields.m.aggregate-function":"max","fields.s.aggregate-function":"sum"}}`

// puSeqSteps: a group whose sequence is null is skipped; an older group
// sequence leaves the plain fields but still folds into max/sum; -U/-D
// retract group 2 (c becomes null, sum subtracts) or, when older, only
// retract its sum.
var puSeqSteps = []step{
	{op: "write", rows: `{"id":1,"g1":1,"a":"a1","m":5,"g2a":1,"g2b":1,"c":"c1","s":10,"d":"d1"}
{"id":2,"g1":5,"a":"x5","m":1,"g2a":null,"g2b":null,"c":"skipped","s":3,"d":null}
`},
	{op: "write", rows: `{"id":1,"g1":0,"a":"old","m":9,"g2a":null,"g2b":null,"c":null,"s":null,"d":"d2"}
{"id":2,"g1":6,"a":null,"m":null,"g2a":2,"g2b":0,"c":"c2","s":4,"d":null}
`},
	{op: "write", rows: `{"id":1,"g1":null,"a":null,"m":null,"g2a":1,"g2b":2,"c":"c1","s":4,"d":null,"_ROW_KIND":"-U"}
{"id":2,"g1":null,"a":null,"m":null,"g2a":1,"g2b":0,"c":"c-old","s":1,"d":null,"_ROW_KIND":"-D"}
{"id":3,"g1":1,"a":"a3","m":3,"g2a":null,"g2b":null,"c":null,"s":null,"d":"d3"}
`},
	{op: "compact"},
	{op: "write", rows: `{"id":1,"g1":2,"a":"a4","m":2,"g2a":2,"g2b":0,"c":"c4","s":7,"d":null,"_ROW_KIND":"+U"}
{"id":3,"g1":0,"a":"old","m":8,"g2a":null,"g2b":null,"c":null,"s":null,"d":null}
`},
}

const puSeqWant = `{"id":1,"g1":2,"a":"a4","m":9,"g2a":2,"g2b":0,"c":"c4","s":13,"d":"d2"}
{"id":2,"g1":6,"a":null,"m":1,"g2a":2,"g2b":0,"c":"c2","s":3,"d":null}
{"id":3,"g1":1,"a":"a3","m":8,"g2a":null,"g2b":null,"c":null,"s":null,"d":"d3"}
`

// aggSpec: the simple aggregate functions (x has none: last_non_null_value).
const aggSpec = `{"table":"db.t","columns":[{"name":"id","type":"BIGINT NOT NULL"},{"name":"s_i","type":"INT"},{"name":"s_dec","type":"DECIMAL(10, 2)"},{"name":"s_d","type":"DOUBLE"},{"name":"p_l","type":"BIGINT"},{"name":"mn_s","type":"STRING"},{"name":"mn_dt","type":"DATE"},{"name":"mx_i","type":"INT"},{"name":"mx_ts","type":"TIMESTAMP(3)"},{"name":"lv","type":"STRING"},{"name":"lnn","type":"STRING"},{"name":"fv","type":"STRING"},{"name":"fnn","type":"STRING"},{"name":"la","type":"STRING"},{"name":"la2","type":"STRING"},{"name":"ba","type":"BOOLEAN"},{"name":"bo","type":"BOOLEAN"},{"name":"x","type":"INT"}],"primaryKeys":["id"],"partitionKeys":[],` +
	`"options":{"bucket":"2","merge-engine":"aggregation","fields.s_i.aggregate-function":"sum","fields.s_dec.aggregate-function":"sum","fields.s_d.aggregate-function":"sum","fields.p_l.aggregate-function":"product","fields.mn_s.aggregate-function":"min","fields.mn_dt.aggregate-function":"min","fields.mx_i.aggregate-function":"max","fields.mx_ts.aggregate-function":"max","fields.lv.aggregate-function":"last_value","fields.lnn.aggregate-function":"last_non_null_value","fields.fv.aggregate-function":"first_value","fields.fnn.aggregate-function":"first_non_null_value","fields.la.aggregate-function":"listagg","fields.la2.aggregate-function":"listagg","fields.la2.list-agg-delimiter":";","fields.ba.aggregate-function":"bool_and","fields.bo.aggregate-function":"bool_or"}}`

var aggSteps = []step{
	{op: "write", rows: `{"id":1,"s_i":1,"s_dec":"1.10","s_d":0.5,"p_l":2,"mn_s":"b","mn_dt":"2024-01-05","mx_i":5,"mx_ts":"2024-01-05 10:00:00.5","lv":"v1","lnn":"n1","fv":"f1","fnn":null,"la":"a","la2":"a","ba":true,"bo":false,"x":1}
{"id":2,"s_i":null,"s_dec":null,"s_d":null,"p_l":null,"mn_s":null,"mn_dt":null,"mx_i":null,"mx_ts":null,"lv":null,"lnn":null,"fv":null,"fnn":null,"la":null,"la2":null,"ba":null,"bo":null,"x":null}
`},
	{op: "write", rows: `{"id":1,"s_i":2,"s_dec":"2.25","s_d":0.25,"p_l":3,"mn_s":"a","mn_dt":"2024-01-07","mx_i":3,"mx_ts":"2024-01-06 00:00:00","lv":null,"lnn":null,"fv":"f2","fnn":"g2","la":"b","la2":"b","ba":true,"bo":null,"x":null}
{"id":2,"s_i":5,"s_dec":"0.01","s_d":-1.5,"p_l":4,"mn_s":"m","mn_dt":"1969-12-31","mx_i":-1,"mx_ts":"1969-12-31 23:59:59.999","lv":"w2","lnn":"m2","fv":"e2","fnn":"h2","la":"x","la2":null,"ba":false,"bo":true,"x":2}
`},
	{op: "compact"},
	{op: "write", rows: `{"id":1,"s_i":-4,"s_dec":"-0.35","s_d":1.0,"p_l":-5,"mn_s":"é","mn_dt":"2024-01-01","mx_i":9,"mx_ts":null,"lv":"v3","lnn":null,"fv":"f3","fnn":"g3","la":null,"la2":"c","ba":false,"bo":true,"x":3}
{"id":3,"s_i":7,"s_dec":"7.00","s_d":7.0,"p_l":7,"mn_s":"z","mn_dt":"2000-02-29","mx_i":7,"mx_ts":"2000-02-29 12:00:00","lv":"u3","lnn":"k3","fv":"t3","fnn":"q3","la":"p","la2":"p","ba":true,"bo":false,"x":7}
`},
}

// aggWant: first_value keeps id 2's first (null) value.
const aggWant = `{"id":1,"s_i":-1,"s_dec":"3.00","s_d":1.75,"p_l":-30,"mn_s":"a","mn_dt":"2024-01-01","mx_i":9,"mx_ts":"2024-01-06 00:00:00","lv":"v3","lnn":"n1","fv":"f1","fnn":"g2","la":"a,b","la2":"a;b;c","ba":false,"bo":true,"x":3}
{"id":2,"s_i":5,"s_dec":"0.01","s_d":-1.5,"p_l":4,"mn_s":"m","mn_dt":"1969-12-31","mx_i":-1,"mx_ts":"1969-12-31 23:59:59.999","lv":"w2","lnn":"m2","fv":null,"fnn":"h2","la":"x","la2":null,"ba":false,"bo":true,"x":2}
{"id":3,"s_i":7,"s_dec":"7.00","s_d":7,"p_l":7,"mn_s":"z","mn_dt":"2000-02-29","mx_i":7,"mx_ts":"2000-02-29 12:00:00","lv":"u3","lnn":"k3","fv":"t3","fnn":"q3","la":"p","la2":"p","ba":true,"bo":false,"x":7}
`

// aggRetractSpec: functions that take retractions, and max with
// ignore-retract.
const aggRetractSpec = `{"table":"db.t","columns":[{"name":"id","type":"BIGINT NOT NULL"},{"name":"s_i","type":"INT"},{"name":"s_dec","type":"DECIMAL(10, 2)"},{"name":"p_l","type":"BIGINT"},{"name":"lv","type":"STRING"},{"name":"lnn","type":"STRING"},{"name":"mx","type":"INT"}],"primaryKeys":["id"],"partitionKeys":[],` +
	`"options":{"bucket":"1","merge-engine":"aggregation","fields.s_i.aggregate-function":"sum","fields.s_dec.aggregate-function":"sum","fields.p_l.aggregate-function":"product","fields.lv.aggregate-function":"last_value","fields.lnn.aggregate-function":"last_non_null_value","fields.mx.aggregate-function":"max","fields.mx.ignore-retract":"true"}}`

// aggRetractSteps: -U/+U/-D retract sum (subtracts), product (divides),
// last_value (null) and last_non_null_value (null when the retracted value
// is not null); id 4's only record is a -U, which readers drop.
var aggRetractSteps = []step{
	{op: "write", rows: `{"id":1,"s_i":10,"s_dec":"10.50","p_l":6,"lv":"v1","lnn":"n1","mx":5}
{"id":2,"s_i":20,"s_dec":"0.10","p_l":7,"lv":"w1","lnn":"m1","mx":1}
`},
	{op: "write", rows: `{"id":1,"s_i":4,"s_dec":"0.50","p_l":3,"lv":"v1","lnn":"n1","mx":5,"_ROW_KIND":"-U"}
{"id":1,"s_i":7,"s_dec":"0.05","p_l":5,"lv":"v2","lnn":null,"mx":4,"_ROW_KIND":"+U"}
{"id":2,"s_i":20,"s_dec":"0.10","p_l":7,"lv":"w1","lnn":"m1","mx":1,"_ROW_KIND":"-D"}
`},
	{op: "write", rows: `{"id":3,"s_i":1,"s_dec":"1.00","p_l":2,"lv":"u3","lnn":"k3","mx":3}
{"id":2,"s_i":-1,"s_dec":"-0.20","p_l":-2,"lv":"w3","lnn":null,"mx":-1}
`},
	{op: "compact"},
	{op: "write", rows: `{"id":1,"s_i":1,"s_dec":"1.00","p_l":5,"lv":"v2","lnn":null,"mx":8,"_ROW_KIND":"-D"}
{"id":4,"s_i":3,"s_dec":"3.00","p_l":3,"lv":"x","lnn":"y","mx":3,"_ROW_KIND":"-U"}
`},
}

// aggRetractWant: the -U and +U of id 1 in one write merge in the
// writer's buffer first (product: retracting from nothing keeps nothing,
// so the pair carries 5; last_non_null_value: null), so id 1's product is
// 6 * 5 / 5 and its last_non_null_value stays n1 (Java's result).
const aggRetractWant = `{"id":1,"s_i":12,"s_dec":"9.05","p_l":6,"lv":null,"lnn":"n1","mx":5}
{"id":2,"s_i":-1,"s_dec":"-0.20","p_l":-2,"lv":"w3","lnn":null,"mx":1}
{"id":3,"s_i":1,"s_dec":"1.00","p_l":2,"lv":"u3","lnn":"k3","mx":3}
`

const aggRemoveDeleteSpec = `{"table":"db.t","columns":[{"name":"id","type":"BIGINT NOT NULL"},{"name":"s","type":"INT"},{"name":"mx","type":"INT"},{"name":"la","type":"STRING"}],"primaryKeys":["id"],"partitionKeys":[],"options":{"bucket":"1","merge-engine":"aggregation","aggregation.remove-record-on-delete":"true","fields.s.aggregate-function":"sum","fields.mx.aggregate-function":"max","fields.la.aggregate-function":"listagg"}}`

// aggRemoveDeleteSteps: a -D removes the row; a later insert aggregates
// onto the deleted row's values (id 1: s = 100 + 1).
var aggRemoveDeleteSteps = []step{
	{op: "write", rows: `{"id":1,"s":1,"mx":10,"la":"a"}
{"id":2,"s":2,"mx":20,"la":"b"}
`},
	{op: "write", rows: `{"id":1,"s":100,"mx":5,"la":"deleted","_ROW_KIND":"-D"}
{"id":2,"s":3,"mx":1,"la":"b2"}
`},
	{op: "write", rows: `{"id":1,"s":1,"mx":1,"la":"a3"}
`},
	{op: "compact"},
	{op: "write", rows: `{"id":2,"s":null,"mx":null,"la":null,"_ROW_KIND":"-D"}
{"id":3,"s":3,"mx":3,"la":"c"}
`},
}

const aggRemoveDeleteWant = `{"id":1,"s":101,"mx":5,"la":"deleted,a3"}
{"id":3,"s":3,"mx":3,"la":"c"}
`

// aggComplexSpec: collect (also distinct), merge_map, nested_update with a
// nested key, and the bitmap and sketch functions over bytes Java built
// (the values of testdata/java-merge: bitmaps and sketches of {0}, {1} and
// {7, 8}). rbm64, which pypaimon 2.1.0 cannot read, has its own case
// (aggRbm64Spec).
const aggComplexSpec = `{"table":"db.t","columns":[{"name":"id","type":"BIGINT NOT NULL"},{"name":"c","type":"ARRAY<INT>"},{"name":"cd","type":"ARRAY<INT>"},{"name":"mm","type":"MAP<STRING, INT>"},{"name":"nu","type":"ARRAY<ROW<k INT, v STRING>>"},{"name":"r32","type":"BYTES"},{"name":"hll","type":"BYTES"},{"name":"th","type":"BYTES"}],"primaryKeys":["id"],"partitionKeys":[],` +
	`"options":{"bucket":"1","merge-engine":"aggregation","fields.c.aggregate-function":"collect","fields.cd.aggregate-function":"collect","fields.cd.distinct":"true","fields.mm.aggregate-function":"merge_map","fields.nu.aggregate-function":"nested_update","fields.nu.nested-key":"k","fields.r32.aggregate-function":"rbm32","fields.hll.aggregate-function":"hll_sketch","fields.th.aggregate-function":"theta_sketch"}}`

const (
	r32of0  = `"OjAAAAEAAAAAAAAAEAAAAAAA"`
	r32of1  = `"OjAAAAEAAAAAAAAAEAAAAAEA"`
	r32of78 = `"OjAAAAEAAAAAAAEAEAAAAAcACAA="`
	hllOf0  = `"AgEHDAMIAQDL18IE"`
	hllOf1  = `"AgEHDAMIAQAr8vsG"`
	hllOf78 = `"AgEHDAMIAgDSFnMHwekXBQ=="`
	thOf0   = `"AQMDAAA6zJPla2HuyIBEIA=="`
	thOf1   = `"AQMDAAA6zJMV+X3LvYahBQ=="`
	thOf78  = `"AgMDAAAazJMCAAAAAACAP2mLuZG4aFcI4PSL6pmDw3w="`
)

var aggComplexSteps = []step{
	{op: "write", rows: `{"id":1,"c":[3,1],"cd":[5,1],"mm":[["a",1],["b",2]],"nu":[{"k":1,"v":"one"},{"k":2,"v":"two"}],"r32":` + r32of0 + `,"hll":` + hllOf0 + `,"th":` + thOf0 + `}
{"id":2,"c":null,"cd":null,"mm":null,"nu":null,"r32":null,"hll":null,"th":null}
`},
	{op: "write", rows: `{"id":1,"c":[2],"cd":[1,3],"mm":[["b",20],["c",3]],"nu":[{"k":2,"v":"TWO"},{"k":3,"v":"three"}],"r32":` + r32of1 + `,"hll":` + hllOf1 + `,"th":` + thOf1 + `}
{"id":2,"c":[7],"cd":[7],"mm":[["k",7]],"nu":[{"k":7,"v":"seven"}],"r32":` + r32of78 + `,"hll":` + hllOf78 + `,"th":` + thOf78 + `}
`},
	{op: "compact"},
	{op: "write", rows: `{"id":1,"c":[4],"cd":[4,5],"mm":[["a",null]],"nu":[{"k":1,"v":"ONE"}],"r32":` + r32of78 + `,"hll":` + hllOf78 + `,"th":` + thOf78 + `}
{"id":3,"c":[1,1],"cd":[2,2],"mm":[],"nu":[],"r32":` + r32of1 + `,"hll":null,"th":null}
`},
}

// aggRbm64Spec: rbm64, whose values are Java's Roaring64Bitmap internals,
// over bitmaps of values in several 48-bit keys (Java's RoaringBitmap64 of
// {1, 5000000000, 2^40}, {2, 5000000001, -1} and {3, 70000, 2^33+5, 2^48}),
// beside a sum.
const aggRbm64Spec = `{"table":"db.t","columns":[{"name":"id","type":"BIGINT NOT NULL"},{"name":"r","type":"BYTES"},{"name":"n","type":"INT"}],"primaryKeys":["id"],"partitionKeys":[],` +
	`"options":{"bucket":"1","merge-engine":"aggregation","fields.r.aggregate-function":"rbm64","fields.n.aggregate-function":"sum"}}`

const (
	r64A   = `"AQMAAAAAAAAAAAIAAgAAAAABAAACAAAAAAEABAAAAAAAAAAAAAAAAAAAAAAABAAAAAAAAAEqBQEAAAAAAAAABAAAAAAAAQAAAAIAAAAAAAAAAQAAAP4DAAAAAQIBAAAAAQABAgEAAAAA8gECAQAAAAAAAwAAAAAAAAAAAAAAAgAAAA=="`
	r64B   = `"AQMAAAAAAAAAAAIAAAAA/wAAAgACAAAAAAEABAAAAAAAAAAAAAAAAAAAAAAABAAAAAAAAAEqBQEAAAAAAAAABAAAAP///////wIAAAAAAAAAAQAAAP4DAAAAAQIBAAAAAgABAgEAAAAB8gECAQAAAP//AwAAAAAAAAAAAAAAAgAAAA=="`
	r64C   = `"AQQAAAAAAAAAAAIAAQAAAAEAAAIAAQAAAAIAAAIAAQAAAAEABAAAAAAAAAAAAAAAAAAAAAAABAAAAAAAAAAAAQEAAAAAAAAABAAAAAAAAAIAAAIAAAAAAAAABAAAAAABAAAAAAMAAAAAAAAAAQAAAP4EAAAAAQIBAAAAAwABAgEAAABwEQECAQAAAAUAAQIBAAAAAAAEAAAAAAAAAAAAAAADAAAA"`
	r64ABC = `"AQcAAAAAAAAAAAIAAAAA/wAAAgAAAAABAAACAAAAAAEAAAMAAAACAQAAAgABAAAAAQAEAAAAAAAAAAAAAAAAAAAAAAAEAAAAAAAAAAABBAAAAAAAAAAEAAAAAAAAASoFAQAAAAAAAAAEAAAAAAAAAgAABQAAAAAAAAAEAAAAAAABAAAAAgAAAAAAAAAEAAAAAAEAAAAABgAAAAAAAAAEAAAA////////AwAAAAAAAAABAAAA/gkAAAABAgMAAAABAAIAAwABAgIAAAAA8gHyAQIBAAAAAAABAgEAAAD//wECAQAAAHARAQIBAAAABQABAgEAAAAAAAAABwAAAAAAAAAAAAAABgAAAA=="`
)

var aggRbm64Steps = []step{
	{op: "write", rows: `{"id":1,"r":` + r64A + `,"n":1}
{"id":2,"r":null,"n":2}
`},
	{op: "write", rows: `{"id":1,"r":` + r64B + `,"n":10}
{"id":2,"r":` + r64C + `,"n":20}
`},
	{op: "compact"},
	{op: "write", rows: `{"id":1,"r":` + r64C + `,"n":100}
{"id":3,"r":` + r64A + `,"n":3}
`},
}

// aggRbm64Want: Java's agg(agg(A, B), C) for id 1.
const aggRbm64Want = `{"id":1,"r":` + r64ABC + `,"n":111}
{"id":2,"r":` + r64C + `,"n":22}
{"id":3,"r":` + r64A + `,"n":3}
`

func mergeShapes() []shape {
	floeJava := []string{"floe", "java"}
	compactAt := func(steps []step, i int) []step {
		return append(append(append([]step{}, steps[:i]...), step{op: "compact"}), steps[i:]...)
	}
	return []shape{
		{name: "merge: partial-update, several writes", spec: puSpec, steps: puWrites, writers: floeJava,
			checks: []check{{snapshot: 1}, {snapshot: 2}}, want: puWant},
		{name: "merge: partial-update, compacted", spec: puSpec, writers: floeJava,
			steps:  append(compactAt(puWrites, 2), step{op: "compact"}),
			checks: []check{{snapshot: 2}, {snapshot: 3}}, want: puWant},
		// Writers compact inline (trigger 2): the second and later writes
		// merge level 0 into upper levels as they commit.
		{name: "merge: partial-update, inline compaction", writers: floeJava,
			spec:   strings.Replace(puSpec, `"merge-engine":"partial-update"`, `"merge-engine":"partial-update","num-sorted-run.compaction-trigger":"2"`, 1),
			steps:  puWrites,
			checks: []check{{snapshot: 2}}, want: puWant},
		{name: "merge: aggregation, retractions, inline compaction", writers: floeJava,
			spec:   strings.Replace(aggRetractSpec, `"merge-engine":"aggregation"`, `"merge-engine":"aggregation","num-sorted-run.compaction-trigger":"2"`, 1),
			steps:  aggRetractSteps,
			checks: []check{{snapshot: 2}}, want: aggRetractWant},
		{name: "merge: partial-update, ignore-delete", spec: puIgnoreDeleteSpec, steps: puIgnoreDeleteSteps, writers: floeJava,
			checks: []check{{snapshot: 2}, {snapshot: 3}}, want: puIgnoreDeleteWant},
		{name: "merge: partial-update, remove-record-on-delete", spec: puRemoveDeleteSpec, steps: puRemoveDeleteSteps, writers: floeJava,
			checks: []check{{snapshot: 2}, {snapshot: 3}}, want: puRemoveDeleteWant},
		{name: "merge: partial-update, sequence groups", spec: puSeqSpec, steps: puSeqSteps, writers: floeJava,
			checks: []check{{snapshot: 2}, {snapshot: 3}}, want: puSeqWant},
		{name: "merge: aggregation, simple functions", spec: aggSpec, steps: aggSteps, writers: floeJava,
			checks: []check{{snapshot: 2}}, want: aggWant},
		{name: "merge: aggregation, retractions", spec: aggRetractSpec, steps: aggRetractSteps, writers: floeJava,
			checks: []check{{snapshot: 2}, {snapshot: 3}}, want: aggRetractWant},
		{name: "merge: aggregation, remove-record-on-delete", spec: aggRemoveDeleteSpec, steps: aggRemoveDeleteSteps, writers: floeJava,
			checks: []check{{snapshot: 3}}, want: aggRemoveDeleteWant},
		// No want: the bitmap and sketch unions are Java's bytes; every
		// reader must print the writer's dump.
		{name: "merge: aggregation, complex functions", spec: aggComplexSpec, steps: aggComplexSteps, writers: floeJava,
			checks: []check{{snapshot: 2}}},
		{name: "merge: aggregation, rbm64", spec: aggRbm64Spec, steps: aggRbm64Steps, writers: floeJava,
			checks: []check{{snapshot: 2}}, want: aggRbm64Want},

		// Java and floe write the same table, each on the other's files,
		// and each compacts.
		{name: "mixed writers, merge: partial-update", spec: puSpec, mixed: true, writers: []string{"java"},
			steps: []step{
				{who: "A", op: "write", rows: puWrites[0].rows},
				{who: "B", op: "write", rows: puWrites[1].rows},
				{who: "A", op: "compact"},
				{who: "B", op: "write", rows: puWrites[2].rows},
				{who: "A", op: "write", rows: "{\"id\":2,\"a\":null,\"b\":null,\"c\":-0.5}\n{\"id\":5,\"a\":\"e\",\"b\":null,\"c\":null}\n"},
				{who: "B", op: "compact"},
			},
			checks: []check{{snapshot: 2}, {snapshot: 4}},
			want: `{"id":1,"a":"a3","b":10,"c":1.5}
{"id":2,"a":"b2","b":2,"c":-0.5}
{"id":3,"a":null,"b":30,"c":null}
{"id":4,"a":"d2","b":null,"c":4.5}
{"id":5,"a":"e","b":null,"c":null}
`},
		{name: "mixed writers, merge: partial-update, sequence groups", spec: puSeqSpec, mixed: true, writers: []string{"java"},
			steps:  alternate(puSeqSteps),
			checks: []check{{snapshot: 2}, {snapshot: 3}}, want: puSeqWant},
		{name: "mixed writers, merge: aggregation", spec: aggSpec, mixed: true, writers: []string{"java"},
			steps:  append(alternate(aggSteps), step{who: "B", op: "compact"}),
			checks: []check{{snapshot: 2}}, want: aggWant},
		{name: "mixed writers, merge: aggregation, rbm64", spec: aggRbm64Spec, mixed: true, writers: []string{"java"},
			steps:  alternate(aggRbm64Steps),
			checks: []check{{snapshot: 2}}, want: aggRbm64Want},
		{name: "mixed writers, merge: aggregation, retractions", spec: aggRetractSpec, mixed: true, writers: []string{"java"},
			steps:  alternate(aggRetractSteps),
			checks: []check{{snapshot: 2}, {snapshot: 3}}, want: aggRetractWant},
	}
}

// alternate gives the steps to A and B in turn.
func alternate(steps []step) []step {
	out := append([]step(nil), steps...)
	for i := range out {
		out[i].who = "A"
		if i%2 == 1 {
			out[i].who = "B"
		}
	}
	return out
}
