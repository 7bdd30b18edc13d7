#!/usr/bin/env bash
# Runs every test, unit and integration (real Eureka server process, Node ws peers, real TLS).
# Needs a JDK 21+ (found automatically), Node.js and npm; Maven comes through the Maven Wrapper (./mvnw).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/java-env.sh
echo "JDK: $JAVA_HOME"
for tool in node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "test.sh: '$tool' not found: install Node.js and npm (Debian: apt-get install nodejs npm), then rerun" >&2
    exit 1
  fi
done
npm ci --no-audit --no-fund --prefix app/src/test/node >/dev/null
npm ci --no-audit --no-fund --prefix test-support/node >/dev/null
./mvnw -B verify "$@"
# the 60-second soak of the packaged gateway on Eureka discovery (reliability/soak.sh; SOAK_SECONDS=0 skips it)
if [ "${SOAK_SECONDS:-60}" != 0 ]; then npm ci --no-audit --no-fund --prefix reliability >/dev/null && SOAK_DISCOVERY=${SOAK_DISCOVERY:-eureka} reliability/soak.sh "${SOAK_SECONDS:-60}" 200 3; fi
