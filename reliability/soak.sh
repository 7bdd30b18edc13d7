#!/usr/bin/env bash
# Soak of the packaged gateway: several real upstream instances (Node ws echo processes), static discovery, N client
# sessions with churn for a given time, faults injected at random moments, every message accounted for, and at the
# end (quiesced) the session list empty, wsgateway_sessions_active 0, and file descriptors, threads and heap after a
# full GC back within a margin of the baseline taken after warm-up.
#
# Usage: reliability/soak.sh [DURATION_SECONDS=1800] [SESSIONS=2000] [INSTANCES=3]
# Faults (instance side, here): kill -9 and restart of an instance, SIGSTOP then SIGCONT of an instance; with
# SOAK_DISCOVERY=eureka (a real Eureka server, the eureka-test-server module, as its own JVM; the instances register
# over its REST API) also an instance turning OUT_OF_SERVICE and back, and restarts of the Eureka server.
# Faults (client side, in driver.js): a client that vanishes with a RST, one that goes silent (stops reading, never
# closes), one that stops reading while its service floods it.
# Writes reliability/target/: gateway.log, instance-*.log, summary.json, resources.txt. Exit 0 = nothing lost.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/java-env.sh
DURATION=${1:-1800}
SESSIONS=${2:-2000}
INSTANCES=${3:-3}
WARMUP=${SOAK_WARMUP:-10}
PING=${SOAK_PING:-5}                       # ping-interval = pong-timeout: a peer silent 2 x PING s is dead
KILL_GAP=${SOAK_KILL_GAP:-11}              # least time between two kill -9, s; 0 = kill at any moment
STOP_MAX=${SOAK_STOP_MAX:-4}               # longest SIGSTOP, s; beyond 2 x PING the gateway fails the instance over
DISCOVERY=${SOAK_DISCOVERY:-static}        # static | eureka
EUREKA_GAP=${SOAK_EUREKA_GAP:-60}          # least time between two restarts of the Eureka server, s
MARGIN_FDS=${SOAK_MARGIN_FDS:-50}          # open files beyond the baseline allowed at the end
MARGIN_THREADS=${SOAK_MARGIN_THREADS:-10}  # platform threads beyond the baseline
MARGIN_HEAP_MB=${SOAK_MARGIN_HEAP_MB:-32}  # heap after full GC beyond the baseline
out=reliability/target
mkdir -p "$out"
rm -f "$out"/*.log "$out"/summary.json "$out"/resources.txt

if [ ! -f app/target/wsgateway.jar ] || { [ "$DISCOVERY" = eureka ] && [ ! -f eureka-test-server/target/eureka-test-server.jar ]; }; then
  ./mvnw -B -q -DskipTests package
fi
[ -d reliability/node_modules ] || npm ci --no-audit --no-fund --prefix reliability >/dev/null

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

pids=()
cleanup() {
  for p in "${pids[@]}" ${inst_pid[@]+"${inst_pid[@]}"} ${eureka_pid:-}; do
    kill -CONT "$p" 2>/dev/null || true
    kill "$p" 2>/dev/null || true
  done
}
trap cleanup EXIT

declare -a inst_port inst_pid
start_instance() {
  local i=$1
  node reliability/echo.js "${inst_port[$i]}" ${eureka_url:+"$eureka_url" SOAK "soak-$i"} >>"$out/instance-$i.log" 2>&1 &
  inst_pid[$i]=$!
  for _ in $(seq 1 100); do
    grep -q "READY" "$out/instance-$i.log" 2>/dev/null && return 0
    sleep 0.1
  done
}
eureka_url=
eureka_pid=
start_eureka() {
  "$JAVA_HOME/bin/java" -XX:TieredStopAtLevel=1 -Xmx256m -jar eureka-test-server/target/eureka-test-server.jar \
    --server.port="$eureka_port" --server.address=127.0.0.1 --eureka.client.service-url.defaultZone="$eureka_url/" \
    >>"$out/eureka.log" 2>&1 &
  eureka_pid=$!
}
eureka_up() {
  curl -fs -H 'Accept: application/json' "$eureka_url/apps" >/dev/null 2>&1
}
if [ "$DISCOVERY" = eureka ]; then
  eureka_port=$(free_port)
  eureka_url="http://127.0.0.1:$eureka_port/eureka"
  start_eureka
  for _ in $(seq 1 600); do eureka_up && break; sleep 0.1; done
  eureka_up || { echo "SOAK FAILED: the Eureka server did not start (see $out/eureka.log)"; exit 1; }
fi
config="$out/gateway.yaml"
gw_port=$(free_port)
{
  echo "server:"
  echo "  port: $gw_port"
  echo "  host: 127.0.0.1"
  echo "demo:"
  echo "  echo:"
  echo "    enabled: false"
  echo "gateway:"
  echo "  relay:"
  echo "    ping-interval: PT${PING}S"
  echo "    pong-timeout: PT${PING}S"
  echo "  security:"
  echo "    limits:"
  echo "      handshake-rate: 0"
  echo "      max-sessions-per-client: 0"
  echo "discovery:"
  for i in $(seq 0 $((INSTANCES - 1))); do inst_port[$i]=$(free_port); done
  if [ "$DISCOVERY" = eureka ]; then
    echo "  type: eureka"
    echo "  eureka:"
    echo "    service-url: $eureka_url/"
    echo "    fetch-interval: PT1S"
  else
    echo "  type: static"
    echo "  static:"
    echo "    services:"
    echo "      - serviceId: soak"
    echo "        instances:"
    for i in $(seq 0 $((INSTANCES - 1))); do
      echo "          - host: 127.0.0.1"
      echo "            port: ${inst_port[$i]}"
      echo "            metadata-map:"
      echo "              apiml.routes.ws_v1.gatewayUrl: ws/v1"
      echo "              apiml.routes.ws_v1.serviceUrl: /soak"
    done
  fi
} >"$config"
for i in $(seq 0 $((INSTANCES - 1))); do
  : >"$out/instance-$i.log"
  start_instance "$i"
done

"$JAVA_HOME/bin/java" ${SOAK_JAVA_OPTS:--Xms256m -Xmx1g} -jar app/target/wsgateway.jar "$config" >"$out/gateway.log" 2>&1 &
gw_pid=$!
pids+=("$gw_pid")
for _ in $(seq 1 300); do
  curl -fs "http://127.0.0.1:$gw_port/application/health/ready" >/dev/null 2>&1 && break
  sleep 0.1
done
if [ "$DISCOVERY" = eureka ]; then
  # the gateway sees every instance before the load starts
  for _ in $(seq 1 300); do
    [ "$(curl -fs "http://127.0.0.1:$gw_port/application/instances" | grep -o '"discoveryStatus":"UP"' | wc -l)" -ge "$INSTANCES" ] && break
    sleep 0.1
  done
fi

resources() {  # fds threads heap_used_kb
  "$JAVA_HOME/bin/jcmd" "$gw_pid" GC.run >/dev/null
  sleep 1
  local fds threads heap
  fds=$(ls /proc/"$gw_pid"/fd | wc -l)
  threads=$(awk '/^Threads:/ {print $2}' /proc/"$gw_pid"/status)
  heap=$("$JAVA_HOME/bin/jcmd" "$gw_pid" GC.heap_info | sed -n '0,/.* used \([0-9]*\)K.*/s//\1/p')
  echo "$fds $threads $heap"
}

