package dev.wsgateway.gateway;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.logging.LogRecord;

import dev.wsgateway.testsupport.JdkClient;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * Basic authentication modes per route, origin policy, observe protection, session and rate limits, header
 * injection and the 431 for oversized headers, with real clients (the JDK's WebSocket and HTTP clients, raw sockets).
 */
class SecurityTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String ALICE_PASSWORD = "s3cret-alice-pw";

    @RegisterExtension
    static final Teardown TEARDOWN = new Teardown();

    private static LogCapture logs;

    private static HeaderEchoUpstream upstream;
    private static TestGateway gateway;

    @BeforeAll
    static void start() {
        logs = TEARDOWN.closeAfterAll(LogCapture.attach());
        upstream = TEARDOWN.closeAfterAll(HeaderEchoUpstream.plain());
        TestGateway.Services services = TestGateway.services();
        for (String id : List.of("open", "secure", "forwarding", "stripped", "web", "nocross")) {
            services.add(id, upstream.port(), "/headers");
        }
        gateway = TEARDOWN.closeAfterAll(TestGateway.start("""
                gateway:
                  security:
                    realm: test-realm
                    users:
                      - login: alice
                        password: %s
                        roles: [ws-user, admin]
                      - login: bob
                        password: bob-pw
                        roles: [guest]
                    observe:
                      protect: true
                    services:
                      secure:
                        auth: gateway
                        roles: [ws-user]
                      forwarding:
                        auth: gateway
                        forward-credentials: true
                      stripped:
                        auth: none
                      web:
                        allowed-origins: ["https://app.example.com"]
                        allow-cross-site: false
                      nocross:
                        allow-cross-site: false
                """.formatted(ALICE_PASSWORD) + services.yaml()));
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void gatewayModeRefusesMissingWrongAndRoleless() throws Exception {
        try (RawWsClient none = RawWsClient.connect(gateway.port(), "/ws/v1/secure/x")) {
            assertThat(none.status(), is(401));
            assertThat(none.headers().get("www-authenticate"), is("Basic realm=\"test-realm\""));
            assertThat(none.body(), containsString("\"unauthorized\""));
        }
        assertThat(JdkClient.refusedStatus(gateway.ws("/ws/v1/secure/x"),
                                           Map.of("Authorization", basic("alice", "wrong"))), is(401));
        assertThat(JdkClient.refusedStatus(gateway.ws("/ws/v1/secure/x"),
                                           Map.of("Authorization", "Bearer abc.def")), is(401));
        assertThat(JdkClient.refusedStatus(gateway.ws("/ws/v1/secure/x"),
                                           Map.of("Authorization", basic("bob", "bob-pw"))), is(403));
    }

    @Test
    void a401WithoutCredentialsCountsAsAChallengeAndWithWrongOnesAsUnauthorized() throws Exception {
        double challenges = rejections("challenge");
        double unauthorized = rejections("unauthorized");
        assertThat(JdkClient.refusedStatus(gateway.ws("/ws/v1/secure/challenged"), Map.of()), is(401));
        assertThat(rejections("challenge"), is(challenges + 1));
        assertThat(rejections("unauthorized"), is(unauthorized));
        assertThat(JdkClient.refusedStatus(gateway.ws("/ws/v1/secure/wrong"),
                                           Map.of("Authorization", basic("alice", "wrong"))), is(401));
        assertThat(rejections("unauthorized"), is(unauthorized + 1));
        assertThat(rejections("challenge"), is(challenges + 1));
    }

    private static double rejections(String reason) throws Exception {
        HttpResponse<String> scrape = HTTP.send(HttpRequest.newBuilder(gateway.http("/application/metrics"))
                                                        .header("Authorization", basic("alice", ALICE_PASSWORD))
                                                        .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(scrape.statusCode(), is(200));
        return ObserveTest.sample(scrape.body(), "wsgateway_handshake_rejections_total", "status=\"401\"",
                                  "reason=\"" + reason + "\"");
    }

    @Test
    void gatewayModeAuthenticatesListsUserAndStripsCredentials() throws Exception {
        try (JdkClient client = JdkClient.connect(gateway.ws("/ws/v1/secure/x"),
                                                  Map.of("Authorization", basic("alice", ALICE_PASSWORD)), List.of())) {
            assertThat(client.nextText(), is("authorization=-none-"));
            client.sendText("hi");
            assertThat(client.nextText(), is("hi"));
            HttpResponse<String> list = HTTP.send(HttpRequest.newBuilder(gateway.http("/application/websockets"))
                                                          .header("Authorization", basic("alice", ALICE_PASSWORD))
                                                          .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(list.statusCode(), is(200));
            assertThat(list.body(), containsString("\"user\":\"alice\""));
        }
        gateway.awaitNoSessions(Duration.ofSeconds(5));
        TestGateway.await(() -> logged("of user alice closed"), Duration.ofSeconds(5), "close log line with user");
        assertThat(logged("opened by user alice"), is(true));
        String token = Base64.getEncoder().encodeToString(("alice:" + ALICE_PASSWORD).getBytes(StandardCharsets.UTF_8));
        for (LogRecord r : logs.records()) {
            String line = String.valueOf(r.getMessage()) + r.getThrown();
            assertThat(line, not(containsString(ALICE_PASSWORD)));
            assertThat(line, not(containsString(token)));
        }
    }

    @Test
    void forwardCredentialsPassthroughAndNone() throws Exception {
        String alice = basic("alice", ALICE_PASSWORD);
        try (JdkClient client = JdkClient.connect(gateway.ws("/ws/v1/forwarding/x"), Map.of("Authorization", alice),
                                                  List.of())) {
            assertThat(client.nextText(), is("authorization=" + alice));
        }
        try (JdkClient client = JdkClient.connect(gateway.ws("/ws/v1/open/x"), Map.of("Authorization", "Bearer t0k"),
                                                  List.of())) {
            assertThat(client.nextText(), is("authorization=Bearer t0k"));
        }
        try (JdkClient client = JdkClient.connect(gateway.ws("/ws/v1/stripped/x"),
                                                  Map.of("Authorization", "Bearer t0k"), List.of())) {
            assertThat(client.nextText(), is("authorization=-none-"));
        }
        gateway.awaitNoSessions(Duration.ofSeconds(5));
    }

    @Test
    void observeEndpointsNeedTheAdminRole() throws Exception {
        for (String path : List.of("/application/websockets", "/application/metrics", "/application/console")) {
            HttpResponse<String> anonymous = HTTP.send(HttpRequest.newBuilder(gateway.http(path)).build(),
                                                       HttpResponse.BodyHandlers.ofString());
            assertThat(anonymous.statusCode(), is(401));
            assertThat(anonymous.headers().firstValue("WWW-Authenticate").orElse(""), containsString("Basic realm"));
            HttpResponse<String> bob = HTTP.send(HttpRequest.newBuilder(gateway.http(path))
                                                         .header("Authorization", basic("bob", "bob-pw")).build(),
                                                 HttpResponse.BodyHandlers.ofString());
            assertThat(bob.statusCode(), is(403));
            HttpResponse<String> alice = HTTP.send(HttpRequest.newBuilder(gateway.http(path))
                                                           .header("Authorization", basic("alice", ALICE_PASSWORD))
                                                           .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(alice.statusCode(), is(200));
        }
    }

    @Test
    void healthStaysOpenForProbesUnlessProtectHealthIsOn() throws Exception {
        for (String path : List.of("/application/health", "/application/health/ready", "/application/health/live")) {
            HttpResponse<String> probe = HTTP.send(HttpRequest.newBuilder(gateway.http(path)).build(),
                                                   HttpResponse.BodyHandlers.ofString());
            assertThat(path, probe.statusCode(), is(200));
        }
        try (TestGateway strict = TestGateway.start(TestGateway.service("h", "", 1) + """
                gateway:
                  security:
                    users:
                      - login: ops
                        password: ops-pw
                        roles: [admin]
                    observe:
                      protect: true
                      protect-health: true
                """)) {
            HttpResponse<String> probe = HTTP.send(HttpRequest.newBuilder(strict.http("/application/health/ready"))
                                                           .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(probe.statusCode(), is(401));
        }
    }

    @Test
    void originAllowListAndCrossSite() throws Exception {
        try (RawWsClient evil = RawWsClient.connect(gateway.port(), "/ws/v1/web/x", "Origin: https://evil.example\r\n")) {
            assertThat(evil.status(), is(403));
            assertThat(evil.body(), containsString("origin_forbidden"));
        }
        assertThat(JdkClient.refusedStatus(gateway.ws("/ws/v1/web/x"), Map.of("Origin", "https://evil.example")),
                   is(403));
        try (RawWsClient listed = RawWsClient.connect(gateway.port(), "/ws/v1/web/x",
                                                      "Origin: https://APP.example.com\r\nSec-Fetch-Site: cross-site\r\n")) {
            assertThat(listed.status(), is(101));
        }
        try (RawWsClient noOrigin = RawWsClient.connect(gateway.port(), "/ws/v1/web/x")) {
            assertThat(noOrigin.status(), is(101));
        }
        try (RawWsClient cross = RawWsClient.connect(gateway.port(), "/ws/v1/nocross/x",
                                                     "Origin: https://other.example\r\nSec-Fetch-Site: cross-site\r\n")) {
            assertThat(cross.status(), is(403));
            assertThat(cross.body(), containsString("cross_site_forbidden"));
        }
        try (RawWsClient same = RawWsClient.connect(gateway.port(), "/ws/v1/nocross/x",
                                                    "Origin: http://127.0.0.1\r\nSec-Fetch-Site: same-origin\r\n")) {
            assertThat(same.status(), is(101));
        }
        try (RawWsClient anyOrigin = RawWsClient.connect(gateway.port(), "/ws/v1/open/x",
                                                         "Origin: https://anything.example\r\nSec-Fetch-Site: cross-site\r\n")) {
            assertThat(anyOrigin.status(), is(101));
        }
        gateway.awaitNoSessions(Duration.ofSeconds(5));
    }

    @Test
    void invalidHeaderValuesNeverReachTheUpstream() throws Exception {
        int before = upstream.upgrades();
        List<String> evil = List.of("X-Evil: a\rInjected: yes\r\n", "X-Evil: a\u0000b\r\n", "X-Evil: a\u007fb\r\n",
                                    "X-Evil: a\u0001b\r\n", "X Evil: a\r\n", "X-Evil: a\nInjected: yes\r\n");
        for (String header : evil) {
            try (RawWsClient client = RawWsClient.connect(gateway.port(), "/ws/v1/open/x", header)) {
                assertThat("header " + header.replace("\r", "\\r").replace("\n", "\\n"), client.status(), is(400));
            } catch (java.io.IOException closed) {
                // closing without an answer is acceptable for broken framing
            }
        }
        assertThat(upstream.upgrades(), is(before));
    }

    @Test
    void oversizedHeadersGet431() throws Exception {
        String big = "X-Big: " + "a".repeat(20_000) + "\r\n";
        try (RawWsClient client = RawWsClient.connect(gateway.port(), "/ws/v1/open/x", big)) {
            assertThat(client.status(), is(431));
            assertThat(client.body(), containsString("headers_too_large"));
        }
    }

    @Test
    void sessionLimitsAnswer503WithRetryAfter() throws Exception {
        try (HeaderEchoUpstream echo = HeaderEchoUpstream.plain();
                TestGateway limited = withLimits("""
                        max-sessions: 3
                        max-sessions-per-client: 2
                        retry-after: PT7S
                        """, TestGateway.service("echo", "/headers", echo.port()));
                TestGateway total = withLimits("""
                        max-sessions: 2
                        max-sessions-per-client: 0
                        """, TestGateway.service("echo", "/headers", echo.port()))) {
            List<RawWsClient> open = new ArrayList<>();
            try {
                open.add(RawWsClient.connect(limited.port(), "/ws/v1/echo/a"));
                open.add(RawWsClient.connect(limited.port(), "/ws/v1/echo/b"));
                open.forEach(c -> assertThat(c.status(), is(101)));
                TestGateway.await(() -> limited.gateway().sessions().size() == 2, Duration.ofSeconds(5), "2 sessions");
                try (RawWsClient third = RawWsClient.connect(limited.port(), "/ws/v1/echo/c")) {
                    assertThat(third.status(), is(503));
                    assertThat(third.headers().get("retry-after"), is("7"));
                    assertThat(third.body(), containsString("too_many_client_sessions"));
                }
                open.removeFirst().close();
                TestGateway.await(() -> limited.gateway().sessions().size() == 1, Duration.ofSeconds(5), "1 session");
                try (RawWsClient again = RawWsClient.connect(limited.port(), "/ws/v1/echo/d")) {
                    assertThat(again.status(), is(101));
                }

                open.add(RawWsClient.connect(total.port(), "/ws/v1/echo/a"));
                open.add(RawWsClient.connect(total.port(), "/ws/v1/echo/b"));
                TestGateway.await(() -> total.gateway().sessions().size() == 2, Duration.ofSeconds(5), "2 sessions");
                try (RawWsClient third = RawWsClient.connect(total.port(), "/ws/v1/echo/c")) {
                    assertThat(third.status(), is(503));
                    assertThat(third.headers().get("retry-after"), is("5"));
                    assertThat(third.body(), containsString("too_many_sessions"));
                }
            } finally {
                for (RawWsClient c : open) {
                    c.close();
                }
            }
            limited.awaitNoSessions(Duration.ofSeconds(5));
            total.awaitNoSessions(Duration.ofSeconds(5));
        }
    }

    @Test
    void handshakeRatePerClientAnswers429() throws Exception {
        try (TestGateway limited = withLimits("""
                handshake-rate: 0.5
                handshake-burst: 3
                """, TestGateway.service("nothing", "/x", 1))) {
            for (int i = 0; i < 3; i++) {
                try (RawWsClient c = RawWsClient.connect(limited.port(), "/ws/v1/unknown/x")) {
                    assertThat(c.status(), is(404));
                }
            }
            try (RawWsClient c = RawWsClient.connect(limited.port(), "/ws/v1/unknown/x")) {
                assertThat(c.status(), is(429));
                assertThat(Integer.parseInt(c.headers().get("retry-after")), greaterThanOrEqualTo(1));
                assertThat(c.body(), containsString("rate_limited"));
            }
        }
    }

    /**
     * A gateway with these {@code gateway.security.limits} (YAML lines) and this discovery.
     */
    private static TestGateway withLimits(String limits, String discovery) {
        return TestGateway.start("gateway:\n  security:\n    limits:\n" + limits.indent(6) + discovery);
    }

    private static boolean logged(String text) {
        return logs.records().stream().anyMatch(r -> String.valueOf(r.getMessage()).contains(text));
    }

    @SuppressWarnings("unused")
    private static URI uri(String s) {
        return URI.create(s);
    }
}
