package dev.wsgateway.gateway.relay;

import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Keeps frames whole on one leg's wire. Two kinds of writers share a leg: the pump that relays frames into it
 * ({@link #relay}, which may deliver one frame in several pieces), and the gateway's own control frames (pings,
 * closes) from the watchdog's virtual threads or the other pump ({@link #control}). A control frame written while a
 * relayed frame is open waits in a queue and is written right after that frame's last byte, so no byte of any other
 * writer lands inside a frame. When the relaying writer ends with a frame still open ({@link #abandon()}), the frame
 * can never be finished: nothing more is written, and the leg drops the connection.
 * <p>
 * <b>The write turn, and no lock.</b> One thread at a time writes the socket: the one holding {@code turn}. No thread
 * ever waits for the turn. A writer that finds it taken leaves its bytes and goes: a control frame is queued (the
 * caller returns at once, even when the socket is blocked by a peer that does not read), and the relaying pump's bytes
 * are handed over ({@code handoff}) to the holder, which writes them before it lets the turn go. The pump then waits
 * for its own bytes to be written, as it would in its own blocking write (its buffer is reused after), never for
 * somebody else's. Every holder, before it lets go, writes what was queued or handed over (a control frame only
 * between frames), then the leg's close if it was left to it ({@link #close}: a close frame queued behind another
 * writer goes out before the connection is closed), and looks again after letting go, so nothing is left behind. Guarded by the turn: {@code frameOpen},
 * {@code closeWritten}, {@code relayedWrite}'s updates and the socket's output. The write count is volatile: the
 * watchdog reads it.
 */
final class FrameWriter {
    private static final System.Logger LOGGER = System.getLogger(FrameWriter.class.getName());

    private final String name;
    private final Wire wire;
    private final Runnable onFailure;
    private final AtomicBoolean turn = new AtomicBoolean();
    private final ConcurrentLinkedQueue<byte[]> queued = new ConcurrentLinkedQueue<>();
    // the relaying pump's one hand-over (it waits for each, so one object serves them all)
    private final Handoff relayed = new Handoff();
    private volatile Handoff handoff;
    // the leg's close, left to the holder of the turn so that it follows the queued control frames
    private volatile Consumer<Boolean> closing;
    // whether that close ends the output first (written before closing, read after it)
    private boolean closingEndsOutput;
    private boolean frameOpen;
    private boolean closeWritten;
    private volatile boolean abandoned;
    private volatile boolean broken;
    private volatile long writes;
    // the write count after the relaying writer's last write (set by the holder that wrote it, seen by the writer
    // after the hand-over's volatile flag)
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
     * Write relayed bytes as they are; called by one relaying thread at a time. Returns when they are written (by
     * this thread, or by the holder of the write turn it handed them to).
     *
     * @param endsFrame whether they end a frame (queued control frames follow them then)
     * @return whether written (else the leg is broken)
     */
    boolean relay(byte[] bytes, int offset, int length, boolean endsFrame) {
        if (broken || length == 0) {
            return !broken;
        }
        if (turn.compareAndSet(false, true)) {
            boolean written = writeRelayed(bytes, offset, length, endsFrame);
            letGo();
            return written;
        }
        Handoff h = relayed;
        h.set(bytes, offset, length, endsFrame);
        handoff = h;
        // the holder may have let go before it saw the hand-over: take the turn then, else wait for the bytes (an
        // interrupt does not end the wait: the bytes are in the holder's hands; it is kept for the caller)
        boolean interrupted = false;
        while (!h.done) {
            if (turn.compareAndSet(false, true)) {
                drain();
                letGo();
            } else if (!h.done) {
                LockSupport.park(this);
                interrupted |= Thread.interrupted();
            }
        }
        h.bytes = null;
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return h.written;
    }

    /**
     * The relaying writer ended (called by it, after its last {@link #relay}).
     *
     * @return whether it left a frame open (the connection must be dropped)
     */
    boolean abandon() {
        // frameOpen was last set by this thread's own write, or by the holder that wrote its hand-over (seen through
        // the hand-over's volatile flag); nobody else changes it
        if (!frameOpen) {
            return false;
        }
        abandoned = true;
        queued.clear();
        return true;
    }

    /**
     * Write a complete control frame: now if the turn is free and no relayed frame is open, else it is queued and
     * the writer holding the turn (or the relaying pump, at the frame's end) writes it. Never waits for another
     * writer. Failures mark the leg broken; the caller is not interrupted.
     */
    void control(byte[] frame, int offset, int length) {
        if (broken || abandoned) {
            return;
        }
        queued.add(offset == 0 && length == frame.length ? frame : Arrays.copyOfRange(frame, offset, offset + length));
        if (turn.compareAndSet(false, true)) {
            drain();
            letGo();
        }
    }

    /**
     * Close the connection after the control frames queued so far (the gateway's close frame, typically): when some
     * are queued, no relayed frame is open and another writer holds the turn, the holder writes them and then closes,
     * as it lets the turn go (nobody waits for it); else the connection is closed at once, which fails a write blocked
     * on it. {@code finish} gets whether the output was ended after a whole close frame (see {@link #endOutput()}):
     * the leg lingers then, else closes the socket.
     *
     * @param endOutput whether to end the output after a whole close frame (a leg that lingers), else {@code finish}
     *                  gets {@code false}
     * @param finish    what closes the leg
     */
    void close(boolean endOutput, Consumer<Boolean> finish) {
        if (!queued.isEmpty() && !frameOpen && !broken && !abandoned) {
            closingEndsOutput = endOutput;
            closing = finish;
            if (turn.compareAndSet(false, true)) {
                drain();
                letGo();
            }
            return;
        }
        finish.accept(endOutput && endOutput());
    }

    /**
     * End the output after the close frame (see {@link Wire#shutdownOutput()}): only when that frame was written whole
     * and no write is in progress (the turn is free: a write blocked on a peer that does not read is not waited for).
     * Nothing is written after it.
     *
     * @return whether the output was ended (else the caller closes the connection)
     */
    boolean endOutput() {
        if (!turn.compareAndSet(false, true)) {
            return false;
        }
        try {
            return endOutputHeld();
        } finally {
            letGo();
        }
    }

    private boolean endOutputHeld() {
        if (!closeWritten || broken || frameOpen || !wire.shutdownOutput()) {
            return false;
        }
        broken = true;
        queued.clear();
        return true;
    }

    /**
     * @return writes that reached the socket so far (relayed pieces and control frames)
     */
    long writes() {
        return writes;
    }

    /**
     * @return the write count after the relaying thread's last write
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

    // with the turn: the hand-over first (it may end the frame the queue waits for), then the queue between frames
    private void drain() {
        Handoff h = handoff;
        if (h != null) {
            handoff = null;
            h.written = writeRelayed(h.bytes, h.offset, h.length, h.endsFrame);
            h.done = true;
            LockSupport.unpark(h.thread);
        }
        byte[] control;
        while (!frameOpen && !abandoned && (control = queued.poll()) != null) {
            if (!writeTurn(control, 0, control.length)) {
                break;
            }
            closeWritten |= (control[0] & 0x0F) == WsFrames.OP_CLOSE;
        }
        Consumer<Boolean> close = closing;
        if (close != null) {
            closing = null;
            close.accept(closingEndsOutput && endOutputHeld());
        }
    }

    // let the turn go; take it back if something was left meanwhile that no holder will write
    private void letGo() {
        while (true) {
            boolean open = frameOpen;
            turn.set(false);
            boolean left = handoff != null || closing != null
                    || (!open && !queued.isEmpty() && !broken && !abandoned);
            if (!left || !turn.compareAndSet(false, true)) {
                return;
            }
            drain();
        }
    }

    private boolean writeRelayed(byte[] bytes, int offset, int length, boolean endsFrame) {
        if (!writeTurn(bytes, offset, length)) {
            return false;
        }
        relayedWrite = writes;
        frameOpen = !endsFrame;
        return true;
    }

    private boolean writeTurn(byte[] bytes, int offset, int length) {
        if (broken) {
            queued.clear();
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

    // bytes the relaying pump handed to the turn's holder
    private static final class Handoff {
        private Thread thread;
        private byte[] bytes;
        private int offset;
        private int length;
        private boolean endsFrame;
        private boolean written;
        private volatile boolean done;

        void set(byte[] bytes, int offset, int length, boolean endsFrame) {
            this.thread = Thread.currentThread();
            this.bytes = bytes;
            this.offset = offset;
            this.length = length;
            this.endsFrame = endsFrame;
            this.written = false;
            this.done = false;
        }
    }
}
