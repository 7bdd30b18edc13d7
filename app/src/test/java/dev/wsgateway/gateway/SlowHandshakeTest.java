package dev.wsgateway.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.stream.Collectors;

import dev.wsgateway.gateway.demo.EchoService;
import dev.wsgateway.testsupport.JdkClient;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

/**
 * Slow and half-open handshakes (slowloris): connections that send their request head one byte per second, and
 * connections that send nothing, do not slow a good client's handshakes and are closed at the handshake timeout;
 * clients that leave in the middle of their request head are counted, not logged as server errors.
 * <p>
 * Sizes (defaults keep the class under ~30 s): {@code -Dslow.trickling=300}, {@code -Dslow.silent=100},
 * {@code -Dslow.timeout=PT3S}. The README's full-size row: {@code -Dslow.trickling=2000 -Dslow.silent=200
 * -Dslow.timeout=PT10S}.
 */
class SlowHandshakeTest {
    private static final int TRICKLING = Integer.getInteger("slow.trickling", 300);
    private static final int SILENT = Integer.getInteger("slow.silent", 100);
    private static final Duration TIMEOUT = Duration.parse(System.getProperty("slow.timeout", "PT3S"));
    private static final int ABANDONING = 200;
    private static final System.Logger LOGGER = System.getLogger(SlowHandshakeTest.class.getName());

    @RegisterExtension
    static final Teardown TEARDOWN = new Teardown();

    private static EchoService echo;
    private static TestGateway gateway;

    @BeforeAll
    static void start() {
        echo = EchoService.start("127.0.0.1", 0);
        gateway = TEARDOWN.gateway(TestGateway.start(TestGateway.service("echo", "/echo", echo.port()) + """
                gateway:
                  security:
                    limits:
                      handshake-timeout: %s
                """.formatted(TIMEOUT)));
    }

    @AfterAll
    static void stop() {
        echo.stop();
    }

    @Test
    void tricklingAndSilentConnectionsAreClosedAtTheTimeoutWithoutSlowingOthers() throws Exception {
        double timedOutBefore = metric("wsgateway_handshakes_timed_out_total");
        List<Long> handshakeMillis = new ArrayList<>();
        ConcurrentLinkedQueue<Long> closedAfterMillis = new ConcurrentLinkedQueue<>();
        AtomicLong stillOpen = new AtomicLong(TRICKLING + SILENT);
        List<Socket> sockets = new ArrayList<>();
        try (LogCapture log = LogCapture.attach();
                ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            AtomicBoolean stop = new AtomicBoolean();
            for (int i = 0; i < TRICKLING + SILENT; i++) {
                Socket socket = new Socket("127.0.0.1", gateway.port());
                long connected = System.nanoTime();
                sockets.add(socket);
                threads.submit(() -> awaitClose(socket, connected, closedAfterMillis, stillOpen));
                if (i < TRICKLING) {
                    byte[] head = request("/ws/v1/echo/trickle" + i).getBytes(StandardCharsets.ISO_8859_1);
                    threads.submit(() -> trickle(socket, head, stop));
                }
            }
            // a good client meanwhile: full handshakes and one echo each, until every slow connection is closed
            long deadline = System.nanoTime() + TIMEOUT.plusSeconds(20).toNanos();
            while (stillOpen.get() > 0 && System.nanoTime() < deadline) {
                long start = System.nanoTime();
                try (JdkClient client = JdkClient.connect(gateway.ws("/ws/v1/echo/good"))) {
                    handshakeMillis.add((System.nanoTime() - start) / 1_000_000);
                    client.sendText("hello");
                    assertThat(client.nextText(), is("hello"));
                }
                Thread.sleep(20);
            }
            stop.set(true);
            assertThat("slow connections the gateway left open", stillOpen.get(), is(0L));
            List<Long> closed = closedAfterMillis.stream().sorted().toList();
            long p99 = percentile(handshakeMillis, 99);
            LOGGER.log(System.Logger.Level.INFO, TRICKLING + " trickling and " + SILENT + " silent connections, "
                    + "handshake timeout " + TIMEOUT.toMillis() + " ms: closed after " + closed.getFirst() + ".."
                    + closed.getLast() + " ms; good client " + handshakeMillis.size() + " handshakes, p50 "
                    + percentile(handshakeMillis, 50) + " ms, p99 " + p99 + " ms, max "
                    + percentile(handshakeMillis, 100) + " ms");
            // closed by the timeout: not before it, and not long after it (the machine is shared: wide margin)
            assertThat(closed.getFirst(), greaterThanOrEqualTo(TIMEOUT.toMillis() - 500));
            assertThat(closed.getLast(), lessThan(TIMEOUT.toMillis() + 5_000));
            assertThat("good client's handshake p99 (ms)", p99, lessThan(1_000L));
            assertThat(metric("wsgateway_handshakes_timed_out_total") - timedOutBefore,
                       greaterThanOrEqualTo((double) (TRICKLING + SILENT)));
            assertThat(serverErrors(log), empty());
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    @Test
    void clientsLeavingMidRequestAreCountedNotLoggedAsServerErrors() throws Exception {
        double abandonedBefore = metric("wsgateway_handshakes_abandoned_total");
        try (LogCapture log = LogCapture.attach()) {
            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < ABANDONING; i++) {
                    int n = i;
                    threads.submit(() -> leaveMidHead(n));
                }
            }
            TestGateway.await(() -> metric("wsgateway_handshakes_abandoned_total") - abandonedBefore >= ABANDONING,
                              Duration.ofSeconds(10), "abandoned handshakes counted");
            assertThat(serverErrors(log), empty());
            List<LogRecord> lines = log.records().stream()
                    .filter(r -> r.getLevel().intValue() >= Level.INFO.intValue())
                    .filter(r -> !r.getLoggerName().startsWith(SlowHandshakeTest.class.getName()))
                    .toList();
            assertThat("log lines for " + ABANDONING + " clients that left: " + describe(lines), lines.size(),
                       lessThan(ABANDONING / 10));
        }
    }

