package dev.wsgateway.gateway.relay;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

import io.helidon.websocket.WsCloseCodes;

/**
 * A close code and reason, as received or as the gateway decided. Codes are Helidon's
 * {@link io.helidon.websocket.WsCloseCodes}.
 *
 * @param code   close code ({@code 1005} when a close frame had no code)
 * @param reason reason text, may be empty
 */
public record CloseReason(int code, String reason) {
    /**
     * A close frame's payload, decoded.
     *
     * @param reason    the code and reason, {@code null} when invalid
     * @param errorCode close code the sender gets when invalid (1002, or 1007 for a reason that is not UTF-8)
     * @param violation what is wrong, {@code null} when valid
     */
    record Decoded(CloseReason reason, int errorCode, String violation) {
    }

    /**
     * Decode an (unmasked) close payload (RFC 6455 5.5.1, 7.4): empty, or a valid wire code and a UTF-8 reason.
     *
     * @param payload the payload
     * @return the decoded close or its violation
     */
    static Decoded decode(byte[] payload) {
        if (payload.length == 0) {
            return new Decoded(new CloseReason(WsCloseCodes.NO_STATUS_CODE, ""), 0, null);
        }
        if (payload.length == 1) {
            return new Decoded(null, WsCloseCodes.PROTOCOL_ERROR, "close frame with a 1-byte payload");
        }
        int code = ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
        if (!WsFrames.isWireCloseCode(code)) {
            return new Decoded(null, WsCloseCodes.PROTOCOL_ERROR, "invalid close code " + code);
        }
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .decode(ByteBuffer.wrap(payload, 2, payload.length - 2)).toString();
            return new Decoded(new CloseReason(code, text), 0, null);
        } catch (CharacterCodingException e) {
            return new Decoded(null, WsCloseCodes.NOT_CONSISTENT, "close reason is not valid UTF-8");
        }
    }

    @Override
    public String toString() {
        return reason.isEmpty() ? String.valueOf(code) : code + " " + reason;
    }
}
