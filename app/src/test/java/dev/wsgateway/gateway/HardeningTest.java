package dev.wsgateway.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

import dev.wsgateway.testsupport.JdkClient;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;

/**
 * Hardening found missing by the security review (issue 23), each with a real client: {@code observe.protect} with an
 * empty role list fails closed (any authenticated user); a handshake with two {@code Authorization} headers is refused
 * and the service sees only the value checked; the management listener closes a silent or half-sent request at the
 * handshake timeout like the gateway port; and at FINE no listener logs credentials.
 */
class HardeningTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String PASSWORD = "Al1ce-hardening-pw";
    private static final String ALICE = "Basic " + Base64.getEncoder()
            .encodeToString(("alice:" + PASSWORD).getBytes(StandardCharsets.UTF_8));

    @RegisterExtension
    static final Teardown TEARDOWN = new Teardown();

    private static HeaderEchoUpstream upstream;
    private static TestGateway gateway;
    private static int management;

    @BeforeAll
    static void start() {
        upstream = TEARDOWN.closeAfterAll(HeaderEchoUpstream.plain());
        TestGateway.Services services = TestGateway.services();
        for (String id : List.of("forwarding", "open", "checked")) {
            services.add(id, upstream.port(), "/headers");
        }
        gateway = TEARDOWN.gateway(TestGateway.start("""
                gateway:
                  management:
                    port: 0
                  security:
                    users:
                      - login: alice
                        password: %s
                        roles: [ws-user]
                    observe:
                      protect: true
                      roles: []
                    limits:
                      handshake-timeout: PT1S
                    services:
                      forwarding:
                        auth: gateway
                        forward-credentials: true
                      checked:
                        auth: gateway
                """.formatted(PASSWORD) + services.yaml()));
        management = gateway.gateway().managementPort();
    }

    @Test
    void observeProtectWithAnEmptyRoleListNeedsAnAuthenticatedUser() throws Exception {
        for (String path : List.of("/application/websockets", "/application/console", "/application/metrics")) {
            assertThat(path, get(path, null).statusCode(), is(401));
            assertThat(path, get(path, "Basic " + Base64.getEncoder().encodeToString(
                    "alice:wrong".getBytes(StandardCharsets.UTF_8))).statusCode(), is(401));
            assertThat(path, get(path, ALICE).statusCode(), is(200));
        }
    }

    @Test
    void aHandshakeWithTwoAuthorizationHeadersIsRefusedAndOnlyTheCheckedValueIsForwarded() throws Exception {
        int before = upstream.upgrades();
        for (String service : List.of("forwarding", "open")) {
            try (RawWsClient twice = RawWsClient.connect(gateway.port(), "/ws/v1/" + service + "/x",
                                                         "Authorization: Bearer forged\r\nAuthorization: " + ALICE
                                                                 + "\r\n")) {
                assertThat(service, twice.status(), is(400));
                assertThat(twice.body(), containsString("bad_header"));
            }
        }
        assertThat("no refused handshake reached the service", upstream.upgrades(), is(before));
        try (JdkClient client = JdkClient.connect(gateway.ws("/ws/v1/forwarding/x"), java.util.Map.of(
                "Authorization", ALICE), List.of())) {
            assertThat(client.nextText(), is("authorization=" + ALICE));
        }
        // the observe protection too
        HttpResponse<String> observe = HTTP.send(HttpRequest.newBuilder(uri("/application/websockets"))
                                                         .header("Authorization", "Bearer forged")
                                                         .header("Authorization", ALICE).build(),
                                                 HttpResponse.BodyHandlers.ofString());
        assertThat(observe.statusCode(), is(400));
        gateway.awaitNoSessions(Duration.ofSeconds(5));
    }

    @Test
    void theManagementListenerClosesSilentAndHalfSentRequestsAtTheHandshakeTimeout() throws Exception {
        for (String sent : List.of("", "GET /application/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")) {
            try (Socket socket = new Socket("127.0.0.1", management)) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(sent.getBytes(StandardCharsets.ISO_8859_1));
                long start = System.nanoTime();
                InputStream in = socket.getInputStream();
                int read;
                try {
                    read = in.read();
                    while (read >= 0) {
                        read = in.read();
                    }
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("'" + sent.trim() + "' still open after 10 s", e);
                } catch (IOException e) {
                    read = -1;  // reset: closed as well
                }
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertThat("closed after " + millis + " ms", millis, lessThan(5_000L));
            }
        }
        assertThat(get("/application/health", null).statusCode(), is(200));
    }

    @Test
    void atFineNoListenerLogsCredentials() throws Exception {
        // as io.helidon.webserver.level=FINE (or finer) in logging.properties would
        List<Logger> loggers = List.of(Logger.getLogger("io.helidon"), Logger.getLogger("io.helidon.webserver"),
                                       Logger.getLogger("dev.wsgateway"));
        List<Level> levels = loggers.stream().map(Logger::getLevel).toList();
        loggers.forEach(logger -> logger.setLevel(Level.FINEST));
        try (LogCapture logs = LogCapture.attach()) {
            assertThat(get("/application/websockets", ALICE).statusCode(), is(200));
            get("/application/websockets", "Basic " + Base64.getEncoder()
                    .encodeToString(("alice:" + PASSWORD + "-wrong").getBytes(StandardCharsets.UTF_8)));
            // (the test's service is a Helidon server in this JVM that logs what it receives: it gets no credentials)
            try (JdkClient client = JdkClient.connect(gateway.ws("/ws/v1/checked/x"),
                                                      java.util.Map.of("Authorization", ALICE), List.of())) {
                assertThat(client.nextText(), is("authorization=-none-"));
            }
            gateway.awaitNoSessions(Duration.ofSeconds(5));
            SimpleFormatter formatter = new SimpleFormatter();
            int fine = 0;
            for (LogRecord r : logs.records()) {
                String line = formatter.format(r);
                fine += r.getLevel().intValue() <= Level.FINE.intValue() ? 1 : 0;
                assertThat(line, not(containsString(PASSWORD)));
                assertThat(line, not(containsString(ALICE.substring(6))));
            }
            assertThat("FINE records were captured", fine > 0, is(true));
        } finally {
            for (int i = 0; i < loggers.size(); i++) {
                loggers.get(i).setLevel(levels.get(i));
            }
        }
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + management + path);
    }

    private static HttpResponse<String> get(String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
