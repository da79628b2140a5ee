#!/usr/bin/env bash
# Rebuilds the Java-written partial-update and aggregation tables of
# TestJavaMergeTables with the interop Java tool (needs Java and Maven; see
# interop/README.md). Run from this folder. Every table gets the same steps:
# writes 1, 2 and 3 (three level-0 files whose keys meet), a full compaction
# (snapshot 4), write 4 (a level-0 file over the compacted run). Java's dumps
# of snapshot 3 (merge of uncompacted files), snapshot 4 (Java's compaction
# output) and the latest snapshot are the expected output.
set -euo pipefail
cd "$(dirname "$0")"
T=../../../java/tool.sh
export TZ=UTC
TABLES="pu pu_ignore_delete pu_remove_delete pu_seq pu_seq2 agg agg_retract agg_remove_delete agg_seq agg_complex agg_complex_retract agg_rbm64"
for v in 1.4.2 2.0.0; do
	W=$v
	rm -rf "$W"
	run() { "$T" --paimon "$v" "$1" --warehouse "$W" --table "db.$2" "${@:3}"; }
	for t in $TABLES; do
		"$T" --paimon "$v" create --warehouse "$W" --spec "$t.json"
		for n in 1 2 3; do run write "$t" --data "$t.$n.jsonl"; done
		run compact "$t" --full
		run write "$t" --data "$t.4.jsonl"
		n=$(ls "$W/db.db/$t/snapshot" | grep -c '^snapshot-')
		if [[ $n != 5 ]]; then
			echo "make.sh: $t has $n snapshots, want 5 (3 writes, a compaction, a write)" >&2
			exit 1
		fi
		for s in 3 4; do run dump "$t" --snapshot "$s" >"$W/$t@$s.expected.jsonl"; done
		run dump "$t" >"$W/$t.expected.jsonl"
	done
done
