#!/usr/bin/env bash
# A throwaway PostgreSQL cluster tuned for the items benchmarks (bulk loading, then reads).
#   DBURL=$(bench/pg-bench.sh start /tmp/pg-bench)   ...   bench/pg-bench.sh stop /tmp/pg-bench
# Starts scripts/pg-throwaway.sh (loopback, fsync/synchronous_commit/full_page_writes off:
# throwaway data only), then sets the values below with ALTER SYSTEM and restarts. Memory
# figures assume a machine with ~24 GB shared with other work; adjust for yours.
set -euo pipefail
cmd=${1:?start|stop}; dir=${2:?data directory}
here=$(cd "$(dirname "$0")/.." && pwd)

case "$cmd" in
  start)
    url=$("$here/scripts/pg-throwaway.sh" start "$dir")
    port=$(cat "$dir/port")
    psql_() { psql -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"; }
    # Why each one: shared_buffers holds the 10M-event table and its indexes (~4 GB) hot;
    # maintenance_work_mem speeds up index builds after the load; max_wal_size and
    # checkpoint_timeout keep checkpoints out of the load; wal_level=minimal writes no WAL
    # for tables created or truncated in the loading transaction and for index builds;
    # jit off: JIT compilation costs more than it saves on short OLTP queries.
    psql_ <<'SQL' >/dev/null
ALTER SYSTEM SET shared_buffers = '4GB';
ALTER SYSTEM SET effective_cache_size = '12GB';
ALTER SYSTEM SET maintenance_work_mem = '1GB';
ALTER SYSTEM SET work_mem = '64MB';
ALTER SYSTEM SET max_wal_size = '16GB';
ALTER SYSTEM SET checkpoint_timeout = '30min';
ALTER SYSTEM SET wal_level = 'minimal';
ALTER SYSTEM SET max_wal_senders = 0;
ALTER SYSTEM SET jit = off;
SQL
    bin=$(dirname "$(ls -d /usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null | sort -V | tail -n1)")
    command -v pg_ctl >/dev/null 2>&1 && bin=$(dirname "$(readlink -f "$(command -v pg_ctl)")")
    if [ "$(id -u)" = 0 ]; then
      runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 120 restart -m fast >/dev/null
    else
      "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 120 restart -m fast >/dev/null
    fi
    psql_ -c "CREATE DATABASE postops" >/dev/null
    echo "$url"
    ;;
  stop)
    "$here/scripts/pg-throwaway.sh" stop "$dir"
    ;;
esac
