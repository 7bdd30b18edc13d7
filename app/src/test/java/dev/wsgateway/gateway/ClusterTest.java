package dev.wsgateway.gateway;

import java.io.IOException;
import java.io.StringReader;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import dev.wsgateway.testsupport.EurekaServerProcess;
import dev.wsgateway.testsupport.JdkClient;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

/**
 * The cluster view: gateways sharing one real Eureka server find each other under their app name, and
 * {@code scope=cluster} on any of them lists every gateway's sessions and instance views, each marked with its
 * holder; a peer that does not answer is listed as missing within the peer timeout; with protected observe endpoints
 * the asked gateway authorises the operator and its peers trust its signed requests; a DELETE of another gateway's
 * session closes it there.
 */
class ClusterTest {
    private static final System.Logger LOGGER = System.getLogger(ClusterTest.class.getName());
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @RegisterExtension
    static final Teardown TEARDOWN = new Teardown();

    private static EurekaServerProcess eureka;
    private static NodeUpstream node;
    private static TestGateway a;
    private static TestGateway b;

    @BeforeAll
    static void start() throws Exception {
        eureka = TEARDOWN.closeAfterAll(EurekaServerProcess.start());
        node = TEARDOWN.closeAfterAll(NodeUpstream.start());
        registerByRest("CLUSTERECHO", "clusterecho-1", node.port(), Map.of("apiml.routes.ws_v1.gatewayUrl", "ws/v1",
                                                                          "apiml.routes.ws_v1.serviceUrl", "/svc"));
        a = TEARDOWN.gateway(TestGateway.start(config("")));
        // b serves its observe endpoints on a management port of its own: its registration says so
        b = TEARDOWN.gateway(TestGateway.start(config("""
                  management:
                    port: 0
                """)));
        awaitCluster(a, 2, null, null);
        awaitCluster(b, 2, null, null);
    }

    /**
     * A gateway on the shared Eureka (registering itself, the cluster view on), with more lines under
     * {@code gateway:}.
     */
    private static String config(String moreGatewayLines) {
        return config("", moreGatewayLines);
    }

    /**
     * A gateway on the shared Eureka, with more lines under {@code gateway.cluster:} and under {@code gateway:}.
     */
    private static String config(String moreClusterLines, String moreGatewayLines) {
        return """
                gateway:
                  instance:
                    host: 127.0.0.1
                """ + ClusterSecret.yaml(moreClusterLines) + moreGatewayLines + TestGateway.eureka(eureka.url(), true);
    }

    @Test
    void everyGatewaysSessionsAreListedWithTheirHolder() throws Exception {
        try (JdkClient a1 = open(a, "a1"); JdkClient a2 = open(a, "a2"); JdkClient b1 = open(b, "b1")) {
            for (TestGateway asked : List.of(a, b)) {
                JsonObject cluster = json(get(observe(asked, "/application/websockets?scope=cluster"), null));
                assertThat(cluster.getString("scope"), is("cluster"));
                assertThat(cluster.getString("self"), is(id(asked)));
                assertThat(cluster.getJsonArray("missing").toString(), cluster.getJsonArray("missing"), is(empty()));
                Map<String, String> holders = cluster.getJsonArray("sessions").getValuesAs(JsonObject.class).stream()
                        .collect(Collectors.toMap(s -> s.getString("gatewayPath"), s -> s.getString("gateway")));
                assertThat(holders, is(Map.of("/ws/v1/clusterecho/a1", id(a), "/ws/v1/clusterecho/a2", id(a),
                                              "/ws/v1/clusterecho/b1", id(b))));
                Map<String, Integer> entries = cluster.getJsonArray("gateways").getValuesAs(JsonObject.class).stream()
                        .collect(Collectors.toMap(g -> g.getString("gateway"), g -> g.getInt("entries")));
                assertThat(entries, is(Map.of(id(a), 2, id(b), 1)));
            }
            // b's peers reach it on its management port, as its registration announces
            JsonObject fromA = json(get(observe(a, "/application/websockets?scope=cluster"), null));
            JsonObject bSeenByA = fromA.getJsonArray("gateways").getValuesAs(JsonObject.class).stream()
                    .filter(g -> g.getString("gateway").equals(id(b))).findFirst().orElseThrow();
            assertThat(bSeenByA.getString("url"), is("http://127.0.0.1:" + b.gateway().managementPort() + "/"));
            // the service filter is passed on
            assertThat(json(get(observe(a, "/application/websockets?scope=cluster&serviceId=other"), null))
                               .getJsonArray("sessions"), is(empty()));
            // the local listing stays a plain array of this gateway's sessions
            assertThat(get(observe(a, "/application/websockets"), null).body(), containsString("/clusterecho/a1"));
            assertThat(get(observe(a, "/application/websockets?scope=local"), null).body().contains("/b1"), is(false));

            // each gateway's view of each instance, with its own active sessions
            JsonObject instances = json(get(observe(b, "/application/instances?scope=cluster&serviceId=clusterecho"),
                                            null));
            assertThat(instances.getJsonArray("services").size(), is(1));
            Map<String, Integer> active = instances.getJsonArray("services").getJsonObject(0)
                    .getJsonArray("instances").getValuesAs(JsonObject.class).stream()
                    .collect(Collectors.toMap(i -> i.getString("gateway"), i -> i.getInt("activeSessions")));
            assertThat(active, is(Map.of(id(a), 2, id(b), 1)));
        }
    }

