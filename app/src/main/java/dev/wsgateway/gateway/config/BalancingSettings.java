package dev.wsgateway.gateway.config;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.helidon.common.config.Config;

/**
 * How new sessions are spread and retried ({@code gateway.balancing}).
 *
 * @param strategy          default strategy: {@code round-robin}, {@code least-sessions} or {@code user-affinity}
 * @param services          strategy per service id
 * @param connectAttempts   instances tried for one new session (or one failover round) before giving up
 * @param connectDeadline   total time for those attempts
 * @param ejectCooldown     how long an instance whose connect failed is tried last
 * @param maxEjectedPercent largest share of a service's instances ejected at once
 */
public record BalancingSettings(String strategy,
                                Map<String, String> services,
                                int connectAttempts,
                                Duration connectDeadline,
                                Duration ejectCooldown,
                                int maxEjectedPercent) {
    public static final String ROUND_ROBIN = "round-robin";
    public static final String LEAST_SESSIONS = "least-sessions";
    /** Rendezvous hashing of the authenticated user over the UP instances (the issue's {@code affinity: user}). */
    public static final String USER_AFFINITY = "user-affinity";
    private static final int CONNECT_ATTEMPTS = 3;
    private static final Duration CONNECT_DEADLINE = Duration.ofSeconds(15);
    private static final Duration EJECT_COOLDOWN = Duration.ofSeconds(10);
    private static final int MAX_EJECTED_PERCENT = 50;
    /** The keys read here, with their defaults. */
    public static final ConfigKeys KEYS = ConfigKeys.of("gateway.balancing", "strategy", "services.*",
                                                        "connect-attempts", "connect-deadline", "eject-cooldown",
                                                        "max-ejected-percent")
            .withDefault("gateway.balancing.strategy", ROUND_ROBIN)
            .withDefault("gateway.balancing.connect-attempts", CONNECT_ATTEMPTS)
            .withDefault("gateway.balancing.connect-deadline", CONNECT_DEADLINE)
            .withDefault("gateway.balancing.eject-cooldown", EJECT_COOLDOWN)
            .withDefault("gateway.balancing.max-ejected-percent", MAX_EJECTED_PERCENT);

    public BalancingSettings {
        validate(strategy, "gateway.balancing.strategy");
        services.forEach((id, s) -> validate(s, "gateway.balancing.services." + id));
        if (connectAttempts < 1) {
            throw new SettingException("gateway.balancing.connect-attempts", String.valueOf(connectAttempts),
                                       "at least 1");
        }
    }

    /**
     * Read from the {@code gateway.balancing} node.
     *
     * @param config the node
     * @return settings
     */
    public static BalancingSettings create(Config config) {
        Map<String, String> services = new HashMap<>();
        config.get("services").asNodeList().orElse(List.of()).forEach(node -> node.asString().ifPresent(
                v -> services.put(node.name().toLowerCase(Locale.ROOT), v.trim().toLowerCase(Locale.ROOT))));
        return new BalancingSettings(config.get("strategy").asString().orElse(ROUND_ROBIN).trim().toLowerCase(Locale.ROOT),
                                     Map.copyOf(services),
                                     Values.integer(config.get("connect-attempts"), CONNECT_ATTEMPTS, 1, 100,
                                                    "attempts"),
                                     Values.duration(config.get("connect-deadline"), CONNECT_DEADLINE, false),
                                     Values.duration(config.get("eject-cooldown"), EJECT_COOLDOWN, true),
                                     Values.integer(config.get("max-ejected-percent"), MAX_EJECTED_PERCENT, 0, 100,
                                                    "percent"));
    }

    private static void validate(String strategy, String key) {
        if (!strategy.equals(ROUND_ROBIN) && !strategy.equals(LEAST_SESSIONS) && !strategy.equals(USER_AFFINITY)) {
            throw new SettingException(key, strategy, ROUND_ROBIN + ", " + LEAST_SESSIONS + " or " + USER_AFFINITY);
        }
    }

    /**
     * The strategy of a service: its own, else the default.
     *
     * @param serviceId service id
     * @return strategy name
     */
    public String strategy(String serviceId) {
        return services.getOrDefault(serviceId, strategy);
    }
}
