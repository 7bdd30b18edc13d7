#!/usr/bin/env bash
# One-command Eureka demo: the test Eureka server (127.0.0.1:8761), a Node WebSocket echo service that registers
# itself with the seed's metadata (apiml.routes.ws_v1.gatewayUrl: ws/v1, serviceUrl: /discoverableclient/ws),
# and the gateway on Eureka discovery (port 10010). Then: ws://localhost:10010/ws/v1/nodeecho/anything echoes.
# Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/java-env.sh

if [ ! -f eureka-test-server/target/eureka-test-server.jar ] || [ ! -f app/target/wsgateway.jar ]; then
  echo "Building (JDK: $JAVA_HOME)..."
  ./mvnw -q -B -DskipTests package
fi
[ -d test-support/node/node_modules ] || npm ci --no-audit --no-fund --prefix test-support/node >/dev/null

pids=()
group=
cleanup() {
  # the Node service deregisters itself on SIGTERM; its stdin keeper lives in the same process group
  [ -n "$group" ] && kill -- "-$group" 2>/dev/null || true
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

"$JAVA_HOME/bin/java" -XX:TieredStopAtLevel=1 -Xmx256m -jar eureka-test-server/target/eureka-test-server.jar \
  --server.port=8761 > /tmp/wsgateway-demo-eureka.log 2>&1 &
pids+=($!)
echo -n "Eureka server starting on http://127.0.0.1:8761/eureka/ "
for _ in $(seq 1 90); do
  curl -sf -H 'Accept: application/json' http://127.0.0.1:8761/eureka/apps >/dev/null 2>&1 && break
  echo -n .; sleep 1
done
echo

# the service deregisters when its stdin closes: keep a pipe open for it, in a process group of its own
setsid bash -c 'cd test-support/node && sleep infinity | node echo-service.js 8761 NODEECHO' &
group=$!

DISCOVERY_TYPE=eureka EUREKA_SERVICE_URL=http://127.0.0.1:8761/eureka/ DISCOVERY_EUREKA_FETCH_DASH_INTERVAL=PT1S \
  DEMO_ECHO_ENABLED=false "$JAVA_HOME/bin/java" -jar app/target/wsgateway.jar &
pids+=($!)
echo "Gateway on ws://localhost:10010 — try: ws://localhost:10010/ws/v1/nodeecho/anything (Ctrl-C to stop)"
wait
