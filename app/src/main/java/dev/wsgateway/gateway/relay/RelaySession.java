package dev.wsgateway.gateway.relay;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

import io.helidon.common.concurrency.limits.Limit;
import io.helidon.webserver.spi.ServerConnection;

/**
 * A routed WebSocket session: the client's connection taken over at the upgrade, the upstream connection, and the
 * two pumps between them. The client pump runs on the connection's own (virtual) thread in {@link #handle(Limit)};
 * the upstream pump on a second virtual thread. The session ends when both pumps have ended.
 */
public final class RelaySession implements ServerConnection {
    private static final System.Logger LOGGER = System.getLogger(RelaySession.class.getName());

    private final SessionInfo info;
    private final RelaySettings settings;
    private final SessionRegistry registry;
    private final Leg client;
    private final Leg upstream;
    private final FramePump fromClient;
    private final FramePump fromUpstream;
    private final long openedNanos = System.nanoTime();

    private volatile long lastDataNanos = openedNanos;
    private volatile long closingSinceNanos;
    private volatile CloseReason clientClose;
    private volatile CloseReason upstreamClose;
    private volatile String endReason;
    private volatile Thread upstreamThread;

    RelaySession(SessionInfo info, RelaySettings settings, SessionRegistry registry, Leg client, Leg upstream) {
        this.info = info;
        this.settings = settings;
        this.registry = registry;
        this.client = client;
        this.upstream = upstream;
        this.fromClient = new FramePump(this, client, upstream, true, settings.maxFrameSize(), settings.maxMessageSize());
        this.fromUpstream = new FramePump(this, upstream, client, false, settings.maxFrameSize(),
                                          settings.maxMessageSize());
    }

    /**
     * A short random session id.
     *
     * @return 12 hex digits
     */
    static String newId() {
        return String.format("%012x", ThreadLocalRandom.current().nextLong() & 0xFFFFFFFFFFFFL);
    }

    public SessionInfo info() {
        return info;
    }

    public long messagesIn() {
        return fromClient.messages();
    }

    public long messagesOut() {
        return fromUpstream.messages();
    }

    public long bytesIn() {
        return fromClient.bytes();
    }

    public long bytesOut() {
        return fromUpstream.bytes();
    }

    @Override
    public void handle(Limit limit) {
        registry.opened(this);
        LOGGER.log(System.Logger.Level.INFO, () -> "session " + info.id() + " opened: client " + info.clientAddress()
                + " " + info.redactedGatewayPath() + " -> " + info.serviceId() + "/" + info.instanceId() + " "
                + info.redactedServiceUrl()
                + (info.subprotocol().isEmpty() ? "" : " subprotocol " + info.subprotocol()));
        try {
            upstreamThread = Thread.ofVirtual().name("relay-upstream-" + info.id()).start(fromUpstream);
            fromClient.run();
            awaitUpstreamPump();
        } finally {
            client.close();
            upstream.close();
            registry.closed(this);
            long millis = Duration.ofNanos(System.nanoTime() - openedNanos).toMillis();
            LOGGER.log(System.Logger.Level.INFO, () -> "session " + info.id() + " closed after " + millis + " ms: "
                    + info.serviceId() + "/" + info.instanceId() + ", messages in " + messagesIn() + " out " + messagesOut()
                    + ", client close " + describe(clientClose) + ", upstream close " + describe(upstreamClose)
                    + (endReason == null ? "" : ", " + endReason));
        }
    }

    /**
     * The close the client sent, if any.
     *
     * @return close code and reason, or {@code null}
     */
    public CloseReason clientClose() {
        return clientClose;
    }

    /**
     * The close the upstream sent, if any.
     *
     * @return close code and reason, or {@code null}
     */
    public CloseReason upstreamClose() {
        return upstreamClose;
    }

    /**
     * The close code sent to the client (forwarded from upstream or the gateway's own); {@code 1006} when the client's
     * connection ended without one.
     *
     * @return close code
     */
    public int closeCodeToClient() {
        int code = client.closeCodeSent();
        return code == 0 ? 1006 : code;
    }

    /**
     * Why the gateway ended the session, if it did (idle, dead peer, shutdown, protocol error...).
     *
     * @return reason or {@code null}
     */
    public String endReason() {
        return endReason;
    }

    private static String describe(CloseReason reason) {
        return reason == null ? "none" : reason.toString();
    }

