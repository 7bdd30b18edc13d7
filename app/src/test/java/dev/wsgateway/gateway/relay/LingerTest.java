package dev.wsgateway.gateway.relay;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static dev.wsgateway.gateway.relay.TestFrames.text;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;

/**
 * The lingering close ({@link FrameWriter#endOutput()}, {@link Linger}) over a recording {@link Wire}: the output ends
 * only after a whole close frame, the input is drained only once its reader ended, the socket is closed last.
 */
class LingerTest {
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Wire wire = new Wire() {
        @Override
        public int fill() {
            return -1;
        }

        @Override
        public byte[] chunk() {
            return new byte[0];
        }

        @Override
        public boolean chunkStable() {
            return true;
        }

        @Override
        public int read(byte[] target) {
            return -1;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            calls.add("write " + (bytes[offset] & 0x0F));
        }

        @Override
        public void close() {
            calls.add("close");
            closed.countDown();
        }

        @Override
        public boolean shutdownOutput() {
            calls.add("shutdownOutput");
            return true;
        }

        @Override
        public void drain(long deadlineNanos) {
            calls.add("drain");
        }
    };
    private final FrameWriter writer = new FrameWriter("client", wire, () -> calls.add("failed"));

    @Test
    void theOutputEndsOnlyAfterAWholeCloseFrame() {
        assertThat("no close written yet", writer.endOutput(), is(false));
        byte[] frame = text(false, "0123456789");
        writer.relay(frame, 0, 4, false);
        byte[] close = TestFrames.close(false, 1000, "");
        writer.control(close, 0, close.length);
        assertThat("the close waits behind an open frame", writer.endOutput(), is(false));
        writer.relay(frame, 4, frame.length - 4, true);
        assertThat(writer.endOutput(), is(true));
        assertThat("nothing is written after the end of the output", writer.relay(frame, 0, frame.length, true),
                   is(false));
        assertThat("the frame, its rest, the close queued behind it, then the end", calls.size(), is(4));
        assertThat(calls.get(2), is("write 8"));
        assertThat(calls.get(3), is("shutdownOutput"));
    }

    @Test
    void aPingIsNotAClose() {
        byte[] ping = TestFrames.frame(0x89, false, new byte[] {1});
        writer.control(ping, 0, ping.length);
        assertThat(writer.endOutput(), is(false));
    }

    @Test
    void theInputIsDrainedOnceItsReaderEndedThenClosed() throws Exception {
        Linger linger = new Linger(TimeUnit.SECONDS.toNanos(5));
        linger.start("client", wire, wire::close);
        Thread.sleep(50);
        assertThat("the pump still reads: no drain, no close", calls.isEmpty(), is(true));
        linger.readerEnded();
        assertThat(closed.await(2, TimeUnit.SECONDS), is(true));
        assertThat(calls, contains("drain", "close"));
    }

    @Test
    void aReaderThatNeverEndsIsClosedAtTheDeadline() throws Exception {
        Linger linger = new Linger(TimeUnit.MILLISECONDS.toNanos(100));
        long start = System.nanoTime();
        linger.start("client", wire, wire::close);
        assertThat(closed.await(2, TimeUnit.SECONDS), is(true));
        assertThat("closed after about the linger time",
                   TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) >= 90, is(true));
        assertThat(calls, contains("close"));
    }
}
