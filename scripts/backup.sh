#!/usr/bin/env bash
# Back up the PostgreSQL database (pg_dump custom format, compressed, consistent snapshot) and the uploaded
# files (MEDIA_ROOT and the private files of applications) into one directory.
#
#   scripts/backup.sh [DEST_DIR]        default: var/backups/<UTC timestamp>
#
# Reads DATABASE_URL (postgres://user:pass@host:port/db), MEDIA_ROOT (default ./media) and PROJECTS_PRIVATE_ROOT
# (default ./var/private) from the environment. Prints the directory it wrote. Restore with scripts/restore.sh.
# Safe while the site runs: pg_dump reads one transaction snapshot; files are copied after the dump, so a file
# uploaded during the backup may be present without its row (harmless) but never the reverse.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
: "${DATABASE_URL:?DATABASE_URL must point at the PostgreSQL database to back up}"
case "$DATABASE_URL" in postgres://*|postgresql://*) ;; *) echo "backup.sh: DATABASE_URL is not PostgreSQL" >&2; exit 2 ;; esac
DEST="${1:-$ROOT/var/backups/$(date -u +%Y%m%dT%H%M%SZ)}"
MEDIA="${MEDIA_ROOT:-$ROOT/media}"
PRIVATE="${PROJECTS_PRIVATE_ROOT:-$ROOT/var/private}"
mkdir -p "$DEST"
chmod 700 "$DEST"   # the dump holds personal data (docs/personal-data.md)

# --format=custom: compressed, restorable table by table, in parallel (pg_restore -j).
pg_dump --dbname="$DATABASE_URL" --format=custom --no-owner --no-privileges --file="$DEST/database.dump"
for dir in "$MEDIA" "$PRIVATE"; do
  name="$(basename "$dir")"
  if [ -d "$dir" ]; then tar -C "$(dirname "$dir")" -czf "$DEST/$name.tar.gz" "$name"; fi
done
(cd "$DEST" && sha256sum ./* > SHA256SUMS)
echo "$DEST"
