package dev.wsgateway.gateway.relay;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Keeps frames whole on one leg's wire. Two kinds of writers share a leg: the pump that relays frames into it
 * ({@link #relay}, which may deliver one frame in several pieces), and the gateway's own control frames (pings,
 * closes) from the watchdog's virtual threads or the other pump ({@link #control}). A control frame written while a
 * relayed frame is open is queued and written by the relaying pump right after that frame's last byte, so no byte of
 * any other writer lands inside a frame. When the relaying writer ends with a frame still open ({@link #abandon()}),
 * the frame can never be finished: nothing more is written, and the leg drops the connection.
 * <p>
 * <b>Locking.</b> {@code writeLock} is the socket's write turn: it guards {@code frameOpen}, {@code queued} and the
 * abandoning of a frame, and it is the one lock held across a socket write (the write it serialises). Only the
 * session's own threads take it, never the watchdog, and never while holding the session's lock. The write count is
 * volatile: the watchdog reads it.
 */
final class FrameWriter {
    private static final System.Logger LOGGER = System.getLogger(FrameWriter.class.getName());

    private final String name;
    private final Wire wire;
    private final Runnable onFailure;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final ArrayDeque<byte[]> queued = new ArrayDeque<>(2);
    private boolean frameOpen;
    private volatile boolean abandoned;
    private volatile boolean broken;
    private boolean closeWritten;
    private volatile long writes;
    // the relaying writer's own: the write count after its last write
    private long relayedWrite;

    /**
     * @param name      the leg's name, for logs
     * @param wire      the connection
     * @param onFailure what to do when a write fails (close the leg)
     */
    FrameWriter(String name, Wire wire, Runnable onFailure) {
        this.name = name;
        this.wire = wire;
        this.onFailure = onFailure;
    }

    /**
     * Write relayed bytes as they are.
     *
     * @param endsFrame whether they end a frame (queued control frames follow them then)
     * @return whether written (else the leg is broken)
     */
    boolean relay(byte[] bytes, int offset, int length, boolean endsFrame) {
        if (broken || length == 0) {
            return !broken;
        }
        writeLock.lock();
        try {
            if (!writeLocked(bytes, offset, length)) {
                return false;
            }
            relayedWrite = writes;
            frameOpen = !endsFrame;
            if (!frameOpen) {
                writeQueued();
            }
            return true;
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * The relaying writer ended.
     *
     * @return whether it left a frame open (the connection must be dropped)
     */
    boolean abandon() {
        writeLock.lock();
        try {
            if (!frameOpen) {
                return false;
            }
            abandoned = true;
            queued.clear();
            return true;
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Write a complete control frame: now if no relayed frame is in progress, else right after it ends. Failures mark
     * the leg broken; the caller is not interrupted.
     */
    void control(byte[] frame, int offset, int length) {
        if (broken) {
            return;
        }
        writeLock.lock();
        try {
            if (abandoned) {
                return;
            }
            if (frameOpen) {
                queued.addLast(offset == 0 && length == frame.length ? frame
                                       : Arrays.copyOfRange(frame, offset, offset + length));
                return;
            }
            writeControlLocked(frame, offset, length);
        } finally {
            writeLock.unlock();
        }
    }

    private void writeQueued() {
        byte[] control;
        while ((control = queued.pollFirst()) != null) {
            if (!writeControlLocked(control, 0, control.length)) {
                return;
            }
        }
    }

    private boolean writeControlLocked(byte[] frame, int offset, int length) {
        boolean written = writeLocked(frame, offset, length);
        closeWritten |= written && (frame[offset] & 0x0F) == WsFrames.OP_CLOSE;
        return written;
    }

    /**
     * End the output after the close frame (see {@link Wire#shutdownOutput()}): only when that frame was written whole
     * and no write is in progress (the lock is free: a write blocked on a peer that does not read is not waited for).
     * Nothing is written after it.
     *
     * @return whether the output was ended (else the caller closes the connection)
     */
    boolean endOutput() {
        if (!writeLock.tryLock()) {
            return false;
        }
        try {
            if (!closeWritten || broken || frameOpen || !wire.shutdownOutput()) {
                return false;
            }
            broken = true;
            queued.clear();
            return true;
        } finally {
            writeLock.unlock();
        }
    }

    private boolean writeLocked(byte[] bytes, int offset, int length) {
        if (broken) {
            return false;
        }
        try {
            wire.write(bytes, offset, length);
            writes++;
            return true;
        } catch (RuntimeException e) {
            broken = true;
            queued.clear();
            LOGGER.log(System.Logger.Level.DEBUG, () -> name + " write failed: " + e.getMessage());
            onFailure.run();
            return false;
        }
    }

    /**
     * @return writes that reached the socket so far (relayed pieces and control frames)
     */
    long writes() {
        return writes;
    }

    /**
     * @return the write count after the relaying thread's last write; read by that thread only
     */
    long lastRelayedWrite() {
        return relayedWrite;
    }

    /**
     * @return whether a relayed frame was left open for good (nothing after it went out)
     */
    boolean abandoned() {
        return abandoned;
    }
}
