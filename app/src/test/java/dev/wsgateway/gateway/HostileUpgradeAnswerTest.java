package dev.wsgateway.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.wsgateway.gateway.http.HandshakeKeys;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.hasKey;

/**
 * Upstreams whose answer to the upgrade is hostile, through a real gateway ({@code connect-timeout: PT1S}) to a raw
 * loopback upstream that answers by path: a 101 trickled one header line every 400 ms, a 101 negotiating extensions
 * the client never offered, a 101 with control characters in a header value. None of them reaches the client: it
 * gets a 504 or a 502 in time, never the 101.
 */
class HostileUpgradeAnswerTest {
    @RegisterExtension
    static final Teardown TEARDOWN = new Teardown();

    private static ServerSocket upstream;
    private static final List<Socket> SOCKETS = new CopyOnWriteArrayList<>();
    private static TestGateway gateway;

    @BeforeAll
    static void start() throws IOException {
        upstream = new ServerSocket();
        upstream.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread.ofVirtual().start(() -> {
            while (!upstream.isClosed()) {
                try {
                    Socket socket = upstream.accept();
                    SOCKETS.add(socket);
                    Thread.ofVirtual().start(() -> answer(socket));
                } catch (IOException e) {
                    return;
                }
            }
        });
        gateway = TEARDOWN.gateway(TestGateway.start(TestGateway.service("hostile", "/h", upstream.getLocalPort()) + """
                gateway:
                  relay:
                    connect-timeout: PT1S
                """));
    }

    @AfterAll
    static void stop() throws IOException {
        upstream.close();
        for (Socket socket : SOCKETS) {
            socket.close();
        }
    }

    /**
     * The upstream: reads the request head, answers according to the request path's last segment.
     */
    private static void answer(Socket socket) {
        try {
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    return;
                }
                head.write(b);
            }
            String request = head.toString(StandardCharsets.ISO_8859_1);
            String key = request.lines().filter(l -> l.toLowerCase().startsWith("sec-websocket-key:"))
                    .map(l -> l.substring(18).trim()).findFirst().orElse("");
            String what = request.substring(request.indexOf("/h/") + 3, request.indexOf(" HTTP/1.1"));
            String switching = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + HandshakeKeys.accept(key) + "\r\n";
            OutputStream out = socket.getOutputStream();
            switch (what) {
            case "trickle" -> {
                out.write(switching.getBytes(StandardCharsets.ISO_8859_1));
                for (int i = 0; i < 15; i++) {
                    out.flush();
                    Thread.sleep(400);
                    out.write(("X-Slow-" + i + ": " + i + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                }
                out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            }
            case "deflate" -> out.write((switching + "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n")
                                                .getBytes(StandardCharsets.ISO_8859_1));
            case "unknown" -> out.write((switching + "Sec-WebSocket-Extensions: x-unknown\r\n\r\n")
                                                .getBytes(StandardCharsets.ISO_8859_1));
            case "ctl" -> out.write((switching + "X-Note: a\u0001b\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            case "esc" -> out.write((switching + "X-Note: \u001b[31mred\r\n\r\n")
                                            .getBytes(StandardCharsets.ISO_8859_1));
            case "del" -> out.write((switching + "X-Note: a\u007fb\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            default -> out.write((switching + "X-Note: a\tb\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            }
            out.flush();
        } catch (IOException | InterruptedException e) {
            // the gateway gave up on us: what the test wants
        }
    }

    @Test
    void a101TrickledPastConnectTimeoutGetsTheClientA504AtTheTimeout() throws Exception {
        long start = System.nanoTime();
        try (RawWsClient client = RawWsClient.connect(gateway.port(), "/ws/v1/hostile/trickle")) {
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(client.status(), is(504));
            assertThat(client.body(), containsString("upstream_timeout"));
            // the whole head is bounded by connect-timeout (1 s); a timeout per read let it run 6 s and more
            assertThat(millis, lessThan(3000L));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"deflate", "unknown"})
    void anExtensionTheClientDidNotOfferGetsItA502(String what) throws Exception {
        try (RawWsClient client = RawWsClient.connect(gateway.port(), "/ws/v1/hostile/" + what)) {
            assertThat(client.status(), is(502));
            assertThat(client.headers(), not(hasKey("sec-websocket-extensions")));
            assertThat(client.body(), containsString("upstream_handshake"));
        }
    }

    @Test
    void anOfferedExtensionIsRelayed() throws Exception {
        try (RawWsClient client = RawWsClient.connect(gateway.port(), "/ws/v1/hostile/deflate",
                                                      "Sec-WebSocket-Extensions: permessage-deflate\r\n")) {
            assertThat(client.status(), is(101));
            assertThat(client.headers().get("sec-websocket-extensions"), is("permessage-deflate"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ctl", "esc", "del"})
    void controlCharactersInA101HeaderGetTheClientA502(String what) throws Exception {
        try (RawWsClient client = RawWsClient.connect(gateway.port(), "/ws/v1/hostile/" + what)) {
            assertThat(client.status(), is(502));
            assertThat(client.headers(), not(hasKey("x-note")));
        }
    }

    @Test
    void aTabInA101HeaderIsRelayed() throws Exception {
        try (RawWsClient client = RawWsClient.connect(gateway.port(), "/ws/v1/hostile/tab")) {
            assertThat(client.status(), is(101));
            assertThat(client.headers().get("x-note"), is("a\tb"));
        }
    }
}
