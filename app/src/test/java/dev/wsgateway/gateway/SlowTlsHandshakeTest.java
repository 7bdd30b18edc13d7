package dev.wsgateway.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;

import dev.wsgateway.gateway.demo.EchoService;
import dev.wsgateway.testsupport.JdkClient;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Slow and failed TLS handshakes on a {@code wss} listener: connections that open TCP and send nothing, or half a
 * ClientHello, are closed at the handshake timeout and counted, while a good wss client completes its handshakes;
 * failed handshakes (a plain HTTP request, a client that leaves) do not use up the connections the listener accepts
 * at once (Helidon 4.2.0 loses one of its {@code max-tcp-connections} permits for each), and that limit still holds.
 * <p>
 * Sizes: {@code -Dslowtls.silent=100}, {@code -Dslowtls.half=20}, {@code -Dslowtls.timeout=PT3S}.
 */
class SlowTlsHandshakeTest {
    private static final int SILENT = Integer.getInteger("slowtls.silent", 100);
    private static final int HALF = Integer.getInteger("slowtls.half", 20);
    private static final Duration TIMEOUT = Duration.parse(System.getProperty("slowtls.timeout", "PT3S"));
    private static final int LIMITED = 5;
    private static final System.Logger LOGGER = System.getLogger(SlowTlsHandshakeTest.class.getName());

    @RegisterExtension
    static final Teardown TEARDOWN = new Teardown();

    private static TestCerts certs;
    private static HttpClient https;
    private static TestGateway gateway;     // handshake-timeout TIMEOUT
    private static TestGateway limited;     // max-tcp-connections LIMITED, handshake-timeout 2 s

    @BeforeAll
    static void start() throws Exception {
        certs = TestCerts.create();
        TEARDOWN.closeAfterAll(certs::delete);
        EchoService echo = EchoService.start("127.0.0.1", 0);
        TEARDOWN.closeAfterAll(echo::stop);
        String service = TestGateway.service("echo", "/echo", echo.port());
        gateway = TEARDOWN.gateway(TestGateway.start("""
                server:
                %s
                gateway:
                  security:
                    limits:
                      handshake-timeout: %s
                """.formatted(TestCerts.serverTls(certs.server), TIMEOUT) + service));
        limited = TEARDOWN.gateway(TestGateway.start("""
                server:
                  max-tcp-connections: %d
                %s
                gateway:
                  security:
                    limits:
                      handshake-timeout: PT2S
                """.formatted(LIMITED, TestCerts.serverTls(certs.server)) + service));
        https = HttpClient.newBuilder().sslContext(certs.clientContext()).build();
    }

    @Test
    void silentAndHalfHelloConnectionsAreClosedAtTheTimeoutWhileGoodClientsConnect() throws Exception {
        double timedOutBefore = metric(gateway, "wsgateway_handshakes_timed_out_total");
        byte[] hello = clientHello();
        List<Long> handshakeMillis = new ArrayList<>();
        ConcurrentLinkedQueue<Long> closedAfterMillis = new ConcurrentLinkedQueue<>();
        AtomicLong stillOpen = new AtomicLong(SILENT + HALF);
        List<Socket> sockets = new ArrayList<>();
        try (LogCapture log = LogCapture.attach();
                ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            long leftOpen;
            List<Long> closed;
            try {
                leftOpen = slowAndGood(hello, handshakeMillis, closedAfterMillis, stillOpen, sockets, threads);
                closed = closedAfterMillis.stream().sorted().toList();
            } finally {
                // before the threads waiting for their close are awaited
                for (Socket socket : sockets) {
                    socket.close();
                }
            }
            assertThat("slow TLS connections the gateway left open", leftOpen, is(0L));
            long p99 = SlowHandshakeTest.percentile(handshakeMillis, 99);
            LOGGER.log(System.Logger.Level.INFO, SILENT + " silent and " + HALF + " half-ClientHello connections, "
                    + "handshake timeout " + TIMEOUT.toMillis() + " ms: closed after " + closed.getFirst() + ".."
                    + closed.getLast() + " ms; good wss client " + handshakeMillis.size() + " handshakes, p50 "
                    + SlowHandshakeTest.percentile(handshakeMillis, 50) + " ms, p99 " + p99 + " ms, max "
                    + SlowHandshakeTest.percentile(handshakeMillis, 100) + " ms");
            assertThat(closed.getFirst(), greaterThanOrEqualTo(TIMEOUT.toMillis() - 500));
            assertThat(closed.getLast(), lessThan(TIMEOUT.toMillis() + 5_000));
            assertThat("good client's handshakes", handshakeMillis.size(), greaterThanOrEqualTo(5));
            assertThat("good client's handshake p99 (ms)", p99, lessThan(2_000L));
            assertThat(metric(gateway, "wsgateway_handshakes_timed_out_total") - timedOutBefore,
                       greaterThanOrEqualTo((double) (SILENT + HALF)));
            assertThat(serverErrors(log), empty());
        }
    }

