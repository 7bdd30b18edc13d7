#!/usr/bin/env bash
# What one WebSocket session open costs the gateway, step by step (bench/notes/opens.md).
#
#   bench/open-profile.sh                       # the jar in app/target, 3 measured rounds + 3 JFR rounds
#   JARS="/tmp/a/wsgateway.jar /tmp/b/wsgateway.jar" PASSES=2 bench/open-profile.sh   # before/after, a b a b
#   (a copied jar needs its libs/ directory beside it)
#
# Each pass, for each jar: a fresh upstream-less gateway (the flags ./run.sh uses) on UP_PORT's Node `ws` echo
# upstream, WARM sessions opened and closed (N at a time), then ROUNDS rounds of N sessions opened with CONC
# handshakes outstanding (kept open until all are open, then closed): gateway CPU (/proc utime+stime) per open and
# opens/s; then one round under perf stat for the syscalls per open (when perf is there; its CPU is not counted). Then JFR_ROUNDS more rounds under JFR (CPU-time samples) cut to the
# open window and aggregated by step (bench/lib/open-steps.py). A direct round against the upstream gives the
# open-rate ratio.
# Knobs: N=2000 CONC=150 ROUNDS=3 WARM=10000 PASSES=1 JFR=1 JFR_ROUNDS=3 PERF=1 GW_PORT=9314 UP_PORT=9311 MAX_MINUTES=15
# Output: bench/results/opens-<UTC time>/ (rounds.jsonl, steps-*.md, *.jfr, gateway logs).
set -euo pipefail
BENCH="$(cd "$(dirname "$0")" && pwd)"
PROJECT="$(cd "$BENCH/.." && pwd)"
N="${N:-2000}" CONC="${CONC:-150}" ROUNDS="${ROUNDS:-3}" WARM="${WARM:-10000}" PASSES="${PASSES:-1}"
JFR="${JFR:-1}" JFR_ROUNDS="${JFR_ROUNDS:-3}" PERF="${PERF:-1}" GW_PORT="${GW_PORT:-9314}" UP_PORT="${UP_PORT:-9311}" MAX_MINUTES="${MAX_MINUTES:-15}"
JDK="${JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}"
JARS="${JARS:-$PROJECT/app/target/wsgateway.jar}"
OUT="${OUTDIR:-$BENCH/results/opens-$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$OUT"
source "$PROJECT/scripts/gateway-flags.sh"
command -v perf >/dev/null || PERF=0
[[ -d "$BENCH/node_modules/ws" ]] || (cd "$BENCH" && npm ci --no-audit --no-fund >/dev/null)
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

