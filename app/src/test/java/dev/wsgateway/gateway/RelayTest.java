package dev.wsgateway.gateway;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import dev.wsgateway.gateway.demo.EchoService;
import dev.wsgateway.testsupport.JdkClient;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

/**
 * The relay end to end: a real gateway, real upstreams (Node {@code ws} in its own process, Helidon's WebSocket
 * server), real clients (the JDK's WebSocket client and a raw-socket client for what libraries will not send).
 */
class RelayTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @RegisterExtension
    static final Teardown TEARDOWN = new Teardown();

    private static NodeUpstream node;
    private static EchoService helidon;
    private static ServerSocket silent;
    private static int deadPort;
    private static TestGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        node = TEARDOWN.closeAfterAll(NodeUpstream.start());
        helidon = EchoService.start("127.0.0.1", 0);
        TEARDOWN.closeAfterAll(helidon::stop);
        silent = TEARDOWN.closeAfterAll(new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress()));
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        gateway = TEARDOWN.gateway(TestGateway.start("""
                gateway:
                  failover:
                    enabled: false
                  relay:
                    max-message-fragments: 64
                    connect-timeout: PT1S
                    ping-interval: PT1S
                    pong-timeout: PT1S
                    close-timeout: PT2S
                """ + TestGateway.services()
                .block("""
                             - serviceId: node
                               instances:
                                 - host: 127.0.0.1
                                   port: %d
                                   metadata-map:
                                     apiml:
                                       routes:
                                         ws_v1:
                                           gatewayUrl: "ws/v1"
                                           serviceUrl: /svc
                                         ws_v2:
                                           gatewayUrl: "/ws/v2/"
                                           serviceUrl: /v2/
                       """.formatted(node.port()))
                .add("auth", node.port(), "/auth")
                .add("slow", node.port(), "/slow")
                .add("forbidden", node.port(), "/forbidden")
                .add("greet", node.port(), "/greet")
                .add("helidon", helidon.port(), "/echo")
                .add("down", node.port(), "/svc", "DOWN")
                .add("dead", deadPort, "/svc")
                .add("silent", silent.getLocalPort(), "/svc")
                .yaml()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/ws/v1/node/a/b", "/node/ws/v1/a/b", "/ws/v1/NODE/a/b", "/ws/v1/helidon/a/b"})
    void echoesTextAndBinaryOnBothUrlFormsAndBothUpstreams(String path) throws Exception {
        try (JdkClient client = JdkClient.connect(gateway.ws(path))) {
            client.sendText("hello ☃ world");
            assertThat(client.nextText(), is("hello ☃ world"));
            byte[] binary = new byte[70_000];
            ThreadLocalRandom.current().nextBytes(binary);
            client.sendBinary(binary);
            assertThat(Arrays.equals(client.next().binary(), binary), is(true));
        }
    }

    @Test
    void forwardsPathQueryHeadersAndSubprotocol() throws Exception {
        try (JdkClient client = JdkClient.connect(
                gateway.ws("/ws/v1/node/a/./b/../c%20d/?x=1&y=%20z"),
                Map.of("Authorization", "Basic dXNlcjpwYXNz", "Cookie", "session=42", "X-Custom", "custom value"),
                List.of("chat", "proto.v2"))) {
            assertThat(client.subprotocol(), is("proto.v2"));
            client.sendText("handshake?");
            String handshake = client.nextText();
            assertThat(handshake, containsString("\"path\":\"/svc/a/c%20d/\""));
            assertThat(handshake, containsString("\"query\":\"x=1&y=%20z\""));
            assertThat(handshake, containsString("\"authorization\":\"Basic dXNlcjpwYXNz\""));
            assertThat(handshake, containsString("\"cookie\":\"session=42\""));
            assertThat(handshake, containsString("\"x-custom\":\"custom value\""));
            assertThat(handshake, containsString("\"host\":\"127.0.0.1:" + node.port() + "\""));
            assertThat(handshake, containsString("\"x-forwarded-for\":\"127.0.0.1\""));
            assertThat(handshake, containsString("\"x-forwarded-proto\":\"http\""));
            assertThat(handshake, containsString("\"x-forwarded-host\":\"127.0.0.1:" + gateway.port() + "\""));
            assertThat(handshake, containsString("\"x-forwarded-port\":\"" + gateway.port() + "\""));
            assertThat(handshake, containsString("\"sec-websocket-protocol\":\"chat, proto.v2\""));
            assertThat(handshake, containsString("\"connection\":\"Upgrade\""));
            assertThat(handshake, containsString("\"protocol\":\"proto.v2\""));
        }
    }

    @Test
    void picksTheRouteOfTheRequestedVersion() throws Exception {
        try (JdkClient client = JdkClient.connect(gateway.ws("/node/ws/v2/x"))) {
            client.sendText("handshake?");
            assertThat(client.nextText(), containsString("\"path\":\"/v2/x\""));
        }
    }

    @Test
    void upstreamFramesSentRightAfterItsHandshakeArrive() throws Exception {
        try (JdkClient client = JdkClient.connect(gateway.ws("/ws/v1/greet/x"))) {
            assertThat(client.nextText(), is("hello"));
            client.sendText("after");
            assertThat(client.nextText(), is("after"));
        }
    }

    @Test
    void utf8CharacterSplitAcrossFramesArrivesIntact() throws Exception {
        try (RawWsClient raw = RawWsClient.connect(gateway.port(), "/ws/v1/node/utf8")) {
            assertThat(raw.status(), is(101));
            byte[] euro = "€".getBytes(StandardCharsets.UTF_8);
            raw.send(false, 0x1, new byte[] {'a', euro[0]});
            raw.send(true, 0x9, "mid".getBytes(StandardCharsets.UTF_8));
            raw.send(false, 0x0, new byte[] {euro[1]});
            raw.send(true, 0x0, new byte[] {euro[2], 'b'});
            assertThat(raw.readUntil(0xA).text(), is("mid"));
            RawWsClient.Frame echo = raw.readUntil(0x1);
            assertThat(echo.text(), is("a€b"));
            raw.sendClose(1000, "");
            assertThat(raw.readUntil(0x8).closeCode(), is(1000));
        }
    }

    @Test
    void pingAndPongPassThroughWithTheirPayload() throws Exception {
        try (RawWsClient raw = RawWsClient.connect(gateway.port(), "/ws/v1/node/ping")) {
            raw.send(true, 0x9, "are you there".getBytes(StandardCharsets.UTF_8));
            assertThat(raw.readUntil(0xA).text(), is("are you there"));
            raw.sendClose(1000, "");
            raw.readUntil(0x8);
        }
    }

    @Test
    void applicationCloseCodesPassBothWays() throws Exception {
        try (JdkClient client = JdkClient.connect(gateway.ws("/ws/v1/node/close-by-server"))) {
            client.sendText("close:4100:server says bye");
            client.assertClosed(4100, is("server says bye"));
        }
        try (JdkClient client = JdkClient.connect(gateway.ws("/ws/v1/node/close-by-client"))) {
            client.close(4321, "client says bye");
            client.awaitClose(Duration.ofSeconds(5));
        }
        assertThat(node.lastCloseSeen("/close-by-client"), is("{\"code\":4321,\"reason\":\"client says bye\"}"));
    }

    @Test
    void aMessageOverTheLimitClosesWith1009AndTheLimitItselfPasses() throws Exception {
        try (JdkClient client = JdkClient.connect(gateway.ws("/ws/v1/node/big"))) {
            byte[] max = new byte[1_048_576];
            ThreadLocalRandom.current().nextBytes(max);
            client.sendBinary(max);
            assertThat(Arrays.equals(client.next().binary(), max), is(true));
            client.sendBinary(new byte[1_048_577]);
            client.assertClosed(Duration.ofSeconds(10), 1009, containsString("1048576"));
        }
        assertThat(node.lastCloseSeen("/big"), startsWith("{\"code\":1001"));
    }

    @Test
    void aFragmentedMessageOverTheLimitClosesWith1009() throws Exception {
        try (RawWsClient raw = RawWsClient.connect(gateway.port(), "/ws/v1/node/fragments")) {
            byte[] part = new byte[400_000];
            raw.send(false, 0x2, part);
            raw.send(false, 0x0, part);
            raw.send(true, 0x0, part);
            RawWsClient.Frame close = raw.readUntil(0x8);
            assertThat(close.closeCode(), is(1009));
            raw.sendClose(1009, "");
            assertThat(raw.awaitEof(), is(true));
        }
    }

    @Test
    void aMessageInMoreFragmentsThanTheSettingAllowsClosesWith1008() throws Exception {
        try (RawWsClient raw = RawWsClient.connect(gateway.port(), "/ws/v1/node/many-fragments")) {
            // max-message-fragments: 64; the first frame and 63 continuations pass, the 65th frame is one too many
            raw.send(false, 0x1, "a".getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < 64; i++) {
                raw.send(false, 0x0, new byte[0]);
            }
            RawWsClient.Frame close = raw.readUntil(0x8);
            assertThat(close.closeCode(), is(1008));
            raw.sendClose(1008, "");
            assertThat(raw.awaitEof(), is(true));
        }
    }

    /**
     * A client whose frame follows its close frame (here in the same write, and too big to be read with it) gets the
     * gateway's close and then the end of the stream: the gateway half-closes and reads what is left before it
     * closes the socket. Closing with those bytes unread would send a reset instead of a FIN, and a reset makes the
     * client's next read fail ("Connection reset") and discards what it had not read yet.
     */
    @Test
    void aFrameAfterTheClientsCloseGetsTheEndOfTheStreamNotAReset() throws Exception {
        try (RawWsClient raw = RawWsClient.connect(gateway.port(), "/ws/v1/node/linger")) {
            raw.sendText("close:1000:bye");
            RawWsClient.Frame close = raw.readUntil(0x8);
            assertThat(close.closeCode(), is(1000));
            byte[] trailing = RawWsClient.encode(true, 0x2, new byte[512 * 1024], true);
            byte[] closeFrame = RawWsClient.encode(true, 0x8, new byte[] {0x03, (byte) 0xE8}, true);
            byte[] both = new byte[closeFrame.length + trailing.length];
            System.arraycopy(closeFrame, 0, both, 0, closeFrame.length);
            System.arraycopy(trailing, 0, both, closeFrame.length, trailing.length);
            raw.sendRaw(both);
            raw.setReadTimeout(5000);
            Thread.sleep(300);
            // the end of the stream, not a SocketException("Connection reset")
            assertThat(raw.socket().getInputStream().read(), is(-1));
        }
    }

    @Test
    void unmaskedClientFrameIsAProtocolError() throws Exception {
        try (RawWsClient raw = RawWsClient.connect(gateway.port(), "/ws/v1/node/unmasked")) {
            raw.send(true, 0x1, "plain".getBytes(StandardCharsets.UTF_8), false);
            assertThat(raw.readUntil(0x8).closeCode(), is(1002));
            assertThat(raw.awaitEof(), is(true));
        }
    }

    @Test
    void clientDisconnectingWithoutCloseFrameClosesUpstreamWith1001() throws Exception {
        RawWsClient raw = RawWsClient.connect(gateway.port(), "/ws/v1/node/drop");
        raw.sendText("x");
        assertThat(raw.read().text(), is("x"));
        raw.close();
        gateway.awaitNoSessions(Duration.ofSeconds(3));
        assertThat(node.lastCloseSeen("/drop"), is("{\"code\":1001,\"reason\":\"Client closed the connection without a "
                                                     + "close frame\"}"));
    }

    @Test
    void aSilentClientIsDetectedByPingsAndItsUpstreamClosed() throws Exception {
        try (RawWsClient raw = RawWsClient.connect(gateway.port(), "/ws/v1/node/silent-client")) {
            raw.answerGatewayPings(false);
            long start = System.nanoTime();
            TestGateway.await(() -> gateway.gateway().sessions().size() == 1, Duration.ofSeconds(2), "session listed");
            // the client neither reads nor answers: after ping-interval + pong-timeout (2 s) it is declared dead
            gateway.awaitNoSessions(Duration.ofSeconds(6));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat("dead client detected after " + millis + " ms", millis >= 1_900, is(true));
            assertThat(node.lastCloseSeen("/silent-client"), containsString("\"code\":1001"));
        }
    }

    @Test
    void upstreamVanishingClosesTheClientWith1001() throws Exception {
        try (JdkClient client = JdkClient.connect(gateway.ws("/ws/v1/node/vanish"))) {
            client.sendText("drop");
            client.assertClosed(1001, is("Upstream closed the connection without a close frame"));
        }
    }

    @Test
    void aFrozenUpstreamIsDetectedByPings() throws Exception {
        try (NodeUpstream frozen = NodeUpstream.start();
                TestGateway gw = TestGateway.start(TestGateway.service("frozen", "/svc", frozen.port()) + """
                        gateway:
                          failover:
                            enabled: false
                          relay:
                            ping-interval: PT0.5S
                            pong-timeout: PT0.5S
                        """);
                JdkClient client = JdkClient.connect(gw.ws("/ws/v1/frozen/x"))) {
            client.sendText("one");
            assertThat(client.nextText(), is("one"));
            signal("STOP", frozen.pid());
            try {
                client.assertClosed(1001, containsString("Upstream"));
                gw.awaitNoSessions(Duration.ofSeconds(5));
            } finally {
                signal("CONT", frozen.pid());
            }
        }
    }

    @Test
    void aKilledUpstreamClosesItsClientsWith1001() throws Exception {
        NodeUpstream victim = NodeUpstream.start();
        try (TestGateway gw = TestGateway.start(TestGateway.service("victim", "/svc", victim.port()) + """
                gateway:
                  failover:
                    enabled: false
                """);
                JdkClient client = JdkClient.connect(gw.ws("/ws/v1/victim/x"))) {
            client.sendText("one");
            assertThat(client.nextText(), is("one"));
            victim.kill();
            assertThat(client.awaitClose(Duration.ofSeconds(5)).closeCode(), is(1001));
            gw.awaitNoSessions(Duration.ofSeconds(5));
        } finally {
            victim.close();
        }
    }

    @Test
    void sessionsAreListedWhileOpenAndGoneAfter() throws Exception {
        try (JdkClient client = JdkClient.connect(gateway.ws("/ws/v1/node/listed?q=1"))) {
            client.sendText("one");
            client.nextText();
            String list = get("/application/websockets?serviceId=NODE").body();
            // query values are redacted in the listing (they may carry tokens)
            assertThat(list, containsString("\"gatewayPath\":\"/ws/v1/node/listed?q=***\""));
            assertThat(list, containsString("\"serviceUrl\":\"ws://127.0.0.1:" + node.port() + "/svc/listed?q=***\""));
            assertThat(list, containsString("\"serviceId\":\"node\""));
            assertThat(list, containsString("\"messagesIn\":1"));
            assertThat(list, containsString("\"messagesOut\":1"));
            assertThat(get("/application/websockets?serviceId=helidon").body(), is("[]"));
        }
        gateway.awaitNoSessions(Duration.ofSeconds(5));
        assertThat(get("/application/websockets").body(), is("[]"));
    }

    @Test
    void handshakeFailuresAreHttpStatusesWithJsonBodies() throws Exception {
        assertRefused("/ws/v1/nosuch/x", 404, "unknown_service");
        assertRefused("/ws/v9/node/x", 404, "unknown_route");
        assertRefused("/ws/v1/down/x", 503, "no_instance");
        assertRefused("/ws/v1/dead/x", 502, "upstream_refused");
        assertRefused("/ws/v1/silent/x", 504, "upstream_timeout");
        assertRefused("/ws/v1/forbidden/x", 403, "forbidden");
        assertRefused("/ws/v1/node/a/../../x", 400, "bad_path");
        assertRefused("/ws/v1/node/%2e%2e/x", 400, "bad_path");
        assertRefused("/ws/v1/node/a%2Fb", 400, "bad_path");
        assertRefused("/somewhere/else", 404, "not_found");
    }

    @Test
    void upstreamUnauthorizedIsPassedWithItsChallengeAndCredentialsPassThrough() throws Exception {
        try (RawWsClient raw = RawWsClient.connect(gateway.port(), "/ws/v1/auth/x")) {
            assertThat(raw.status(), is(401));
            assertThat(raw.headers().get("www-authenticate"), is("Basic realm=\"upstream\""));
            assertThat(raw.body(), containsString("\"error\":\"unauthorized\""));
        }
        try (JdkClient client = JdkClient.connect(gateway.ws("/ws/v1/auth/x"),
                                                  Map.of("Authorization", "Basic dXNlcjpwYXNz"), List.of())) {
            client.sendText("in");
            assertThat(client.nextText(), is("in"));
        }
    }

    @Test
    void badHandshakesAreRefused() throws Exception {
        HttpResponse<String> plain = get("/ws/v1/node/x");
        assertThat(plain.statusCode(), is(400));
        assertThat(plain.body(), containsString("upgrade_required"));

        byte[] noKey = ("GET /ws/v1/node/x HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        try (RawWsClient raw = RawWsClient.handshake(gateway.port(), noKey)) {
            assertThat(raw.status(), is(400));
        }
        byte[] version8 = ("GET /ws/v1/node/x HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        try (RawWsClient raw = RawWsClient.handshake(gateway.port(), version8)) {
            assertThat(raw.status(), is(426));
            assertThat(raw.headers().get("sec-websocket-version"), is("13"));
        }
    }

    @Test
    void nodeClientWithPermessageDeflateAndSubprotocolPassesEndToEnd() throws Exception {
        Process nodeClient = new ProcessBuilder("node", "client.js", gateway.ws("/ws/v1/node/deflate").toString())
                .directory(java.nio.file.Path.of("src/test/node").toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try (java.io.BufferedReader out = new java.io.BufferedReader(
                new java.io.InputStreamReader(nodeClient.getInputStream(), StandardCharsets.UTF_8));
                java.io.Writer in = new java.io.OutputStreamWriter(nodeClient.getOutputStream(), StandardCharsets.UTF_8)) {
            String result = out.readLine();
            assertThat(result, containsString("\"protocol\":\"proto.node\""));
            assertThat(result, containsString("\"extensions\":\"permessage-deflate"));
            assertThat(result, containsString("\"echoes\":[\"hello ☃\",\"fragmented ☃\",\"binary:102400:ok\"]"));
            // frames crossed the gateway compressed: 100 KiB of 'a' is a few hundred bytes on the wire
            String list = get("/application/websockets?serviceId=node").body();
            java.util.regex.Matcher bytesIn = java.util.regex.Pattern.compile("\"bytesIn\":(\\d+)").matcher(list);
            assertThat(list, bytesIn.find(), is(true));
            assertThat(list, Long.parseLong(bytesIn.group(1)) < 10_000, is(true));
            in.write("close\n");
            in.flush();
            assertThat(out.readLine(), is("{\"closeCode\":4002,\"closeReason\":\"node done\"}"));
        } finally {
            nodeClient.destroy();
        }
        assertThat(node.lastCloseSeen("/deflate"), is("{\"code\":4002,\"reason\":\"node done\"}"));
    }

    @Test
    void quietSessionsSurviveTheGatewaysPingsOnBothLegs() throws Exception {
        try (JdkClient client = JdkClient.connect(gateway.ws("/ws/v1/node/quiet"))) {
            // ping-interval + pong-timeout is 2 s here: stay quiet for 3.5 s; the gateway pings both peers (masked
            // toward the service, which drops a connection on an unmasked frame) and both answer
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(3_500).toNanos());
            client.sendText("still open");
            assertThat(client.nextText(), is("still open"));
        }
    }

    @Test
    void idleSessionsAreClosedOnBothSidesWith1001() throws Exception {
        try (TestGateway gw = TestGateway.start(TestGateway.service("idle", "/svc", node.port()) + """
                gateway:
                  relay:
                    idle-timeout: PT0.5S
                """);
                JdkClient client = JdkClient.connect(gw.ws("/ws/v1/idle/idle-x"))) {
            client.sendText("one");
            assertThat(client.nextText(), is("one"));
            client.assertClosed(1001, is("Idle timeout"));
            gw.awaitNoSessions(Duration.ofSeconds(5));
        }
        assertThat(node.lastCloseSeen("/idle-x"), is("{\"code\":1001,\"reason\":\"Idle timeout\"}"));
    }

    @Test
    void aCloseCodeThatMayNotBeSentIsAProtocolError() throws Exception {
        try (RawWsClient raw = RawWsClient.connect(gateway.port(), "/ws/v1/node/code1005")) {
            raw.sendClose(1005, "");
            assertThat(raw.readUntil(0x8).closeCode(), is(1002));
        }
        assertThat(node.lastCloseSeen("/code1005"), startsWith("{\"code\":1001"));
    }

    @Test
    void aClientLeavingDuringTheUpstreamHandshakeLeaksNothing() throws Exception {
        int before = openAtNode();
        for (int i = 0; i < 5; i++) {
            RawWsClient raw = RawWsClient.handshakeOnly(gateway.port(), "/ws/v1/slow/leaver" + i);
            raw.close();
        }
        // the upstream finishes its handshakes after 500 ms; the gateway then finds the clients gone
        gateway.awaitNoSessions(Duration.ofSeconds(5));
        TestGateway.await(() -> {
            try {
                return openAtNode() == before;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, Duration.ofSeconds(5), "upstream connections released");
    }

    @Test
    void helidonsIdleConnectionTimerNeverClosesASession() throws Exception {
        try (TestGateway gw = TestGateway.start(TestGateway.service("quiet", "/svc", node.port()) + """
                server:
                  idle-connection-timeout: PT0.3S
                  idle-connection-period: PT0.1S
                gateway:
                  relay:
                    ping-interval: PT0S
                """);
                JdkClient client = JdkClient.connect(gw.ws("/ws/v1/quiet/x"))) {
            client.sendText("one");
            assertThat(client.nextText(), is("one"));
            // no frames at all (gateway pings off) for well over Helidon's idle timeout
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(1_500).toNanos());
            client.sendText("two");
            assertThat(client.nextText(), is("two"));
        }
    }

    @Test
    void theUpgradeTokenIsCaseInsensitive() throws Exception {
        byte[] request = ("GET /ws/v1/node/case HTTP/1.1\r\nHost: x\r\nUpgrade: WEBSOCKET\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        try (RawWsClient raw = RawWsClient.handshake(gateway.port(), request)) {
            assertThat(raw.status(), is(101));
            raw.sendText("shouted");
            assertThat(raw.read().text(), is("shouted"));
            raw.sendClose(1000, "");
            raw.readUntil(0x8);
        }
    }

    private static int openAtNode() throws Exception {
        try (JdkClient probe = JdkClient.connect(URI.create("ws://127.0.0.1:" + node.port() + "/probe"))) {
            probe.sendText("count?");
            String count = probe.nextText();
            // the probe itself is one of them
            return Integer.parseInt(count.replaceAll("\\D", "")) - 1;
        }
    }

    private static void assertRefused(String path, int status, String error) throws Exception {
        try (RawWsClient raw = RawWsClient.connect(gateway.port(), path)) {
            assertThat(path, raw.status(), is(status));
            assertThat(raw.headers().get("content-type"), is("application/json"));
            String body = raw.body();
            assertThat(body, startsWith("{\"status\":" + status + ",\"error\":\"" + error + "\",\"message\":\""));
            assertThat(body, not(containsString("Exception")));
        }
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(gateway.http(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void signal(String signal, long pid) throws Exception {
        new ProcessBuilder("kill", "-" + signal, String.valueOf(pid)).inheritIO().start().waitFor();
    }

}
