# Sourced by bench/run.sh when TLS=1: the same targets with TLS on both legs (wss client -> target -> wss upstream).
# Ports: direct (the wss upstream) 9002, nginx 9201, haproxy 9202, gateway 9204, gatewayb 9205. One RSA 2048 lab
# certificate for 127.0.0.1 is made at run time in $RUN/tls (TLS_KEY=rsa3072|ec256|ed25519 for another key type); the peers'
# configs are written there with its path. nginx and HAProxy do not verify the upstream's certificate (a lab
# certificate, as in ../shared/bench); the gateway verifies it (and the host name) against $RUN/tls/trust.p12. The load
# generator skips certificate checks. Targets without a TLS port below (haproxytcp) are dropped.
# shellcheck shell=bash
PORT=([direct]=9002 [nginx]=9201 [haproxy]=9202 [gateway]=9204 [gatewayb]=9205)
SCHEME=wss
export NODE_TLS_REJECT_UNAUTHORIZED=0 NODE_NO_WARNINGS=1
export TLS_DIR="$RUN/tls"
TLS_KEY="${TLS_KEY:-rsa2048}"
JAVA="$JAVA" "$BENCH/tls/make-certs.sh" "$TLS_DIR" "$TLS_KEY"
sed "s#TLS_DIR#$TLS_DIR#g" "$BENCH/tls/nginx-tls.conf" >"$TLS_DIR/nginx-tls.conf"
sed "s#TLS_DIR#$TLS_DIR#g" "$BENCH/tls/gateway-tls.yaml" >"$TLS_DIR/gateway-tls.yaml"
UPSTREAM_CMD=(node "$BENCH/tls/echo-wss.js" "${PORT[direct]}" "$TLS_DIR")
NGINX_CONF="$TLS_DIR/nginx-tls.conf"
HAPROXY_CONF="$BENCH/tls/haproxy-tls.cfg"
GATEWAY_CONF="$TLS_DIR/gateway-tls.yaml"
# a target without a TLS port here (haproxytcp, a byte relay; any bench-only relay) has no TLS variant: dropped
KEEP=()
for t in $TARGETS; do
  if [[ -n "${PORT[$t]:-}" ]]; then KEEP+=("$t"); else log "TLS=1: $t has no TLS variant, dropped"; fi
done
TARGETS="${KEEP[*]}"
