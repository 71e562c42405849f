#!/usr/bin/env bash
# Starts the Cosmos DB-compatible test server for the store-cosmos tests in the background, on 127.0.0.1 over HTTPS,
# and waits until it answers. Idempotent: if a server already answers on the port, it does nothing.
#
#   .ci/start-cosmos.sh            # port 8081, or MULTISCOPE_COSMOS_PORT
#   .ci/stop-cosmos.sh             # stops the server this script started
#
# The server is @vercel/cosmosdb-server (pinned in store-cosmos/src/test/cosmos-server/package-lock.json) started
# through the project's launcher.js, which fixes the handlers the Java SDK needs. Data lives in memory only.
# It uses a fresh self-signed certificate (SAN 127.0.0.1 and localhost) when openssl is available; the tests skip
# certificate validation for the loopback endpoint either way (COSMOS.EMULATOR_SERVER_CERTIFICATE_VALIDATION_DISABLED).
# Tests find the server through MULTISCOPE_COSMOS_ENDPOINT (default https://127.0.0.1:8081).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
server_dir="$root/store-cosmos/src/test/cosmos-server"
port="${MULTISCOPE_COSMOS_PORT:-8081}"
state="${MULTISCOPE_COSMOS_STATE:-${TMPDIR:-/tmp}/multiscope-cosmos-$port}"
endpoint="https://127.0.0.1:$port/"

answers() {
  curl -sk --max-time 2 -o /dev/null "$endpoint"
}

if answers; then
  echo "Cosmos DB test server already answers at $endpoint"
  exit 0
fi

command -v node >/dev/null || { echo "node is required (Node 20 or newer)" >&2; exit 1; }

# Install the pinned packages when missing or older than the lock file.
if [ ! -f "$server_dir/node_modules/.package-lock.json" ] \
    || [ "$server_dir/package-lock.json" -nt "$server_dir/node_modules/.package-lock.json" ]; then
  echo "Installing the Cosmos DB test server (npm ci)..."
  (cd "$server_dir" && npm ci --no-audit --no-fund --loglevel=error)
fi

mkdir -p "$state"
tls_args=()
if command -v openssl >/dev/null; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 7 -subj "/CN=localhost" \
      -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
      -keyout "$state/key.pem" -out "$state/cert.pem" >/dev/null 2>&1
  tls_args=(--cert "$state/cert.pem" --key "$state/key.pem")
fi

nohup node "$server_dir/launcher.js" --port "$port" --host 127.0.0.1 "${tls_args[@]}" \
    >"$state/server.log" 2>&1 &
echo $! >"$state/server.pid"

for _ in $(seq 1 100); do
  if answers; then
    echo "Cosmos DB test server answers at $endpoint (pid $(cat "$state/server.pid"), log $state/server.log)"
    exit 0
  fi
  if ! kill -0 "$(cat "$state/server.pid")" 2>/dev/null; then
    echo "Cosmos DB test server exited; its log:" >&2
    cat "$state/server.log" >&2
    exit 1
  fi
  sleep 0.2
done
echo "Cosmos DB test server did not answer at $endpoint within 20 s; log: $state/server.log" >&2
exit 1
