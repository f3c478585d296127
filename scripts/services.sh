#!/usr/bin/env bash
# Local services for Aisha, no Docker: PostgreSQL, Redis, MinIO, the Temporal
# dev server (with Web UI) and ffmpeg.
#   npm run services -- install | start [service…] | stop [service…] | status | env [database] | wipe redis
# With --production (install, start), Temporal is the production shape instead of
# the dev server, at the same address: the Temporal server release on PostgreSQL
# (databases temporal and temporal_visibility, persistence and SQL visibility)
# from deploy/temporal/, and the Web UI server (README, "Production").
# `start` installs what is missing first and is harmless to run twice;
# `stop` stops only what `start` started (pid files under .data/run); `stop temporal`
# then `start temporal` restarts the same kind of server (dev or production).
# Long-running services start in sessions of their own (setsid; PostgreSQL's
# pg_ctl and Redis's daemonize do the same), so Ctrl-C in the terminal that
# started them (the demo's, or a test run's) leaves them running.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

apt_install() {
  local missing=()
  [ -x "$(pg_bin)/initdb" ] || missing+=(postgresql)
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v ffmpeg >/dev/null || missing+=(ffmpeg)
  command -v chromium >/dev/null || missing+=(chromium) # the web chat's browser test
  [ -f /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || missing+=(fonts-noto-color-emoji) # emoji in its screenshots
  command -v unzip >/dev/null || missing+=(unzip)
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx) # the production shape's proxy
  [ ${#missing[@]} -eq 0 ] && return 0
  log "apt-get install ${missing[*]}"
  local sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

go_install() { # [services…]
  local want="${*:-temporal minio}"
  if [[ " $want " == *" temporal "* ]] && ! command -v temporal >/dev/null; then
    log "go install temporal CLI $TEMPORAL_CLI_VERSION (a cold build takes several minutes)"
    GOTOOLCHAIN=local go install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION"
  fi
  if [[ " $want " == *" minio "* ]] && ! command -v minio >/dev/null; then
    log "go install minio $MINIO_VERSION (a cold build takes several minutes)"
    GOTOOLCHAIN=local go install "github.com/minio/minio@$MINIO_VERSION"
  fi
}

# The production Temporal server, temporal-sql-tool and the Web UI server, each in
# a folder of its own version (their binaries are all named `server`/`sql`).
go_install_production() {
  if [ ! -x "$TEMPORAL_SERVER_DIR/server" ] || [ ! -x "$TEMPORAL_SERVER_DIR/sql" ]; then
    log "go install Temporal server + temporal-sql-tool $TEMPORAL_SERVER_VERSION (a cold build takes several minutes)"
    GOTOOLCHAIN=local GOBIN="$TEMPORAL_SERVER_DIR" go install \
      "go.temporal.io/server/cmd/server@$TEMPORAL_SERVER_VERSION" "go.temporal.io/server/cmd/tools/sql@$TEMPORAL_SERVER_VERSION"
  fi
  if [ ! -x "$TEMPORAL_UI_SERVER_DIR/server" ]; then
    log "go install Temporal UI server $TEMPORAL_UI_SERVER_VERSION"
    GOTOOLCHAIN=local GOBIN="$TEMPORAL_UI_SERVER_DIR" go install "github.com/temporalio/ui-server/v2/cmd/server@$TEMPORAL_UI_SERVER_VERSION"
  fi
  # The PostgreSQL schemas ship inside the server's module.
  [ -d "$(temporal_schema_dir)" ] || GOTOOLCHAIN=local go mod download "go.temporal.io/server@$TEMPORAL_SERVER_VERSION"
}
temporal_schema_dir() { echo "$(go env GOMODCACHE)/go.temporal.io/server@$TEMPORAL_SERVER_VERSION/schema"; }

cmd_install() {
  apt_install; go_install
  [ "$PRODUCTION" = 1 ] && go_install_production
  log "installed: $(temporal --version | head -n 1); $(minio --version | head -n 1)"
}

pid_alive() { [ -f "$RUN_DIR/$1.pid" ] && kill -0 "$(cat "$RUN_DIR/$1.pid")" 2>/dev/null; }

wait_for() { # name, tries, command...
  local name=$1 tries=$2; shift 2
  for _ in $(seq "$tries"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
  log "$name did not come up; see $LOG_DIR/$name.log"; tail -n 20 "$LOG_DIR/$name.log" >&2 || true
  return 1
}

pg_ready() { "$(pg_bin)/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; }
redis_ready() { [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]; }
# curl -fs: a check that fails is an answer, not an error line on the screen.
minio_ready() { curl -fs -o /dev/null "http://127.0.0.1:$MINIO_PORT/minio/health/live"; }
temporal_ready() { temporal operator cluster health --address "127.0.0.1:$TEMPORAL_PORT" 2>/dev/null | grep -q SERVING; }
ui_ready() { curl -fs -o /dev/null "http://127.0.0.1:$TEMPORAL_UI_PORT/"; }

# PostgreSQL's own files (data, socket, log) must be reachable by the user it runs as. As root that
# is `postgres`, which cannot enter a checkout inside a private folder (`mktemp -d` makes 0700
# folders): then they live in /var/tmp/aisha-postgres-<hash of the data folder> instead.
pg_paths() {
  PG_DATA="$DATA_DIR/postgres" PG_SOCK="$RUN_DIR/pg" PG_LOG="$LOG_DIR/postgres.log"
  if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$DATA_DIR" 2>/dev/null; then
    local home; home="/var/tmp/aisha-postgres-$(printf '%s' "$DATA_DIR" | sha256sum | cut -c1-12)"
    PG_DATA="$home/data" PG_SOCK="$home/run" PG_LOG="$home/postgres.log"
    mkdir -p "$home" && chown postgres:postgres "$home"
  fi
}

start_postgres() {
  if pg_ready; then return 0; fi
  pg_paths
  mkdir -p "$PG_DATA" "$PG_SOCK"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$PG_DATA" "$PG_SOCK" && chmod 700 "$PG_DATA"
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    log "initdb $PG_DATA"
    as_pg "$(pg_bin)/initdb" -D "$PG_DATA" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$LOG_DIR/postgres-initdb.log"
  fi
  touch "$PG_LOG"; [ "$(id -u)" = 0 ] && chown postgres "$PG_LOG"
  as_pg "$(pg_bin)/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 \
    -o "-p $PG_PORT -k $PG_SOCK -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off" start >/dev/null
  head -n 1 "$PG_DATA/postmaster.pid" >"$RUN_DIR/postgres.pid"
  wait_for postgres 60 pg_ready
  local psql=("$(pg_bin)/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qtA)
  "${psql[@]}" -c "SELECT 1 FROM pg_roles WHERE rolname='aisha'" | grep -q 1 ||
    "${psql[@]}" -c "CREATE ROLE aisha LOGIN CREATEDB PASSWORD 'aisha'"
  for db in aisha aisha_test; do
    "${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1 ||
      "${psql[@]}" -c "CREATE DATABASE $db OWNER aisha"
  done
}

start_redis() {
  if redis_ready; then return 0; fi
  mkdir -p "$DATA_DIR/redis"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$DATA_DIR/redis" --appendonly yes \
    --daemonize yes --pidfile "$RUN_DIR/redis.pid" --logfile "$LOG_DIR/redis.log"
  wait_for redis 40 redis_ready
}

start_minio() {
  if minio_ready; then return 0; fi
  mkdir -p "$DATA_DIR/minio"
  MINIO_ROOT_USER="$MINIO_ROOT_USER" MINIO_ROOT_PASSWORD="$MINIO_ROOT_PASSWORD" MINIO_BROWSER=on \
    setsid minio server "$DATA_DIR/minio" --quiet --address "127.0.0.1:$MINIO_PORT" \
    --console-address "127.0.0.1:$MINIO_CONSOLE_PORT" </dev/null >"$LOG_DIR/minio.log" 2>&1 &
  echo $! >"$RUN_DIR/minio.pid"
  wait_for minio 120 minio_ready
}

temporal_mode() { cat "$RUN_DIR/temporal.mode" 2>/dev/null || echo dev; }

start_temporal() {
  local want=dev
  # A server stopped on its own (`stop temporal`) comes back as the kind it was.
  if [ "$PRODUCTION" = 1 ] || [ "$(temporal_mode)" = production ]; then want=production; fi
  # Whatever Temporal already answers serves a plain `start` (the tests, the demo);
  # only an explicit --production refuses to run on the dev server.
  if temporal_ready; then
    if [ "$want" = production ] && [ "$(temporal_mode)" != production ]; then
      log "Temporal runs as the dev server; stop it first (npm run services -- stop)"; return 1
    fi
    return 0
  fi
  if [ "$want" = production ]; then start_temporal_production; return; fi
  mkdir -p "$DATA_DIR/temporal"
  setsid temporal server start-dev --db-filename "$DATA_DIR/temporal/temporal.db" --ip 127.0.0.1 \
    --port "$TEMPORAL_PORT" --ui-port "$TEMPORAL_UI_PORT" --log-level warn \
    --sqlite-pragma journal_mode=WAL --sqlite-pragma synchronous=NORMAL \
    --search-attribute UserId=Keyword --search-attribute JobKind=Keyword --search-attribute JobStatus=Keyword \
    --dynamic-config-value matching.numTaskqueueReadPartitions=1 --dynamic-config-value matching.numTaskqueueWritePartitions=1 \
    </dev/null >"$LOG_DIR/temporal.log" 2>&1 &
  echo $! >"$RUN_DIR/temporal.pid"; echo dev >"$RUN_DIR/temporal.mode"
  wait_for temporal 120 temporal_ready
  wait_for temporal-ui 60 ui_ready
  # Attributes on the command line only apply when the namespace is created.
  local existing
  existing=$(temporal operator search-attribute list --address "127.0.0.1:$TEMPORAL_PORT" -o json 2>/dev/null || true)
  for attr in UserId JobKind JobStatus; do
    grep -q "\"$attr\"" <<<"$existing" ||
      temporal operator search-attribute create --address "127.0.0.1:$TEMPORAL_PORT" --name "$attr" --type Keyword >/dev/null
  done
}

# Temporal's own environment for deploy/temporal/ (the same names docker-compose.yml sets).
temporal_production_env() {
  export TEMPORAL_DB_HOST=127.0.0.1 TEMPORAL_DB_PORT="$PG_PORT" TEMPORAL_DB_USER TEMPORAL_DB_PASSWORD \
    TEMPORAL_BIND_IP=127.0.0.1 TEMPORAL_PORT TEMPORAL_METRICS_PORT="${TEMPORAL_METRICS_PORT:-8000}" \
    TEMPORAL_DYNAMIC_CONFIG_FILE="$ROOT/deploy/temporal/dynamicconfig/production.yaml" \
    TEMPORAL_SCHEMA_DIR="$(temporal_schema_dir)" TEMPORAL_SQL_TOOL="$TEMPORAL_SERVER_DIR/sql" \
    TEMPORAL_ADDRESS="127.0.0.1:$TEMPORAL_PORT" TEMPORAL_UI_PORT
}

start_temporal_production() {
  go_install_production
  local psql=("$(pg_bin)/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qtA)
  "${psql[@]}" -c "SELECT 1 FROM pg_roles WHERE rolname='$TEMPORAL_DB_USER'" | grep -q 1 ||
    "${psql[@]}" -c "CREATE ROLE $TEMPORAL_DB_USER LOGIN CREATEDB PASSWORD '$TEMPORAL_DB_PASSWORD'"
  (
    temporal_production_env
    log "Temporal schemas (temporal-sql-tool $TEMPORAL_SERVER_VERSION)"
    sh "$ROOT/deploy/temporal/setup-schema.sh" >"$LOG_DIR/temporal-schema.log" 2>&1 ||
      { tail -n 20 "$LOG_DIR/temporal-schema.log" >&2; exit 1; }
    setsid "$TEMPORAL_SERVER_DIR/server" --root "$ROOT/deploy/temporal" --config config --env production \
      --allow-no-auth start </dev/null >"$LOG_DIR/temporal.log" 2>&1 &
    echo $! >"$RUN_DIR/temporal.pid"; echo production >"$RUN_DIR/temporal.mode"
    wait_for temporal 240 temporal_ready
    sh "$ROOT/deploy/temporal/setup-namespace.sh" >>"$LOG_DIR/temporal-schema.log" 2>&1 ||
      { tail -n 20 "$LOG_DIR/temporal-schema.log" >&2; exit 1; }
    if ! ui_ready; then
      setsid "$TEMPORAL_UI_SERVER_DIR/server" --root "$ROOT/deploy/temporal" --config ui --env production start \
        </dev/null >"$LOG_DIR/temporal-ui.log" 2>&1 &
      echo $! >"$RUN_DIR/temporal-ui.pid"
      wait_for temporal-ui 60 ui_ready
    fi
  )
}

ensure_buckets() {
  ( cd "$ROOT" && [ -d node_modules ] && MINIO_ENDPOINT=127.0.0.1 MINIO_PORT="$MINIO_PORT" \
      MINIO_ACCESS_KEY="$MINIO_ROOT_USER" MINIO_SECRET_KEY="$MINIO_ROOT_PASSWORD" \
      node_modules/.bin/tsx scripts/ensure-buckets.ts ) ||
    log "buckets not created yet (run npm ci, then start again)"
}

SERVICES="postgres redis minio temporal"

cmd_start() { # [services…] (default: all)
  local want=("${@:-}"); [ -n "${want[0]:-}" ] || want=($SERVICES)
  mkdir -p "$RUN_DIR" "$LOG_DIR"
  apt_install; go_install "${want[@]}"
  for s in "${want[@]}"; do
    case "$s" in
      postgres) start_postgres ;; redis) start_redis ;; temporal) start_temporal ;;
      minio) start_minio; ensure_buckets ;;
      *) log "unknown service $s (one of: $SERVICES)"; exit 2 ;;
    esac
  done
  cmd_status || true
}

stop_one() { # name
  local name=$1
  pid_alive "$name" || { rm -f "$RUN_DIR/$name.pid"; return 0; }
  local pid; pid=$(cat "$RUN_DIR/$name.pid")
  if [ "$name" = postgres ]; then
    pg_paths
    as_pg "$(pg_bin)/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null || kill "$pid"
  else
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$RUN_DIR/$name.pid"; log "stopped $name"
}

cmd_stop() { # [services…] (default: all, and the Temporal mode is forgotten)
  if [ $# -gt 0 ]; then for s in "$@"; do stop_one "$s"; done; return; fi
  for s in temporal-ui temporal minio redis postgres; do stop_one "$s"; done; rm -f "$RUN_DIR/temporal.mode"
}

# Empties Redis (the bots' update claims, webhook claims, rate counters): the chaos drill's "Redis lost its data".
cmd_wipe() {
  [ "${1:-}" = redis ] || { log "usage: wipe redis"; exit 2; }
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" FLUSHALL >/dev/null
}

cmd_status() {
  local ok=0
  row() { # name, port, check...
    local name=$1 port=$2; shift 2
    if "$@" >/dev/null 2>&1; then printf '  %-13s up    127.0.0.1:%s\n' "$name" "$port"
    else printf '  %-13s DOWN  127.0.0.1:%s\n' "$name" "$port"; ok=1; fi
  }
  echo "Aisha local services (data in $DATA_DIR):"
  row postgresql "$PG_PORT" pg_ready
  row redis "$REDIS_PORT" redis_ready
  row minio "$MINIO_PORT" minio_ready
  local mode="dev server"; [ "$(temporal_mode)" = production ] && mode="server $TEMPORAL_SERVER_VERSION, PostgreSQL"
  row "temporal" "$TEMPORAL_PORT  ($mode)" temporal_ready
  row temporal-ui "$TEMPORAL_UI_PORT" ui_ready
  if command -v ffmpeg >/dev/null; then printf '  %-13s ok    %s\n' ffmpeg "$(ffmpeg -version | head -n 1 | cut -d' ' -f1-3)"
  else printf '  %-13s MISSING\n' ffmpeg; ok=1; fi
  if [ "$(temporal_mode)" = production ] && temporal_ready; then
    # What the server itself reports: its stores and its fixed shard count.
    temporal operator cluster describe --address "127.0.0.1:$TEMPORAL_PORT" -o json 2>/dev/null |
      node -e 'const c = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log(`  temporal:     server ${c.serverVersion}, persistence ${c.persistenceStore}, visibility ${c.visibilityStore}, ${c.historyShardCount} history shards`)' || true
  fi
  echo "  Temporal Web UI: http://127.0.0.1:$TEMPORAL_UI_PORT   MinIO console: http://127.0.0.1:$MINIO_CONSOLE_PORT"
  return $ok
}

# The application environment that points at these local services (KEY=VALUE lines).
cmd_env() {
  local db="${1:-aisha}"
  cat <<ENV
DATABASE_URL=postgresql://aisha:aisha@127.0.0.1:$PG_PORT/$db
REDIS_URL=redis://127.0.0.1:$REDIS_PORT
MINIO_ENDPOINT=127.0.0.1
MINIO_PORT=$MINIO_PORT
MINIO_USE_SSL=false
MINIO_ACCESS_KEY=$MINIO_ROOT_USER
MINIO_SECRET_KEY=$MINIO_ROOT_PASSWORD
TEMPORAL_ADDRESS=127.0.0.1:$TEMPORAL_PORT
TEMPORAL_NAMESPACE=default
ENV
}

PRODUCTION=0
args=()
for a in "$@"; do if [ "$a" = --production ]; then PRODUCTION=1; else args+=("$a"); fi; done
set -- "${args[@]}"

case "${1:-status}" in
  env) shift; cmd_env "$@" ;;
  install) cmd_install ;;
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  wipe) shift; cmd_wipe "$@" ;;
  status) cmd_status ;;
  *) echo "usage: npm run services -- install [--production] | start [--production] [service…] | stop [service…] | status | env [database] | wipe redis" >&2; exit 2 ;;
esac
