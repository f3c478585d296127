#!/usr/bin/env bash
# `npm run demo`: the whole thing on this machine.
# With no keys it runs the local sandbox demo: real PostgreSQL, Redis, MinIO,
# Temporal (+ Web UI) and ffmpeg, the sandbox stand-ins for Telegram (and, as
# they land, FAL and OpenAI), the worker and the bot wired to them.
# With a real TELEGRAM_BOT_TOKEN (environment or .env) the same worker and
# bot talk to the real services instead.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[ -d node_modules ] || npm install --no-audit --no-fund
bash scripts/services.sh start

if [ -f .env ]; then set -a; source .env; set +a; fi
# Local-service settings for whatever the environment and .env leave unset.
while IFS='=' read -r key value; do
  [ -n "${!key:-}" ] || export "$key=$value"
done < <(bash scripts/services.sh env)

SANDBOX_TOKEN="7000000001:AAsandbox-demo-token-0123456789abcdef"
export SANDBOX_TELEGRAM_PORT="${SANDBOX_TELEGRAM_PORT:-8081}"
if [ -z "${TELEGRAM_BOT_TOKEN:-}" ] || [ "$TELEGRAM_BOT_TOKEN" = "$SANDBOX_TOKEN" ]; then
  export AISHA_DEMO_SANDBOX=1 TELEGRAM_BOT_TOKEN="$SANDBOX_TOKEN" TELEGRAM_API_ROOT="http://127.0.0.1:$SANDBOX_TELEGRAM_PORT"
fi
export HTTP_PORT="${HTTP_PORT:-8080}"

npx prisma migrate deploy >/dev/null
exec npx tsx sandbox/demo.ts
