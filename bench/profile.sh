#!/usr/bin/env bash
# Profile the gateway: JFR (CPU-time samples, allocation) under 1-conn ping-pong, 1 KiB throughput and 1 MiB,
# and live heap per idle session (jcmd GC.class_histogram at 0 and at N sessions).
#
#   bench/profile.sh                  # DUR=15 WARM=4 N=5000
# Output: bench/results/profile-<UTC time>/ (tput1k.jfr, large1m.jfr, *.md reports, histograms).
# Starts its own upstream (9001) and gateway (9104): do not run it while run.sh is running.
set -euo pipefail
BENCH="$(cd "$(dirname "$0")" && pwd)"
PROJECT="$(cd "$BENCH/.." && pwd)"
DUR="${DUR:-15}"
WARM="${WARM:-4}"
N="${N:-5000}"
JDK="${JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}"
GATEWAY_HEAP="${GATEWAY_HEAP:--Xms128m -Xmx1g -Xmn32m}"
OUT="${OUTDIR:-$BENCH/results/profile-$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$OUT"
JAR="$PROJECT/app/target/wsgateway.jar"
[[ -f "$JAR" ]] || (cd "$PROJECT" && JAVA_HOME="$JDK" ./mvnw -q -B package -DskipTests -pl app -am)
[[ -d "$BENCH/node_modules/ws" ]] || (cd "$BENCH" && npm ci --no-audit --no-fund >/dev/null)
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

UP= GW=
stopit() { local p=$1; [[ -z "$p" ]] && return 0; kill -TERM "$p" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done; kill -KILL "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; }
trap 'stopit "$GW"; stopit "$UP"' EXIT
wait_port() { for _ in $(seq 600); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }

node "$BENCH/lib/echo-upstream.js" 9001 >"$OUT/upstream.log" 2>&1 & UP=$!
wait_port 9001
start_gateway() {
  # shellcheck disable=SC2086
  "$JDK/bin/java" $GATEWAY_HEAP ${EXTRA_OPTS:-} -XX:StartFlightRecording:settings=profile,filename="$OUT/startup.jfr",maxage=1m \
    -jar "$JAR" "$BENCH/conf/gateway.yaml" >>"$OUT/gateway.log" 2>&1 & GW=$!
  wait_port 9104
}
lg() { node "$BENCH/lib/loadgen.js" --target gateway --url ws://127.0.0.1:9104/ws/v1/echo/prof --upstream-pid "$UP" --proxy-pid "$GW" "$@"; }
echo "java: $("$JDK/bin/java" -version 2>&1 | head -1), flags $GATEWAY_HEAP, loadavg $(cat /proc/loadavg)" | tee "$OUT/env.txt"

start_gateway
lg --mode load --conns 50 --inflight 16 --size 1024 --binary --duration 5 --warmup 2 --tag warm >/dev/null
for s in lat1 tput1k large1m; do
  case $s in
    lat1) args=(--conns 1 --inflight 1 --size 64 --text) ;;
    tput1k) args=(--conns 50 --inflight 16 --size 1024 --binary) ;;
    large1m) args=(--conns 4 --inflight 1 --size 1048576 --binary) ;;
  esac
  lg --mode load "${args[@]}" --duration "$DUR" --warmup "$WARM" --tag "$s" >"$OUT/$s.json" &
  LG=$!
  sleep "$WARM"
  "$JDK/bin/jcmd" "$GW" JFR.start name="$s" settings=profile duration="${DUR}s" filename="$OUT/$s.jfr" \
    'jdk.CPUTimeSample#enabled=true' 'jdk.CPUTimeSample#throttle=2ms' >/dev/null  # JDK 25: samples native time too
  wait "$LG" || true
  sleep 2
  msgs=$(node -p "const r=require('$OUT/$s.json'); 2*r.msgs")
  echo "$s: $(node -p "const r=require('$OUT/$s.json'); r.msgs_per_s+' msg/s, proxy '+r.cpu.proxy_pct+'% CPU, '+r.cpu.proxy_us_per_msg+' us/msg, other '+r.cpu.other_pct+'%'")" | tee -a "$OUT/env.txt"
  python3 "$BENCH/lib/jfr-top.py" "$OUT/$s.jfr" --msgs "$msgs" --jfr "$JDK/bin/jfr" >"$OUT/$s.md"
  "$JDK/bin/jfr" summary "$OUT/$s.jfr" >"$OUT/$s-summary.txt"
done

# idle sessions: fresh gateway, a few sessions opened and closed (classes loaded, JIT warm), then 0 vs N
stopit "$GW"; GW=
EXTRA_OPTS=-XX:NativeMemoryTracking=summary start_gateway
lg --mode capacity --conns 200 --sample 10 --tag warm >/dev/null
sleep 2
"$JDK/bin/jcmd" "$GW" GC.class_histogram >"$OUT/histo-0.txt"
"$JDK/bin/jcmd" "$GW" Thread.print >/dev/null 2>&1 || true
lg --mode capacity --conns "$N" --sample 100 --tag "cap$N" \
  --at-n "$JDK/bin/jcmd $GW GC.class_histogram > $OUT/histo-$N.txt; $JDK/bin/jcmd $GW VM.native_memory summary > $OUT/nmt-$N.txt 2>&1; true" >"$OUT/cap$N.json"
python3 "$BENCH/lib/histo-diff.py" "$OUT/histo-0.txt" "$OUT/histo-$N.txt" "$N" --top 25 >"$OUT/idle-heap.md"
echo "cap$N: $(node -p "const r=require('$OUT/cap$N.json'); r.opened+' opened, '+r.open_per_s+'/s, RSS/session '+r.proxy_rss_kib_per_session+' KiB, '+r.proxy_cpu_us_per_open+' us CPU/open'")" | tee -a "$OUT/env.txt"
echo "reports in $OUT"
