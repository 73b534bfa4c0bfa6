#!/usr/bin/env bash
# Starts a RabbitMQ node with the stream plugin on 127.0.0.1 from Debian's rabbitmq-server
# (scripts/rabbitmq/install.sh installs it), as a foreground process of its own in
# .run/rabbitmq-<AMQP port>/ (never the system service). Creates two users with generated
# passwords (files in secrets/, mode 600): `admin` (administrator: tests and tools create
# streams and publish) and `cepheus` (the service: read-only on the streams). Waits until its
# AMQP and stream ports answer; on failure prints the log tail and the cause, stops the node, exits 1.
#   ports: CEPHEUS_RABBITMQ_STREAM_PORT (5553), CEPHEUS_RABBITMQ_PORT (AMQP 5673),
#          CEPHEUS_RABBITMQ_DIST_PORT (25673), CEPHEUS_RABBITMQ_EPMD_PORT (4371)
#   CEPHEUS_RABBITMQ_KEEP_DATA=1: restart with the streams and users of the last run
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
[ -x "$RMQ_BIN/rabbitmq-server" ] || die "rabbitmq-server is not installed: run scripts/rabbitmq/install.sh (apt-get install rabbitmq-server)"

if [ -f "$RMQ_DIR/server.pid" ] && kill -0 "$(cat "$RMQ_DIR/server.pid")" 2>/dev/null; then
  log "already running (pid $(cat "$RMQ_DIR/server.pid")); stop it with scripts/rabbitmq/stop.sh"
  exit 0
fi
for p in "$RABBITMQ_STREAM_PORT" "$RABBITMQ_AMQP_PORT" "$RABBITMQ_DIST_PORT_"; do
  port_open "$p" && die "port $p on 127.0.0.1 is already in use: stop what holds it or set CEPHEUS_RABBITMQ_STREAM_PORT / CEPHEUS_RABBITMQ_PORT / CEPHEUS_RABBITMQ_DIST_PORT"
done

keep="${CEPHEUS_RABBITMQ_KEEP_DATA:-0}"
if [ "$keep" != 1 ]; then rm -rf "$RMQ_DIR"; fi
mkdir -p "$RMQ_DIR/home" "$RMQ_DIR/log" "$RMQ_DIR/mnesia" "$RMQ_DIR/secrets"
chmod 700 "$RMQ_DIR/secrets" "$RMQ_DIR/home"
cat > "$RMQ_DIR/rabbitmq.conf" <<CONF
listeners.tcp.1 = 127.0.0.1:$RABBITMQ_AMQP_PORT
stream.listeners.tcp.1 = 127.0.0.1:$RABBITMQ_STREAM_PORT
stream.advertised_host = 127.0.0.1
stream.advertised_port = $RABBITMQ_STREAM_PORT
log.console = true
log.console.level = warning
log.file = false
load_definitions = $RMQ_DIR/definitions.json
CONF
echo '[].' > "$RMQ_DIR/advanced.config"
: > "$RMQ_DIR/rabbitmq-env.conf"
echo '[rabbitmq_stream].' > "$RMQ_DIR/enabled_plugins"

# Users come from a definitions file imported at boot (a rabbitmqctl call costs ~2 s of
# Erlang start-up each): no guest; admin for tests and tools; cepheus may read streams only.
# password_hash = base64(salt ++ sha256(salt ++ password)), RabbitMQ's sha256 scheme.
password_hash() {
  local salt
  salt="$(openssl rand -hex 4 | sed 's/../\\x&/g')"
  { printf "$salt"; { printf "$salt"; printf '%s' "$1"; } | openssl dgst -sha256 -binary; } | base64 -w0
}
if [ "$keep" != 1 ] || [ ! -f "$RMQ_DIR/secrets/cepheus.password" ]; then
  openssl rand -hex 16 > "$RMQ_DIR/secrets/admin.password"
  openssl rand -hex 16 > "$RMQ_DIR/secrets/cepheus.password"
  chmod 600 "$RMQ_DIR/secrets/"*.password
fi
read_re="${CEPHEUS_RABBITMQ_READ:-.*}"
user() { printf '{"name":"%s","password_hash":"%s","hashing_algorithm":"rabbit_password_hashing_sha256","tags":[%s]}' "$1" "$(password_hash "$(cat "$RMQ_DIR/secrets/$1.password")")" "$2"; }
cat > "$RMQ_DIR/definitions.json" <<JSON
{"users":[$(user admin '"administrator"'),$(user cepheus '')],
 "vhosts":[{"name":"/"}],
 "permissions":[{"user":"admin","vhost":"/","configure":".*","write":".*","read":".*"},
                {"user":"cepheus","vhost":"/","configure":"^\$","write":"^\$","read":"$read_re"}]}
JSON
chmod 600 "$RMQ_DIR/definitions.json"
rmq_env

t0=$(date +%s)
(cd "$RMQ_DIR" && exec "$RMQ_BIN/rabbitmq-server") > "$RMQ_DIR/rabbitmq.log" 2>&1 &
echo $! > "$RMQ_DIR/server.pid"
pid=$!
stop_started() { bash "$(dirname "${BASH_SOURCE[0]}")/stop.sh" >/dev/null 2>&1 || true; }
for _ in $(seq 1 120); do
  port_open "$RABBITMQ_AMQP_PORT" && port_open "$RABBITMQ_STREAM_PORT" && break
  if ! kill -0 "$pid" 2>/dev/null; then
    log "RabbitMQ exited during start-up; last log lines ($RMQ_DIR/rabbitmq.log):"
    tail -n 25 "$RMQ_DIR/rabbitmq.log" >&2
    die "RabbitMQ did not start: $(grep -m1 -oE 'eaddrinuse|Address already in use|[Ee]rror[^,]*' "$RMQ_DIR/rabbitmq.log" || echo 'see the log above')"
  fi
  sleep 0.5
done
if ! port_open "$RABBITMQ_AMQP_PORT"; then
  tail -n 25 "$RMQ_DIR/rabbitmq.log" >&2
  stop_started
  die "RabbitMQ did not open its ports within 60 s"
fi

log "RabbitMQ $(dpkg-query -W -f '${Version}' rabbitmq-server 2>/dev/null | cut -d- -f1) up: stream 127.0.0.1:$RABBITMQ_STREAM_PORT, AMQP :$RABBITMQ_AMQP_PORT (pid $pid, $(( $(date +%s) - t0 )) s)"
echo "CEPHEUS_RABBITMQ_URL=amqp://127.0.0.1:$RABBITMQ_AMQP_PORT/%2f"
echo "CEPHEUS_RABBITMQ_SECRETS=$RMQ_DIR/secrets"
