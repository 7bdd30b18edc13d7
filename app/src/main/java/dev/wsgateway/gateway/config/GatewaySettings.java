package dev.wsgateway.gateway.config;

import io.helidon.common.config.Config;

/**
 * Every setting of the gateway, read once at start; each concern reads its own node and states its defaults once.
 *
 * @param server    server, discovery choice, shutdown and demo
 * @param relay     relay limits and timers ({@code gateway.relay})
 * @param failover  live failover ({@code gateway.failover})
 * @param balancing balancing and connect attempts ({@code gateway.balancing})
 * @param security  authentication, policies and limits ({@code gateway.security})
 * @param health    active health checks ({@code gateway.health-checks})
 * @param affinity  instance affinity ({@code gateway.affinity})
 * @param cluster   the cluster view ({@code gateway.cluster})
 */
public record GatewaySettings(ServerSettings server,
                              RelaySettings relay,
                              FailoverSettings failover,
                              BalancingSettings balancing,
                              SecuritySettings security,
                              HealthCheckSettings health,
                              AffinitySettings affinity,
                              ClusterSettings cluster) {
    /** {@code gateway.log.format} when not set ({@code text} or {@code json}). */
    public static final String LOG_FORMAT = "text";
    /**
     * Every key the gateway itself reads under its own trees ({@link ConfigKeys#OWN_TREES}); the discovery backends
     * declare theirs ({@code DiscoveryProvider.keys()}). A new settings class adds its {@code KEYS} here.
     */
    public static final ConfigKeys KEYS = ConfigKeys.union(java.util.List.of(ServerSettings.KEYS,
                                                                             RelaySettings.KEYS,
                                                                             FailoverSettings.KEYS,
                                                                             BalancingSettings.KEYS,
                                                                             SecuritySettings.KEYS,
                                                                             HealthCheckSettings.KEYS,
                                                                             AffinitySettings.KEYS,
                                                                             ClusterSettings.KEYS,
                                                                             ZoweTokenSettings.KEYS,
                                                                             ConfigKeys.of("gateway.log", "format")
                                                                                     .withDefault("gateway.log.format",
                                                                                                  LOG_FORMAT),
                                                                             TlsKeys.under("gateway.upstream.tls")));
    /**
     * Read all settings.
     *
     * @param root root configuration
     * @return settings
     */
    public static GatewaySettings create(Config root) {
        return new GatewaySettings(ServerSettings.create(root),
                                   RelaySettings.create(root.get("gateway.relay")),
                                   FailoverSettings.create(root.get("gateway.failover")),
                                   BalancingSettings.create(root.get("gateway.balancing")),
                                   SecuritySettings.create(root.get("gateway.security")),
                                   HealthCheckSettings.create(root.get("gateway.health-checks")),
                                   AffinitySettings.create(root.get("gateway.affinity")),
                                   ClusterSettings.create(root.get("gateway.cluster")));
    }

    /**
     * These settings with other security settings.
     *
     * @param security security settings
     * @return settings
     */
    public GatewaySettings withSecurity(SecuritySettings security) {
        return new GatewaySettings(server, relay, failover, balancing, security, health, affinity, cluster);
    }
}
