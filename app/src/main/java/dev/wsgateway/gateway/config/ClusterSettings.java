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
    /** The keys read here (and by the peers' client TLS). */
    public static final ConfigKeys KEYS = ConfigKeys.of("gateway.cluster", "peer-timeout")
            .and(TlsKeys.under("gateway.cluster.tls"));

    public ClusterSettings {
        if (peerTimeout.isNegative() || peerTimeout.isZero()) {
            throw new SettingException("gateway.cluster.peer-timeout", peerTimeout.toString(), "a positive duration");
        }
    }

    /**
     * Read from the {@code gateway.cluster} node.
     *
     * @param config the node
     * @return settings
     */
    public static ClusterSettings create(Config config) {
        return new ClusterSettings(Values.duration(config.get("peer-timeout"), Duration.ofSeconds(2), false));
    }
}
