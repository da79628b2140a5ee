#!/usr/bin/env bash
# Regenerates Java Paimon's results for floe's automatic tag and partition
# time tests with the interop Java tool (needs Java and Maven; see
# interop/README.md): autotag.java-<version> from ./autotag-java-cases.
# Run from anywhere.
set -euo pipefail
cd "$(dirname "$0")"
T=../../interop/java/tool.sh
for v in 1.4.2 2.0.0; do
	"$T" --paimon "$v" autotag --file autotag-java-cases >"autotag.java-$v"
done
