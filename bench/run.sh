#!/usr/bin/env bash
# WebSocket gateway benchmark: direct vs nginx vs HAProxy (http and tcp mode) vs the gateway, interleaved rounds, one
# host, loopback only.
#
#   bench/run.sh                      # all scenarios, 3 rounds
#   ROUNDS=2 DUR=8 bench/run.sh
#   SCENARIOS="tput1k large1m" TARGETS="direct gateway" bench/run.sh
#
# Knobs (environment):
#   ROUNDS=3            rounds of the load scenarios (target order rotated each round)
#   DUR=8 WARM=2        seconds measured / warm-up per run
#   SCENARIOS="lat1 lat50 tput1k large1m cap5000 cap9000"
#   TARGETS="direct nginx haproxy haproxytcp gateway"   (haproxytcp: a byte relay, the floor)
#                       nio: bench/nio-relay/NioRelay.java (port 9106), a minimal WebSocket relay on one thread and one
#                       NIO selector (headers parsed, payloads passed), the yardstick of what an event loop costs here;
#                       started as `java NioRelay.java` with NIO_OPTS (default: the gateway's heap flags)
#   SESSIONS=own       each proxy and peer in its own session (setsid): with autogroup scheduling each gets a fair
#                       CPU share, as a service on its own would; SESSIONS=shared runs all in this script's session
#   CAP_ROUNDS=1        rounds of each capacity scenario (each on freshly started proxies)
#   CAP_WARM=1000       sessions opened and closed on each fresh proxy before a capacity run (JIT, pools, young
#                       generation warm: the run then measures what each further session costs); 0 = cold start
#   CAP_HISTO=1         at N sessions: jcmd GC.class_histogram of the gateway (saved in the results dir)
#   JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java   (default: that if present, else java on PATH)
#   GATEWAY_HEAP="-Xms128m -Xmx1g -Xmn32m" (the flags ./run.sh starts the gateway with)
#   GATEWAY_OPTS=...    (extra JVM flags, e.g. -XX:StartFlightRecording=...; default: what ./run.sh adds here,
#                       -Djdk.virtualThreadScheduler.parallelism=1 on 2 CPUs or fewer; GATEWAY_OPTS= for none)
#   JAR_B=/path/to/other/wsgateway.jar  with TARGETS="... gateway gatewayb": a second gateway build (port 9105,
#                       same config and flags) measured in the same interleaved rounds, for before/after comparisons;
#                       GATEWAY_B_OPTS="" adds JVM flags to that one only (for flag A/Bs, JAR_B may be the same jar)
#   OUTDIR=bench/results/<UTC time>   MAX_MINUTES=60 (whole run is killed after this)
#   TLS=1               TLS on both legs: wss client -> target -> wss upstream, one RSA 2048 lab certificate made at
#                       run time (TLS_KEY=rsa3072|ec256|ed25519 for another); other ports, see tls/tls.sh. Default scenarios
#                       then "lat1 lat50 tput1k large1m cap2000"; haproxytcp is dropped
# Output: $OUTDIR/results.jsonl (one line per run), summary.md, env.txt, logs of every process.
set -euo pipefail

BENCH="$(cd "$(dirname "$0")" && pwd)"
PROJECT="$(cd "$BENCH/.." && pwd)"
ROUNDS="${ROUNDS:-3}"
DUR="${DUR:-8}"
WARM="${WARM:-2}"
TLS="${TLS:-0}"
[[ $TLS == 1 ]] && SCENARIOS="${SCENARIOS:-lat1 lat50 tput1k large1m cap2000}"
SCENARIOS="${SCENARIOS:-lat1 lat50 tput1k large1m cap5000 cap9000}"
TARGETS="${TARGETS:-direct nginx haproxy haproxytcp gateway}"
SESSIONS="${SESSIONS:-own}"
CAP_ROUNDS="${CAP_ROUNDS:-1}"
CAP_HISTO="${CAP_HISTO:-1}"
CAP_WARM="${CAP_WARM:-1000}"
# the flags ./run.sh starts the gateway with on this machine
source "$PROJECT/scripts/gateway-flags.sh"
GATEWAY_HEAP="${GATEWAY_HEAP:-$GATEWAY_HEAP_FLAGS}"
GATEWAY_OPTS="${GATEWAY_OPTS-$GATEWAY_CARRIER_FLAGS}"
MAX_MINUTES="${MAX_MINUTES:-60}"
if [[ -z "${JAVA:-}" ]]; then
  if [[ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]]; then JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java; else JAVA=java; fi
