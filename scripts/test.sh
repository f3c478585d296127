#!/usr/bin/env bash
# `npm test`: everything the suite needs on a fresh machine, then the suite.
# Installs dependencies when missing, starts the real local services, runs
# vitest (the global setup migrates a fresh test database).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
bash scripts/services.sh start >/dev/null
exec npx vitest run "$@"
