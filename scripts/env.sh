# Shared settings for the local-service scripts. Every port can be overridden
# from the environment; data lives under the git-ignored .data/ folder.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA_DIR="${AISHA_DATA_DIR:-$ROOT/.data}"
RUN_DIR="$DATA_DIR/run"
LOG_DIR="$DATA_DIR/logs"

PG_PORT="${PG_PORT:-54329}"
REDIS_PORT="${REDIS_PORT:-63790}"
MINIO_PORT="${MINIO_PORT:-9000}"
MINIO_CONSOLE_PORT="${MINIO_CONSOLE_PORT:-9001}"
TEMPORAL_PORT="${TEMPORAL_PORT:-7233}"
TEMPORAL_UI_PORT="${TEMPORAL_UI_PORT:-8233}"
MINIO_ROOT_USER="${MINIO_ROOT_USER:-aisha}"
MINIO_ROOT_PASSWORD="${MINIO_ROOT_PASSWORD:-aisha-dev-secret}"

# Pinned tool versions (go install builds them from the Go module proxy).
# v1.5.1 is the newest CLI tag whose go.mod has no `replace` directive.
TEMPORAL_CLI_VERSION="v1.5.1"
# MinIO publishes no semver tags (its RELEASE.* tags are refused by the module
# proxy here), so the pin is the exact commit as a Go pseudo-version: the last
# commit of the community repository, 2026-02-12 (docs/decisions.md).
MINIO_VERSION="v0.0.0-20260212201848-7aac2a2c5b7c"
# The production shape (`start --production`): the Temporal server release the
# CLI above embeds, its temporal-sql-tool, and the Web UI server the CLI embeds.
# Built into versioned folders: their binaries are all called `server`/`sql`.
TEMPORAL_SERVER_VERSION="v1.29.1"
TEMPORAL_UI_SERVER_VERSION="v2.42.1"
GOBIN_DIR="$(go env GOBIN 2>/dev/null || true)"
[ -n "$GOBIN_DIR" ] || GOBIN_DIR="$(go env GOPATH 2>/dev/null || echo "$HOME/go")/bin"
export PATH="$GOBIN_DIR:$PATH"
GOPATH_DIR="$(go env GOPATH 2>/dev/null || echo "$HOME/go")"
TEMPORAL_SERVER_DIR="$GOPATH_DIR/aisha-tools/temporal-server@$TEMPORAL_SERVER_VERSION"
TEMPORAL_UI_SERVER_DIR="$GOPATH_DIR/aisha-tools/temporal-ui-server@$TEMPORAL_UI_SERVER_VERSION"
# PostgreSQL role of the production Temporal server (databases temporal, temporal_visibility).
TEMPORAL_DB_USER="${TEMPORAL_DB_USER:-temporal}"
TEMPORAL_DB_PASSWORD="${TEMPORAL_DB_PASSWORD:-temporal}"

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  echo "${dir:-/usr/lib/postgresql/15/bin}"
}

# PostgreSQL refuses to run as root: run its tools as the `postgres` user then.
as_pg() {
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

# Colour only on a terminal: files and pipes get plain text.
if [ -t 2 ]; then
  log() { printf '\033[1m[services]\033[0m %s\n' "$*" >&2; }
else
  log() { printf '[services] %s\n' "$*" >&2; }
fi
