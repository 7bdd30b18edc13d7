package dev.wsgateway.gateway.relay;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

import dev.wsgateway.gateway.relay.SessionState.Phase;

/**
 * The upstream as the client pump sees it: the current upstream leg while the session is open, the held frames while
 * it migrates or fails over. Remembers recent writes for replay, and switches to the next leg when the session
 * resumes.
 * <p>
 * <b>Locking.</b> The session's lock ({@link SessionState#lock()}) guards {@link #leg} changes, {@link #messageOpen},
 * the {@link HeldFrames} and the {@link ReplayWindow}. It is never held across a socket read or write: the client
 * pump decides under the lock (remembers its bytes for replay, or holds them), lets go, then writes; a failover
 * writes what was held outside the lock too, and takes the lock again only to switch. A thread that needs the lock
 * holds it for a few field updates, so waiting for it is short; the watchdog still only tries it
 * ({@link #forgetAnswered(long)}) and skips a tick when it is taken.
 * <p>
 * <b>Nothing lost silently</b> (with replay on): a message is remembered before it is written; a loss sends again what
 * the lost instance may not have read, and all that the next instance gets is remembered like any other write. A
 * message is sent again at most {@link #MAX_REPLAYS} time(s); a loss while one already sent again is unanswered
 * closes the client with 1011 ({@link Loss#POISON}), and what the client sent after it goes with it.
 */
final class UpstreamSide implements FrameSink {
    /** How many times a message is sent again after the loss of the instance it was sent to. */
    static final int MAX_REPLAYS = 1;

    private final SessionState state;
    private final ReentrantLock lock;
    private final HeldFrames held;
    private final ReplayWindow replay;
    private final UpstreamOwner owner;
    private volatile Leg leg;
    private boolean messageOpen;
    // the client pump's own: the write of bytes the replay window could not keep, to settle at its next write
    private long droppedWrite;

    /**
     * @param state  the session's state (and lock)
     * @param held   where client frames wait without an upstream
     * @param replay recent writes, {@code null} when replay is off
     * @param owner  the session
     * @param leg    the first upstream
     */
    UpstreamSide(SessionState state, HeldFrames held, ReplayWindow replay, UpstreamOwner owner, Leg leg) {
        this.state = state;
        this.lock = state.lock();
        this.held = held;
        this.replay = replay;
        this.owner = owner;
        this.leg = leg;
    }

    /** @return the current (or last) upstream leg */
    Leg leg() {
        return leg;
    }

    @Override
    public boolean write(byte[] bytes, int offset, int length, boolean startsFrame, boolean endsFrame,
                         boolean messageOpenAfter, boolean stable) {
        Leg target;
        boolean open;
        boolean openBefore;
        Piece kept = null;
        lock.lock();
        try {
            target = leg;
            openBefore = messageOpen;
            open = state.phase() == Phase.OPEN;
            if (open) {
                boolean openAfter = messageOpenAfter || !endsFrame;
                if (replay != null) {
                    if (droppedWrite != 0) {
                        replay.droppedWritten(droppedWrite);
                        droppedWrite = 0;
                    }
                    // remembered before the write: a loss noticed while it is under way finds these bytes, and an
                    // answer read meanwhile answers them (it is not counted as one that came before them)
                    kept = replay.remember(bytes, offset, length, stable, startsFrame, endsFrame, openBefore,
                                           openAfter, System.nanoTime(), Piece.PENDING,
                                           target.messagesRead(), target.readUpTo());
                }
                messageOpen = openAfter;
            } else if (state.holding()) {
                return hold(bytes, offset, length, startsFrame, endsFrame, messageOpenAfter);
            }
            // else closing: the pump only finishes a frame it began, so that the close waiting behind it can go out
        } finally {
            lock.unlock();
        }
        // the write may block as long as the upstream does not read: no lock of the session is held
        if (target.write(bytes, offset, length, startsFrame, endsFrame, messageOpenAfter, stable)) {
            if (open && replay != null) {
                if (kept != null) {
                    kept.written(target.lastRelayedWrite());
                } else {
                    droppedWrite = target.lastRelayedWrite();
                }
            }
            return true;
        }
        return open && lost(target, openBefore, bytes, offset, length, startsFrame, endsFrame, messageOpenAfter);
    }

