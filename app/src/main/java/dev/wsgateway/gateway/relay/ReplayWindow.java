package dev.wsgateway.gateway.relay;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the client pump wrote to the current upstream recently, kept to be sent again to the next instance when the
 * upstream is lost without a close: client messages the upstream has not answered yet, at most {@code maxBytes}.
 * Answers are matched to messages in order, one upstream message for the oldest client message (request/response and
 * echo services); an answer read while nothing was outstanding (a greeting, a push) matches nothing. A message that
 * is never answered (a service that only listens) is forgotten once the upstream has been heard from (any bytes, a
 * pong included) more than the window after it was written: the upstream was alive and had the time to read it. An
 * upstream that has gone silent (stopped, overloaded) keeps its unanswered messages however old, so they are sent
 * again when it is lost. Guarded by the session's lock.
 */
final class ReplayWindow {
    private final long windowNanos;
    private final long maxBytes;
    private final ArrayDeque<Piece> pieces = new ArrayDeque<>();
    private long bytes;
    private long matched;

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
     * @param window   how long after a write the upstream must have been heard from for an unanswered write to be
     *                 forgotten
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
     * @param answers   messages the upstream had sent before these bytes were written (an answer that arrives while
     *                  they are written is theirs)
     * @param heard     {@link System#nanoTime()} of the last bytes read from the upstream
     */
    void remember(byte[] bytes, int offset, int length, boolean stable, Piece piece, long answers, long heard) {
        forget(heard, answers);
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
     * Drop the messages the upstream answered since, and writes it was heard from more than the window after.
     *
     * @param heard   {@link System#nanoTime()} of the last bytes read from the upstream
     * @param answers messages the upstream has sent so far
     */
    void forget(long heard, long answers) {
        while (matched < answers && !pieces.isEmpty()) {
            dropOldestMessage();
            matched++;
        }
        if (pieces.isEmpty()) {
            // answers read while nothing was outstanding answer nothing written later
            matched = answers;
        }
        while (!pieces.isEmpty() && heard - pieces.peekFirst().nanos() > windowNanos) {
            bytes -= pieces.removeFirst().bytes().length;
        }
    }

    private void dropOldestMessage() {
        while (!pieces.isEmpty()) {
            Piece piece = pieces.removeFirst();
            bytes -= piece.bytes().length;
            if (piece.endsFrame() && !piece.openAfter()) {
                return;
            }
        }
    }

    /**
     * Take what must be sent again: the kept writes from the first one that starts a frame outside a fragmented
     * message. Empties the window.
     *
     * @param heard   {@link System#nanoTime()} of the last bytes read from the lost upstream
     * @param answers messages the lost upstream sent
     * @return pieces, oldest first (may be empty)
     */
    List<Piece> takeResend(long heard, long answers) {
        forget(heard, answers);
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
