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
# On 2 CPUs or fewer, one carrier thread for the virtual threads: half the CPU per relayed 1 KiB message and 1.4x the
# throughput, at a slightly higher p99 with 50 ping-pong connections (bench/RESULTS.md, 2026-12-02). GATEWAY_JAVA_OPTS
# replaces these flags; a -D given there wins.
flags="-Xms128m -Xmx1g -Xmn32m"
if [ "$(nproc)" -le 2 ]; then flags="$flags -Djdk.virtualThreadScheduler.parallelism=1"; fi
exec "$JAVA_HOME/bin/java" ${GATEWAY_JAVA_OPTS:-$flags} -jar "$jar" "${config[@]}"