    @Test
    void slowButCompleteHeadsAndIdleKeepAliveConnectionsAreServed() throws Exception {
        // a head sent in three parts within the timeout is answered
        String head = request("/ws/v1/echo/patient");
        try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            int third = head.length() / 3;
            for (String part : List.of(head.substring(0, third), head.substring(third, 2 * third),
                                       head.substring(2 * third))) {
                out.write(part.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                Thread.sleep(TIMEOUT.toMillis() / 4);
            }
            assertThat(statusLine(socket.getInputStream()), is("HTTP/1.1 101 Switching Protocols"));
        }
        // a keep-alive connection idle for longer than the timeout between two requests serves the second one: the
        // timeout counts from the first byte of a head, the wait between requests is Helidon's idle timeout
        try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
            socket.setSoTimeout(10_000);
            String get = "GET /application/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
            socket.getOutputStream().write(get.getBytes(StandardCharsets.ISO_8859_1));
            assertThat(statusLine(socket.getInputStream()), is("HTTP/1.1 200 OK"));
            Thread.sleep(TIMEOUT.toMillis() + 1_000);
            socket.getInputStream().skip(socket.getInputStream().available());
            socket.getOutputStream().write(get.getBytes(StandardCharsets.ISO_8859_1));
            String line = statusLine(socket.getInputStream());
            while (!line.startsWith("HTTP/1.1 ")) {
                line = statusLine(socket.getInputStream());
            }
            assertThat(line, is("HTTP/1.1 200 OK"));
        }
    }

    /**
     * The request line and part of the headers, then gone: odd clients with a RST, even ones with a FIN.
     */
    private static Void leaveMidHead(int n) throws IOException, InterruptedException {
        String head = request("/ws/v1/echo/leave" + n);
        try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
            if (n % 2 == 1) {
                socket.setSoLinger(true, 0);
            }
            socket.getOutputStream().write(head.substring(0, head.length() / 2).getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            Thread.sleep(300);
        }
        return null;
    }

    static String request(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    }

    /**
     * Send the head one byte per second until the gateway closes the connection or the test stops.
     */
    private static Void trickle(Socket socket, byte[] head, AtomicBoolean stop) throws InterruptedException {
        try {
            OutputStream out = socket.getOutputStream();
            for (int i = 0; i < head.length && !stop.get(); i++) {
                out.write(head[i]);
                out.flush();
                Thread.sleep(1_000);
            }
        } catch (IOException e) {
            // closed by the gateway
        }
        return null;
    }

    private static Void awaitClose(Socket socket, long connected, ConcurrentLinkedQueue<Long> closedAfter,
                                   AtomicLong stillOpen) {
        try {
            InputStream in = socket.getInputStream();
            while (in.read() >= 0) {
                // nothing is expected before the close
            }
        } catch (IOException e) {
            // reset: closed as well
        }
        closedAfter.add((System.nanoTime() - connected) / 1_000_000);
        stillOpen.decrementAndGet();
        return null;
    }

    private static String statusLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new IOException("closed before a status line: " + line);
            }
            if (b != '\r') {
                line.append((char) b);
            }
        }
        return line.toString();
    }

    /**
     * Records of a server error (the first 5): Helidon's "Internal server error" and any warning with a stack trace.
     */
    private static List<String> serverErrors(LogCapture log) {
        return log.records().stream()
                .filter(r -> r.getLevel().intValue() >= Level.WARNING.intValue())
                .filter(r -> r.getThrown() != null || String.valueOf(r.getMessage()).contains("Internal server error"))
                .map(r -> r.getLoggerName() + ": " + r.getMessage() + " " + r.getThrown())
                .limit(5)
                .toList();
    }

    private static String describe(List<LogRecord> records) {
        return records.stream().limit(5).map(r -> r.getLoggerName() + ": " + r.getMessage())
                .collect(Collectors.joining("; "));
    }

    static long percentile(List<Long> values, int percent) {
        long[] sorted = values.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        if (sorted.length == 0) {
            return -1;
        }
        int index = (int) Math.ceil(percent / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static double metric(String name) {
        try {
            return ObserveTest.sample(ObserveTest.scrape(gateway.http("/application/metrics")), name);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
