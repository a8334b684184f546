#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 server for tests and prints the connection
# string. Usage: eval "$(bash scripts/start-postgres.sh)"; stop with pg_ctl -D "$PGTEST_DIR" stop.
set -euo pipefail
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
if [ ! -x "$PGBIN/initdb" ]; then
  echo "PostgreSQL 15 server binaries not found in $PGBIN" >&2
  exit 1
fi
dir=$(mktemp -d /tmp/gitops-pg.XXXXXX)
port=$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
id postgres >/dev/null 2>&1 || [ "$(id -u)" != 0 ] || useradd --system --no-create-home postgres
run() { if [ "$(id -u)" = 0 ]; then chown -R postgres "$dir"; su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
run "'$PGBIN/initdb' -D '$dir/data' -U postgres --auth=trust -E UTF8 >'$dir/initdb.log' 2>&1"
run "'$PGBIN/pg_ctl' -D '$dir/data' -l '$dir/server.log' -o \"-p $port -k '$dir' -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200\" -w start >/dev/null"
echo "export PGTEST_DIR='$dir/data'"
echo "export BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING='postgresql://postgres@127.0.0.1:$port'"
echo "export BACKSTAGE_TEST_DISABLE_DOCKER=1"
