package dev.wsgateway.gateway.relay;

/**
 * A parsed RFC 6455 frame header (5.2). The pump reads the first two bytes, asks {@link #length(byte)} how many
 * follow, then parses the whole header; payloads are never parsed here.
 *
 * @param fin           final fragment
 * @param rsv           reserved bits ({@code 0x70} of the first byte)
 * @param opcode        opcode
 * @param masked        whether a masking key follows the length
 * @param payloadLength payload length; negative when a 64-bit length has its top bit set (invalid)
 * @param length        header length in bytes (2 to 14)
 */
record FrameHeader(boolean fin, int rsv, int opcode, boolean masked, long payloadLength, int length) {
    /** Longest header: 2 bytes, a 64-bit length, a masking key. */
    static final int MAX_LENGTH = 14;

    /**
     * Header length from its second byte.
     *
     * @param second second byte of the frame
     * @return bytes of the whole header
     */
    static int length(byte second) {
        int len7 = second & 0x7F;
        return 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + ((second & 0x80) != 0 ? 4 : 0);
    }

    /**
     * Parse a complete header.
     *
     * @param header at least {@link #length(byte)} bytes
     * @return the header
     */
    static FrameHeader parse(byte[] header) {
        int b0 = header[0] & 0xFF;
        int b1 = header[1] & 0xFF;
        int len7 = b1 & 0x7F;
        long payloadLength = len7;
        if (len7 == 126) {
            payloadLength = ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
        } else if (len7 == 127) {
            payloadLength = 0;
            for (int i = 2; i < 10; i++) {
                payloadLength = (payloadLength << 8) | (header[i] & 0xFF);
            }
        }
        return new FrameHeader((b0 & 0x80) != 0, b0 & 0x70, b0 & 0x0F, (b1 & 0x80) != 0, payloadLength,
                               length(header[1]));
    }

    /**
     * Offset of the masking key in the header (when masked).
     *
     * @return offset
     */
    int maskOffset() {
        return length - 4;
    }

    boolean isControl() {
        return WsFrames.isControl(opcode);
    }

    /**
     * What is wrong with this frame for a pump, if anything (RFC 6455 5.1-5.5).
     *
     * @param fromClient   whether it came from the client (must be masked) or the service (must not be)
     * @param inMessage    whether a fragmented message is open
     * @param reservedBits what the negotiated extensions allow
     * @return the violation, {@code null} when valid
     */
    String violation(boolean fromClient, boolean inMessage, ReservedBits reservedBits) {
        if (fromClient && !masked) {
            return "client frame is not masked";
        }
        if (!fromClient && masked) {
            return "server frame is masked";
        }
        if (!WsFrames.isKnownOpcode(opcode)) {
            return "unknown opcode " + opcode;
        }
        String reserved = reservedBits.violation(rsv, opcode);
        if (reserved != null) {
            return reserved;
        }
        if (payloadLength < 0) {
            return "invalid payload length";
        }
        if (isControl()) {
            if (!fin) {
                return "fragmented control frame";
            }
            return payloadLength > WsFrames.MAX_CONTROL_PAYLOAD ? "control frame longer than 125 bytes" : null;
        }
        if (opcode == WsFrames.OP_CONTINUATION && !inMessage) {
            return "continuation frame without a message to continue";
        }
        if (opcode != WsFrames.OP_CONTINUATION && inMessage) {
            return "new message before the previous one ended";
        }
        return null;
    }
}
