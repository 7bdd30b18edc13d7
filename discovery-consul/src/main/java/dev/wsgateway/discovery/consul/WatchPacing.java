package dev.wsgateway.discovery.consul;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Pace of one blocking-query loop, as Consul's documentation asks of clients: a token bucket (burst 2, one request
 * per {@link #REFILL}) so that a quickly churning result degrades into polling instead of a busy loop, and an
 * exponential backoff with jitter after failures. Not thread-safe: one per loop.
 */
final class WatchPacing {
    /** One request token comes back this often. */
    static final Duration REFILL = Duration.ofMillis(250);
    private static final int BURST = 2;

    private final long initialNanos;
    private final long maxNanos;
    private double tokens = BURST;
    private long lastRefill = System.nanoTime();
    private int failures;

    WatchPacing(Duration initialDelay, Duration maxDelay) {
        this.initialNanos = initialDelay.toNanos();
        this.maxNanos = maxDelay.toNanos();
    }

    /**
     * How long to wait before the next request to stay within the rate (0 when a token is there), taking the token.
     *
     * @return nanoseconds to wait
     */
    long beforeRequest() {
        long now = System.nanoTime();
        tokens = Math.min(BURST, tokens + (double) (now - lastRefill) / REFILL.toNanos());
        lastRefill = now;
        tokens -= 1;
        return tokens >= 0 ? 0 : (long) (-tokens * REFILL.toNanos());
    }

    /**
     * A request succeeded: the next failure starts the backoff again.
     */
    void succeeded() {
        failures = 0;
    }

    /**
     * A request failed: how long to wait before the next one (initial delay doubled per consecutive failure, at most
     * the maximum, the upper half randomised so that many loops do not retry in step).
     *
     * @return nanoseconds to wait
     */
    long failed() {
        failures++;
        long delay = initialNanos;
        for (int i = 1; i < failures && delay < maxNanos; i++) {
            delay *= 2;
        }
        delay = Math.min(delay, maxNanos);
        return delay / 2 + ThreadLocalRandom.current().nextLong(delay / 2 + 1);
    }

    /**
     * Consecutive failures so far.
     *
     * @return count
     */
    int failures() {
        return failures;
    }
}
