#!/bin/sh
# Registers the namespace the application uses, with its retention, and the
# custom search attributes the bot and the workflows set (operators find a
# user's jobs by them: DESIGN.md, "Operators"). Idempotent. Needs the `temporal`
# CLI and a running server. Used by scripts/services.sh and docker-compose.yml
# (temporalio/admin-tools); POSIX sh, for that image.
#   TEMPORAL_ADDRESS (127.0.0.1:7233) TEMPORAL_NAMESPACE (default)
#   TEMPORAL_NAMESPACE_RETENTION (720h: closed histories kept 30 days for support and replay)
set -eu
address="${TEMPORAL_ADDRESS:-127.0.0.1:7233}" namespace="${TEMPORAL_NAMESPACE:-default}"
retention="${TEMPORAL_NAMESPACE_RETENTION:-720h}"
t() { temporal --address "$address" "$@"; }
tries() { i=0; while [ $i -lt 120 ]; do "$@" && return 0; i=$((i + 1)); sleep 0.5; done; return 1; }
serving() { t operator cluster health 2>/dev/null | grep -q SERVING; }
listable() { t operator search-attribute list --namespace "$namespace" >/dev/null 2>&1; }

tries serving
if ! t operator namespace describe --namespace "$namespace" >/dev/null 2>&1; then
  t operator namespace create --namespace "$namespace" --retention "$retention" >/dev/null
  echo "namespace $namespace created (retention $retention)"
fi
# A new namespace takes a moment to reach every frontend's cache.
tries listable

existing=$(t operator search-attribute list --namespace "$namespace" -o json)
for attr in UserId JobKind JobStatus; do
  if ! printf '%s' "$existing" | grep -q "\"$attr\""; then
    t operator search-attribute create --namespace "$namespace" --name "$attr" --type Keyword >/dev/null
    echo "search attribute $attr (Keyword) created"
  fi
done
