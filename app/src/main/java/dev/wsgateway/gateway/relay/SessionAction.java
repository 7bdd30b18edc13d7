package dev.wsgateway.gateway.relay;

/**
 * One thing a {@link SessionMachine} answer asks its caller to do, after letting go of the session's lock (these are
 * the socket writes and closes the machine decides but never does).
 *
 * @param kind what to do
 * @param side on which connection ({@code null} for {@link Kind#DROP_HELD} and {@link Kind#FAIL_OVER})
 * @param code for {@link Kind#SEND_CLOSE}: the close code, already claimed on that side (the caller owns the send)
 * @param rule for {@link Kind#SEND_CLOSE}: the rule whose reason goes with the code, {@code null} when the gateway
 *             answers a peer's close (an empty reason)
 * @param on   the flags of the connection decided on: an action on an upstream the session has since left (it
 *             resumed on another instance) is not carried out on the new one
 */
record SessionAction(Kind kind, SessionMachine.Side side, int code, GatewayClose rule, CloseFlags on) {
    /**
     * What to do.
     */
    enum Kind {
        /** Write the close frame claimed for the caller on {@link #side()}: {@link #code()}, the rule's reason. */
        SEND_CLOSE,
        /** Close the connection of {@link #side()} (the client's lingers once its close frame went out). */
        CLOSE_CONNECTION,
        /** Close the connection of {@link #side()} now, even while it lingers (its time is up). */
        DROP_CONNECTION,
        /** The session entered {@code CLOSING}: drop the client's frames held for the next instance. */
        DROP_HELD,
        /** Continue the session on another instance. */
        FAIL_OVER
    }

    static final SessionAction DROP_HELD = new SessionAction(Kind.DROP_HELD, null, 0, null, null);
    static final SessionAction FAIL_OVER = new SessionAction(Kind.FAIL_OVER, null, 0, null, null);

    static SessionAction sendClose(SessionMachine.Side side, int code, GatewayClose rule, CloseFlags on) {
        return new SessionAction(Kind.SEND_CLOSE, side, code, rule, on);
    }

    static SessionAction close(SessionMachine.Side side, CloseFlags on) {
        return new SessionAction(Kind.CLOSE_CONNECTION, side, 0, null, on);
    }

    static SessionAction drop(SessionMachine.Side side, CloseFlags on) {
        return new SessionAction(Kind.DROP_CONNECTION, side, 0, null, on);
    }

    @Override
    public String toString() {
        return kind + (side == null ? "" : "(" + side + (code == 0 ? "" : " " + code) + ")");
    }
}
