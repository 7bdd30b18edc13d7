package dev.wsgateway.gateway.relay;

import java.io.UncheckedIOException;
import java.lang.invoke.VarHandle;
import java.time.Duration;

import dev.wsgateway.gateway.upstream.UpstreamConnector;

import io.helidon.common.socket.HelidonSocket;

/**
 * One side of a relayed session: the client's connection (the gateway is the server) or the upstream connection
 * (the gateway is the client, so what it writes itself is masked). Reads are done by one pump thread. A leg puts
 * together the parts that each do one job: the connection ({@link Wire}), keeping frames whole among its writers
 * ({@link FrameWriter}, which owns the write turn), the gateway's pings and what their pongs prove
 * ({@link PingAccount}); it keeps the idle clock (when the peer was last read). The close handshake (close sent,
 * received, their codes, the connection closed) is not the leg's: it asks the {@link CloseFlags} the session's
 * {@link SessionMachine} owns for this connection ({@link #bind}); a leg on its own (a candidate instance, a test) has
 * flags of its own until bound.
 * <p>
 * <b>Locking.</b> A leg holds no lock: the close flags are atomic or volatile, the socket's writers take the
 * {@link FrameWriter}'s write turn, which no thread waits for. Everything the watchdog reads here is volatile or
 * atomic.
 */
final class Leg implements FrameSink {
    private static final VarHandle LAST_READ_NANOS = Opaque.handle(Leg.class, "lastReadNanos");
    private static final System.Logger LOGGER = System.getLogger(Leg.class.getName());

    private final String name;
    private final Wire wire;
    private final FrameWriter writer;
    private final boolean gatewayIsClient;
    private final Linger linger;
    // bound before the leg is published to another thread (see bind): a plain field, read per flushed range
    private CloseFlags flags = new CloseFlags();
    private byte[] pending;
    private byte[] chunk;
    private boolean chunkStable;

    // see Opaque: written per read by the pump, read by the watchdog
    private long lastReadNanos = System.nanoTime();
    private final PingAccount pings = new PingAccount();
    private volatile long messagesRead;

    /**
     * @param name            {@code client} or {@code upstream}, for logs
     * @param socket          the connected socket
     * @param leftover        bytes already read from the socket past the HTTP handshake (may be empty)
     * @param gatewayIsClient whether the gateway is the WebSocket client on this leg (frames it originates are masked)
     */
    Leg(String name, HelidonSocket socket, byte[] leftover, boolean gatewayIsClient) {
        this(name, new Wire.HelidonWire(socket), leftover, gatewayIsClient, null);
    }

    /**
     * The client's side of a session, closed with a {@link Linger lingering close} of at most {@code linger}
     * ({@code close-timeout}) once the gateway's close frame was written.
     */
    static Leg client(HelidonSocket socket, byte[] leftover, Duration linger) {
        return new Leg("client", Wire.of(socket), leftover, false, new Linger(linger.toNanos()));
    }

    private Leg(String name, Wire wire, byte[] leftover, boolean gatewayIsClient, Linger linger) {
        this.name = name;
        this.linger = linger;
        this.wire = wire;
        this.writer = new FrameWriter(name, wire, this::close);
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
        return new Leg("upstream", Wire.SocketWire.of(link.socket(), false), link.leftover(), true, null);
    }

    @Override
    public String name() {
        return name;
    }

    /**
     * Ask these flags, the session machine's for this connection, about the close handshake from now on. Called before
     * the leg is handed to another thread (the session's constructor, or under the session's lock before a resumed
     * leg is published), so the plain field is seen by every thread that uses the leg.
     *
     * @param owned the connection's flags
     */
    void bind(CloseFlags owned) {
        this.flags = owned;
    }

    boolean boundTo(CloseFlags owned) {
        return flags == owned;
    }

    @Override
    public boolean write(byte[] bytes, int offset, int length, boolean startsFrame, boolean endsFrame,
                         boolean messageOpen, boolean stable) {
        return writer.relay(bytes, offset, length, endsFrame);
    }

    @Override
    public void writerEnded() {
        if (writer.abandon()) {
            LOGGER.log(System.Logger.Level.DEBUG, () -> name + ": a relayed frame was cut, dropping the connection");
            close();
        }
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
            n = wire.fill();
            chunk = wire.chunk();
            chunkStable = wire.chunkStable();
        }
        if (n > 0) {
            LAST_READ_NANOS.setOpaque(this, System.nanoTime());
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
            LAST_READ_NANOS.setOpaque(this, System.nanoTime());
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
        return (long) LAST_READ_NANOS.getOpaque(this);
    }

    /** Forward a close frame (raw bytes) unless a close was already sent on this leg. */
    @Override
    public void forwardClose(byte[] frame, int code) {
        if (flags.claim(code)) {
            writeControl(frame);
        }
    }

