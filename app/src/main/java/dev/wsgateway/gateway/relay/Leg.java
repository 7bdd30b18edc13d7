package dev.wsgateway.gateway.relay;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

import dev.wsgateway.gateway.upstream.UpstreamConnector;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.socket.HelidonSocket;

/**
 * One side of a relayed session: the client's connection (the gateway is the server) or the upstream connection
 * (the gateway is the client, so what it writes itself is masked). Reads are done by one pump thread.
 * <p>
 * <b>Frame integrity on the wire lives here.</b> Two kinds of writers share a leg: the pump that relays frames into
 * it ({@link #write(byte[], int, int, boolean, boolean, boolean, boolean)}, which may deliver one frame in several
 * pieces), and the gateway's own control frames (pings, closes) from the watchdog or the other pump. Every write
 * holds {@code writeLock}, and the lock also guards {@code frameOpen}: whether the relayed frame in progress has
 * more bytes to come. A control frame written while a frame is open is queued and sent by the relaying pump right
 * after that frame's last byte, so no byte of any other writer lands inside a frame. When the relaying writer ends
 * with a frame still open ({@link #writerEnded()}), the frame can never be finished: the connection is dropped
 * instead of sending anything after the partial frame.
 * <p>
 * <b>Locking.</b> {@code writeLock} is the socket's write turn: it guards {@code frameOpen}, {@code queuedControls}
 * and {@code frameAbandoned}, and it is the one lock held across a socket write (the write it serialises). Only the
 * session's own threads take it (its pumps and its short virtual threads: pings, closes), never the watchdog, and
 * never while holding the session's lock; a writer stuck behind a peer that does not read is freed when a timer closes
 * the socket. The counters the watchdog reads ({@code writes}, {@code readUpTo}, {@code lastReadNanos}, the ping
 * token) are volatile or atomic.
 */
final class Leg implements FrameSink {
    private static final System.Logger LOGGER = System.getLogger(Leg.class.getName());

    private final String name;
    private final Wire wire;
    private final boolean gatewayIsClient;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean closeSent = new AtomicBoolean();
    private final ArrayDeque<byte[]> queuedControls = new ArrayDeque<>(2);
    private byte[] pending;
    private byte[] chunk;
    private boolean chunkStable;
    private boolean frameOpen;
    private volatile boolean frameAbandoned;

    private volatile boolean closeReceived;
    private volatile boolean broken;
    private volatile long lastReadNanos = System.nanoTime();
    private final AtomicLong pingToken = new AtomicLong();
    private volatile long writes;
    private volatile long pingFloor;
    private volatile long readUpTo;
    private volatile long messagesRead;
    private volatile int closeCodeSent;
    // the relaying writer's own: the write count after its last write
    private long relayedWrite;

    /**
     * @param name            {@code client} or {@code upstream}, for logs
     * @param socket          the connected socket
     * @param leftover        bytes already read from the socket past the HTTP handshake (may be empty)
     * @param gatewayIsClient whether the gateway is the WebSocket client on this leg (frames it originates are masked)
     */
    Leg(String name, HelidonSocket socket, byte[] leftover, boolean gatewayIsClient) {
        this(name, new HelidonWire(socket), leftover, gatewayIsClient);
    }

    private Leg(String name, Wire wire, byte[] leftover, boolean gatewayIsClient) {
        this.name = name;
        this.wire = wire;
        this.pending = leftover.length == 0 ? null : leftover;
        this.gatewayIsClient = gatewayIsClient;
    }

