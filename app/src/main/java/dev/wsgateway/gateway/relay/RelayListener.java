package dev.wsgateway.gateway.relay;

import dev.wsgateway.gateway.upstream.ConnectListener;

/**
 * Told about what the relay does, for metrics, limits and logs. Called on relay threads: implementations are
 * fast, thread-safe and never throw (a throwing listener is logged and otherwise ignored).
 */
public interface RelayListener extends ConnectListener {

    /**
     * A handshake was refused with an HTTP status.
     *
     * @param clientHost client address
     * @param serviceId  requested service, empty when the path named none
     * @param status     HTTP status sent
     * @param error      short error name, e.g. {@code unknown_service}; {@code challenge} for a 401 to a handshake
     *                   that carried no credentials
     */
    default void handshakeRejected(String clientHost, String serviceId, int status, String error) {
    }

    /**
     * A connection ended before its request head was complete: the client left in the middle of it
     * ({@code abandoned}), or did not complete it within {@code handshake-timeout} and was closed ({@code timeout}).
     *
     * @param clientHost client IP
     * @param outcome    {@code abandoned} or {@code timeout}
     */
    default void handshakeIncomplete(String clientHost, String outcome) {
    }

    /**
     * A session opened (both legs open).
     *
     * @param session the session
     */
    default void sessionOpened(RelaySession session) {
    }

    /**
     * A session ended; both connections are closed.
     *
     * @param session the session (counters are final)
     */
    default void sessionClosed(RelaySession session) {
    }

    /**
     * A live session moved to another instance.
     *
     * @param session      the session
     * @param fromInstance instance it left
     * @param toInstance   instance it now uses
     */
    default void failover(RelaySession session, String fromInstance, String toInstance) {
    }
}
