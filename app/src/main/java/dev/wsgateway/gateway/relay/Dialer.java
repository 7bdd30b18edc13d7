package dev.wsgateway.gateway.relay;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.wsgateway.gateway.balancing.Ejections;
import dev.wsgateway.gateway.routing.GatewayException;
import dev.wsgateway.gateway.routing.GatewayPath;
import dev.wsgateway.gateway.routing.RouteResolver;
import dev.wsgateway.gateway.routing.UpstreamTarget;

/**
 * Opens an upstream for a session: resolves the UP instances in balancer order (ejected ones last), and tries
 * them until one accepts, bounded in attempts and total time. Refusals that another instance would repeat
 * (401, 403, other 4xx) are not retried.
 */
final class Dialer {
    private final RouteResolver resolver;
    private final UpstreamConnector connector;
    private final Ejections ejections;
    private final SessionRegistry sessions;
    private final int maxAttempts;
    private final Duration deadline;

    Dialer(RouteResolver resolver, UpstreamConnector connector, Ejections ejections, SessionRegistry sessions,
           int maxAttempts, Duration deadline) {
        this.resolver = resolver;
        this.connector = connector;
        this.ejections = ejections;
        this.sessions = sessions;
        this.maxAttempts = maxAttempts;
        this.deadline = deadline;
    }

    /**
     * What a session needs to open (or reopen) its upstream.
     *
     * @param path      the parsed gateway path
     * @param rawQuery  raw query
     * @param headers   forwarded handshake headers
     * @param offered   subprotocols to offer
     */
    record Request(GatewayPath path, String rawQuery, Map<String, List<String>> headers, List<String> offered) {
    }

    /**
     * A connected upstream.
     *
     * @param target the instance
     * @param link   the upgraded connection
     */
    record Dialed(UpstreamTarget target, UpstreamConnector.Link link) {
    }

    /**
     * Connect.
     *
     * @param request what to open
     * @param exclude instance ids not to use (those that just failed)
     * @return the connected upstream
     * @throws GatewayException the refusal for the client (404/503 from routing, the last connect failure)
     */
    Dialed dial(Request request, Set<String> exclude) {
        List<UpstreamTarget> candidates = resolver.resolve(request.path(), request.rawQuery());
        List<UpstreamTarget> usable = candidates.stream()
                .filter(t -> !exclude.contains(t.instance().instanceId()))
                .toList();
        if (usable.isEmpty()) {
            throw new GatewayException(503, "no_instance", "No other instance of service '"
                    + request.path().serviceId() + "' is available", Map.of("Retry-After", "5"));
        }
        long end = System.nanoTime() + deadline.toNanos();
        GatewayException last = null;
        int attempts = 0;
        for (UpstreamTarget target : ejections.order(usable)) {
            if (attempts == maxAttempts || (attempts > 0 && System.nanoTime() - end > 0)) {
                break;
            }
            attempts++;
            long start = System.nanoTime();
            try {
                UpstreamConnector.Link link = connector.connect(target, request.headers(), request.offered());
                ejections.succeeded(target);
                notifyConnect(request, target, start, true);
                return new Dialed(target, link);
            } catch (GatewayException e) {
                notifyConnect(request, target, start, false);
                last = e;
                if (!retryable(e)) {
                    throw e;
                }
                ejections.failed(target, candidates);
            }
        }
        throw last;
    }

    private void notifyConnect(Request request, UpstreamTarget target, long start, boolean success) {
        long nanos = System.nanoTime() - start;
        sessions.notify(l -> l.upstreamConnect(request.path().serviceId(), target.instance().instanceId(), nanos, success));
    }

    private static boolean retryable(GatewayException e) {
        return (e.status() == 502 || e.status() == 504) && !e.error().equals("upstream_rejected");
    }
}
