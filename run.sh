#!/usr/bin/env bash
# Builds the gateway if needed and starts it. With no argument it runs on its embedded default: static discovery
# from the bundled application.yaml and a demo echo service, so ws://localhost:10010/ws/v1/echo/anything echoes.
# Usage: ./run.sh [config.yaml]      (or GATEWAY_CONFIG=config.yaml ./run.sh; env vars like SERVER_PORT override)
set -euo pipefail
cd "$(dirname "$0")"
source scripts/java-env.sh

jar=app/target/wsgateway.jar
if [ ! -f "$jar" ] || [ -n "$(find pom.xml */pom.xml */src/main -newer "$jar" -type f 2>/dev/null | head -n1)" ]; then
  echo "Building the gateway (JDK: $JAVA_HOME)..."
  ./mvnw -q -B -DskipTests package -pl app -am
fi
config=()
if [ $# -gt 0 ]; then
  config=("$(readlink -f "$1")")
fi
# Flags from scripts/gateway-flags.sh; GATEWAY_JAVA_OPTS replaces them.
source scripts/gateway-flags.sh
flags="$GATEWAY_HEAP_FLAGS $GATEWAY_CARRIER_FLAGS"
exec "$JAVA_HOME/bin/java" ${GATEWAY_JAVA_OPTS:-$flags} -jar "$jar" "${config[@]}"