    /**
     * A write to the upstream failed: the upstream is gone, and these bytes did not (all) reach it. Fail over, unless
     * the upstream pump already began to (these bytes are then in what it holds, when replay is on).
     */
    private boolean lost(Leg target, boolean openBefore, byte[] bytes, int offset, int length, boolean startsFrame,
                         boolean endsFrame, boolean messageOpenAfter) {
        if (!owner.failoverPossible()) {
            return false;
        }
        lock.lock();
        try {
            if (leg == target && state.phase() == Phase.OPEN) {
                if (replay == null) {
                    // held below instead of counted as written
                    messageOpen = openBefore;
                }
                Loss loss = beginFailover(true);
                if (loss.fatal()) {
                    owner.failClientLater(loss, "");
                    return false;
                }
            }
            if (replay == null && state.holding()) {
                return hold(bytes, offset, length, startsFrame, endsFrame, messageOpenAfter);
            }
            return !state.ending();
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
        case CUT -> owner.failClientLater(Loss.CUT, "");
        default -> owner.failClientLater(Loss.OVERFLOW, held.maxBytes() + " bytes arrived while the session was "
                + "failing over");
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
            switch (state.upstreamLost()) {
            case ENDED -> {
                return Loss.ENDED;
            }
            case KEEP_HELD -> {
                return Loss.FAILING_OVER;
            }
            case RESEND -> {
            }
            }
            List<Piece> resend = List.of();
            if (replay != null) {
                if (abrupt && replay.unsent(leg.readUpTo(), leg.messagesRead())) {
                    replay.clear();
                    return Loss.UNSENT;
                }
                // an instance that closed in order read what it wanted
                List<Piece> unread = abrupt ? replay.takeResend(leg.readUpTo(), leg.messagesRead())
                        : List.of();
                replay.clear();
                resend = new ArrayList<>(unread.size());
                for (Piece piece : unread) {
                    if (piece.replays() >= MAX_REPLAYS) {
                        held.clear();
                        return Loss.POISON;
                    }
                    resend.add(piece.replayed());
                }
            }
            held.startWith(resend);
            return resend.isEmpty() && messageOpen ? Loss.CUT : Loss.FAILING_OVER;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Switch from {@code OPEN} to {@code MIGRATING} ({@link SessionMachine#drain}) unless a fragmented message is open
     * toward the upstream or failover is not possible.
     *
     * @return the close to send the old instance; {@code null} when the session does not migrate
     */
    List<SessionAction> beginMigration() {
        lock.lock();
        try {
            Phase before = state.phase();
            List<SessionAction> actions = state.decide(null, m -> m.drain(messageOpen));
            if (state.phase() == before) {
                return null;
            }
            // the old instance reads everything up to our close frame: nothing to replay
            if (replay != null) {
                replay.clear();
            }
            held.clear();
            return actions;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Deliver the held frames to the new upstream in order and switch to it. The frames are written outside the lock
     * (the new instance may read slowly); what the client sends meanwhile is held behind them and written next. The
     * switch happens under the lock once nothing is held; what was written is then remembered for replay on the new
     * leg, with how many times each piece was already sent again.
     *
     * @param next     the new upstream
     * @param switched also done under the lock once switched (counters, session info)
     * @return whether the session resumed (else it was closed meanwhile or the new leg failed)
     */
    boolean resume(Leg next, Runnable switched) {
        List<Piece> written = new ArrayList<>();
        while (true) {
            List<Piece> batch;
            lock.lock();
            try {
                if (state.phase() != Phase.FAILING_OVER) {
                    return false;
                }
                if (held.isEmpty()) {
                    messageOpen = held.messageOpen();
                    held.clear();
                    if (replay != null) {
                        replay.clear();
                        for (Piece piece : written) {
                            replay.remember(piece, next.messagesRead(), next.readUpTo());
                        }
                    }
                    // the new instance's close flags are fresh: bound before the leg is published
                    state.to(Phase.OPEN);
                    next.bind(state.machine().flags(SessionMachine.Side.UPSTREAM));
                    leg = next;
                    switched.run();
                    return true;
                }
                batch = held.take();
            } finally {
                lock.unlock();
            }
            for (int i = 0; i < batch.size(); i++) {
                Piece piece = batch.get(i);
                if (!next.write(piece.bytes(), 0, piece.length(), piece.startsFrame(), piece.endsFrame(),
                                piece.openAfter(), true)) {
                    List<Piece> back = new ArrayList<>(written);
                    back.addAll(batch.subList(i, batch.size()));
                    lock.lock();
                    try {
                        held.putBack(back);
                    } finally {
                        lock.unlock();
                    }
                    return false;
                }
                written.add(piece.writtenAt(System.nanoTime(), next.lastRelayedWrite()));
            }
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

    /** Drop held frames (the session is ending). */
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
     *         ping whether it read it ({@code false} also when the lock was busy)
     */
    boolean forgetAnswered(long now) {
        // the watchdog's call: it never waits for a session, a busy lock is tried again at the next tick
        if (replay == null || !lock.tryLock()) {
            return false;
        }
        try {
            if (state.phase() == Phase.OPEN) {
                replay.forget(leg.readUpTo(), leg.messagesRead());
                replay.dropSpares();
                return replay.waitedTooLong(now);
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void forwardClose(byte[] frame, int code) {
        Leg target = null;
        lock.lock();
        try {
            if (state.attached() && !state.holding()) {
                target = leg;
            } else {
                if (state.holding()) {
                    state.closing("client sent close " + code + " during failover");
                }
                held.clear();
            }
        } finally {
            lock.unlock();
        }
        if (target != null) {
            target.forwardClose(frame, code);
        } else {
            owner.answerClientClose(code);
        }
    }

    @Override
    public boolean closeSent() {
        return !state.holding() && (!state.attached() || leg.closeSent());
    }

    @Override
    public boolean closeHandshakeDone() {
        return state.attached() && !state.holding() && leg.closeHandshakeDone();
    }

    @Override
    public void writerEnded() {
        Leg target = null;
        lock.lock();
        try {
            if (state.attached() && !state.holding()) {
                target = leg;
            }
        } finally {
            lock.unlock();
        }
        if (target != null) {
            target.writerEnded();
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
