package dev.wsgateway.gateway.relay;

/**
 * What a peer did that ends the session with a rule of {@link GatewayClose} ({@link SessionMachine#offence}).
 */
enum Offence {
    /** A frame that breaks RFC 6455. */
    PROTOCOL_ERROR,
    /** A close frame whose reason is not valid UTF-8 (1007). */
    BAD_CLOSE_REASON,
    /** A message or frame over {@code max-message-size}. */
    TOO_BIG,
    /** A message in more frames than {@code max-message-fragments}. */
    TOO_MANY_FRAGMENTS;

    /**
     * The rule the offence ends the session with: the offender gets the offence's code, the other side the
     * documented one (1011 to the client for a faulty service, 1001 to the service for a faulty client). The same in
     * every phase: the close frames it sends are claimed like any other, so a leg that already got one keeps it.
     *
     * @param fromClient whether the client did it (else the service)
     * @return the rule
     */
    GatewayClose rule(boolean fromClient) {
        return switch (this) {
            case PROTOCOL_ERROR -> fromClient ? GatewayClose.CLIENT_PROTOCOL_ERROR
                    : GatewayClose.UPSTREAM_PROTOCOL_ERROR;
            case BAD_CLOSE_REASON -> fromClient ? GatewayClose.CLIENT_BAD_CLOSE_REASON
                    : GatewayClose.UPSTREAM_BAD_CLOSE_REASON;
            case TOO_BIG -> fromClient ? GatewayClose.CLIENT_TOO_BIG : GatewayClose.UPSTREAM_TOO_BIG;
            case TOO_MANY_FRAGMENTS -> fromClient ? GatewayClose.CLIENT_TOO_MANY_FRAGMENTS
                    : GatewayClose.UPSTREAM_TOO_MANY_FRAGMENTS;
        };
    }
}
