package dev.wsgateway.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.LogRecord;
import java.util.stream.Collectors;

import dev.wsgateway.testsupport.EurekaServerProcess;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Who the cluster trusts, with a real Eureka server: rogue processes registered over Eureka's REST API under the
 * gateways' app name, announcing a plain-http observe port of their own, are asked (they are UP) but receive no
 * {@code Authorization}, nothing they can replay, and their forged or oversized answers are not used; a DOWN
 * registrant is never asked; with {@code gateway.cluster.tls} a registrant cannot make the gateway speak plain http;
 * the real second gateway still answers; a cluster without its secret does not start.
 */
class ClusterTrustTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String OPS = "Basic " + Base64.getEncoder()
            .encodeToString("ops:0ps-Secret-pw".getBytes(StandardCharsets.UTF_8));

    @RegisterExtension
    static final Teardown TEARDOWN = new Teardown();

    private static EurekaServerProcess eureka;
    private static LogCapture logs;
    private static TestGateway a;
    private static TestGateway b;
    private static Rogue forging;
    private static Rogue oversized;
    private static Rogue down;

    @BeforeAll
    static void start() throws Exception {
        logs = TEARDOWN.closeAfterAll(LogCapture.attach());
        eureka = TEARDOWN.closeAfterAll(EurekaServerProcess.start());
        forging = TEARDOWN.closeAfterAll(new Rogue(100));
        oversized = TEARDOWN.closeAfterAll(new Rogue(1024 * 1024));
        down = TEARDOWN.closeAfterAll(new Rogue(100));
        register("TRUST", "rogue-forging", forging.port(), "UP", "http");
        register("TRUST", "rogue-oversized", oversized.port(), "UP", "http");
        register("TRUST", "rogue-down", down.port(), "DOWN", "http");
        String yaml = """
                gateway:
                  instance:
                    host: 127.0.0.1
                  security:
                    observe:
                      protect: true
                    users:
                      - login: ops
                        password: 0ps-Secret-pw
                        roles: [admin]
                """ + ClusterSecret.yaml("    max-answer-bytes: 65536\n");
        a = TEARDOWN.gateway(TestGateway.start(yaml + TestGateway.eureka(eureka.url(), true)
                                                       + "    app-name: TRUST\n"));
        b = TEARDOWN.gateway(TestGateway.start(yaml + "  management:\n    port: 0\n"
                                                       + TestGateway.eureka(eureka.url(), true)
                                                       + "    app-name: TRUST\n"));
        TestGateway.await(() -> {
            JsonObject view = cluster(a);
            return view != null && view.toString().contains("\"" + id(b) + "\"")
                    && !forging.requests().isEmpty() && !oversized.requests().isEmpty();
        }, Duration.ofSeconds(60), "a sees b and has asked the two UP rogues");
    }

    @Test
    void rogueRegistrantsGetNoCredentialsAndTheirAnswersAreNotUsed() throws Exception {
        // a DELETE of a session nobody holds goes to the peers too: signed, without the operator's credentials
        HttpResponse<String> deleted = send("DELETE", a, "/application/websockets/0123456789ab", OPS);
        assertThat(forging.requests().stream().anyMatch(r -> r.startsWith("DELETE ")), is(true));
        for (Rogue rogue : List.of(forging, oversized)) {
            for (String request : rogue.requests()) {
                Map<String, String> headers = headers(request);
                assertThat(request, headers, not(hasKey("authorization")));
                assertThat(request, not(containsString(OPS.substring(6))));
                assertThat(request, headers, hasKey("x-wsgateway-cluster-signature"));
            }
        }
        assertThat("a DOWN registrant is never asked", down.connections(), is(0));
        assertThat(deleted.statusCode(), is(503));
        assertThat(deleted.body(), containsString("cluster_incomplete"));
        JsonObject view = cluster(a);
        assertThat(view.getJsonArray("gateways").size(), is(2));
        Map<String, String> missing = missing(view);
        assertThat(missing.get("rogue-forging"), containsString("not a gateway of this cluster"));
        assertThat(missing.get("rogue-oversized"), containsString("answer larger than 65536 bytes"));
        assertThat(view.toString(), not(containsString("forged")));

        // what a rogue received is of no use elsewhere: b refuses it (signed for the rogue), and unsigned it is 401
        String received = forging.requests().stream().filter(r -> r.startsWith("GET ")).findFirst().orElseThrow();
        String target = received.substring(4, received.indexOf(' ', 4));
        HttpRequest.Builder replay = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                                                       + b.gateway().managementPort() + target));
        headers(received).forEach((name, value) -> {
            if (name.startsWith("x-wsgateway-cluster-")) {
                replay.header(name, value);
            }
        });
        HttpResponse<String> replayed = HTTP.send(replay.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(replayed.statusCode(), is(401));
        assertThat(replayed.body(), containsString("cluster_unauthorized"));
        assertThat(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + b.gateway().managementPort()
                                                                      + target)).build(),
                             HttpResponse.BodyHandlers.ofString()).statusCode(), is(401));

        String secret = Files.readString(ClusterSecret.file()).strip();
        for (LogRecord r : logs.records()) {
            String line = r.getMessage() + " " + r.getThrown();
            assertThat(line, not(containsString(OPS.substring(6))));
            assertThat(line, not(containsString(secret)));
        }
    }

    @Test
    void withClusterTlsARegistrantCannotMakeTheGatewaySpeakPlainHttp() throws Exception {
        TestCerts certs = TestCerts.create();
        try (Rogue plain = new Rogue(100)) {
            register("TRUSTTLS", "rogue-plain", plain.port(), "UP", "http");
            try (TestGateway strict = TestGateway.start("gateway:\n  instance:\n    host: 127.0.0.1\n"
                    + ClusterSecret.yaml("""
                                tls:
                                  trust-store: %s
                                  trust-store-password: changeit
                            """.formatted(certs.trustStore))
                    + TestGateway.eureka(eureka.url(), true) + "    app-name: TRUSTTLS\n")) {
                TestGateway.await(() -> {
                    JsonObject view = cluster(strict);
                    return view != null && missing(view).containsKey("rogue-plain");
                }, Duration.ofSeconds(60), "the TLS gateway asks the rogue");
                JsonObject view = cluster(strict);
                assertThat(view.getJsonArray("gateways").getJsonObject(0).getBoolean("self"), is(true));
                assertThat(plain.connections(), greaterThan(0));
                assertThat("only TLS handshakes reached the plain listener", plain.requests(), is(empty()));
                assertThat(plain.tlsHandshakes(), is(plain.connections()));
            } finally {
                eureka.request("DELETE", "apps/TRUSTTLS/rogue-plain", null);
            }
        } finally {
            certs.delete();
        }
    }

    @Test
    void aClusterWithoutItsSecretDoesNotStart() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> TestGateway.start(
                "gateway:\n  cluster:\n    enabled: true\n" + TestGateway.service("x", "/x", 1)));
        assertThat(refused.getMessage(), containsString("gateway.cluster.enabled is true but the cluster secret is "
                                                                + "not set"));
    }

    private static String id(TestGateway gateway) {
        return gateway.gateway().registry().registration().orElseThrow().instanceId();
    }

    private static JsonObject cluster(TestGateway gateway) {
        try {
            HttpResponse<String> response = send("GET", gateway, "/application/websockets?scope=cluster", OPS);
            if (response.statusCode() != 200) {
                return null;
            }
            try (JsonReader reader = Json.createReader(new StringReader(response.body()))) {
                return reader.readObject();
            }
        } catch (Exception e) {
            return null;
        }
    }

    private static Map<String, String> missing(JsonObject view) {
        return view.getJsonArray("missing").getValuesAs(JsonObject.class).stream()
                .collect(Collectors.toMap(m -> m.getString("gateway"), m -> m.getString("reason")));
    }

    private static HttpResponse<String> send(String method, TestGateway gateway, String path, String authorization)
            throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.gateway().managementPort()
                                                                   + path))
                                 .header("Authorization", authorization)
                                 .method(method, HttpRequest.BodyPublishers.noBody())
                                 .timeout(Duration.ofSeconds(30)).build(),
                         HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Header fields of a request head, by lower-case name.
     */
    private static Map<String, String> headers(String head) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("GET ") && !line.startsWith("DELETE ")) {
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
        }
        return headers;
    }

    /**
     * An instance registered under the gateway's app name as a rogue would, over Eureka's REST API, announcing a
     * plain-http observe port.
     */
    private static void register(String app, String instanceId, int port, String status, String scheme)
            throws Exception {
        String body = """
                {"instance":{"instanceId":"%2$s","hostName":"127.0.0.1","app":"%1$s","ipAddr":"127.0.0.1",
                "status":"%4$s","port":{"$":%3$d,"@enabled":"true"},"securePort":{"$":443,"@enabled":"false"},
                "vipAddress":"%1$s","leaseInfo":{"durationInSecs":600},
                "dataCenterInfo":{"@class":"com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo","name":"MyOwn"},
                "metadata":{"wsgateway-observe-port":"%3$d","wsgateway-observe-scheme":"%5$s"}}}
                """.formatted(app, instanceId, port, status, scheme);
        HttpResponse<String> response = eureka.request("POST", "apps/" + app, body);
        assertThat(response.body(), response.statusCode(), is(204));
    }


    /**
     * A rogue "gateway": records every request head it receives (or that a TLS handshake came instead) and answers
     * 200 with a forged session listing of about {@code size} bytes, then closes.
     */
    private static final class Rogue implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0);
        private final List<String> requests = new CopyOnWriteArrayList<>();
        private final AtomicInteger connections = new AtomicInteger();
        private final AtomicInteger tlsHandshakes = new AtomicInteger();
        private final int size;

        Rogue(int size) throws IOException {
            this.size = size;
            Thread.ofVirtual().start(this::accept);
        }

        int port() {
            return server.getLocalPort();
        }

        List<String> requests() {
            return requests;
        }

        int connections() {
            return connections.get();
        }

        int tlsHandshakes() {
            return tlsHandshakes.get();
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    connections.incrementAndGet();
                    Thread.ofVirtual().start(() -> serve(socket));
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serve(Socket socket) {
            try (socket) {
                socket.setSoTimeout(5_000);
                InputStream in = socket.getInputStream();
                StringBuilder head = new StringBuilder();
                int b = in.read();
                if (b == 0x16) {
                    tlsHandshakes.incrementAndGet();
                    return;
                }
                while (b >= 0 && head.length() < 16_384 && !head.toString().endsWith("\r\n\r\n")) {
                    head.append((char) b);
                    b = head.toString().endsWith("\r\n\r\n") ? -1 : in.read();
                }
                requests.add(head.toString());
                StringBuilder body = new StringBuilder("[{\"sessionId\":\"forged\",\"gatewayPath\":\"/forged");
                body.append("x".repeat(Math.max(0, size - body.length() - 3))).append("\"}]");
                OutputStream out = socket.getOutputStream();
                // a small answer as a well-formed peer sends it; a large one streamed without a length
                String length = size <= 65_536 ? "Content-Length: " + body.length() + "\r\n" : "";
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + length
                                  + "Connection: close\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException e) {
                // the gateway gave up on this answer
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
