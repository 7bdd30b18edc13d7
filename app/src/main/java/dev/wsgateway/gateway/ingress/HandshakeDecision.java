package dev.wsgateway.gateway.ingress;

import java.util.List;

/**
 * What {@link HandshakeGuard#check} decided for a handshake it let through.
 *
 * @param user           authenticated user name, empty when the gateway did not authenticate the client
 * @param removedHeaders names of request headers removed before the upstream handshake (e.g. {@code Authorization})
 */
record HandshakeDecision(String user, List<String> removedHeaders) {
}
