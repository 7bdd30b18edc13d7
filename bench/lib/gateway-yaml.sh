# Sourced by the bench scripts: the gateway's configuration for the bench's Node echo upstream (service echo, route
# ws/v1 -> /ws/v1/echo), limits that would refuse a load generator off, 2 MiB frames and messages.
#   gateway_yaml FILE GATEWAY_PORT UPSTREAM_PORT [unlimited]   (unlimited: also max-sessions 0, for open loops)
gateway_yaml() {
  local more=""
  [[ "${4:-}" == unlimited ]] && more=", max-sessions: 0"
  cat > "$1" <<YAML
server: {port: $2, host: 127.0.0.1}
demo: {echo: {enabled: false}}
discovery:
  type: static
  static:
    services:
      - serviceId: echo
        instances:
          - host: 127.0.0.1
            port: $3
            metadata-map: {apiml: {routes: {ws_v1: {gatewayUrl: "ws/v1", serviceUrl: /ws/v1/echo}}}}
gateway:
  relay: {max-frame-size: 2097152, max-message-size: 2097152}
  security: {limits: {handshake-rate: 0, max-sessions-per-client: 0$more}}
YAML
}
