#!/usr/bin/env bash
# Runs every test, unit and integration (real Eureka server process, Node ws peers, real TLS, a real Chromium,
# Prometheus' linter, HAProxy), then a 60-second soak.
# Needs a JDK 21+ (found automatically; Maven comes through the Maven Wrapper). What else the tests need is installed
# here when missing, as root with apt-get (Debian/Ubuntu): nodejs, npm, chromium, prometheus, haproxy, curl.
# Otherwise it stops with one line naming what to install.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/java-env.sh
echo "JDK: $JAVA_HOME"
need=()
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
[ -x /usr/bin/chromium ] || need+=(chromium)                 # BrowserTest, ConsoleTest: a real browser (headless)
command -v promtool >/dev/null 2>&1 || need+=(prometheus)    # PrometheusIT: a real Prometheus and its linter
[ -x /usr/sbin/haproxy ] || need+=(haproxy)                  # ScaleOutIT: two gateways behind a real HAProxy
command -v curl >/dev/null 2>&1 || need+=(curl)              # reliability/soak.sh reads the gateway's endpoints
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing ${need[*]} (apt-get)"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >/dev/null
  else
    echo "test.sh: missing ${need[*]}: install them (Debian: sudo apt-get install ${need[*]}) or run ./test.sh as root" >&2
    exit 1
  fi
fi
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
npm ci --no-audit --no-fund --prefix app/src/test/node >/dev/null
npm ci --no-audit --no-fund --prefix test-support/node >/dev/null
./mvnw -B verify "$@"
# the 60-second soak of the packaged gateway on Eureka discovery (reliability/soak.sh; SOAK_SECONDS=0 skips it)
if [ "${SOAK_SECONDS:-60}" != 0 ]; then npm ci --no-audit --no-fund --prefix reliability >/dev/null && SOAK_DISCOVERY=${SOAK_DISCOVERY:-eureka} reliability/soak.sh "${SOAK_SECONDS:-60}" 200 3; fi
