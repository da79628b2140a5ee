//go:build interop

package driver

import "strings"

// Streaming-read cases (issue 12): floe and Java write tables with and
// without changelog producers, and each engine that streams (floe, Java)
// reads their changes from snapshot 1 to the latest: the same snapshots,
// rows, row kinds and order as the writer's own stream. The same tables
// written by Java and by floe are also TestJavaStreams' and
// TestFloeStreams' fixtures (interop/floetool).

func init() {
	shapes = append(shapes, streamShapes()...)
}

const streamPKSpec = `{"table":"db.t","columns":[{"name":"id","type":"BIGINT NOT NULL"},{"name":"v","type":"STRING"},{"name":"n","type":"INT"}],"primaryKeys":["id"],"partitionKeys":[],"options":{"bucket":"2"}}`

var streamPKSteps = []step{
	{op: "write", rows: `{"id":1,"v":"a","n":1}
{"id":2,"v":"b","n":2}
{"id":3,"v":"c","n":3}
{"id":1,"v":"a1","n":11}
`},
	{op: "write", rows: `{"id":1,"v":"a2","n":10,"_ROW_KIND":"+U"}
{"id":2,"v":"b","n":2,"_ROW_KIND":"-D"}
{"id":4,"v":"d","n":null}
`},
	{op: "compact"},
	{op: "write", rows: `{"id":2,"v":"b2","n":20}
{"id":3,"v":"c","n":3,"_ROW_KIND":"-U"}
{"id":3,"v":"c3","n":30,"_ROW_KIND":"+U"}
`},
}

const streamAppendSpec = `{"table":"db.t","columns":[{"name":"id","type":"BIGINT"},{"name":"v","type":"STRING"}],"primaryKeys":[],"partitionKeys":[],"options":{"bucket":"-1"}}`

func streamShapes() []shape {
	floeJava := []string{"floe", "java"}
	// Changelog tables written by floe, streamed by the engines that
	// stream. Java-written ones (both versions) are TestJavaStreams'
	// fixtures, streamed by floe in go test; the mixed case has Java and
	// floe compact each other's lookup tables.
	streamers := []string{"floe", "java", "flink"}
	cl := func(name, spec string, steps []step) shape {
		return shape{name: name, spec: spec, steps: steps, writers: []string{"floe"}, stream: true, readers: streamers,
			readersWhy: "stream cases of changelog tables run on the engines that stream (floe, Java, Flink); pypaimon and Spark read changelog tables in the merge cases"}
	}
	return []shape{
		{name: "stream: primary key, no changelog producer", spec: streamPKSpec, steps: streamPKSteps, writers: floeJava, stream: true,
			want: `{"id":1,"v":"a2","n":10}
{"id":2,"v":"b2","n":20}
{"id":3,"v":"c3","n":30}
{"id":4,"v":"d","n":null}
`},
		{name: "stream: append table", spec: streamAppendSpec, writers: floeJava, stream: true,
			steps: []step{
				{op: "write", rows: "{\"id\":1,\"v\":\"a\"}\n{\"id\":2,\"v\":null}\n"},
				{op: "write", rows: "{\"id\":3,\"v\":\"c\"}\n"},
			}},
		{name: "mixed writers, stream: primary key", spec: streamPKSpec, mixed: true, writers: []string{"java"}, stream: true,
			steps: alternate(streamPKSteps)},
		cl("stream: input changelog", changelogSpec(`"changelog-producer":"input"`), streamPKSteps),
		cl("stream: lookup changelog, deduplicate", changelogSpec(`"changelog-producer":"lookup"`), streamPKSteps),
		cl("stream: lookup changelog, row-deduplicate", changelogSpec(`"changelog-producer":"lookup","changelog-producer.row-deduplicate":"true"`), streamPKSteps),
		cl("stream: lookup changelog, partial-update", changelogSpec(`"changelog-producer":"lookup","merge-engine":"partial-update"`), streamInsertSteps),
		cl("stream: lookup changelog, aggregation", changelogSpec(`"changelog-producer":"lookup","merge-engine":"aggregation","fields.n.aggregate-function":"sum"`), streamPKSteps),
		cl("stream: lookup changelog, first-row", changelogSpec(`"changelog-producer":"lookup","merge-engine":"first-row"`), streamInsertSteps),
		cl("stream: lookup changelog, deletion vectors", changelogSpec(`"changelog-producer":"lookup","deletion-vectors.enabled":"true"`), streamPKSteps),
		cl("stream: full-compaction changelog", changelogSpec(`"changelog-producer":"full-compaction"`), streamPKSteps),
		cl("stream: full-compaction changelog, aggregation", changelogSpec(`"changelog-producer":"full-compaction","merge-engine":"aggregation","fields.n.aggregate-function":"sum"`), streamPKSteps),
		{name: "mixed writers, stream: lookup changelog", spec: changelogSpec(`"changelog-producer":"lookup"`), mixed: true, writers: []string{"java"}, stream: true,
			steps: alternate(streamPKSteps), readers: streamers, readersWhy: "stream cases of changelog tables run on the engines that stream (floe, Java, Flink)"},
	}
}

// changelogSpec is streamPKSpec with more options (JSON members).
func changelogSpec(opts string) string {
	return strings.Replace(streamPKSpec, `"options":{"bucket":"2"}`, `"options":{"bucket":"2",`+opts+`}`, 1)
}

// streamInsertSteps are streamPKSteps without retractions, for engines
// that take none (partial-update, first-row).
var streamInsertSteps = []step{
	{op: "write", rows: `{"id":1,"v":"a","n":1}
{"id":2,"v":"b","n":2}
{"id":3,"v":"c","n":3}
{"id":1,"v":null,"n":11}
`},
	{op: "write", rows: `{"id":1,"v":"a2","n":null}
{"id":4,"v":"d","n":null}
`},
	{op: "compact"},
	{op: "write", rows: `{"id":2,"v":"b2","n":20}
{"id":3,"v":null,"n":30}
{"id":5,"v":"e","n":5}
`},
}
