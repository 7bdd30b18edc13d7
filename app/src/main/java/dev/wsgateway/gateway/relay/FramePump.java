package dev.wsgateway.gateway.relay;

import java.lang.invoke.VarHandle;

import io.helidon.websocket.WsCloseCodes;

/**
 * Moves frames from one leg to the other on one thread, with blocking I/O. Frame headers are parsed (opcode, FIN,
 * length, mask) to enforce limits, count messages and follow the close handshake; payload bytes are forwarded as
 * they were received, still masked when they come from the client, in the chunks the socket delivered them (see
 * {@link PumpBuffer}). Only close frames and the gateway's own pongs are copied and inspected.
 *
 * <p>Where the source stands is one {@link State}, changed only between frames or by an exit: a protocol violation
 * always leaves through {@link #corrupt}, a broken limit through {@link #discard}, a stream ending inside a frame
 * through {@link #cut}.
 */
final class FramePump extends PumpBuffer implements Runnable {
    private static final VarHandle MESSAGES = Opaque.handle(FramePump.class, "messages");
    private static final VarHandle BYTES = Opaque.handle(FramePump.class, "bytes");
    /**
     * Where the source stands in its stream of frames.
     */
    enum State {
        /** No data message open: the next data frame must start one. */
        BETWEEN_MESSAGES,
        /** A data message is open (its last frame had no FIN): the next data frame must be a continuation. */
        IN_MESSAGE,
        /** The source broke a limit and was told so: frames are read and dropped until its close arrives. */
        DISCARDING,
        /** The upstream asked to be replaced (close 1001 or 1012 between messages); the session fails over. */
        GOING_AWAY,
        /** The stream ended inside a frame. */
        CUT,
        /** The source broke the protocol and was told so; nothing more is read. */
        CORRUPT
    }

    private final PumpEvents events;
    private final boolean fromClient;
    private final long maxFrame;
    private final long maxMessage;
    private final int maxFragments;
    private final ReservedBits reservedBits;
    private final byte[] header = new byte[FrameHeader.MAX_LENGTH];
    private final byte[] control = new byte[WsFrames.MAX_CONTROL_PAYLOAD];

    private State state = State.BETWEEN_MESSAGES;
    /** Bytes and frames of the open data message. */
    private long messageBytes;
    private int fragments;
    private Throwable failure;

    // see Opaque: counted per frame on the pump's thread, read for the session list and the metrics
    private long messages;
    private long bytes;

    /**
     * @param maxFragments most frames one data message may have (its first and its continuations); one more closes
     *                     the sender with 1008 ({@code gateway.relay.max-message-fragments})
     */
    FramePump(PumpEvents events, Leg src, FrameSink dst, boolean fromClient, long maxFrame, long maxMessage,
              int maxFragments, ReservedBits reservedBits) {
        super(src, dst);
        if (maxFragments < 1) {
            throw new IllegalArgumentException("maxFragments " + maxFragments);
        }
        this.events = events;
        this.maxFragments = maxFragments;
        this.reservedBits = reservedBits;
        this.fromClient = fromClient;
        this.maxFrame = maxFrame;
        this.maxMessage = maxMessage;
    }

    long messages() {
        return (long) MESSAGES.getOpaque(this);
    }

    long bytes() {
        return (long) BYTES.getOpaque(this);
    }

    Leg source() {
        return src;
    }

    State state() {
        return state;
    }

    @Override
    boolean messageOpen() {
        return state == State.IN_MESSAGE;
    }

    /**
     * Whether the source stopped in the middle of a message or frame it had begun to send (the part already
     * forwarded cannot be completed by another instance).
     */
    boolean cutMidMessage() {
        return state != State.BETWEEN_MESSAGES && state != State.GOING_AWAY;
    }

    /**
     * Whether the upstream asked to be replaced (close 1001 going away or 1012 service restart) and the session
     * should fail over instead of passing the close on.
     */
    boolean failoverRequested() {
        return state == State.GOING_AWAY;
    }

    /**
     * Relay until the source ends; the caller then decides what the end means (see {@link #failure()}).
     */
    @Override
    public void run() {
        try {
            relay();
            flush();
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            release();
            src.readerEnded();
            dst.writerEnded();
        }
    }

    /**
     * Why the source ended, if it failed (reset, closed locally, dead), else {@code null}.
     */
    Throwable failure() {
        return failure;
    }

    /**
     * Relay until the source ends the stream, its close handshake is complete, or it fails. Each turn is one frame.
     */
    private void relay() {
        // start each frame in a chunk that has bytes, so that a frame read whole is written whole
        while (ensureChunk()) {
            int frameStart = pos;
            long frameChunk = chunkSeq;
            if (!readInto(header, 0, 2)) {
                return;
            }
            int headerLength = FrameHeader.length(header[1]);
            boolean more;
            try {
                more = frame(frameStart, frameChunk, headerLength);
            } catch (RuntimeException e) {
                // the source or the destination failed inside the frame
                cut();
                throw e;
            }
            if (!more) {
                return;
            }
        }
    }

