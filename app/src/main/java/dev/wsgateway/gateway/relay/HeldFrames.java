package dev.wsgateway.gateway.relay;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The client's bytes held while a session has no upstream (migrating or failing over), bounded in size and age, and
 * taken in order by the failover to be written to the next instance (outside the session's lock). Each piece keeps
 * its frame boundaries and how many times it was already sent again after a loss, so that what is written to the next
 * instance can be remembered for replay like any other write. Guarded by the session's lock.
 */
final class HeldFrames {
    /**
     * What became of bytes offered to {@link #hold}.
     */
    enum Result {
        /** Held. */
        HELD,
        /** The bytes continue a frame whose start the lost upstream got: they cannot be resumed elsewhere. */
        CUT,
        /** More than the buffer size would be held. */
        OVERFLOW
    }

    private final long maxBytes;
    private final long maxNanos;
    private final ArrayDeque<Piece> pieces = new ArrayDeque<>();
    private long bytes;
    private long sinceNanos;
    // when the pieces taken since the last clear or put back began to wait
    private long takenSince;
    private boolean taken;
    private boolean endsMidFrame;
    private boolean messageOpen;

    /**
     * @param maxBytes most bytes held
     * @param maxTime  longest time the oldest piece may wait
     */
    HeldFrames(long maxBytes, Duration maxTime) {
        this.maxBytes = maxBytes;
        this.maxNanos = maxTime.toNanos();
    }

    /**
     * Hold bytes the client pump wrote.
     *
     * @param bytes       buffer
     * @param offset      offset
     * @param length      length
     * @param startsFrame whether they start a frame
     * @param endsFrame   whether they end a frame
     * @param messageOpen whether a fragmented message is open after them
     * @return the result
     */
    Result hold(byte[] bytes, int offset, int length, boolean startsFrame, boolean endsFrame, boolean messageOpen) {
        if (!startsFrame && !endsMidFrame) {
            return Result.CUT;
        }
        if (this.bytes + length > maxBytes) {
            return Result.OVERFLOW;
        }
        long now = System.nanoTime();
        if (pieces.isEmpty()) {
            sinceNanos = now;
        }
        boolean openAfter = messageOpen || !endsFrame;
        pieces.add(new Piece(Arrays.copyOfRange(bytes, offset, offset + length), startsFrame, endsFrame,
                                          this.messageOpen, openAfter, now, Piece.PENDING));
        this.bytes += length;
        this.endsMidFrame = !endsFrame;
        this.messageOpen = openAfter;
        return Result.HELD;
    }

    /**
     * Start over with what the lost upstream may not have received (already copied pieces, oldest first).
     *
     * @param resend pieces to send again, from a frame boundary
     */
    void startWith(List<Piece> resend) {
        clear();
        if (resend.isEmpty()) {
            return;
        }
        takenSince = System.nanoTime();
        putBack(resend);
    }

    /**
     * Put pieces taken with {@link #take()} back in front of what is held (the instance they were written to failed
     * before the session resumed on it).
     *
     * @param taken pieces, oldest first
     */
    void putBack(List<Piece> taken) {
        if (taken.isEmpty()) {
            return;
        }
        boolean wasEmpty = pieces.isEmpty();
        for (int i = taken.size() - 1; i >= 0; i--) {
            Piece piece = taken.get(i);
            pieces.addFirst(piece);
            bytes += piece.length();
        }
        // they wait since they were first held, not since they were put back
        sinceNanos = takenSince;
        this.taken = false;
        if (wasEmpty) {
            Piece last = taken.getLast();
            endsMidFrame = !last.endsFrame();
            messageOpen = last.openAfter();
        }
    }

    /**
     * Take everything held, oldest first, to write it to the next instance outside the lock. What the client sends
     * meanwhile is held behind it (a frame that the last piece taken began may continue).
     *
     * @return pieces (may be empty)
     */
    List<Piece> take() {
        List<Piece> copy = new ArrayList<>(pieces);
        if (!pieces.isEmpty() && !taken) {
            // the first take of a resume: its pieces are the oldest
            takenSince = sinceNanos;
            taken = true;
        }
        pieces.clear();
        bytes = 0;
        return copy;
    }

    /**
     * What is held now, oldest first (a copy; for checks of the bookkeeping).
     *
     * @return pieces
     */
    List<Piece> held() {
        return List.copyOf(pieces);
    }

    boolean isEmpty() {
        return pieces.isEmpty();
    }

    /**
     * Whether held bytes waited longer than allowed.
     *
     * @param now {@link System#nanoTime()}
     * @return whether expired
     */
    boolean expired(long now) {
        return !pieces.isEmpty() && now - sinceNanos > maxNanos;
    }

    /**
     * Whether the held bytes (or the last taken) end inside a fragmented message.
     *
     * @return whether a message is open
     */
    boolean messageOpen() {
        return messageOpen;
    }

    void clear() {
        taken = false;
        pieces.clear();
        bytes = 0;
        endsMidFrame = false;
        messageOpen = false;
    }

    long maxBytes() {
        return maxBytes;
    }

    long maxMillis() {
        return Duration.ofNanos(maxNanos).toMillis();
    }
}