fi
JAVA_HOME_FOR_BUILD="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v "$JAVA")")")")}"
JCMD="$(dirname "$(readlink -f "$(command -v "$JAVA")")")/jcmd"
OUTDIR="${OUTDIR:-$BENCH/results/$(date -u +%Y%m%dT%H%M%SZ)}"
RUN="$OUTDIR/run"
mkdir -p "$RUN/tmp"
RESULTS="$OUTDIR/results.jsonl"
: > "$RESULTS"
JAR="$PROJECT/app/target/wsgateway.jar"
JAR_B="${JAR_B:-$JAR}"
GATEWAY_B_OPTS="${GATEWAY_B_OPTS:-}"
NIO_OPTS="${NIO_OPTS-$GATEWAY_HEAP}"

declare -A PORT=([direct]=9001 [nginx]=9101 [haproxy]=9102 [haproxytcp]=9122 [gateway]=9104 [gatewayb]=9105 [nio]=9106)
declare -A PID=()
URL_PATH=/ws/v1/echo/bench
SCHEME=ws
UPSTREAM_CMD=(node "$BENCH/lib/echo-upstream.js" 9001)
NGINX_CONF="$BENCH/conf/nginx.conf" HAPROXY_CONF="$BENCH/conf/haproxy.cfg" GATEWAY_CONF="$BENCH/conf/gateway.yaml"

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" | tee -a "$OUTDIR/run.log" >&2; }

# ---- every process started here is stopped on exit ----
stop() {
  local name=$1 pid=${PID[$1]:-}
  [[ -z "$pid" ]] && return 0
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
  unset "PID[$name]"
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  [[ -n "${WATCHDOG:-}" ]] && kill "$WATCHDOG" 2>/dev/null || true
  for n in gateway gatewayb nio nginx haproxy haproxytcp upstream; do stop "$n"; done
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# watchdog: its own sleep is killed with it, and it holds none of our output open
( exec >/dev/null 2>&1; sleep $((MAX_MINUTES * 60)) & s=$!; trap 'kill $s; exit 0' TERM; wait $s; kill -TERM $$ ) &
WATCHDOG=$!

# ---- prerequisites ----
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
command -v node >/dev/null || { echo "node (>= 18) is required" >&2; exit 1; }
if [[ ! -d "$BENCH/node_modules/ws" ]]; then (cd "$BENCH" && npm ci --no-audit --no-fund >/dev/null); fi
if [[ ! -f "$JAR" && " $TARGETS " == *" gateway"* ]]; then
  log "building the gateway (jar missing)"
  (cd "$PROJECT" && JAVA_HOME="$JAVA_HOME_FOR_BUILD" ./mvnw -q -B package -DskipTests -pl app -am) >"$OUTDIR/build.log" 2>&1
fi
NGINX="$(command -v nginx || ls /usr/sbin/nginx 2>/dev/null || true)"
HAPROXY="$(command -v haproxy || ls /usr/sbin/haproxy 2>/dev/null || true)"
WANT=()
for t in $TARGETS; do
  if [[ $t == haproxy* && -z "$HAPROXY" ]]; then
    log "haproxy is not installed (Debian: apt-get install -y haproxy): skipping the $t target"
    continue
  fi
  if [[ $t == nginx && -z "$NGINX" ]]; then
    log "nginx is not installed (Debian: apt-get install -y nginx-light): skipping the nginx target"
    continue
  fi
  WANT+=("$t")
done
TARGETS="${WANT[*]}"
[[ $TLS == 1 ]] && source "$BENCH/tls/tls.sh"

wait_port() { # port seconds
  for _ in $(seq $(( $2 * 10 ))); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# run a peer in its own session (setsid) unless SESSIONS=shared. Called as `own cmd &`: the function runs in a
# forked subshell, which must exec (setsid does not fork there, not being a group leader), so that $! is the peer's
# pid and stopping it stops the peer, not a wrapper that would leave the peer running
own() { if [[ $SESSIONS == own ]]; then exec setsid "$@"; else exec "$@"; fi; }

start() { # name
  local name=$1
  case $name in
    upstream)
      port_free "${PORT[direct]}" || { log "port ${PORT[direct]} is busy"; exit 1; }
      own "${UPSTREAM_CMD[@]}" >"$RUN/upstream.log" 2>&1 &
      PID[upstream]=$!; wait_port "${PORT[direct]}" 10 ;;
    nginx)
      port_free "${PORT[nginx]}" || { log "port ${PORT[nginx]} is busy"; exit 1; }
      own "$NGINX" -p "$RUN/" -e "$RUN/nginx-error.log" -c "$NGINX_CONF" >"$RUN/nginx.log" 2>&1 &
      PID[nginx]=$!; wait_port "${PORT[nginx]}" 10 ;;
    haproxy|haproxytcp)
      port_free "${PORT[$name]}" || { log "port ${PORT[$name]} is busy"; exit 1; }
      local cfg=$HAPROXY_CONF; [[ $name == haproxytcp ]] && cfg=$BENCH/conf/haproxy-tcp.cfg
      own "$HAPROXY" -db -f "$cfg" >"$RUN/$name.log" 2>&1 &
      PID[$name]=$!; wait_port "${PORT[$name]}" 10 ;;
    gateway)
      port_free "${PORT[gateway]}" || { log "port ${PORT[gateway]} is busy"; exit 1; }
      # shellcheck disable=SC2086
      own "$JAVA" $GATEWAY_HEAP $GATEWAY_OPTS -jar "$JAR" "$GATEWAY_CONF" >>"$RUN/gateway.log" 2>&1 &
      PID[gateway]=$!; wait_port "${PORT[gateway]}" 60 ;;
    gatewayb)
      port_free "${PORT[gatewayb]}" || { log "port ${PORT[gatewayb]} is busy"; exit 1; }
      # shellcheck disable=SC2086
      own "$JAVA" $GATEWAY_HEAP $GATEWAY_OPTS $GATEWAY_B_OPTS -Dserver.port="${PORT[gatewayb]}" -jar "$JAR_B" "$GATEWAY_CONF" \
        >>"$RUN/gatewayb.log" 2>&1 &
      PID[gatewayb]=$!; wait_port "${PORT[gatewayb]}" 60 ;;
    nio)
      port_free 9106 || { log "port 9106 is busy"; exit 1; }
      # shellcheck disable=SC2086
      own "$JAVA" $NIO_OPTS "$BENCH/nio-relay/NioRelay.java" 9106 127.0.0.1:9001 /ws/v1/echo >>"$RUN/nio.log" 2>&1 &
      PID[nio]=$!; wait_port 9106 60 ;;
  esac || { log "$name did not start (see $RUN/$name.log)"; exit 1; }
  log "started $name pid ${PID[$name]}"
}

