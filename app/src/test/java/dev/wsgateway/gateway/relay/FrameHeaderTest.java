package dev.wsgateway.gateway.relay;

import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.wsgateway.gateway.relay.TestFrames.header;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.nullValue;

class FrameHeaderTest {
    private static final boolean CLIENT = true;
    private static final boolean SERVER = false;

    static IntStream allOpcodes() {
        return IntStream.range(0, 16);
    }

    @ParameterizedTest
    @MethodSource("allOpcodes")
    void everyOpcodeIsParsedAndOnlyTheSixOfRfc6455AreKnown(int opcode) {
        FrameHeader frame = FrameHeader.parse(header(0x80 | opcode, true, 0));
        assertThat(frame.opcode(), is(opcode));
        assertThat(frame.fin(), is(true));
        assertThat(frame.rsv(), is(0));
        assertThat(frame.isControl(), is(opcode >= 8));
        boolean known = opcode <= 2 || opcode >= 8 && opcode <= 10;
        // a continuation is only valid inside a message, every other opcode only outside one
        String violation = frame.violation(CLIENT, opcode == 0, ReservedBits.NONE);
        assertThat("opcode " + opcode, violation, is(known ? null : "unknown opcode " + opcode));
    }

    @Test
    void finClearIsParsed() {
        FrameHeader frame = FrameHeader.parse(header(0x01, false, 3));
        assertThat(frame.fin(), is(false));
        assertThat(frame.opcode(), is(1));
        assertThat(frame.violation(SERVER, false, ReservedBits.NONE), nullValue());
    }

    @ParameterizedTest
    @ValueSource(ints = {0x40, 0x20, 0x10, 0x70})
    void reservedBitsAreParsed(int rsv) {
        FrameHeader frame = FrameHeader.parse(header(0x80 | rsv | 0x2, false, 0));
        assertThat(frame.rsv(), is(rsv));
        assertThat(frame.opcode(), is(2));
        assertThat(frame.fin(), is(true));
    }

    @ParameterizedTest(name = "payload {0} bytes, masked {1}: header {2} bytes")
    @CsvSource({
            "0, false, 2",
            "0, true, 6",
            "125, false, 2",
            "125, true, 6",
            "126, false, 4",
            "126, true, 8",
            "65535, false, 4",
            "65535, true, 8",
            "65536, false, 10",
            "65536, true, 14",
            "2147483648, false, 10",
            "2147483648, true, 14",
            "9223372036854775807, true, 14"
    })
    void payloadLengthsInEveryEncoding(long payloadLength, boolean masked, int headerLength) {
        byte[] bytes = header(0x82, masked, payloadLength);
        assertThat(bytes.length, is(headerLength));
        assertThat(FrameHeader.length(bytes[1]), is(headerLength));
        FrameHeader frame = FrameHeader.parse(bytes);
        assertThat(frame.payloadLength(), is(payloadLength));
        assertThat(frame.masked(), is(masked));
        assertThat(frame.length(), is(headerLength));
        if (masked) {
            assertThat(frame.maskOffset(), is(headerLength - 4));
            assertThat(bytes[frame.maskOffset()], is(TestFrames.KEY[0]));
        }
        assertThat(frame.violation(masked, false, ReservedBits.NONE), nullValue());
    }

    @Test
    void sixteenBitLengthIsUnsigned() {
        // 0xFFFF read as a signed short would be -1
        FrameHeader frame = FrameHeader.parse(new byte[] {(byte) 0x82, 126, (byte) 0xFF, (byte) 0xFF});
        assertThat(frame.payloadLength(), is(65535L));
        frame = FrameHeader.parse(new byte[] {(byte) 0x82, 126, (byte) 0x80, 0x00});
        assertThat(frame.payloadLength(), is(32768L));
    }

    @Test
    void sixtyFourBitLengthWithTopBitSetIsInvalid() {
        byte[] bytes = {(byte) 0x82, (byte) 0xFF, (byte) 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4};
        assertThat(FrameHeader.length(bytes[1]), is(14));
        FrameHeader frame = FrameHeader.parse(bytes);
        assertThat(frame.payloadLength(), lessThan(0L));
        assertThat(frame.violation(CLIENT, false, ReservedBits.NONE), is("invalid payload length"));
    }

    @ParameterizedTest(name = "second byte {0}: header {1} bytes")
    @CsvSource({"0, 2", "125, 2", "126, 4", "127, 10", "128, 6", "253, 6", "254, 8", "255, 14"})
    void headerLengthFromTheSecondByte(int second, int length) {
        assertThat(FrameHeader.length((byte) second), is(length));
    }

    @Test
    void unmaskedClientFrameIsRefused() {
        FrameHeader frame = FrameHeader.parse(header(0x81, false, 5));
        assertThat(frame.violation(CLIENT, false, ReservedBits.NONE), is("client frame is not masked"));
        assertThat(frame.violation(SERVER, false, ReservedBits.NONE), nullValue());
    }

    @Test
    void maskedServerFrameIsRefused() {
        FrameHeader frame = FrameHeader.parse(header(0x81, true, 5));
        assertThat(frame.violation(SERVER, false, ReservedBits.NONE), is("server frame is masked"));
        assertThat(frame.violation(CLIENT, false, ReservedBits.NONE), nullValue());
    }

