package dev.wsgateway.gateway;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import dev.wsgateway.gateway.demo.EchoService;
import dev.wsgateway.testsupport.JdkClient;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

/**
 * Slow consumers: clients that stop reading while their service floods them, and services that stop reading while
 * their client floods them. The gateway's blocking pumps stop reading the sender once the receiver's socket is full,
 * so TCP backpressure reaches the sender: what it manages to send levels off at the sockets' buffers, the gateway's
 * heap does not grow, and the other sessions' round trips stay fast.
 * <p>
 * Sizes: {@code -Dslow.consumers=20} stalled sessions per direction (16 KiB frames), {@code -Dslow.others=20} echo
 * sessions measured meanwhile.
 */
class SlowConsumerTest {
    private static final int STALLED = Integer.getInteger("slow.consumers", 20);
    private static final int OTHERS = Integer.getInteger("slow.others", 20);
    private static final int FRAME = 16 * 1024;
    /** What one stalled session may have sent before the sender blocks: socket buffers on three sockets, and more. */
    private static final long SENT_BOUND = 64L * 1024 * 1024;
    private static final long HEAP_BOUND = 64L * 1024 * 1024;
    private static final System.Logger LOGGER = System.getLogger(SlowConsumerTest.class.getName());

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
                  failover:
                    enabled: false
                """ + TestGateway.services().add("echo", echo.port(), "/echo").add("raw", raw.port(), "/raw")
                .yaml()));
    }

    @AfterAll
    static void stop() {
        echo.stop();
    }

    @Test
    void clientsThatStopReadingHoldBackTheirService() throws Exception {
        try (Others others = new Others()) {
            long heapBefore = heapAfterGc();
            long baseline = others.p99(Duration.ofSeconds(3));
            List<RawWsClient> clients = new ArrayList<>();
            List<RawWsService.Conn> services = new ArrayList<>();
            try {
                for (int i = 0; i < STALLED; i++) {
                    // connects and never reads: the service floods 16 KiB frames into it
                    clients.add(RawWsClient.connect(gateway.port(), "/ws/v1/raw/a" + i + "/stream/" + FRAME));
                    services.add(raw.await("/a" + i + "/stream/" + FRAME));
                }
                LongSupplier sent = () -> services.stream().mapToLong(c -> c.framesSent() * FRAME).sum();
                measure("client stopped reading", sent, services.size(), others, baseline, heapBefore);
            } finally {
                for (RawWsClient client : clients) {
                    client.close();
                }
            }
        }
    }

    @Test
    void servicesThatStopReadingHoldBackTheirClient() throws Exception {
        try (Others others = new Others();
                ExecutorService writers = Executors.newVirtualThreadPerTaskExecutor()) {
            long heapBefore = heapAfterGc();
            long baseline = others.p99(Duration.ofSeconds(3));
            List<RawWsClient> clients = new ArrayList<>();
            List<RawWsService.Conn> services = new ArrayList<>();
            AtomicLong written = new AtomicLong();
            try {
                for (int i = 0; i < STALLED; i++) {
                    RawWsClient client = RawWsClient.connect(gateway.port(), "/ws/v1/raw/b" + i + "/stall");
                    clients.add(client);
                    services.add(raw.await("/b" + i + "/stall"));
                    writers.submit(() -> flood(client, written));
                }
                measure("service stopped reading", written::get, services.size(), others, baseline, heapBefore);
            } finally {
                // the service goes: the gateway's blocked write fails and the session ends
                for (RawWsService.Conn service : services) {
                    service.closeSocket();
                }
                for (RawWsClient client : clients) {
                    client.close();
                }
            }
        }
    }

    @Test
    void aStalledClientIsTakenForDeadAfterThePingTimers() throws Exception {
        try (TestGateway strict = TestGateway.start("""
                gateway:
                  failover:
                    enabled: false
                  relay:
                    ping-interval: PT1S
                    pong-timeout: PT1S
                """ + TestGateway.services().add("raw", raw.port(), "/raw").yaml());
                RawWsClient client = RawWsClient.connect(strict.port(), "/ws/v1/raw/dead/stream/" + FRAME)) {
            RawWsService.Conn service = raw.await("/dead/stream/" + FRAME);
            long start = System.nanoTime();
            // the client never reads: it answers no ping, and its session ends after ping-interval + pong-timeout
            strict.awaitNoSessions(Duration.ofSeconds(10));
            TestGateway.await(service::ended, Duration.ofSeconds(5), "service connection ended");
            long millis = (System.nanoTime() - start) / 1_000_000;
            LOGGER.log(System.Logger.Level.INFO, "stalled client dropped after " + millis + " ms");
            assertThat(millis, lessThan(8_000L));
        }
    }

    /**
     * Wait until the senders are blocked (what they sent stays the same for 2 s), then check that it stays so, that
     * the heap did not grow with it and that the other sessions kept their round-trip times.
     */
    private static void measure(String what, LongSupplier sent, int sessions, Others others, long baselineP99,
                                long heapBefore) throws Exception {
        long start = System.nanoTime();
        long last = -1;
        long stableSince = System.nanoTime();
        others.reset();
        while (System.nanoTime() - stableSince < Duration.ofSeconds(2).toNanos()) {
            assertThat(what + ": senders still sending after 30 s", System.nanoTime() - start
                    < Duration.ofSeconds(30).toNanos(), is(true));
            Thread.sleep(250);
            long now = sent.getAsLong();
            if (now != last) {
                last = now;
                stableSince = System.nanoTime();
            }
        }
        long blockedAt = sent.getAsLong();
        long heapBlocked = heapAfterGc();
        long duringFill = others.p99(Duration.ZERO);
        long afterwards = others.p99(Duration.ofSeconds(3));
        long finalSent = sent.getAsLong();
        LOGGER.log(System.Logger.Level.INFO, what + ": " + sessions + " sessions, senders blocked after "
                + blockedAt / 1024 / 1024 + " MiB (" + blockedAt / sessions / 1024 + " KiB per session) in "
                + (System.nanoTime() - start) / 1_000_000 + " ms; heap after GC " + heapBefore / 1024 / 1024
                + " -> " + heapBlocked / 1024 / 1024 + " MiB; other sessions' round-trip p99 " + baselineP99
                + " ms before, " + duringFill + " ms while filling, " + afterwards + " ms while blocked ("
                + others.count() + " round trips)");
        assertThat(what + ": sent after the senders blocked", finalSent, is(blockedAt));
        assertThat(what + ": bytes sent per stalled session", blockedAt / sessions, lessThan(SENT_BOUND));
        assertThat(what + ": heap growth", heapBlocked - heapBefore, lessThan(HEAP_BOUND));
        // while the buffers fill, the floods take the CPU of this JVM (gateway, services and clients on a shared
        // 2-core machine); once the senders are blocked, the stalled sessions cost nothing
        assertThat(what + ": other sessions' p99 while filling (ms)", duringFill, lessThan(2_000L));
        assertThat(what + ": other sessions' p99 while blocked (ms)", afterwards, lessThan(Math.max(250L,
                                                                                                   4 * baselineP99)));
    }

    private static Void flood(RawWsClient client, AtomicLong written) {
        byte[] payload = new byte[FRAME];
        try {
            while (true) {
                client.send(true, 0x2, payload);
                written.addAndGet(FRAME);
            }
        } catch (IOException e) {
            // the session ended
        }
        return null;
    }

    private static long heapAfterGc() {
        System.gc();
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /**
     * Echo sessions doing round trips the whole time, their round-trip times collected.
     */
    private static final class Others implements AutoCloseable {
        private final AtomicBoolean stop = new AtomicBoolean();
        private final ConcurrentLinkedQueue<Long> millis = new ConcurrentLinkedQueue<>();
        private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        private final List<Future<?>> loops = new ArrayList<>();
        private final AtomicLong total = new AtomicLong();

        Others() throws InterruptedException {
            CountDownLatch warm = new CountDownLatch(OTHERS);
            for (int i = 0; i < OTHERS; i++) {
                int n = i;
                loops.add(threads.submit(() -> {
                    try (JdkClient client = JdkClient.connect(gateway.ws("/ws/v1/echo/other" + n))) {
                        for (long k = 0; !stop.get(); k++) {
                            long start = System.nanoTime();
                            client.sendText("m" + k);
                            assertThat(client.nextText(), is("m" + k));
                            millis.add((System.nanoTime() - start) / 1_000_000);
                            total.incrementAndGet();
                            if (k == 0) {
                                warm.countDown();
                            }
                            Thread.sleep(10);
                        }
                    }
                    return null;
                }));
            }
            // every session open and past its first round trip before anything is measured
            assertThat("echo sessions warmed up", warm.await(30, TimeUnit.SECONDS), is(true));
            reset();
        }

        /**
         * The p99 of the round trips from the last reset, after waiting this long; resets.
         */
        long p99(Duration wait) throws InterruptedException {
            Thread.sleep(wait.toMillis());
            List<Long> values = new ArrayList<>(millis);
            reset();
            return SlowHandshakeTest.percentile(values, 99);
        }

        void reset() {
            millis.clear();
        }

        long count() {
            return total.get();
        }

        @Override
        public void close() throws Exception {
            stop.set(true);
            for (Future<?> loop : loops) {
                loop.get(10, TimeUnit.SECONDS);
            }
            threads.shutdown();
        }
    }
}
