#!/usr/bin/env bash
# Two gateway builds side by side in alternating pairs (A-B, B-A, ...) on ../shared/bench's load generator, for a
# before/after whose difference is smaller than the spread of one build between rounds. Every process (the two
# gateways, the upstream, each load-generator run) runs in its own session (setsid). Prints one line per run:
#   scenario target msgs/s proxy-CPU-us-per-msg p99-ms other-CPU-%
# then the medians and the median of the paired CPU ratios.
#
#   cp -r ../shared/bench /tmp/sbench && (cd /tmp/sbench && npm install)
#   SBENCH=/tmp/sbench JAR_A=app/target/wsgateway.jar JAR_B=/path/to/before/wsgateway.jar bench/ab-pairs.sh
#
# Knobs: N=10 pairs for lat50 and tput, NL=6 for large, DUR=6 s per run, SCENARIOS="lat50 tput large";
# OPTS_A / OPTS_B: JVM flags added to one build's (the same jar twice compares flags); YAML_B: lines appended to B's
# configuration under `gateway:` (e.g. YAML_B="  failover: {replay-window: PT0S}" compares replay off). The gateways get ./run.sh's
# flags and the bench's static route (echo -> 127.0.0.1:9001, /ws/v1/echo) on ports 9104 (A) and 9105 (B).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../scripts/java-env.sh"
: "${SBENCH:?set SBENCH to a writable copy of ../shared/bench with npm install done}"
JAR_A="$(realpath "${JAR_A:?}")"; JAR_B="$(realpath "${JAR_B:?}")"
N="${N:-10}"; NL="${NL:-6}"; DUR="${DUR:-6}"
OUT="${OUT:-$(mktemp -d /tmp/ab-pairs.XXXX)}"
J="$JAVA_HOME/bin/java -Xms128m -Xmx1g -Xmn32m -Djdk.virtualThreadScheduler.parallelism=1"
source "$HERE/lib/gateway-yaml.sh"
for port in 9104 9105; do gateway_yaml "$OUT/gateway-$port.yaml" "$port" 9001; done
if [[ -n "${YAML_B:-}" ]]; then printf '%s\n' "$YAML_B" >> "$OUT/gateway-9105.yaml"; fi
cd "$SBENCH"; export BENCH_RUN="$SBENCH/run"
./peers.sh start upstream >/dev/null
setsid $J ${OPTS_A:-} -jar "$JAR_A" "$OUT/gateway-9104.yaml" > "$OUT/gateway-a.log" 2>&1 & A=$!
setsid $J ${OPTS_B:-} -jar "$JAR_B" "$OUT/gateway-9105.yaml" > "$OUT/gateway-b.log" 2>&1 & B=$!
trap 'kill $A $B 2>/dev/null; ./peers.sh stop >/dev/null 2>&1 || true' EXIT
sleep 6
U=$(cat run/upstream.pid)
one() { # target, then wsbench arguments
  local t=$1 pid port; shift
  if [[ $t == A ]]; then pid=$A; port=9104; else pid=$B; port=9105; fi
  setsid -w node loadgen/wsbench.js --target "$t" --url "ws://127.0.0.1:$port/ws/v1/echo/bench" --pids "$pid" \
      --upstream-pid "$U" "$@" 2>/dev/null | tail -1 | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{
        try { const r = JSON.parse(s); console.log(r.msgs_per_s, r.cpu.proxy_cpu_us_per_msg, r.rtt_ms.p99, r.cpu.other_pct); }
        catch (e) { console.log("ERR"); } })'
}
for t in A B; do one $t --scenario throughput --tag tput --conns 50 --inflight 16 --size 1024 --binary --duration 8 --warmup 2 >/dev/null; done
for sc in ${SCENARIOS:-lat50 tput large}; do
  case $sc in
    lat50) args=(--scenario latency --tag lat50 --conns 50 --size 64 --text); n=$N ;;
    tput)  args=(--scenario throughput --tag tput --conns 50 --inflight 16 --size 1024 --binary); n=$N ;;
    large) args=(--scenario throughput --tag large --conns 4 --inflight 1 --size 1048576 --binary); n=$NL ;;
  esac
  for i in $(seq 1 "$n"); do
    if (( i % 2 )); then order="A B"; else order="B A"; fi
    for t in $order; do echo "$sc $t $(one $t "${args[@]}" --duration "$DUR" --warmup 1)"; done
  done
done | tee "$OUT/pairs.txt"
python3 - "$OUT/pairs.txt" <<'PY'
import statistics as st, sys
rows = [l.split() for l in open(sys.argv[1]) if len(l.split()) == 6]
for sc in ("lat50", "tput", "large"):
    runs = {t: [r for r in rows if r[0] == sc and r[1] == t] for t in "AB"}
    if not runs["A"]:
        continue
    for t, r in runs.items():
        cpu = [float(x[3]) for x in r]
        print(f"{sc} {t}: msgs/s {st.median(float(x[2]) for x in r):.0f}, CPU us/msg {st.median(cpu):.1f} "
              f"[{min(cpu):.1f}-{max(cpu):.1f}], p99 {st.median(float(x[4]) for x in r):.1f} ms")
    ratios = [float(a[3]) / float(b[3]) for a, b in zip(runs["A"], runs["B"])]
    print(f"{sc}: A/B CPU per message, median of {len(ratios)} pairs: {st.median(ratios):.2f}")
PY
echo "results: $OUT"
