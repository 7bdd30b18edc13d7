package dev.wsgateway.gateway.upstream;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

import dev.wsgateway.gateway.instances.Ejections;

/**
 * Opens a session's upstream, the first time and on failover, under one {@link ConnectPolicy}: a round tries the UP
 * instances in balancer order (ejected ones last), bounded in attempts and time ({@code connect-deadline}, which also
 * ends an attempt in progress); refusals that another instance would repeat (401, 403, other 4xx) end the round. A
 * failover repeats rounds with backoff until its deadline, which ends an attempt in progress too. Failures are typed
 * ({@link ConnectFailure}); which ones try the next instance is decided by type in {@link #retryable}.
 */
public final class Dialer {
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
     * One round: connect to the first instance that accepts, within {@code connect-deadline}.
     *
     * @param request what to open
     * @param exclude instance ids not to use
     * @return the connected upstream
     * @throws UpstreamException a routing failure, or the last attempt's
     */
    public Dialed dial(UpstreamRequest request, Set<String> exclude) {
        return dial(request, exclude, System.nanoTime() + policy.roundDeadline().toNanos());
    }

    /**
     * One round that also ends, an attempt in progress included, at the caller's deadline.
     */
    private Dialed dial(UpstreamRequest request, Set<String> exclude, long deadline) {
        List<UpstreamTarget> candidates = resolver.resolve(request);
        List<UpstreamTarget> usable = candidates;
        if (!exclude.isEmpty()) {
            usable = new ArrayList<>(candidates.size());
            for (UpstreamTarget target : candidates) {
                if (!exclude.contains(target.instance().instanceId())) {
                    usable.add(target);
                }
            }
        }
        if (usable.isEmpty()) {
            throw new UpstreamException(exclude.isEmpty() ? new ConnectFailure.NoInstance(request.serviceId())
                                                          : new ConnectFailure.NoOtherInstance(request.serviceId()));
        }
        long roundEnd = System.nanoTime() + policy.roundDeadline().toNanos();
        long end = deadline - roundEnd < 0 ? deadline : roundEnd;
        UpstreamException last = null;
        int attempts = 0;
        for (UpstreamTarget target : ejections.order(usable, UpstreamTarget::instance)) {
            if (attempts == policy.attempts() || (attempts > 0 && System.nanoTime() - end >= 0)) {
                break;
            }
            attempts++;
            long start = System.nanoTime();
            try {
                UpstreamConnector.Link link = connector.connect(target, request.headers(), request.offered(), end);
                ejections.succeeded(target.instance());
                attempted(request, target, start, Optional.empty());
                return new Dialed(target, link);
            } catch (UpstreamException e) {
                attempted(request, target, start, Optional.of(e.failure()));
                last = e;
                if (!retryable(e.failure())) {
                    throw e;
                }
                ejections.failed(target.instance(), candidates.stream().map(UpstreamTarget::instance).toList());
            }
        }
        throw last;
    }

    /**
     * Rounds with backoff until an upstream is accepted, the deadline passes or the caller gives up. An upstream the
     * caller does not accept is closed and its instance excluded from the next rounds; when only excluded instances
     * are left, the next round tries them again (a lost connection to a service's only instance is re-dialled). An
     * attempt still running at the deadline is ended there.
     *
     * @param request   what to open
     * @param exclude   instance ids not to use (grows with refused instances)
     * @param deadline  {@link System#nanoTime()} at which the search ends
     * @param abandoned whether the caller no longer needs an upstream (checked before each round)
     * @param accept    takes over an upstream, or refuses it
     * @return the accepted upstream, or {@code null} when abandoned
     * @throws UpstreamException the last round's failure when the deadline passed
     */
    public Dialed redial(UpstreamRequest request, Set<String> exclude, long deadline, BooleanSupplier abandoned,
                         Predicate<Dialed> accept) {
        long backoff = policy.backoff().toNanos();
        UpstreamException last = new UpstreamException(new ConnectFailure.NoInstance(request.serviceId()));
        while (!abandoned.getAsBoolean()) {
            if (System.nanoTime() - deadline >= 0) {
                throw last;
            }
            Dialed dialed;
            try {
                dialed = dial(request, exclude, deadline);
            } catch (UpstreamException e) {
                last = e;
                if (e.failure() instanceof ConnectFailure.Rejected r && r.status() < 500) {
                    // the service itself refused this session (credentials, path): no later round changes that
                    throw e;
                }
                if (e.failure() instanceof ConnectFailure.NoOtherInstance) {
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
            String instance = dialed.target().instance().instanceId();
            exclude.add(instance);
            last = new UpstreamException(new ConnectFailure.Incompatible(instance));
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

    private void attempted(UpstreamRequest request, UpstreamTarget target, long start,
                           Optional<ConnectFailure> failure) {
        listener.upstreamConnect(request.serviceId(), target.instance().instanceId(), System.nanoTime() - start,
                                 failure);
    }

    /**
     * Whether another instance may accept what this one did not: not when the service itself refused (a 4xx: the
     * credentials, the path), nor when routing found nothing to try.
     *
     * @param failure the attempt's failure
     * @return whether the round goes on to the next instance
     */
    static boolean retryable(ConnectFailure failure) {
        return switch (failure) {
        case ConnectFailure.Refused f -> true;
        case ConnectFailure.UnknownHost f -> true;
        case ConnectFailure.TimedOut f -> true;
        case ConnectFailure.TlsFailed f -> true;
        case ConnectFailure.Broken f -> true;
        case ConnectFailure.BadAnswer f -> true;
        case ConnectFailure.Incompatible f -> true;
        case ConnectFailure.Rejected f -> f.status() >= 500;
        case ConnectFailure.UnknownService f -> false;
        case ConnectFailure.UnknownRoute f -> false;
        case ConnectFailure.UnknownInstance f -> false;
        case ConnectFailure.InstanceUnavailable f -> false;
        case ConnectFailure.NoInstance f -> false;
        case ConnectFailure.NoOtherInstance f -> false;
        };
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
