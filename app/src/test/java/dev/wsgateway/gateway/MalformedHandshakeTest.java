package dev.wsgateway.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.wsgateway.gateway.demo.EchoService;
import dev.wsgateway.testsupport.JdkClient;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

/**
 * 1,000 malformed handshakes (bad versions, missing or invalid keys, oversized headers, header injection, bad
 * methods, garbage bytes) from 32 parallel clients: each gets a 4xx or a closed connection, a good client keeps
 * echoing through the gateway meanwhile, and no session is left behind.
 */
class MalformedHandshakeTest {
    private static final int COUNT = 1000;

    @Test
    void thousandMalformedHandshakes() throws Exception {
        EchoService echo = EchoService.start("127.0.0.1", 0);
        try (TestGateway gateway = TestGateway.start(TestGateway.service("echo", "/echo", echo.port()))) {
            int port = gateway.port();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger echoes = new AtomicInteger();
            ExecutorService good = Executors.newVirtualThreadPerTaskExecutor();
            Future<?> goodClient = good.submit(() -> {
                try (JdkClient client = JdkClient.connect(gateway.ws("/ws/v1/echo/good"))) {
                    while (!stop.get()) {
                        String message = "ping " + echoes.get();
                        client.sendText(message);
                        assertThat(client.nextText(), is(message));
                        echoes.incrementAndGet();
                    }
                }
                return null;
            });

            Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
            try (ExecutorService pool = Executors.newFixedThreadPool(32, Thread.ofVirtual().factory())) {
                List<Future<String>> results = new java.util.ArrayList<>();
                for (int i = 0; i < COUNT; i++) {
                    int kind = i % 8;
                    results.add(pool.submit(() -> send(port, kind)));
                }
                for (Future<String> f : results) {
                    long left = deadline - System.nanoTime();
                    String outcome = f.get(Math.max(1, left), TimeUnit.NANOSECONDS);
                    outcomes.computeIfAbsent(outcome, k -> new AtomicInteger()).incrementAndGet();
                }
            }
            stop.set(true);
            goodClient.get(10, TimeUnit.SECONDS);
            good.shutdown();
            for (String outcome : outcomes.keySet()) {
                boolean acceptable = outcome.startsWith("4") || outcome.equals("closed");
                assertThat("outcome " + outcome + " " + outcomes, acceptable, is(true));
            }
            System.getLogger(MalformedHandshakeTest.class.getName()).log(
                    System.Logger.Level.INFO, "malformed handshake outcomes: " + outcomes
                            + ", good client echoes meanwhile: " + echoes.get());
            assertThat(echoes.get(), greaterThan(0));
            gateway.awaitNoSessions(Duration.ofSeconds(5));
            assertThat(gateway.gateway().sessions().size(), is(0));
        } finally {
            echo.stop();
        }
    }

    @Test
    void requestMethodWithIllegalCharactersIsA400() throws Exception {
        EchoService echo = EchoService.start("127.0.0.1", 0);
        try (TestGateway gateway = TestGateway.start(TestGateway.service("echo", "/echo", echo.port()));
                Socket socket = new Socket("127.0.0.1", gateway.port())) {
            socket.setSoTimeout(10_000);
            // the start of a random request that made Helidon answer 500 and log a stack trace
            socket.getOutputStream().write("\\0\u000fV\u0013@I?- /ws/v1/echo/x HTTP/1.1\r\nHost: a\r\n\r\n"
                                                   .getBytes(StandardCharsets.ISO_8859_1));
            byte[] head = socket.getInputStream().readNBytes(12);
            assertThat(new String(head, StandardCharsets.ISO_8859_1), is("HTTP/1.1 400"));
        } finally {
            echo.stop();
        }
    }

    /**
     * Send one malformed handshake; the outcome is the HTTP status ("400", ...) or "closed".
     */
    private static String send(int port, int kind) throws IOException {
        String key = "dGhlIHNhbXBsZSBub25jZQ==";
        String base = "GET /ws/v1/echo/x HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n";
        byte[] request = switch (kind) {
            case 0 -> (base + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 8\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
            case 1 -> (base + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
            case 2 -> (base + "Sec-WebSocket-Key: not-base64!!\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
            case 3 -> (base + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\nX-Big: "
                    + "x".repeat(17_000) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
            case 4 -> (base + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\nX-Evil: a\rInjected: 1\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1);
            case 5 -> ("POST /ws/v1/echo/x HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
            case 6 -> {
                byte[] garbage = new byte[ThreadLocalRandom.current().nextInt(1, 2048)];
                ThreadLocalRandom.current().nextBytes(garbage);
                yield garbage;
            }
            default -> ("GET /ws/v1/../../etc HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1);
        };
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            try {
                socket.getOutputStream().write(request);
                socket.getOutputStream().flush();
                if (kind == 6) {
                    socket.shutdownOutput();     // garbage without an end: let the server see EOF
                }
            } catch (IOException e) {
                return "closed";                 // the server closed while we were still writing
            }
            InputStream in = socket.getInputStream();
            byte[] head = new byte[12];
            int n = 0;
            try {
                while (n < 12) {
                    int r = in.read(head, n, 12 - n);
                    if (r < 0) {
                        break;
                    }
                    n += r;
                }
            } catch (java.net.SocketTimeoutException e) {
                return "no answer within 10 s";
            } catch (IOException e) {
                return "closed";                 // reset
            }
            if (n < 12) {
                return "closed";
            }
            String status = new String(head, StandardCharsets.ISO_8859_1);
            return status.startsWith("HTTP/1.1 ") ? status.substring(9, 12) : "garbage answer " + status;
        }
    }
}
