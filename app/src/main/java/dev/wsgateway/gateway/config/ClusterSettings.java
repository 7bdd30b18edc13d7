package dev.wsgateway.gateway.config;

import java.time.Duration;

import io.helidon.common.config.Config;

/**
 * The cluster view ({@code gateway.cluster}): how long a gateway waits for each of the other gateways of its app when
 * it merges their answers ({@code scope=cluster} on the observe endpoints).
 *
 * @param peerTimeout {@code peer-timeout}: bound of the connect and of the answer of one peer gateway
 */
public record ClusterSettings(Duration peerTimeout) {
    public ClusterSettings {
        if (peerTimeout.isNegative() || peerTimeout.isZero()) {
            throw new IllegalArgumentException("gateway.cluster.peer-timeout must be positive, was " + peerTimeout);
        }
    }

    /**
     * Read from the {@code gateway.cluster} node.
     *
     * @param config the node
     * @return settings
     */
    public static ClusterSettings create(Config config) {
        return new ClusterSettings(config.get("peer-timeout").as(Duration.class).orElse(Duration.ofSeconds(2)));
    }
}