loadgen() { # target scenario round args...
  local target=$1 tag=$2 round=$3; shift 3
  local proxy=()
  [[ $target != direct ]] && proxy=(--proxy-pid "${PID[$target]}")
  timeout 300 node "$BENCH/lib/loadgen.js" --target "$target" --tag "$tag" --round "$round" \
    --url "$SCHEME://127.0.0.1:${PORT[$target]}$URL_PATH" --upstream-pid "${PID[upstream]}" "${proxy[@]}" "$@" \
    >>"$RESULTS" 2>>"$OUTDIR/loadgen.err" || log "  $tag $target round $round: not ok (rc $?)"
  tail -n 1 "$RESULTS" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s);
    const x=r.msgs_per_s!=null?`${r.msgs_per_s} msg/s p99 ${r.rtt_ms&&r.rtt_ms.p99} ms proxy ${r.cpu.proxy_us_per_msg} us/msg other ${r.cpu.other_pct}%`
      :r.open_per_s!=null?`${r.opened}/${r.conns} open ${r.open_per_s}/s rss/session ${r.proxy_rss_kib_per_session} KiB sample ${r.sample_ok}/${r.sample}`:JSON.stringify(r.results||r.error);
    console.error(`  ${r.scenario} ${r.target} r${r.round}: ${r.ok?"ok":"FAIL"} ${x}`)})' 2>&1 | tee -a "$OUTDIR/run.log" >&2
}

scenario_args() {
  case $1 in
    lat1)    echo "--mode load --conns 1 --inflight 1 --size 64 --text --duration $DUR --warmup $WARM" ;;
    lat50)   echo "--mode load --conns 50 --inflight 1 --size 64 --text --duration $DUR --warmup $WARM" ;;
    tput1k)  echo "--mode load --conns 50 --inflight 16 --size 1024 --binary --duration $DUR --warmup $WARM" ;;
    large1m) echo "--mode load --conns 4 --inflight 1 --size 1048576 --binary --duration $DUR --warmup $WARM" ;;
    cap*)    echo "--mode capacity --conns ${1#cap} --open-concurrency 200 --sample 100" ;;
    *) log "unknown scenario $1"; exit 1 ;;
  esac
}

