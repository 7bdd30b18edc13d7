package dev.wsgateway.gateway.relay;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.function.BiConsumer;

import dev.wsgateway.gateway.relay.SessionState.Phase;
import dev.wsgateway.gateway.upstream.ConnectFailure;
import dev.wsgateway.gateway.upstream.Dialer;
import dev.wsgateway.gateway.upstream.UpstreamException;
import dev.wsgateway.gateway.upstream.UpstreamRequest;


/**
 * Re-dials a session's upstream request on another instance and resumes the session there: the new instance must
 * negotiate the same subprotocol and extensions, then the held frames are written to it and the client pump switches
 * over. Runs on the session's upstream thread while the session is {@code FAILING_OVER}.
 */
final class Failover {
    private final SessionState state;
    private final UpstreamSide side;
    private final Dialer dialer;
    private final UpstreamRequest request;
    private final Duration timeout;
    private final String subprotocol;
    private final String extensions;

    private static final System.Logger LOGGER = System.getLogger(Failover.class.getName());
    private static final Outcome ENDED = new Outcome(null, null, null);

    /**
     * The end of a failover.
     *
     * @param dialed  the upstream the session resumed on, {@code null} if it did not
     * @param close   how the client must be closed, {@code null} when resumed or when the session ended meanwhile
     * @param detail  what the close's reason adds to the rule's text
     */
    record Outcome(Dialer.Dialed dialed, GatewayClose close, String detail) {
    }

    /**
     * @param state       the session's state
     * @param side        the client pump's view of the upstream
     * @param dialer      opens upstreams
     * @param request     the session's upstream request
     * @param timeout     how long to look for an instance
     * @param subprotocol the subprotocol the session negotiated
     * @param extensions  the extensions it negotiated
     */
    Failover(SessionState state, UpstreamSide side, Dialer dialer, UpstreamRequest request, Duration timeout,
             String subprotocol, String extensions) {
        this.state = state;
        this.side = side;
        this.dialer = dialer;
        this.request = request;
        this.timeout = timeout;
        this.subprotocol = subprotocol;
        this.extensions = extensions;
    }

    /**
     * Fail over: hold the client's frames, find another instance and resume there.
     *
     * @param sessionId    for the log
     * @param lost         the pump of the lost upstream
     * @param lostInstance the instance that was lost
     * @param switched     called under the session's lock once the client pump writes to the new leg
     * @return the outcome
     */
    Outcome run(String sessionId, FramePump lost, String lostInstance, BiConsumer<Leg, Dialer.Dialed> switched) {
        Loss loss = side.beginFailover(!lost.failoverRequested());
        if (loss == Loss.ENDED) {
            return ENDED;
        }
        if (loss.fatal()) {
            return new Outcome(null, loss.close(), "");
        }
        String cause = lost.failoverRequested() ? "went away" : lost.failure() == null ? "closed the connection"
                : "failed";
        LOGGER.log(System.Logger.Level.INFO, () -> "session " + sessionId + ": upstream " + lostInstance + " " + cause
                + ", failing over");
        long start = System.nanoTime();
        Outcome outcome = dial(lostInstance, switched);
        if (outcome.dialed() != null) {
            long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
            String to = outcome.dialed().target().instance().instanceId();
            LOGGER.log(System.Logger.Level.INFO, () -> "session " + sessionId + ": failed over from " + lostInstance
                    + " to " + to + " in " + millis + " ms");
        }
        return outcome;
    }

    private Outcome dial(String lostInstance, BiConsumer<Leg, Dialer.Dialed> switched) {
        Set<String> exclude = new HashSet<>();
        exclude.add(lostInstance);
        long deadline = System.nanoTime() + timeout.toNanos();
        Dialer.Dialed dialed;
        try {
            dialed = dialer.redial(request, exclude, deadline,
                                   () -> state.phase() != Phase.FAILING_OVER || side.heldExpired(System.nanoTime()),
                                   candidate -> compatible(candidate) && resume(candidate, switched));
        } catch (UpstreamException e) {
            return new Outcome(null, close(e.failure()), "'" + request.serviceId() + "' to continue the session: "
                    + e.failure().message());
        }
        if (dialed != null) {
            return new Outcome(dialed, null, null);
        }
        if (side.heldExpired(System.nanoTime())) {
            return new Outcome(null, GatewayClose.FAILOVER_HELD_TOO_LONG, side.heldMaxMillis() + " ms");
        }
        return ENDED;
    }

    /**
     * How the client is closed when the failover's last attempt failed this way: decided by the failure's type, never
     * by its message.
     *
     * @param failure the last attempt's failure
     * @return the rule
     */
    static GatewayClose close(ConnectFailure failure) {
        return switch (failure) {
        case ConnectFailure.NoInstance f -> GatewayClose.FAILOVER_NO_INSTANCE;
        case ConnectFailure.NoOtherInstance f -> GatewayClose.FAILOVER_NO_INSTANCE;
        case ConnectFailure.InstanceUnavailable f -> GatewayClose.FAILOVER_NO_INSTANCE;
        // the service left discovery or its route during the failover (a redeployment): it may come back
        case ConnectFailure.UnknownService f -> GatewayClose.FAILOVER_NO_INSTANCE;
        case ConnectFailure.UnknownRoute f -> GatewayClose.FAILOVER_NO_INSTANCE;
        case ConnectFailure.UnknownInstance f -> GatewayClose.FAILOVER_NO_INSTANCE;
        case ConnectFailure.Refused f -> GatewayClose.FAILOVER_NO_INSTANCE;
        case ConnectFailure.UnknownHost f -> GatewayClose.FAILOVER_NO_INSTANCE;
        case ConnectFailure.TimedOut f -> GatewayClose.FAILOVER_NO_INSTANCE;
        case ConnectFailure.Broken f -> GatewayClose.FAILOVER_NO_INSTANCE;
        case ConnectFailure.Rejected f when f.status() == 401 || f.status() == 403 ->
                GatewayClose.FAILOVER_CREDENTIALS_REFUSED;
        case ConnectFailure.Rejected f when f.status() >= 500 -> GatewayClose.FAILOVER_NO_INSTANCE;
        case ConnectFailure.Rejected f -> GatewayClose.FAILOVER_BAD_UPSTREAM;
        case ConnectFailure.TlsFailed f -> GatewayClose.FAILOVER_BAD_UPSTREAM;
        case ConnectFailure.BadAnswer f -> GatewayClose.FAILOVER_BAD_UPSTREAM;
        case ConnectFailure.Incompatible f -> GatewayClose.FAILOVER_BAD_UPSTREAM;
        };
    }

    private boolean compatible(Dialer.Dialed candidate) {
        return candidate.link().subprotocol().equals(subprotocol) && candidate.link().extensions().equals(extensions);
    }

    private boolean resume(Dialer.Dialed candidate, BiConsumer<Leg, Dialer.Dialed> switched) {
        Leg leg = Leg.upstream(candidate.link());
        if (side.resume(leg, () -> switched.accept(leg, candidate))) {
            return true;
        }
        leg.close();
        return false;
    }
}
