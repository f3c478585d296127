#!/usr/bin/env bash
# Backs up PostgreSQL and MinIO into one folder (README, "Backups"):
#   npm run backup [-- <dir>]        (default backups/<UTC timestamp>/)
# - pg_dump -Fc of the app's database (its name from DATABASE_URL) and of
#   Temporal's `temporal` and `temporal_visibility` when they exist;
# - the dev server's SQLite file (.data/temporal/temporal.db) by SQLite's own
#   online backup, when there is one;
# - every object of the app's buckets (scripts/minio-backup.ts);
# - manifest.json: what was taken, sizes, object counts, sha256 of every file.
# Connects as PG_ADMIN_URL (a superuser; default the local `postgres` role).
# BACKUP_DATABASES (space-separated) and BACKUP_OBJECT_PREFIX narrow a backup
# (tests); a narrowed backup says so in its manifest.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
log() { printf '[backup] %s\n' "$*" >&2; }

[ -f "$ROOT/.env" ] && [ -z "${DATABASE_URL:-}" ] && { set -a; source "$ROOT/.env"; set +a; }
eval "$(bash "$ROOT/scripts/services.sh" env | sed -e 's/^\([A-Z_]*\)=\(.*\)$/: "${\1:=\2}"; export \1/')"
PG_ADMIN_URL="${PG_ADMIN_URL:-postgresql://postgres@127.0.0.1:$PG_PORT/postgres}"

app_db="${DATABASE_URL##*/}"; app_db="${app_db%%\?*}"
out="${1:-$ROOT/backups/$(date -u +%Y%m%dT%H%M%SZ)}"
if [ -e "$out" ] && [ -n "$(ls -A "$out" 2>/dev/null)" ]; then log "$out exists and is not empty; choose another folder"; exit 1; fi
mkdir -p "$out/postgres" "$out/minio"
out="$(cd "$out" && pwd)"

db_url() { echo "${PG_ADMIN_URL%/*}/$1"; }
existing=" $(psql "$PG_ADMIN_URL" -Atc 'SELECT datname FROM pg_database' | tr '\n' ' ') "
databases="${BACKUP_DATABASES:-$app_db temporal temporal_visibility}"
pg_json=()
for db in $databases; do
  if [[ "$existing" != *" $db "* ]]; then log "database $db does not exist; skipped"; continue; fi
  owner=$(psql "$PG_ADMIN_URL" -Atc "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '$db'")
  log "pg_dump $db"
  pg_dump -Fc -f "$out/postgres/$db.dump" "$(db_url "$db")"
  pg_json+=("{\"database\":\"$db\",\"owner\":\"$owner\",\"file\":\"postgres/$db.dump\"}")
done

sqlite_json=null
sqlite_db="$DATA_DIR/temporal/temporal.db"
# A leftover SQLite file is not the state of a production server running now (services.sh's mode file).
if [ "$(cat "$RUN_DIR/temporal.mode" 2>/dev/null)" = production ]; then
  log "the production Temporal server runs (its state is in the databases above); dev-server SQLite file not taken"
elif [ -f "$sqlite_db" ]; then
  log "sqlite3 .backup $sqlite_db (the Temporal dev server's state)"
  mkdir -p "$out/temporal-dev"
  sqlite3 "$sqlite_db" ".backup '$out/temporal-dev/temporal.db'"
  sqlite_json='"temporal-dev/temporal.db"'
else
  log "no Temporal dev-server SQLite file at $sqlite_db; skipped"
fi

log "MinIO objects"
(cd "$ROOT" && npx tsx scripts/minio-backup.ts backup "$out/minio")

log "manifest.json"
pg_list=$(IFS=,; echo "[${pg_json[*]:-}]")
(cd "$ROOT" && npx tsx scripts/minio-backup.ts manifest "$out" "$pg_list" "$sqlite_json" "${BACKUP_DATABASES:+narrowed}${BACKUP_OBJECT_PREFIX:+ prefix}")
log "done: $out ($(du -sh "$out" | cut -f1))"
echo "$out"
