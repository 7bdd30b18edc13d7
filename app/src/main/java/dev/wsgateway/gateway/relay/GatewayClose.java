package dev.wsgateway.gateway.relay;

/**
 * Every close the gateway sends on its own account, one rule each: the situation (as the close-code table of the
 * docs names it), the code and reason the client gets, and the code and reason the service gets. A code of {@code 0}
 * means that side gets no close frame from this rule (it is gone, or it is the one that closed): the rules of a
 * failover that cannot continue send the service nothing, its connection was lost. A reason of
 * {@code null} is supplied by the caller (what the peer did wrong, a limit, an operator's text). Answering a peer's
 * own close (its code sent back, 1005 answered with 1000) is not a rule: that is the close handshake.
 * <p>
 * {@code GatewayCloseTableTest} checks this table against the docs' table, row by row.
 */
enum GatewayClose {
    /** The gateway stops (after its drain period). */
    SHUTDOWN("gateway shutting down", 1001, "Gateway shutting down", 1001, "Gateway shutting down"),
    /** An operator ended the session ({@code DELETE /application/websockets/{id}}); the code is the caller's. */
    OPERATOR("operator `DELETE", 1008, null, 1001, null),
    /** No data either way for {@code idle-timeout}. */
    IDLE("no data either way for `idle-timeout`", 1001, "Idle timeout", 1001, "Idle timeout"),
    /** The client broke the protocol. */
    CLIENT_PROTOCOL_ERROR("protocol violation by the client", 1002, null, 1001, "Client protocol error"),
    /** The client's close reason is not UTF-8. */
    CLIENT_BAD_CLOSE_REASON("close reason from the client that is not valid UTF-8", 1007, null, 1001,
                            "Client protocol error"),
    /** The service broke the protocol. */
    UPSTREAM_PROTOCOL_ERROR("protocol violation by the service", 1011, "Upstream protocol error: ", 1002, null),
    /** The service's close reason is not UTF-8. */
    UPSTREAM_BAD_CLOSE_REASON("close reason from the service that is not valid UTF-8", 1011,
                              "Upstream protocol error: ", 1007, null),
    /** A client message or frame over {@code max-message-size} / {@code max-frame-size}. */
    CLIENT_TOO_BIG("message or frame over `max-message-size`", 1009, "Message larger than ", 1001,
                   "Client message too big for the gateway"),
    /** A service message or frame over the limits. */
    UPSTREAM_TOO_BIG("message or frame over `max-message-size`", 1009, "Upstream message larger than ", 1009,
                     "Upstream message larger than "),
    /** A client message in more frames than {@code gateway.relay.max-message-fragments}. */
    CLIENT_TOO_MANY_FRAGMENTS("message in more frames than `max-message-fragments`", 1008,
                              "Message in more fragments than ", 1001, "Client message in too many fragments"),
    /** A service message in more frames than allowed. */
    UPSTREAM_TOO_MANY_FRAGMENTS("message in more frames than `max-message-fragments`", 1011,
                                "Upstream message in more fragments than ", 1008, "Message in more fragments than "),
    /** The client's connection ended without a close handshake, or it was silent past the ping timers. */
    CLIENT_LOST("client connection lost", 0, null, 1001, "Client "),
    /** The service's connection ended without a close frame (or it went away) and the session does not fail over. */
    UPSTREAM_LOST("service connection lost without a close frame, failover off", 1001, "Upstream ", 0, null),
    /**
     * No instance to fail over to within {@code failover.timeout}: none up, refused, unreachable, timed out, or it
     * answered the upgrade with a 5xx. Transient: the client may try again later (1013).
     */
    FAILOVER_NO_INSTANCE("no other instance within `failover.timeout`", 1013, "No instance of ", 0, null),
    /**
     * The last instance tried during the failover refused the session's credentials (401 or 403): trying again with
     * the same credentials would not help, the client must authenticate again (1008, the gateway's policy code).
     */
    FAILOVER_CREDENTIALS_REFUSED("another instance refused the session's credentials", 1008,
                                 "Credentials refused by another instance of ", 0, null),
    /**
     * The last instance tried could not continue the session for a reason that waiting does not cure: its TLS
     * handshake failed, its upgrade answer was invalid, it negotiated another subprotocol or other extensions, or it
     * answered with a 4xx other than 401/403. 1014, bad gateway: the fault is between the gateway and the service.
     */
    FAILOVER_BAD_UPSTREAM("the instances found could not continue the session", 1014, "No usable instance of ", 0,
                          null),
    /** Frames held during a failover waited longer than {@code buffer-time}. */
    FAILOVER_HELD_TOO_LONG("no other instance within `failover.timeout`", 1013,
                           "Messages held during failover waited longer than ", 0, null),
    /** More than {@code buffer-size} bytes arrived during a failover. */
    FAILOVER_OVERFLOW("no other instance within `failover.timeout`", 1013, "More than ", 0, null),
    /**
     * A message was cut by the loss of the upstream: a client message partly written to it, or a service message
     * partly relayed to the client. Neither can be completed on another instance.
     */
    MESSAGE_CUT("a message was cut that cannot be replayed", 1011, "A message was cut by the loss of the upstream; it "
            + "cannot be resumed on another instance", 0, null),
    /** An unanswered message too large to keep for replay when its instance was lost. */
    UNSENT("an unanswered message was too large to keep for replay", 1011, "A message the lost upstream may not have "
            + "read was too large to keep for replay; the session cannot continue without it", 0, null),
    /**
     * An instance was lost while a message already sent again after an earlier loss was unanswered (a poison
     * message): it is not sent a third time, nor is anything the client sent after it.
     */
    POISON("an unanswered message already sent again after a loss", 1011, "A message sent again after the loss of "
            + "its instance was unanswered when the next was lost too; it is not sent again", 0, null),
    /** The instance drains (or fails its health checks): the session moves to another one. */
    MIGRATE("instance draining or unhealthy, `on-drain: migrate`", 0, null, 1001, null);

    private final String situation;
    private final int clientCode;
    private final String clientReason;
    private final int serviceCode;
    private final String serviceReason;

    GatewayClose(String situation, int clientCode, String clientReason, int serviceCode, String serviceReason) {
        this.situation = situation;
        this.clientCode = clientCode;
        this.clientReason = clientReason;
        this.serviceCode = serviceCode;
        this.serviceReason = serviceReason;
    }

    /**
     * Part of the first column of the docs' close-code table that names this rule's row.
     *
     * @return text
     */
    String situation() {
        return situation;
    }

    int clientCode() {
        return clientCode;
    }

    int serviceCode() {
        return serviceCode;
    }

    /**
     * The client's reason: the rule's text, followed by the caller's detail when the rule's text is a prefix (or is
     * the detail alone when the rule has none).
     *
     * @param detail caller's part, may be empty
     * @return reason
     */
    String clientReason(String detail) {
        return join(clientReason, detail);
    }

    /**
     * The service's reason, built like {@link #clientReason(String)}.
     *
     * @param detail caller's part, may be empty
     * @return reason
     */
    String serviceReason(String detail) {
        return join(serviceReason, detail);
    }

    /**
     * The fixed text of the client's reason ({@code null} when the caller supplies it all).
     *
     * @return text
     */
    String clientReasonText() {
        return clientReason;
    }

    private static String join(String fixed, String detail) {
        if (fixed == null) {
            return detail;
        }
        return fixed.endsWith(" ") ? fixed + detail : fixed;
    }
}
