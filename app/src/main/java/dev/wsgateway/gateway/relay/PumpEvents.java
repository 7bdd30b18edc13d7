package dev.wsgateway.gateway.relay;

/**
 * What a {@link FramePump} tells its session about the frames it relays. Called on the pump's thread.
 */
interface PumpEvents {
    /**
     * A data frame passed (for the idle timer).
     *
     * @param readNanos when the bytes it came in were read ({@link Leg#lastReadNanos()})
     */
    void dataRelayed(long readNanos);

    /**
     * A valid close frame arrived from a leg.
     *
     * @param from   the leg
     * @param reason its code and reason
     */
    void closeReceived(Leg from, CloseReason reason);

    /**
     * A peer broke the protocol.
     *
     * @param offender the leg it came from
     * @param code     close code it gets (1002, or 1007 for invalid UTF-8)
     * @param what     what was wrong
     */
    void protocolError(Leg offender, int code, String what);

    /**
     * A frame or message exceeded a limit.
     *
     * @param offender the leg it came from
     * @param limit    the limit in bytes
     */
    void tooBig(Leg offender, long limit);

    /**
     * A data message came in more frames than allowed.
     *
     * @param offender the leg it came from
     * @param limit    most frames per message
     */
    void tooManyFragments(Leg offender, int limit);

    /**
     * Whether an upstream close with this code should move the session to another instance instead of reaching the
     * client.
     *
     * @param code close code
     * @return whether to fail over
     */
    boolean failoverOnClose(int code);
}
