#!/usr/bin/env bash
# Rebuilds the Java-written tables of TestBranchJavaTables with the interop
# Java tool (needs Java and Maven; see interop/README.md and README.md here).
# Run from this folder.
set -euo pipefail
cd "$(dirname "$0")"
T=../../../interop/java/tool.sh
export TZ=UTC
for v in 1.4.2 2.0.0; do
	W=$v
	rm -rf "$W"
	j() { "$T" --paimon "$v" "$@" --warehouse "$W"; }
	# db.t: main, a branch from a tag written to, and a fallback branch.
	j create --spec t.json
	j write --table db.t --data main.1.jsonl                       # main snapshot 1
	j write --table db.t --data main.2.jsonl                       # main snapshot 2
	j tag --table db.t --name t2
	j branch --table db.t --action create --name b1 --tag t2       # b1 starts at snapshot 2
	j write --table 'db.t$branch_b1' --data b1.jsonl               # b1 snapshot 3
	j write --table 'db.t$branch_b1' --data b1.2.jsonl             # b1 snapshot 4 (a -D)
	j tag --table 'db.t$branch_b1' --name b1t4
	j write --table db.t --data main.3.jsonl                       # main snapshot 3
	j branch --table db.t --action create --name fb                # empty
	j alter --table 'db.t$branch_fb' --changes fb-bucket.json     # fb: 2 buckets
	j write --table 'db.t$branch_fb' --data fb.jsonl               # fb snapshot 1
	j alter --table db.t --changes fallback.json                   # main: scan.fallback-branch=fb
	j dump --table db.t >"$W/t.dump.jsonl"                         # Java's fallback read
	j dump --table 'db.t$branch_b1' >"$W/b1.dump.jsonl"
	j dump --table 'db.t$branch_b1' --snapshot 3 >"$W/b1.s3.dump.jsonl"
	j dump --table 'db.t$branch_b1' --tag t2 >"$W/b1.t2.dump.jsonl"
	j dump --table 'db.t$branch_fb' >"$W/fb.dump.jsonl"
	j branch --table db.t --action list >"$W/t.branches.txt"
	# db.ff: a branch from a tag, fast-forwarded; ff_before is the table
	# before the fast-forward (a copy of its directory).
	j create --spec ff.json
	j write --table db.ff --data ff.1.jsonl                        # snapshot 1
	j write --table db.ff --data ff.2.jsonl                        # snapshot 2
	j tag --table db.ff --name t1 --snapshot 1
	j tag --table db.ff --name t2
	j branch --table db.ff --action create --name dev --tag t2
	j write --table db.ff --data ff.main.jsonl                     # main snapshot 3: replaced
	j alter --table db.ff --changes add-w.json                     # main schema 1: replaced
	j alter --table 'db.ff$branch_dev' --changes add-w.json        # dev schema 1
	j write --table 'db.ff$branch_dev' --data ff.dev.jsonl         # dev snapshot 3
	j tag --table 'db.ff$branch_dev' --name d3
	cp -r "$W/db.db/ff" "$W/db.db/ff_before"
	j branch --table db.ff --action fast-forward --name dev
	j dump --table db.ff >"$W/ff.dump.jsonl"
done
