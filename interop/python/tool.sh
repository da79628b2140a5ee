#!/usr/bin/env bash
# The interop tool (interop/README.md) for pypaimon, Spark SQL and Flink SQL:
#   tool.sh pypaimon <subcommand> …
#   tool.sh spark --paimon VERSION <subcommand> …
#   tool.sh flink --paimon VERSION <subcommand> …
# Installs what it needs under $HOME/.cache/floe on first use: the venv
# pyenv (pinned pypaimon, pyarrow, and pyspark for the Spark engine), the
# venv flinkenv (PyFlink, which bundles Flink, in its own venv because its
# pins differ), and from Maven Central the paimon-spark and paimon-flink
# connector jars and the Hadoop client jars Paimon's Flink catalog loads.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${FLOE_CACHE:-$HOME/.cache/floe}
venv=$cache/pyenv
export PIP_CACHE_DIR=$cache/pip PIP_DISABLE_PIP_VERSION_CHECK=1

PYPAIMON_VERSION=2.1.0
PYARROW_VERSION=19.0.1
PYSPARK_VERSION=3.5.6
FLINK_VERSION=2.0.2
FLINK_BINARY=2.0
HADOOP_VERSION=3.3.6
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

# fetch URL FILE downloads URL into FILE unless FILE is there, checking the
# SHA-1 Maven Central publishes beside it; fails when URL is missing.
fetch() {
	local url=$1 f=$2 want got
	[ -s "$f" ] && return 0
	curl -sfL -o "$f.part" "$url" || { rm -f "$f.part"; return 1; }
	want=$(curl -sfL "$url.sha1" | cut -c1-40) || { rm -f "$f.part"; return 1; }
	got=$(sha1sum "$f.part" | cut -c1-40)
	if [ "$want" != "$got" ]; then
		rm -f "$f.part"
		die "$url: SHA-1 $got, want $want"
	fi
	mv "$f.part" "$f"
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
flink)
	[ "${2:-}" = --paimon ] && [ -n "${3:-}" ] || die "usage: tool.sh flink --paimon VERSION <subcommand> …"
	version=$3
	jars=$cache/jars
	mkdir -p "$jars"
	a=paimon-flink-$FLINK_BINARY
	jar=$jars/$a-$version.jar
	if ! fetch "$MAVEN/org/apache/paimon/$a/$version/$a-$version.jar" "$jar"; then
		echo "unavailable: no $a connector jar for Paimon $version on $MAVEN" \
			"(PyFlink $FLINK_VERSION needs the Flink $FLINK_BINARY connector)" >&2
		exit 4
	fi
	hadoop=
	for h in hadoop-client-api hadoop-client-runtime; do
		f=$jars/$h-$HADOOP_VERSION.jar
		fetch "$MAVEN/org/apache/hadoop/$h/$HADOOP_VERSION/$h-$HADOOP_VERSION.jar" "$f" ||
			die "cannot download $h $HADOOP_VERSION from $MAVEN"
		hadoop=$hadoop${hadoop:+:}$f
	done
	venv=$cache/flinkenv
	ensure "apache-flink==$FLINK_VERSION"
	export FLOE_PAIMON_FLINK_JAR=$jar HADOOP_CLASSPATH=$hadoop
	# PyFlink's gateway JVM: quiet logs on stderr, none under the venv.
	export LOG4J_PROPERTIES=$here/flink-log4j.properties FLINK_LOG_DIR=${TMPDIR:-/tmp}
	export JVM_ARGS="${FLOE_FLINK_JVM_ARGS:--Xmx1g -XX:+UseSerialGC -Duser.timezone=UTC}"
	;;
*)
	die "usage: tool.sh pypaimon|spark|flink … (see interop/README.md)"
	;;
esac
exec "$venv/bin/python" "$here/tool.py" "$@"
