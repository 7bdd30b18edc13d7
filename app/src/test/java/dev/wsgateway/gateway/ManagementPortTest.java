package dev.wsgateway.gateway;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import dev.wsgateway.testsupport.JdkClient;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * {@code gateway.management.port}: health, metrics and the session listing move to their own port; the gateway port
 * keeps only the WebSocket routes.
 */
class ManagementPortTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @RegisterExtension
    static final Teardown TEARDOWN = new Teardown();

    private static NodeUpstream node;
    private static TestGateway gateway;
    private static int managementPort;

    @BeforeAll
    static void start() throws Exception {
        node = TEARDOWN.closeAfterAll(NodeUpstream.start());
        gateway = TEARDOWN.gateway(TestGateway.start("""
                gateway:
                  management:
                    port: 0
                """ + TestGateway.service("mgmt", "/svc", node.port())));
        managementPort = gateway.gateway().managementPort();
    }

    @Test
    void observeEndpointsAreOnTheManagementPortOnly() throws Exception {
        assertThat(managementPort, not(is(gateway.port())));
        assertThat(get(managementPort, "/application/health").statusCode(), is(200));
        assertThat(get(managementPort, "/application/health/ready").statusCode(), is(200));
        assertThat(get(managementPort, "/application/websockets").body(), is("[]"));
        assertThat(get(managementPort, "/application/metrics").body(), containsString("wsgateway_discovery_instances"));
        assertThat(get(managementPort, "/application/console").body(), containsString("<title>WebSocket gateway console"));

        assertThat(get(gateway.port(), "/application/health").statusCode(), is(404));
        assertThat(get(gateway.port(), "/application/metrics").statusCode(), is(404));
        assertThat(get(gateway.port(), "/application/websockets").statusCode(), is(404));
        assertThat(get(gateway.port(), "/application/console").statusCode(), is(404));
    }

    @Test
    void sessionsOnTheGatewayPortAreListedOnTheManagementPort() throws Exception {
        try (JdkClient client = JdkClient.connect(gateway.ws("/ws/v1/mgmt/x"))) {
            client.sendText("one");
            assertThat(client.nextText(), is("one"));
            String list = get(managementPort, "/application/websockets").body();
            assertThat(list, containsString("\"serviceId\":\"mgmt\""));
            String id = ObserveTest.sessionId(list);
            HttpResponse<String> deleted = HTTP.send(
                    HttpRequest.newBuilder(uri(managementPort, "/application/websockets/" + id)).DELETE().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(deleted.statusCode(), is(200));
            assertThat(client.awaitClose(Duration.ofSeconds(5)).closeCode(), is(1008));
            assertThat(get(managementPort, "/application/websockets").body(), not(containsString(id)));
        }
        gateway.awaitNoSessions(Duration.ofSeconds(5));
        String scrape = ObserveTest.scrape(uri(managementPort, "/application/metrics"));
        assertThat(ObserveTest.sample(scrape, "wsgateway_sessions_opened_total", "service=\"mgmt\""), is(1.0));
        assertThat(ObserveTest.sample(scrape, "wsgateway_sessions_closed_total", "service=\"mgmt\"", "code=\"1008\""),
                   is(1.0));
    }

    private static URI uri(int port, String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri(port, path)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