    /**
     * Open the silent and half-ClientHello connections, then run a good wss client until they are all closed (or
     * the deadline passed).
     *
     * @return how many are still open
     */
    private static long slowAndGood(byte[] hello, List<Long> handshakeMillis, ConcurrentLinkedQueue<Long> closedAfter,
                                    AtomicLong stillOpen, List<Socket> sockets, ExecutorService threads)
            throws Exception {
        for (int i = 0; i < SILENT + HALF; i++) {
            Socket socket = new Socket("127.0.0.1", gateway.port());
            long connected = System.nanoTime();
            sockets.add(socket);
            if (i >= SILENT) {
                socket.getOutputStream().write(hello, 0, hello.length / 2);
                socket.getOutputStream().flush();
            }
            threads.submit(() -> awaitClose(socket, connected, closedAfter, stillOpen));
        }
        // a good wss client meanwhile: full handshakes and one echo each, until every slow connection is closed
        long deadline = System.nanoTime() + TIMEOUT.plusSeconds(20).toNanos();
        while (stillOpen.get() > 0 && System.nanoTime() < deadline) {
            long start = System.nanoTime();
            try (JdkClient client = JdkClient.connect(https, wss(gateway, "/ws/v1/echo/good"))) {
                handshakeMillis.add((System.nanoTime() - start) / 1_000_000);
                client.sendText("hello");
                assertThat(client.nextText(), is("hello"));
            }
            Thread.sleep(20);
        }
        return stillOpen.get();
    }

    @Test
    void failedHandshakesDoNotUseUpTheListenersConnections() throws Exception {
        // three times the listener's connections: plain HTTP to the TLS port, and clients that leave before a byte
        int failed = 3 * LIMITED;
        for (int i = 0; i < failed; i++) {
            try (Socket socket = new Socket("127.0.0.1", limited.port())) {
                if (i % 2 == 0) {
                    socket.getOutputStream().write(SlowHandshakeTest.request("/ws/v1/echo/plain")
                                                           .getBytes(StandardCharsets.ISO_8859_1));
                }
            }
        }
        // each failed handshake's connection is returned by its deadline (2 s after its accept) at the latest; the
        // listener takes them LIMITED at a time, then the good client behind them in the backlog
        long start = System.nanoTime();
        long deadline = start + Duration.ofSeconds(25).toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try (JdkClient client = JdkClient.connect(https, wss(limited, "/ws/v1/echo/after"))) {
                client.sendText("served");
                assertThat(client.nextText(), is("served"));
                LOGGER.log(System.Logger.Level.INFO, failed + " failed TLS handshakes on a listener of " + LIMITED
                        + " connections: a wss client served after " + (System.nanoTime() - start) / 1_000_000
                        + " ms");
                return;
            } catch (Exception e) {
                // the opening handshake timed out behind the failed ones: try again
                last = e;
            }
        }
        throw new AssertionError("no wss handshake within 25 s after failed TLS handshakes", last);
    }

    @Test
    void theListenersConnectionLimitStillHolds() throws Exception {
        List<JdkClient> sessions = new ArrayList<>();
        try {
            for (int i = 0; i < LIMITED; i++) {
                JdkClient client = JdkClient.connect(https, wss(limited, "/ws/v1/echo/held" + i));
                sessions.add(client);
                client.sendText("held" + i);
                assertThat(client.nextText(), is("held" + i));
            }
            // one more connection is not served while all are held: it waits in the listen backlog
            try (SSLSocket extra = (SSLSocket) certs.clientContext().getSocketFactory()
                    .createSocket("127.0.0.1", limited.port())) {
                extra.setSoTimeout(1_000);
                assertThrows(SocketTimeoutException.class, extra::startHandshake);
            }
            sessions.removeFirst().close();
            try (JdkClient client = JdkClient.connect(https, wss(limited, "/ws/v1/echo/next"))) {
                client.sendText("next");
                assertThat(client.nextText(), is("next"));
            }
        } finally {
            for (JdkClient client : sessions) {
                client.close();
            }
        }
    }

    /**
     * The first flight of a TLS client (a ClientHello record) as a client of the test CA would send it.
     */
    private static byte[] clientHello() throws Exception {
        SSLEngine engine = certs.clientContext().createSSLEngine("localhost", gateway.port());
        engine.setUseClientMode(true);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        byte[] hello = new byte[out.remaining()];
        out.get(hello);
        assertThat("a TLS handshake record", hello[0], is((byte) 0x16));
        return hello;
    }

    private static URI wss(TestGateway g, String path) {
        return URI.create("wss://localhost:" + g.port() + path);
    }

    private static void drain(InputStream in) throws IOException {
        while (in.read() >= 0) {
            // whatever the TLS listener answers (an alert) until it closes
        }
    }

    private static Void awaitClose(Socket socket, long connected, ConcurrentLinkedQueue<Long> closedAfter,
                                   AtomicLong stillOpen) {
        try {
            drain(socket.getInputStream());
        } catch (IOException e) {
            // reset: closed as well
        }
        closedAfter.add((System.nanoTime() - connected) / 1_000_000);
        stillOpen.decrementAndGet();
        return null;
    }

    private static List<String> serverErrors(LogCapture log) {
        return log.records().stream()
                .filter(r -> r.getLevel().intValue() >= Level.WARNING.intValue())
                .map(r -> r.getLoggerName() + ": " + r.getMessage() + " " + r.getThrown())
                .limit(5)
                .toList();
    }

    private static double metric(TestGateway g, String name) throws Exception {
        HttpResponse<String> res = https.send(HttpRequest.newBuilder(
                        URI.create("https://localhost:" + g.port() + "/application/metrics"))
                                                      .header("Accept", "text/plain").build(),
                                              HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertThat(res.statusCode(), is(200));
        return ObserveTest.sample(res.body(), name);
    }
}
