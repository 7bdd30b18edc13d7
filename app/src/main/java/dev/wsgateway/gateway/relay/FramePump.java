package dev.wsgateway.gateway.relay;

import io.helidon.websocket.WsCloseCodes;

/**
 * Moves frames from one leg to the other on one thread, with blocking I/O. Frame headers are parsed (opcode, FIN,
 * length, mask) to enforce limits, count messages and follow the close handshake; payload bytes are forwarded as
 * they were received, still masked when they come from the client, in the chunks the socket delivered them.
 * Several small frames read together are written together. Only close frames and the gateway's own pongs are
 * copied and inspected.
 */
final class FramePump implements Runnable {
    /**
     * Most frames one data message may have (its first and its continuations). More closes the sender with 1008: the
     * message is not too big (1009 would say so), it breaks the gateway's policy on its shape (300,000 empty
     * continuation frames cost the relay a header parse and a write each, for nothing).
     */
    static final int MAX_FRAGMENTS = 4096;

    private final PumpEvents events;
    private final Leg src;
    private final FrameSink dst;
    private final boolean fromClient;
    private final long maxFrame;
    private final long maxMessage;
    private final int maxFragments;
    private final ReservedBits reservedBits;
    private final byte[] header = new byte[FrameHeader.MAX_LENGTH];
    private final byte[] control = new byte[WsFrames.MAX_CONTROL_PAYLOAD];

    private static final byte[] EMPTY = new byte[0];
    private static final int BULK_THRESHOLD = 16 * 1024;

    private byte[] chunk = EMPTY;
    private int limit;
    private long payloadLeft;
    private boolean pooled;
    private boolean stable;
    private long chunkSeq;
    private int pos;
    private int outStart;
    private int outEnd;
    private boolean inMessage;
    private long messageBytes;
    private int fragments;
    private boolean discarding;
    private boolean outStartsFrame = true;
    private boolean inPayload;
    private boolean frameStarted;
    private boolean failoverRequested;
    private boolean dstFrameOpen;
    private int rangeFrameEnd = -1;
    private Throwable failure;

    private volatile long messages;
    private volatile long bytes;

    FramePump(PumpEvents events, Leg src, FrameSink dst, boolean fromClient, long maxFrame, long maxMessage,
              ReservedBits reservedBits) {
        this(events, src, dst, fromClient, maxFrame, maxMessage, MAX_FRAGMENTS, reservedBits);
    }

    FramePump(PumpEvents events, Leg src, FrameSink dst, boolean fromClient, long maxFrame, long maxMessage,
              int maxFragments, ReservedBits reservedBits) {
        this.events = events;
        this.maxFragments = maxFragments;
        this.reservedBits = reservedBits;
        this.src = src;
        this.dst = dst;
        this.fromClient = fromClient;
        this.maxFrame = maxFrame;
        this.maxMessage = maxMessage;
    }

    long messages() {
        return messages;
    }

    long bytes() {
        return bytes;
    }

    Leg source() {
        return src;
    }

    /**
     * Whether the source stopped in the middle of a message or frame it had begun to send (the part already
     * forwarded cannot be completed by another instance).
     */
    boolean cutMidMessage() {
        return inMessage || frameStarted;
    }

