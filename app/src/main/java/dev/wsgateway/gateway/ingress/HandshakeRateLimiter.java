package dev.wsgateway.gateway.ingress;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per client IP: {@code rate} handshakes per second sustained, {@code burst} at once. Buckets that
 * have refilled completely are forgotten when the map grows, so memory stays bounded by the recently active IPs.
 */
final class HandshakeRateLimiter {
    private static final int SWEEP_ABOVE = 10_000;

    private final double ratePerNano;
    private final double burst;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    /**
     * @param rate  tokens per second; {@code <= 0} disables the limiter
     * @param burst bucket size (at least 1)
     */
    HandshakeRateLimiter(double rate, int burst) {
        this.ratePerNano = rate / 1e9;
        this.burst = Math.max(1, burst);
    }

    boolean enabled() {
        return ratePerNano > 0;
    }

    /**
     * Take a token for a handshake of this client.
     *
     * @param clientIp client IP
     * @return 0 when allowed, else the seconds until the next token (at least 1)
     */
    long acquire(String clientIp) {
        if (!enabled()) {
            return 0;
        }
        long now = System.nanoTime();
        if (buckets.size() > SWEEP_ABOVE) {
            buckets.values().removeIf(b -> b.full(now));
        }
        return buckets.computeIfAbsent(clientIp, ip -> new Bucket(now)).take(now);
    }

    private final class Bucket {
        private double tokens = burst;
        private long last;

        Bucket(long now) {
            this.last = now;
        }

        synchronized long take(long now) {
            refill(now);
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            double missingNanos = (1 - tokens) / ratePerNano;
            return Math.max(1, (long) Math.ceil(missingNanos / 1e9));
        }

        synchronized boolean full(long now) {
            refill(now);
            return tokens >= burst;
        }

        private void refill(long now) {
            tokens = Math.min(burst, tokens + (now - last) * ratePerNano);
            last = now;
        }
    }
}