    @Test
    void aSessionHeldByAnotherGatewayIsClosedThroughAnyGateway() throws Exception {
        try (JdkClient onB = open(b, "delete-me")) {
            String id = b.gateway().sessions().sessions().iterator().next().info().id();
            // scope=local: a does not hold it
            HttpResponse<String> local = delete(observe(a, "/application/websockets/" + id + "?scope=local"), null);
            assertThat(local.statusCode(), is(404));
            HttpResponse<String> forwarded = delete(observe(a, "/application/websockets/" + id), null);
            assertThat(forwarded.body(), forwarded.statusCode(), is(200));
            JsonObject closed = json(forwarded);
            assertThat(closed.getString("gateway"), is(id(b)));
            assertThat(closed.getBoolean("closed"), is(true));
            assertThat(onB.awaitClose(Duration.ofSeconds(10)).closeCode(), is(1008));
        }
        HttpResponse<String> unknown = delete(observe(a, "/application/websockets/0123456789ab"), null);
        assertThat(unknown.statusCode(), is(404));
        assertThat(unknown.body(), containsString("on any of 2 gateways"));
    }

    @Test
    void aPeerThatDoesNotAnswerIsListedAsMissingWithinThePeerTimeout() throws Exception {
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        try (ServerSocket silent = new ServerSocket(0);
                TestGateway lonely = TestGateway.start(config("""
                            peer-timeout: PT1S
                        """, """
                          relay:
                            close-timeout: PT1S
                        """) + "    app-name: LONELY\n")) {
            Thread.ofVirtual().start(() -> {
                while (!silent.isClosed()) {
                    try {
                        accepted.add(silent.accept());     // accepts, never answers
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            int closedPort = EurekaServerProcess.freePort();
            // two gateways of the app that are gone without deregistering: one hangs, one refuses connections
            registerByRest("LONELY", "ghost-silent", silent.getLocalPort(),
                           Map.of("wsgateway-observe-port", String.valueOf(silent.getLocalPort())));
            registerByRest("LONELY", "ghost-refusing", closedPort, Map.of());
            try (JdkClient client = open(lonely, "lonely")) {
                awaitCluster(lonely, 1, null, "ghost-refusing");
                long start = System.nanoTime();
                HttpResponse<String> response = get(lonely.http("/application/websockets?scope=cluster"), null);
                long millis = (System.nanoTime() - start) / 1_000_000;
                LOGGER.log(System.Logger.Level.INFO,
                           "cluster: answer with a silent and a refusing peer after " + millis + " ms");
                assertThat(response.statusCode(), is(200));
                assertThat("answered after " + millis + " ms", millis, lessThan(1_000L + 2_000L));
                JsonObject cluster = json(response);
                Map<String, String> missing = cluster.getJsonArray("missing").getValuesAs(JsonObject.class).stream()
                        .collect(Collectors.toMap(m -> m.getString("gateway"), m -> m.getString("reason")));
                assertThat(missing, is(Map.of("ghost-silent", "no answer within 1000 ms",
                                              "ghost-refusing", "connection refused")));
                // the gateways of other apps on the same Eureka are not its peers; its own session is listed
                assertThat(cluster.getJsonArray("gateways").size(), is(1));
                assertThat(cluster.getJsonArray("sessions").getJsonObject(0).getString("gateway"), is(id(lonely)));
                // a session nobody here holds: with peers that did not answer, that is not a 404
                start = System.nanoTime();
                HttpResponse<String> unknown = delete(lonely.http("/application/websockets/0123456789ab"), null);
                millis = (System.nanoTime() - start) / 1_000_000;
                assertThat(unknown.statusCode(), is(503));
                assertThat(unknown.body(), containsString("\"cluster_incomplete\""));
                assertThat(unknown.body(), containsString("ghost-silent (no answer within 3000 ms)"));
                // peer timeout + close timeout + 1 s
                assertThat("answered after " + millis + " ms", millis, lessThan(3_000L + 2_000L));
            } finally {
                eureka.request("DELETE", "apps/LONELY/ghost-silent", null);
                eureka.request("DELETE", "apps/LONELY/ghost-refusing", null);
                for (Socket socket : accepted) {
                    socket.close();
                }
            }
            lonely.awaitNoSessions(Duration.ofSeconds(10));
        }
    }

    @Test
    void protectedObserveEndpointsAnswerAcrossOnTheAskingGatewaysWord() throws Exception {
        String secured = """
                  security:
                    observe:
                      protect: true
                    users:
                      - login: ops
                        password: ops-pw
                        roles: [admin]
                      - login: %s
                        password: %s-pw
                        roles: [admin]
                """;
        try (TestGateway one = TestGateway.start(config(secured.formatted("onlyone", "onlyone"))
                                                         + "    app-name: SECURED\n");
                TestGateway two = TestGateway.start(config(secured.formatted("onlytwo", "onlytwo"))
                                                            + "    app-name: SECURED\n")) {
            String ops = basic("ops");
            awaitCluster(one, 2, ops, null);
            URI cluster = one.http("/application/websockets?scope=cluster");
            assertThat(get(cluster, null).statusCode(), is(401));
            JsonObject both = json(get(cluster, ops));
            assertThat(both.getJsonArray("gateways").size(), is(2));
            assertThat(both.getJsonArray("missing"), is(empty()));
            // a user only the asked gateway knows: it authorised the operator, the peer trusts its signed request
            // (the operator's credentials never leave the gateway, so the peer cannot check them)
            JsonObject fromOne = json(get(cluster, basic("onlyone")));
            assertThat(fromOne.getJsonArray("missing"), is(empty()));
            assertThat(fromOne.getJsonArray("gateways").size(), is(2));
            // the peer's own endpoints still want their own users
            assertThat(get(two.http("/application/websockets"), basic("onlyone")).statusCode(), is(401));
            // instances too
            assertThat(json(get(one.http("/application/instances?scope=cluster"), ops)).getJsonArray("gateways")
                               .size(), is(2));
        }
    }

    @Test
    void gatewaysServingTlsAreAskedOverHttpsWithTheClusterTrustStore() throws Exception {
        TestCerts certs = TestCerts.create();
        String serverTls = "server:\n" + TestCerts.serverTls(certs.server);
        String trusting = """
                    tls:
                      trust-store: %s
                      trust-store-password: changeit
                """.formatted(certs.trustStore);
        HttpClient https = HttpClient.newBuilder().sslContext(certs.clientContext()).build();
        try (TestGateway trusts = TestGateway.start(config(trusting, "") + "    app-name: TLSGW\n" + serverTls);
                TestGateway jdkTrustOnly = TestGateway.start(config("") + "    app-name: TLSGW\n" + serverTls)) {
            URI fromTrusting = URI.create("https://127.0.0.1:" + trusts.port() + "/application/websockets?scope=cluster");
            TestGateway.await(() -> {
                try {
                    return json(https.send(HttpRequest.newBuilder(fromTrusting).build(),
                                           HttpResponse.BodyHandlers.ofString())).getJsonArray("gateways").size() == 2;
                } catch (Exception | AssertionError e) {
                    return false;
                }
            }, Duration.ofSeconds(30), "the gateway that trusts the test CA sees the other over https");
            JsonObject both = json(https.send(HttpRequest.newBuilder(fromTrusting).build(),
                                              HttpResponse.BodyHandlers.ofString()));
            assertThat(both.getJsonArray("gateways").getJsonObject(1).getString("url"),
                       is("https://127.0.0.1:" + jdkTrustOnly.port() + "/"));
            // the other one trusts only the JDK's CAs: the peer's certificate is refused, the peer is missing
            URI fromOther = URI.create("https://127.0.0.1:" + jdkTrustOnly.port()
                                               + "/application/websockets?scope=cluster");
            TestGateway.await(() -> {
                try {
                    return json(https.send(HttpRequest.newBuilder(fromOther).build(),
                                           HttpResponse.BodyHandlers.ofString())).getJsonArray("missing").size() == 1;
                } catch (Exception | AssertionError e) {
                    return false;
                }
            }, Duration.ofSeconds(30), "the gateway without the test CA lists the other as missing");
            JsonObject refused = json(https.send(HttpRequest.newBuilder(fromOther).build(),
                                                 HttpResponse.BodyHandlers.ofString()));
            LOGGER.log(System.Logger.Level.INFO, "cluster: untrusted peer: " + refused.getJsonArray("missing"));
            assertThat(refused.getJsonArray("missing").getJsonObject(0).getString("gateway"), is(id(trusts)));
            assertThat(refused.getJsonArray("missing").getJsonObject(0).getString("reason"),
                       containsString("certification path"));
        } finally {
            certs.delete();
        }
    }

    @Test
    void withStaticDiscoveryTheClusterIsThisGatewayAndTheAnswerSaysSo() throws Exception {
        try (TestGateway alone = TestGateway.start("gateway:\n  instance:\n    host: 127.0.0.1\n"
                                                           + ClusterSecret.yaml("")
                                                           + TestGateway.service("solo", "/svc", node.port()))) {
            JsonObject cluster = json(get(alone.http("/application/websockets?scope=cluster"), null));
            assertThat(cluster.getString("note"), containsString("discovery static"));
            assertThat(cluster.getJsonArray("gateways").size(), is(1));
            assertThat(cluster.getJsonArray("gateways").getJsonObject(0).getString("gateway"),
                       is("127.0.0.1:" + alone.port()));
            assertThat(cluster.getJsonArray("missing"), is(empty()));
            assertThat(get(alone.http("/application/websockets?scope=everything"), null).statusCode(), is(400));
            assertThat(get(alone.http("/application/instances?scope=cluster"), null).body(),
                       containsString("\"serviceId\":\"solo\""));
        }
    }

    private static String id(TestGateway gateway) {
        return gateway.gateway().registry().registration().map(r -> r.instanceId())
                .orElse("127.0.0.1:" + gateway.port());
    }

    private static URI observe(TestGateway gateway, String path) {
        return URI.create("http://127.0.0.1:" + gateway.gateway().managementPort() + path);
    }

    private static JdkClient open(TestGateway gateway, String name) throws Exception {
        JdkClient client = JdkClient.connect(gateway.ws("/ws/v1/clusterecho/" + name));
        client.sendText("hello " + name);
        assertThat(client.nextText(), is("hello " + name));
        return client;
    }

    /**
     * Wait until the gateway's cluster view has {@code answered} gateways that answered, and no missing one or (when
     * given) a missing peer of that id.
     */
    private static void awaitCluster(TestGateway gateway, int answered, String authorization, String missingId) {
        TestGateway.await(() -> {
            try {
                JsonObject cluster = json(get(observe(gateway, "/application/websockets?scope=cluster"),
                                              authorization));
                Set<String> missing = cluster.getJsonArray("missing").getValuesAs(JsonObject.class).stream()
                        .map(m -> m.getString("gateway")).collect(Collectors.toSet());
                return cluster.getJsonArray("gateways").size() == answered
                        && (missingId == null ? missing.isEmpty() : missing.contains(missingId));
            } catch (Exception | AssertionError e) {
                return false;
            }
        }, Duration.ofSeconds(60), "cluster view of " + id(gateway) + " with " + answered + " gateways");
    }

    private static String basic(String user) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + user + "-pw").getBytes(StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> get(URI uri, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> delete(URI uri, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).DELETE();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonObject json(HttpResponse<String> response) {
        assertThat(response.body(), response.statusCode(), is(200));
        try (JsonReader reader = Json.createReader(new StringReader(response.body()))) {
            return reader.readObject();
        }
    }

    private static void registerByRest(String app, String instanceId, int port, Map<String, String> metadata)
            throws Exception {
        Map<String, String> meta = new HashMap<>(metadata);
        String metaJson = meta.entrySet().stream()
                .map(e -> "\"" + e.getKey() + "\":\"" + e.getValue() + "\"")
                .collect(Collectors.joining(",", "{", "}"));
        String body = """
                {"instance":{"instanceId":"%2$s","hostName":"127.0.0.1","app":"%1$s","ipAddr":"127.0.0.1",
                "status":"UP","port":{"$":%3$d,"@enabled":"true"},"securePort":{"$":443,"@enabled":"false"},
                "vipAddress":"%1$s","leaseInfo":{"durationInSecs":600},
                "dataCenterInfo":{"@class":"com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo","name":"MyOwn"},
                "metadata":%4$s}}
                """.formatted(app, instanceId, port, metaJson);
        HttpResponse<String> response = eureka.request("POST", "apps/" + app, body);
        assertThat(response.body(), response.statusCode(), is(204));
    }

}
