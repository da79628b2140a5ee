//go:build interop

package driver

// Streaming-read cases (issue 12): floe and Java write tables without a
// changelog producer (floe writes no changelog files yet), and each
// engine that streams (floe, Java) reads their changes from snapshot 1 to
// the latest: the same snapshots, rows, row kinds and order. Java-written
// tables with each changelog producer are TestJavaStreams' fixtures.

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
	}
}
