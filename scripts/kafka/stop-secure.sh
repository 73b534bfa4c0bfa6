#!/usr/bin/env bash
# Stops the broker start-secure.sh started (SIGTERM, SIGKILL after 15 s). Safe when none runs.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
DIR="$REPO_ROOT/.run/kafka-secure-${CEPHEUS_SECURE_KAFKA_PORT:-9094}"
[ -f "$DIR/kafka.pid" ] || exit 0
pid="$(cat "$DIR/kafka.pid")"
if kill -0 "$pid" 2>/dev/null; then
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then log "secured broker (pid $pid) did not stop in 15 s; killing it"; kill -KILL "$pid" 2>/dev/null; fi
  log "secured broker stopped (pid $pid)"
fi
rm -f "$DIR/kafka.pid"
