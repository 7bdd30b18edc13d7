package dev.wsgateway.gateway.relay;

import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

import dev.wsgateway.gateway.relay.SessionState.Phase;

import io.helidon.websocket.WsCloseCodes;

/**
 * The upstream as the client pump sees it: the current upstream leg while the session is open, the held frames while
 * it migrates or fails over. Remembers recent writes for replay, and switches to the next leg when the session
 * resumes. Everything happens under the session's lock, so a switch is atomic with respect to the client pump.
 */
final class UpstreamSide implements FrameSink {
    /**
     * What the side needs from its session.
     */
    interface Owner {
        /**
         * Whether a failover may still start (it is on for the route, and the client is not closing).
         *
         * @return whether possible
         */
        boolean failoverPossible();

        /**
         * Close the client with a reason, on another thread (the caller holds the lock).
         *
         * @param code   close code
         * @param reason close reason
         */
        void failClientLater(int code, String reason);

        /**
         * The client closed while the session had no upstream: answer its close.
         *
         * @param code the client's close code
         */
        void answerClientClose(int code);
    }

    private final SessionState state;
    private final ReentrantLock lock;
    private final HeldFrames held;
    private final ReplayWindow replay;
    private final Owner owner;
    private volatile Leg leg;
    private boolean messageOpen;

    /**
     * @param state  the session's state (and lock)
     * @param held   where client frames wait without an upstream
     * @param replay recent writes, {@code null} when replay is off
     * @param owner  the session
     * @param leg    the first upstream
     */
    UpstreamSide(SessionState state, HeldFrames held, ReplayWindow replay, Owner owner, Leg leg) {
        this.state = state;
        this.lock = state.lock();
        this.held = held;
        this.replay = replay;
        this.owner = owner;
        this.leg = leg;
    }

    /**
     * What {@link #beginFailover(boolean)} found.
     */
    /** Close reason for {@link Loss#UNSENT}. */
    static final String UNSENT_REASON = "A message the lost upstream may not have read was too large to keep for "
            + "replay; the session cannot continue without it";

    enum Loss {
        /** The session now fails over (or already did). */
        FAILING_OVER,
        /** A message partly delivered to the lost upstream cannot be completed elsewhere: the client must go. */
        CUT,
        /**
         * A message the lost upstream may not have read was too large to keep for replay (or pushed out by newer
         * ones): continuing would lose it silently, so the client must go.
         */
        UNSENT,
        /** The session is ending: no failover. */
        ENDED
    }

    /**
     * The current (or last) upstream leg.
     *
     * @return leg
     */
    Leg leg() {
        return leg;
    }

    @Override
    public boolean write(byte[] bytes, int offset, int length, boolean startsFrame, boolean endsFrame,
                         boolean messageOpenAfter, boolean stable) {
        lock.lock();
        try {
            if (state.phase() == Phase.OPEN) {
                // taken before the write: an answer read while the write is under way answers these bytes, so
                // it must not be counted as one that came before them
                long writtenAt = replay == null ? 0 : System.nanoTime();
                long answersBefore = replay == null ? 0 : leg.messagesRead();
                if (leg.write(bytes, offset, length, startsFrame, endsFrame, messageOpenAfter, stable)) {
                    boolean openAfter = messageOpenAfter || !endsFrame;
                    if (replay != null) {
                        replay.remember(bytes, offset, length, stable,
                                        new ReplayWindow.Piece(null, startsFrame, endsFrame, messageOpen, openAfter,
                                                               writtenAt, leg.writes()),
                                        answersBefore, leg.readUpTo());
                    }
                    messageOpen = openAfter;
                    return true;
                }
                if (!owner.failoverPossible()) {
                    return false;
                }
                // the upstream is gone; these bytes did not (all) reach it
                Loss loss = beginFailover(true);
                if (loss == Loss.CUT || loss == Loss.UNSENT) {
                    owner.failClientLater(WsCloseCodes.UNEXPECTED_CONDITION, loss == Loss.CUT
                            ? "A message was cut by the loss of the upstream; it cannot be resumed on another instance"
                            : UNSENT_REASON);
                    return false;
                }
            }
            if (state.holding()) {
                return hold(bytes, offset, length, startsFrame, endsFrame, messageOpenAfter);
            }
            // closing: the pump only finishes a frame it began, so that the close waiting behind it can go out
            return leg.write(bytes, offset, length, startsFrame, endsFrame, messageOpenAfter, stable);
        } finally {
            lock.unlock();
        }
    }

