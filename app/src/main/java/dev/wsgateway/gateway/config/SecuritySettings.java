package dev.wsgateway.gateway.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import io.helidon.common.config.Config;

/**
 * The {@code gateway.security} configuration: users, per-service policies, observe protection and limits.
 *
 * @param realm              realm of the Basic challenge
 * @param users              users the gateway authenticates itself
 * @param defaultPolicy      policy of services without an entry
 * @param services           per-service policies, by lower-case service id
 * @param observeProtected   {@code observe.protect}: {@code /application/*} requires Basic credentials
 * @param observeRoles       with {@code observeProtected}, the user needs one of these roles; empty: any authenticated
 *                           user (as for routes; never open)
 * @param maxSessions        sessions the gateway holds at most; more are refused with 503; 0 = no limit
 * @param maxSessionsPerClient sessions one client IP holds at most; 503; 0 = no limit
 * @param handshakeRate      handshakes per second one client IP may start (token bucket refill); 0 = no limit
 * @param handshakeBurst     token bucket size: handshakes a client IP may start at once
 * @param retryAfter         {@code Retry-After} of every 503 of a handshake (session limits, no instance, instance
 *                           unavailable, shutting down)
 * @param handshakeTimeout   longest time a connection may take to send a complete request head (from its accept,
 *                           or from its first byte after a previous request); then it is closed; 0 = no limit
 * @param protectHealth      whether the observe protection covers {@code /application/health} too (off by default:
 *                           load balancers, orchestrators and container health checks probe it without credentials)
 */
