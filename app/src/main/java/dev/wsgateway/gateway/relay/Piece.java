package dev.wsgateway.gateway.relay;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Bytes written (or about to be written) to the upstream, kept by reference when stable; also what
 * {@link HeldFrames} holds. Only {@link #write} changes, once: the client pump remembers a piece before its write
 * (under the session's lock) and sets the number when the write has completed (without it); until then the
 * piece is {@link #PENDING}, never taken for read.
 * <p>
 * The number is set with a release store and read with an acquire load, not a volatile one: the client pump sets it
 * once per message, and a full fence there bought nothing. A reader (under the session's lock, on another thread) that
 * does not see it yet sees {@link #PENDING}, which only keeps the piece longer; the access is atomic (a {@code long}).
 */
final class Piece {
    /** The write number of a piece whose write has not completed: never known to be read. */
    static final long PENDING = Long.MAX_VALUE;
    private static final VarHandle WRITE;

    static {
        try {
            WRITE = MethodHandles.lookup().findVarHandle(Piece.class, "write", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final byte[] bytes;
    private final boolean startsFrame;
    private final boolean endsFrame;
    private final boolean openBefore;
    private final boolean openAfter;
    private final long nanos;
    private final int replays;
    private long write;

    /**
     * @param bytes       the bytes
     * @param startsFrame whether they start a frame
     * @param endsFrame   whether they end a frame
     * @param openBefore  whether a fragmented message was open before them
     * @param openAfter   whether one is open after them
     * @param nanos       when they were written
     * @param write       the leg's write count after them ({@link Leg#writes()}), or {@link #PENDING}
     */
    Piece(byte[] bytes, boolean startsFrame, boolean endsFrame, boolean openBefore, boolean openAfter,
          long nanos, long write) {
        this(bytes, startsFrame, endsFrame, openBefore, openAfter, nanos, write, 0);
    }

    /**
     * @param replays how many times these bytes were already sent again after the loss of an instance
     */
    Piece(byte[] bytes, boolean startsFrame, boolean endsFrame, boolean openBefore, boolean openAfter,
          long nanos, long write, int replays) {
        this.bytes = bytes;
        this.startsFrame = startsFrame;
        this.endsFrame = endsFrame;
        this.openBefore = openBefore;
        this.openAfter = openAfter;
        this.nanos = nanos;
        this.write = write;
        this.replays = replays;
    }

    byte[] bytes() {
        return bytes;
    }

    boolean startsFrame() {
        return startsFrame;
    }

    boolean endsFrame() {
        return endsFrame;
    }

    boolean openBefore() {
        return openBefore;
    }

    boolean openAfter() {
        return openAfter;
    }

    long nanos() {
        return nanos;
    }

    long write() {
        return (long) WRITE.getAcquire(this);
    }

    int replays() {
        return replays;
    }

    /**
     * The write of this piece completed (the client pump, after a write made outside the session's lock).
     *
     * @param count the leg's write count after it
     */
    void written(long count) {
        WRITE.setRelease(this, count);
    }

    /**
     * The same bytes, to be sent once more (after the loss of the instance that was sent them).
     *
     * @return a piece with one replay more and no write yet
     */
    Piece replayed() {
        return new Piece(bytes, startsFrame, endsFrame, openBefore, openAfter, nanos, PENDING, replays + 1);
    }

    /**
     * The same bytes as written to a new upstream.
     *
     * @param at    when
     * @param count the new leg's write count after them
     * @return piece
     */
    Piece writtenAt(long at, long count) {
        return new Piece(bytes, startsFrame, endsFrame, openBefore, openAfter, at, count, replays);
    }

    boolean endsMessage() {
        return endsFrame && !openAfter;
    }
}
