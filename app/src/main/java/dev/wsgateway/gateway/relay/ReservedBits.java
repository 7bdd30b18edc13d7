package dev.wsgateway.gateway.relay;

import java.util.Locale;

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

    /**
     * Check a frame's reserved bits.
     *
     * @param rsv    the bits ({@code 0x70} of the first byte)
     * @param opcode the frame's opcode
     * @return what is wrong, {@code null} when allowed
     */
    String violation(int rsv, int opcode) {
        if (rsv == 0 || this == UNCHECKED) {
            return null;
        }
        if ((rsv & 0x30) != 0) {
            return "reserved bit RSV" + ((rsv & 0x20) != 0 ? 2 : 3) + " set, no extension defines it";
        }
        if (this == NONE) {
            return "reserved bit RSV1 set, no extension was negotiated";
        }
        if (WsFrames.isControl(opcode) || opcode == WsFrames.OP_CONTINUATION) {
            return "reserved bit RSV1 set on a " + (opcode == WsFrames.OP_CONTINUATION ? "continuation" : "control")
                    + " frame";
        }
        return null;
    }
}
