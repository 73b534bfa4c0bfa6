#!/usr/bin/env bash
# Stops the broker and registry that start.sh started for this port set: SIGTERM, then
# SIGKILL after 15 s. Safe to run when nothing is running.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

stop_pid() {
  local name="$1" file="$RUN_DIR/$1.pid" pid
  [ -f "$file" ] || return 0
  pid="$(cat "$file")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then
      log "$name (pid $pid) did not stop in 15 s; killing it"
      kill -KILL "$pid" 2>/dev/null
    fi
    log "$name stopped (pid $pid)"
  fi
  rm -f "$file"
}
stop_pid registry
stop_pid kafka
