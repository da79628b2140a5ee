#!/usr/bin/env bash
# Rebuilds the Java-written tables of TestJavaCastTables with the interop
# Java tool (needs Java and Maven; see interop/README.md). Run from this
# folder. Each table is written, ALTERed with updateColumnType, written
# again, ...; Java's dumps of every snapshot (time travel reads with the
# snapshot's schema) and of the latest schema are the expected output.
set -euo pipefail
cd "$(dirname "$0")"
T=../../../java/tool.sh
for v in 1.4.2 2.0.0; do
	W=$v
	rm -rf "$W"
	for s in casts casts_pk bad_int dec_overflow; do "$T" --paimon "$v" create --warehouse "$W" --spec "$s.json"; done
	run() { "$T" --paimon "$v" "$1" --warehouse "$W" --table "db.$2" "${@:3}"; }
	# casts: three ALTERs between four writes' worth of snapshots; the
	# last ALTER has no write after it, so only the latest read sees it.
	run write casts --data casts1.jsonl
	run alter casts --changes casts_alter1.json
	run write casts --data casts2.jsonl
	run alter casts --changes casts_alter2.json
	run write casts --data casts3.jsonl
	run alter casts --changes casts_alter3.json
	# casts_pk: merge-on-read across an ALTER (id 1 updated after it).
	run write casts_pk --data pk1.jsonl
	run alter casts_pk --changes pk_alter1.json
	run write casts_pk --data pk2.jsonl
	run alter casts_pk --changes pk_alter2.json
	# bad_int: "abc" read as INT; Java's read fails.
	run write bad_int --data bad1.jsonl
	run alter bad_int --changes bad_alter.json
	# dec_overflow: 12345.67 read as DECIMAL(5, 2): the cast gives null,
	# which Java's CastedRow reports as not null, so Java's dump fails.
	run write dec_overflow --data dec1.jsonl
	run alter dec_overflow --changes dec_alter.json
	for n in 1 2 3; do run dump casts --snapshot "$n" >"$W/casts@$n.expected.jsonl"; done
	run dump casts >"$W/casts.expected.jsonl"
	for n in 1 2; do run dump casts_pk --snapshot "$n" >"$W/casts_pk@$n.expected.jsonl"; done
	run dump casts_pk >"$W/casts_pk.expected.jsonl"
	for t in bad_int dec_overflow; do
		if run dump "$t" >/dev/null 2>"$W/$t.stderr"; then
			echo "make.sh: Java read $t without an error" >&2
			exit 1
		fi
		head -1 "$W/$t.stderr" >"$W/$t.expected-error"
		rm "$W/$t.stderr"
	done
done
