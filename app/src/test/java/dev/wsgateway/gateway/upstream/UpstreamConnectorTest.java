package dev.wsgateway.gateway.upstream;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.wsgateway.discovery.InstanceStatus;
import dev.wsgateway.discovery.ServiceInstance;
import dev.wsgateway.discovery.ServiceRoute;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link UpstreamConnector} against raw loopback upstreams ({@link ScriptedUpstream}): what a 101 must be to be
 * accepted, the typed failure of everything else, and one deadline for the whole attempt.
 */
class UpstreamConnectorTest {
    private static final UpstreamConnector CONNECTOR = new UpstreamConnector(Duration.ofSeconds(5), null);
    /** Bounds that tell the old per-read timeout from a deadline for the whole head even on a loaded machine. */
    private static final long WELL_BEFORE_MILLIS = 2000;
    private static final Map<String, List<String>> NO_HEADERS = Map.of();

    @AfterAll
    static void closeConnector() {
        CONNECTOR.close();
    }

    private static ConnectFailure failure(ScriptedUpstream upstream, Map<String, List<String>> headers,
                                          List<String> offered) {
        return assertThrows(UpstreamException.class,
                            () -> CONNECTOR.connect(upstream.target("a"), headers, offered)).failure();
    }

    @Test
    void a101IsAcceptedWithTheBytesThatFollowedIt() throws Exception {
        byte[] frame = {(byte) 0x81, 2, 'h', 'i'};
        UpstreamConnector quick = new UpstreamConnector(Duration.ofMillis(100), null);
        try (ScriptedUpstream upstream = ScriptedUpstream.switching("Sec-WebSocket-Protocol: chat\r\nX-Note: a\tb\r\n",
                                                                    frame)) {
            UpstreamConnector.Link link = quick.connect(upstream.target("a"), NO_HEADERS, List.of("v2", "chat"));
            try {
                assertThat(link.subprotocol(), is("chat"));
                assertThat(new String(link.leftover(), StandardCharsets.ISO_8859_1),
                           is(new String(frame, StandardCharsets.ISO_8859_1)));
                assertThat(link.socket().getSoTimeout(), is(0));
                assertThat(upstream.requests().getFirst(), containsString("GET /echo HTTP/1.1\r\n"));
                // the deadline timer of an attempt that ended never closes its connection afterwards
                Thread.sleep(200);
                assertThat(link.socket().isClosed(), is(false));
            } finally {
                link.close();
            }
        } finally {
            quick.close();
        }
    }

