package dev.wsgateway.gateway.relay;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;

/**
 * {@link Leg} over an in-memory socket: bytes read past the handshake come first, a close is sent once with the code
 * the session machine's flags then hold, the gateway's own frames are masked only where the gateway is the client,
 * a pong proves what was written before its ping, and closing is idempotent.
 */
class LegTest {
    private final MemorySocket socket = new MemorySocket();

    @Test
    void bytesReadPastTheHandshakeComeFirst() {
        byte[] leftover = "abc".getBytes(StandardCharsets.US_ASCII);
        Leg leg = new Leg("client", socket, leftover, false);
        socket.feed("defg".getBytes(StandardCharsets.US_ASCII)).end();
        assertThat(leg.fill(), is(3));
        assertThat(new String(leg.chunk(), 0, 3, StandardCharsets.US_ASCII), is("abc"));
        assertThat("the leftover array is the leg's own", leg.chunkStable(), is(true));
        byte[] target = new byte[8];
        assertThat(leg.read(target), is(4));
        assertThat(new String(target, 0, 4, StandardCharsets.US_ASCII), is("defg"));
        assertThat(leg.read(target), is(-1));
    }

    @Test
    void aCloseIsSentOnceWithTheCodeTheFlagsKeep() {
        Leg leg = new Leg("client", socket, new byte[0], false);
        CloseFlags flags = new CloseFlags();
        leg.bind(flags);
        assertThat(leg.sendClose(1001, "going"), is(true));
        assertThat("a second close", leg.sendClose(1000, ""), is(false));
        leg.forwardClose(TestFrames.close(false, 1000, ""), 1000);
        List<byte[]> writes = socket.writes();
        assertThat(writes, hasSize(1));
        byte[] frame = writes.getFirst();
        assertThat("a close frame, unmasked from the server side", frame[0] & 0xFF, is(0x88));
        assertThat(frame[1] & 0x80, is(0));
        assertThat(((frame[2] & 0xFF) << 8) | (frame[3] & 0xFF), is(1001));
        assertThat("the machine's flags hold it", flags.codeSent(), is(1001));
        assertThat(leg.closeSent(), is(true));
        assertThat(leg.closeCodeSent(), is(1001));
        assertThat(leg.closeHandshakeDone(), is(false));
        leg.markCloseReceived();
        assertThat(leg.closeHandshakeDone(), is(true));
    }

    @Test
    void theGatewayMasksItsOwnFramesOnlyAsTheClient() {
        Leg upstream = new Leg("upstream", socket, new byte[0], true);
        upstream.sendClose(1001, "");
        byte[] frame = socket.writes().getFirst();
        assertThat("masked toward the service", frame[1] & 0x80, is(0x80));
    }

    @Test
    void aPongProvesTheWritesBeforeItsPingAndNoPingFollowsAClose() {
        Leg leg = new Leg("client", socket, new byte[0], false);
        byte[] data = TestFrames.text(false, "x");
        leg.write(data, 0, data.length, true, true, false, true);
        assertThat(leg.claimPing(7), is(true));
        leg.sendPing(7);
        assertThat(socket.writes(), hasSize(2));
        assertThat("a ping", socket.writes().get(1)[0] & 0xFF, is(0x89));
        assertThat(leg.isOwnPong(PingAccount.payload(7)), is(true));
        assertThat("not proven before the pong", leg.readUpTo(), is(0L));
        leg.clearPing();
        assertThat("the write before the ping is proven read", leg.readUpTo(), is(1L));
        leg.sendClose(1000, "");
        assertThat(leg.claimPing(8), is(true));
        leg.sendPing(8);
        assertThat("no ping after the close", socket.writes(), hasSize(3));
    }

    @Test
    void closingIsIdempotentAndAbortClosesAtOnce() {
        Leg leg = new Leg("upstream", socket, new byte[0], true);
        leg.close();
        assertThat(leg.isClosed(), is(true));
        assertThat(socket.closed(), is(true));
        leg.close();
        Leg other = new Leg("upstream", new MemorySocket(), new byte[0], true);
        other.abort();
        assertThat(other.isClosed(), is(true));
    }

    @Test
    void wholeMessagesAreCounted() {
        Leg leg = new Leg("client", socket, new byte[0], false);
        leg.countMessage();
        leg.countMessage();
        assertThat(leg.messagesRead(), is(2L));
    }
}