echo "soak: ${DURATION}s, $SESSIONS sessions, $INSTANCES instances, gateway pid $gw_pid port $gw_port"
node reliability/driver.js "ws://127.0.0.1:$gw_port/ws/v1/soak/s" "$SESSIONS" "$DURATION" "$WARMUP" 1 \
  "$out/summary.json" >"$out/driver.log" 2>&1 &
driver=$!
pids+=("$driver")
until grep -q WARM "$out/driver.log" 2>/dev/null; do sleep 0.2; done
read -r base_fds base_threads base_heap < <(resources)
echo "baseline after warm-up: fds $base_fds, threads $base_threads, heap after GC ${base_heap} KiB"

# instance (and registry) faults at random moments until the driver's duration is over
kills=0; stops=0; outs=0; eureka_restarts=0; last_kill=-1000; last_eureka=$SECONDS
fault_end=$((SECONDS + DURATION - WARMUP - 5))
first_eureka=$((SECONDS + (DURATION - WARMUP - 5) / 3))   # one restart of the registry in every run, a third in
while [ $SECONDS -lt $fault_end ] && kill -0 "$driver" 2>/dev/null; do
  sleep $((2 + RANDOM % 5))
  i=$((RANDOM % INSTANCES))
  fault=$((RANDOM % 10))
  # the first three are one of each kind (kill, OUT_OF_SERVICE with Eureka, stop), so that every run has them
  case $((kills + outs + stops + eureka_restarts)) in 0) fault=0 ;; 1) fault=6 ;; 2) fault=3 ;; esac
  if [ "$DISCOVERY" = eureka ] && eureka_up && { [ "$eureka_restarts" -eq 0 ] && [ $SECONDS -ge "$first_eureka" ] \
      || { [ "$fault" -eq 9 ] && [ $((SECONDS - last_eureka)) -ge "$EUREKA_GAP" ]; }; }; then
    # the registry goes away and comes back empty: instances and the gateway register again on their next heartbeat
    last_eureka=$SECONDS
    kill -9 "$eureka_pid" 2>/dev/null || true
    wait "$eureka_pid" 2>/dev/null || true
    eureka_restarts=$((eureka_restarts + 1))
    sleep "$((1 + RANDOM % 3))"
    start_eureka
  elif [ "$DISCOVERY" = eureka ] && [ "$fault" -ge 6 ] && eureka_up; then
    curl -fs -X PUT "$eureka_url/apps/SOAK/soak-$i/status?value=OUT_OF_SERVICE" >/dev/null 2>&1 || true
    outs=$((outs + 1))
    sleep "$((2 + RANDOM % 4))"
    curl -fs -X DELETE "$eureka_url/apps/SOAK/soak-$i/status?value=UP" >/dev/null 2>&1 || true
  elif [ "$fault" -lt 3 ] && [ $((SECONDS - last_kill)) -ge "$KILL_GAP" ]; then
    last_kill=$SECONDS
    kill -9 "${inst_pid[$i]}" 2>/dev/null || true
    wait "${inst_pid[$i]}" 2>/dev/null || true
    kills=$((kills + 1))
    sleep "0.$((RANDOM % 10))"
    start_instance "$i"
  else
    kill -STOP "${inst_pid[$i]}"
    stops=$((stops + 1))
    sleep "$((RANDOM % (STOP_MAX + 1))).$((RANDOM % 10))"
    kill -CONT "${inst_pid[$i]}"
  fi
