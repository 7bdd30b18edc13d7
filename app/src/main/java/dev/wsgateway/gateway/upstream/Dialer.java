package dev.wsgateway.gateway.upstream;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

import dev.wsgateway.gateway.http.Refusal;

/**
 * Opens a session's upstream, the first time and on failover, under one {@link ConnectPolicy}: a round tries the UP
 * instances in balancer order (ejected ones last), bounded in attempts and time; refusals that another instance
 * would repeat (401, 403, other 4xx) end the round. A failover repeats rounds with backoff until its deadline.
 */
public final class Dialer {
    private static final String NO_OTHER_INSTANCE = "no_other_instance";

    private final RouteResolver resolver;
    private final UpstreamConnector connector;
    private final Ejections ejections;
    private final ConnectListener listener;
    private final ConnectPolicy policy;

    /**
     * @param resolver  routes requests to instances
     * @param connector opens upstream connections
     * @param ejections passive health of instances
     * @param listener  told about every attempt
     * @param policy    attempts, deadlines and backoff
     */
    public Dialer(RouteResolver resolver, UpstreamConnector connector, Ejections ejections, ConnectListener listener,
                  ConnectPolicy policy) {
        this.resolver = resolver;
        this.connector = connector;
        this.ejections = ejections;
        this.listener = listener;
        this.policy = policy;
    }

    /**
     * A connected upstream.
     *
     * @param target the instance
     * @param link   the upgraded connection
     */
    public record Dialed(UpstreamTarget target, UpstreamConnector.Link link) {
    }

    /**
     * One round: connect to the first instance that accepts.
     *
     * @param request what to open
     * @param exclude instance ids not to use
     * @return the connected upstream
     * @throws Refusal the refusal for the client (404/503 from routing, the last connect failure)
     */
    public Dialed dial(UpstreamRequest request, Set<String> exclude) {
        List<UpstreamTarget> candidates = resolver.resolve(request);
        List<UpstreamTarget> usable = candidates.stream()
                .filter(t -> !exclude.contains(t.instance().instanceId()))
                .toList();
        if (usable.isEmpty()) {
            throw new Refusal(503, exclude.isEmpty() ? "no_instance" : NO_OTHER_INSTANCE, "No other instance of "
                    + "service '" + request.serviceId() + "' is available", Map.of("Retry-After", "5"));
        }
        long end = System.nanoTime() + policy.roundDeadline().toNanos();
        Refusal last = null;
        int attempts = 0;
        for (UpstreamTarget target : ejections.order(usable)) {
            if (attempts == policy.attempts() || (attempts > 0 && System.nanoTime() - end > 0)) {
                break;
            }
            attempts++;
            long start = System.nanoTime();
            try {
                UpstreamConnector.Link link = connector.connect(target, request.headers(), request.offered());
                ejections.succeeded(target);
                attempted(request, target, start, true);
                return new Dialed(target, link);
            } catch (Refusal e) {
                attempted(request, target, start, false);
                last = e;
                if (!retryable(e)) {
                    throw e;
                }
                ejections.failed(target, candidates);
            }
        }
        throw last;
    }

    /**
     * Rounds with backoff until an upstream is accepted, the deadline passes or the caller gives up. An upstream the
     * caller does not accept is closed and its instance excluded from the next rounds; when only excluded instances
     * are left, the next round tries them again (a lost connection to a service's only instance is re-dialled).
     *
     * @param request   what to open
     * @param exclude   instance ids not to use (grows with refused instances)
     * @param deadline  {@link System#nanoTime()} after which no round starts
     * @param abandoned whether the caller no longer needs an upstream (checked before each round)
     * @param accept    takes over an upstream, or refuses it
     * @return the accepted upstream, or {@code null} when abandoned
     * @throws Refusal the last round's failure when the deadline passed
     */
    public Dialed redial(UpstreamRequest request, Set<String> exclude, long deadline, BooleanSupplier abandoned,
                         Predicate<Dialed> accept) {
        long backoff = policy.backoff().toNanos();
        Refusal last = new Refusal(503, "no_instance", "No instance of service '" + request.serviceId()
                + "' answered in time", Map.of("Retry-After", "5"));
        while (!abandoned.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw last;
            }
            Dialed dialed;
            try {
                dialed = dial(request, exclude);
            } catch (Refusal e) {
                last = e;
                if (e.error().equals(NO_OTHER_INSTANCE)) {
                    // the excluded instances are all there is (a service with one instance): try them again
                    exclude.clear();
                }
                LockSupport.parkNanos(Math.min(backoff, Math.max(0, deadline - System.nanoTime())));
                backoff = Math.min(backoff * 2, policy.maxBackoff().toNanos());
                continue;
            }
            if (accept.test(dialed)) {
                return dialed;
            }
            close(dialed);
            exclude.add(dialed.target().instance().instanceId());
            last = new Refusal(502, "upstream_handshake", "Instance " + dialed.target().instance().instanceId()
                    + " could not continue the session");
        }
        return null;
    }

    private static void close(Dialed dialed) {
        try {
            dialed.link().close();
        } catch (RuntimeException ignored) {
            // already closed by the caller
        }
    }

    private void attempted(UpstreamRequest request, UpstreamTarget target, long start, boolean success) {
        listener.upstreamConnect(request.serviceId(), target.instance().instanceId(), System.nanoTime() - start,
                                 success);
    }

    private static boolean retryable(Refusal e) {
        return (e.status() == 502 || e.status() == 504) && !e.error().equals("upstream_rejected");
    }

    /**
     * How upstreams are connected.
     *
     * @param attempts      instances tried in one round
     * @param roundDeadline total time of a round's attempts
     * @param backoff       first pause between failover rounds
     * @param maxBackoff    longest pause between failover rounds
     */
    public record ConnectPolicy(int attempts, Duration roundDeadline, Duration backoff, Duration maxBackoff) {
    }
}
