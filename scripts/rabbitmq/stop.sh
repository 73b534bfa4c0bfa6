#!/usr/bin/env bash
# Stops the RabbitMQ node start.sh started for this AMQP port: `rabbitmqctl stop` (a clean
# shutdown, streams flushed), then SIGTERM / SIGKILL if it is still there after 30 s; and the
# epmd it started on its own port. Safe to run when nothing is running.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
[ -f "$RMQ_DIR/server.pid" ] || exit 0
pid="$(cat "$RMQ_DIR/server.pid")"
rmq_env
if kill -0 "$pid" 2>/dev/null; then
  timeout 30 "$RMQ_BIN/rabbitmqctl" -q stop >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then
    log "RabbitMQ (pid $pid) did not stop in 30 s; killing it"
    pkill -KILL -P "$pid" 2>/dev/null
    kill -KILL "$pid" 2>/dev/null
  fi
  log "RabbitMQ stopped (pid $pid)"
fi
# epmd outlives the node; this one listens on this node's own port only.
epmd_pid="$(ss -ltnpH "sport = :$RABBITMQ_EPMD_PORT" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2)"
[ -n "$epmd_pid" ] && kill "$epmd_pid" 2>/dev/null
rm -f "$RMQ_DIR/server.pid"
