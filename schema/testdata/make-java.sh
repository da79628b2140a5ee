#!/usr/bin/env bash
# Regenerates Java Paimon's results for floe's cast tests with the interop
# Java tool (needs Java and Maven; see interop/README.md): cast.java-<v> for
# the cases of ./cast and cast-rules.java for the pairs of ./cast-types.
# Run from this folder.
set -euo pipefail
cd "$(dirname "$0")"
T=../../interop/java/tool.sh
for v in 1.4.2 2.0.0; do
	"$T" --paimon "$v" cast --file cast >"cast.java-$v"
	"$T" --paimon "$v" castrules --types cast-types >"cast-rules.java-$v"
done
# The rules are the same in both releases; keep one copy.
cmp cast-rules.java-1.4.2 cast-rules.java-2.0.0
mv cast-rules.java-1.4.2 cast-rules.java
rm cast-rules.java-2.0.0
