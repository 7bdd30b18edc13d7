package dev.wsgateway.gateway.relay;

import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.wsgateway.gateway.config.FailoverSettings;
import dev.wsgateway.gateway.config.RelaySettings;
import dev.wsgateway.gateway.relay.SessionMachine.Side;
import dev.wsgateway.gateway.relay.SessionState.Phase;
import dev.wsgateway.gateway.upstream.Dialer;
import dev.wsgateway.gateway.upstream.UpstreamRequest;

import io.helidon.common.concurrency.limits.Limit;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.websocket.WsCloseCodes;

/**
 * A routed WebSocket session: the client's connection taken over at the upgrade, the upstream connection, and the
 * two pumps between them. The client pump runs on the connection's own (virtual) thread in {@link #handle(Limit)};
 * the upstream pump on a second virtual thread. The session ends when both pumps have ended.
 * <p>
 * This class is the session's lifecycle: it gives the session's events to its {@link SessionMachine} (which owns the
 * phase, the close flags and the close policy) through {@link SessionEvents}, which carries out the actions the
 * machine answers after letting go of the session's lock. Its phases are in {@link SessionState}; the client pump's
 * view of the upstream (held frames, replay) is {@link UpstreamSide}; moving to another instance is {@link Failover};
 * the timers are the {@link Watchdog}'s.
 */
public final class RelaySession implements ServerConnection {
    private static final VarHandle LAST_DATA_NANOS = Opaque.handle(RelaySession.class, "lastDataNanos");
    private static final System.Logger LOGGER = System.getLogger(RelaySession.class.getName());

    private final RelaySettings settings;
    private final SessionRegistry registry;
    private final SessionState state;
    private final ReservedBits reservedBits;
    private final Leg client;
    private final UpstreamSide upstream;
    private final Failover failover;
    private final FramePump fromClient;
    private final SessionEvents events = new SessionEvents(this);
    private final long openedNanos = System.nanoTime();

    private volatile SessionInfo info;
    private volatile FramePump fromUpstream;
    private volatile long messagesOutBefore;
    private volatile long bytesOutBefore;
    private volatile int failovers;
    // see Opaque: written per data frame by both pumps, read by the watchdog
    private long lastDataNanos = openedNanos;
    private volatile CloseReason clientClose;
    private volatile CloseReason upstreamClose;
    private volatile Thread upstreamThread;

    RelaySession(SessionInfo info,
                 RelaySettings settings,
                 FailoverSettings failoverSettings,
                 boolean failoverEnabled,
                 FailoverSettings.Acknowledge acknowledge,
                 SessionRegistry registry,
                 Dialer dialer,
                 UpstreamRequest request,
                 String extensions,
                 Leg client,
                 Leg upstreamLeg) {
        this.info = info;
        this.settings = settings;
        this.state = new SessionState(failoverEnabled);
        this.registry = registry;
        this.client = client;
        client.bind(state.machine().flags(Side.CLIENT));
        upstreamLeg.bind(state.machine().flags(Side.UPSTREAM));
        boolean replay = failoverEnabled && !failoverSettings.replayWindow().isZero();
        this.upstream = new UpstreamSide(state,
                                         new HeldFrames(failoverSettings.bufferSize(), failoverSettings.bufferTime()),
                                         replay ? new ReplayWindow(failoverSettings.replayWindow(),
                                                                   failoverSettings.replaySize(),
                                                                   acknowledge == FailoverSettings.Acknowledge.ANSWER)
                                                 : null,
                                         new SessionOwner(this), upstreamLeg);
        this.failover = failoverEnabled
                ? new Failover(state, upstream, dialer, request, failoverSettings.timeout(), info.subprotocol(),
                               extensions)
                : null;
        this.reservedBits = ReservedBits.negotiated(extensions);
        this.fromClient = new FramePump(events, client, upstream, true, settings.maxFrameSize(),
                                        settings.maxMessageSize(), settings.maxMessageFragments(), reservedBits);
        this.fromUpstream = upstreamPump(upstreamLeg);
    }

    private FramePump upstreamPump(Leg leg) {
        return new FramePump(events, leg, client, false, settings.maxFrameSize(), settings.maxMessageSize(),
                             settings.maxMessageFragments(), reservedBits);
    }

    public SessionInfo info() {
        return info;
    }

