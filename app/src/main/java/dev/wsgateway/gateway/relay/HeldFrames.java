package dev.wsgateway.gateway.relay;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;

/**
 * The client's bytes held while a session has no upstream (migrating or failing over), bounded in size and age, and
 * written to the next instance in order. Guarded by the session's lock.
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
    private final ArrayDeque<byte[]> pieces = new ArrayDeque<>();
    private long bytes;
    private long sinceNanos;
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
        if (pieces.isEmpty()) {
            sinceNanos = System.nanoTime();
        }
        pieces.add(Arrays.copyOfRange(bytes, offset, offset + length));
        this.bytes += length;
        this.endsMidFrame = !endsFrame;
        this.messageOpen = messageOpen || !endsFrame;
        return Result.HELD;
    }

    /**
     * Start over with what the lost upstream may not have received (already copied pieces, oldest first).
     *
     * @param resend pieces to send again, from a frame boundary
     */
    void startWith(List<ReplayWindow.Piece> resend) {
        clear();
        if (resend.isEmpty()) {
            return;
        }
        sinceNanos = System.nanoTime();
        for (ReplayWindow.Piece piece : resend) {
            pieces.add(piece.bytes());
            bytes += piece.bytes().length;
        }
        ReplayWindow.Piece last = resend.getLast();
        endsMidFrame = !last.endsFrame();
        messageOpen = last.openAfter();
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
     * Whether the held bytes end inside a fragmented message.
     *
     * @return whether a message is open
     */
    boolean messageOpen() {
        return messageOpen;
    }

    /**
     * Write everything held to the new upstream, in order; the last piece may end inside a frame, which the client
     * pump then finishes on the new leg. Clears on success.
     *
     * @param leg the new upstream
     * @return whether all was written
     */
    boolean writeTo(Leg leg) {
        int left = pieces.size();
        for (byte[] piece : pieces) {
            boolean last = --left == 0;
            if (!leg.write(piece, 0, piece.length, true, last && !endsMidFrame, false, true)) {
                return false;
            }
        }
        clear();
        return true;
    }

    void clear() {
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
