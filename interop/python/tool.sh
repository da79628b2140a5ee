#!/usr/bin/env bash
# The interop tool (interop/README.md) for pypaimon and Spark SQL:
#   tool.sh pypaimon <subcommand> …
#   tool.sh spark --paimon VERSION <subcommand> …
# Installs what it needs under $HOME/.cache/floe on first use: the venv
# pyenv (pinned pypaimon, pyarrow, and pyspark for the Spark engine) and the
# paimon-spark connector jar from Maven Central.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${FLOE_CACHE:-$HOME/.cache/floe}
venv=$cache/pyenv
export PIP_CACHE_DIR=$cache/pip PIP_DISABLE_PIP_VERSION_CHECK=1

PYPAIMON_VERSION=2.1.0
PYARROW_VERSION=19.0.1
PYSPARK_VERSION=3.5.6
SCALA_BINARY=2.12
MAVEN=${FLOE_MAVEN:-https://repo1.maven.org/maven2}

die() { echo "tool.sh: $*" >&2; exit "${2:-1}"; }

# ensure NAME==VERSION… installs the pinned packages into the venv unless a
# stamp says they already are.
ensure() {
	local want="$*" stamp=$venv/.floe-$1
	if [ ! -x "$venv/bin/python" ]; then
		python3 -m venv "$venv" >&2 || die "cannot create the venv $venv"
	fi
	if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
		"$venv/bin/pip" install -q "$@" >&2 || die "pip install $want failed"
		echo "$want" >"$stamp"
	fi
}

engine=${1:-}
case "$engine" in
pypaimon)
	ensure "pypaimon==$PYPAIMON_VERSION" "pyarrow==$PYARROW_VERSION"
	;;
spark)
	[ "${2:-}" = --paimon ] && [ -n "${3:-}" ] || die "usage: tool.sh spark --paimon VERSION <subcommand> …"
	version=$3
	jars=$cache/jars
	mkdir -p "$jars"
	jar=
	# Paimon names the Spark 3.5 connector paimon-spark-3.5_<scala> from
	# 1.x on (paimon-spark-3.5 before).
	for a in "paimon-spark-3.5_$SCALA_BINARY" paimon-spark-3.5; do
		f=$jars/$a-$version.jar
		if [ -s "$f" ]; then jar=$f; break; fi
		if curl -sfL -o "$f.part" "$MAVEN/org/apache/paimon/$a/$version/$a-$version.jar"; then
			mv "$f.part" "$f"
			jar=$f
			break
		fi
		rm -f "$f.part"
	done
	if [ -z "$jar" ]; then
		echo "unavailable: no paimon-spark-3.5 connector jar for Paimon $version on $MAVEN" \
			"(tried paimon-spark-3.5_$SCALA_BINARY and paimon-spark-3.5)" >&2
		exit 4
	fi
	# Install Spark only once the connector is known to exist.
	ensure "pypaimon==$PYPAIMON_VERSION" "pyarrow==$PYARROW_VERSION"
	ensure "pyspark==$PYSPARK_VERSION"
	export FLOE_PAIMON_SPARK_JAR=$jar
	# Spark binds its driver to loopback only.
	export SPARK_LOCAL_IP=127.0.0.1 SPARK_LOCAL_HOSTNAME=localhost
	;;
*)
	die "usage: tool.sh pypaimon|spark … (see interop/README.md)"
	;;
esac
exec "$venv/bin/python" "$here/tool.py" "$@"
