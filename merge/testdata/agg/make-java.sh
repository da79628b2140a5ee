#!/usr/bin/env bash
# Regenerates java-1.4.2.tsv, Java Paimon 1.4.2's results of rbm32, rbm64,
# hll_sketch and theta_sketch over the inputs of AggVectors.java, and
# order-1.4.2.tsv, the element order of its hash-built results
# (AggOrder.java). Builds
# the interop Java tool once (interop/java/tool.sh; needs Java and Maven)
# to get Paimon's bundle jar on its classpath. Run from this folder.
set -euo pipefail
cd "$(dirname "$0")"
../../../interop/java/tool.sh --paimon 1.4.2 help >/dev/null 2>&1 || true
cp="$(cat "$HOME"/.cache/floe/interop-java/1.4.2/*/classpath.txt | head -n 1)"
java -cp "$cp" AggVectors.java >java-1.4.2.tsv
java -cp "$cp" AggOrder.java >order-1.4.2.tsv