    private void awaitUpstreamPump() {
        Thread thread = upstreamThread;
        try {
            if (!thread.join(settings.closeTimeout())) {
                upstream.close();
                thread.join();
            }
        } catch (InterruptedException e) {
            upstream.close();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public Duration idleTime() {
        // the gateway times sessions out itself (idle-timeout, dead peers); Helidon's idle timer must never close them
        return Duration.ZERO;
    }

    @Override
    public void close(boolean interrupt) {
        terminate(CloseReason.GOING_AWAY, "Gateway shutting down", CloseReason.GOING_AWAY, "Gateway shutting down");
    }

    /**
     * End the session from the gateway's side: send each leg a close frame (unless one was sent) and wait for the
     * peers' replies up to the close timeout.
     */
    void terminate(int clientCode, String clientReason, int upstreamCode, String upstreamReason) {
        closing(clientReason);
        client.sendClose(clientCode, clientReason);
        upstream.sendClose(upstreamCode, upstreamReason);
    }

    private void closing(String why) {
        if (closingSinceNanos == 0) {
            closingSinceNanos = System.nanoTime();
            if (endReason == null) {
                endReason = why;
            }
        }
    }

    void dataRelayed() {
        lastDataNanos = System.nanoTime();
    }

    void closeReceived(Leg from, CloseReason reason) {
        if (from == client) {
            clientClose = reason;
        } else {
            upstreamClose = reason;
        }
        closing(from.name() + " sent close " + reason);
    }

    void protocolError(Leg offender, String what) {
        LOGGER.log(System.Logger.Level.DEBUG, () -> "session " + info.id() + ": protocol error from " + offender.name()
                + ": " + what);
        if (offender == client) {
            terminate(CloseReason.PROTOCOL_ERROR, what, CloseReason.GOING_AWAY, "Client protocol error");
        } else {
            terminate(CloseReason.INTERNAL_ERROR, "Upstream protocol error: " + what, CloseReason.PROTOCOL_ERROR, what);
        }
        // a peer that breaks the framing gets no close handshake: its connection is dropped
        offender.close();
    }

    void tooBig(Leg offender, long limit) {
        String reason = (offender == client ? "Message" : "Upstream message") + " larger than " + limit + " bytes";
        if (offender == client) {
            terminate(CloseReason.TOO_BIG, reason, CloseReason.GOING_AWAY, "Client message too big for the gateway");
        } else {
            terminate(CloseReason.TOO_BIG, reason, CloseReason.TOO_BIG, reason);
        }
    }

    /**
     * A pump stopped reading its source: after a complete close handshake, a failure, or the peer vanishing.
     */
    void pumpEnded(FramePump pump, Throwable failure) {
        Leg src = pump.source();
        Leg other = src == client ? upstream : client;
        boolean orderly = src.closeReceived() || closingSinceNanos != 0;
        if (!orderly) {
            String cause = failure == null ? "closed the connection without a close frame" : "connection failed";
            if (src == upstream) {
                closing("upstream " + cause);
                client.sendClose(CloseReason.GOING_AWAY, "Upstream " + cause);
            } else {
                closing("client " + cause);
                upstream.sendClose(CloseReason.GOING_AWAY, "Client " + cause);
            }
        }
        src.close();
        if (other.closeHandshakeDone() || other.closeReceived()) {
            other.close();
        }
    }

    /**
     * Called by the watchdog: pings quiet peers, drops dead ones, ends idle and stuck-closing sessions.
     */
    void check(long now, long token) {
        if (closingSinceNanos != 0) {
            if (now - closingSinceNanos > settings.closeTimeout().toNanos()) {
                client.close();
                upstream.close();
            }
            return;
        }
        if (!settings.idleTimeout().isZero() && now - lastDataNanos > settings.idleTimeout().toNanos()) {
            Thread.ofVirtual().start(() -> terminate(CloseReason.GOING_AWAY, "Idle timeout",
                                                     CloseReason.GOING_AWAY, "Idle timeout"));
            return;
        }
        if (!settings.pingInterval().isZero()) {
            checkPeer(client, now, token);
            checkPeer(upstream, now, token);
        }
    }

    private void checkPeer(Leg leg, long now, long token) {
        long silent = now - leg.lastReadNanos();
        if (silent > settings.pingInterval().plus(settings.pongTimeout()).toNanos()) {
            endReason = leg.name() + " did not answer pings for " + Duration.ofNanos(silent).toMillis() + " ms";
            LOGGER.log(System.Logger.Level.INFO, () -> "session " + info.id() + ": " + endReason);
            // closing the socket fails the pump reading it; pumpEnded then closes the other side with a reason
            leg.close();
        } else if (silent > settings.pingInterval().toNanos() && leg.pingToken() == 0) {
            Thread.ofVirtual().start(() -> leg.sendPing(token));
        }
    }

    @Override
    public String toString() {
        return "session " + info.id();
    }

    /**
     * When the session opened.
     *
     * @return instant
     */
    public Instant openedAt() {
        return info.openedAt();
    }

    /**
     * End the session on an operator's request: a close frame with {@code code} and {@code reason} to the client,
     * {@code 1001} with the same reason to the service, then the usual close handshake (bounded by the close timeout).
     *
     * @param code   close code for the client (e.g. {@code 1008})
     * @param reason close reason (at most 123 bytes of UTF-8)
     */
    public void close(int code, String reason) {
        closing(reason);
        // reserve both closes first: the client's reply to its close must not reach the service before our 1001
        boolean toClient = client.claimClose(code);
        boolean toUpstream = upstream.claimClose(CloseReason.GOING_AWAY);
        if (toClient) {
            client.sendClaimedClose(code, reason);
        }
        if (toUpstream) {
            upstream.sendClaimedClose(CloseReason.GOING_AWAY, reason);
        }
    }
}
