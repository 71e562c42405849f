#!/usr/bin/env bash
# Starts a private MariaDB server for the store-jdbc tests and creates the database they use.
#
#   .ci/start-mariadb.sh            # then: MULTISCOPE_REQUIRE_SERVICES=true ./mvnw -B verify
#
# The server listens on 127.0.0.1:${MULTISCOPE_MARIADB_PORT:-3306}, user root without a password, database
# `multiscope` (the tests' default URL: jdbc:mariadb://127.0.0.1:3306/multiscope?user=root). Its files live in a
# private directory under the temp dir (MULTISCOPE_MARIADB_DIR to choose another), never in the system's datadir,
# and it reads no system configuration (--no-defaults). Running the script again while the server is up only makes
# sure the database exists. Stop it with: kill "$(cat "$MULTISCOPE_MARIADB_DIR/mariadbd.pid")".
set -euo pipefail

port="${MULTISCOPE_MARIADB_PORT:-3306}"
base="${MULTISCOPE_MARIADB_DIR:-${TMPDIR:-/tmp}/multiscope-mariadb}"
datadir="$base/data"
socket="$base/mariadbd.sock"
pidfile="$base/mariadbd.pid"
log="$base/mariadbd.log"

sql() {
  mariadb --no-defaults --protocol=socket --socket="$socket" --user=root --batch --skip-column-names "$@"
}

accepting() {
  sql --connect-timeout=1 -e 'SELECT 1' >/dev/null 2>&1
}

create_database() {
  # The tests connect over TCP as root@127.0.0.1 without a password.
  sql <<'SQL'
CREATE DATABASE IF NOT EXISTS multiscope CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
CREATE USER IF NOT EXISTS 'root'@'127.0.0.1';
GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
SQL
}

if [ -S "$socket" ] && accepting; then
  create_database
  echo "MariaDB already running on 127.0.0.1:$port (files in $base)"
  exit 0
fi

if ! command -v mariadbd >/dev/null 2>&1; then
  echo "Installing mariadb-server from the distribution's packages..."
  export DEBIAN_FRONTEND=noninteractive
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends mariadb-server mariadb-client >/dev/null
fi

mkdir -p "$base"
if [ ! -d "$datadir/mysql" ]; then
  rm -rf "$datadir"
  mariadb-install-db --no-defaults --user="$(id -un)" --datadir="$datadir" \
    --auth-root-authentication-method=normal --skip-test-db >"$base/install-db.log" 2>&1 \
    || { cat "$base/install-db.log" >&2; exit 1; }
fi

if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "Port $port on 127.0.0.1 is taken by another process; set MULTISCOPE_MARIADB_PORT to a free port" >&2
  exit 1
fi

# --user=root lets the server run as root (CI containers); it keeps everything in $base.
nohup mariadbd --no-defaults --user="$(id -un)" --datadir="$datadir" --socket="$socket" --pid-file="$pidfile" \
  --bind-address=127.0.0.1 --port="$port" --skip-name-resolve --log-error="$log" \
  --character-set-server=utf8mb4 --collation-server=utf8mb4_bin --max-connections=300 \
  --innodb-buffer-pool-size=256M --innodb-flush-log-at-trx-commit=2 \
  >/dev/null 2>&1 &

for _ in $(seq 1 300); do
  if accepting; then
    create_database
    echo "MariaDB running on 127.0.0.1:$port (files in $base)"
    exit 0
  fi
  if ! kill -0 $! 2>/dev/null; then
    echo "mariadbd exited; its log:" >&2
    tail -n 40 "$log" >&2 || true
    exit 1
  fi
  sleep 0.1
done
echo "MariaDB did not accept connections within 30 s; see $log" >&2
exit 1
