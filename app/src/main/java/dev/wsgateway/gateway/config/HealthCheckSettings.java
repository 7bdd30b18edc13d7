package dev.wsgateway.gateway.config;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import io.helidon.common.config.Config;

/**
 * Active WebSocket health checks of service instances ({@code gateway.health-checks}): a {@code default} block and
 * per-service blocks ({@code services.<serviceId>}) that override it key by key. Off unless {@code enabled}.
 *
 * @param defaults checks of services without a block of their own
 * @param services checks per service id
 */
public record HealthCheckSettings(Check defaults, Map<String, Check> services) {
    /** The built-in defaults; the only place they are stated (docs/CONFIGURATION.md is checked against them). */
    public static final Check BUILT_IN = new Check(false, Duration.ofSeconds(10), Duration.ofSeconds(2),
                                                   Optional.empty(), false, 3, 2);
    /** The keys read here, with the defaults of the default block (a service's block defaults to that). */
    public static final ConfigKeys KEYS = ConfigKeys.union(java.util.List.of(
            ConfigKeys.of("gateway.health-checks.default", Check.KEYS),
            ConfigKeys.of("gateway.health-checks.services.*", Check.KEYS)))
            .withDefault("gateway.health-checks.default.enabled", BUILT_IN.enabled())
            .withDefault("gateway.health-checks.default.interval", BUILT_IN.interval())
            .withDefault("gateway.health-checks.default.timeout", BUILT_IN.timeout())
            .withComputed("gateway.health-checks.default.path", "the instance's first route")
            .withDefault("gateway.health-checks.default.ping", BUILT_IN.ping())
            .withDefault("gateway.health-checks.default.unhealthy-threshold", BUILT_IN.unhealthyThreshold())
            .withDefault("gateway.health-checks.default.healthy-threshold", BUILT_IN.healthyThreshold());

    /**
     * How one service's instances are checked.
     *
     * @param enabled            whether checks run
     * @param interval           pause between the checks of one instance
     * @param timeout            bound of one check: connect and 101, and the pong when {@code ping}
     * @param path               path to open instead of the instance's first announced route
     * @param ping               whether a check also sends a ping and waits for the pong
     * @param unhealthyThreshold failed checks in a row that take a healthy instance out of balancing (N)
     * @param healthyThreshold   passed checks in a row that bring an unhealthy instance back (M)
     */
    public record Check(boolean enabled,
                        Duration interval,
                        Duration timeout,
                        Optional<String> path,
                        boolean ping,
                        int unhealthyThreshold,
                        int healthyThreshold) {
        private static final String[] KEYS = {"enabled", "interval", "timeout", "path", "ping", "unhealthy-threshold",
                                              "healthy-threshold"};

        public Check {
            if (unhealthyThreshold < 1 || healthyThreshold < 1) {
                throw new IllegalArgumentException("gateway.health-checks: unhealthy-threshold and healthy-threshold "
                                                           + "must be at least 1");
            }
            if (interval.isNegative() || interval.isZero() || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("gateway.health-checks: interval and timeout must be positive");
            }
        }

        static Check create(Config config, Check parent) {
            return new Check(Values.bool(config.get("enabled"), parent.enabled()),
                             Values.duration(config.get("interval"), parent.interval(), false),
                             Values.duration(config.get("timeout"), parent.timeout(), false),
                             config.get("path").asString().map(String::trim).filter(p -> !p.isEmpty())
                                     .map(p -> p.startsWith("/") ? p : "/" + p)
                                     .or(parent::path),
                             Values.bool(config.get("ping"), parent.ping()),
                             Values.integer(config.get("unhealthy-threshold"), parent.unhealthyThreshold(), 1, 1000,
                                            "checks"),
                             Values.integer(config.get("healthy-threshold"), parent.healthyThreshold(), 1, 1000,
                                            "checks"));
        }
    }

    /**
     * Read from the {@code gateway.health-checks} node.
     *
     * @param config the node
     * @return settings
     */
    public static HealthCheckSettings create(Config config) {
        Check defaults = Check.create(config.get("default"), BUILT_IN);
        Map<String, Check> services = new HashMap<>();
        config.get("services").asNodeList().orElse(List.of()).forEach(
                node -> services.put(node.name().toLowerCase(Locale.ROOT), Check.create(node, defaults)));
        return new HealthCheckSettings(defaults, Map.copyOf(services));
    }

    /**
     * The checks of a service: its own block, else the default.
     *
     * @param serviceId service id
     * @return checks
     */
    public Check check(String serviceId) {
        return services.getOrDefault(serviceId, defaults);
    }

    /**
     * Whether any service may be checked (if not, nothing is started).
     *
     * @return whether any check is enabled
     */
    public boolean anyEnabled() {
        return defaults.enabled() || services.values().stream().anyMatch(Check::enabled);
    }
}
