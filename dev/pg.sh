#!/usr/bin/env bash
# Starts (or stops) a local PostgreSQL server for CI, benchmarks and the real-server test run:
# a project-local cluster in .pg/ owned by the postgres user (initdb refuses root), loopback only,
# port 54329, fsync off (test data), password auth for the app role, and the Neon WebSocket proxy on 54330.
set -euo pipefail
cd "$(dirname "$0")/.."
PGPORT=${PGPORT:-54329}
PROXY_PORT=${PROXY_PORT:-54330}
# outside the checkout: the postgres user must be able to reach it, whatever the clone folder's mode
DIR="${PG_DIR:-/tmp/medloop-pg}"
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$BIN" ] || { echo "PostgreSQL is not installed: apt-get install -y postgresql" >&2; exit 1; }
as_pg() { runuser -u postgres -- "$@"; }

case "${1:-start}" in
  start)
    if [ ! -f "$DIR/data/PG_VERSION" ]; then
      rm -rf "$DIR"; mkdir -p "$DIR/data" "$DIR/sock"; chmod 755 "$DIR"; chown -R postgres:postgres "$DIR"; chmod 700 "$DIR/data"
      echo "medloop" > "$DIR/pw"; chown postgres "$DIR/pw"
      as_pg "$BIN/initdb" -D "$DIR/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
      cat >> "$DIR/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PGPORT
unix_socket_directories = '$DIR/sock'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 300
shared_buffers = 512MB
work_mem = 64MB
maintenance_work_mem = 512MB
# bulk loads and benchmarks write GBs of WAL: checkpoints by time, not every few seconds (each one a latency stall)
max_wal_size = 8GB
checkpoint_timeout = 30min
CONF
    fi
    if ! as_pg "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
      as_pg "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w start >/dev/null
    fi
    as_pg psql -h "$DIR/sock" -p "$PGPORT" -U postgres -tAc "select 1 from pg_roles where rolname='medloop'" | grep -q 1 ||
      as_pg psql -h "$DIR/sock" -p "$PGPORT" -U postgres -qc "create role medloop login createdb password 'medloop'; grant pg_signal_backend to medloop"
    as_pg psql -h "$DIR/sock" -p "$PGPORT" -U postgres -tAc "select 1 from pg_database where datname='medloop'" | grep -q 1 ||
      as_pg psql -h "$DIR/sock" -p "$PGPORT" -U postgres -qc "create database medloop owner medloop"
    # the proxy answers a plain HTTP request with 426 ("websocket only"): anything else on the port is not ours
    is_proxy() {
      local status
      status=$(timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$PROXY_PORT && printf 'GET / HTTP/1.0\r\n\r\n' >&3 && head -c 12 <&3" 2>/dev/null)
      [ "$status" = "HTTP/1.1 426" ]
    }
    if ! is_proxy; then
      if (exec 3<>/dev/tcp/127.0.0.1/$PROXY_PORT) 2>/dev/null; then
        echo "port $PROXY_PORT is taken by something that is not the Neon WebSocket proxy" >&2; exit 1
      fi
      # its own session: a signal to the shell that started it (a CI step, a terminal) must not take it down
      setsid nohup node --import tsx "$PWD/dev/neon-ws-proxy.ts" "$PROXY_PORT" > "$DIR/proxy.log" 2>&1 < /dev/null &
      echo $! > "$DIR/proxy.pid"
      for _ in $(seq 1 300); do is_proxy && break; sleep 0.2; done
      is_proxy || { echo "the Neon WebSocket proxy did not start on $PROXY_PORT:" >&2; cat "$DIR/proxy.log" >&2; exit 1; }
    fi
    echo "DATABASE_URL=postgres://medloop:medloop@127.0.0.1:$PGPORT/medloop"
    echo "NEON_WS_PROXY=127.0.0.1:$PROXY_PORT"
    ;;
  stop)
    [ -f "$DIR/proxy.pid" ] && kill "$(cat "$DIR/proxy.pid")" 2>/dev/null || true
    rm -f "$DIR/proxy.pid"
    as_pg "$BIN/pg_ctl" -D "$DIR/data" -m fast stop >/dev/null 2>&1 || true
    ;;
  *) echo "usage: dev/pg.sh start|stop" >&2; exit 2 ;;
esac
