#!/usr/bin/env bash
# The interop tool for Java Paimon (contract: interop/README.md).
#   interop/java/tool.sh --paimon <version> <subcommand> --warehouse W ...
# Builds this Maven project once per Paimon version and source hash; the jar,
# its classpath and the Maven repository are cached under $HOME/.cache/floe.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ $# -lt 2 || "$1" != "--paimon" ]]; then
	echo "usage: $0 --paimon <version> <subcommand> ..." >&2
	exit 2
fi
version="$2"
shift 2
case "$version" in
1.4.2 | 2.0.0) ;;
*)
	echo "tool.sh: Paimon $version is not supported (1.4.2, 2.0.0)" >&2
	exit 3
	;;
esac

cache="$HOME/.cache/floe"
m2="$cache/m2"
hash="$(cd "$here" && cat pom.xml tool.sh $(find src -type f | LC_ALL=C sort) | sha256sum | cut -c1-16)"
out="$cache/interop-java/$version/$hash"

if [[ ! -f "$out/tool.jar" || ! -f "$out/classpath.txt" ]]; then
	if [[ "$version" == 2.* ]]; then
		# paimon-bundle 2.x is not on Maven Central and paimon-flink-2.0's
		# parent pom is missing: install its jar under our own coordinates.
		art=paimon-flink-2.0
		local_jar="$m2/floe/thirdparty/$art/$version/$art-$version.jar"
		if [[ ! -f "$local_jar" ]]; then
			url="https://repo1.maven.org/maven2/org/apache/paimon/$art/$version/$art-$version.jar"
			dl="$(mktemp -d "${TMPDIR:-/tmp}/floe-paimon-jar.XXXXXX")"
			curl -fsSL -o "$dl/$art.jar" "$url"
			want="$(curl -fsSL "$url.sha1" | cut -c1-40)"
			got="$(sha1sum "$dl/$art.jar" | cut -c1-40)"
			if [[ "$want" != "$got" ]]; then
				echo "tool.sh: $url: SHA-1 $got, want $want" >&2
				exit 1
			fi
			mvn -q -B -Dmaven.repo.local="$m2" org.apache.maven.plugins:maven-install-plugin:3.1.2:install-file \
				-Dfile="$dl/$art.jar" -DgroupId=floe.thirdparty -DartifactId="$art" \
				-Dversion="$version" -Dpackaging=jar -DgeneratePom=true >"$dl/mvn.log" 2>&1 ||
				{ cat "$dl/mvn.log" >&2; exit 1; }
			rm -rf "$dl"
		fi
	fi
	build="$(mktemp -d "${TMPDIR:-/tmp}/floe-interop-java.XXXXXX")"
	trap 'rm -rf "$build"' EXIT
	cp -r "$here/pom.xml" "$here/src" "$build/"
	if ! (cd "$build" && mvn -q -B -Dmaven.repo.local="$m2" -Dpaimon.version="$version" \
		-DskipTests package >"$build/mvn.log" 2>&1); then
		cat "$build/mvn.log" >&2
		echo "tool.sh: building the Java tool for Paimon $version failed" >&2
		exit 1
	fi
	mkdir -p "$out.tmp.$$"
	cp "$build/target/tool.jar" "$build/target/classpath.txt" "$out.tmp.$$/"
	# Another run may have finished the same build meanwhile: keep its copy.
	if ! mv -T "$out.tmp.$$" "$out" 2>/dev/null; then
		rm -rf "$out.tmp.$$"
	fi
	rm -rf "$build"
	trap - EXIT
fi

exec java ${FLOE_JAVA_OPTS:--Xmx1g -XX:+UseSerialGC -XX:TieredStopAtLevel=1} \
	-cp "$out/tool.jar:$(cat "$out/classpath.txt")" Tool "$@"
