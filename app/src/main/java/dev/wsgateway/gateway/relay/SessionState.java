package dev.wsgateway.gateway.relay;

import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * The phase a session is in, and every change of phase. All transitions go through {@link #to(Phase)}, under the
 * session's lock, and only along the arrows of its {@link SessionMachine}, which owns the phase and the decisions
 * taken on the session's events:
 * <pre>
 *   OPEN ──migrate──▶ MIGRATING ──old instance closed──▶ FAILING_OVER ──resumed──▶ OPEN
 *   OPEN ──upstream lost──────────────────────────────▶ FAILING_OVER
 *   OPEN / MIGRATING / FAILING_OVER ──close, error, shutdown──▶ CLOSING ──both pumps ended──▶ CLOSED
 * </pre>
 * The lock also guards what changes with the phase (the upstream leg, the held frames, the replay window) and every
 * event of the machine ({@link #decide}); holders of the lock may call the transitions (it is reentrant). <b>It is never held across a socket read or write</b>:
 * whoever holds it updates fields and lets go (decide under the lock, do the I/O after), so waiting for it is short;
 * the watchdog, which serves every session, still only tries it.
 */
final class SessionState {
    /**
     * The phases of a session.
     */
    enum Phase {
        /** Relaying between the client and an upstream; failover possible. */
        OPEN,
        /** The instance is draining: the gateway closes it and holds the client's frames until the next instance. */
        MIGRATING,
        /** No upstream: the client's frames are held while another instance is dialled. */
        FAILING_OVER,
        /** A close handshake, a protocol error or a shutdown is ending the session; no more failover. */
        CLOSING,
        /** Both pumps have ended and both connections are closed. */
        CLOSED
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final SessionMachine machine;
    private volatile long sinceNanos = System.nanoTime();
    private volatile boolean attached = true;
    private volatile String endReason;

    /**
     * A session in {@link Phase#OPEN}.
     *
     * @param failoverEnabled whether the session's route may fail over to another instance
     */
    SessionState(boolean failoverEnabled) {
        this.machine = new SessionMachine(failoverEnabled);
    }

    /**
     * Move to another phase if the arrow exists.
     *
     * @param next the phase to enter
     * @return whether the session entered it (else it stays where it is)
     */
    boolean to(Phase next) {
        lock.lock();
        try {
            if (!machine.on(PhaseEvent.entering(next))) {
                return false;
            }
            entered(next, null);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The upstream was lost (see {@link SessionMachine#upstreamLost()}), under the lock.
     *
     * @return what that means for the messages the session holds
     */
    SessionMachine.Lost upstreamLost() {
        lock.lock();
        try {
            SessionMachine.Lost lost = machine.upstreamLost();
            if (lost != SessionMachine.Lost.ENDED) {
                entered(Phase.FAILING_OVER, null);
            }
            return lost;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Give the machine an event under the lock; the caller carries out the actions it answers after this returns
     * (the lock let go).
     *
     * @param why   why the session ends, if the event begins its closing (kept unless a reason was given before)
     * @param event the event
     * @return the actions
     */
    List<SessionAction> decide(String why, Function<SessionMachine, List<SessionAction>> event) {
        lock.lock();
        try {
            Phase before = machine.phase();
            List<SessionAction> actions = event.apply(machine);
            if (machine.phase() != before) {
                entered(machine.phase(), why);
            }
            return actions;
        } finally {
            lock.unlock();
        }
    }

    private void entered(Phase next, String why) {
        sinceNanos = System.nanoTime();
        if (next == Phase.OPEN) {
            attached = true;
        } else if (next == Phase.MIGRATING || next == Phase.FAILING_OVER) {
            attached = false;
        } else if (next == Phase.CLOSING && endReason == null) {
            endReason = why;
        }
    }

    /**
     * Enter {@link Phase#CLOSING} (unless already closing or closed), remembering why the session ends if no reason
     * was given before.
     *
     * @param why reason, for the session's closing log line
     * @return whether this call started the closing
     */
    boolean closing(String why) {
        lock.lock();
        try {
            if (!to(Phase.CLOSING)) {
                return false;
            }
            if (endReason == null) {
                endReason = why;
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    Phase phase() {
        return machine.phase();
    }

    /**
     * The session's machine, for its decisions (called under the lock when they must agree with a transition).
     *
     * @return the machine
     */
    SessionMachine machine() {
        return machine;
    }

    /**
     * When the current phase began.
     *
     * @return {@link System#nanoTime()} of the last transition
     */
    long sinceNanos() {
        return sinceNanos;
    }

    /**
     * Whether the session still has an upstream connection it relays to: always in {@code OPEN}; in {@code CLOSING}
     * only when it began closing while open (a session that began closing while failing over has none).
     *
     * @return whether attached
     */
    boolean attached() {
        return attached;
    }

    /**
     * Whether client frames are being held for the next instance.
     *
     * @return in {@code MIGRATING} or {@code FAILING_OVER}
     */
    boolean holding() {
        Phase now = machine.phase();
        return now == Phase.MIGRATING || now == Phase.FAILING_OVER;
    }

    /**
     * Whether the session is ending (no failover any more).
     *
     * @return in {@code CLOSING} or {@code CLOSED}
     */
    boolean ending() {
        return machine.ending();
    }

    String endReason() {
        return endReason;
    }

    /**
     * Record why the session ends, unless a reason was recorded before.
     *
     * @param why reason
     */
    void endReasonIfNone(String why) {
        if (endReason == null) {
            endReason = why;
        }
    }

    ReentrantLock lock() {
        return lock;
    }

    @Override
    public String toString() {
        return machine.toString();
    }
}
