#!/usr/bin/env bash
# Starts a second single-node KRaft broker that only speaks SASL_SSL, for the security tests
# and for trying a secured setup locally (the plain broker of start.sh is left alone):
#   - TLS: a throwaway CA and a broker certificate (127.0.0.1, localhost) made with openssl at
#     every start, PEM files in .run/kafka-secure-<port>/tls/ (nothing committed, nothing reused)
#   - SASL/SCRAM-SHA-512 on the client listener; SCRAM credentials created when the storage is
#     formatted: `admin` (super user: topics, ACLs, tests) and `cepheus` (the service, which
#     gets only the ACLs `cepheus acls` prints); passwords generated into secrets/ (mode 600)
#   - KRaft's StandardAuthorizer, allow.everyone.if.no.acl.found=false
#   - the controller listener on loopback with SASL/PLAIN for the admin (SCRAM cannot serve it)
#   ports: CEPHEUS_SECURE_KAFKA_PORT (9094), CEPHEUS_SECURE_KAFKA_CONTROLLER_PORT (9095)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
SECURE_PORT="${CEPHEUS_SECURE_KAFKA_PORT:-9094}"
SECURE_CONTROLLER_PORT="${CEPHEUS_SECURE_KAFKA_CONTROLLER_PORT:-9095}"
DIR="$REPO_ROOT/.run/kafka-secure-$SECURE_PORT"

CEPHEUS_SKIP_REGISTRY=1 bash "$(dirname "${BASH_SOURCE[0]}")/fetch.sh"
JAVA_KAFKA="$(find_java 17)" || die "no Java >= 17 found for Kafka (install openjdk-17-jre-headless)"
command -v openssl >/dev/null || die "openssl not found (apt-get install openssl)"
if [ -f "$DIR/kafka.pid" ] && kill -0 "$(cat "$DIR/kafka.pid")" 2>/dev/null; then
  log "secured broker already running (pid $(cat "$DIR/kafka.pid")); stop it with scripts/kafka/stop-secure.sh"
  exit 0
fi
for p in "$SECURE_PORT" "$SECURE_CONTROLLER_PORT"; do
  port_open "$p" && die "port $p on 127.0.0.1 is already in use: stop what holds it or set CEPHEUS_SECURE_KAFKA_PORT / CEPHEUS_SECURE_KAFKA_CONTROLLER_PORT"
done
rm -rf "$DIR"
mkdir -p "$DIR/data" "$DIR/tls" "$DIR/secrets"
chmod 700 "$DIR/secrets" "$DIR/tls"
t0=$(date +%s)

# ---- TLS: a CA of this start only, and the broker's certificate signed by it
ossl() { openssl "$@" >> "$DIR/tls/openssl.log" 2>&1 || die "openssl $1 failed (see $DIR/tls/openssl.log)"; }
ossl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Cepheus throwaway test CA" -keyout "$DIR/tls/ca.key" -out "$DIR/tls/ca.pem"
ossl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$DIR/tls/broker.key" -out "$DIR/tls/broker.csr"
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n' > "$DIR/tls/broker.ext"
ossl x509 -req -in "$DIR/tls/broker.csr" -CA "$DIR/tls/ca.pem" -CAkey "$DIR/tls/ca.key" -CAcreateserial -days 2 -extfile "$DIR/tls/broker.ext" -out "$DIR/tls/broker.pem"
# Kafka's PEM key store: an unencrypted PKCS#8 key, then the certificate chain, in one file.
ossl pkcs8 -topk8 -nocrypt -in "$DIR/tls/broker.key" -out "$DIR/tls/broker.pk8"
cat "$DIR/tls/broker.pk8" "$DIR/tls/broker.pem" "$DIR/tls/ca.pem" > "$DIR/tls/broker-keystore.pem"
rm -f "$DIR/tls/ca.key" "$DIR/tls/broker.key" "$DIR/tls/broker.csr"
chmod 600 "$DIR/tls/"*

# ---- passwords, generated
for u in admin cepheus; do openssl rand -hex 16 > "$DIR/secrets/$u.password"; done
chmod 600 "$DIR/secrets/"*.password
ADMIN_PW="$(cat "$DIR/secrets/admin.password")"
CEPHEUS_PW="$(cat "$DIR/secrets/cepheus.password")"

cat > "$DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
listeners=SASL_SSL://127.0.0.1:$SECURE_PORT,CONTROLLER://127.0.0.1:$SECURE_CONTROLLER_PORT
advertised.listeners=SASL_SSL://127.0.0.1:$SECURE_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=SASL_SSL
listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:SASL_PLAINTEXT
controller.quorum.voters=1@127.0.0.1:$SECURE_CONTROLLER_PORT
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$ADMIN_PW";
sasl.mechanism.controller.protocol=PLAIN
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="$ADMIN_PW" user_admin="$ADMIN_PW";
ssl.keystore.type=PEM
ssl.keystore.location=$DIR/tls/broker-keystore.pem
ssl.truststore.type=PEM
ssl.truststore.location=$DIR/tls/ca.pem
ssl.client.auth=none
ssl.endpoint.identification.algorithm=https
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:admin
log.dirs=$DIR/data
PROPS
single_node_properties >> "$DIR/server.properties"
chmod 600 "$DIR/server.properties"
cat > "$DIR/log4j2.properties" <<LOG
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

# SCRAM credentials live in the cluster metadata: the inter-broker login needs admin's before
# the broker starts, so both users are created with the storage.
"$JAVA_KAFKA" -cp "$KAFKA_LIBS/*" kafka.tools.StorageTool format -t "cepheus-secure-$SECURE_PORT-000" -c "$DIR/server.properties" \
  --add-scram "SCRAM-SHA-512=[name=admin,password=$ADMIN_PW]" --add-scram "SCRAM-SHA-512=[name=cepheus,password=$CEPHEUS_PW]" \
  > "$DIR/format.log" 2>&1 || { tail -n 5 "$DIR/format.log" >&2; die "formatting the secured broker's storage failed"; }

(cd "$DIR" && exec "$JAVA_KAFKA" -Xmx384m -Xms128m -cp "$KAFKA_LIBS/*" -Dlog4j2.configurationFile="$DIR/log4j2.properties" kafka.Kafka "$DIR/server.properties") > "$DIR/kafka.log" 2>&1 &
pid=$!
echo "$pid" > "$DIR/kafka.pid"
for _ in $(seq 1 120); do
  if grep -q 'Kafka Server started' "$DIR/kafka.log" 2>/dev/null && port_open "$SECURE_PORT"; then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then
    tail -n 25 "$DIR/kafka.log" >&2
    die "the secured broker exited during start-up (log above)"
  fi
  sleep 0.5
done
grep -q 'Kafka Server started' "$DIR/kafka.log" || { tail -n 25 "$DIR/kafka.log" >&2; bash "$(dirname "${BASH_SOURCE[0]}")/stop-secure.sh"; die "the secured broker did not start within 60 s"; }
log "secured Kafka $KAFKA_VERSION (SASL_SSL, SCRAM-SHA-512, ACLs) up on 127.0.0.1:$SECURE_PORT (pid $pid, $(( $(date +%s) - t0 )) s)"
echo "CEPHEUS_SECURE_KAFKA_BROKERS=127.0.0.1:$SECURE_PORT"
echo "CEPHEUS_SECURE_KAFKA_DIR=$DIR   # tls/ca.pem, secrets/admin.password, secrets/cepheus.password"
