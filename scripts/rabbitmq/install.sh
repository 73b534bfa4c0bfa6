#!/usr/bin/env bash
# Installs Debian's rabbitmq-server (3.10 on bookworm, with the rabbitmq_stream plugin) and
# Erlang, without letting the package start its system service: only scripts/rabbitmq/start.sh
# runs a node, in a private directory. Idempotent: nothing to do when it is installed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
if [ -x "$RMQ_BIN/rabbitmq-server" ]; then
  log "rabbitmq-server already installed ($(dpkg-query -W -f '${Version}' rabbitmq-server 2>/dev/null || echo '?'))"
  exit 0
fi
command -v apt-get >/dev/null || die "rabbitmq-server is not installed and there is no apt-get: install RabbitMQ 3.9+ with the stream plugin"
[ "$(id -u)" = 0 ] || die "installing rabbitmq-server needs root (apt-get)"
t0=$(date +%s)
# policy-rc.d exit 101: invoke-rc.d refuses to start the service the package installs.
policy=/usr/sbin/policy-rc.d
added_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && added_policy=1
fi
trap '[ "$added_policy" = 1 ] && rm -f "$policy"' EXIT
apt_log="$(mktemp)"
if ! { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends rabbitmq-server; } > "$apt_log" 2>&1; then
  tail -n 20 "$apt_log" >&2
  die "apt-get install rabbitmq-server failed (output above)"
fi
# Should a system node have started anyway (no policy-rc.d honoured), stop it: it would hold 5672.
if command -v service >/dev/null && service rabbitmq-server status >/dev/null 2>&1; then service rabbitmq-server stop >/dev/null 2>&1 || true; fi
log "installed rabbitmq-server $(dpkg-query -W -f '${Version}' rabbitmq-server) in $(( $(date +%s) - t0 )) s"