    /**
     * Whether the upstream asked to be replaced (close 1001 going away or 1012 service restart) and the session
     * should fail over instead of passing the close on.
     */
    boolean failoverRequested() {
        return failoverRequested;
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
     * Relay until the source ends the stream, its close handshake is complete, or it fails.
     */
    private void relay() {
        while (true) {
            // start each frame in a chunk that has bytes, so that a frame read whole is written whole
            if (pos == limit && !nextChunk()) {
                return;
            }
            int frameStart = pos;
            long frameChunk = chunkSeq;
            frameStarted = false;
            if (!readInto(header, 0, 2)) {
                return;
            }
            frameStarted = true;
            int headerLength = FrameHeader.length(header[1]);
            if (!readInto(header, 2, headerLength - 2)) {
                return;
            }
            FrameHeader frame = FrameHeader.parse(header);
            boolean fin = frame.fin();
            int opcode = frame.opcode();
            boolean masked = frame.masked();
            long payloadLength = frame.payloadLength();
            boolean contiguous = chunkSeq == frameChunk;

            if (discarding) {
                if (opcode == WsFrames.OP_CLOSE && payloadLength <= WsFrames.MAX_CONTROL_PAYLOAD) {
                    src.markCloseReceived();
                    return;
                }
                if (!skip(payloadLength, false)) {
                    return;
                }
                continue;
            }

            String violation = frame.violation(fromClient, inMessage, reservedBits);
            if (violation != null) {
                flush();
                events.protocolError(src, WsCloseCodes.PROTOCOL_ERROR, violation);
                return;
            }
            if (payloadLength > maxFrame
                    || (!WsFrames.isControl(opcode) && (opcode == WsFrames.OP_CONTINUATION ? messageBytes : 0)
                    + payloadLength > maxMessage)) {
                flush();
                discarding = true;
                events.tooBig(src, payloadLength > maxFrame ? maxFrame : maxMessage);
                if (!skip(payloadLength, false)) {
                    return;
                }
                continue;
            }
            if (!WsFrames.isControl(opcode)) {
                fragments = opcode == WsFrames.OP_CONTINUATION ? fragments + 1 : 1;
                if (fragments > maxFragments) {
                    flush();
                    discarding = true;
                    events.tooManyFragments(src, maxFragments);
                    if (!skip(payloadLength, false)) {
                        return;
                    }
                    continue;
                }
            }

            if (opcode == WsFrames.OP_CLOSE
                    || (opcode == WsFrames.OP_PONG && payloadLength == 10 && src.pingToken() != 0)) {
                if (!readInto(control, 0, (int) payloadLength)) {
                    return;
                }
                byte[] payload = WsFrames.unmask(control, (int) payloadLength, header, headerLength - 4, masked);
                if (opcode == WsFrames.OP_PONG) {
                    if (src.isOwnPong(payload)) {
                        src.clearPing();
                        skipRange();
                        frameStarted = false;
                        continue;
                    }
                    forwardControl(frameStart, contiguous, headerLength, (int) payloadLength);
                    frameStarted = false;
                    continue;
                }
                boolean more = onClose(payload, frameStart, contiguous, headerLength, (int) payloadLength);
                frameStarted = false;
                if (!more) {
                    return;
                }
                continue;
            }

            // data frames, pings and unsolicited pongs pass straight through
            if (!WsFrames.isControl(opcode)) {
                inMessage = !fin;
                messageBytes = fin ? 0 : messageBytes + payloadLength;
                if (fin) {
                    messages++;
                    src.countMessage();
                }
                events.dataRelayed();
            }
            if (contiguous) {
                approve(frameStart, pos, true);
            } else {
                flush();
                if (!dst.closeSent()) {
                    dst.write(header, 0, headerLength, true, payloadLength == 0, inMessage, false);
                    dstFrameOpen = payloadLength != 0;
                }
                outStartsFrame = false;
            }
            bytes += payloadLength;
            if (!skip(payloadLength, true)) {
                return;
            }
            frameStarted = false;
        }
    }

    /**
     * A close frame from the source: forward it (unless the destination is already closing), follow the handshake.
     *
     * @return whether to keep reading the source
     */
    private boolean onClose(byte[] payload, int frameStart, boolean contiguous, int headerLength, int payloadLength) {
        CloseReason.Decoded decoded = CloseReason.decode(payload);
        if (decoded.violation() != null) {
            flush();
            events.protocolError(src, decoded.errorCode(), decoded.violation());
            return false;
        }
        CloseReason reason = decoded.reason();
        src.markCloseReceived();
        flush();
        if (!fromClient && !inMessage && events.failoverOnClose(reason.code())) {
            // the instance is going away: answer its close, keep the client, and let the session fail over
            failoverRequested = true;
            src.sendClose(reason.code(), "");
            return false;
        }
        events.closeReceived(src, reason);
        if (!dst.closeSent()) {
            byte[] frame = frameBytes(frameStart, contiguous, headerLength, payloadLength);
            dst.forwardClose(frame, reason.code());
        }
        outStart = pos;
        outEnd = pos;
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
            dst.write(frame, 0, frame.length, true, true, inMessage, true);
        }
        outStart = pos;
        outEnd = pos;
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

    private void skipRange() {
        flush();
        outStart = pos;
        outEnd = pos;
    }

    /**
     * Copy {@code length} bytes from the stream into {@code target}, reading more as needed.
     *
     * @return {@code false} when the stream ended first
     */
    private boolean readInto(byte[] target, int offset, int length) {
        int copied = 0;
        while (copied < length) {
            if (pos == limit && !nextChunk()) {
                return false;
            }
            int take = Math.min(length - copied, limit - pos);
            System.arraycopy(chunk, pos, target, offset + copied, take);
            pos += take;
            copied += take;
        }
        return true;
    }

    /**
     * Pass over {@code length} payload bytes, forwarding them when asked.
     *
     * @return {@code false} when the stream ended first
     */
    private boolean skip(long length, boolean forward) {
        long remaining = length;
        inPayload = forward && remaining > 0;
        while (remaining > 0) {
            payloadLeft = remaining - (limit - pos);
            if (pos == limit && !nextChunk()) {
                return false;
            }
            int take = (int) Math.min(remaining, limit - pos);
            if (forward) {
                approve(pos, pos + take, false);
            }
            pos += take;
            remaining -= take;
        }
        inPayload = false;
        payloadLeft = 0;
        if (forward && !outStartsFrame && rangeFrameEnd < 0) {
            rangeFrameEnd = pos;
        }
        if (!forward) {
            outStart = pos;
            outEnd = pos;
        }
        return true;
    }

    /**
     * Add bytes to the range to write; a range that does not continue the pending one starts a new one.
     */
    private void approve(int from, int to, boolean startsFrame) {
        if (outEnd != from || outEnd == outStart) {
            flush();
            outStart = from;
            outStartsFrame = startsFrame;
        }
        outEnd = to;
    }

    /**
     * Write the pending range. Once the destination's close was sent (or waits, see {@link Leg}), only the rest of a
     * frame already begun on it is written: that frame must end before the close can go out.
     */
    private void flush() {
        if (outEnd > outStart) {
            if (!dst.closeSent()) {
                dst.write(chunk, outStart, outEnd - outStart, outStartsFrame, !inPayload, inMessage, stable);
                dstFrameOpen = inPayload;
            } else if (dstFrameOpen && !outStartsFrame) {
                boolean ends = rangeFrameEnd >= 0;
                dst.write(chunk, outStart, (ends ? rangeFrameEnd : outEnd) - outStart, false, ends, inMessage, stable);
                dstFrameOpen = !ends;
            }
            outStart = outEnd;
            outStartsFrame = !inPayload;
        }
        rangeFrameEnd = -1;
    }

    /**
     * Read more from the source. Payloads larger than the socket's read buffer stream through a pooled 64 KiB
     * buffer (fewer, larger reads and writes); otherwise the leg reads the way its connection reads best (see
     * {@link Leg#fill()}).
     */
    private boolean nextChunk() {
        flush();
        // an idle session keeps no payload bytes: drop the reference (and the pooled buffer) before blocking
        release();
        pos = 0;
        outStart = 0;
        outEnd = 0;
        outStartsFrame = !inPayload;
        chunkSeq++;
        if (payloadLeft >= BULK_THRESHOLD) {
            byte[] buffer = BufferPool.take();
            int n = src.read(buffer);
            if (n < 0) {
                BufferPool.give(buffer);
                return false;
            }
            chunk = buffer;
            limit = n;
            pooled = true;
            stable = false;
            return true;
        }
        int n = src.fill();
        if (n < 0) {
            return false;
        }
        chunk = src.chunk();
        limit = n;
        stable = src.chunkStable();
        return true;
    }

    private void release() {
        if (pooled) {
            BufferPool.give(chunk);
            pooled = false;
        }
        chunk = EMPTY;
        limit = 0;
        src.dropChunk();
    }

    @Override
    public String toString() {
        return "pump " + src.name() + " -> " + dst.name();
    }
}
