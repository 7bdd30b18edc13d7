package dev.wsgateway.discovery.eureka;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * Tells when Eureka stops answering and when it answers again: once per fetch interval it looks at the time of the
 * last successful fetch, and when that is older than the interval plus the connect and read timeouts (and a second),
 * Eureka is down: one WARNING with the cause (the Netflix client's last problem), a failure counted per interval it
 * stays down, and one INFO line when a fetch succeeds again.
 */
final class FetchWatch implements AutoCloseable {
    private static final System.Logger LOGGER = System.getLogger(EurekaRegistry.class.getName());

    private final List<String> serviceUrls;
    private final long staleNanos;
    private final LongSupplier lastFetchNanos;
    private final IntSupplier services;
    private final EurekaClientLog clientLog;
    private final long startNanos = System.nanoTime();
    private final LongAdder failures = new LongAdder();
    private final ScheduledExecutorService timer;
    private volatile long downSinceNanos;
    private volatile boolean down;

    FetchWatch(EurekaSettings settings, LongSupplier lastFetchNanos, IntSupplier services, EurekaClientLog clientLog) {
        this.serviceUrls = settings.serviceUrls();
        Duration interval = Duration.ofSeconds(settings.fetchIntervalSeconds());
        this.staleNanos = interval.plusMillis(settings.connectTimeoutMillis() + settings.readTimeoutMillis())
                .plusSeconds(1).toNanos();
        this.lastFetchNanos = lastFetchNanos;
        this.services = services;
        this.clientLog = clientLog;
        this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("eureka-watch")
                                                                        .factory());
        timer.scheduleWithFixedDelay(this::check, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * A fetch succeeded: look again at once (on the watch's own thread), so that recovery is logged at once.
     */
    void fetched() {
        if (down) {
            try {
                timer.execute(this::check);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closed
            }
        }
    }

    /** Runs on the watch's thread only. */
    private void check() {
        long now = System.nanoTime();
        long last = lastFetchNanos.getAsLong();
        boolean stale = now - (last == 0 ? startNanos : last) > staleNanos;
        if (stale) {
            failures.increment();
            if (!down) {
                down = true;
                downSinceNanos = last == 0 ? startNanos : last;
                int known = services.getAsInt();
                LOGGER.log(System.Logger.Level.WARNING, "Eureka does not answer at {0}: {1}; {2}", serviceUrls,
                           clientLog.lastProblem(), last == 0
                                   ? "no registry read yet: handshakes get 503 discovery_not_ready"
                                   : "routing from the last view (" + known + " services) until it answers");
            }
        } else if (down) {
            down = false;
            clientLog.recovered();
            LOGGER.log(System.Logger.Level.INFO, "Eureka answers again after {0} s without a registry read: {1} services",
                       String.valueOf(Duration.ofNanos(now - downSinceNanos).toSeconds()), services.getAsInt());
        }
    }

    /**
     * Whether Eureka is not answering now.
     *
     * @return down
     */
    boolean down() {
        return down;
    }

    /**
     * Fetch intervals that ended without a successful fetch.
     *
     * @return failures since start
     */
    long failures() {
        return failures.sum();
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
