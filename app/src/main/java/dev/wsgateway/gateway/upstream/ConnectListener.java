package dev.wsgateway.gateway.upstream;

import java.util.Optional;

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
     * @param failure    why the attempt failed; empty when the upstream accepted the upgrade
     */
    default void upstreamConnect(String serviceId, String instanceId, long nanos, Optional<ConnectFailure> failure) {
    }
}