    @ParameterizedTest
    @ValueSource(ints = {0x1, 0x2, 0x8, 0x9, 0xA})
    void rsv1WithoutExtensionIsRefused(int opcode) {
        FrameHeader frame = FrameHeader.parse(header(0xC0 | opcode, false, 0));
        assertThat(frame.violation(SERVER, false, ReservedBits.NONE),
                   is("reserved bit RSV1 set, no extension was negotiated"));
        assertThat(frame.violation(SERVER, false, ReservedBits.UNCHECKED), nullValue());
    }

    @Test
    void rsv1WithDeflateOnlyOnTheFirstFrameOfADataMessage() {
        assertThat(FrameHeader.parse(header(0xC1, false, 4)).violation(SERVER, false, ReservedBits.DEFLATE),
                   nullValue());
        assertThat(FrameHeader.parse(header(0x42, false, 4)).violation(SERVER, false, ReservedBits.DEFLATE),
                   nullValue());
        assertThat(FrameHeader.parse(header(0xC0, false, 4)).violation(SERVER, true, ReservedBits.DEFLATE),
                   is("reserved bit RSV1 set on a continuation frame"));
        assertThat(FrameHeader.parse(header(0xC9, false, 4)).violation(SERVER, false, ReservedBits.DEFLATE),
                   is("reserved bit RSV1 set on a control frame"));
        assertThat(FrameHeader.parse(header(0xC8, false, 2)).violation(SERVER, false, ReservedBits.DEFLATE),
                   is("reserved bit RSV1 set on a control frame"));
    }

    @ParameterizedTest
    @CsvSource({"0x20, 2", "0x10, 3", "0x60, 2", "0x50, 3"})
    void rsv2AndRsv3AreRefusedWithNoneAndDeflate(String rsvHex, int bit) {
        int rsv = Integer.decode(rsvHex);
        FrameHeader frame = FrameHeader.parse(header(0x80 | rsv | 0x1, true, 1));
        String expected = "reserved bit RSV" + bit + " set, no extension defines it";
        assertThat(frame.violation(CLIENT, false, ReservedBits.NONE), is(expected));
        assertThat(frame.violation(CLIENT, false, ReservedBits.DEFLATE), is(expected));
        assertThat(frame.violation(CLIENT, false, ReservedBits.UNCHECKED), nullValue());
    }

    @Test
    void reservedBitsFromTheNegotiatedExtensions() {
        assertThat(ReservedBits.negotiated(null), is(ReservedBits.NONE));
        assertThat(ReservedBits.negotiated(" "), is(ReservedBits.NONE));
        assertThat(ReservedBits.negotiated("permessage-deflate; client_max_window_bits"), is(ReservedBits.DEFLATE));
        assertThat(ReservedBits.negotiated("Permessage-Deflate"), is(ReservedBits.DEFLATE));
        assertThat(ReservedBits.negotiated("permessage-deflate, x-webkit-foo"), is(ReservedBits.UNCHECKED));
    }

    @ParameterizedTest
    @ValueSource(ints = {0x8, 0x9, 0xA})
    void fragmentedControlFrameIsRefused(int opcode) {
        FrameHeader frame = FrameHeader.parse(header(opcode, true, 2));
        assertThat(frame.violation(CLIENT, false, ReservedBits.NONE), is("fragmented control frame"));
        // control frames may come inside a fragmented message, unfragmented
        assertThat(FrameHeader.parse(header(0x80 | opcode, true, 2)).violation(CLIENT, true, ReservedBits.NONE),
                   nullValue());
    }

    @ParameterizedTest
    @ValueSource(longs = {126, 65535, 65536})
    void controlFrameLongerThan125IsRefused(long length) {
        for (int opcode : new int[] {0x8, 0x9, 0xA}) {
            FrameHeader frame = FrameHeader.parse(header(0x80 | opcode, false, length));
            assertThat(frame.violation(SERVER, false, ReservedBits.NONE), is("control frame longer than 125 bytes"));
        }
        assertThat(FrameHeader.parse(header(0x89, false, 125)).violation(SERVER, false, ReservedBits.NONE),
                   nullValue());
    }

    @Test
    void continuationWithoutStartIsRefused() {
        FrameHeader frame = FrameHeader.parse(header(0x80, true, 1));
        assertThat(frame.violation(CLIENT, false, ReservedBits.NONE),
                   is("continuation frame without a message to continue"));
        assertThat(frame.violation(CLIENT, true, ReservedBits.NONE), nullValue());
    }

    @ParameterizedTest
    @ValueSource(ints = {0x01, 0x81, 0x02, 0x82})
    void newMessageInsideAFragmentedOneIsRefused(int firstByte) {
        FrameHeader frame = FrameHeader.parse(header(firstByte, false, 1));
        assertThat(frame.violation(SERVER, true, ReservedBits.NONE), is("new message before the previous one ended"));
        assertThat(frame.violation(SERVER, false, ReservedBits.NONE), nullValue());
    }
}
