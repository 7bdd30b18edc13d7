package dev.wsgateway.gateway.relay;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Builds RFC 6455 frames byte by byte for the relay's unit tests (a fixed masking key, so expected bytes are known).
 */
final class TestFrames {
    static final byte[] KEY = {0x11, 0x22, 0x33, 0x44};

    private TestFrames() {
    }

    /**
     * A frame header: first byte as given, the shortest length encoding, and the masking key when masked.
     */
    static byte[] header(int firstByte, boolean masked, long payloadLength) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(firstByte);
        int mask = masked ? 0x80 : 0;
        if (payloadLength < 126) {
            out.write(mask | (int) payloadLength);
        } else if (payloadLength <= 0xFFFF) {
            out.write(mask | 126);
            out.write((int) (payloadLength >> 8));
            out.write((int) payloadLength);
        } else {
            out.write(mask | 127);
            for (int i = 7; i >= 0; i--) {
                out.write((int) (payloadLength >>> (8 * i)));
            }
        }
        if (masked) {
            out.writeBytes(KEY);
        }
        return out.toByteArray();
    }

    /**
     * A whole frame; the payload is masked with {@link #KEY} when {@code masked}.
     */
    static byte[] frame(int firstByte, boolean masked, byte[] payload) {
        byte[] header = header(firstByte, masked, payload.length);
        byte[] frame = new byte[header.length + payload.length];
        System.arraycopy(header, 0, frame, 0, header.length);
        for (int i = 0; i < payload.length; i++) {
            frame[header.length + i] = masked ? (byte) (payload[i] ^ KEY[i & 3]) : payload[i];
        }
        return frame;
    }

    static byte[] text(boolean masked, String text) {
        return frame(0x81, masked, text.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] close(boolean masked, int code, String reason) {
        return frame(0x88, masked, WsFrames.closePayload(code, reason));
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
