#!/usr/bin/env bash
# Start a throwaway PostgreSQL cluster on loopback and print its DATABASE_URL.
#   scripts/pg-throwaway.sh start DIR   -> prints postgres://... ; scripts/pg-throwaway.sh stop DIR
# Uses initdb/pg_ctl from PATH or /usr/lib/postgresql/*/bin; installs Debian's postgresql when
# none is found (CI). initdb refuses to run as root, so as root the cluster runs as 'postgres'.
set -euo pipefail
cmd=${1:?start|stop}; dir=${2:?data directory}

find_bin() {
  if command -v pg_ctl >/dev/null 2>&1; then dirname "$(readlink -f "$(command -v pg_ctl)")"; return; fi
  local d; d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
  if [ -z "$d" ] && [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    d=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
  fi
  [ -n "$d" ] || { echo "PostgreSQL server binaries not found; install postgresql" >&2; exit 1; }
  echo "$d"
}
BIN=$(find_bin)
run_as() {
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home /nonexistent --shell /usr/sbin/nologin postgres
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

case "$cmd" in
  start)
    port=${PGTEST_PORT:-$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')}
    rm -rf "$dir"; mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && { id postgres >/dev/null 2>&1 || useradd --system --home /nonexistent --shell /usr/sbin/nologin postgres; chown postgres "$dir"; }
    run_as "$BIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; exit 1; }
    # Throwaway data: durability off makes the suite faster; never do this with real data.
    run_as "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null \
      || { cat "$dir/server.log" >&2; exit 1; }
    echo "$port" > "$dir/port"
    echo "postgres://postgres@127.0.0.1:$port/postops"
    ;;
  stop)
    [ -d "$dir/data" ] && run_as "$BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
esac