public record SecuritySettings(String realm,
                               List<User> users,
                               RoutePolicy defaultPolicy,
                               Map<String, RoutePolicy> services,
                               boolean observeProtected,
                               Set<String> observeRoles,
                               int maxSessions,
                               int maxSessionsPerClient,
                               double handshakeRate,
                               int handshakeBurst,
                               Duration retryAfter,
                               Duration handshakeTimeout,
                               boolean protectHealth) {
    private static final String REALM = "wsgateway";
    private static final boolean OBSERVE_PROTECT = false;
    private static final Set<String> OBSERVE_ROLES = Set.of("admin");
    private static final boolean PROTECT_HEALTH = false;
    private static final int MAX_SESSIONS = 20_000;
    private static final int MAX_SESSIONS_PER_CLIENT = 1_000;
    private static final double HANDSHAKE_RATE = 200.0;
    private static final int HANDSHAKE_BURST = 400;
    private static final Duration RETRY_AFTER = Duration.ofSeconds(5);
    private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    /** The keys read here, with their defaults. */
    public static final ConfigKeys KEYS = ConfigKeys.union(List.of(
            ConfigKeys.of("gateway.security", "realm", "users.*.login", "users.*.password", "users.*.password-env",
                          "users.*.roles", "users.*.roles.*", "observe.protect", "observe.roles", "observe.roles.*",
                          "observe.protect-health", "limits.max-sessions", "limits.max-sessions-per-client",
                          "limits.handshake-rate", "limits.handshake-burst", "limits.retry-after",
                          "limits.handshake-timeout"),
            ConfigKeys.of("gateway.security.default", RoutePolicy.KEYS),
            ConfigKeys.of("gateway.security.services.*", RoutePolicy.KEYS),
            ConfigKeys.of("gateway.security.default", "roles.*", "allowed-origins.*"),
            ConfigKeys.of("gateway.security.services.*", "roles.*", "allowed-origins.*")))
            .withDefault("gateway.security.realm", REALM)
            .withDefault("gateway.security.default.auth", RoutePolicy.DEFAULT.auth())
            .withDefault("gateway.security.default.roles", RoutePolicy.DEFAULT.roles())
            .withDefault("gateway.security.default.forward-credentials", RoutePolicy.DEFAULT.forwardCredentials())
            .withDefault("gateway.security.default.allowed-origins", RoutePolicy.DEFAULT.allowedOrigins())
            .withDefault("gateway.security.default.allow-cross-site", RoutePolicy.DEFAULT.allowCrossSite())
            .withDefault("gateway.security.observe.protect", OBSERVE_PROTECT)
            .withDefault("gateway.security.observe.roles", OBSERVE_ROLES)
            .withDefault("gateway.security.observe.protect-health", PROTECT_HEALTH)
            .withDefault("gateway.security.limits.max-sessions", MAX_SESSIONS, "lowered at start to fit ulimit -n")
            .withDefault("gateway.security.limits.max-sessions-per-client", MAX_SESSIONS_PER_CLIENT)
            .withDefault("gateway.security.limits.handshake-rate", HANDSHAKE_RATE)
            .withDefault("gateway.security.limits.handshake-burst", HANDSHAKE_BURST)
            .withDefault("gateway.security.limits.retry-after", RETRY_AFTER)
            .withDefault("gateway.security.limits.handshake-timeout", HANDSHAKE_TIMEOUT);

    /**
     * A configured user. {@link #toString()} never shows the password.
     *
     * @param login    user name
     * @param password password
     * @param roles    roles
     */
    public record User(String login, char[] password, Set<String> roles) {
        @Override
        public String toString() {
            return "User[" + login + ", roles " + roles + "]";
        }
    }

    /**
     * Read {@code gateway.security}; every key is optional.
     *
     * @param config the node
     * @return settings
     */
    public static SecuritySettings create(Config config) {
        List<User> users = new ArrayList<>();
        for (Config user : config.get("users").asNodeList().orElse(List.of())) {
            String login = user.get("login").asString()
                    .orElseThrow(() -> new IllegalArgumentException("gateway.security.users: a user without login"));
            String password = user.get("password").asString().orElse(null);
            if (password == null) {
                String env = user.get("password-env").asString().orElse(null);
                password = env == null ? null : System.getenv(env);
                if (password == null) {
                    throw new IllegalArgumentException("gateway.security.users: user '" + login + "' has no password"
                            + (env == null ? " (set password or password-env)" : " (environment variable " + env
                            + " is not set)"));
                }
            }
            users.add(new User(login, password.toCharArray(),
                               Set.copyOf(user.get("roles").asList(String.class).orElse(List.of()))));
        }
        RoutePolicy defaults = RoutePolicy.create(config.get("default"), RoutePolicy.DEFAULT);
        Map<String, RoutePolicy> services = new HashMap<>();
        for (Config service : config.get("services").asNodeList().orElse(List.of())) {
            services.put(service.name().toLowerCase(Locale.ROOT), RoutePolicy.create(service, defaults));
        }
        Config limits = config.get("limits");
        boolean observeProtected = Values.bool(config.get("observe.protect"), OBSERVE_PROTECT);
        return new SecuritySettings(
                config.get("realm").asString().orElse(REALM),
                List.copyOf(users),
                defaults,
                Map.copyOf(services),
                observeProtected,
                observeProtected ? observeRoles(config.get("observe.roles")) : Set.of(),
                Values.integer(limits.get("max-sessions"), MAX_SESSIONS, 0, Integer.MAX_VALUE, "sessions"),
                Values.integer(limits.get("max-sessions-per-client"), MAX_SESSIONS_PER_CLIENT, 0, Integer.MAX_VALUE,
                               "sessions"),
                Values.decimal(limits.get("handshake-rate"), HANDSHAKE_RATE, 0, "handshakes per second"),
                Values.integer(limits.get("handshake-burst"), HANDSHAKE_BURST, 1, Integer.MAX_VALUE, "handshakes"),
                Values.duration(limits.get("retry-after"), RETRY_AFTER, false),
                Values.duration(limits.get("handshake-timeout"), HANDSHAKE_TIMEOUT, true),
                Values.bool(config.get("observe.protect-health"), PROTECT_HEALTH));
    }

    /**
     * The roles of {@code observe.roles}: {@code admin} when the key is missing; blank entries are dropped, and an
     * empty list means any authenticated user.
     */
    private static Set<String> observeRoles(Config roles) {
        if (!roles.exists()) {
            return OBSERVE_ROLES;
        }
        return roles.asList(String.class).orElse(List.of()).stream()
                .map(String::trim)
                .filter(role -> !role.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
    }

    /**
     * These settings with another {@code max-sessions}.
     *
     * @param sessions sessions the gateway holds at most
     * @return settings
     */
    public SecuritySettings withMaxSessions(int sessions) {
        return new SecuritySettings(realm, users, defaultPolicy, services, observeProtected, observeRoles, sessions,
                                    maxSessionsPerClient, handshakeRate, handshakeBurst, retryAfter, handshakeTimeout, protectHealth);
    }

    /**
     * The policy of a service.
     *
     * @param serviceId lower-case service id
     * @return its policy, or the default
     */
    public RoutePolicy policy(String serviceId) {
        return services.getOrDefault(serviceId, defaultPolicy);
    }

    /**
     * Whether any route or the observe endpoints need the gateway's own users.
     *
     * @return true when Basic authentication is configured somewhere
     */
    public boolean needsUsers() {
        return observeProtected
                || defaultPolicy.auth() == RoutePolicy.AuthMode.GATEWAY
                || services.values().stream().anyMatch(p -> p.auth() == RoutePolicy.AuthMode.GATEWAY);
    }
}
