#!/usr/bin/env bash
# Stops the Cosmos DB test server started by .ci/start-cosmos.sh on the same port.
set -euo pipefail
port="${MULTISCOPE_COSMOS_PORT:-8081}"
state="${MULTISCOPE_COSMOS_STATE:-${TMPDIR:-/tmp}/multiscope-cosmos-$port}"
if [ -f "$state/server.pid" ] && kill "$(cat "$state/server.pid")" 2>/dev/null; then
  echo "Stopped the Cosmos DB test server (pid $(cat "$state/server.pid"))"
else
  echo "No Cosmos DB test server started from $state is running"
fi
rm -f "$state/server.pid"