    private boolean hold(byte[] bytes, int offset, int length, boolean startsFrame, boolean endsFrame,
                         boolean messageOpenAfter) {
        switch (held.hold(bytes, offset, length, startsFrame, endsFrame, messageOpenAfter)) {
        case HELD -> {
            return true;
        }
        case CUT -> owner.failClientLater(WsCloseCodes.UNEXPECTED_CONDITION, "A message was cut by the loss of the "
                + "upstream; it cannot be resumed on another instance");
        default -> owner.failClientLater(WsCloseCodes.TRY_AGAIN_LATER, "More than " + held.maxBytes()
                + " bytes arrived while the session was failing over");
        }
        return false;
    }

    /**
     * The upstream was lost: enter {@code FAILING_OVER}. From {@code OPEN}, what the lost upstream may not have
     * received (remembered messages it has not answered, from the first clean frame boundary) becomes the start
     * of the held frames; a migrating session keeps what it holds.
     *
     * @param abrupt whether the upstream was lost without a close handshake
     * @return what follows
     */
    Loss beginFailover(boolean abrupt) {
        lock.lock();
        try {
            switch (state.phase()) {
            case OPEN -> {
            }
            case MIGRATING -> {
                state.to(Phase.FAILING_OVER);
                return Loss.FAILING_OVER;
            }
            case FAILING_OVER -> {
                return Loss.FAILING_OVER;
            }
            default -> {
                return Loss.ENDED;
            }
            }
            state.to(Phase.FAILING_OVER);
            List<ReplayWindow.Piece> resend = List.of();
            if (replay != null) {
                if (abrupt && replay.unsent(leg.readUpTo(), leg.messagesRead())) {
                    replay.clear();
                    return Loss.UNSENT;
                }
                // an instance that closed in order read what it wanted. What a resumed session wrote from its held
                // frames is not remembered: a message that kills instances is sent again once, never to a third
                resend = abrupt ? replay.takeResend(leg.readUpTo(), leg.messagesRead()) : List.of();
                replay.clear();
            }
            held.startWith(resend);
            return resend.isEmpty() && messageOpen ? Loss.CUT : Loss.FAILING_OVER;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Switch from {@code OPEN} to {@code MIGRATING} unless a fragmented message is open toward the upstream.
     *
     * @return whether the session now migrates
     */
    boolean beginMigration() {
        lock.lock();
        try {
            if (state.phase() != Phase.OPEN || messageOpen || !state.to(Phase.MIGRATING)) {
                return false;
            }
            // the old instance reads everything up to our close frame: nothing to replay
            if (replay != null) {
                replay.clear();
            }
            held.clear();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Deliver the held frames to the new upstream in order and switch to it.
     *
     * @param next     the new upstream
     * @param switched also done under the lock once switched (counters, session info)
     * @return whether the session resumed (else it was closed meanwhile or the new leg failed)
     */
    boolean resume(Leg next, Runnable switched) {
        lock.lock();
        try {
            if (state.phase() != Phase.FAILING_OVER || !held.writeTo(next)) {
                return false;
            }
            messageOpen = held.messageOpen();
            held.clear();
            if (replay != null) {
                replay.clear();
            }
            leg = next;
            state.to(Phase.OPEN);
            switched.run();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether held frames waited too long.
     *
     * @param now {@link System#nanoTime()}
     * @return whether expired
     */
    boolean heldExpired(long now) {
        lock.lock();
        try {
            return held.expired(now);
        } finally {
            lock.unlock();
        }
    }

    long heldMaxMillis() {
        return held.maxMillis();
    }

    /**
     * Drop held frames (the session is ending) and remembered writes that the upstream answered or that aged out.
     */
    void dropHeld() {
        lock.lock();
        try {
            held.clear();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Forget remembered writes that the upstream answered or is known to have read since.
     *
     * @param now {@link System#nanoTime()}
     * @return whether a write kept has waited longer than the replay window: the upstream should be asked with a
     *         ping whether it read it
     */
    boolean forgetAnswered(long now) {
        if (replay == null) {
            return false;
        }
        lock.lock();
        try {
            if (state.phase() == Phase.OPEN) {
                replay.forget(leg.readUpTo(), leg.messagesRead());
                return replay.waitedTooLong(now);
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void forwardClose(byte[] frame, int code) {
        lock.lock();
        try {
            if (state.attached() && !state.holding()) {
                leg.forwardClose(frame, code);
                return;
            }
            if (state.holding()) {
                state.closing("client sent close " + code + " during failover");
            }
            held.clear();
        } finally {
            lock.unlock();
        }
        owner.answerClientClose(code);
    }

    @Override
    public boolean closeSent() {
        if (state.holding()) {
            return false;
        }
        return state.attached() ? leg.closeSent() : true;
    }

    @Override
    public boolean closeHandshakeDone() {
        return state.attached() && !state.holding() && leg.closeHandshakeDone();
    }

    @Override
    public void writerEnded() {
        lock.lock();
        try {
            if (state.attached() && !state.holding()) {
                leg.writerEnded();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        leg.close();
    }

    @Override
    public String name() {
        return "upstream";
    }
}
