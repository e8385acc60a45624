# shellcheck shell=bash
# Sourced by backup.sh and restore.sh: turn DATABASE_URL into libpq's PG* variables.
#
# The password then travels in the environment, which only the same user and root can read,
# instead of on the command line, which every user of the machine sees in `ps`.

postops_pg_env() {
  : "${DATABASE_URL:?DATABASE_URL must name the PostgreSQL database (postgres://user:pass@host:port/name)}"
  case "$DATABASE_URL" in
    postgres://* | postgresql://*) ;;
    *) echo "DATABASE_URL is not a PostgreSQL URL; backups cover PostgreSQL only" >&2; return 2 ;;
  esac
  local exports
  exports=$(python3 - <<'PY'
import os
import shlex
from urllib.parse import parse_qs, unquote, urlsplit

url = urlsplit(os.environ["DATABASE_URL"])
values = {
    "PGHOST": unquote(url.hostname or ""),
    "PGPORT": str(url.port or ""),
    "PGUSER": unquote(url.username or ""),
    "PGPASSWORD": unquote(url.password or ""),
    "PGDATABASE": unquote(url.path.lstrip("/")),
}
for key, value in parse_qs(url.query).items():
    if key == "sslmode":
        values["PGSSLMODE"] = value[-1]
for name, value in values.items():
    if value:
        print(f"export {name}={shlex.quote(value)}")
PY
)
  eval "$exports"
  # Tools from POSTOPS_PG_BIN (e.g. /usr/lib/postgresql/16/bin) when set: pg_dump must be at
  # least as new as the server.
  # shellcheck disable=SC2034  # used by the scripts that source this file
  PG_BIN=${POSTOPS_PG_BIN:+${POSTOPS_PG_BIN%/}/}
}
