#!/usr/bin/env bash
# Starts Quorum on a fresh demo foundation, generates the typed client and its manifest of
# trusted documents from the live schema, type-checks it strictly, registers the manifest with
# `quorum documents push`, and runs the flows against the server with trusted documents
# required. CI runs this; so can you.
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd ../.. && pwd)
port="${PORT:-18081}"

(cd "$root" && cargo build -q -p api)
bin="$root/target/debug/quorum"
work=$(mktemp -d)
export DATABASE_URL="sqlite://$work/demo.db" QUORUM_SIGNING_KEY_FILE="$work/key.pem" QUORUM_ADDR="127.0.0.1:$port"
server=
trap 'if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi; rm -rf "$work"' EXIT
serve() {
  "$bin" serve >> "$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 60); do
    curl -sf "http://127.0.0.1:$port/ready" > /dev/null && return
    sleep 0.5
  done
  echo "the server did not start" >&2
  exit 1
}
"$bin" demo-data > "$work/demo.log" 2>&1

export QUORUM_URL="http://127.0.0.1:$port/graphql"
npm ci --no-audit --no-fund --silent

# The build: codegen reads the schema from the live server (introspection is a raw query, so
# this server still takes them), then the strict type-check.
serve
npm run -s codegen
npm run -s typecheck
kill "$server"
wait "$server" 2>/dev/null || true
server=

# The deploy: the build's manifest is registered for the client, and production runs with
# trusted documents required: any operation not in a pushed manifest is refused.
"$bin" documents push --client web-client src/gql/persisted-documents.json
QUORUM_TRUSTED_DOCUMENTS=require serve
npm run -s flows
