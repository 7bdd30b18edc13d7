package dev.wsgateway.gateway.upstream;

import java.util.List;
import java.util.Map;

/**
 * What a session asks of its service: the route, the rest of the path, and the handshake to repeat upstream. The
 * same request opens the session's first upstream and, on failover, the next one.
 *
 * @param serviceId  service id (lower case)
 * @param gatewayUrl route prefix the client used, e.g. {@code ws/v1}
 * @param remainder  normalised remaining path, percent-encoded, no leading {@code /} (may be empty)
 * @param rawQuery   raw query, may be empty
 * @param headers    forwarded handshake headers
 * @param offered    subprotocols the client offered
 */
public record UpstreamRequest(String serviceId,
                              String gatewayUrl,
                              String remainder,
                              String rawQuery,
                              Map<String, List<String>> headers,
                              List<String> offered) {
}
