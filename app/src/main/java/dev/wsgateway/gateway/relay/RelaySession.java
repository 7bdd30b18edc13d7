package dev.wsgateway.gateway.relay;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import dev.wsgateway.gateway.routing.GatewayException;

import io.helidon.common.concurrency.limits.Limit;
import io.helidon.webserver.spi.ServerConnection;

/**
 * A routed WebSocket session: the client's connection taken over at the upgrade, the upstream connection, and the
 * two pumps between them. The client pump runs on the connection's own (virtual) thread in {@link #handle(Limit)};
 * the upstream pump on a second virtual thread. The session ends when both pumps have ended.
 * <p>
 * When the upstream is lost without a close handshake (or says it is going away) and failover is on, the client
 * stays connected: its frames are held (bounded) while the same upstream request is opened on another UP instance,
 * then delivered in order, and relaying resumes.
 */
public final class RelaySession implements ServerConnection {
    private static final System.Logger LOGGER = System.getLogger(RelaySession.class.getName());

    private enum State { CONNECTED, FAILING_OVER, CLOSED }

    private final RelaySettings settings;
    private final FailoverSettings failover;
    private final boolean failoverEnabled;
    private final boolean replay;
    private final SessionRegistry registry;
    private final Dialer dialer;
    private final Dialer.Request request;
    private final String extensions;
    private final FramePump.ReservedBits reservedBits;
    private final Leg client;
    private final FramePump fromClient;
    private final UpstreamSink upstreamSink = new UpstreamSink();
    private final long openedNanos = System.nanoTime();

    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<byte[]> held = new ArrayDeque<>();
    private long heldBytes;
    private long heldSinceNanos;
    private boolean heldEndsMidFrame;
    private boolean heldMessageOpen;
    private boolean messageOpenUpstream;
    private final ArrayDeque<Sent> sent = new ArrayDeque<>();
    private long sentBytes;
    private long lastFailoverNanos;
    private volatile State state = State.CONNECTED;

    private volatile SessionInfo info;
    private volatile Leg upstream;
    private volatile FramePump fromUpstream;
    private volatile long messagesOutBefore;
    private volatile long bytesOutBefore;
    private volatile int failovers;
    private volatile long migratingSinceNanos;
    private volatile long lastDataNanos = openedNanos;
    private volatile long closingSinceNanos;
    private volatile CloseReason clientClose;
    private volatile CloseReason upstreamClose;
    private volatile String endReason;
    private volatile Thread upstreamThread;
    private volatile boolean clientLost;

    RelaySession(SessionInfo info,
                 RelaySettings settings,
                 FailoverSettings failover,
                 boolean failoverEnabled,
                 SessionRegistry registry,
                 Dialer dialer,
                 Dialer.Request request,
                 String extensions,
                 Leg client,
                 Leg upstream) {
        this.info = info;
        this.settings = settings;
        this.failover = failover;
        this.failoverEnabled = failoverEnabled;
        this.replay = failoverEnabled && !failover.replayWindow().isZero();
        this.registry = registry;
        this.dialer = dialer;
        this.request = request;
        this.extensions = extensions;
        this.reservedBits = FramePump.ReservedBits.negotiated(extensions);
        this.client = client;
        this.upstream = upstream;
        this.fromClient = new FramePump(this, client, upstreamSink, true, settings.maxFrameSize(),
                                        settings.maxMessageSize(), reservedBits);
        this.fromUpstream = upstreamPump(upstream);
    }

    private FramePump upstreamPump(Leg leg) {
        return new FramePump(this, leg, client, false, settings.maxFrameSize(), settings.maxMessageSize(),
                             reservedBits);
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
        return messagesOutBefore + fromUpstream.messages();
    }

    public long bytesIn() {
        return fromClient.bytes();
    }

    public long bytesOut() {
        return bytesOutBefore + fromUpstream.bytes();
    }