    public long messagesIn() {
        return fromClient.messages();
    }

    public long messagesOut() {
        return messagesOutBefore + fromUpstream.messages();
    }

    public long bytesIn() {
        return fromClient.bytes();
    }

    public long bytesOut() {
        return bytesOutBefore + fromUpstream.bytes();
    }

    /** @return how many times the session moved to another instance */
    public int failovers() {
        return failovers;
    }

    /**
     * @return when the session opened
     */
    public Instant openedAt() {
        return info.openedAt();
    }

    /** @return the close the client sent (code and reason), or {@code null} */
    public CloseReason clientClose() {
        return clientClose;
    }

    /** @return the close the upstream sent (code and reason), or {@code null} */
    public CloseReason upstreamClose() {
        return upstreamClose;
    }

    /** @return the close code the gateway sent or forwarded to the service's last connection; 0 when none */
    public int closeCodeToService() {
        return upstream.leg().closeCodeSent();
    }

    /**
     * The close code sent to the client (forwarded from upstream or the gateway's own); {@code 1006} when the client's
     * connection ended without a close handshake (the client vanished, or none was sent).
     *
     * @return close code
     */
    public int closeCodeToClient() {
        int code = client.closeCodeSent();
        return code == 0 || state.machine().clientLost() ? WsCloseCodes.CLOSED_ABNORMALLY : code;
    }

    /**
     * Why the gateway ended the session, if it did (idle, dead peer, shutdown, protocol error...).
     *
     * @return reason or {@code null}
     */
    public String endReason() {
        return state.endReason();
    }

    @Override
    public void handle(Limit limit) {
        registry.opened(this);
        LOGGER.log(System.Logger.Level.INFO, () -> "session " + info.id() + " opened: client " + info.clientAddress()
                + (info.user().isEmpty() ? "" : " user " + info.user()) + " " + info.redactedGatewayPath() + " -> "
                + info.serviceId() + "/" + info.instanceId() + " " + info.redactedServiceUrl()
                + (info.subprotocol().isEmpty() ? "" : " subprotocol " + info.subprotocol()));
        try {
            upstreamThread = Thread.ofVirtual().name("relay-upstream-" + info.id()).start(this::runUpstream);
            fromClient.run();
            events.clientPumpEnded(fromClient);
            awaitUpstreamThread();
        } finally {
            client.close(); // it may linger (its close was sent): waited for below
            upstream.leg().close();
            state.to(Phase.CLOSED);
            registry.closed(this);
            long millis = Duration.ofNanos(System.nanoTime() - openedNanos).toMillis();
            LOGGER.log(System.Logger.Level.INFO, () -> "session " + info.id() + " closed after " + millis + " ms: "
                    + info.serviceId() + "/" + info.instanceId() + ", messages in " + messagesIn() + " out "
                    + messagesOut() + (failovers == 0 ? "" : ", failovers " + failovers) + ", client close "
                    + describe(clientClose) + ", upstream close " + describe(upstreamClose) + ", sent to client "
                    + closeCodeToClient() + (endReason() == null ? "" : ", " + endReason()));
            client.awaitLinger();
        }
    }

    private void runUpstream() {
        while (true) {
            FramePump pump = fromUpstream;
            pump.run();
            if (!events.upstreamPumpEnded(pump)) {
                return;
            }
        }
    }

    private void awaitUpstreamThread() {
        Thread thread = upstreamThread;
        try {
            if (!thread.join(settings.closeTimeout().plus(settings.connectTimeout()))) {
                upstream.leg().abort();
                thread.join(settings.closeTimeout());
            }
        } catch (InterruptedException e) {
            upstream.leg().abort();
            Thread.currentThread().interrupt();
        }
    }

    private static String describe(CloseReason reason) {
        return reason == null ? "none" : reason.toString();
    }

    @Override
    public Duration idleTime() {
        // the gateway times sessions out itself (idle-timeout, dead peers); Helidon's idle timer must never close them
        return Duration.ZERO;
    }

    @Override
    public void close(boolean interrupt) {
        terminate(GatewayClose.SHUTDOWN, "", "");
    }