    @Test
    void aTrickled101EndsAtConnectTimeoutForTheWholeHead() throws Exception {
        // one header line every 100 ms for 5 s: each read is quick, the head never ends within 300 ms (a timeout per
        // read, as before, ended the attempt only after the last line, at 5.3 s)
        UpstreamConnector quick = new UpstreamConnector(Duration.ofMillis(300), null);
        try (ScriptedUpstream upstream = ScriptedUpstream.start((key, out) -> {
            out.write("HTTP/1.1 101 Switching Protocols\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            for (int i = 0; i < 50; i++) {
                Thread.sleep(100);
                out.write(("X-Slow-" + i + ": " + i + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
        })) {
            long start = System.nanoTime();
            UpstreamException e = assertThrows(UpstreamException.class,
                                               () -> quick.connect(upstream.target("a"), NO_HEADERS, List.of()));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(e.failure(), is(new ConnectFailure.TimedOut("a")));
            assertThat(millis, lessThan(WELL_BEFORE_MILLIS));
        } finally {
            quick.close();
        }
    }

    @Test
    void theCallersDeadlineEndsAnAttemptInProgress() throws Exception {
        UpstreamConnector patient = new UpstreamConnector(Duration.ofSeconds(30), null);
        try (ScriptedUpstream silent = ScriptedUpstream.start((key, out) -> Thread.sleep(30_000))) {
            long start = System.nanoTime();
            UpstreamException e = assertThrows(UpstreamException.class, () -> patient.connect(
                    silent.target("a"), NO_HEADERS, List.of(), start + Duration.ofMillis(150).toNanos()));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(e.failure(), is(new ConnectFailure.TimedOut("a")));
            assertThat(millis, lessThan(WELL_BEFORE_MILLIS));
            // a deadline already passed: no connection at all
            assertThrows(UpstreamException.class, () -> patient.connect(silent.target("a"), NO_HEADERS, List.of(),
                                                                        System.nanoTime() - 1));
            assertThat(silent.accepted(), is(1));
        } finally {
            patient.close();
        }
    }

    @Test
    void aTlsHandshakeThatNeverEndsEndsAtConnectTimeout() throws Exception {
        UpstreamConnector quick = new UpstreamConnector(Duration.ofMillis(300), null);
        try (ScriptedUpstream silent = ScriptedUpstream.start((key, out) -> Thread.sleep(30_000))) {
            ServiceInstance secure = new ServiceInstance("echo", "tls", "127.0.0.1", silent.port(), true,
                                                         InstanceStatus.UP, Map.of());
            UpstreamTarget target = new UpstreamTarget(secure, new ServiceRoute("ws_v1", "ws/v1", "/echo"),
                                                       URI.create("wss://127.0.0.1:" + silent.port() + "/echo"));
            long start = System.nanoTime();
            UpstreamException e = assertThrows(UpstreamException.class,
                                               () -> quick.connect(target, NO_HEADERS, List.of()));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(e.failure(), is(new ConnectFailure.TimedOut("tls")));
            assertThat(millis, lessThan(WELL_BEFORE_MILLIS));
        } finally {
            quick.close();
        }
    }

    @Test
    void aClosedPortIsRefused() throws IOException {
        int port;
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            port = probe.getLocalPort();
        }
        UpstreamException e = assertThrows(UpstreamException.class, () -> CONNECTOR.connect(
                ScriptedUpstream.target("gone", port), NO_HEADERS, List.of()));
        assertThat(e.failure(), is(new ConnectFailure.Refused("gone")));
    }

    @Test
    void anotherStatusIsARejectionWithItsChallenge() throws Exception {
        try (ScriptedUpstream upstream = ScriptedUpstream.start((key, out) -> out.write(
                "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"svc\"\r\nContent-Length: 0\r\n\r\n"
                        .getBytes(StandardCharsets.ISO_8859_1)))) {
            assertThat(failure(upstream, NO_HEADERS, List.of()),
                       is(new ConnectFailure.Rejected("a", 401, Optional.of("Basic realm=\"svc\""))));
        }
        try (ScriptedUpstream upstream = ScriptedUpstream.start((key, out) -> out.write(
                "HTTP/1.1 503 Busy\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)))) {
            assertThat(failure(upstream, NO_HEADERS, List.of()),
                       is(new ConnectFailure.Rejected("a", 503, Optional.empty())));
        }
    }

    @Test
    void aConnectionClosedBeforeTheEndOfTheHeadIsBroken() throws Exception {
        try (ScriptedUpstream upstream = ScriptedUpstream.start((key, out) -> {
            out.write("HTTP/1.1 101 Switching".getBytes(StandardCharsets.ISO_8859_1));
            out.close();
        })) {
            assertThat(failure(upstream, NO_HEADERS, List.of()), is(new ConnectFailure.Broken("a")));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            // an extension the client did not offer (it offered none)
            "Sec-WebSocket-Extensions: permessage-deflate\r\n",
            "Sec-WebSocket-Extensions: x-unknown; p=1\r\n",
            // a subprotocol it did not offer
            "Sec-WebSocket-Protocol: admin\r\n",
            // control characters in a header value: relayed to the client they would reach its parser and logs
            "X-Note: a\u0001b\r\n",
            "X-Note: \u001b[2J\r\n",
            "X-Note: a\u007fb\r\n",
            "X-Note: a\u0000b\r\n",
    })
    void a101ThatNegotiatesWhatWasNotOfferedOrCarriesControlCharactersIsABadAnswer(String header) throws Exception {
        try (ScriptedUpstream upstream = ScriptedUpstream.switching(header, new byte[0])) {
            assertThat(failure(upstream, NO_HEADERS, List.of("chat")), instanceOf(ConnectFailure.BadAnswer.class));
        }
    }

    @Test
    void a101WithoutTheRightAcceptOrUpgradeIsABadAnswer() throws Exception {
        try (ScriptedUpstream upstream = ScriptedUpstream.start((key, out) -> out.write(
                ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1)))) {
            assertThat(failure(upstream, NO_HEADERS, List.of()), instanceOf(ConnectFailure.BadAnswer.class));
        }
        try (ScriptedUpstream upstream = ScriptedUpstream.start((key, out) -> out.write(
                ScriptedUpstream.switchingHead(key, "").replace("Upgrade: websocket\r\n", "")
                        .getBytes(StandardCharsets.ISO_8859_1)))) {
            assertThat(failure(upstream, NO_HEADERS, List.of()), instanceOf(ConnectFailure.BadAnswer.class));
        }
    }

    @Test
    void offeredExtensionsAreAcceptedByNameWhateverTheirParameters() throws Exception {
        Map<String, List<String>> offer = Map.of(
                "sec-websocket-extensions", List.of("permessage-deflate; client_max_window_bits, x-webkit; q=\"a,b;c\""));
        String answered = "permessage-deflate; server_no_context_takeover, X-WebKit";
        try (ScriptedUpstream upstream = ScriptedUpstream.switching("Sec-WebSocket-Extensions: " + answered + "\r\n",
                                                                    new byte[0])) {
            UpstreamConnector.Link link = CONNECTOR.connect(upstream.target("a"), offer, List.of());
            link.close();
            assertThat(link.extensions(), is(answered));
            assertThat(upstream.requests().getFirst(), containsString("sec-websocket-extensions: permessage-deflate;"));
        }
        // a quoted comma in the offer is no extension name
        try (ScriptedUpstream upstream = ScriptedUpstream.switching("Sec-WebSocket-Extensions: b\r\n",
                                                                    new byte[0])) {
            assertThat(failure(upstream, offer, List.of()), instanceOf(ConnectFailure.BadAnswer.class));
        }
    }
}
