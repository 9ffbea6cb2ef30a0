#!/usr/bin/env bash
# Starts Quorum on a fresh demo foundation, generates the typed client from the live schema,
# type-checks it strictly and runs the flows. CI runs this; so can you.
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd ../.. && pwd)
port="${PORT:-18081}"

(cd "$root" && cargo build -q -p api)
bin="$root/target/debug/quorum"
work=$(mktemp -d)
export DATABASE_URL="sqlite://$work/demo.db" QUORUM_SIGNING_KEY_FILE="$work/key.pem" QUORUM_ADDR="127.0.0.1:$port"
"$bin" demo-data > "$work/demo.log" 2>&1
"$bin" serve > "$work/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 60); do
  curl -sf "http://127.0.0.1:$port/ready" > /dev/null && break
  sleep 0.5
done

export QUORUM_URL="http://127.0.0.1:$port/graphql"
npm ci --no-audit --no-fund --silent
npm run -s codegen
npm run -s typecheck
npm run -s flows
