package dev.wsgateway.gateway.relay;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static dev.wsgateway.gateway.relay.TestFrames.close;
import static dev.wsgateway.gateway.relay.TestFrames.concat;
import static dev.wsgateway.gateway.relay.TestFrames.frame;
import static dev.wsgateway.gateway.relay.TestFrames.text;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

/**
 * {@link FramePump} over in-memory legs ({@link MemorySocket}): the pump runs on the test thread until its source
 * ends.
 */
class FramePumpTest {
    private static final long LIMIT = 1 << 20;

    private final RecordingEvents events = new RecordingEvents();
    private final RecordingSink sink = new RecordingSink();
    private final MemorySocket clientSocket = new MemorySocket();
    private final MemorySocket upstreamSocket = new MemorySocket();
    private final Leg client = new Leg("client", clientSocket, new byte[0], false);
    private final Leg upstream = new Leg("upstream", upstreamSocket, new byte[0], true);

    private FramePump fromClient(FrameSink dst) {
        return fromClient(dst, LIMIT, LIMIT);
    }

    private FramePump fromClient(FrameSink dst, long maxFrame, long maxMessage) {
        return new FramePump(events, client, dst, true, maxFrame, maxMessage, 4096, ReservedBits.NONE);
    }

    private FramePump fromUpstream(FrameSink dst) {
        return new FramePump(events, upstream, dst, false, LIMIT, LIMIT, 4096, ReservedBits.NONE);
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void clientFramesPassUnchangedAndStayMasked() {
        byte[] hello = text(true, "hello");
        byte[] binary = frame(0x82, true, bytes(300, 1));
        byte[] ping = frame(0x89, true, "p".getBytes(StandardCharsets.US_ASCII));
        clientSocket.feed(hello, binary, ping).end();
        FramePump pump = fromClient(sink);
        pump.run();
        assertThat(pump.failure(), nullValue());
        assertThat(sink.written(), is(concat(hello, binary, ping)));
        // the payload on the way out is the masked one, not "hello"
        assertThat(Arrays.copyOfRange(sink.written(), 6, 11), not("hello".getBytes(StandardCharsets.US_ASCII)));
        assertThat(events.events, empty());
        assertThat(sink.writerEnded, is(true));
    }

    @Test
    void aMessageInMoreFragmentsThanAllowedEndsTheSenderAndIsNotRelayedFurther() {
        byte[] first = frame(0x01, true, "a".getBytes(StandardCharsets.US_ASCII));
        byte[] more = frame(0x00, true, new byte[0]);
        byte[] last = frame(0x80, true, new byte[0]);
        byte[] after = text(true, "after");
        // the first and 3 continuations: 4 frames allowed, the 5th is one too many
        clientSocket.feed(first, more, more, more, more, last, after).end();
        new FramePump(events, client, sink, true, LIMIT, LIMIT, 4, ReservedBits.NONE).run();
        assertThat(events.events, is(List.of("too many fragments from client: 4")));
        assertThat("the frames within the bound passed", sink.written(), is(concat(first, more, more, more)));
    }

    @Test
    void theFragmentCountStartsAgainWithEachMessage() {
        byte[] first = frame(0x01, true, "a".getBytes(StandardCharsets.US_ASCII));
        byte[] more = frame(0x00, true, new byte[0]);
        byte[] last = frame(0x80, true, new byte[0]);
        clientSocket.feed(first, more, last, first, more, last).end();
        new FramePump(events, client, sink, true, LIMIT, LIMIT, 3, ReservedBits.NONE).run();
        assertThat(events.events, empty());
        assertThat(sink.written(), is(concat(first, more, last, first, more, last)));
    }

    @Test
    void bytesReadPastTheHandshakeComeFirst() {
        byte[] first = text(false, "leftover");
        byte[] second = text(false, "socket");
        upstreamSocket.feed(second).end();
        Leg leg = new Leg("upstream", upstreamSocket, first, true);
        new FramePump(events, leg, sink, false, LIMIT, LIMIT, 4096, ReservedBits.NONE).run();
        assertThat(sink.written(), is(concat(first, second)));
    }

    @Test
    void severalFramesInOneChunkAreWrittenTogether() {
        byte[] chunk = concat(text(true, "a"), frame(0x82, true, bytes(50, 2)), text(true, "c"));
        clientSocket.feed(chunk).end();
        fromClient(sink).run();
        assertThat(sink.writes.size(), is(1));
        RecordingSink.Write write = sink.writes.getFirst();
        assertThat(write.bytes(), is(chunk));
        assertThat(write.startsFrame(), is(true));
        assertThat(write.endsFrame(), is(true));
    }

    @Test
    void aFrameSplitAcrossChunksIsWrittenWholeInOrder() {
        byte[] big = frame(0x82, true, bytes(200, 3)); // 8-byte header
        byte[] next = text(true, "next");
        // header cut after one byte and inside the masking key, payload cut in the middle, next frame after it
        byte[][] chunks = {
                Arrays.copyOfRange(big, 0, 1),
                Arrays.copyOfRange(big, 1, 6),
                Arrays.copyOfRange(big, 6, 100),
                concat(Arrays.copyOfRange(big, 100, big.length), next)
        };
        clientSocket.feed(chunks).end();
        FramePump pump = fromClient(sink);
        pump.run();
        assertThat(sink.written(), is(concat(big, next)));
        assertThat(sink.writes.getFirst().startsFrame(), is(true));
        assertThat(sink.writes.getLast().endsFrame(), is(true));
        for (RecordingSink.Write write : sink.writes.subList(0, sink.writes.size() - 1)) {
            assertThat("only the last write ends the frame", write.endsFrame(), is(false));
        }
        assertThat(pump.messages(), is(2L));
        assertThat(pump.cutMidMessage(), is(false));
    }

    @Test
    void aHeaderWhoseLengthBytesComeInTheNextChunkIsNotWrittenFromTheFirst() {
        byte[] big = frame(0x82, true, bytes(200, 6)); // 2 + 2 length bytes + 4 mask bytes
        byte[] next = text(true, "next");
        clientSocket.feed(concat(text(true, "a"), Arrays.copyOfRange(big, 0, 2)),
                          concat(Arrays.copyOfRange(big, 2, big.length), next)).end();
        FramePump pump = fromClient(sink);
        pump.run();
        assertThat(sink.written(), is(concat(text(true, "a"), big, next)));
        assertThat(pump.state(), is(FramePump.State.BETWEEN_MESSAGES));
    }

    @Test
    void theStateFollowsTheMessageAndTheCut() {
        byte[] first = frame(0x01, true, "a".getBytes(StandardCharsets.US_ASCII));
        clientSocket.feed(first).end();
        FramePump open = fromClient(sink);
        open.run();
        assertThat("ended between frames, inside a message", open.state(), is(FramePump.State.IN_MESSAGE));
        assertThat(open.cutMidMessage(), is(true));

        MemorySocket socket = new MemorySocket();
        byte[] big = frame(0x82, true, bytes(100, 7));
        socket.feed(Arrays.copyOfRange(big, 0, 3)).end();
        FramePump cut = new FramePump(events, new Leg("client", socket, new byte[0], false), new RecordingSink(), true,
                LIMIT, LIMIT, 4096, ReservedBits.NONE);
        cut.run();
        assertThat("ended inside the length bytes", cut.state(), is(FramePump.State.CUT));
    }

    @Test
    void aLargePayloadStreamsThroughThePooledBuffer() {
        byte[] big = frame(0x82, false, bytes(200_000, 4)); // 10-byte header
        byte[] after = text(false, "after");
        upstreamSocket.feed(Arrays.copyOfRange(big, 0, 1000),
                            Arrays.copyOfRange(big, 1000, 150_000),
                            concat(Arrays.copyOfRange(big, 150_000, big.length), after)).end();
        FramePump pump = fromUpstream(sink);
        pump.run();
        assertThat(pump.failure(), nullValue());
        assertThat(sink.written(), is(concat(big, after)));
        assertThat(pump.bytes(), is(200_005L));
        assertThat(pump.messages(), is(2L));
    }

    @Test
    void aSourceEndingInsideAFrameIsCut() {
        byte[] big = frame(0x82, true, bytes(100, 5));
        clientSocket.feed(Arrays.copyOfRange(big, 0, 40)).end();
        FramePump pump = fromClient(sink);
        pump.run();
        assertThat(pump.cutMidMessage(), is(true));
        assertThat(sink.writerEnded, is(true));
    }

    @Test
    void messagesAndBytesAreCounted() {
        clientSocket.feed(frame(0x01, true, "ab".getBytes(StandardCharsets.US_ASCII)),
                          frame(0x89, true, new byte[0]), // a ping between fragments: no message, no data
                          frame(0x00, true, "cd".getBytes(StandardCharsets.US_ASCII)),
                          frame(0x80, true, "e".getBytes(StandardCharsets.US_ASCII)),
                          text(true, "hello"),
                          frame(0x82, true, new byte[0])).end();
        FramePump pump = fromClient(sink);
        pump.run();
        assertThat(pump.messages(), is(3L));
        assertThat(pump.bytes(), is(10L));
        assertThat(events.dataRelayed, is(5));
        assertThat(pump.cutMidMessage(), is(false));
    }

    @Test
    void aCloseIsForwardedRawAndTheSourceKeepsBeingReadUntilItsHandshakeEnds() {
        byte[] hello = text(true, "hello");
        byte[] close = close(true, 1000, "bye");
        clientSocket.feed(hello, close).end();
        FramePump pump = fromClient(upstream);
        pump.run();
        assertThat(events.events, contains("close from client: 1000 bye"));
        assertThat(upstreamSocket.written(), is(concat(hello, close)));
        assertThat(client.closeReceived(), is(true));
        assertThat(upstream.closeSent(), is(true));
        assertThat(upstream.closeCodeSent(), is(1000));
        assertThat(pump.failure(), nullValue());
    }

    @Test
    void aCloseAnsweringTheGatewaysCloseEndsThePump() {
        client.sendClose(1001, "shutting down");
        byte[] hello = text(true, "before");
        clientSocket.feed(concat(hello, close(true, 1001, ""))).feed(text(true, "never read"));
        FramePump pump = fromClient(sink);
        pump.run();
        assertThat(pump.failure(), nullValue());
        assertThat(client.closeHandshakeDone(), is(true));
        assertThat(sink.written(), is(hello));
        assertThat(sink.closes.size(), is(1));
        // the gateway's close to the client: unmasked, code 1001 and its reason
        assertThat(clientSocket.written(), is(frame(0x88, false, WsFrames.closePayload(1001, "shutting down"))));
    }

    @Test
    void aCloseIsNotForwardedWhenTheDestinationAlreadyGotOne() {
        upstream.sendClose(1001, "going away");
        clientSocket.feed(close(true, 1000, "")).end();
        fromClient(upstream).run();
        assertThat(events.events, contains("close from client: 1000"));
        assertThat(upstreamSocket.writes().size(), is(1));
        assertThat(upstream.closeCodeSent(), is(1001));
    }

    @Test
    void anUpstreamGoingAwayIsAnsweredAndNotForwardedWhenTheSessionFailsOver() {
        events.failover = true;
        upstreamSocket.feed(close(false, 1012, "restart")).end();
        FramePump pump = fromUpstream(client);
        pump.run();
        assertThat(pump.failoverRequested(), is(true));
        assertThat(events.events, empty());
        assertThat(clientSocket.writes(), empty());
        assertThat(upstream.closeCodeSent(), is(1012));
    }

    @Test
    void protocolErrorsAreReportedWithTheirCode() {
        record Case(boolean fromClient, byte[] frame, String event) {
        }
        List<Case> cases = List.of(
                new Case(true, text(false, "x"), "protocol error from client: 1002 client frame is not masked"),
                new Case(false, text(true, "x"), "protocol error from upstream: 1002 server frame is masked"),
                new Case(true, frame(0x83, true, new byte[0]), "protocol error from client: 1002 unknown opcode 3"),
                new Case(true, frame(0xC1, true, new byte[1]),
                         "protocol error from client: 1002 reserved bit RSV1 set, no extension was negotiated"),
                new Case(false, frame(0x80, false, new byte[1]),
                         "protocol error from upstream: 1002 continuation frame without a message to continue"),
                new Case(false, frame(0x09, false, new byte[1]),
                         "protocol error from upstream: 1002 fragmented control frame"),
                new Case(false, frame(0x89, false, new byte[126]),
                         "protocol error from upstream: 1002 control frame longer than 125 bytes"),
                new Case(true, frame(0x88, true, new byte[] {3}),
                         "protocol error from client: 1002 close frame with a 1-byte payload"),
                new Case(false, close(false, 1006, ""), "protocol error from upstream: 1002 invalid close code 1006"),
                new Case(true, frame(0x88, true, new byte[] {3, (byte) 0xE8, (byte) 0xFF}),
                         "protocol error from client: 1007 close reason is not valid UTF-8"));
        for (Case c : cases) {
            RecordingEvents events = new RecordingEvents();
            RecordingSink sink = new RecordingSink();
            MemorySocket socket = new MemorySocket();
            Leg src = new Leg(c.fromClient() ? "client" : "upstream", socket, new byte[0], !c.fromClient());
            byte[] good = text(c.fromClient(), "good");
            // the bad frame comes in the same chunk as a good one, and more follows that must not be read
            socket.feed(concat(good, c.frame())).feed(text(c.fromClient(), "after"));
            FramePump pump = new FramePump(events, src, sink, c.fromClient(), LIMIT, LIMIT, 4096, ReservedBits.NONE);
            pump.run();
            assertThat(c.event(), events.events, contains(c.event()));
            assertThat(c.event(), sink.written(), is(good));
            assertThat(c.event(), pump.failure(), nullValue());
        }
    }

    @Test
    void aFrameOverTheLimitIsReportedDroppedAndTheRestDiscardedUntilTheClose() {
        clientSocket.feed(text(true, "ok"), frame(0x82, true, new byte[11]), text(true, "dropped too"),
                          close(true, 1000, "")).feed(text(true, "never read"));
        FramePump pump = fromClient(sink, 10, 16);
        pump.run();
        assertThat(events.events, contains("too big from client: 10"));
        assertThat(sink.written(), is(text(true, "ok")));
        assertThat(client.closeReceived(), is(true));
        assertThat(pump.failure(), nullValue());
    }

    @Test
    void aMessageOverTheLimitIsReported() {
        byte[] first = frame(0x02, true, new byte[10]);
        clientSocket.feed(first, frame(0x80, true, new byte[10])).end();
        fromClient(sink, 10, 16).run();
        assertThat(events.events, contains("too big from client: 16"));
        assertThat(sink.written(), is(first));
    }

    @Test
    void theGatewaysOwnPongIsSwallowedAndOtherPongsPass() {
        upstream.claimPing(0x0102030405060708L);
        upstream.sendPing(0x0102030405060708L);
        byte[] ping = upstreamSocket.writes().getFirst();
        assertThat(ping[0], is((byte) 0x89));
        assertThat(ping[1], is((byte) (0x80 | 10))); // masked: the gateway is the client on this leg
        byte[] payload = WsFrames.unmask(Arrays.copyOfRange(ping, 6, 16), 10, ping, 2, true);
        assertThat(payload, is(new byte[] {'g', 'w', 1, 2, 3, 4, 5, 6, 7, 8}));

        byte[] otherPong = frame(0x8A, false, "gw-other!!".getBytes(StandardCharsets.US_ASCII));
        byte[] data = text(false, "data");
        upstreamSocket.feed(concat(frame(0x8A, false, payload), data), otherPong).end();
        FramePump pump = fromUpstream(sink);
        pump.run();
        assertThat(sink.written(), is(concat(data, otherPong)));
        assertThat(upstream.pingToken(), is(0L));
    }

    @Test
    void theGatewaysOwnPongFromTheClientIsUnmaskedAndSwallowed() {
        client.claimPing(77);
        client.sendPing(77);
        byte[] ping = clientSocket.writes().getFirst();
        assertThat(ping[1], is((byte) 10)); // unmasked toward the client
        byte[] pong = frame(0x8A, true, Arrays.copyOfRange(ping, 2, 12));
        clientSocket.feed(pong, text(true, "x")).end();
        fromClient(sink).run();
        assertThat(sink.written(), is(text(true, "x")));
        assertThat(client.pingToken(), is(0L));
    }

    @Test
    void onlyOnePingIsOutstandingPerLeg() {
        // two watchdog ticks before the first ping went out: the second may not send (its pong would make the
        // first one's look unsolicited)
        assertThat(upstream.claimPing(1), is(true));
        assertThat(upstream.claimPing(2), is(false));
        assertThat(upstream.pingToken(), is(1L));
        upstream.clearPing();
        assertThat(upstream.claimPing(3), is(true));
    }

    @Test
    void thePongToTheGatewaysPingProvesWhatWasWrittenBeforeItWasRead() {
        byte[] one = text(true, "one");
        upstream.write(one, 0, one.length, true, true, false, true);
        upstream.write(one, 0, one.length, true, true, false, true);
        assertThat(upstream.writes(), is(2L));
        upstream.claimPing(9);
        upstream.sendPing(9);
        byte[] ping = upstreamSocket.writes().getLast();
        byte[] payload = WsFrames.unmask(Arrays.copyOfRange(ping, 6, 16), 10, ping, 2, true);
        assertThat(upstream.readUpTo(), is(0L));
        upstreamSocket.feed(frame(0x8A, false, payload)).end();
        fromUpstream(sink).run();
        assertThat(upstream.readUpTo(), is(2L));
    }
}
