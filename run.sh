#!/usr/bin/env bash
# Builds the gateway if needed and starts it. With no argument it runs on its embedded default: static discovery
# from the bundled configuration and a demo echo service, so ws://localhost:10010/ws/v1/echo/anything echoes.
# Usage: ./run.sh [--check] [config.yaml]   (or GATEWAY_CONFIG=config.yaml ./run.sh; env vars like SERVER_PORT
#        override). A user file turns the demo off unless it sets demo.echo.enabled: true. --check validates the
#        configuration, prints the effective values and where each comes from, and exits.
set -euo pipefail
cd "$(dirname "$0")"
args=()
for arg in "$@"; do
  case "$arg" in
    -*) args+=("$arg") ;;
    *)
      # resolved before the cd above matters: relative to where ./run.sh was called from
      file="$arg"
      case "$file" in /*) ;; *) file="$OLDPWD/$file" ;; esac
      if [ ! -f "$file" ]; then
        echo "run.sh: configuration file $arg does not exist" >&2
        exit 1
      fi
      args+=("$(readlink -f "$file")") ;;
  esac
done
source scripts/java-env.sh

jar=app/target/wsgateway.jar
if [ ! -f "$jar" ] || [ -n "$(find pom.xml */pom.xml */src/main -newer "$jar" -type f 2>/dev/null | head -n1)" ]; then
  echo "Building the gateway (JDK: $JAVA_HOME)..." >&2
  ./mvnw -q -B -DskipTests package -pl app -am >&2
fi
# Flags from scripts/gateway-flags.sh; GATEWAY_JAVA_OPTS replaces them.
source scripts/gateway-flags.sh
flags="$GATEWAY_HEAP_FLAGS $GATEWAY_CARRIER_FLAGS"
exec "$JAVA_HOME/bin/java" ${GATEWAY_JAVA_OPTS:-$flags} -jar "$jar" ${args[@]+"${args[@]}"}
