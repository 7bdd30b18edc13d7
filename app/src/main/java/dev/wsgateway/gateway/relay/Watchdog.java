package dev.wsgateway.gateway.relay;

import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import dev.wsgateway.gateway.config.RelaySettings;

/**
 * Looks at every session on a fixed tick: pings quiet peers and drops dead ones, ends idle sessions, drops
 * connections whose close handshake (or migration) outlived the close timeout, and forgets replay data the upstream
 * has answered or read (pinging it when a message waited too long for an answer).
 * <p>
 * <b>It never waits for a session.</b> One platform thread walks every session, so one stuck session must not stop
 * the timers of the others: it reads only volatile fields and compare-and-sets, takes a session's lock only with
 * {@code tryLock} (a busy session is looked at again at the next tick), and anything that may block (a ping, a close
 * frame, closing a socket: a TLS close writes) runs on a virtual thread of its own.
 */
final class Watchdog implements AutoCloseable {
    private static final System.Logger LOGGER = System.getLogger(Watchdog.class.getName());

    private final RelaySettings settings;
    private final Supplier<Collection<RelaySession>> sessions;
    private final AtomicLong pingTokens = new AtomicLong(System.nanoTime() | 1);
    private final ScheduledExecutorService timer;

    /**
     * Create and start.
     *
     * @param settings timers (the tick follows the shortest)
     * @param sessions the active sessions
     */
    Watchdog(RelaySettings settings, Supplier<Collection<RelaySession>> sessions) {
        this.settings = settings;
        this.sessions = sessions;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "relay-watchdog");
            t.setDaemon(true);
            return t;
        });
        long tick = settings.watchdogTick().toMillis();
        timer.scheduleWithFixedDelay(this::tick, tick, tick, TimeUnit.MILLISECONDS);
    }

    private void tick() {
        long now = System.nanoTime();
        long token = pingTokens.incrementAndGet();
        for (RelaySession session : sessions.get()) {
            check(session, now, token == 0 ? 1 : token);
        }
    }

    /**
     * Check one session.
     *
     * @param session the session
     * @param now     {@link System#nanoTime()}
     * @param token   ping token of this tick (never 0)
     */
    void check(RelaySession session, long now, long token) {
        SessionState state = session.state();
        SessionMachine machine = state.machine();
        boolean ending = machine.ending();
        boolean upstreamWatched = machine.upstreamWatched();
        // the machine has no clock: the watchdog tells it when the phase outlived the close timeout
        boolean overdue = now - state.sinceNanos() > settings.closeTimeout().toNanos();
        if (ending) {
            if (overdue) {
                // both connections dropped (no more handshake)
                session.deadlineExpired(SessionMachine.Deadline.CLOSE_TIMEOUT);
            }
            return;
        }
        if (session.upstream().forgetAnswered(now) && upstreamWatched) {
            // a client message unanswered for longer than the replay window: a ping written after it tells, by its
            // pong, that the instance has read it (and it need not be sent again on a failover)
            Leg upstream = session.upstream().leg();
            if (upstream.claimPing(token)) {
                Thread.ofVirtual().start(() -> upstream.sendPing(token));
            }
        }
        if (overdue) {
            // migrating: the old instance did not finish its close handshake: drop it, its pump then fails over
            session.deadlineExpired(SessionMachine.Deadline.CLOSE_TIMEOUT);
        }
        if (!settings.idleTimeout().isZero() && now - session.lastDataNanos() > settings.idleTimeout().toNanos()) {
            Thread.ofVirtual().start(() -> session.terminate(GatewayClose.IDLE, "", ""));
            return;
        }
        if (!settings.pingInterval().isZero()) {
            checkPeer(session, session.client(), now, token);
            if (machine.upstreamWatched()) {
                checkPeer(session, session.upstream().leg(), now, token);
            }
        }
    }

    private void checkPeer(RelaySession session, Leg leg, long now, long token) {
        long silent = now - leg.lastReadNanos();
        if (silent > settings.pingInterval().plus(settings.pongTimeout()).toNanos()) {
            String why = leg.name() + " did not answer pings for " + Duration.ofNanos(silent).toMillis() + " ms";
            LOGGER.log(System.Logger.Level.INFO, () -> "session " + session.info().id() + ": " + why);
            boolean client = leg == session.client();
            if (client) {
                session.state().endReasonIfNone(why);
            }
            // closing the socket fails the pump reading it, which then ends (or fails over) the session with a reason
            session.deadlineExpired(client ? SessionMachine.Deadline.CLIENT_SILENT
                    : SessionMachine.Deadline.UPSTREAM_SILENT);
        } else if (silent > settings.pingInterval().toNanos() && leg.claimPing(token)) {
            Thread.ofVirtual().start(() -> leg.sendPing(token));
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
