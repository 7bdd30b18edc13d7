package dev.wsgateway.gateway.upstream;

/**
 * Told about every upstream connection attempt (for metrics). Called on the connecting thread: fast, never throws.
 */
public interface ConnectListener {
    /**
     * An upstream connection attempt ended (upgraded or failed).
     *
     * @param serviceId  service
     * @param instanceId instance
     * @param nanos      time from connect start to the 101 or the failure
     * @param success    whether the upstream accepted the upgrade
     */
    default void upstreamConnect(String serviceId, String instanceId, long nanos, boolean success) {
    }
}
