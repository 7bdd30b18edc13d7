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
 * @param user       user the gateway authenticated, empty when none (for {@code user-affinity})
 * @param instanceId instance the client asked for with {@code X-InstanceId}, empty when none
 */
public record UpstreamRequest(String serviceId,
                              String gatewayUrl,
                              String remainder,
                              String rawQuery,
                              Map<String, List<String>> headers,
                              List<String> offered,
                              String user,
                              String instanceId) {
    /**
     * A request without user and without a requested instance.
     */
    public UpstreamRequest(String serviceId, String gatewayUrl, String remainder, String rawQuery,
                           Map<String, List<String>> headers, List<String> offered) {
        this(serviceId, gatewayUrl, remainder, rawQuery, headers, offered, "", "");
    }
}
