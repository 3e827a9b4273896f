#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into the database DATABASE_URL points at (and the files).
#
#   scripts/restore.sh BACKUP_DIR [--no-files]
#
# The target database must exist (it may be empty or hold an older copy: objects are dropped and recreated).
# Stop the app servers and task workers first, restore, run `manage.py migrate` (a backup from an older
# release), then start them again. Checks SHA256SUMS before touching anything.
set -euo pipefail

SRC="${1:?usage: restore.sh BACKUP_DIR [--no-files]}"
FILES=1
[ "${2:-}" = "--no-files" ] && FILES=0
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
: "${DATABASE_URL:?DATABASE_URL must point at the PostgreSQL database to restore into}"
case "$DATABASE_URL" in postgres://*|postgresql://*) ;; *) echo "restore.sh: DATABASE_URL is not PostgreSQL" >&2; exit 2 ;; esac
(cd "$SRC" && sha256sum --quiet -c SHA256SUMS)

pg_restore --dbname="$DATABASE_URL" --clean --if-exists --no-owner --no-privileges --exit-on-error \
  --jobs="${RESTORE_JOBS:-2}" "$SRC/database.dump"

if [ "$FILES" = "1" ]; then
  MEDIA="${MEDIA_ROOT:-$ROOT/media}"
  PRIVATE="${PROJECTS_PRIVATE_ROOT:-$ROOT/var/private}"
  for dir in "$MEDIA" "$PRIVATE"; do
    archive="$SRC/$(basename "$dir").tar.gz"
    if [ -f "$archive" ]; then mkdir -p "$(dirname "$dir")" && tar -C "$(dirname "$dir")" -xzf "$archive"; fi
  done
fi
echo "restored $SRC into ${DATABASE_URL##*@}"
