package dev.wsgateway.gateway;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.wsgateway.gateway.demo.EchoService;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

/**
 * One service that stops reading must not stop the timers of the other sessions. With the default failover (replay
 * on) a client floods 64 KiB messages into a service that never reads, so the gateway's write to it blocks (and a
 * new such session is opened whenever the gateway ends the last one, for the whole test); meanwhile, on the same
 * gateway: a quiet client gets the gateway's pings, an idle session is closed after {@code idle-timeout}, a client
 * that answers no ping is dropped after {@code ping-interval + pong-timeout}, and a client that does not answer the
 * gateway's close is dropped after {@code close-timeout}. Before the fix the session's lock was held across the
 * blocked write and the single watchdog thread waited for it: none of these fired (0 pings in 12 s).
 */
class StalledServiceTimersTest {
    private static final int MESSAGE = 64 * 1024;
    private static final System.Logger LOGGER = System.getLogger(StalledServiceTimersTest.class.getName());

    @RegisterExtension
    static final Teardown TEARDOWN = new Teardown();

    private static EchoService echo;
    private static RawWsService raw;
    private static TestGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        echo = EchoService.start("127.0.0.1", 0);
        raw = TEARDOWN.closeAfterAll(RawWsService.start());
        gateway = TEARDOWN.gateway(TestGateway.start("""
                gateway:
                  relay:
                    ping-interval: PT1S
                    pong-timeout: PT1S
                    idle-timeout: PT4S
                    close-timeout: PT1S
                """ + TestGateway.services().add("echo", echo.port(), "/echo").add("raw", raw.port(), "/raw")
                .yaml()));
    }

    @AfterAll
    static void stop() {
        echo.stop();
    }

    @Test
    void aServiceThatStopsReadingDoesNotStopTheOtherSessionsTimers() throws Exception {
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger stalls = new AtomicInteger();
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        try {
            Future<?> staller = threads.submit(() -> stall(done, stalls));
            TestGateway.await(() -> stalls.get() > 0, Duration.ofSeconds(10), "a write to the service blocked");

            Future<Long> pings = threads.submit(StalledServiceTimersTest::quietClientPings);
            Future<long[]> idle = threads.submit(StalledServiceTimersTest::idleThenUnansweredClose);
            Future<Long> deaf = threads.submit(StalledServiceTimersTest::deafClientDropped);

            long pingCount = pings.get(30, TimeUnit.SECONDS);
            LOGGER.log(System.Logger.Level.INFO, "quiet client got " + pingCount + " pings in 9 s while "
                    + stalls.get() + " stalled session(s) blocked the gateway's writes");
            assertThat("pings to a quiet client in 9 s (ping-interval 1 s)", pingCount, greaterThanOrEqualTo(4L));
            long deafMillis = deaf.get(10, TimeUnit.SECONDS);
            long[] idleTimes = idle.get(10, TimeUnit.SECONDS);
            LOGGER.log(System.Logger.Level.INFO, "idle close after " + idleTimes[0] + " ms, dropped " + idleTimes[1]
                    + " ms after the unanswered close; deaf client dropped after " + deafMillis + " ms; "
                    + stalls.get() + " stalled session(s)");
            assertThat("idle-timeout 4 s (ms)", idleTimes[0], allOf(greaterThanOrEqualTo(3_500L), lessThan(6_500L)));
            assertThat("close-timeout 1 s (ms)", idleTimes[1], allOf(greaterThanOrEqualTo(700L), lessThan(3_000L)));
            assertThat("ping-interval + pong-timeout 2 s (ms)", deafMillis,
                       allOf(greaterThanOrEqualTo(1_500L), lessThan(4_500L)));
            done.set(true);
            staller.get(30, TimeUnit.SECONDS);
        } finally {
            done.set(true);
            // interrupting a virtual thread blocked on a socket closes the socket
            threads.shutdownNow();
        }
    }

    /**
     * Keep one session whose service stopped reading busy: flood it until the gateway ends it, then open the next.
     */
    private static Void stall(AtomicBoolean done, AtomicInteger stalls) throws Exception {
        byte[] payload = new byte[MESSAGE];
        for (int i = 0; i < 20 && !done.get(); i++) {
            String path = "/s" + i + "/stall";
            try (RawWsClient client = RawWsClient.connect(gateway.port(), "/ws/v1/raw" + path)) {
                RawWsService.Conn service = raw.await(path);
                try {
                    flood(client, payload, done, stalls);
                } finally {
                    service.closeSocket();
                }
            } catch (IOException e) {
                // the gateway ended the session while it was being set up
            }
        }
        return null;
    }

    /**
     * Send messages until the gateway ends the session (or the test is done); count the session as stalled once the
     * sends stop progressing.
     */
    private static void flood(RawWsClient client, byte[] payload, AtomicBoolean done, AtomicInteger stalls)
            throws InterruptedException {
        AtomicLong sent = new AtomicLong();
        Thread flood = Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    client.send(true, 0x2, payload);
                    sent.incrementAndGet();
                }
            } catch (IOException e) {
                // the session ended
            }
        });
        long last = -1;
        boolean counted = false;
        while (flood.isAlive() && !done.get()) {
            Thread.sleep(200);
            long now = sent.get();
            if (now == last && now > 0 && !counted) {
                // the gateway's write to the service blocks: the client's sends stopped
                stalls.incrementAndGet();
                counted = true;
            }
            last = now;
        }
    }

    /**
     * A client that sends a message every 3 s (below the idle timeout) and answers pings: the gateway pings it in
     * each quiet second.
     */
    private static Long quietClientPings() throws Exception {
        try (RawWsClient client = RawWsClient.connect(gateway.port(), "/ws/v1/echo/quiet")) {
            client.setReadTimeout(200);
            long start = System.nanoTime();
            long nextSend = start;
            int sent = 0;
            while (System.nanoTime() - start < Duration.ofSeconds(9).toNanos()) {
                if (System.nanoTime() - nextSend >= 0) {
                    client.sendText("q" + sent++);
                    nextSend += Duration.ofSeconds(3).toNanos();
                }
                try {
                    client.read();
                } catch (SocketTimeoutException e) {
                    // nothing this time
                }
            }
            return client.gatewayPings();
        }
    }

    /**
     * A client that answers pings and sends nothing: closed with 1001 after the idle timeout; it does not answer the
     * close, so the gateway drops the connection after the close timeout.
     *
     * @return millis until the close frame, millis from it to the end of the connection
     */
    private static long[] idleThenUnansweredClose() throws Exception {
        try (RawWsClient client = RawWsClient.connect(gateway.port(), "/ws/v1/echo/idle")) {
            long start = System.nanoTime();
            client.setReadTimeout(15_000);
            RawWsClient.Frame close = client.readUntil(0x8);
            long closedAt = System.nanoTime();
            assertThat("idle close code", ((close.payload()[0] & 0xFF) << 8) | (close.payload()[1] & 0xFF), is(1001));
            assertThat("the gateway dropped the connection", client.awaitEof(), is(true));
            return new long[] {(closedAt - start) / 1_000_000, (System.nanoTime() - closedAt) / 1_000_000};
        }
    }

    /**
     * A client that answers no ping: dropped after ping-interval + pong-timeout.
     *
     * @return millis until the connection ended
     */
    private static Long deafClientDropped() throws Exception {
        try (RawWsClient client = RawWsClient.connect(gateway.port(), "/ws/v1/echo/deaf")) {
            client.answerGatewayPings(false);
            client.setReadTimeout(15_000);
            long start = System.nanoTime();
            assertThat("the gateway dropped the connection", client.awaitEof(), is(true));
            return (System.nanoTime() - start) / 1_000_000;
        }
    }
}
