package dev.wsgateway.gateway.relay;

/**
 * What {@link UpstreamSide} needs from its session.
 */
interface UpstreamOwner {
    /**
     * Whether a failover may still start (it is on for the route, and the client is not closing).
     *
     * @return whether possible
     */
    boolean failoverPossible();

    /**
     * Close the client with a reason, on another thread (the caller may hold the lock).
     *
     * @param loss   why
     * @param detail what the close reason adds to the rule's text
     */
    void failClientLater(Loss loss, String detail);

    /**
     * The client closed while the session had no upstream: answer its close.
     *
     * @param code the client's close code
     */
    void answerClientClose(int code);
}
