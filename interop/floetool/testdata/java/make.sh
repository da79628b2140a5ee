#!/usr/bin/env bash
# Rebuilds the Java-written tables of TestJavaWrittenTables with the interop
# Java tool (needs Java and Maven; see interop/java). Run from this folder.
set -euo pipefail
cd "$(dirname "$0")"
T=../../../java/tool.sh
for v in 1.4.2 2.0.0; do
	W=$v
	rm -rf "$W"
	for s in pk_dv pk_mor append_types pk_alter pk_fcl pk_dv_stale; do "$T" --paimon "$v" create --warehouse "$W" --spec "$s.json"; done
	"$T" --paimon "$v" write --warehouse "$W" --table db.pk_dv --data dv1.jsonl
	"$T" --paimon "$v" write --warehouse "$W" --table db.pk_dv --data dv2.jsonl
	"$T" --paimon "$v" compact --warehouse "$W" --table db.pk_dv --full
	"$T" --paimon "$v" write --warehouse "$W" --table db.pk_dv --data dv3.jsonl
	"$T" --paimon "$v" write --warehouse "$W" --table db.pk_mor --data m1.jsonl
	"$T" --paimon "$v" tag --warehouse "$W" --table db.pk_mor --name t1
	"$T" --paimon "$v" write --warehouse "$W" --table db.pk_mor --data m2.jsonl
	"$T" --paimon "$v" write --warehouse "$W" --table db.append_types --data a1.jsonl
	"$T" --paimon "$v" write --warehouse "$W" --table db.append_types --data a1.jsonl
	# A schema change between two writes: snapshot 1 reads with schema 0.
	"$T" --paimon "$v" write --warehouse "$W" --table db.pk_alter --data al1.jsonl
	"$T" --paimon "$v" alter --warehouse "$W" --table db.pk_alter --changes al_changes.json
	"$T" --paimon "$v" write --warehouse "$W" --table db.pk_alter --data al2.jsonl
	"$T" --paimon "$v" dump --warehouse "$W" --table db.pk_alter --snapshot 1 >"$W/pk_alter@1.expected.jsonl"
	# The full-compaction changelog producer: changelog files beside data.
	"$T" --paimon "$v" write --warehouse "$W" --table db.pk_fcl --data dv1.jsonl
	"$T" --paimon "$v" write --warehouse "$W" --table db.pk_fcl --data dv2.jsonl
	"$T" --paimon "$v" compact --warehouse "$W" --table db.pk_fcl --full
	# A full compaction that rewrites the only file carrying a deletion
	# vector: Paimon 1.4.2 keeps that vector in the index (apache/paimon#8778).
	"$T" --paimon "$v" write --warehouse "$W" --table db.pk_dv_stale --data st1.jsonl
	"$T" --paimon "$v" compact --warehouse "$W" --table db.pk_dv_stale --full
	"$T" --paimon "$v" write --warehouse "$W" --table db.pk_dv_stale --data st2.jsonl
	"$T" --paimon "$v" compact --warehouse "$W" --table db.pk_dv_stale --full
	for t in pk_dv pk_mor append_types pk_alter pk_fcl pk_dv_stale; do
		"$T" --paimon "$v" dump --warehouse "$W" --table "db.$t" >"$W/$t.expected.jsonl"
	done
	"$T" --paimon "$v" dump --warehouse "$W" --table db.pk_mor --tag t1 >"$W/pk_mor@t1.expected.jsonl"
done
