package dev.wsgateway.gateway.relay;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static dev.wsgateway.gateway.relay.TestFrames.concat;
import static dev.wsgateway.gateway.relay.TestFrames.text;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * {@link FrameWriter} and {@link PingAccount} over an in-memory socket: a control frame never lands inside a relayed
 * frame, an abandoned frame is followed by nothing, a failed write reports once; a pong proves the writes before its
 * ping.
 */
class FrameWriterTest {
    private final MemorySocket socket = new MemorySocket();
    private final AtomicInteger failures = new AtomicInteger();
    private final FrameWriter writer = new FrameWriter("test", new Wire.HelidonWire(socket), failures::incrementAndGet);

    @Test
    void aControlFrameWaitsForTheRelayedFrameInProgress() {
        byte[] frame = text(false, "0123456789");
        byte[] ping = TestFrames.frame(0x89, false, new byte[] {1});
        assertThat(writer.relay(frame, 0, 4, false), is(true));
        writer.control(ping, 0, ping.length);
        assertThat("queued behind the open frame", socket.writes().size(), is(1));
        assertThat(writer.relay(frame, 4, frame.length - 4, true), is(true));
        assertThat(socket.written(), is(concat(frame, ping)));
        assertThat(writer.writes(), is(3L));
        assertThat(writer.lastRelayedWrite(), is(2L));
    }

    @Test
    void nothingFollowsAnAbandonedFrame() {
        byte[] frame = text(false, "0123456789");
        writer.relay(frame, 0, 4, false);
        byte[] close = TestFrames.close(false, 1001, "");
        writer.control(close, 0, close.length);
        assertThat("the relaying writer ended inside a frame", writer.abandon(), is(true));
        writer.control(close, 0, close.length);
        assertThat(socket.writes().size(), is(1));
        assertThat(writer.abandoned(), is(true));
    }

    @Test
    void aClosedFrameIsNotAbandoned() {
        byte[] frame = text(false, "ab");
        writer.relay(frame, 0, frame.length, true);
        assertThat(writer.abandon(), is(false));
    }

    @Test
    void aFailedWriteReportsOnceAndStopsWriting() {
        socket.close();
        byte[] frame = text(false, "ab");
        assertThat(writer.relay(frame, 0, frame.length, true), is(false));
        assertThat(writer.relay(frame, 0, frame.length, true), is(false));
        writer.control(frame, 0, frame.length);
        assertThat(failures.get(), is(1));
    }

    @Test
    void aPongProvesTheWritesBeforeItsPing() {
        PingAccount pings = new PingAccount();
        assertThat(pings.claim(7), is(true));
        assertThat("one ping outstanding", pings.claim(8), is(false));
        pings.sent(5);
        assertThat(pings.isOwnPong(PingAccount.payload(8)), is(false));
        assertThat(pings.isOwnPong(PingAccount.payload(7)), is(true));
        assertThat(pings.readUpTo(), is(0L));
        pings.answered();
        assertThat(pings.readUpTo(), is(5L));
        assertThat(pings.token(), is(0L));
        assertThat(pings.claim(8), is(true));
    }
}
