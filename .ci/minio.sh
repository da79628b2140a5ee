#!/usr/bin/env bash
# Start a throwaway MinIO on 127.0.0.1 for floe's S3 tests.
#
#   source .ci/minio.sh                          # MinIO runs until this shell exits
#   .ci/minio.sh go test ./storage/... # run one command against MinIO
#   .ci/minio.sh                                 # run in the foreground until Ctrl-C
#
# It builds MinIO at a pinned version into $HOME/.cache/floe/minio-bin when
# the binary is missing, starts it on a free port with a temporary data dir
# and fixed credentials, waits until it is live, creates the bucket
# "floe-test" and exports:
#
#   FLOE_S3_URL=s3://floe-test/floe?endpoint=http://127.0.0.1:PORT&use_path_style=true&region=us-east-1
#   AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION
#
# When sourced it installs an EXIT trap (replacing any existing one) that
# stops MinIO and removes its data; floe_minio_stop does the same on demand.

FLOE_MINIO_VERSION="${FLOE_MINIO_VERSION:-v0.0.0-20260212201848-7aac2a2c5b7c}"
FLOE_MINIO_BIN_DIR="${FLOE_MINIO_BIN_DIR:-$HOME/.cache/floe/minio-bin}"
FLOE_MINIO_BUCKET="${FLOE_MINIO_BUCKET:-floe-test}"

floe_minio_log() { echo "minio.sh: $*" >&2; }

floe_minio_build() {
	local bin="$FLOE_MINIO_BIN_DIR/minio"
	if [ -x "$bin" ]; then
		return 0
	fi
	floe_minio_log "building MinIO $FLOE_MINIO_VERSION into $FLOE_MINIO_BIN_DIR (takes a few minutes)"
	mkdir -p "$FLOE_MINIO_BIN_DIR" || return 1
	local tmp
	tmp="$(mktemp -d)" || return 1
	# Outside the repository, so floe's go.mod is not involved.
	(cd "$tmp" && GOFLAGS=-mod=mod GOBIN="$FLOE_MINIO_BIN_DIR" \
		go install "github.com/minio/minio@$FLOE_MINIO_VERSION")
	local rc=$?
	rm -rf "$tmp"
	if [ $rc -ne 0 ] || [ ! -x "$bin" ]; then
		floe_minio_log "building MinIO failed"
		return 1
	fi
}

# floe_minio_port prints a TCP port on 127.0.0.1 that nothing listens on.
floe_minio_port() {
	local p i
	for i in $(seq 1 200); do
		p=$((20000 + RANDOM % 40000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

floe_minio_stop() {
	if [ -n "${FLOE_MINIO_PID:-}" ]; then
		kill "$FLOE_MINIO_PID" 2>/dev/null
		wait "$FLOE_MINIO_PID" 2>/dev/null
		unset FLOE_MINIO_PID
	fi
	if [ -n "${FLOE_MINIO_DIR:-}" ]; then
		rm -rf "$FLOE_MINIO_DIR"
		unset FLOE_MINIO_DIR
	fi
}

floe_minio_start() {
	floe_minio_build || return 1
	local port cport
	port="$(floe_minio_port)" || { floe_minio_log "no free port"; return 1; }
	cport="$(floe_minio_port)" || { floe_minio_log "no free port"; return 1; }
	FLOE_MINIO_DIR="$(mktemp -d "${TMPDIR:-/tmp}/floe-minio.XXXXXX")" || return 1
	mkdir -p "$FLOE_MINIO_DIR/data"

	export AWS_ACCESS_KEY_ID=floeminio
	export AWS_SECRET_ACCESS_KEY=floeminio-secret
	export AWS_REGION=us-east-1
	export AWS_EC2_METADATA_DISABLED=true

	MINIO_ROOT_USER="$AWS_ACCESS_KEY_ID" MINIO_ROOT_PASSWORD="$AWS_SECRET_ACCESS_KEY" \
		MINIO_BROWSER=off MINIO_UPDATE=off \
		"$FLOE_MINIO_BIN_DIR/minio" server --quiet \
		--address "127.0.0.1:$port" --console-address "127.0.0.1:$cport" \
		"$FLOE_MINIO_DIR/data" >"$FLOE_MINIO_DIR/minio.log" 2>&1 &
	FLOE_MINIO_PID=$!

	local endpoint="http://127.0.0.1:$port" i
	for i in $(seq 1 120); do
		if curl -fsS -o /dev/null "$endpoint/minio/health/live" 2>/dev/null; then
			break
		fi
		if ! kill -0 "$FLOE_MINIO_PID" 2>/dev/null; then
			floe_minio_log "MinIO exited; log follows"
			cat "$FLOE_MINIO_DIR/minio.log" >&2
			unset FLOE_MINIO_PID
			floe_minio_stop
			return 1
		fi
		sleep 0.5
	done
	if ! curl -fsS -o /dev/null "$endpoint/minio/health/live"; then
		floe_minio_log "MinIO did not become live on $endpoint"
		floe_minio_stop
		return 1
	fi
	# Create the bucket with a SigV4-signed PUT (no mc needed).
	if ! curl -fsS -X PUT --aws-sigv4 "aws:amz:$AWS_REGION:s3" \
		--user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
		"$endpoint/$FLOE_MINIO_BUCKET" -o /dev/null; then
		floe_minio_log "creating bucket $FLOE_MINIO_BUCKET failed"
		floe_minio_stop
		return 1
	fi
	export FLOE_S3_URL="s3://$FLOE_MINIO_BUCKET/floe?endpoint=$endpoint&use_path_style=true&region=$AWS_REGION"
	export FLOE_MINIO_PID FLOE_MINIO_DIR
	floe_minio_log "MinIO pid $FLOE_MINIO_PID on $endpoint; FLOE_S3_URL=$FLOE_S3_URL"
}

if [ "${BASH_SOURCE[0]}" != "$0" ]; then
	# Sourced: leave MinIO running for the caller's shell.
	floe_minio_start && trap floe_minio_stop EXIT
else
	set -u
	trap floe_minio_stop EXIT
	trap 'exit 130' INT TERM
	floe_minio_start || exit 1
	if [ $# -gt 0 ]; then
		"$@"
		exit $?
	fi
	floe_minio_log "press Ctrl-C to stop"
	wait "$FLOE_MINIO_PID"
fi
