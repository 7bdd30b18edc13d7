package dev.wsgateway.gateway.upstream;

/**
 * Thrown by {@link Dialer} and {@link UpstreamConnector} when a session gets no upstream; carries the typed
 * {@link ConnectFailure}.
 */
public final class UpstreamException extends RuntimeException {
    private final transient ConnectFailure failure;

    /**
     * @param failure why
     */
    public UpstreamException(ConnectFailure failure) {
        super(failure.message(), null, false, false);
        this.failure = failure;
    }

    /**
     * Why the session got no upstream.
     *
     * @return the failure
     */
    public ConnectFailure failure() {
        return failure;
    }
}
