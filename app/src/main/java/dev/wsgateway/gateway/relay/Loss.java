package dev.wsgateway.gateway.relay;

/**
 * What {@link UpstreamSide#beginFailover(boolean)} found when the upstream was lost, and how a fatal loss closes
 * the client.
 */
enum Loss {
    /** The session now fails over (or already did). */
    FAILING_OVER(null),
    /** A message partly delivered to the lost upstream cannot be completed elsewhere: the client must go. */
    CUT(GatewayClose.MESSAGE_CUT),
    /**
     * A message the lost upstream may not have read was too large to keep for replay (or pushed out by newer
     * ones): continuing would lose it silently, so the client must go.
     */
    UNSENT(GatewayClose.UNSENT),
    /**
     * An instance was lost while a message already sent again after an earlier loss was unanswered: it is not
     * sent again (it may be what kills instances), and the session cannot continue without it.
     */
    POISON(GatewayClose.POISON),
    /** More client bytes arrived without an upstream than the failover buffer holds. */
    OVERFLOW(GatewayClose.FAILOVER_OVERFLOW),
    /** The session is ending: no failover. */
    ENDED(null);

    private final GatewayClose close;

    Loss(GatewayClose close) {
        this.close = close;
    }

    /**
     * How the client is closed when the loss ends the session.
     *
     * @return the rule, {@code null} when the session goes on (or already ends)
     */
    GatewayClose close() {
        return close;
    }

    /**
     * Close code for the client when the loss ends the session.
     *
     * @return code
     */
    int code() {
        return close == null ? 0 : close.clientCode();
    }

    /**
     * Close reason for the client (without the detail some rules add).
     *
     * @return reason
     */
    String reason() {
        return close == null ? null : close.clientReason("");
    }

    /**
     * Whether the client must be closed.
     *
     * @return whether fatal
     */
    boolean fatal() {
        return this == CUT || this == UNSENT || this == POISON;
    }
}
