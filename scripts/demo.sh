#!/usr/bin/env bash
# `npm run demo`: the whole thing on this machine.
# With no keys it runs the local sandbox demo: real PostgreSQL, Redis, MinIO,
# Temporal (+ Web UI) and ffmpeg, the sandbox stand-ins for Telegram, FAL and
# OpenAI, the worker and the bot wired to them, and a web chat to talk to it.
# Each real key that is set (TELEGRAM_BOT_TOKEN, FAL_KEY, OPENAI_API_KEY, in
# the environment or .env) replaces its stand-in with the real service.
# `npm run demo -- --production`: the production shape instead (README, "The
# production shape on this machine"): the production Temporal server, nginx,
# two workers and two bots in webhook mode behind it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
MODE=()
for arg in "$@"; do
  case "$arg" in
    --production) MODE=(--production) ;;
    *) echo "usage: npm run demo [-- --production]" >&2; exit 2 ;;
  esac
done
[ -d node_modules ] || npm ci --no-audit --no-fund
# AISHA_DEMO_SERVICES_START=plain: the production shape on the dev server (whatever Temporal answers).
if [ "${#MODE[@]}" -gt 0 ] && [ "${AISHA_DEMO_SERVICES_START:-}" != plain ]; then
  bash scripts/services.sh start --production
else
  bash scripts/services.sh start
fi

if [ -f .env ]; then set -a; source .env; set +a; fi
# Local-service settings for whatever the environment and .env leave unset.
while IFS='=' read -r key value; do
  [ -n "${!key:-}" ] || export "$key=$value"
done < <(bash scripts/services.sh env)

# No real bot token (or the sandbox token of .env.example): the Telegram stand-in.
SANDBOX_TOKEN="7000000001:AAsandbox-demo-token-0123456789abcdef"
if [ -z "${TELEGRAM_BOT_TOKEN:-}" ] || [ "$TELEGRAM_BOT_TOKEN" = "$SANDBOX_TOKEN" ]; then
  export AISHA_DEMO_SANDBOX=1 TELEGRAM_BOT_TOKEN="$SANDBOX_TOKEN"
fi
export HTTP_PORT="${HTTP_PORT:-8080}"

npx prisma migrate deploy >/dev/null
exec node --import tsx sandbox/demo.ts "${MODE[@]}"
