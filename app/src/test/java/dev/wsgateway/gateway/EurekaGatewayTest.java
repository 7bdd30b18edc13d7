package dev.wsgateway.gateway;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.wsgateway.discovery.Discovery;
import dev.wsgateway.discovery.InstanceStatus;
import dev.wsgateway.discovery.SelfRegistration;
import dev.wsgateway.discovery.ServiceRegistry;
import dev.wsgateway.gateway.demo.EchoService;
import dev.wsgateway.testsupport.EurekaServerProcess;
import dev.wsgateway.testsupport.JdkClient;

import io.helidon.common.media.type.MediaTypes;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * The gateway on Eureka discovery, against a real Eureka server process: services registered three ways (the
 * Netflix Java client, Node's eureka-js-client, plain REST) are routed with real WebSocket echoes.
 */
class EurekaGatewayTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @RegisterExtension
    static final Teardown TEARDOWN = new Teardown();

    private static EurekaServerProcess eureka;
    private static NodeUpstream node;
    private static TestGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        eureka = TEARDOWN.closeAfterAll(EurekaServerProcess.start());
        node = TEARDOWN.closeAfterAll(NodeUpstream.start());
        gateway = TEARDOWN.gateway(TestGateway.start(eurekaConfig(true)));
    }

    static String eurekaConfig(boolean register) {
        return """
                gateway:
                  instance:
                    host: 127.0.0.1
                """ + TestGateway.eureka(eureka.url(), register);
    }

    @Test
    void restRegisteredServiceIsRoutedAndFollowsItsStatus() throws Exception {
        registerByRest("RESTSVC", "rest-1", node.port());
        awaitStatus("restsvc", InstanceStatus.UP);
        for (String path : new String[] {"/ws/v1/restsvc/a?b=c", "/RESTSVC/ws/v1/a?b=c"}) {
            try (JdkClient client = JdkClient.connect(gateway.ws(path))) {
                client.sendText("handshake?");
                String handshake = client.nextText();
                assertThat(handshake, containsString("\"path\":\"/svc/a\""));
                assertThat(handshake, containsString("\"query\":\"b=c\""));
            }
        }
        eureka.request("PUT", "apps/RESTSVC/rest-1/status?value=OUT_OF_SERVICE", null);
        awaitStatus("restsvc", InstanceStatus.OUT_OF_SERVICE);
        assertThat(JdkClient.refusedStatus(gateway.ws("/ws/v1/restsvc/a"), Map.of()), is(503));

        eureka.request("DELETE", "apps/RESTSVC/rest-1", null);
        TestGateway.await(() -> gateway.gateway().registry().instances("restsvc").isEmpty(), Duration.ofSeconds(5),
                          "cancelled instance removed");
        assertThat(JdkClient.refusedStatus(gateway.ws("/ws/v1/restsvc/a"), Map.of()), is(404));
    }

    @Test
    void nodeServiceRegisteredWithEurekaJsClientIsRouted() throws Exception {
        Path dir = Path.of("../test-support/node").toAbsolutePath().normalize();
        Process service = new ProcessBuilder("node", "echo-service.js", String.valueOf(eureka.port()), "NODEECHO")
                .directory(dir.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(service.getInputStream(), StandardCharsets.UTF_8));
            String ready = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (Exception e) {
                    return String.valueOf(e);
                }
            }).get(30, TimeUnit.SECONDS);
            assertThat(ready, containsString("READY"));
            awaitStatus("nodeecho", InstanceStatus.UP);
            try (JdkClient client = JdkClient.connect(gateway.ws("/ws/v1/nodeecho/chat"))) {
                client.sendText("from the gateway");
                assertThat(client.nextText(), is("from the gateway"));
            }
        } finally {
            service.destroy();
            service.waitFor(10, TimeUnit.SECONDS);
        }
        TestGateway.await(() -> gateway.gateway().registry().instances("nodeecho").isEmpty(), Duration.ofSeconds(30),
                          "node service deregistered on SIGTERM");
    }

    @Test
    void javaServiceRegisteredWithTheNetflixClientIsRouted() throws Exception {
        EchoService helidon = EchoService.start("127.0.0.1", 0);
        ServiceRegistry service = serviceRegistry();
        try {
            service.register(new SelfRegistration("DISCOVERABLECLIENT", null, "127.0.0.1", helidon.port(), -1,
                                                  "http://127.0.0.1:" + helidon.port() + "/health",
                                                  "http://127.0.0.1:" + helidon.port() + "/",
                                                  Map.of("apiml.routes.ws_v1.gatewayUrl", "ws/v1",
                                                         "apiml.routes.ws_v1.serviceUrl", "/echo")));
            awaitStatus("discoverableclient", InstanceStatus.UP);
            try (JdkClient client = JdkClient.connect(gateway.ws("/ws/v1/discoverableclient/x"))) {
                client.sendText("seed metadata works");
                assertThat(client.nextText(), is("seed metadata works"));
            }
        } finally {
            service.deregister();
            service.close();
            helidon.stop();
        }
    }

    @Test
    void secureServiceIsReachedOverWssAndATlsGatewayRegistersItsSecurePort() throws Exception {
        TestCerts certs = TestCerts.create();
        String serverTls = "server:\n" + TestCerts.serverTls(certs.server);
        try (HeaderEchoUpstream secure = HeaderEchoUpstream.tls(TestCerts.serverTls(certs.server))) {
            ServiceRegistry service = serviceRegistry();
            // one YAML document: a second top-level "gateway:" would replace the first
            String discovery = eurekaConfig(true).substring(eurekaConfig(true).indexOf("discovery:"));
            try (TestGateway tlsGateway = TestGateway.start(discovery + serverTls + """
                    gateway:
                      instance:
                        host: 127.0.0.1
                      upstream:
                        tls:
                          trust-store: %s
                          trust-store-password: changeit
                    """.formatted(certs.trustStore))) {
                service.register(new SelfRegistration("SECURESVC", null, "localhost", -1, secure.port(),
                                                      "https://localhost:" + secure.port() + "/health",
                                                      "https://localhost:" + secure.port() + "/",
                                                      Map.of("apiml.routes.ws_v1.gatewayUrl", "ws/v1",
                                                             "apiml.routes.ws_v1.serviceUrl", "/headers")));
                awaitStatus("securesvc", InstanceStatus.UP);
                assertThat(gateway.gateway().registry().instances("securesvc").getFirst().secure(), is(true));
                // through the plain gateway, which trusts the JDK's CAs only: the test CA is refused
                assertThat(JdkClient.refusedStatus(gateway.ws("/ws/v1/securesvc/x"), Map.of()), is(502));
                // the TLS gateway trusts the test CA; its own registration carries the secure port and https URLs
                TestGateway.await(() -> eurekaApp("GATEWAY").contains("\"securePort\":{\"$\":" + tlsGateway.port()
                                                                              + ",\"@enabled\":\"true\"}"),
                                  Duration.ofSeconds(30), "TLS gateway registered with its secure port");
                assertThat(eurekaApp("GATEWAY"), containsString("https://127.0.0.1:" + tlsGateway.port()
                                                                        + "/application/health"));
                TestGateway.await(() -> !tlsGateway.gateway().registry().instances("securesvc").isEmpty(),
                                  Duration.ofSeconds(30), "TLS gateway sees the secure service");
                HttpClient https = HttpClient.newBuilder().sslContext(certs.clientContext()).build();
                try (JdkClient client = JdkClient.connect(https, URI.create("wss://localhost:" + tlsGateway.port()
                                                                                    + "/ws/v1/securesvc/x"))) {
                    assertThat(client.nextText(), is("authorization=-none-"));
                    client.sendText("over wss both ways");
                    assertThat(client.nextText(), is("over wss both ways"));
                }
            } finally {
                service.deregister();
                service.close();
            }
        }
    }

    @Test
    void theGatewayRegistersItselfAndIsGoneAfterShutdown() throws Exception {
        TestGateway.await(() -> eurekaApp("GATEWAY").contains("\"port\":{\"$\":" + gateway.port()),
                          Duration.ofSeconds(30), "gateway registered in Eureka");
        String app = eurekaApp("GATEWAY");
        assertThat(app, containsString("/application/health"));
        assertThat(app, containsString("\"status\":\"UP\""));

        TestGateway second = TestGateway.start(eurekaConfig(true));
        int secondPort = second.port();
        TestGateway.await(() -> eurekaApp("GATEWAY").contains("\"port\":{\"$\":" + secondPort),
                          Duration.ofSeconds(30), "second gateway registered");
        second.close();
        TestGateway.await(() -> !eurekaApp("GATEWAY").contains("\"port\":{\"$\":" + secondPort),
                          Duration.ofSeconds(30), "second gateway gone from Eureka after shutdown");
        assertThat(eurekaApp("GATEWAY"), containsString("\"port\":{\"$\":" + gateway.port()));
    }

    @Test
    void routingContinuesWhileEurekaIsDownAndResumesAfter() throws Exception {
        registerByRest("OUTAGE", "outage-1", node.port());
        awaitStatus("outage", InstanceStatus.UP);
        eureka.stop();
        try {
            try (JdkClient client = JdkClient.connect(gateway.ws("/ws/v1/outage/x"))) {
                client.sendText("still routed");
                assertThat(client.nextText(), is("still routed"));
            }
            assertThat(get("/application/health/ready").statusCode(), is(200));
        } finally {
            eureka.restart();
        }
        registerByRest("AFTER", "after-1", node.port());
        awaitStatus("after", InstanceStatus.UP);
        try (JdkClient client = JdkClient.connect(gateway.ws("/ws/v1/after/x"))) {
            client.sendText("new registration");
            assertThat(client.nextText(), is("new registration"));
        }
    }

    @Test
    void readinessIsDownUntilTheFirstFetch() throws Exception {
        try (TestGateway orphan = TestGateway.start("""
                discovery:
                  type: eureka
                  eureka:
                    service-url: http://127.0.0.1:%d/eureka/
                    register: false
                """.formatted(EurekaServerProcess.freePort()))) {
            HttpResponse<String> ready = HTTP.send(HttpRequest.newBuilder(orphan.http("/application/health/ready")).build(),
                                                   HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode(), is(not(200)));
        }
    }

    /**
     * A Eureka client of the test's own, to register services as they would.
     */
    private static ServiceRegistry serviceRegistry() {
        return Discovery.create("eureka", Config.just(ConfigSources.create("""
                service-url: %s
                fetch-interval: PT1S
                lease-renewal-interval: PT1S
                """.formatted(eureka.url()), MediaTypes.APPLICATION_X_YAML)));
    }

    /**
     * Wait for the gateway's view: 30 s, because eureka-client can back off (doubling its 1 s fetch interval up to 10 s)
     * after a fetch that took longer than the interval, as a Eureka server still warming up does on a loaded machine.
     */
    private static void awaitStatus(String serviceId, InstanceStatus status) {
        TestGateway.await(() -> gateway.gateway().registry().instances(serviceId).stream()
                                  .anyMatch(i -> i.status() == status),
                          Duration.ofSeconds(30), serviceId + " " + status + " seen by the gateway");
    }

    private static void registerByRest(String app, String instanceId, int port) throws Exception {
        String body = """
                {"instance":{"instanceId":"%2$s","hostName":"127.0.0.1","app":"%1$s","ipAddr":"127.0.0.1",
                "status":"UP","port":{"$":%3$d,"@enabled":"true"},"securePort":{"$":443,"@enabled":"false"},
                "vipAddress":"%1$s","dataCenterInfo":{"@class":"com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo",
                "name":"MyOwn"},"metadata":{"apiml.routes.ws_v1.gatewayUrl":"ws/v1",
                "apiml.routes.ws_v1.serviceUrl":"/svc"}}}
                """.formatted(app, instanceId, port);
        HttpResponse<String> response = eureka.request("POST", "apps/" + app, body);
        assertThat(response.body(), response.statusCode(), is(204));
    }

    private static String eurekaApp(String app) {
        try {
            return eureka.request("GET", "apps/" + app, null).body();
        } catch (Exception e) {
            return "";
        }
    }


    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(gateway.http(path)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
