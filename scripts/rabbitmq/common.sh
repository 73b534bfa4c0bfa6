# Shared settings for the local RabbitMQ node with the stream plugin (sourced, not run).
# One node per AMQP port, in <repo>/.run/rabbitmq-<AMQP port>/ (data, logs, its own HOME
# for the Erlang cookie, generated passwords); everything binds 127.0.0.1, epmd included.
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RABBITMQ_AMQP_PORT="${CEPHEUS_RABBITMQ_PORT:-5673}"
RABBITMQ_STREAM_PORT="${CEPHEUS_RABBITMQ_STREAM_PORT:-5553}"
RABBITMQ_DIST_PORT_="${CEPHEUS_RABBITMQ_DIST_PORT:-25673}"
RABBITMQ_EPMD_PORT="${CEPHEUS_RABBITMQ_EPMD_PORT:-4371}"
RMQ_DIR="$REPO_ROOT/.run/rabbitmq-$RABBITMQ_AMQP_PORT"
RMQ_BIN=/usr/lib/rabbitmq/bin
RMQ_NODE="cepheus-$RABBITMQ_AMQP_PORT@localhost"

log() { printf '[rabbitmq-scripts] %s\n' "$*" >&2; }
die() { printf '[rabbitmq-scripts] ERROR: %s\n' "$*" >&2; exit 1; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The environment every rabbitmq-* command of this node runs with: its own files, ports and
# cookie; the Erlang distribution and epmd on loopback only.
rmq_env() {
  export HOME="$RMQ_DIR/home"
  export RABBITMQ_NODENAME="$RMQ_NODE" RABBITMQ_USE_LONGNAME=false
  export RABBITMQ_CONFIG_FILE="$RMQ_DIR/rabbitmq.conf"
  export RABBITMQ_ADVANCED_CONFIG_FILE="$RMQ_DIR/advanced.config"
  export RABBITMQ_CONF_ENV_FILE="$RMQ_DIR/rabbitmq-env.conf"
  export RABBITMQ_MNESIA_BASE="$RMQ_DIR/mnesia" RABBITMQ_LOG_BASE="$RMQ_DIR/log"
  export RABBITMQ_PID_FILE="$RMQ_DIR/rabbitmq.pid"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$RMQ_DIR/enabled_plugins"
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT="$RABBITMQ_AMQP_PORT" RABBITMQ_DIST_PORT="$RABBITMQ_DIST_PORT_"
  export ERL_EPMD_ADDRESS=127.0.0.1 ERL_EPMD_PORT="$RABBITMQ_EPMD_PORT"
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
  export RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}
