package dev.wsgateway.gateway.relay;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Moves frames from one leg to the other on one thread, with blocking I/O. Frame headers are parsed (opcode, FIN,
 * length, mask) to enforce limits, count messages and follow the close handshake; payload bytes are forwarded as
 * they were received, still masked when they come from the client, in the chunks the socket delivered them.
 * Several small frames read together are written together. Only close frames and the gateway's own pongs are
 * copied and inspected.
 */
final class FramePump implements Runnable {
    private final RelaySession session;
    private final Leg src;
    private final FrameSink dst;
    private final boolean fromClient;
    private final long maxFrame;
    private final long maxMessage;
    private final ReservedBits reservedBits;
    private final byte[] header = new byte[14];
    private final byte[] control = new byte[WsFrames.MAX_CONTROL_PAYLOAD];

    private static final byte[] EMPTY = new byte[0];
    private static final int BULK_THRESHOLD = 16 * 1024;

    private byte[] chunk = EMPTY;
    private int limit;
    private long payloadLeft;
    private boolean pooled;
    private long chunkSeq;
    private int pos;
    private int outStart;
    private int outEnd;
    private boolean inMessage;
    private long messageBytes;
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

    /**
     * What the negotiated extensions allow in a frame's RSV1-3 bits (RFC 6455 5.2).
     */
    enum ReservedBits {
        /** No extension: every reserved bit must be clear. */
        NONE,
        /** permessage-deflate (RFC 7692): RSV1 may be set on the first frame of a data message, nothing else. */
        DEFLATE,
        /** An extension the gateway does not know: it cannot tell which bits it defines, so it checks none. */
        UNCHECKED;

        /**
         * From the {@code Sec-WebSocket-Extensions} the service answered in its 101.
         *
         * @param extensions header value, empty when none was negotiated
         * @return what frames may carry
         */
        static ReservedBits negotiated(String extensions) {
            if (extensions == null || extensions.isBlank()) {
                return NONE;
            }
            for (String extension : extensions.split(",")) {
                String name = extension.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
                if (!name.equals("permessage-deflate")) {
                    return UNCHECKED;
                }
            }
            return DEFLATE;
        }
    }