UP='' GW=''
stopit() { local p=$1; [[ -z "$p" ]] && return 0; kill -TERM "$p" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done; kill -KILL "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; }
trap 'for p in $GW; do stopit "$p"; done; stopit "$UP"; kill "$WD" 2>/dev/null || true' EXIT
( exec >/dev/null 2>&1; sleep $((MAX_MINUTES * 60)) & s=$!; trap 'kill $s; exit 0' TERM; wait $s; kill -TERM $$ ) & WD=$!
wait_port() { for _ in $(seq 600); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }

source "$BENCH/lib/gateway-yaml.sh"
gateway_yaml "$OUT/gateway.yaml" "$GW_PORT" "$UP_PORT" unlimited
"$JDK/bin/jfr" configure --input profile 'jdk.CPUTimeSample#enabled=true' 'jdk.CPUTimeSample#throttle=1ms' \
  --output "$OUT/cpu.jfc" >/dev/null
setsid node "$BENCH/lib/echo-upstream.js" "$UP_PORT" >"$OUT/upstream.log" 2>&1 & UP=$!
wait_port "$UP_PORT"
echo "java $("$JDK/bin/java" -version 2>&1 | head -1); flags $GATEWAY_HEAP_FLAGS $GATEWAY_CARRIER_FLAGS; N=$N CONC=$CONC; load $(cat /proc/loadavg)" | tee "$OUT/env.txt"
opens() { node "$BENCH/lib/opens.js" --conns "$N" --concurrency "$CONC" "$@"; }

# All gateways run at once (jar k on GW_PORT+k-1) and the rounds alternate between them, so that each sees the same
# machine: CPU per open moves with the load of other processes (a starved gateway finds more work per wake-up).
declare -A GWS=()
k=0
for jar in $JARS; do
  k=$((k + 1)); port=$((GW_PORT + k - 1))
  sed "s/port: $GW_PORT/port: $port/" "$OUT/gateway.yaml" >"$OUT/gateway-jar$k.yaml"
  # shellcheck disable=SC2086
  setsid "$JDK/bin/java" $GATEWAY_HEAP_FLAGS $GATEWAY_CARRIER_FLAGS -jar "$jar" "$OUT/gateway-jar$k.yaml" \
    >>"$OUT/gateway-jar$k.log" 2>&1 & GWS[$k]=$!
  GW="${GWS[*]}"
  wait_port "$port" || { echo "the gateway ($jar) did not start: $OUT/gateway-jar$k.log" >&2; exit 1; }
done
NJ=$k
url() { echo "ws://127.0.0.1:$((GW_PORT + $1 - 1))/ws/v1/echo/$2"; }
# JIT and pools warm: CPU per open still falls after the first few thousand opens
for _ in $(seq $(( (WARM + N - 1) / N ))); do
  for k in $(seq "$NJ"); do opens --url "$(url "$k" warm)" --proxy-pid "${GWS[$k]}" >/dev/null; done
done
for pass in $(seq "$PASSES"); do
  for r in $(seq "$ROUNDS"); do
    for k in $(seq "$NJ"); do
      line=$(opens --url "$(url "$k" o)" --proxy-pid "${GWS[$k]}")
      echo "{\"jar\":\"jar$k\",\"pass\":$pass,\"round\":$r,\"res\":$line}" | tee -a "$OUT/rounds.jsonl"
    done
  done
  line=$(opens --url "ws://127.0.0.1:$UP_PORT/ws/v1/echo/direct")
  echo "{\"jar\":\"direct\",\"pass\":$pass,\"round\":1,\"res\":$line}" | tee -a "$OUT/rounds.jsonl"
done
for k in $(seq "$NJ"); do
  if [[ $PERF == 1 ]]; then
    # its own round: tracing every syscall adds CPU, which the rounds above must not count
    line=$(opens --url "$(url "$k" o)" --proxy-pid "${GWS[$k]}" --perf-by-call)
    echo "{\"jar\":\"jar$k\",\"round\":\"perf\",\"res\":$line}" | tee -a "$OUT/rounds.jsonl"
  fi
  if [[ $JFR == 1 ]]; then
    # CPU-time samples come at most every 4 ms of a thread's CPU (the kernel tick): several rounds for enough of them
    "$JDK/bin/jcmd" "${GWS[$k]}" JFR.start name=opens settings="$OUT/cpu.jfc" filename="$OUT/jar$k.jfr" >/dev/null
    : >"$OUT/windows-jar$k.jsonl"
    for r in $(seq "$JFR_ROUNDS"); do
      line=$(opens --url "$(url "$k" o)" --proxy-pid "${GWS[$k]}")
      echo "$line" >>"$OUT/windows-jar$k.jsonl"
      echo "{\"jar\":\"jar$k\",\"round\":\"jfr\",\"res\":$line}" | tee -a "$OUT/rounds.jsonl"
    done
    "$JDK/bin/jcmd" "${GWS[$k]}" JFR.stop name=opens >/dev/null
    python3 "$BENCH/lib/open-steps.py" "$OUT/jar$k.jfr" --windows "$OUT/windows-jar$k.jsonl" --jfr "$JDK/bin/jfr" \
      >"$OUT/steps-jar$k.md" || echo "open-steps failed" >&2
  fi
done
for k in $(seq "$NJ"); do stopit "${GWS[$k]}"; done
GW=''
python3 - "$OUT/rounds.jsonl" <<'EOF' | tee "$OUT/summary.md"
import json, statistics, sys, collections
rows = [json.loads(l) for l in open(sys.argv[1])]
by = collections.defaultdict(list)
sys_ = collections.defaultdict(list)
for r in rows:
    if r['round'] == 'perf':
        sys_[r['jar']].append(r['res']['syscalls_per_open'])
    elif r['round'] != 'jfr':
        by[r['jar']].append(r['res'])
print('| target | rounds | CPU µs/open (median) | opens/s (median) | syscalls/open | failed |')
print('|---|---|---|---|---|---|')
for k, v in by.items():
    med = lambda key: statistics.median([x[key] for x in v if x.get(key) is not None]) if any(x.get(key) is not None for x in v) else None
    sc = [x for x in sys_.get(k, []) if x is not None]
    print(f"| {k} | {len(v)} | {med('cpu_us_per_open')} | {med('open_per_s')} | {statistics.median(sc) if sc else None} | {sum(x['failed'] for x in v)} |")
for r in rows:
    if r['round'] == 'perf' and r['res'].get('syscalls_by_call'):
        print(f"\n{r['jar']} syscalls per open: " + ', '.join(f'{k} {v}' for k, v in r['res']['syscalls_by_call'].items()))
EOF