done
rc=0
wait "$driver" || rc=$?
sleep 3
sessions=$(curl -fs "http://127.0.0.1:$gw_port/application/websockets" | tr -d ' \n')
active=$(curl -fs "http://127.0.0.1:$gw_port/application/metrics" | awk '/^wsgateway_sessions_active[ {]/ && !seen {print $NF; seen=1}')
read -r fds threads heap < <(resources)
{
  echo "instance faults: kill -9 + restart $kills (at least ${KILL_GAP}s apart), SIGSTOP/SIGCONT $stops (up to ${STOP_MAX}.9s)"
  [ "$DISCOVERY" != eureka ] || echo "registry faults (Eureka): OUT_OF_SERVICE and back $outs, Eureka server restarts $eureka_restarts"
  echo "baseline: fds $base_fds threads $base_threads heap_kib $base_heap"
  echo "end:      fds $fds threads $threads heap_kib $heap"
  echo "session list: $sessions; wsgateway_sessions_active: $active"
} | tee "$out/resources.txt"
# the accounting, without the lists of examples (they stay in summary.json)
node -e "const s=require(process.argv[1]); delete s.undocumentedEnds; delete s.gaps; console.log(JSON.stringify(s))" "$(pwd)/$out/summary.json"
fail=()
[ "$rc" -eq 0 ] || fail+=("driver found losses (summary.json)")
[ "$sessions" = "[]" ] || fail+=("session list not empty")
[ "${active%.0}" = "0" ] || fail+=("wsgateway_sessions_active $active")
[ "$fds" -le $((base_fds + MARGIN_FDS)) ] || fail+=("fds $fds > $base_fds + $MARGIN_FDS")
[ "$threads" -le $((base_threads + MARGIN_THREADS)) ] || fail+=("threads $threads > $base_threads + $MARGIN_THREADS")
[ "$heap" -le $((base_heap + MARGIN_HEAP_MB * 1024)) ] || fail+=("heap ${heap} KiB > baseline + ${MARGIN_HEAP_MB} MiB")
if [ ${#fail[@]} -gt 0 ]; then
  printf 'SOAK FAILED: %s\n' "${fail[@]}"
  exit 1
fi
echo "SOAK PASSED"
