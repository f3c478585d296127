#!/bin/sh
# Creates Temporal's two PostgreSQL databases if missing and brings their schemas
# to the version this server release ships (temporal-sql-tool). Idempotent: run it
# before every server start, and after upgrading the server (README "Production",
# "Upgrades"): `update-schema` applies only the versions not yet applied.
# Used by scripts/services.sh and by docker-compose.yml (temporalio/admin-tools);
# POSIX sh, for that image.
#   TEMPORAL_DB_HOST TEMPORAL_DB_PORT TEMPORAL_DB_USER TEMPORAL_DB_PASSWORD
#   TEMPORAL_DB_NAME (temporal) TEMPORAL_VISIBILITY_DB_NAME (temporal_visibility)
#   TEMPORAL_SCHEMA_DIR: the server release's schema/ folder
#   TEMPORAL_SQL_TOOL: temporal-sql-tool (or the path of a build of it)
set -eu
tool="${TEMPORAL_SQL_TOOL:-temporal-sql-tool}"
schema="${TEMPORAL_SCHEMA_DIR:?set TEMPORAL_SCHEMA_DIR (the server release schema/ folder)}/postgresql/v12"
export SQL_PLUGIN=postgres12 SQL_HOST="${TEMPORAL_DB_HOST:-127.0.0.1}" SQL_PORT="${TEMPORAL_DB_PORT:-5432}"
export SQL_USER="${TEMPORAL_DB_USER:?set TEMPORAL_DB_USER}" SQL_PASSWORD="${TEMPORAL_DB_PASSWORD:?set TEMPORAL_DB_PASSWORD}"

setup() { # database, schema subfolder
  db=$1 dir="$schema/$2/versioned"
  [ -d "$dir" ] || { echo "no schema at $dir" >&2; exit 1; }
  # create-database fails when the database exists; that is the only failure it may have here.
  "$tool" --db "$db" create-database >/dev/null 2>&1 || true
  # Version 0.0 is the empty schema with its bookkeeping tables; skipped once they exist.
  "$tool" --db "$db" setup-schema -v 0.0 >/dev/null 2>&1 || true
  "$tool" --db "$db" update-schema -d "$dir"
}
setup "${TEMPORAL_DB_NAME:-temporal}" temporal
setup "${TEMPORAL_VISIBILITY_DB_NAME:-temporal_visibility}" visibility