    /**
     * How many times the session moved to another instance.
     *
     * @return failovers
     */
    public int failovers() {
        return failovers;
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
            clientPumpEnded();
            awaitUpstreamThread();
        } finally {
            client.close();
            upstream.close();
            registry.closed(this);
            long millis = Duration.ofNanos(System.nanoTime() - openedNanos).toMillis();
            LOGGER.log(System.Logger.Level.INFO, () -> "session " + info.id() + " closed after " + millis + " ms: "
                    + info.serviceId() + "/" + info.instanceId() + ", messages in " + messagesIn() + " out "
                    + messagesOut() + (failovers == 0 ? "" : ", failovers " + failovers) + ", client close "
                    + describe(clientClose) + ", upstream close " + describe(upstreamClose) + ", sent to client "
                    + closeCodeToClient() + (endReason == null ? "" : ", " + endReason));
        }
    }

    private void runUpstream() {
        while (true) {
            FramePump pump = fromUpstream;
            pump.run();
            if (!upstreamPumpEnded(pump)) {
                return;
            }
        }
    }

    private void awaitUpstreamThread() {
        Thread thread = upstreamThread;
        try {
            if (!thread.join(settings.closeTimeout().plus(settings.connectTimeout()))) {
                upstream.close();
                thread.join(settings.closeTimeout());
            }
        } catch (InterruptedException e) {
            upstream.close();
            Thread.currentThread().interrupt();
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
     * connection ended without a close handshake (the client vanished, or none was sent).
     *
     * @return close code
     */
    public int closeCodeToClient() {
        int code = client.closeCodeSent();
        return code == 0 || clientLost ? 1006 : code;
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
     * peers' replies up to the close timeout. No failover happens after this.
     */
    void terminate(int clientCode, String clientReason, int upstreamCode, String upstreamReason) {
        closing(clientReason);
        endFailover();
        client.sendClose(clientCode, clientReason);
        upstream.sendClose(upstreamCode, upstreamReason);
    }

    /**
     * No failover from now on: drop held frames.
     */
    private void endFailover() {
        lock.lock();
        try {
            state = State.CLOSED;
            held.clear();
        } finally {
            lock.unlock();
        }
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

    /**
     * A peer broke the protocol: it gets {@code code} (1002, or 1007 for invalid UTF-8) and its connection is dropped;
     * the other side gets the documented code (1011 to the client for a faulty service, 1001 to the service for a
     * faulty client).
     */
    void protocolError(Leg offender, int code, String what) {
        LOGGER.log(System.Logger.Level.DEBUG, () -> "session " + info.id() + ": protocol error from " + offender.name()
                + ": " + what);
        if (offender == client) {
            terminate(code, what, CloseReason.GOING_AWAY, "Client protocol error");
        } else {
            terminate(CloseReason.INTERNAL_ERROR, "Upstream protocol error: " + what, code, what);
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
     * Whether an upstream close with this code should move the session to another instance instead of reaching the
     * client: 1001 (going away) and 1012 (service restart), or any close while the session migrates.
     */
    boolean failoverOnClose(int code) {
        return migratingSinceNanos != 0 || ((code == CloseReason.GOING_AWAY || code == CloseReason.SERVICE_RESTART)
                && failoverPossible());
    }

    private boolean failoverPossible() {
        return failoverEnabled && state != State.CLOSED && closingSinceNanos == 0 && !client.closeSent()
                && !client.closeReceived();
    }

    /**
     * Move the session off its instance (it is draining): the upstream is asked to close, the client's frames are
     * held meanwhile, and the session fails over when the close handshake with the old instance is done.
     *
     * @param reason why, for the old instance's close frame and the log
     */
    public void migrate(String reason) {
        lock.lock();
        try {
            if (state != State.CONNECTED || !failoverPossible() || messageOpenUpstream || migratingSinceNanos != 0) {
                return;
            }
            migratingSinceNanos = System.nanoTime();
            state = State.FAILING_OVER;
            // the old instance reads everything up to our close frame: nothing to replay
            sent.clear();
            sentBytes = 0;
        } finally {
            lock.unlock();
        }
        LOGGER.log(System.Logger.Level.INFO, () -> "session " + info.id() + ": migrating off " + info.instanceId()
                + ": " + reason);
        upstream.sendClose(CloseReason.GOING_AWAY, reason);
    }

    /**
     * The client pump stopped: after a close handshake, a failure, or the client vanishing.
     */
    private void clientPumpEnded() {
        boolean orderly = client.closeReceived() || closingSinceNanos != 0;
        if (!orderly) {
            clientLost = true;
            String cause = fromClient.failure() == null ? "closed the connection without a close frame"
                    : "connection failed";
            closing("client " + cause);
            upstream.sendClose(CloseReason.GOING_AWAY, "Client " + cause);
        }
        endFailover();
        client.close();
        Leg up = upstream;
        // otherwise the service answers the close frame it got, or the watchdog drops it after the close timeout
        if (up.closeHandshakeDone() || up.closeReceived()) {
            up.close();
        }
    }

    /**
     * An upstream pump stopped.
     *
     * @return whether the session failed over and a new upstream pump is ready
     */
    private boolean upstreamPumpEnded(FramePump pump) {
        Leg src = pump.source();
        boolean orderly = (src.closeReceived() && !pump.failoverRequested()) || closingSinceNanos != 0
                || state == State.CLOSED;
        if (!orderly && failoverEnabled && failoverPossible()) {
            if (pump.cutMidMessage()) {
                src.close();
                failClient(CloseReason.INTERNAL_ERROR, "Upstream was lost in the middle of a message; it cannot be "
                        + "resumed on another instance");
                return false;
            }
            return failover(pump);
        }
        if (!orderly) {
            String cause = pump.failoverRequested() ? "is going away"
                    : pump.failure() == null ? "closed the connection without a close frame" : "connection failed";
            closing("upstream " + cause);
            client.sendClose(CloseReason.GOING_AWAY, "Upstream " + cause);
        }
        src.close();
        if (client.closeHandshakeDone() || client.closeReceived()) {
            client.close();
        }
        return false;
    }

    /**
     * Open the same upstream request on another UP instance and resume, holding the client's frames meanwhile.
     * Runs on the upstream thread.
     *
     * @return whether the session resumed
     */
    private boolean failover(FramePump lost) {
        Leg old = lost.source();
        old.close();
        String from = info.instanceId();
        boolean messageCut;
        lock.lock();
        try {
            if (state == State.CLOSED) {
                return false;
            }
            // already failing over when a write found the upstream gone (that write decided about cutting)
            messageCut = state == State.CONNECTED && beginFailover(!lost.failoverRequested());
        } finally {
            lock.unlock();
        }
        if (messageCut) {
            failClient(CloseReason.INTERNAL_ERROR, "A fragmented message was cut by the loss of the upstream; it "
                    + "cannot be resumed on another instance");
            return false;
        }
        String cause = lost.failoverRequested() ? "went away" : lost.failure() == null ? "closed the connection"
                : "failed";
        LOGGER.log(System.Logger.Level.INFO, () -> "session " + info.id() + ": upstream " + from + " " + cause
                + ", failing over");
        Set<String> exclude = new HashSet<>();
        exclude.add(from);
        long start = System.nanoTime();
        long deadline = start + failover.timeout().toNanos();
        long backoff = Duration.ofMillis(50).toNanos();
        GatewayException last = null;
        while (true) {
            if (state == State.CLOSED) {
                return false;
            }
            if (heldExpired()) {
                failClient(CloseReason.TRY_AGAIN_LATER, "Messages held during failover waited longer than "
                        + failover.bufferTime().toMillis() + " ms");
                return false;
            }
            if (System.nanoTime() - deadline > 0) {
                String why = last == null ? "" : ": " + last.getMessage();
                failClient(CloseReason.TRY_AGAIN_LATER, "No instance of '" + info.serviceId() + "' to continue the "
                        + "session" + why);
                return false;
            }
            Dialer.Dialed dialed;
            try {
                dialed = dialer.dial(request, exclude);
            } catch (GatewayException e) {
                last = e;
                LockSupport.parkNanos(Math.min(backoff, Math.max(0, deadline - System.nanoTime())));
                backoff = Math.min(backoff * 2, Duration.ofSeconds(1).toNanos());
                continue;
            }
            String to = dialed.target().instance().instanceId();
            UpstreamConnector.Link link = dialed.link();
            String chosenExtensions = link.headers().first(io.helidon.http.HeaderNames.create("Sec-WebSocket-Extensions"))
                    .orElse("");
            if (!link.subprotocol().equals(info.subprotocol()) || !chosenExtensions.equals(extensions)) {
                link.connection().closeResource();
                exclude.add(to);
                last = new GatewayException(502, "upstream_handshake", "Instance " + to + " negotiated another "
                        + "subprotocol or extensions");
                continue;
            }
            Leg leg = new Leg("upstream", link.connection().helidonSocket(), link.leftover(), true);
            if (!resume(leg, lost, dialed)) {
                leg.close();
                if (state == State.CLOSED) {
                    return false;
                }
                exclude.add(to);
                continue;
            }
            long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
            LOGGER.log(System.Logger.Level.INFO, () -> "session " + info.id() + ": failed over from " + from + " to "
                    + to + " in " + millis + " ms");
            registry.notify(l -> l.failover(this, from, to));
            return true;
        }
    }

    /**
     * Deliver the held frames to the new upstream in order and switch to it, atomically with respect to the client
     * pump.
     */
    private boolean resume(Leg leg, FramePump lost, Dialer.Dialed dialed) {
        lock.lock();
        try {
            if (state == State.CLOSED) {
                return false;
            }
            int left = held.size();
            for (byte[] frames : held) {
                boolean last = --left == 0;
                // the last held piece may end inside a frame: the client pump finishes that frame on the new leg
                if (!leg.write(frames, 0, frames.length, true, last && !heldEndsMidFrame, false, true)) {
                    return false;
                }
            }
            held.clear();
            heldBytes = 0;
            messageOpenUpstream = heldMessageOpen;
            heldEndsMidFrame = false;
            heldMessageOpen = false;
            sent.clear();
            sentBytes = 0;
            messagesOutBefore += lost.messages();
            bytesOutBefore += lost.bytes();
            upstream = leg;
            fromUpstream = upstreamPump(leg);
            info = info.movedTo(dialed.target().instance().instanceId(), dialed.target().uri());
            failovers++;
            lastFailoverNanos = System.nanoTime();
            migratingSinceNanos = 0;
            state = State.CONNECTED;
            return true;
        } finally {
            lock.unlock();
        }
    }

    private boolean heldExpired() {
        lock.lock();
        try {
            return !held.isEmpty() && System.nanoTime() - heldSinceNanos > failover.bufferTime().toNanos();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Close the client with a reason because the session cannot continue; no failover after this.
     */
    private void failClient(int code, String reason) {
        LOGGER.log(System.Logger.Level.INFO, () -> "session " + info.id() + ": " + reason);
        endFailover();
        closing(reason);
        client.sendClose(code, reason);
        Leg up = upstream;
        up.sendClose(CloseReason.GOING_AWAY, "Client session ended by the gateway");
        up.close();
        if (client.closeReceived()) {
            client.close();
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
        if (replay && state == State.CONNECTED) {
            lock.lock();
            try {
                forgetSent(now);
            } finally {
                lock.unlock();
            }
        }
        if (migratingSinceNanos != 0 && now - migratingSinceNanos > settings.closeTimeout().toNanos()) {
            // the old instance did not finish its close handshake: drop it, the upstream pump then fails over
            upstream.close();
        }
        if (!settings.idleTimeout().isZero() && now - lastDataNanos > settings.idleTimeout().toNanos()) {
            Thread.ofVirtual().start(() -> terminate(CloseReason.GOING_AWAY, "Idle timeout",
                                                     CloseReason.GOING_AWAY, "Idle timeout"));
            return;
        }
        if (!settings.pingInterval().isZero()) {
            checkPeer(client, now, token);
            if (state == State.CONNECTED) {
                checkPeer(upstream, now, token);
            }
        }
    }

    private void checkPeer(Leg leg, long now, long token) {
        long silent = now - leg.lastReadNanos();
        if (silent > settings.pingInterval().plus(settings.pongTimeout()).toNanos()) {
            String why = leg.name() + " did not answer pings for " + Duration.ofNanos(silent).toMillis() + " ms";
            LOGGER.log(System.Logger.Level.INFO, () -> "session " + info.id() + ": " + why);
            if (leg == client && endReason == null) {
                endReason = why;
            }
            // closing the socket fails the pump reading it, which then ends (or fails over) the session with a reason
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
        endFailover();
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

    /**
     * Bytes written to the current upstream, kept (by reference when stable) for replay after a loss.
     */
    private record Sent(byte[] bytes, boolean startsFrame, boolean endsFrame, boolean openBefore, boolean openAfter,
                        long nanos) {
    }

    /**
     * Remember what was just written to the upstream; forget what it answered since and what is older than the window.
     * Called under the lock.
     */
    private void remember(byte[] bytes, int offset, int length, boolean startsFrame, boolean endsFrame,
                          boolean openBefore, boolean openAfter, boolean stable, long writtenAt) {
        forgetSent(writtenAt);
        if (length > failover.replaySize() || (!stable && length > BufferPool.SIZE)) {
            // too large to keep (or to copy on every write): such frames are not replayed
            sent.clear();
            sentBytes = 0;
            return;
        }
        byte[] kept = stable && offset == 0 && length == bytes.length ? bytes : Arrays.copyOfRange(bytes, offset,
                                                                                                     offset + length);
        sent.addLast(new Sent(kept, startsFrame, endsFrame, openBefore, openAfter, writtenAt));
        sentBytes += length;
        while (sentBytes > failover.replaySize() && !sent.isEmpty()) {
            sentBytes -= sent.removeFirst().bytes().length;
        }
    }

    /**
     * Drop remembered writes that the upstream answered after, or that are older than the replay window.
     * Called under the lock.
     */
    private void forgetSent(long now) {
        long answered = upstream.lastAnsweredNanos();
        long window = failover.replayWindow().toNanos();
        while (!sent.isEmpty() && (sent.peekFirst().nanos() - answered < 0 || now - sent.peekFirst().nanos() > window)) {
            sentBytes -= sent.removeFirst().bytes().length;
        }
    }

    /**
     * Switch to failing over: what the lost upstream may not have received (remembered writes after its last sign of
     * life, from the first clean frame boundary) becomes the start of the held frames. Called under the lock.
     *
     * @param abrupt whether the upstream was lost without a close handshake
     * @return whether a message already partly delivered cannot be completed (the client must be closed)
     */
    private boolean beginFailover(boolean abrupt) {
        state = State.FAILING_OVER;
        long now = System.nanoTime();
        forgetSent(now);
        if (!abrupt || (lastFailoverNanos != 0 && now - lastFailoverNanos < failover.timeout().toNanos())) {
            // an instance that closed in order read what it wanted; and a message that keeps losing instances is
            // not sent to yet another one
            sent.clear();
        }
        java.util.List<Sent> replay = new java.util.ArrayList<>();
        for (Sent s : sent) {
            if (replay.isEmpty() && !(s.startsFrame() && !s.openBefore())) {
                continue;
            }
            replay.add(s);
        }
        sent.clear();
        sentBytes = 0;
        held.clear();
        heldBytes = 0;
        heldEndsMidFrame = false;
        heldMessageOpen = false;
        if (!replay.isEmpty()) {
            heldSinceNanos = System.nanoTime();
            for (Sent s : replay) {
                held.add(s.bytes());
                heldBytes += s.bytes().length;
            }
            Sent last = replay.getLast();
            heldEndsMidFrame = !last.endsFrame();
            heldMessageOpen = last.openAfter();
            return false;
        }
        return messageOpenUpstream;
    }

    /**
     * The upstream side as the client pump sees it: the current upstream, or the held frames while failing over.
     */
    private final class UpstreamSink implements FrameSink {
        @Override
        public boolean write(byte[] bytes, int offset, int length, boolean startsFrame, boolean endsFrame,
                             boolean messageOpen, boolean stable) {
            lock.lock();
            try {
                if (state == State.CONNECTED) {
                    // timed before the write: an answer read while the write is under way counts as after it
                    long writtenAt = replay ? System.nanoTime() : 0;
                    if (upstream.write(bytes, offset, length, startsFrame, endsFrame, messageOpen, stable)) {
                        boolean openAfter = messageOpen || !endsFrame;
                        if (replay) {
                            remember(bytes, offset, length, startsFrame, endsFrame, messageOpenUpstream, openAfter,
                                     stable, writtenAt);
                        }
                        messageOpenUpstream = openAfter;
                        return true;
                    }
                    if (!failoverEnabled || !failoverPossible()) {
                        return false;
                    }
                    // the upstream is gone; these bytes did not (all) reach it
                    if (beginFailover(true)) {
                        cut();
                        return false;
                    }
                }
                if (state == State.FAILING_OVER) {
                    return hold(bytes, offset, length, startsFrame, endsFrame, messageOpen);
                }
                // closed: the pump only finishes a frame it began, so that the close waiting behind it can go out
                return upstream.write(bytes, offset, length, startsFrame, endsFrame, messageOpen, stable);
            } finally {
                lock.unlock();
            }
        }

        private boolean hold(byte[] bytes, int offset, int length, boolean startsFrame, boolean endsFrame,
                             boolean messageOpen) {
            if (!startsFrame && !heldEndsMidFrame) {
                cut();
                return false;
            }
            if (heldBytes + length > failover.bufferSize()) {
                overflow();
                return false;
            }
            if (held.isEmpty()) {
                heldSinceNanos = System.nanoTime();
            }
            held.add(Arrays.copyOfRange(bytes, offset, offset + length));
            heldBytes += length;
            heldEndsMidFrame = !endsFrame;
            heldMessageOpen = messageOpen || !endsFrame;
            return true;
        }

        private void cut() {
            Thread.ofVirtual().start(() -> failClient(CloseReason.INTERNAL_ERROR, "A message was cut by the loss of "
                    + "the upstream; it cannot be resumed on another instance"));
        }

        private void overflow() {
            Thread.ofVirtual().start(() -> failClient(CloseReason.TRY_AGAIN_LATER, "More than "
                    + failover.bufferSize() + " bytes arrived while the session was failing over"));
        }

        @Override
        public void forwardClose(byte[] frame, int code) {
            lock.lock();
            try {
                if (state == State.CONNECTED) {
                    upstream.forwardClose(frame, code);
                    return;
                }
                if (state == State.FAILING_OVER) {
                    // the client ends the session while it has no upstream: answer its close ourselves
                    state = State.CLOSED;
                    held.clear();
                }
            } finally {
                lock.unlock();
            }
            client.sendClose(code == CloseReason.NO_STATUS ? CloseReason.NORMAL : code, "");
        }

        @Override
        public boolean closeSent() {
            State now = state;
            return now == State.CLOSED || (now == State.CONNECTED && upstream.closeSent());
        }

        @Override
        public boolean closeHandshakeDone() {
            return state == State.CONNECTED && upstream.closeHandshakeDone();
        }

        @Override
        public void writerEnded() {
            lock.lock();
            try {
                if (state == State.CONNECTED) {
                    upstream.writerEnded();
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() {
            upstream.close();
        }

        @Override
        public String name() {
            return "upstream";
        }
    }
}
