package dev.wsgateway.gateway.relay;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static dev.wsgateway.gateway.relay.TestFrames.concat;
import static dev.wsgateway.gateway.relay.TestFrames.text;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * {@link FrameWriter} and {@link PingAccount} over an in-memory socket: a control frame never lands inside a relayed
 * frame, an abandoned frame is followed by nothing, a failed write reports once; a pong proves the writes before its
 * ping. No writer waits for another's write: a control frame is left to the writer holding the turn, the relaying
 * pump's bytes are handed to it.
 */
class FrameWriterTest {
    private static final java.util.concurrent.Executor VIRTUAL = task -> Thread.ofVirtual().start(task);
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

    @Test
    void aControlFrameNeverWaitsForAWriteBlockedOnThePeer() throws Exception {
        byte[] frame = text(false, "0123456789");
        byte[] ping = TestFrames.frame(0x89, false, new byte[] {1});
        socket.blockWrites();
        CompletableFuture<Boolean> relayed = CompletableFuture.supplyAsync(
                () -> writer.relay(frame, 0, frame.length, true), VIRTUAL);
        await(socket::writeBlocked);
        // with a lock held across the write, this call would wait until the peer reads
        CompletableFuture.runAsync(() -> writer.control(ping, 0, ping.length), VIRTUAL)
                .get(5, TimeUnit.SECONDS);
        assertThat("the relayed write is still blocked", relayed.isDone(), is(false));
        socket.releaseWrites();
        assertThat(relayed.get(5, TimeUnit.SECONDS), is(true));
        assertThat("the holder wrote the queued ping after the frame", socket.written(), is(concat(frame, ping)));
        assertThat(writer.writes(), is(2L));
    }

    @Test
    void theRelayedBytesAreHandedToTheWriterHoldingTheTurn() throws Exception {
        byte[] close = TestFrames.close(false, 1001, "");
        byte[] frame = text(false, "0123456789");
        socket.blockWrites();
        CompletableFuture<Void> control = CompletableFuture.runAsync(
                () -> writer.control(close, 0, close.length), VIRTUAL);
        await(socket::writeBlocked);
        CompletableFuture<Boolean> relayed = CompletableFuture.supplyAsync(
                () -> writer.relay(frame, 0, 4, false), VIRTUAL);
        Thread.sleep(50);
        assertThat("the pump waits for its own bytes", relayed.isDone(), is(false));
        socket.releaseWrites();
        control.get(5, TimeUnit.SECONDS);
        assertThat(relayed.get(5, TimeUnit.SECONDS), is(true));
        assertThat(writer.lastRelayedWrite(), is(2L));
        assertThat(writer.relay(frame, 4, frame.length - 4, true), is(true));
        assertThat(socket.written(), is(concat(close, frame)));
        assertThat("the relaying writer left no frame open", writer.abandon(), is(false));
    }

    @Test
    void concurrentWritersNeverSplitAFrame() throws Exception {
        int frames = 2000;
        byte[] frame = text(false, "0123456789abcdef");
        byte[] ping = TestFrames.frame(0x89, false, new byte[] {1});
        Thread pump = Thread.ofVirtual().start(() -> {
            for (int i = 0; i < frames; i++) {
                writer.relay(frame, 0, 5, false);
                writer.relay(frame, 5, frame.length - 5, true);
            }
        });
        Thread pinger = Thread.ofVirtual().start(() -> {
            for (int i = 0; i < frames; i++) {
                writer.control(ping, 0, ping.length);
            }
        });
        pump.join(10_000);
        pinger.join(10_000);
        byte[] out = socket.written();
        int relayedFrames = 0;
        int pings = 0;
        int at = 0;
        while (at < out.length) {
            if (out[at] == frame[0]) {
                assertThat(java.util.Arrays.equals(out, at, at + frame.length, frame, 0, frame.length), is(true));
                at += frame.length;
                relayedFrames++;
            } else {
                assertThat(java.util.Arrays.equals(out, at, at + ping.length, ping, 0, ping.length), is(true));
                at += ping.length;
                pings++;
            }
        }
        assertThat(relayedFrames, is(frames));
        assertThat("every ping written, none inside a frame", pings, is(frames));
    }

    @Test
    void aCloseLeftToTheHolderFollowsTheQueuedCloseFrame() throws Exception {
        byte[] frame = text(false, "0123456789");
        byte[] close = TestFrames.close(false, 1002, "");
        socket.blockWrites();
        CompletableFuture<Boolean> relayed = CompletableFuture.supplyAsync(
                () -> writer.relay(frame, 0, frame.length, true), VIRTUAL);
        await(socket::writeBlocked);
        writer.control(close, 0, close.length);
        java.util.concurrent.atomic.AtomicReference<byte[]> atClose = new java.util.concurrent.atomic.AtomicReference<>();
        writer.close(false, ended -> atClose.set(socket.written()));
        assertThat("the close waits for the queued close frame, the caller does not", atClose.get() == null, is(true));
        socket.releaseWrites();
        assertThat(relayed.get(5, TimeUnit.SECONDS), is(true));
        await(() -> atClose.get() != null);
        assertThat("closed after the close frame went out", atClose.get(), is(concat(frame, close)));
    }

    @Test
    void aCloseWithNothingQueuedFailsABlockedWriteAtOnce() throws Exception {
        byte[] frame = text(false, "0123456789");
        socket.blockWrites();
        CompletableFuture<Boolean> relayed = CompletableFuture.supplyAsync(
                () -> writer.relay(frame, 0, frame.length, true), VIRTUAL);
        await(socket::writeBlocked);
        AtomicInteger closes = new AtomicInteger();
        writer.close(true, ended -> {
            assertThat("no close frame was written: the output is not ended", ended, is(false));
            closes.incrementAndGet();
            socket.close();
        });
        assertThat(closes.get(), is(1));
        assertThat("the blocked write failed", relayed.get(5, TimeUnit.SECONDS), is(false));
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("condition not met in 5 s");
            }
            Thread.sleep(5);
        }
    }
}
