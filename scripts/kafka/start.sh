#!/usr/bin/env bash
# Starts a single-node KRaft Kafka broker and an Apicurio schema registry (Confluent-
# compatible API) on 127.0.0.1, from Maven Central jars (no Docker). Waits until both
# answer; on failure prints the log tail and the cause, stops what it started, exits 1.
#   ports: CEPHEUS_KAFKA_PORT (9092), CEPHEUS_KAFKA_CONTROLLER_PORT (9093),
#          CEPHEUS_REGISTRY_PORT (8081), CEPHEUS_REGISTRY_MGMT_PORT (9081)
#   state and logs: .run/kafka-<port>/   downloads: .cache/
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

bash "$(dirname "${BASH_SOURCE[0]}")/fetch.sh"
JAVA_KAFKA="$(find_java 17)" || die "no Java >= 17 found for Kafka (install openjdk-17-jre-headless)"
JAVA_REGISTRY="$(find_java 21)" || die "no Java >= 21 found for the registry"

mkdir -p "$RUN_DIR"
if [ -f "$RUN_DIR/kafka.pid" ] && kill -0 "$(cat "$RUN_DIR/kafka.pid")" 2>/dev/null; then
  log "already running (kafka pid $(cat "$RUN_DIR/kafka.pid")); stop it with scripts/kafka/stop.sh"
  exit 0
fi
for p in "$KAFKA_PORT" "$CONTROLLER_PORT" "$REGISTRY_PORT" "$REGISTRY_MGMT_PORT"; do
  port_open "$p" && die "port $p on 127.0.0.1 is already in use: stop what holds it or set CEPHEUS_KAFKA_PORT / CEPHEUS_KAFKA_CONTROLLER_PORT / CEPHEUS_REGISTRY_PORT / CEPHEUS_REGISTRY_MGMT_PORT"
done

DATA="$RUN_DIR/data"
rm -rf "$DATA"
mkdir -p "$DATA"
cat > "$RUN_DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
log.dirs=$DATA
PROPS
single_node_properties >> "$RUN_DIR/server.properties"
cat > "$RUN_DIR/log4j2.properties" <<LOG
status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.stdout.ref = STDOUT
logger.state.name = state.change.logger
logger.state.level = WARN
logger.authorizer.name = kafka.authorizer.logger
logger.authorizer.level = WARN
LOG

"$JAVA_KAFKA" -cp "$KAFKA_LIBS/*" kafka.tools.StorageTool format -t "cepheus-local-$KAFKA_PORT-0000" \
  -c "$RUN_DIR/server.properties" > "$RUN_DIR/format.log" 2>&1 || {
    tail -n 5 "$RUN_DIR/format.log" >&2
    die "formatting the Kafka storage failed: $(grep -m1 -E 'Exception|Error' "$RUN_DIR/format.log" || echo "see $RUN_DIR/format.log")"
  }

stop_started() { bash "$(dirname "${BASH_SOURCE[0]}")/stop.sh" >/dev/null 2>&1 || true; }

cause_of() {
  local f="$1"
  grep -m1 -oE 'Unable to start acceptor[^)]*|Address already in use|UnsupportedClassVersionError[^ ]*|Port [0-9]+ seems to be in use[^.]*|Exception[^:]*: [^(]*' "$f" 2>/dev/null | head -1
}

# wait_for <what> <pid> <log> <check command...>: polls for up to 60 s.
wait_for() {
  local what="$1" pid="$2" logf="$3"
  shift 3
  for _ in $(seq 1 120); do
    if "$@"; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then
      log "$what exited during start-up; last log lines ($logf):"
      tail -n 25 "$logf" >&2
      log "cause: $(cause_of "$logf" || echo 'see log above')"
      return 1
    fi
    sleep 0.5
  done
  log "$what not ready after 60 s; last log lines ($logf):"
  tail -n 25 "$logf" >&2
  return 1
}

start_kafka() {
  (cd "$RUN_DIR" && exec "$JAVA_KAFKA" -Xmx512m -Xms256m -cp "$KAFKA_LIBS/*" \
    -Dlog4j2.configurationFile="$RUN_DIR/log4j2.properties" kafka.Kafka "$RUN_DIR/server.properties") > "$RUN_DIR/kafka.log" 2>&1 &
  echo $! > "$RUN_DIR/kafka.pid"
  wait_for "Kafka" "$!" "$RUN_DIR/kafka.log" port_open "$KAFKA_PORT"
}

registry_ready() { curl -fs -o /dev/null "http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7/subjects"; }
start_registry() {
  (cd "$APICURIO_DIR" && exec "$JAVA_REGISTRY" -Xmx512m -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$REGISTRY_PORT" \
    -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port="$REGISTRY_MGMT_PORT" -jar quarkus-run.jar) > "$RUN_DIR/registry.log" 2>&1 &
  echo $! > "$RUN_DIR/registry.pid"
  wait_for "Schema registry" "$!" "$RUN_DIR/registry.log" registry_ready
}

t0=$(date +%s)
if ! start_kafka; then
  log "retrying the broker once"
  stop_started
  port_open "$KAFKA_PORT" && { stop_started; die "Kafka failed to start: port $KAFKA_PORT is taken by another process"; }
  start_kafka || { stop_started; die "Kafka failed to start twice; logs in $RUN_DIR"; }
fi
log "Kafka $KAFKA_VERSION up on 127.0.0.1:$KAFKA_PORT (pid $(cat "$RUN_DIR/kafka.pid"), $(( $(date +%s) - t0 )) s)"
if ! start_registry; then
  log "retrying the registry once"
  kill "$(cat "$RUN_DIR/registry.pid")" 2>/dev/null || true
  sleep 1
  start_registry || { stop_started; die "schema registry failed to start twice; logs in $RUN_DIR"; }
fi
log "Apicurio Registry $APICURIO_VERSION up on http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7 (pid $(cat "$RUN_DIR/registry.pid"), $(( $(date +%s) - t0 )) s total)"
echo "CEPHEUS_KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT"
echo "CEPHEUS_REGISTRY_URL=http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7"
