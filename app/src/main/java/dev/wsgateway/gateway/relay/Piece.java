package dev.wsgateway.gateway.relay;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Bytes written (or about to be written) to the upstream, kept by reference when stable; also what
 * {@link HeldFrames} holds. The bytes are the first {@link #length()} of {@link #bytes()}. Only {@link #write}
 * changes while a piece is in use: the client pump remembers a piece before its write (under the session's lock) and
 * sets the number when the write has completed (without it); until then the piece is {@link #PENDING}, never taken
 * for read.
 * <p>
 * A piece whose bytes the {@link ReplayWindow} copied itself ({@link #recyclable()}) is used again by the window
 * once it was forgotten ({@link #reuse}): only the client pump takes pieces for reuse, and it is also the only thread
 * that sets a write number, always before its next remember, so a number set on a forgotten piece is overwritten
 * before anyone reads it. Pieces are published under the session's lock.
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
    private int length;
    private boolean startsFrame;
    private boolean endsFrame;
    private boolean openBefore;
    private boolean openAfter;
    private long nanos;
    private final int replays;
    private final boolean recyclable;
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
        this(bytes, bytes == null ? 0 : bytes.length, startsFrame, endsFrame, openBefore, openAfter, nanos, write,
             replays, false);
    }

    private Piece(byte[] bytes, int length, boolean startsFrame, boolean endsFrame, boolean openBefore,
                  boolean openAfter, long nanos, long write, int replays, boolean recyclable) {
        this.bytes = bytes;
        this.length = length;
        this.recyclable = recyclable;
        this.startsFrame = startsFrame;
        this.endsFrame = endsFrame;
        this.openBefore = openBefore;
        this.openAfter = openAfter;
        this.nanos = nanos;
        this.write = write;
        this.replays = replays;
    }

    /**
     * An empty recyclable piece: the replay window copies bytes into its array ({@link #reuse}) and may use it again.
     *
     * @param capacity the array's size (at least the length)
     * @return piece
     */
    static Piece blank(int capacity) {
        return new Piece(new byte[capacity], 0, false, false, false, false, 0, PENDING, 0, true);
    }

    /**
     * Fill a recyclable piece again (the replay window, under the session's lock, on the client pump's thread).
     *
     * @return this piece
     */
    Piece reuse(byte[] source, int offset, int length, boolean startsFrame, boolean endsFrame, boolean openBefore,
                boolean openAfter, long nanos, long write) {
        System.arraycopy(source, offset, bytes, 0, length);
        this.length = length;
        this.startsFrame = startsFrame;
        this.endsFrame = endsFrame;
        this.openBefore = openBefore;
        this.openAfter = openAfter;
        this.nanos = nanos;
        WRITE.setRelease(this, write);
        return this;
    }

    /**
     * @return whether the window may use this piece again once forgotten
     */
    boolean recyclable() {
        return recyclable;
    }

    /**
     * @return the array holding the bytes; they are its first {@link #length()}
     */
    byte[] bytes() {
        return bytes;
    }

    int length() {
        return length;
    }

    /**
     * @return room for a reuse
     */
    int capacity() {
        return bytes.length;
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
        return new Piece(bytes, length, startsFrame, endsFrame, openBefore, openAfter, nanos, PENDING, replays + 1,
                         false);
    }

    /**
     * The same bytes as written to a new upstream.
     *
     * @param at    when
     * @param count the new leg's write count after them
     * @return piece
     */
    Piece writtenAt(long at, long count) {
        return new Piece(bytes, length, startsFrame, endsFrame, openBefore, openAfter, at, count, replays, false);
    }

    boolean endsMessage() {
        return endsFrame && !openAfter;
    }
}
