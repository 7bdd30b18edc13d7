package dev.wsgateway.gateway.relay;

import java.net.URI;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What is known about a session once both legs are open; replaced when the session fails over.
 *
 * @param id            gateway session id
 * @param clientAddress client {@code host:port}
 * @param gatewayPath   path (and query) the client asked for
 * @param serviceId     routed service
 * @param instanceId    instance the session is relayed to now
 * @param serviceUrl    upstream URI now
 * @param subprotocol   negotiated subprotocol, empty if none
 * @param user          authenticated user, empty if none
 * @param openedAt      when the session opened
 */
public record SessionInfo(String id,
                          String clientAddress,
                          String gatewayPath,
                          String serviceId,
                          String instanceId,
                          URI serviceUrl,
                          String subprotocol,
                          String user,
                          Instant openedAt) {

    /**
     * A new session's info, with a fresh id, opened now.
     *
     * @param clientAddress client {@code host:port}
     * @param gatewayPath   path (and query) the client asked for
     * @param serviceId     routed service
     * @param instanceId    instance
     * @param serviceUrl    upstream URI
     * @param subprotocol   negotiated subprotocol, empty if none
     * @param user          authenticated user, empty if none
     * @return info
     */
    public static SessionInfo create(String clientAddress, String gatewayPath, String serviceId, String instanceId,
                                     URI serviceUrl, String subprotocol, String user) {
        String id = String.format("%012x", ThreadLocalRandom.current().nextLong() & 0xFFFFFFFFFFFFL);
        return new SessionInfo(id, clientAddress, gatewayPath, serviceId, instanceId, serviceUrl, subprotocol, user,
                               Instant.now());
    }

    /**
     * The same session on another instance.
     *
     * @param instanceId new instance
     * @param serviceUrl new upstream URI
     * @return updated info
     */
    SessionInfo movedTo(String instanceId, URI serviceUrl) {
        return new SessionInfo(id, clientAddress, gatewayPath, serviceId, instanceId, serviceUrl, subprotocol, user,
                               openedAt);
    }

    /**
     * {@link #gatewayPath()} with every query value replaced by {@code ***} (for logs and the session listing: query
     * strings may carry tokens).
     *
     * @return path and redacted query
     */
    public String redactedGatewayPath() {
        return redactQuery(gatewayPath);
    }

    /**
     * {@link #serviceUrl()} with every query value replaced by {@code ***}.
     *
     * @return upstream URI with a redacted query
     */
    public String redactedServiceUrl() {
        return redactQuery(serviceUrl.toString());
    }

    /**
     * Replace the value of each query parameter by {@code ***} (a parameter without {@code =} is replaced whole); the
     * path and the parameter names are kept.
     *
     * @param pathAndQuery path or URI, with or without a query
     * @return the same with a redacted query
     */
    public static String redactQuery(String pathAndQuery) {
        int q = pathAndQuery.indexOf('?');
        if (q < 0 || q == pathAndQuery.length() - 1) {
            return pathAndQuery;
        }
        int end = pathAndQuery.indexOf('#', q);
        String query = end < 0 ? pathAndQuery.substring(q + 1) : pathAndQuery.substring(q + 1, end);
        StringBuilder out = new StringBuilder(pathAndQuery.length()).append(pathAndQuery, 0, q + 1);
        String[] params = query.split("&", -1);
        for (int i = 0; i < params.length; i++) {
            if (i > 0) {
                out.append('&');
            }
            String param = params[i];
            int eq = param.indexOf('=');
            if (eq >= 0) {
                out.append(param, 0, eq + 1).append("***");
            } else if (!param.isEmpty()) {
                out.append("***");
            }
        }
        return out.toString();
    }
}
