#!/usr/bin/env bash
# Runs every test, unit and integration (real Eureka server process, Node ws peers, real TLS).
# Needs a JDK 21+ (found automatically), Maven, Node.js and npm.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/java-env.sh
echo "JDK: $JAVA_HOME"
npm ci --no-audit --no-fund --prefix app/src/test/node >/dev/null
npm ci --no-audit --no-fund --prefix test-support/node >/dev/null
mvn -B verify "$@"
# the 60-second soak of the packaged gateway (reliability/soak.sh; SOAK_SECONDS=0 skips it)
if [ "${SOAK_SECONDS:-60}" != 0 ]; then npm ci --no-audit --no-fund --prefix reliability >/dev/null && reliability/soak.sh "${SOAK_SECONDS:-60}" 200 3; fi
