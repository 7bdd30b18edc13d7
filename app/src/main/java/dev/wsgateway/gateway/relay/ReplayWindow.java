package dev.wsgateway.gateway.relay;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the client pump wrote to the current upstream recently, kept to be sent again to the next instance when the
 * upstream is lost without a close: writes after the upstream's last sign of life (a data frame or a pong) and within
 * the replay window, at most {@code maxBytes}. Guarded by the session's lock.
 */
final class ReplayWindow {
    private final long windowNanos;
    private final long maxBytes;
    private final ArrayDeque<Piece> pieces = new ArrayDeque<>();
    private long bytes;

    /**
     * Bytes written to the upstream (kept by reference when stable).
     *
     * @param bytes       the bytes
     * @param startsFrame whether they start a frame
     * @param endsFrame   whether they end a frame
     * @param openBefore  whether a fragmented message was open before them
     * @param openAfter   whether one is open after them
     * @param nanos       when they were written
     */
    record Piece(byte[] bytes, boolean startsFrame, boolean endsFrame, boolean openBefore, boolean openAfter,
                 long nanos) {
    }

    /**
     * @param window   how long writes are kept
     * @param maxBytes most bytes kept (the oldest go first)
     */
    ReplayWindow(Duration window, long maxBytes) {
        this.windowNanos = window.toNanos();
        this.maxBytes = maxBytes;
    }

    /**
     * Remember what was just written to the upstream.
     *
     * @param bytes     buffer
     * @param offset    offset
     * @param length    length
     * @param stable    whether the buffer stays as it is (a reference may be kept)
     * @param piece     the piece's flags and time (its bytes are ignored)
     * @param answered  when the upstream last showed it read what it got
     */
    void remember(byte[] bytes, int offset, int length, boolean stable, Piece piece, long answered) {
        forget(piece.nanos(), answered);
        if (length > maxBytes || (!stable && length > BufferPool.SIZE)) {
            // too large to keep (or to copy on every write): such frames are not replayed
            clear();
            return;
        }
        byte[] kept = stable && offset == 0 && length == bytes.length
                ? bytes
                : Arrays.copyOfRange(bytes, offset, offset + length);
        pieces.addLast(new Piece(kept, piece.startsFrame(), piece.endsFrame(), piece.openBefore(), piece.openAfter(),
                                 piece.nanos()));
        this.bytes += length;
        while (this.bytes > maxBytes && !pieces.isEmpty()) {
            this.bytes -= pieces.removeFirst().bytes().length;
        }
    }

    /**
     * Drop writes the upstream answered after, or older than the window.
     *
     * @param now      {@link System#nanoTime()}
     * @param answered when the upstream last showed it read what it got
     */
    void forget(long now, long answered) {
        while (!pieces.isEmpty()
                && (pieces.peekFirst().nanos() - answered < 0 || now - pieces.peekFirst().nanos() > windowNanos)) {
            bytes -= pieces.removeFirst().bytes().length;
        }
    }

    /**
     * Take what must be sent again: the kept writes from the first one that starts a frame outside a fragmented
     * message. Empties the window.
     *
     * @param now      {@link System#nanoTime()}
     * @param answered when the lost upstream last showed it read what it got
     * @return pieces, oldest first (may be empty)
     */
    List<Piece> takeResend(long now, long answered) {
        forget(now, answered);
        List<Piece> resend = new ArrayList<>();
        for (Piece piece : pieces) {
            if (resend.isEmpty() && !(piece.startsFrame() && !piece.openBefore())) {
                continue;
            }
            resend.add(piece);
        }
        clear();
        return resend;
    }

    void clear() {
        pieces.clear();
        bytes = 0;
    }
}
