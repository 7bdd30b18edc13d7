package dev.wsgateway.gateway;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.Optional;

import com.sun.management.UnixOperatingSystemMXBean;

/**
 * Keeps the gateway within the process's file-descriptor limit ({@code ulimit -n}) so that the limit is never met:
 * Helidon 4.2's listener stops for good when an accept fails ("Too many open files"), and the gateway would never
 * accept again. A session holds two descriptors (client and service), any other connection one, so
 * {@code max-sessions} and the connections a listener accepts at once ({@code server.max-tcp-connections}) are
 * lowered until together they fit in what the limit leaves: the descriptors open at start and {@link #RESERVE} for
 * discovery, health checks and logs. Of that, a tenth (at least 16, at most 1,024) is kept for connections that are
 * not sessions (handshakes under way, refusals, plain HTTP), so that a client beyond {@code max-sessions} is still
 * accepted and answered 503; sessions share the rest. A client beyond the accepted connections waits in the listen
 * backlog until one ends (the handshake timeout ends idle ones).
 *
 * @param limit descriptors the process may open
 * @param open  descriptors open when the gateway started
 */
record DescriptorBudget(long limit, long open) {
    /** Descriptors kept free for what is not a client connection (discovery, health checks, upstream TLS, logs). */
    static final int RESERVE = 64;
    private static final int MIN_HEADROOM = 16;
    private static final int MAX_HEADROOM = 1_024;
    private static final System.Logger LOGGER = System.getLogger(DescriptorBudget.class.getName());

    /**
     * The budget of this process, when the platform reports its descriptors (Unix).
     *
     * @return budget
     */
    static Optional<DescriptorBudget> measure() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof UnixOperatingSystemMXBean unix && unix.getMaxFileDescriptorCount() > 0) {
            return Optional.of(new DescriptorBudget(unix.getMaxFileDescriptorCount(),
                                                    unix.getOpenFileDescriptorCount()));
        }
        return Optional.empty();
    }

    /**
     * Sessions the gateway may hold.
     *
     * @param configured {@code max-sessions}, 0 for no limit
     * @return the configured value, or less when the descriptors do not allow it
     */
    int maxSessions(int configured) {
        long allowed = Math.max(1, (spare() - headroom()) / 2);
        if (configured > 0 && configured <= allowed) {
            return configured;
        }
        LOGGER.log(System.Logger.Level.INFO, "file-descriptor limit " + limit + " (" + open + " open at start) "
                + "allows " + allowed + " sessions: max-sessions lowered from "
                + (configured == 0 ? "no limit" : configured) + "; raise ulimit -n for more");
        return (int) allowed;
    }

    /**
     * Connections one gateway listener may accept at once.
     *
     * @param configured  {@code max-tcp-connections} of the listener, -1 for no limit
     * @param listeners   gateway listeners sharing the descriptors
     * @param maxSessions sessions the gateway may hold (from {@link #maxSessions})
     * @return the configured value, or less when the descriptors do not allow it
     */
    int maxConnections(int configured, int listeners, int maxSessions) {
        long allowed = Math.max(1, (spare() - maxSessions) / Math.max(1, listeners));
        if (configured > 0 && configured <= allowed) {
            return configured;
        }
        LOGGER.log(System.Logger.Level.INFO, "file-descriptor limit " + limit + ": each gateway listener accepts at "
                + "most " + allowed + " connections at once");
        return (int) allowed;
    }

    /**
     * Descriptors for connections that are not sessions.
     */
    private long headroom() {
        return Math.clamp(spare() / 10, MIN_HEADROOM, MAX_HEADROOM);
    }

    private long spare() {
        return Math.max(2, limit - open - RESERVE);
    }
}
