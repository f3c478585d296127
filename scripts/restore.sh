#!/usr/bin/env bash
# Restores a folder written by `npm run backup` (README, "Backups"):
#   npm run restore -- <dir> [--force]
# Stop the bots, the workers and the Temporal server first; start them after.
# Checks manifest.json first (every file's size and sha256, every object's) and
# restores nothing from a damaged or partial backup. Then, per database,
# pg_restore --clean --if-exists --no-owner as the database's owner (created
# when missing), the dev server's SQLite file, and the MinIO objects (objects
# added since the backup are left in place).
# Scratch targets, for tests: RESTORE_DB_SUFFIX=_restore_check restores `aisha`
# into `aisha_restore_check`; RESTORE_BUCKET_PREFIX=x- restores `avatars` into
# `x-avatars`. With a suffix, the SQLite file is not restored.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
log() { printf '[restore] %s\n' "$*" >&2; }

dir="" force=0
for a in "$@"; do if [ "$a" = --force ]; then force=1; else dir="$a"; fi; done
[ -n "$dir" ] || { echo "usage: npm run restore -- <backup dir> [--force]" >&2; exit 2; }
[ -d "$dir" ] || { log "$dir is not a folder"; exit 1; }
dir="$(cd "$dir" && pwd)"

[ -f "$ROOT/.env" ] && [ -z "${DATABASE_URL:-}" ] && { set -a; source "$ROOT/.env"; set +a; }
eval "$(bash "$ROOT/scripts/services.sh" env | sed -e 's/^\([A-Z_]*\)=\(.*\)$/: "${\1:=\2}"; export \1/')"
PG_ADMIN_URL="${PG_ADMIN_URL:-postgresql://postgres@127.0.0.1:$PG_PORT/postgres}"
suffix="${RESTORE_DB_SUFFIX:-}"
[[ "$suffix" =~ ^[a-z0-9_]*$ ]] || { log "RESTORE_DB_SUFFIX may hold only a-z, 0-9 and _"; exit 2; }

log "checking $dir against its manifest"
(cd "$ROOT" && npx tsx scripts/minio-backup.ts verify "$dir")

log "the bots, the workers and the Temporal server must be stopped during a restore"
databases=$(node -e 'for (const d of require(process.argv[1]).postgres) console.log(`${d.database} ${d.owner}`)' "$dir/manifest.json")
sqlite=$(node -e 'console.log(require(process.argv[1]).temporalDevSqlite ?? "")' "$dir/manifest.json")
touches_temporal=0
if [ -z "$suffix" ]; then
  grep -qE '^temporal(_visibility)? ' <<<"$databases" && touches_temporal=1
  [ -n "$sqlite" ] && touches_temporal=1
fi
if [ "$touches_temporal" = 1 ] && (exec 3<>"/dev/tcp/${TEMPORAL_ADDRESS%:*}/${TEMPORAL_ADDRESS##*:}") 2>/dev/null; then
  if [ "$force" = 1 ]; then
    log "the Temporal frontend at $TEMPORAL_ADDRESS answers; restoring its state anyway (--force)"
  else
    log "the Temporal frontend at $TEMPORAL_ADDRESS answers: stop the Temporal server (and the bots and workers) before restoring its databases, or pass --force"
    exit 1
  fi
fi

db_url() { echo "${PG_ADMIN_URL%/*}/$1"; }
while read -r db owner; do
  [ -n "$db" ] || continue
  target="$db$suffix"
  psql "$PG_ADMIN_URL" -Atc "SELECT 1 FROM pg_roles WHERE rolname = '$owner'" | grep -q 1 || { log "role $owner (owner of $db) does not exist; create it first"; exit 1; }
  if ! psql "$PG_ADMIN_URL" -Atc "SELECT 1 FROM pg_database WHERE datname = '$target'" | grep -q 1; then
    log "CREATE DATABASE $target OWNER $owner"
    psql "$PG_ADMIN_URL" -qc "CREATE DATABASE \"$target\" OWNER \"$owner\""
  fi
  log "pg_restore $db into $target (as $owner)"
  pg_restore --clean --if-exists --no-owner --role="$owner" --exit-on-error -d "$(db_url "$target")" "$dir/postgres/$db.dump"
done <<<"$databases"

if [ -n "$sqlite" ]; then
  if [ -n "$suffix" ]; then
    log "Temporal dev-server SQLite file not restored (RESTORE_DB_SUFFIX is set)"
  else
    log "Temporal dev-server state into $DATA_DIR/temporal/temporal.db"
    mkdir -p "$DATA_DIR/temporal"
    rm -f "$DATA_DIR/temporal/temporal.db-wal" "$DATA_DIR/temporal/temporal.db-shm"
    cp "$dir/$sqlite" "$DATA_DIR/temporal/temporal.db"
  fi
fi

log "MinIO objects${RESTORE_BUCKET_PREFIX:+ into buckets prefixed $RESTORE_BUCKET_PREFIX}"
(cd "$ROOT" && npx tsx scripts/minio-backup.ts restore "$dir/minio")
log "done; start Temporal, then the workers and the bots"
