#!/usr/bin/env bash
# Back up the PostOps PostgreSQL database: one pg_dump archive (custom format), verified, with
# a SHA-256 checksum beside it; archives older than the retention period are deleted.
#
#   DATABASE_URL=postgres://... deploy/backup.sh          prints the path of the new archive
#
# Environment (docs/configuration.md, section "Backups"):
#   DATABASE_URL              the database to dump (required)
#   POSTOPS_BACKUP_DIR        where archives go (default /var/backups/postops)
#   POSTOPS_BACKUP_KEEP_DAYS  delete archives older than this many days (default 14)
#   POSTOPS_PG_BIN            directory of pg_dump/pg_restore (default: from PATH)
#
# Why these choices: the custom format is compressed, restores selectively and in parallel;
# pg_dump takes a consistent snapshot while the application keeps running. Records must be kept
# for years (Circular 17/2017/TT-BTTTT: electronic records at least 5 years), so copy archives off
# this machine too (deploy/README.md); retention here only bounds the local disk.
set -euo pipefail
umask 077
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=deploy/pg-env.sh
. "$here/pg-env.sh"
postops_pg_env

dir=${POSTOPS_BACKUP_DIR:-/var/backups/postops}
keep=${POSTOPS_BACKUP_KEEP_DAYS:-14}
case "$keep" in '' | *[!0-9]*) echo "POSTOPS_BACKUP_KEEP_DAYS must be a whole number" >&2; exit 2 ;; esac
mkdir -p "$dir"

# One backup at a time (a slow dump must not overlap the next timer run).
exec 9>"$dir/.backup.lock"
flock -n 9 || { echo "another backup is running in $dir" >&2; exit 1; }

name="postops-$(date -u +%Y%m%dT%H%M%SZ).dump"
partial="$dir/.$name.partial"
trap 'rm -f "$partial" "$partial.toc"' EXIT

"${PG_BIN}pg_dump" --format=custom --compress=6 --file="$partial"

# Verify before keeping it: the archive must read back and hold table data.
"${PG_BIN}pg_restore" --list "$partial" >"$partial.toc"
grep -q " TABLE DATA " "$partial.toc" || { echo "backup has no table data: $partial" >&2; exit 1; }

mv "$partial" "$dir/$name"
(cd "$dir" && sha256sum "$name" >"$name.sha256")

# Retention: only our own archive names, never the one just written.
find "$dir" -maxdepth 1 -type f \( -name 'postops-*.dump' -o -name 'postops-*.dump.sha256' \) \
  -mtime +"$keep" ! -name "$name" ! -name "$name.sha256" -print -delete >&2

echo "$dir/$name"