    /**
     * Send a close frame the gateway originates, unless one was already sent on this leg.
     *
     * @return whether this call sent the close
     */
    boolean sendClose(int code, String reason) {
        if (!flags.claim(code)) {
            return false;
        }
        sendClaimedClose(code, reason);
        return true;
    }

    /**
     * Take the leg's one outstanding gateway ping for this token, unless a ping is already outstanding (see
     * {@link PingAccount#claim(long)}).
     *
     * @param token the ping's token (never 0)
     * @return whether the caller must now {@link #sendPing(long)} it
     */
    boolean claimPing(long token) {
        return pings.claim(token);
    }

    /**
     * Send the gateway ping claimed with {@link #claimPing(long)}; the pump reading this leg will recognise its pong
     * and swallow it.
     */
    void sendPing(long token) {
        if (flags.sent()) {
            return;
        }
        // every write counted so far is ahead of the ping in the stream
        pings.sent(writer.writes());
        writeControl(WsFrames.controlFrame(WsFrames.OP_PING, PingAccount.payload(token), gatewayIsClient));
    }

    boolean isOwnPong(byte[] payload) {
        return pings.isOwnPong(payload);
    }

    long pingToken() {
        return pings.token();
    }

    /**
     * The pong to the gateway's ping arrived: the peer has read everything written before that ping.
     */
    void clearPing() {
        pings.answered();
    }

    /**
     * Writes made on this leg so far (a write is one call that reached the socket); the number a write gets is the
     * count after it.
     *
     * @return count
     */
    long writes() {
        return writer.writes();
    }

    /**
     * The write count after the last {@link #write} of the calling (relaying) thread; read by that thread only.
     *
     * @return count
     */
    long lastRelayedWrite() {
        return writer.lastRelayedWrite();
    }

    /**
     * Writes the peer is known to have read: those made before the last gateway ping it answered (WebSocket peers read
     * in order).
     *
     * @return a count of {@link #writes()}
     */
    long readUpTo() {
        return pings.readUpTo();
    }

    private void writeControl(byte[] frame) {
        writer.control(frame, 0, frame.length);
    }

    /**
     * Code of the close frame sent on this leg (forwarded or the gateway's own), {@code 0} if none yet.
     */
    int closeCodeSent() {
        // a close queued behind a frame that was cut never went out: the peer saw the connection dropped
        return writer.abandoned() ? 0 : flags.codeSent();
    }

    @Override
    public boolean closeSent() {
        return flags.sent();
    }

    boolean closeReceived() {
        return flags.received();
    }

    /** The pump reading this leg read the peer's close frame (its code is told to the session machine). */
    void markCloseReceived() {
        flags.received(0);
    }

    /** Whether the close handshake on this leg is complete (close sent and received). */
    @Override
    public boolean closeHandshakeDone() {
        return flags.handshakeDone();
    }

    /** Whether {@link #close()} (or {@link #abort()}) was called. */
    boolean isClosed() {
        return flags.closed();
    }

    /**
     * Close the socket (idempotent), after the gateway's control frames already queued on it (see
     * {@link FrameWriter#close}); a pump blocked reading it, or writing it with nothing queued, fails at once (a timer
     * that must end a blocked write uses {@link #abort()}). The client's leg, once the
     * gateway's close frame is written whole, lingers instead (see {@link Linger}): its output ends now, the socket
     * closes when the client ends its stream or after {@code close-timeout}.
     */
    @Override
    public void close() {
        if (flags.close()) {
            writer.close(linger != null, this::finishClose);
        }
    }

    private void finishClose(boolean outputEnded) {
        if (linger != null && outputEnded) {
            linger.start(name, wire, this::closeWire);
        } else {
            closeWire();
        }
    }

    /** Close the connection now, even while it lingers (a timer expired: the peer had its time). */
    void abort() {
        flags.closeNow();
        closeWire();
    }

    /** Wait for a lingering close in progress to close the socket (see {@link Linger#await()}). */
    void awaitLinger() {
        if (linger != null && !linger.await()) {
            abort();
        }
    }

    /** The pump reading this leg ended (called on its thread). */
    void readerEnded() {
        if (linger != null) {
            linger.readerEnded();
        }
    }

    private void closeWire() {
        try {
            wire.close();
        } catch (RuntimeException e) {
            LOGGER.log(System.Logger.Level.TRACE, () -> name + " close: " + e.getMessage());
        }
    }

    /**
     * Send a close whose sending the caller claimed ({@link CloseFlags#claim}, or a
     * {@link SessionAction.Kind#SEND_CLOSE} action).
     *
     * @param code   close code
     * @param reason close reason
     */
    void sendClaimedClose(int code, String reason) {
        writeControl(WsFrames.controlFrame(WsFrames.OP_CLOSE, WsFrames.closePayload(code, reason), gatewayIsClient));
    }
}
