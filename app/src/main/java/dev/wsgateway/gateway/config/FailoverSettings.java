package dev.wsgateway.gateway.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;

import dev.wsgateway.discovery.ServiceInstance;
import dev.wsgateway.discovery.ServiceRoute;

import io.helidon.common.config.Config;

/**
 * Live session failover ({@code gateway.failover}): when an instance goes away mid-session, the client stays
 * connected and the session continues on another UP instance.
 *
 * @param enabled        default for every route; a route turns it off with metadata
 *                       {@code apiml.routes.<name>.failover: false}, a service with
 *                       {@code gateway.failover.services.<serviceId>: false}
 * @param timeout        how long to look for another instance before closing the client (1013)
 * @param bufferSize     client bytes held while there is no upstream; more closes the client (1013)
 * @param bufferTime     how long held client messages may wait; longer closes the client (1013)
 * @param migrateOnDrain whether sessions on an instance that turns DOWN/OUT_OF_SERVICE (or leaves discovery) move
 *                       to another instance; otherwise they stay until they end
 * @param replayWindow   client frames written to the lost instance within this time before the loss, and after its
 *                       last sign of life (a data frame or a pong), are sent again to the new instance (at least
 *                       once); zero: never (at most once)
 * @param replaySize     most bytes kept per session for that (the oldest go first)
 * @param acknowledge    what tells that the instance read a client message, for every route; a route announces its
 *                       own with metadata {@code apiml.routes.<name>.replay-acknowledge}
 * @param services       per-service switch
 */
public record FailoverSettings(boolean enabled,
                               Duration timeout,
                               long bufferSize,
                               Duration bufferTime,
                               boolean migrateOnDrain,
                               Duration replayWindow,
                               long replaySize,
                               Acknowledge acknowledge,
                               Map<String, Boolean> services) {
    private static final boolean ENABLED = true;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final long BUFFER_SIZE = 1_048_576L;
    private static final Duration BUFFER_TIME = Duration.ofSeconds(10);
    private static final String ON_DRAIN = "stay";
    private static final Duration REPLAY_WINDOW = Duration.ofSeconds(1);
    private static final long REPLAY_SIZE = 65_536L;
    private static final String REPLAY_ACKNOWLEDGE = "answer";
    /** The keys read here, with their defaults. */
    public static final ConfigKeys KEYS = ConfigKeys.of("gateway.failover", "enabled", "timeout", "buffer-size",
                                                        "buffer-time", "on-drain", "replay-window", "replay-size",
                                                        "replay-acknowledge", "services.*")
            .withDefault("gateway.failover.enabled", ENABLED)
            .withDefault("gateway.failover.timeout", TIMEOUT)
            .withDefault("gateway.failover.buffer-size", BUFFER_SIZE)
            .withDefault("gateway.failover.buffer-time", BUFFER_TIME)
            .withDefault("gateway.failover.on-drain", ON_DRAIN)
            .withDefault("gateway.failover.replay-window", REPLAY_WINDOW)
            .withDefault("gateway.failover.replay-size", REPLAY_SIZE)
            .withDefault("gateway.failover.replay-acknowledge", REPLAY_ACKNOWLEDGE);

    /**
     * What tells that an instance read a client message (so that it need not be sent again after a loss).
     */
    public enum Acknowledge {
        /**
         * Its answer: each message the instance sends answers the oldest outstanding client message
         * (request/response and echo services), or a pong to a gateway ping written after the message.
         */
        ANSWER,
        /**
         * Only a pong to a gateway ping written after the message: for services that send several messages per
         * client message, or none (streams, floods, pushes), whose messages answer nothing in particular.
         */
        READ;

        /** A value {@link Values#choice} accepted. */
        static Acknowledge parse(String value) {
            return valueOf(value.toUpperCase(Locale.ROOT));
        }
    }

    /**
     * Read from the {@code gateway.failover} node.
     *
     * @param config the node
     * @return settings
     */
    public static FailoverSettings create(Config config) {
        Map<String, Boolean> services = new java.util.HashMap<>();
        config.get("services").asNodeList().orElse(java.util.List.of()).forEach(node -> Values.optionalBool(node)
                .ifPresent(v -> services.put(node.name().toLowerCase(Locale.ROOT), v)));
        return new FailoverSettings(Values.bool(config.get("enabled"), ENABLED),
                                    Values.duration(config.get("timeout"), TIMEOUT, false),
                                    Values.number(config.get("buffer-size"), BUFFER_SIZE, 0, Long.MAX_VALUE, "bytes"),
                                    Values.duration(config.get("buffer-time"), BUFFER_TIME, false),
                                    Values.choice(config.get("on-drain"), ON_DRAIN, "stay", "migrate")
                                            .equals("migrate"),
                                    Values.duration(config.get("replay-window"), REPLAY_WINDOW, true),
                                    Values.number(config.get("replay-size"), REPLAY_SIZE, 0, Long.MAX_VALUE, "bytes"),
                                    Acknowledge.parse(Values.choice(config.get("replay-acknowledge"),
                                                                    REPLAY_ACKNOWLEDGE, "answer", "read")),
                                    Map.copyOf(services));
    }

    /**
     * Whether sessions on this route of this instance fail over.
     *
     * @param instance the instance
     * @param route    its route
     * @return whether failover is on
     */
    public boolean enabledFor(ServiceInstance instance, ServiceRoute route) {
        String byRoute = instance.metadata().get("apiml.routes." + route.name() + ".failover");
        if (byRoute != null) {
            return Boolean.parseBoolean(byRoute.trim());
        }
        return services.getOrDefault(instance.serviceId(), enabled);
    }

    /**
     * What tells that this instance read a client message on this route.
     *
     * @param instance the instance
     * @param route    its route
     * @return the route's announced way, else (none, or one the gateway does not know) the configured one
     */
    public Acknowledge acknowledgeFor(ServiceInstance instance, ServiceRoute route) {
        String byRoute = instance.metadata().get("apiml.routes." + route.name() + ".replay-acknowledge");
        if (byRoute != null) {
            for (Acknowledge a : Acknowledge.values()) {
                if (a.name().equalsIgnoreCase(byRoute.trim())) {
                    return a;
                }
            }
        }
        return acknowledge;
    }
}