    /**
     * The upstream side of a session: the gateway is the WebSocket client.
     *
     * @param link the upgraded upstream connection
     * @return leg
     */
    static Leg upstream(UpstreamConnector.Link link) {
        return new Leg("upstream", SocketWire.of(link.socket()), link.leftover(), true);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean write(byte[] bytes, int offset, int length, boolean startsFrame, boolean endsFrame,
                         boolean messageOpen, boolean stable) {
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
                writeQueuedControls();
            }
            return true;
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public void writerEnded() {
        writeLock.lock();
        try {
            if (!frameOpen) {
                return;
            }
            frameAbandoned = true;
            queuedControls.clear();
        } finally {
            writeLock.unlock();
        }
        LOGGER.log(System.Logger.Level.DEBUG, () -> name + ": a relayed frame was cut, dropping the connection");
        close();
    }

    @Override
    public void forwardClose(byte[] frame, int code) {
        forwardClose(frame, 0, frame.length, code);
    }

    /**
     * Read the next bytes from the peer; blocks until some arrive. They are then in {@link #chunk()}, from index 0.
     *
     * @return how many bytes were read, or {@code -1} when the peer closed the connection
     * @throws UncheckedIOException when the connection fails (reset, closed locally)
     */
    int fill() {
        int n;
        if (pending != null) {
            chunk = pending;
            chunkStable = true;
            pending = null;
            n = chunk.length;
        } else {
            n = wire.fill(this);
        }
        if (n > 0) {
            lastReadNanos = System.nanoTime();
        }
        return n;
    }

    /**
     * The bytes of the last {@link #fill()}.
     *
     * @return an array whose first bytes are the ones read
     */
    byte[] chunk() {
        return chunk;
    }

    /**
     * Whether the array of the last {@link #fill()} stays as it is (a fresh array), so a reference may be kept; else
     * the next read reuses it.
     *
     * @return whether stable
     */
    boolean chunkStable() {
        return chunkStable;
    }

    /**
     * The pump is done with the last chunk: forget it (an idle leg keeps no reference to a fresh array) and give back
     * any pooled buffer it was read into. Called by the reading thread only.
     */
    void dropChunk() {
        chunk = null;
        wire.release();
    }

    /**
     * Read the next bytes into a buffer of the caller's; blocks until some arrive.
     *
     * @param target where to read
     * @return bytes read, or {@code -1} when the peer closed the connection
     * @throws UncheckedIOException when the connection fails
     */
    int read(byte[] target) {
        byte[] left = pending;
        int n;
        if (left != null) {
            n = Math.min(left.length, target.length);
            System.arraycopy(left, 0, target, 0, n);
            pending = n == left.length ? null : java.util.Arrays.copyOfRange(left, n, left.length);
        } else {
            n = wire.read(target);
        }
        if (n > 0) {
            lastReadNanos = System.nanoTime();
        }
        return n;
    }

    /**
     * A whole data message arrived from the peer (counted on the pump's thread, read under the session's lock).
     */
    void countMessage() {
        messagesRead++;
    }

    /**
     * Whole data messages read from the peer so far.
     *
     * @return count
     */
    long messagesRead() {
        return messagesRead;
    }

    long lastReadNanos() {
        return lastReadNanos;
    }

    /**
     * Write a complete control frame of the gateway's (or a forwarded close): now if no relayed frame is in
     * progress, else right after it ends. Failures mark the leg broken and close it; the caller is not interrupted.
     */
    private void writeControl(byte[] frame, int offset, int length) {
        if (broken) {
            return;
        }
        writeLock.lock();
        try {
            if (frameAbandoned) {
                return;
            }
            if (frameOpen) {
                queuedControls.addLast(offset == 0 && length == frame.length ? frame
                                               : java.util.Arrays.copyOfRange(frame, offset, offset + length));
                return;
            }
            writeLocked(frame, offset, length);
        } finally {
            writeLock.unlock();
        }
    }

    private void writeQueuedControls() {
        byte[] control;
        while ((control = queuedControls.pollFirst()) != null) {
            if (!writeLocked(control, 0, control.length)) {
                return;
            }
        }
    }

    /**
     * Write bytes as they are, with {@code writeLock} held.
     *
     * @return whether the bytes were written
     */
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
            queuedControls.clear();
            LOGGER.log(System.Logger.Level.DEBUG, () -> name + " write failed: " + e.getMessage());
            close();
            return false;
        }
    }

    /**
     * Forward a close frame (raw bytes) unless a close was already sent on this leg.
     *
     * @return whether this call sent the close
     */
    boolean forwardClose(byte[] frame, int offset, int length, int code) {
        if (closeSent.compareAndSet(false, true)) {
            closeCodeSent = code;
            writeControl(frame, offset, length);
            return true;
        }
        return false;
    }

    /**
     * Send a close frame the gateway originates, unless one was already sent on this leg.
     *
     * @return whether this call sent the close
     */
    boolean sendClose(int code, String reason) {
        if (closeSent.compareAndSet(false, true)) {
            closeCodeSent = code;
            writeControl(WsFrames.controlFrame(WsFrames.OP_CLOSE, WsFrames.closePayload(code, reason), gatewayIsClient));
            return true;
        }
        return false;
    }

    /**
     * Take the leg's one outstanding gateway ping for this token, unless a ping is already outstanding. Done on the
     * watchdog's thread before the ping is sent from another: two ticks can then never both send, which would make
     * the pong to the older ping look unsolicited (and be forwarded to the other side).
     *
     * @param token the ping's token (never 0)
     * @return whether the caller must now {@link #sendPing(long)} it
     */
    boolean claimPing(long token) {
        return pingToken.compareAndSet(0, token);
    }

    /**
     * Send the gateway ping claimed with {@link #claimPing(long)}; the pump reading this leg will recognise its pong
     * and swallow it.
     */
    void sendPing(long token) {
        if (closeSent.get()) {
            return;
        }
        // every write counted so far is ahead of the ping in the stream
        pingFloor = writes;
        writeControl(WsFrames.controlFrame(WsFrames.OP_PING, pingPayload(token), gatewayIsClient));
    }

    /**
     * Whether an (unmasked) pong payload answers the gateway's own ping on this leg.
     */
    boolean isOwnPong(byte[] payload) {
        long token = pingToken.get();
        return token != 0 && java.util.Arrays.equals(payload, pingPayload(token));
    }

    long pingToken() {
        return pingToken.get();
    }

    /**
     * The pong to the gateway's ping arrived: the peer has read everything written before that ping.
     */
    void clearPing() {
        readUpTo = pingFloor;
        pingToken.set(0);
    }

    /**
     * Writes made on this leg so far (a write is one call that reached the socket); the number a write gets is the
     * count after it.
     *
     * @return count
     */
    long writes() {
        return writes;
    }

    /**
     * The write count after the last {@link #write} of the calling (relaying) thread; read by that thread only.
     *
     * @return count
     */
    long lastRelayedWrite() {
        return relayedWrite;
    }

    /**
     * Writes the peer is known to have read: those made before the last gateway ping it answered (WebSocket peers read
     * in order).
     *
     * @return a count of {@link #writes()}
     */
    long readUpTo() {
        return readUpTo;
    }

    private static byte[] pingPayload(long token) {
        byte[] p = new byte[10];
        p[0] = 'g';
        p[1] = 'w';
        for (int i = 0; i < 8; i++) {
            p[2 + i] = (byte) (token >>> (56 - 8 * i));
        }
        return p;
    }

    private void writeControl(byte[] frame) {
        writeControl(frame, 0, frame.length);
    }

    /**
     * Code of the close frame sent on this leg (forwarded or the gateway's own), {@code 0} if none yet.
     */
    int closeCodeSent() {
        // a close queued behind a frame that was cut never went out: the peer saw the connection dropped
        return frameAbandoned ? 0 : closeCodeSent;
    }

    @Override
    public boolean closeSent() {
        return closeSent.get();
    }

    boolean closeReceived() {
        return closeReceived;
    }

    void markCloseReceived() {
        closeReceived = true;
    }

    /**
     * Whether the close handshake on this leg is complete (close sent and received).
     */
    @Override
    public boolean closeHandshakeDone() {
        return closeReceived && closeSent.get();
    }


    /**
     * Whether {@link #close()} was called.
     *
     * @return whether closed
     */
    boolean isClosed() {
        return closed.get();
    }

    /**
     * Close the socket (idempotent). A pump blocked reading or writing it fails at once.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                wire.close();
            } catch (RuntimeException e) {
                LOGGER.log(System.Logger.Level.TRACE, () -> name + " close: " + e.getMessage());
            }
        }
    }

    /**
     * Reserve this leg's close for {@link #sendClaimedClose}: after this, no forwarded or other gateway close is
     * sent on it. Lets the gateway close both legs with its own codes without a peer's reply overtaking one of them.
     *
     * @param code close code that will be sent
     * @return whether the close was reserved (no close was sent before)
     */
    boolean claimClose(int code) {
        if (closeSent.compareAndSet(false, true)) {
            closeCodeSent = code;
            return true;
        }
        return false;
    }

    /**
     * Send the close reserved with {@link #claimClose(int)}.
     *
     * @param code   close code
     * @param reason close reason
     */
    void sendClaimedClose(int code, String reason) {
        writeControl(WsFrames.controlFrame(WsFrames.OP_CLOSE, WsFrames.closePayload(code, reason), gatewayIsClient));
    }

    /**
     * The connection under a leg: read, write, close. Failures are {@link UncheckedIOException}s.
     */
    private interface Wire {
        /**
         * Read the next bytes and set them as the leg's chunk.
         *
         * @return bytes read, {@code -1} at the end of the stream
         */
        int fill(Leg leg);

        /**
         * The bytes of the last fill are no longer used (called by the reading thread only).
         */
        default void release() {
        }

        int read(byte[] target);

        void write(byte[] bytes, int offset, int length);

        void close();
    }

    /**
     * A connection Helidon's server accepted: each read returns a fresh array of the bytes read.
     */
    private record HelidonWire(HelidonSocket socket) implements Wire {
        @Override
        public int fill(Leg leg) {
            byte[] next = socket.get();
            if (next == null) {
                return -1;
            }
            leg.chunk = next;
            leg.chunkStable = true;
            return next.length;
        }

        @Override
        public int read(byte[] target) {
            return socket.read(BufferData.create(target).clear());
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            socket.write(BufferData.createReadOnly(bytes, offset, length));
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    /**
     * A connection the gateway opened itself. A leg waits for bytes on a small buffer of its own; when a read filled
     * it and more bytes are already readable, they are read into a pooled {@link BufferPool#SIZE} buffer that goes
     * back to the pool before the next read. An idle session thus holds {@link #SMALL} bytes on this leg, not a
     * full-size buffer.
     */
    private static final class SocketWire implements Wire {
        static final int SMALL = 2 * 1024;

        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private final byte[] small = new byte[SMALL];
        private byte[] borrowed;
        private boolean filled;

        private SocketWire(Socket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        static SocketWire of(Socket socket) {
            try {
                return new SocketWire(socket);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public int fill(Leg leg) {
            release();
            try {
                byte[] target = small;
                if (filled && in.available() > 0) {
                    borrowed = BufferPool.take();
                    target = borrowed;
                }
                int n = in.read(target);
                filled = n == target.length;
                leg.chunk = target;
                leg.chunkStable = false;
                return n;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void release() {
            if (borrowed != null) {
                BufferPool.give(borrowed);
                borrowed = null;
            }
        }

        @Override
        public int read(byte[] target) {
            try {
                return in.read(target);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            try {
                out.write(bytes, offset, length);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
