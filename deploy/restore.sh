#!/usr/bin/env bash
# Restore a PostOps backup (deploy/backup.sh) into a NEW database, then verify it.
#
#   DATABASE_URL=postgres://... deploy/restore.sh /var/backups/postops/postops-....dump postops_restored
#
# DATABASE_URL gives the server and the credentials (a role allowed to CREATE DATABASE); the
# database it names is left alone. The target database must not exist yet: a restore never
# overwrites data. When the check passes, point DATABASE_URL at the new database and restart
# the services (deploy/README.md, "Restore").
#
# Environment: DATABASE_URL (required), POSTOPS_PG_BIN (directory of the PostgreSQL client
# tools, default from PATH), POSTOPS_PG_MAINTENANCE_DB (database to connect to for CREATE
# DATABASE, default "postgres").
#
# Verification: the checksum (when the .sha256 file is there) and the archive's table of
# contents are checked before anything is created; after the restore, every table listed in the
# archive must exist, and the row count of each table is printed ("table<TAB>rows") so it can
# be compared with the source.
set -euo pipefail
umask 077
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=deploy/pg-env.sh
. "$here/pg-env.sh"

dump=${1:?usage: restore.sh DUMP_FILE NEW_DATABASE}
target=${2:?usage: restore.sh DUMP_FILE NEW_DATABASE}
[[ "$target" =~ ^[a-z_][a-z0-9_]{0,62}$ ]] || {
  echo "database name must be lower-case letters, digits and _ (got '$target')" >&2; exit 2; }
[ -r "$dump" ] || { echo "cannot read $dump" >&2; exit 2; }
postops_pg_env

if [ -f "$dump.sha256" ]; then
  (cd "$(dirname "$dump")" && sha256sum --check --quiet "$(basename "$dump").sha256") \
    || { echo "checksum mismatch: $dump" >&2; exit 1; }
fi
toc=$(mktemp)
trap 'rm -f "$toc"' EXIT
"${PG_BIN}pg_restore" --list "$dump" >"$toc" || { echo "not a readable pg_dump archive: $dump" >&2; exit 1; }

psql_admin() {
  "${PG_BIN}psql" --no-psqlrc --quiet --tuples-only --no-align -v ON_ERROR_STOP=1 \
    --dbname="${POSTOPS_PG_MAINTENANCE_DB:-postgres}" "$@"
}
exists=$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$target'")
[ -z "$exists" ] || { echo "database $target already exists; restore into a new one" >&2; exit 1; }
psql_admin -c "CREATE DATABASE \"$target\" TEMPLATE template0 ENCODING 'UTF8'"

# One transaction: a failed restore leaves an empty database, never a half-filled one. Objects
# belong to the restoring role (--no-owner), so the dump restores under another role name too.
if ! "${PG_BIN}pg_restore" --dbname="$target" --no-owner --no-privileges --exit-on-error \
  --single-transaction "$dump"; then
  echo "restore failed; database $target is left empty for inspection (drop it when done)" >&2
  exit 1
fi

psql_target() {
  "${PG_BIN}psql" --no-psqlrc --quiet --tuples-only --no-align -v ON_ERROR_STOP=1 \
    --field-separator=$'\t' --dbname="$target" "$@"
}
"${PG_BIN}psql" --no-psqlrc --quiet -v ON_ERROR_STOP=1 --dbname="$target" -c "ANALYZE"

# Every table of the archive must be there ...
missing=0
while read -r schema table; do
  found=$(psql_target -c "SELECT 1 FROM pg_tables WHERE schemaname = '$schema' AND tablename = '$table'")
  [ -n "$found" ] || { echo "missing table after restore: $schema.$table" >&2; missing=1; }
done < <(awk '$4 == "TABLE" && $5 != "DATA" {print $5, $6}' "$toc")
[ "$missing" = 0 ] || exit 1

# ... and these are its exact row counts.
psql_target -c "
  SELECT format('%I.%I', schemaname, tablename),
         (xpath('/row/n/text()', query_to_xml(
            format('SELECT count(*) AS n FROM %I.%I', schemaname, tablename), false, true, '')))[1]::text
  FROM pg_tables
  WHERE schemaname NOT IN ('pg_catalog', 'information_schema')
  ORDER BY 1"
echo "restored $dump into database $target: verified" >&2
