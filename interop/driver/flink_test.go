//go:build interop

package driver

import (
	"fmt"
	"strings"
)

// Flink SQL (issue 12) runs on a sample of the cases: each of its
// commands is a Flink job (seconds), too slow for every row of the matrix
// within CI's budget. It reads the rows floe wrote (alone or with another
// engine) of the cases below, every row of the streaming cases, and (the
// last connector version only) writes the cases of flinkWriteSample.
var flinkReadSample = map[string]bool{
	"pk, fixed bucket, updates and deletes":                          true,
	"pk, dynamic bucket":                                             true,
	"pk, partitioned by two columns":                                 true,
	"append, unaware bucket, partitioned with null and empty values": true,
	"append, fixed bucket":                                           true,
	"tag by snapshot id":                                             true,
	"schema change":                                                  true,
	"types: numeric":                                                 true,
	"types: float special values":                                    true,
	"types: text and binary":                                         true,
	"types: date and time":                                           true,
	"types: nanosecond timestamps":                                   true,
	"floe compaction: pk with deletion vectors":                      true,
	"merge: partial-update, sequence groups":                         true,
	"merge: aggregation, simple functions":                           true,
	"mixed writers, floe over a java-compacted table with deletion vectors": true,
	"maintenance: pk, tags, expire, rollback":                               true,
	"maintenance: upserts, every engine":                                    true,
}

// flinkWriteSample is the cases Flink SQL writes (create, INSERT, DELETE)
// for every engine to read.
var flinkWriteSample = map[string]bool{
	"pk, fixed bucket, updates and deletes":                          true,
	"append, unaware bucket, partitioned with null and empty values": true,
	"maintenance: upserts, every engine":                             true,
}

func flinkSampleNote(writes bool) string {
	s := fmt.Sprintf("reads floe's tables in %d cases and every streaming case", len(flinkReadSample))
	if writes {
		s += fmt.Sprintf(", writes %d cases", len(flinkWriteSample))
	}
	return s
}

func flinkReads(sh shape, j job) bool {
	if sh.stream {
		return true
	}
	if !flinkReadSample[sh.name] {
		return false
	}
	for _, e := range []*engine{j.a, j.b} {
		if e != nil && (e.name == "floe" || strings.HasPrefix(e.name, "flink")) {
			return true
		}
	}
	return false
}

// flinkWrites is the writes of a Flink engine: the sample, or none.
func flinkWrites(sample bool) func(sh shape) bool {
	return func(sh shape) bool { return sample && flinkWriteSample[sh.name] }
}
