#!/usr/bin/env bash
# Rebuilds the Java-written tables of TestJavaStreams with the interop Java
# tool (needs Java and Maven; see interop/README.md), one per changelog
# producer and merge engine. Run from this folder. Every table gets the same
# steps: writes 1, 2 and 3, a full compaction, write 4. Java's streaming read
# from snapshot 1 up to the latest (Tool stream) is the expected output.
# Tables whose engine takes no retractions (partial-update, first-row,
# append) get the inserts.*.jsonl rows, the others kinds.*.jsonl.
set -euo pipefail
cd "$(dirname "$0")"
T=../../../java/tool.sh
export TZ=UTC
TABLES="none none_b2 input lookup lookup_pu lookup_agg lookup_first fcl append"
for v in 1.4.2 2.0.0; do
	W=$v
	rm -rf "$W"
	run() { "$T" --paimon "$v" "$1" --warehouse "$W" --table "db.$2" "${@:3}"; }
	for t in $TABLES; do
		rows=kinds
		case $t in lookup_pu | lookup_first | append) rows=inserts ;; esac
		"$T" --paimon "$v" create --warehouse "$W" --spec "$t.json"
		for n in 1 2 3; do run write "$t" --data "$rows.$n.jsonl"; done
		run compact "$t" --full
		run write "$t" --data "$rows.4.jsonl"
		run stream "$t" >"$W/$t.stream.jsonl"
	done
done
