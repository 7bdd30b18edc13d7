package dev.wsgateway.gateway.relay;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

class CloseReasonTest {
    @Test
    void emptyPayloadIsNoStatusCode() {
        CloseReason.Decoded decoded = CloseReason.decode(new byte[0]);
        assertThat(decoded.violation(), nullValue());
        assertThat(decoded.reason(), is(new CloseReason(1005, "")));
        assertThat(decoded.reason().toString(), is("1005"));
    }

    @Test
    void oneBytePayloadIsAProtocolError() {
        CloseReason.Decoded decoded = CloseReason.decode(new byte[] {0x03});
        assertThat(decoded.reason(), nullValue());
        assertThat(decoded.errorCode(), is(1002));
        assertThat(decoded.violation(), is("close frame with a 1-byte payload"));
    }

    @Test
    void twoBytePayloadIsACodeWithoutReason() {
        CloseReason.Decoded decoded = CloseReason.decode(new byte[] {0x03, (byte) 0xE8});
        assertThat(decoded.violation(), nullValue());
        assertThat(decoded.reason(), is(new CloseReason(1000, "")));
    }

    @Test
    void longestPayloadKeepsTheWholeReason() {
        String reason = "é".repeat(61) + "x"; // 123 bytes
        byte[] payload = WsFrames.closePayload(4000, reason);
        assertThat(payload.length, is(125));
        CloseReason.Decoded decoded = CloseReason.decode(payload);
        assertThat(decoded.violation(), nullValue());
        assertThat(decoded.reason(), is(new CloseReason(4000, reason)));
        assertThat(decoded.reason().toString(), is("4000 " + reason));
    }

    @ParameterizedTest
    @ValueSource(ints = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4999})
    void validWireCodes(int code) {
        CloseReason.Decoded decoded = CloseReason.decode(WsFrames.closePayload(code, "bye"));
        assertThat(decoded.violation(), nullValue());
        assertThat(decoded.reason(), is(new CloseReason(code, "bye")));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535})
    void invalidCodesAreAProtocolError(int code) {
        CloseReason.Decoded decoded = CloseReason.decode(WsFrames.closePayload(code, ""));
        assertThat(decoded.reason(), nullValue());
        assertThat(decoded.errorCode(), is(1002));
        assertThat(decoded.violation(), is("invalid close code " + code));
    }

    @Test
    void invalidUtf8ReasonIsNotConsistent() {
        byte[][] reasons = {
                {(byte) 0xFF},
                {(byte) 0xC3}, // truncated two-byte sequence
                {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, // a UTF-16 surrogate
                {(byte) 0xC0, (byte) 0xAF}, // overlong '/'
        };
        for (byte[] reason : reasons) {
            byte[] payload = new byte[2 + reason.length];
            payload[0] = 0x03;
            payload[1] = (byte) 0xE8;
            System.arraycopy(reason, 0, payload, 2, reason.length);
            CloseReason.Decoded decoded = CloseReason.decode(payload);
            assertThat(decoded.reason(), nullValue());
            assertThat(decoded.errorCode(), is(1007));
            assertThat(decoded.violation(), is("close reason is not valid UTF-8"));
        }
    }

    @Test
    void closePayloadCutsOnACharacterBoundary() {
        byte[] payload = WsFrames.closePayload(1000, "é".repeat(100));
        assertThat(payload.length, is(124));
        assertThat(CloseReason.decode(payload).reason().reason(),
                   is(new String(payload, 2, 122, StandardCharsets.UTF_8)));
    }
}