    /**
     * End the session on an operator's request: a close frame with {@code code} and {@code reason} to the client,
     * {@code 1001} with the same reason to the service, then the usual close handshake (bounded by the close timeout).
     *
     * @param code   close code for the client (e.g. {@code 1008})
     * @param reason close reason (at most 123 bytes of UTF-8)
     */
    public void close(int code, String reason) {
        events.act(reason, m -> m.terminate(GatewayClose.OPERATOR, code), reason, reason);
    }

    /**
     * Move the session off its instance (it is draining): the upstream is asked to close, the client's frames are
     * held meanwhile, and the session fails over when the close handshake with the old instance is done.
     *
     * @param reason why, for the old instance's close frame and the log
     */
    public void migrate(String reason) {
        List<SessionAction> actions = upstream.beginMigration();
        if (actions == null) {
            return;
        }
        LOGGER.log(System.Logger.Level.INFO, () -> "session " + info.id() + ": migrating off " + info.instanceId()
                + ": " + reason);
        events.carryOut(actions, "", reason);
    }

    /**
     * End the session from the gateway's side by a rule of {@link GatewayClose}: send each leg its close frame (unless
     * one was sent) and wait for the peers' replies up to the close timeout. No failover happens after this.
     *
     * @param rule          the rule
     * @param clientDetail  what the client's reason adds to the rule's text
     * @param serviceDetail what the service's reason adds
     */
    void terminate(GatewayClose rule, String clientDetail, String serviceDetail) {
        events.act(rule.clientReason(clientDetail), m -> m.terminate(rule, rule.clientCode()), clientDetail,
                   serviceDetail);
    }

    /**
     * Close the client because the session cannot continue.
     *
     * @param rule   the rule
     * @param detail what the client's reason adds to the rule's text
     */
    void failClient(GatewayClose rule, String detail) {
        String reason = rule.clientReason(detail);
        LOGGER.log(System.Logger.Level.INFO, () -> "session " + info.id() + ": " + reason);
        events.act(reason, m -> m.failoverFailed(rule), detail, "");
    }

    boolean failoverPossible() {
        return state.machine().failoverPossible();
    }

    /**
     * Continue the session on another instance. Runs on the upstream thread.
     *
     * @return whether the session resumed
     */
    boolean failover(FramePump lost) {
        lost.source().close();
        String from = info.instanceId();
        Failover.Outcome outcome = failover.run(info.id(), lost, from, (leg, dialed) -> {
            messagesOutBefore += lost.messages();
            bytesOutBefore += lost.bytes();
            fromUpstream = upstreamPump(leg);
            info = info.movedTo(dialed.target().instance().instanceId(), dialed.target().uri());
            failovers++;
        });
        if (outcome.dialed() == null) {
            if (outcome.close() != null) {
                failClient(outcome.close(), outcome.detail());
            }
            return false;
        }
        String to = outcome.dialed().target().instance().instanceId();
        registry.notify(l -> l.failover(this, from, to));
        return true;
    }

    SessionState state() {
        return state;
    }

    /**
     * A data frame passed (for the idle timer).
     */
    void dataRelayed(long readNanos) {
        LAST_DATA_NANOS.setOpaque(this, readNanos);
    }

    /**
     * A leg sent a valid close: remember it, and the session is closing.
     */
    void closeReceived(Leg from, CloseReason reason) {
        if (from == client) {
            clientClose = reason;
        } else {
            upstreamClose = reason;
        }
        Side side = from == client ? Side.CLIENT : Side.UPSTREAM;
        events.act(from.name() + " sent close " + reason, m -> m.closeReceived(side, reason.code()), "", "");
    }

    Leg client() {
        return client;
    }

    UpstreamSide upstream() {
        return upstream;
    }

    long lastDataNanos() {
        return (long) LAST_DATA_NANOS.getOpaque(this);
    }

    /**
     * Carry out what an expired timer calls for ({@link SessionMachine#deadlineExpired}): asked without the lock, the
     * actions (closing sockets: a TLS close writes) on a virtual thread, so the watchdog never waits.
     *
     * @param deadline the timer
     */
    void deadlineExpired(SessionMachine.Deadline deadline) {
        List<SessionAction> actions = state.machine().deadlineExpired(deadline);
        if (!actions.isEmpty()) {
            Thread.ofVirtual().start(() -> events.carryOut(actions, "", ""));
        }
    }

    @Override
    public String toString() {
        return "session " + info.id();
    }
}
