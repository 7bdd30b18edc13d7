package dev.wsgateway.gateway.config;

import java.time.Duration;

import io.helidon.common.config.Config;

/**
 * Limits and timers of the relay ({@code gateway.relay} in configuration).
 *
 * @param maxFrameSize   largest frame payload accepted from either side (bytes); larger closes with 1009
 * @param maxMessageSize largest message (sum of its frames) accepted from either side (bytes); larger closes with 1009
 * @param maxMessageFragments most frames one data message may have (its first and its continuations); one more
 *                       closes the sender with 1008 (a client) or 1011 (a service)
 * @param connectTimeout time to connect to an instance and get its 101
 * @param idleTimeout    a session with no data frame either way for this long is closed with 1001; zero: never
 * @param pingInterval   a peer silent this long is pinged by the gateway; zero: no pings, no dead-peer detection
 * @param pongTimeout    a pinged peer silent this much longer is declared dead and its session ended
 * @param closeTimeout   how long a close handshake may take before the connections are dropped
 */
public record RelaySettings(long maxFrameSize,
                            long maxMessageSize,
                            int maxMessageFragments,
                            Duration connectTimeout,
                            Duration idleTimeout,
                            Duration pingInterval,
                            Duration pongTimeout,
                            Duration closeTimeout) {
    private static final long MAX_FRAME_SIZE = 1_048_576L;
    private static final long MAX_MESSAGE_SIZE = 1_048_576L;
    private static final int MAX_MESSAGE_FRAGMENTS = 4096;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration IDLE_TIMEOUT = Duration.ZERO;
    private static final Duration PING_INTERVAL = Duration.ofSeconds(30);
    private static final Duration PONG_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    /** The keys read here, with their defaults. */
    public static final ConfigKeys KEYS = ConfigKeys.of("gateway.relay", "max-frame-size", "max-message-size",
                                                        "max-message-fragments",
                                                        "connect-timeout", "idle-timeout", "ping-interval",
                                                        "pong-timeout", "close-timeout")
            .withDefault("gateway.relay.max-frame-size", MAX_FRAME_SIZE)
            .withDefault("gateway.relay.max-message-size", MAX_MESSAGE_SIZE)
            .withDefault("gateway.relay.max-message-fragments", MAX_MESSAGE_FRAGMENTS)
            .withDefault("gateway.relay.connect-timeout", CONNECT_TIMEOUT)
            .withDefault("gateway.relay.idle-timeout", IDLE_TIMEOUT)
            .withDefault("gateway.relay.ping-interval", PING_INTERVAL)
            .withDefault("gateway.relay.pong-timeout", PONG_TIMEOUT)
            .withDefault("gateway.relay.close-timeout", CLOSE_TIMEOUT);

    /**
     * Read from the {@code gateway.relay} node; missing keys take the documented defaults.
     *
     * @param config the node
     * @return settings
     */
    public static RelaySettings create(Config config) {
        return new RelaySettings(
                Values.number(config.get("max-frame-size"), MAX_FRAME_SIZE, 1, Integer.MAX_VALUE, "bytes"),
                Values.number(config.get("max-message-size"), MAX_MESSAGE_SIZE, 1, Long.MAX_VALUE, "bytes"),
                (int) Values.number(config.get("max-message-fragments"), MAX_MESSAGE_FRAGMENTS, 1, Integer.MAX_VALUE,
                                    "frames"),
                Values.duration(config.get("connect-timeout"), CONNECT_TIMEOUT, false),
                Values.duration(config.get("idle-timeout"), IDLE_TIMEOUT, true),
                Values.duration(config.get("ping-interval"), PING_INTERVAL, true),
                Values.duration(config.get("pong-timeout"), PONG_TIMEOUT, false),
                Values.duration(config.get("close-timeout"), CLOSE_TIMEOUT, false));
    }

    /**
     * How often the watchdog looks at sessions: a quarter of the shortest timer, between 20 ms and 1 s.
     *
     * @return tick
     */
    public Duration watchdogTick() {
        long shortest = closeTimeout.toMillis();
        for (Duration d : new Duration[] {pingInterval, pongTimeout, idleTimeout}) {
            if (!d.isZero()) {
                shortest = Math.min(shortest, d.toMillis());
            }
        }
        return Duration.ofMillis(Math.max(20, Math.min(1000, shortest / 4)));
    }
}