# ---- environment record ----
{
  echo "date: $(date -u +%FT%TZ)"
  echo "host: $(uname -srm), $(nproc) cpus, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "cpu: $(awk -F: '/model name/ {print $2; exit}' /proc/cpuinfo)"
  echo "node: $(node --version), ws $(node -p 'require(process.argv[1]+"/node_modules/ws/package.json").version' "$BENCH")"
  echo "nginx: $([[ -n "$NGINX" ]] && "$NGINX" -v 2>&1 || echo none)"
  echo "haproxy: $([[ -n "$HAPROXY" ]] && "$HAPROXY" -v 2>&1 | head -1 || echo none)"
  echo "processes: SESSIONS=$SESSIONS ($([[ $SESSIONS == own ]] && echo "each peer in its own session (setsid)" || echo "all in one session"))"
  echo "java: $("$JAVA" -version 2>&1 | head -1); gateway flags: $GATEWAY_HEAP $GATEWAY_OPTS"
  echo "gateway: $(cd "$PROJECT" && git rev-parse --short HEAD 2>/dev/null) $(cd "$PROJECT" && git status --porcelain -- app | wc -l) modified files in app/"
  [[ " $TARGETS " == *" gatewayb "* ]] && echo "gatewayb: $JAR_B $GATEWAY_B_OPTS"
  [[ " $TARGETS " == *" nio "* ]] && echo "nio: bench/nio-relay/NioRelay.java $NIO_OPTS"
  echo "fd limit: $(ulimit -n)"
  [[ $TLS == 1 ]] && echo "tls: both legs (wss), lab key $TLS_KEY, $(openssl x509 -noout -text -in "$TLS_DIR/cert.pem" | grep -m1 'Public Key Algorithm' | sed 's/^ *//'), certificate dir $TLS_DIR"
  echo "loadavg at start: $(cat /proc/loadavg)"
  echo "command: TLS=$TLS ROUNDS=$ROUNDS DUR=$DUR WARM=$WARM SCENARIOS=\"$SCENARIOS\" TARGETS=\"$TARGETS\" CAP_ROUNDS=$CAP_ROUNDS CAP_WARM=$CAP_WARM bench/run.sh"
} >"$OUTDIR/env.txt"
cat "$OUTDIR/env.txt" >&2

# ---- start, check ----
start upstream
for t in $TARGETS; do [[ $t != direct ]] && start "$t"; done
for t in $TARGETS; do
  timeout 60 node "$BENCH/lib/loadgen.js" --mode check --target "$t" --url "$SCHEME://127.0.0.1:${PORT[$t]}$URL_PATH" \
    >>"$OUTDIR/checks.jsonl" || { log "check failed for $t: $(tail -n 1 "$OUTDIR/checks.jsonl")"; exit 1; }
done
log "checks ok: $TARGETS"

LOAD=() CAP=()
for s in $SCENARIOS; do if [[ $s == cap* ]]; then CAP+=("$s"); else LOAD+=("$s"); fi; done
read -r -a TG <<<"$TARGETS"

# ---- load scenarios: interleaved rounds, target order rotated every round (round 0 = unrecorded warm-up) ----
if ((${#LOAD[@]})); then
  log "warm-up round"
  for t in "${TG[@]}"; do
    # shellcheck disable=SC2046
    DUR=4 WARM=1 loadgen "$t" warmup 0 $(DUR=4 WARM=1; scenario_args tput1k) >/dev/null 2>&1 || true
  done
  sed -i '/"scenario":"warmup"/d' "$RESULTS"
  for r in $(seq 1 "$ROUNDS"); do
    for s in "${LOAD[@]}"; do
      for i in $(seq 0 $((${#TG[@]} - 1))); do
        t=${TG[$(( (i + r - 1) % ${#TG[@]} ))]}
        # shellcheck disable=SC2046
        loadgen "$t" "$s" "$r" $(scenario_args "$s")
      done
    done
  done
fi

# ---- capacity: each proxy freshly started and warmed with CAP_WARM sessions, so its RSS delta is the sessions' cost ----
for s in "${CAP[@]}"; do
  for r in $(seq 1 "$CAP_ROUNDS"); do
    for i in $(seq 0 $((${#TG[@]} - 1))); do
      t=${TG[$(( (i + r - 1) % ${#TG[@]} ))]}
      extra=()
      if [[ $t != direct ]]; then
        stop "$t"; start "$t"; sleep 3
      fi
      if ((CAP_WARM > 0)); then
        # shellcheck disable=SC2046
        loadgen "$t" warmup 0 $(scenario_args "cap$CAP_WARM") >/dev/null 2>&1 || true
        sed -i '/"scenario":"warmup"/d' "$RESULTS"
        sleep 3
      fi
      if [[ $t == gateway && $CAP_HISTO == 1 && -x "$JCMD" ]]; then
        histo="$OUTDIR/histo-$s-r$r.txt"
        extra=(--at-n "$JCMD ${PID[gateway]} GC.class_histogram > $histo 2>&1; $JCMD ${PID[gateway]} GC.heap_info | grep -m2 -i 'used'; tail -n 1 $histo")
      fi
      # shellcheck disable=SC2046
      loadgen "$t" "$s" "$r" $(scenario_args "$s") "${extra[@]}"
      sleep 2
    done
  done
done

node "$BENCH/lib/summarize.js" "$RESULTS" >"$OUTDIR/summary.md"
{
  echo
  echo "Environment:"; echo; sed 's/^/    /' "$OUTDIR/env.txt"
  echo "    loadavg at end: $(cat /proc/loadavg)"
} >>"$OUTDIR/summary.md"
log "summary: $OUTDIR/summary.md"
cat "$OUTDIR/summary.md"