    FramePump(RelaySession session, Leg src, FrameSink dst, boolean fromClient, long maxFrame, long maxMessage,
              ReservedBits reservedBits) {
        this.session = session;
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
            int b0 = header[0] & 0xFF;
            int b1 = header[1] & 0xFF;
            boolean fin = (b0 & 0x80) != 0;
            int opcode = b0 & 0x0F;
            boolean masked = (b1 & 0x80) != 0;
            int len7 = b1 & 0x7F;
            int headerLength = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + (masked ? 4 : 0);
            if (!readInto(header, 2, headerLength - 2)) {
                return;
            }
            long payloadLength = len7;
            if (len7 == 126) {
                payloadLength = ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
            } else if (len7 == 127) {
                payloadLength = 0;
                for (int i = 2; i < 10; i++) {
                    payloadLength = (payloadLength << 8) | (header[i] & 0xFF);
                }
            }
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

            String violation = validate(b0, fin, opcode, masked, payloadLength);
            if (violation != null) {
                flush();
                session.protocolError(src, CloseReason.PROTOCOL_ERROR, violation);
                return;
            }
            if (payloadLength > maxFrame
                    || (!WsFrames.isControl(opcode) && (opcode == WsFrames.OP_CONTINUATION ? messageBytes : 0)
                    + payloadLength > maxMessage)) {
                flush();
                discarding = true;
                session.tooBig(src, payloadLength > maxFrame ? maxFrame : maxMessage);
                if (!skip(payloadLength, false)) {
                    return;
                }
                continue;
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
                        src.markAnswered();
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
                }
                session.dataRelayed();
                src.markAnswered();
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

    private String validate(int b0, boolean fin, int opcode, boolean masked, long payloadLength) {
        if (fromClient && !masked) {
            return "client frame is not masked";
        }
        if (!fromClient && masked) {
            return "server frame is masked";
        }
        if (!WsFrames.isKnownOpcode(opcode)) {
            return "unknown opcode " + opcode;
        }
        String reserved = checkReservedBits(b0 & 0x70, opcode);
        if (reserved != null) {
            return reserved;
        }
        if (payloadLength < 0) {
            return "invalid payload length";
        }
        if (WsFrames.isControl(opcode)) {
            if (!fin) {
                return "fragmented control frame";
            }
            if (payloadLength > WsFrames.MAX_CONTROL_PAYLOAD) {
                return "control frame longer than 125 bytes";
            }
            return null;
        }
        if (opcode == WsFrames.OP_CONTINUATION && !inMessage) {
            return "continuation frame without a message to continue";
        }
        if (opcode != WsFrames.OP_CONTINUATION && inMessage) {
            return "new message before the previous one ended";
        }
        return null;
    }

    private String checkReservedBits(int rsv, int opcode) {
        if (rsv == 0 || reservedBits == ReservedBits.UNCHECKED) {
            return null;
        }
        if ((rsv & 0x30) != 0) {
            return "reserved bit RSV" + ((rsv & 0x20) != 0 ? 2 : 3) + " set, no extension defines it";
        }
        if (reservedBits == ReservedBits.NONE) {
            return "reserved bit RSV1 set, no extension was negotiated";
        }
        if (WsFrames.isControl(opcode) || opcode == WsFrames.OP_CONTINUATION) {
            return "reserved bit RSV1 set on a " + (opcode == WsFrames.OP_CONTINUATION ? "continuation" : "control")
                    + " frame";
        }
        return null;
    }

    /**
     * A close frame from the source: forward it (unless the destination is already closing), follow the handshake.
     *
     * @return whether to keep reading the source
     */
    private boolean onClose(byte[] payload, int frameStart, boolean contiguous, int headerLength, int payloadLength) {
        CloseReason reason;
        if (payload.length == 0) {
            reason = new CloseReason(CloseReason.NO_STATUS, "");
        } else if (payload.length == 1) {
            flush();
            session.protocolError(src, CloseReason.PROTOCOL_ERROR, "close frame with a 1-byte payload");
            return false;
        } else {
            int code = ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
            if (!WsFrames.isWireCloseCode(code)) {
                flush();
                session.protocolError(src, CloseReason.PROTOCOL_ERROR, "invalid close code " + code);
                return false;
            }
            String text;
            try {
                text = StandardCharsets.UTF_8.newDecoder()
                        .decode(ByteBuffer.wrap(payload, 2, payload.length - 2)).toString();
            } catch (CharacterCodingException e) {
                flush();
                session.protocolError(src, CloseReason.INVALID_DATA, "close reason is not valid UTF-8");
                return false;
            }
            reason = new CloseReason(code, text);
        }
        src.markCloseReceived();
        flush();
        if (!fromClient && !inMessage && session.failoverOnClose(reason.code())) {
            // the instance is going away: answer its close, keep the client, and let the session fail over
            failoverRequested = true;
            src.sendClose(reason.code(), "");
            return false;
        }
        session.closeReceived(src, reason);
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
                dst.write(chunk, outStart, outEnd - outStart, outStartsFrame, !inPayload, inMessage, !pooled);
                dstFrameOpen = inPayload;
            } else if (dstFrameOpen && !outStartsFrame) {
                boolean ends = rangeFrameEnd >= 0;
                dst.write(chunk, outStart, (ends ? rangeFrameEnd : outEnd) - outStart, false, ends, inMessage, !pooled);
                dstFrameOpen = !ends;
            }
            outStart = outEnd;
            outStartsFrame = !inPayload;
        }
        rangeFrameEnd = -1;
    }

    /**
     * Read more from the source. Payloads larger than the socket's read buffer stream through a pooled 64 KiB
     * buffer (fewer, larger reads and writes); otherwise the socket's own read returns a right-sized copy.
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
            return true;
        }
        byte[] next = src.read();
        if (next == null) {
            return false;
        }
        chunk = next;
        limit = next.length;
        return true;
    }

    private void release() {
        if (pooled) {
            BufferPool.give(chunk);
            pooled = false;
        }
        chunk = EMPTY;
        limit = 0;
    }

    @Override
    public String toString() {
        return "pump " + src.name() + " -> " + dst.name();
    }
}
