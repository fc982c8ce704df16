#!/bin/bash
# A throwaway PostgreSQL cluster for the tests (issue 14): Debian's postgresql-15 server binaries,
# initdb into a fresh folder under /tmp (as the postgres user via runuser when run as root, since
# PostgreSQL refuses to run as root), started with pg_ctl on 127.0.0.1 and the given port.
# Nothing is assumed running and nothing outside the folder is touched.
#
#   pg_test_cluster.sh start STATE PORT   init + start; STATE/dsn then holds the connection URI,
#                                         STATE/pid the postmaster's PID, STATE/data the cluster
#   pg_test_cluster.sh restart STATE      stop (fast) and start again on the same port
#   pg_test_cluster.sh halt STATE         immediate shutdown (as a crash), the cluster kept
#   pg_test_cluster.sh resume STATE       start a halted cluster again on its port
#   pg_test_cluster.sh stop STATE         stop it (fast shutdown) and delete the folder
#   pg_test_cluster.sh ensure STATE       start on a free port unless STATE holds a live cluster
#                                         (the ctest fixture that every test process shares)
#
# STATE is where the cluster lives (a folder the postgres user can reach: under /tmp).
#
# TW_PG_DURABLE=1 (start, restart, resume, ensure): keep PostgreSQL's durable defaults (fsync,
# synchronous_commit, full_page_writes on), as in production — for benchmarks (bench/ha_load.cpp),
# where a commit's cost includes its WAL flush. Without it the cluster skips them: faster tests.
set -euo pipefail

command=${1:?usage: pg_test_cluster.sh start|restart|stop|ensure STATE [PORT]}
state=${2:?state folder missing}
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "pg_test_cluster: PostgreSQL server binaries not found; install them with: apt-get install postgresql" >&2
  exit 1
fi

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_server() {
  local port=$1
  # fsync off: a test cluster never outlives a crash; max_connections: several replicas' pools.
  local durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  [ "${TW_PG_DURABLE:-0}" = 1 ] && durability=""
  as_postgres "$bindir/pg_ctl" -D "$state/data" -l "$state/server.log" -w -t 60 -o \
    "-p $port -k $state -c listen_addresses=127.0.0.1 $durability -c max_connections=300" \
    start >/dev/null
  head -1 "$state/data/postmaster.pid" >"$state/pid"
  echo "$port" >"$state/port"
  echo "postgresql://postgres@127.0.0.1:$port/postgres" >"$state/dsn"
}

case $command in
  start)
    port=${3:?port missing}
    rm -rf "$state"
    mkdir -p "$state"
    chmod 0777 "$state"
    [ "$(id -u)" = 0 ] && chown postgres: "$state"
    as_postgres "$bindir/initdb" -D "$state/data" -A trust -U postgres -E UTF8 --no-sync \
      >"$state/initdb.log" 2>&1 || { cat "$state/initdb.log" >&2; exit 1; }
    start_server "$port"
    ;;
  restart)
    as_postgres "$bindir/pg_ctl" -D "$state/data" -m fast -w -t 60 stop >/dev/null
    start_server "$(cat "$state/port")"
    ;;
  halt)
    as_postgres "$bindir/pg_ctl" -D "$state/data" -m immediate -w -t 60 stop >/dev/null
    ;;
  resume)
    start_server "$(cat "$state/port")"
    ;;
  stop)
    if [ -f "$state/data/postmaster.pid" ]; then
      as_postgres "$bindir/pg_ctl" -D "$state/data" -m immediate -w -t 60 stop >/dev/null || true
    fi
    rm -rf "$state"
    ;;
  ensure)
    if [ -f "$state/pid" ] && kill -0 "$(cat "$state/pid")" 2>/dev/null; then exit 0; fi
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    exec "$0" start "$state" "$port"
    ;;
  *)
    echo "pg_test_cluster: unknown command $command" >&2
    exit 2
    ;;
esac
