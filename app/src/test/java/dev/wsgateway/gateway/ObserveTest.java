package dev.wsgateway.gateway;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.wsgateway.gateway.relay.RelaySession;
import dev.wsgateway.testsupport.JdkClient;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;

/**
 * Diagnostics end to end: a real gateway, a real Node upstream, real clients; the Prometheus endpoint is scraped over
 * HTTP and the values are checked as sessions open, relay and close.
 */
class ObserveTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration WAIT = Duration.ofSeconds(5);

    @RegisterExtension
    static final Teardown TEARDOWN = new Teardown();

    private static NodeUpstream node;
    private static TestGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        node = TEARDOWN.closeAfterAll(NodeUpstream.start());
        gateway = TEARDOWN.gateway(TestGateway.start("""
                gateway:
                  relay:
                    ping-interval: PT1S
                    pong-timeout: PT1S
                    close-timeout: PT2S
                """ + TestGateway.services()
                .add("node", node.port(), "/svc")
                .add("down", node.port(), "/svc", "DOWN")
                .yaml()));
    }

    @Test
    void metricsMoveAsSessionsOpenRelayAndClose() throws Exception {
        String node = "service=\"node\"";
        double opened = metric("wsgateway_sessions_opened_total", node);
        double closed4001 = metric("wsgateway_sessions_closed_total", node, "code=\"4001\"");
        double msgIn = metric("wsgateway_messages_total", node, "direction=\"in\"");
        double msgOut = metric("wsgateway_messages_total", node, "direction=\"out\"");
        double bytesIn = metric("wsgateway_bytes_total", node, "direction=\"in\"");
        double bytesOut = metric("wsgateway_bytes_total", node, "direction=\"out\"");
        double connects = metric("wsgateway_upstream_connect_seconds_count", node, "outcome=\"success\"");

        try (JdkClient client = JdkClient.connect(gateway.ws("/ws/v1/node/metrics"))) {
            awaitMetric("wsgateway_sessions_active", 1, node);
            awaitMetric("wsgateway_sessions_opened_total", opened + 1, node);
            awaitMetric("wsgateway_upstream_connect_seconds_count", connects + 1, node, "outcome=\"success\"");

            client.sendText("hello");                        // 5 bytes
            assertThat(client.nextText(), is("hello"));
            client.sendBinary(new byte[1000]);
            assertThat(client.next().binary().length, is(1000));
            // live sessions count at scrape time
            awaitMetric("wsgateway_messages_total", msgIn + 2, node, "direction=\"in\"");
            awaitMetric("wsgateway_messages_total", msgOut + 2, node, "direction=\"out\"");
            awaitMetric("wsgateway_bytes_total", bytesIn + 1005, node, "direction=\"in\"");
            awaitMetric("wsgateway_bytes_total", bytesOut + 1005, node, "direction=\"out\"");

            client.sendText("close:4001:bye");               // 14 bytes in; the service closes with 4001
            JdkClient.Received close = client.awaitClose(WAIT);
            assertThat(close.closeCode(), is(4001));
        }
        gateway.awaitNoSessions(WAIT);
        awaitMetric("wsgateway_sessions_active", 0, node);
        awaitMetric("wsgateway_sessions_closed_total", closed4001 + 1, node, "code=\"4001\"");
        // ended sessions keep counting in the totals (no drop when a session moves from live to ended)
        assertThat(metric("wsgateway_messages_total", node, "direction=\"in\""), is(msgIn + 3));
        assertThat(metric("wsgateway_messages_total", node, "direction=\"out\""), is(msgOut + 2));
        assertThat(metric("wsgateway_bytes_total", node, "direction=\"in\""), is(bytesIn + 1019));
        assertThat(metric("wsgateway_bytes_total", node, "direction=\"out\""), is(bytesOut + 1005));
    }

    @Test
    void rejectedHandshakeCountsByStatusAndReason() throws Exception {
        double before = metric("wsgateway_handshake_rejections_total", "status=\"404\"", "reason=\"unknown_service\"");
        double before503 = metric("wsgateway_handshake_rejections_total", "status=\"503\"", "reason=\"no_instance\"");
        assertThat(JdkClient.refusedStatus(gateway.ws("/ws/v1/nosuch/x"), Map.of()), is(404));
        assertThat(JdkClient.refusedStatus(gateway.ws("/ws/v1/down/x"), Map.of()), is(503));
        awaitMetric("wsgateway_handshake_rejections_total", before + 1, "status=\"404\"", "reason=\"unknown_service\"");
        awaitMetric("wsgateway_handshake_rejections_total", before503 + 1, "status=\"503\"", "reason=\"no_instance\"");
    }

    @Test
    void discoveryMetrics() throws Exception {
        assertThat(metric("wsgateway_discovery_instances", "service=\"node\"", "status=\"UP\""), is(1.0));
        assertThat(metric("wsgateway_discovery_instances", "service=\"down\"", "status=\"DOWN\""), is(1.0));
        assertThat(metric("wsgateway_discovery_instances", "service=\"down\"", "status=\"UP\""), is(0.0));
        double age = metric("wsgateway_discovery_last_refresh_age_seconds");
        assertThat(age, greaterThanOrEqualTo(0.0));
        assertThat(age, lessThan(600.0));
        // JVM meters under the names JVM dashboards expect (Micrometer binders)
        assertThat(scrape(), containsString("jvm_memory_used_bytes{area=\"heap\""));
    }

    @Test
    void deleteClosesALiveSessionOnBothSides() throws Exception {
        double closed1008 = metric("wsgateway_sessions_closed_total", "service=\"node\"", "code=\"1008\"");
        try (JdkClient client = JdkClient.connect(gateway.ws("/ws/v1/node/deleted?token=secret"))) {
            client.sendText("one");
            client.nextText();
            String list = get("/application/websockets").body();
            String id = sessionId(list);
            // query values are redacted in the listing
            assertThat(list, containsString("\"gatewayPath\":\"/ws/v1/node/deleted?token=***\""));
            assertThat(list, not(containsString("secret")));

            HttpResponse<String> deleted = delete("/application/websockets/" + id);
            assertThat(deleted.statusCode(), is(200));
            assertThat(deleted.body(), containsString("\"closed\":true"));
            client.assertClosed(WAIT, 1008, is("Closed by the gateway operator"));
            assertThat(get("/application/websockets").body(), not(containsString(id)));
            assertThat(node.lastCloseSeen("/deleted"), containsString("\"code\":1001"));

            HttpResponse<String> again = delete("/application/websockets/" + id);
            assertThat(again.statusCode(), is(404));
            assertThat(again.body(), containsString("\"error\":\"unknown_session\""));
        }
        gateway.awaitNoSessions(WAIT);
        awaitMetric("wsgateway_sessions_closed_total", closed1008 + 1, "service=\"node\"", "code=\"1008\"");
    }

    @Test
    void failoversAreCountedPerSessionAndService() throws Exception {
        try (NodeUpstream a = NodeUpstream.start();
                NodeUpstream b = NodeUpstream.start();
                TestGateway gw = TestGateway.start(TestGateway.service("moving", "/svc", a.port(), b.port()))) {
            double before = metric("wsgateway_failovers_total", "service=\"moving\"");
            try (JdkClient client = JdkClient.connect(gw.ws("/ws/v1/moving/x"))) {
                client.sendText("one");
                client.nextText();
                RelaySession session = gw.gateway().sessions().sessions().iterator().next();
                assertThat(session.failovers(), is(0));
                (session.info().serviceUrl().getPort() == a.port() ? a : b).kill();
                client.sendText("two");
                assertThat(client.nextText(), is("two"));
                String list = HTTP.send(HttpRequest.newBuilder(gw.http("/application/websockets")).build(),
                                        HttpResponse.BodyHandlers.ofString()).body();
                assertThat(list, containsString("\"failovers\":1"));
                awaitMetric("wsgateway_failovers_total", before + 1, "service=\"moving\"");
            }
        }
    }

    @Test
    void abruptClientDropLeavesNoStaleEntry() throws Exception {
        // all close codes: the code recorded is the one the gateway last tried to send the vanished client
        double dropped = metric("wsgateway_sessions_closed_total", "service=\"node\"");
        RawWsClient raw = RawWsClient.connect(gateway.port(), "/ws/v1/node/dropped");
        assertThat(raw.status(), is(101));
        raw.sendText("x");
        raw.read();
        assertThat(get("/application/websockets").body(), containsString("/ws/v1/node/dropped"));
        raw.socket().setSoLinger(true, 0);
        raw.close();                                         // RST, no close frame
        TestGateway.await(() -> {
            try {
                return get("/application/websockets").body().equals("[]");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, WAIT, "session still listed after the client dropped");
        awaitMetric("wsgateway_sessions_closed_total", dropped + 1, "service=\"node\"");
        awaitMetric("wsgateway_sessions_active", 0, "service=\"node\"");
    }

    @Test
    void observeEndpointsOnTheGatewayPortByDefault() throws Exception {
        assertThat(get("/application/health").statusCode(), is(200));
        assertThat(get("/application/health/ready").statusCode(), is(200));
        HttpResponse<String> metrics = get("/application/metrics");
        assertThat(metrics.statusCode(), is(200));
        assertThat(metrics.headers().firstValue("Content-Type").orElse(""), containsString("text/plain"));
        assertThat(gateway.gateway().managementPort(), is(gateway.port()));
    }

    // --- helpers

    static String sessionId(String list) {
        Matcher m = Pattern.compile("\"sessionId\":\"([0-9a-f]+)\"").matcher(list);
        if (!m.find()) {
            throw new AssertionError("no session listed: " + list);
        }
        return m.group(1);
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(gateway.http(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> delete(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(gateway.http(path)).DELETE().build(),
                         HttpResponse.BodyHandlers.ofString());
    }

    static String scrape(URI uri) throws Exception {
        HttpResponse<String> res = HTTP.send(HttpRequest.newBuilder(uri).header("Accept", "text/plain").build(),
                                             HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertThat(res.statusCode(), is(200));
        return res.body();
    }

    private static String scrape() throws Exception {
        return scrape(gateway.http("/application/metrics"));
    }

    /**
     * Sum of the samples with this name having all these labels ({@code key="value"}), 0 if there is none
     * (histogram buckets and quantiles excluded).
     */
    static double sample(String scrape, String name, String... labels) {
        double sum = 0;
        for (String line : scrape.split("\n")) {
            if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            String head = line.substring(0, space);
            boolean all = !head.contains("quantile=") && !head.contains("le=");
            for (String label : labels) {
                all &= head.contains(label);
            }
            if (all) {
                sum += Double.parseDouble(line.substring(space + 1));
            }
        }
        return sum;
    }

    private static double metric(String name, String... labels) throws Exception {
        return sample(scrape(), name, labels);
    }

    private static void awaitMetric(String name, double expected, String... labels) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        double last = metric(name, labels);
        while (last != expected) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(name + " " + String.join(",", labels) + ": expected " + expected + " but was "
                                                 + last);
            }
            LockSupport.parkNanos(20_000_000);
            last = metric(name, labels);
        }
    }
}
