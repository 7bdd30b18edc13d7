#!/usr/bin/env bash
# Bytes the gateway allocates per relayed message, and where, under lat50 (50 x 64 B ping-pong) and tput1k (50 x 16
# in flight of 1 KiB): a JFR recording of the measured window (jdk.ThreadAllocationStatistics for the total,
# jdk.ObjectAllocationSample for the sites), aggregated by lib/jfr-top.py. Counts, not rates: valid on a busy machine.
#
#   bench/alloc.sh [jar]          # default app/target/wsgateway.jar
# Knobs: GW_PORT=9154 UP_PORT=9051 (clear of run.sh's ports), DUR=8, OPTS="extra JVM flags" (e.g. a config with
# replay off is not needed: REPLAY=off sets gateway.failover.replay-window to 0), SCENARIOS="lat50 tput1k".
# Output: bench/results/alloc-<UTC time>/<scenario>.md
set -euo pipefail
BENCH="$(cd "$(dirname "$0")" && pwd)"
source "$BENCH/../scripts/java-env.sh"
source "$BENCH/../scripts/gateway-flags.sh"
JAR="$(realpath "${1:-$BENCH/../app/target/wsgateway.jar}")"
GW_PORT="${GW_PORT:-9154}"; UP_PORT="${UP_PORT:-9051}"; DUR="${DUR:-8}"
OUT="${OUTDIR:-$BENCH/results/alloc-$(date -u +%Y%m%dT%H%M%SZ)}"
mkdir -p "$OUT"
[[ -d "$BENCH/node_modules/ws" ]] || (cd "$BENCH" && npm ci --no-audit --no-fund >/dev/null)
source "$BENCH/lib/gateway-yaml.sh"
gateway_yaml "$OUT/gateway.yaml" "$GW_PORT" "$UP_PORT"
if [[ "${REPLAY:-on}" == off ]]; then
  printf '  failover: {replay-window: PT0S}\n' >> "$OUT/gateway.yaml"
fi
UP= GW=
stopit() { [[ -n "$1" ]] && { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }; return 0; }
trap 'stopit "$GW"; stopit "$UP"' EXIT
wait_port() { for _ in $(seq 300); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }
node "$BENCH/lib/echo-upstream.js" "$UP_PORT" >"$OUT/upstream.log" 2>&1 & UP=$!
wait_port "$UP_PORT"
# shellcheck disable=SC2086
"$JAVA_HOME/bin/java" $GATEWAY_HEAP_FLAGS $GATEWAY_CARRIER_FLAGS ${OPTS:-} -jar "$JAR" "$OUT/gateway.yaml" \
  >"$OUT/gateway.log" 2>&1 & GW=$!
wait_port "$GW_PORT"
lg() { node "$BENCH/lib/loadgen.js" --target gateway --url "ws://127.0.0.1:$GW_PORT/ws/v1/echo/alloc" \
  --upstream-pid "$UP" --proxy-pid "$GW" "$@"; }
lg --mode load --conns 50 --inflight 16 --size 1024 --binary --duration 6 --warmup 2 --tag warm >/dev/null
for s in ${SCENARIOS:-lat50 tput1k}; do
  case $s in
    lat50) args=(--conns 50 --inflight 1 --size 64 --text) ;;
    tput1k) args=(--conns 50 --inflight 16 --size 1024 --binary) ;;
  esac
  lg --mode load "${args[@]}" --duration "$DUR" --warmup 2 --tag "$s" >"$OUT/$s.json" & LG=$!
  sleep 2
  "$JAVA_HOME/bin/jcmd" "$GW" JFR.start name="$s" settings=profile duration="${DUR}s" filename="$OUT/$s.jfr" \
    'jdk.SocketRead#enabled=false' 'jdk.SocketWrite#enabled=false' >/dev/null  # their address lookups allocate
  wait "$LG" || true
  sleep 2
  msgs=$(node -p "2*require('$OUT/$s.json').msgs")
  python3 "$BENCH/lib/jfr-top.py" "$OUT/$s.jfr" --msgs "$msgs" --jfr "$JAVA_HOME/bin/jfr" >"$OUT/$s.md"
  echo "$s: $(grep -m1 'Allocation per relayed message' "$OUT/$s.md" || echo 'no allocation line')"
done
echo "reports in $OUT"
