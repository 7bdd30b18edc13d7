package dev.wsgateway.gateway.relay;

import java.net.URI;
import java.time.Instant;

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
}
