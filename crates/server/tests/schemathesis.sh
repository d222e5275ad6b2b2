#!/usr/bin/env bash
# Property-based run over the OpenAPI document: schemathesis generates requests for every
# route (valid and invalid) and fails on any 5xx or a response that breaks the schema's
# status codes. Starts its own server (examples/schemathesis_server.rs: temporary SQLite,
# the IMS emulator, an admin API token) on a free loopback port.
#
# Usage: crates/server/tests/schemathesis.sh [max-examples per operation, default 40]
set -euo pipefail
cd "$(dirname "$0")/../../.."

MAX_EXAMPLES="${1:-40}"
VENV="${SCHEMATHESIS_VENV:-target/schemathesis-venv}"
SCHEMATHESIS_VERSION="4.32.5"

if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

cargo build --quiet -p imsbridge-server --example schemathesis_server

WORK="$(mktemp -d)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
RUST_LOG="${RUST_LOG:-warn}" target/debug/examples/schemathesis_server "$PORT" "$WORK/token" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
cleanup() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

for _ in $(seq 1 300); do
  [ -s "$WORK/token" ] && break
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    cat "$WORK/server.log"
    echo "the schemathesis server did not start" >&2
    exit 1
  fi
  sleep 0.2
done
TOKEN="$(cat "$WORK/token")"
BASE="http://127.0.0.1:$PORT"

"$VENV/bin/schemathesis" run "$BASE/api/openapi.json" \
  --url "$BASE" \
  --header "Authorization: Bearer $TOKEN" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --max-examples "$MAX_EXAMPLES" \
  --seed 1 \
  --no-color

if grep -q "request failed on the server side" "$WORK/server.log"; then
  grep "request failed on the server side" "$WORK/server.log" >&2
  echo "the server logged a 5xx cause" >&2
  exit 1
fi
