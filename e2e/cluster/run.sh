#!/usr/bin/env bash
# Three imsbridge replicas on one PostgreSQL database behind HAProxy, with the emulator as IMS.
# Needs the binary built first (cargo build -p imsbridge; IMSBRIDGE_BIN overrides its path),
# node, haproxy and psql, and PostgreSQL at TEST_POSTGRES_URL (the leg is skipped without it).
# It makes a database of its own and drops it at the end, stops every process it started, and
# uses loopback ports chosen free.
#
#   e2e/cluster/run.sh            the checks
#   e2e/cluster/run.sh --bench    the figures for 1, 2 and 3 replicas
set -euo pipefail
cd "$(dirname "$0")"
REPO="$(cd ../.. && pwd)"
export IMSBRIDGE_BIN="${IMSBRIDGE_BIN:-$REPO/target/debug/imsbridge}"

if [ -z "${TEST_POSTGRES_URL:-}" ]; then
  echo "cluster leg skipped: TEST_POSTGRES_URL is not set (it needs PostgreSQL)"
  exit 0
fi
for tool in node haproxy psql; do
  command -v "$tool" >/dev/null || { echo "cluster leg: $tool is not installed (.ci/run installs haproxy)" >&2; exit 1; }
done
[ -x "$IMSBRIDGE_BIN" ] || { echo "cluster leg: $IMSBRIDGE_BIN is missing; run cargo build -p imsbridge" >&2; exit 1; }

work="$(mktemp -d -t imsbridge-cluster-XXXXXX)"
db="imsbridge_cluster_$$_$(date +%s)"
base="${TEST_POSTGRES_URL%/*}"
export CLUSTER_WORK="$work" CLUSTER_PIDS="$work/pids" CLUSTER_DB_NAME="$db"
export CLUSTER_ADMIN_URL="$TEST_POSTGRES_URL" CLUSTER_DB_URL="$base/$db"
: >"$CLUSTER_PIDS"

cleanup() {
  local status=$?
  # Every process the driver started, by its id.
  while read -r pid; do
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
  done <"$CLUSTER_PIDS"
  psql "$TEST_POSTGRES_URL" -qAtc "ALTER DATABASE \"$db\" ALLOW_CONNECTIONS true" >/dev/null 2>&1 || true
  psql "$TEST_POSTGRES_URL" -qAtc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null || status=1
  if [ "$status" -ne 0 ]; then
    for f in "$work"/*.log; do [ -f "$f" ] && { echo "--- $f (last 30 lines)"; tail -n 30 "$f"; }; done
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT INT TERM

psql "$TEST_POSTGRES_URL" -qAtc "CREATE DATABASE \"$db\"" >/dev/null
node cluster.mjs "$@"