    /**
     * One frame whose first two bytes were read.
     *
     * @return whether to read the next frame
     */
    private boolean frame(int frameStart, long frameChunk, int headerLength) {
        if (!readInto(header, 2, headerLength - 2)) {
            return cut();
        }
        // whether the whole header is in the chunk the frame started in (then it is written from there)
        boolean contiguous = chunkSeq == frameChunk;
        FrameHeader frame = FrameHeader.parse(header);
        int opcode = frame.opcode();
        long payloadLength = frame.payloadLength();
        boolean data = !WsFrames.isControl(opcode);

        if (state == State.DISCARDING) {
            if (opcode == WsFrames.OP_CLOSE && payloadLength <= WsFrames.MAX_CONTROL_PAYLOAD) {
                src.markCloseReceived();
                return false;
            }
            return payload(payloadLength, false);
        }
        String violation = frame.violation(fromClient, state == State.IN_MESSAGE, reservedBits);
        if (violation != null) {
            return corrupt(WsCloseCodes.PROTOCOL_ERROR, violation);
        }
        if (payloadLength > maxFrame) {
            return discard(payloadLength, () -> events.tooBig(src, maxFrame));
        }
        if (data && (opcode == WsFrames.OP_CONTINUATION ? messageBytes : 0) + payloadLength > maxMessage) {
            return discard(payloadLength, () -> events.tooBig(src, maxMessage));
        }
        if (data && (opcode == WsFrames.OP_CONTINUATION ? fragments : 0) >= maxFragments) {
            return discard(payloadLength, () -> events.tooManyFragments(src, maxFragments));
        }

        if (opcode == WsFrames.OP_CLOSE
                || (opcode == WsFrames.OP_PONG && payloadLength == 10 && src.pingToken() != 0)) {
            if (!readInto(control, 0, (int) payloadLength)) {
                return cut();
            }
            byte[] payload = WsFrames.unmask(control, (int) payloadLength, header, headerLength - 4, frame.masked());
            if (opcode == WsFrames.OP_CLOSE) {
                return onClose(payload, frameStart, contiguous, headerLength, (int) payloadLength);
            }
            if (src.isOwnPong(payload)) {
                src.clearPing();
                skipRange();
            } else {
                forwardControl(frameStart, contiguous, headerLength, (int) payloadLength);
            }
            return true;
        }

        // data frames, pings and unsolicited pongs pass straight through
        if (data) {
            boolean fin = frame.fin();
            fragments = opcode == WsFrames.OP_CONTINUATION ? fragments + 1 : 1;
            messageBytes = fin ? 0 : (opcode == WsFrames.OP_CONTINUATION ? messageBytes : 0) + payloadLength;
            state = fin ? State.BETWEEN_MESSAGES : State.IN_MESSAGE;
            if (fin) {
                MESSAGES.setOpaque(this, messages + 1);
                src.countMessage();
            }
            events.dataRelayed(src.lastReadNanos());
        }
        if (contiguous) {
            approve(frameStart, pos, true);
        } else {
            writeHeader(header, headerLength, payloadLength);
        }
        BYTES.setOpaque(this, bytes + payloadLength);
        return payload(payloadLength, true);
    }

    /**
     * Pass over a payload, forwarding it or not.
     *
     * @return whether to read the next frame ({@code false}: the stream ended inside it)
     */
    private boolean payload(long length, boolean forward) {
        return skip(length, forward) || cut();
    }

    /**
     * The only exit for a protocol violation: what was approved is written, the offender is closed with
     * {@code code}, nothing more is read.
     *
     * @return {@code false}: stop reading
     */
    private boolean corrupt(int code, String what) {
        flush();
        state = State.CORRUPT;
        events.protocolError(src, code, what);
        return false;
    }

    /**
     * The exit for a broken limit: the offender is told (by the session), its frames are dropped until its close.
     *
     * @return whether to read the next frame
     */
    private boolean discard(long payloadLength, Runnable tell) {
        flush();
        state = State.DISCARDING;
        tell.run();
        return payload(payloadLength, false);
    }

    /**
     * The stream ended (or failed) inside a frame; a source already discarding, corrupt or going away stays so.
     *
     * @return {@code false}: stop reading
     */
    private boolean cut() {
        if (state == State.BETWEEN_MESSAGES || state == State.IN_MESSAGE) {
            state = State.CUT;
        }
        return false;
    }

    /**
     * A close frame from the source: forward it (unless the destination is already closing), follow the handshake.
     *
     * @return whether to keep reading the source
     */
    private boolean onClose(byte[] payload, int frameStart, boolean contiguous, int headerLength, int payloadLength) {
        CloseReason.Decoded decoded = CloseReason.decode(payload);
        if (decoded.violation() != null) {
            return corrupt(decoded.errorCode(), decoded.violation());
        }
        CloseReason reason = decoded.reason();
        src.markCloseReceived();
        flush();
        if (!fromClient && state == State.BETWEEN_MESSAGES && events.failoverOnClose(reason.code())) {
            // the instance is going away: answer its close, keep the client, and let the session fail over
            state = State.GOING_AWAY;
            src.sendClose(reason.code(), "");
            return false;
        }
        events.closeReceived(src, reason);
        if (!dst.closeSent()) {
            dst.forwardClose(frameBytes(frameStart, contiguous, headerLength, payloadLength), reason.code());
        }
        skipRange();
        if (dst.closeHandshakeDone()) {
            dst.close();
        }
        return !src.closeHandshakeDone();
    }

    private void forwardControl(int frameStart, boolean contiguous, int headerLength, int payloadLength) {
        if (contiguous) {
            approve(frameStart, pos, true);
            return;
        }
        flush();
        if (!dst.closeSent()) {
            byte[] frame = frameBytes(frameStart, false, headerLength, payloadLength);
            dst.write(frame, 0, frame.length, true, true, messageOpen(), true);
        }
        skipRange();
    }

    private byte[] frameBytes(int frameStart, boolean contiguous, int headerLength, int payloadLength) {
        byte[] frame = new byte[headerLength + payloadLength];
        if (contiguous) {
            System.arraycopy(chunk, frameStart, frame, 0, frame.length);
        } else {
            System.arraycopy(header, 0, frame, 0, headerLength);
            System.arraycopy(control, 0, frame, headerLength, payloadLength);
        }
        return frame;
    }

    @Override
    public String toString() {
        return "pump " + src.name() + " -> " + dst.name();
    }
}
