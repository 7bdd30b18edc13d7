package dev.wsgateway.gateway.relay;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * What the client pump wrote to the current upstream recently, kept to be sent again to the next instance when the
 * upstream is lost without a close: client messages the upstream has not answered yet, at most {@code maxBytes}.
 * Answers are matched to messages in order, one upstream message for the oldest client message (request/response and
 * echo services); an answer read while nothing was outstanding (a greeting, a push) matches nothing. A message that
 * is never answered (a service that only listens) is forgotten once the upstream has answered a gateway ping written
 * after it (WebSocket peers read in order, so it has read the message): when a message has waited longer than the
 * window, the watchdog sends such a ping. Time alone proves nothing: an upstream that was stopped or overloaded may
 * still be reading its backlog when it is lost, so its unanswered messages are kept however old. A message that
 * cannot be kept (larger than {@code maxBytes}, or pushed out by newer ones) is still counted, oldest first, so that
 * answers keep matching the right messages, and so that a loss while it is unanswered is known: the session then cannot
 * continue without losing it ({@link #unsent}).
 * <p>
 * Matching answers assumes one answer per message. A service that sends several messages per client message (a
 * stream, a flood) would make later, unread messages look answered, and they would not be sent again after a loss;
 * such a route acknowledges by reading only ({@code replay-acknowledge: read}): a message is then forgotten only when
 * a gateway ping written after it was answered, never by answers. Guarded by the session's lock.
 * <p>
 * The bytes of a client message are copied (the pump's read buffer is reused); so that relaying allocates nothing in
 * the steady state, a forgotten piece the window copied itself is kept as a spare and filled again by the next
 * remember (at most {@link #MAX_SPARES}, together at most {@code maxBytes}; arrays are sized in powers of two, so
 * that copies of varying size fit one another's). The watchdog drops the spares at each tick ({@link #dropSpares()}),
 * so an idle session keeps none. Pieces handed out to be sent again
 * ({@link #takeResend}) or dropped by {@link #clear()} are never reused: their arrays may still be written.
 */
final class ReplayWindow {
    private final long windowNanos;
    private final long maxBytes;
    private final boolean matchAnswers;
    static final int MAX_SPARES = 16;
    private static final int SMALLEST = 64;

    private final ArrayDeque<Piece> pieces = new ArrayDeque<>();
    private final Piece[] spares = new Piece[MAX_SPARES];
    private int spareCount;
    private long spareBytes;
    private long bytes;
    private long matched;
    // unanswered messages, older than every kept piece, that could not be kept; the write count after the last
    private long dropped;
    private long droppedUpToWrite;
    // the message being written lost its first pieces: the rest of it is dropped too, and counted when it ends
    private boolean dropping;
    // messages forgotten because a pong proved them read, whose answers have not come yet (the oldest answers are
    // theirs)
    private long owed;

    /**
     * @param window       how long an unanswered write waits before the upstream is asked (with a ping) whether it
     *                     read it
     * @param maxBytes     most bytes kept (the oldest go first)
     * @param matchAnswers whether the upstream's messages answer client messages, one each in order; {@code false}:
     *                     only a pong to a gateway ping written after a message proves that it was read
     */
    ReplayWindow(Duration window, long maxBytes, boolean matchAnswers) {
        this.windowNanos = window.toNanos();
        this.maxBytes = maxBytes;
        this.matchAnswers = matchAnswers;
    }

    /**
     * Remember what was just written to the upstream (tests; the relay uses the flat form).
     *
     * @param bytes     buffer
     * @param offset    offset
     * @param length    length
     * @param stable    whether the buffer stays as it is (a reference may be kept)
     * @param piece     the piece's flags and time (its bytes are ignored)
     * @param answers   messages the upstream had sent before these bytes were written
     * @param readUpTo  writes the upstream is known to have read ({@link Leg#readUpTo()})
     */
    void remember(byte[] bytes, int offset, int length, boolean stable, Piece piece, long answers, long readUpTo) {
        remember(bytes, offset, length, stable, piece.startsFrame(), piece.endsFrame(), piece.openBefore(),
                 piece.openAfter(), piece.nanos(), piece.write(), answers, readUpTo);
    }

    /**
     * Remember bytes written, or about to be written, to the upstream. The client pump remembers them before its
     * write, with {@link Piece#PENDING} as the write number, and tells the number with {@link #written(long)} once
     * the write has completed: a loss noticed while the write is under way then finds the bytes here.
     *
     * @param bytes       buffer
     * @param offset      offset
     * @param length      length
     * @param stable      whether the buffer stays as it is (a reference may be kept)
     * @param startsFrame whether they start a frame
     * @param endsFrame   whether they end a frame
     * @param openBefore  whether a fragmented message was open before them
     * @param openAfter   whether one is open after them
     * @param nanos       when they are written
     * @param write       the leg's write count after them, or {@link Piece#PENDING}
     * @param answers     messages the upstream had sent before these bytes were written (an answer that arrives
     *                    while they are written is theirs)
     * @param readUpTo    writes the upstream is known to have read ({@link Leg#readUpTo()})
     * @return the piece kept, whose write number the caller sets once written; {@code null} when it could not be kept
     *         (then {@link #droppedWritten(long)})
     */
    Piece remember(byte[] bytes, int offset, int length, boolean stable, boolean startsFrame, boolean endsFrame,
                   boolean openBefore, boolean openAfter, long nanos, long write, long answers, long readUpTo) {
        forget(readUpTo, answers);
        if (dropping || length > maxBytes || (!stable && length > BufferPool.SIZE)) {
            // too large to keep (or to copy on every write), or the rest of such a message: counted, not kept; what
            // is kept before it goes too, so that what is kept stays one run of the newest messages
            while (!pieces.isEmpty()) {
                dropOldest();
            }
            droppedUpToWrite = write;
            dropping = !(endsFrame && !openAfter);
            if (!dropping) {
                dropped++;
            }
            return null;
        }
        Piece piece;
        if (stable && offset == 0 && length == bytes.length) {
            piece = new Piece(bytes, startsFrame, endsFrame, openBefore, openAfter, nanos, write);
        } else {
            piece = spare(length).reuse(bytes, offset, length, startsFrame, endsFrame, openBefore, openAfter, nanos,
                                        write);
        }
        add(piece);
        // pushed out at once with the first pieces of its message: what was dropped then ends with this write, whose
        // number the caller tells with droppedWritten (set on the piece, it would reach nothing)
        return pieces.peekLast() == piece ? piece : null;
    }

    /**
     * Remember a piece sent to a new upstream when the session resumed (held, or sent again after a loss): its bytes
     * are the gateway's own copy.
     *
     * @param piece    the piece, with its write on the new leg
     * @param answers  messages the new upstream had sent before it
     * @param readUpTo writes the new upstream is known to have read
     */
    void remember(Piece piece, long answers, long readUpTo) {
        forget(readUpTo, answers);
        if (dropping || piece.length() > maxBytes) {
            while (!pieces.isEmpty()) {
                dropOldest();
            }
            droppedUpToWrite = piece.write();
            dropping = !piece.endsMessage();
            if (!dropping) {
                dropped++;
            }
            return;
        }
        add(piece);
    }

    /**
     * A recyclable piece with room for {@code length} bytes: the newest spare that fits, else a new one.
     */
    private Piece spare(int length) {
        for (int i = spareCount - 1; i >= 0; i--) {
            Piece piece = spares[i];
            if (piece.capacity() >= length) {
                spares[i] = spares[--spareCount];
                spares[spareCount] = null;
                spareBytes -= piece.capacity();
                return piece;
            }
        }
        return Piece.blank(Math.max(SMALLEST, Integer.highestOneBit(Math.max(1, length - 1)) << 1));
    }

    /**
     * A piece left the window for good (forgotten or pushed out): keep it for reuse when the window made it.
     */
    private void recycle(Piece piece) {
        if (piece.recyclable() && spareCount < MAX_SPARES && spareBytes + piece.capacity() <= maxBytes) {
            spares[spareCount++] = piece;
            spareBytes += piece.capacity();
        }
    }

    /**
     * Let the spare pieces go (the watchdog, at each tick: an idle session keeps no copy).
     */
    void dropSpares() {
        while (spareCount > 0) {
            spares[--spareCount] = null;
        }
        spareBytes = 0;
    }

    /**
     * @return spare pieces kept for reuse (tests)
     */
    int spares() {
        return spareCount;
    }

    private void add(Piece piece) {
        pieces.addLast(piece);
        this.bytes += piece.length();
        while (this.bytes > maxBytes && !pieces.isEmpty()) {
            dropOldest();
        }
    }

    /**
     * The write of bytes that {@link #remember} could not keep has completed: set the write number of what was dropped
     * (the client pump calls this under the lock, before its next remember).
     *
     * @param write the leg's write count after it
     */
    void droppedWritten(long write) {
        if (droppedUpToWrite == Piece.PENDING) {
            droppedUpToWrite = write;
        }
    }

    /**
     * Push the oldest kept piece out, counting the message it ends; a message whose first pieces went is dropped
     * whole.
     */
    private void dropOldest() {
        do {
            Piece piece = pieces.removeFirst();
            bytes -= piece.length();
            droppedUpToWrite = piece.write();
            dropping = !piece.endsMessage();
            if (!dropping) {
                dropped++;
            }
            recycle(piece);
        } while (dropping && !pieces.isEmpty());
    }

    /**
     * Drop the messages the upstream answered since (when answers count), and the writes it is known to have read.
     *
     * @param readUpTo writes the upstream is known to have read ({@link Leg#readUpTo()})
     * @param answers  messages the upstream has sent so far
     */
    void forget(long readUpTo, long answers) {
        if (matchAnswers) {
            forgetAnswered(answers);
        }
        if (dropped > 0 && droppedUpToWrite <= readUpTo) {
            owed += matchAnswers ? dropped : 0;
            dropped = 0;
        }
        while (!pieces.isEmpty() && pieces.peekFirst().write() <= readUpTo) {
            Piece piece = pieces.removeFirst();
            bytes -= piece.length();
            if (matchAnswers && piece.endsMessage()) {
                // read, not yet answered: its answer is still to come and must not be taken for a later message's
                owed++;
            }
            recycle(piece);
        }
    }

    /**
     * Whether a message the upstream may not have read could not be kept: if the upstream is lost now, it cannot be
     * sent again.
     *
     * @param readUpTo writes the upstream is known to have read
     * @param answers  messages the upstream has sent so far
     * @return whether something would be lost
     */
    boolean unsent(long readUpTo, long answers) {
        forget(readUpTo, answers);
        return dropped > 0 || dropping;
    }

    /**
     * Whether the oldest write kept has waited longer than the window for an answer (time to ask the upstream).
     *
     * @param now {@link System#nanoTime()}
     * @return whether to ping
     */
    boolean waitedTooLong(long now) {
        return !pieces.isEmpty() && now - pieces.peekFirst().nanos() > windowNanos;
    }

    private void forgetAnswered(long answers) {
        while (matched < answers && (owed > 0 || dropped > 0 || !pieces.isEmpty())) {
            if (owed > 0) {
                owed--;
            } else if (dropped > 0) {
                dropped--;
            } else {
                dropOldestMessage();
            }
            matched++;
        }
        if (pieces.isEmpty() && dropped == 0 && !dropping && owed == 0) {
            // answers read while nothing was outstanding answer nothing written later
            matched = answers;
        }
    }

    private void dropOldestMessage() {
        while (!pieces.isEmpty()) {
            Piece piece = pieces.removeFirst();
            bytes -= piece.length();
            recycle(piece);
            if (piece.endsMessage()) {
                return;
            }
        }
    }

    /**
     * Take what must be sent again: the kept writes from the first one that starts a frame outside a fragmented
     * message. Empties the window.
     *
     * @param readUpTo writes the lost upstream is known to have read
     * @param answers  messages the lost upstream sent
     * @return pieces, oldest first (may be empty)
     */
    List<Piece> takeResend(long readUpTo, long answers) {
        forget(readUpTo, answers);
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

    /**
     * What is kept now, oldest first (a copy; for checks of the bookkeeping).
     *
     * @return pieces
     */
    List<Piece> kept() {
        return List.copyOf(pieces);
    }

    void clear() {
        pieces.clear();
        bytes = 0;
        dropped = 0;
        dropping = false;
        owed = 0;
    }
}
