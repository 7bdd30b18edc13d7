#!/usr/bin/env bash
# CPU of the real gateway per session open with TLS on both legs, by server key type (RSA 2048, EC P-256), full
# handshakes vs client session resumption, plus the same opens on plain ws for the baseline. For each key type: a lab
# certificate, the wss echo upstream and the gateway (bench/tls/gateway-tls.yaml, the flags ./run.sh uses) on their
# own ports, then GatewayOpens.java (N sequential opens, gateway CPU from /proc/<pid>/stat).
#   N=500 WARM=1000 KEYS="rsa2048 ec256" bench/tls-handshake/gateway-opens.sh
#   GATEWAY_EXTRA="-XX:StartFlightRecording=filename=/tmp/gw-%p.jfr,settings=profile" ...   (extra gateway JVM flags)
# Ports (not the bench's, so that a bench run elsewhere does not collide): upstream 9472/9471, gateway 9474.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
BENCH="$(cd "$HERE/.." && pwd)"
PROJECT="$(cd "$BENCH/.." && pwd)"
N="${N:-500}" WARM="${WARM:-1000}" KEYS="${KEYS:-rsa2048 ec256}" GATEWAY_EXTRA="${GATEWAY_EXTRA:-}"
JAVA="${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}"
source "$PROJECT/scripts/gateway-flags.sh"
JAR="$PROJECT/app/target/wsgateway.jar"
OUT="${OUT:-$(mktemp -d /tmp/gateway-opens.XXXXXX)}"; mkdir -p "$OUT"
PIDS=()
stop_all() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; PIDS=(); }
trap stop_all EXIT
wait_port() { for _ in $(seq 600); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }
for p in 9471 9472 9474; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "port $p is busy" >&2; exit 1; fi
done
opens() { timeout 300 "$JAVA" "$HERE/GatewayOpens.java" "$@" | tee -a "$OUT/results.txt"; }

echo "# $(date -u +%FT%TZ) loadavg $(cat /proc/loadavg); gateway $(cd "$PROJECT" && git rev-parse --short HEAD); N=$N WARM=$WARM" \
  | tee "$OUT/results.txt"
# plain ws baseline
node "$BENCH/lib/echo-upstream.js" 9471 >"$OUT/upstream-plain.log" 2>&1 & PIDS+=($!)
wait_port 9471
sed 's/port: 9104/port: 9474/; s/port: 9001/port: 9471/' "$BENCH/conf/gateway.yaml" >"$OUT/gateway-plain.yaml"
# shellcheck disable=SC2086
"$JAVA" $GATEWAY_HEAP_FLAGS $GATEWAY_CARRIER_FLAGS $GATEWAY_EXTRA -jar "$JAR" "$OUT/gateway-plain.yaml" >"$OUT/gateway-plain.log" 2>&1 &
PIDS+=($!); gw=$!
wait_port 9474
opens "ws://127.0.0.1:9474/ws/v1/echo/bench" "$gw" "$N" full TLSv1.3 "$WARM"
stop_all
for key in $KEYS; do
  dir="$OUT/$key"
  JAVA="$JAVA" "$BENCH/tls/make-certs.sh" "$dir" "$key"
  node "$BENCH/tls/echo-wss.js" 9472 "$dir" >"$OUT/upstream-$key.log" 2>&1 & PIDS+=($!)
  wait_port 9472
  sed "s#TLS_DIR#$dir#g; s/port: 9204/port: 9474/; s/port: 9002/port: 9472/" "$BENCH/tls/gateway-tls.yaml" >"$dir/gateway.yaml"
  # shellcheck disable=SC2086
  "$JAVA" $GATEWAY_HEAP_FLAGS $GATEWAY_CARRIER_FLAGS $GATEWAY_EXTRA -jar "$JAR" "$dir/gateway.yaml" >"$OUT/gateway-$key.log" 2>&1 &
  PIDS+=($!); gw=$!
  wait_port 9474
  echo "## $key: $(openssl x509 -noout -text -in "$dir/cert.pem" | grep -m1 'Public Key Algorithm' | sed 's/^ *//')" | tee -a "$OUT/results.txt"
  for proto in TLSv1.3 TLSv1.2; do
    for mode in full resume; do
      opens "wss://127.0.0.1:9474/ws/v1/echo/bench" "$gw" "$N" "$mode" "$proto" "$WARM"
    done
  done
  stop_all
  echo "upstream (the gateway's client side towards it): $(tail -n 1 "$OUT/upstream-$key.log")" | tee -a "$OUT/results.txt"
done
echo "results: $OUT/results.txt"
