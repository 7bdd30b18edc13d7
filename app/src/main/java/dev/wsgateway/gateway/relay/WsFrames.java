package dev.wsgateway.gateway.relay;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

import io.helidon.websocket.WsOpCode;

/**
 * RFC 6455 opcodes (Helidon's {@link WsOpCode} values as ints, for the pumps' hot path) and the few frames the gateway writes itself (close, ping). Forwarded frames are never
 * re-encoded.
 */
final class WsFrames {
    static final int OP_CONTINUATION = WsOpCode.CONTINUATION.code();
    static final int OP_TEXT = WsOpCode.TEXT.code();
    static final int OP_BINARY = WsOpCode.BINARY.code();
    static final int OP_CLOSE = WsOpCode.CLOSE.code();
    static final int OP_PING = WsOpCode.PING.code();
    static final int OP_PONG = WsOpCode.PONG.code();

    static final int MAX_CONTROL_PAYLOAD = 125;

    private static final SecureRandom MASKS = new SecureRandom();

    private WsFrames() {
    }

    static boolean isControl(int opcode) {
        return (opcode & 0x8) != 0;
    }

    static boolean isKnownOpcode(int opcode) {
        return opcode == OP_CONTINUATION || opcode == OP_TEXT || opcode == OP_BINARY
                || opcode == OP_CLOSE || opcode == OP_PING || opcode == OP_PONG;
    }

    /**
     * Whether a close code may appear in a close frame on the wire (RFC 6455 7.4).
     */
    static boolean isWireCloseCode(int code) {
        return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
    }




    /**
     * Encode a close frame payload: code and a reason cut to fit a control frame (on a UTF-8 character boundary).
     */
    static byte[] closePayload(int code, String reason) {
        byte[] text = reason == null ? new byte[0] : reason.getBytes(StandardCharsets.UTF_8);
        int len = Math.min(text.length, MAX_CONTROL_PAYLOAD - 2);
        while (len > 0 && len < text.length && (text[len] & 0xC0) == 0x80) {
            len--;
        }
        byte[] payload = new byte[2 + len];
        payload[0] = (byte) (code >> 8);
        payload[1] = (byte) code;
        System.arraycopy(text, 0, payload, 2, len);
        return payload;
    }

    /**
     * A complete single-frame control message, masked when the gateway writes as a client (toward upstream).
     */
    static byte[] controlFrame(int opcode, byte[] payload, boolean mask) {
        int len = payload.length;
        byte[] frame = new byte[2 + (mask ? 4 : 0) + len];
        frame[0] = (byte) (0x80 | opcode);
        frame[1] = (byte) ((mask ? 0x80 : 0) | len);
        if (mask) {
            byte[] key = new byte[4];
            MASKS.nextBytes(key);
            System.arraycopy(key, 0, frame, 2, 4);
            for (int i = 0; i < len; i++) {
                frame[6 + i] = (byte) (payload[i] ^ key[i & 3]);
            }
        } else {
            System.arraycopy(payload, 0, frame, 2, len);
        }
        return frame;
    }

    /**
     * Unmask a copy of a (control frame) payload.
     */
    static byte[] unmask(byte[] payload, int len, byte[] header, int maskOffset, boolean masked) {
        byte[] out = new byte[len];
        for (int i = 0; i < len; i++) {
            out[i] = masked ? (byte) (payload[i] ^ header[maskOffset + (i & 3)]) : payload[i];
        }
        return out;
    }
}
