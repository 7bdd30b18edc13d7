package dev.wsgateway.gateway;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import dev.wsgateway.discovery.InstanceStatus;
import dev.wsgateway.testsupport.ConsulStandIn;

import jakarta.json.JsonObject;
import dev.wsgateway.testsupport.JdkClient;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/**
 * The gateway on Consul discovery ({@code discovery.type: consul}) end to end: a real Node {@code ws} service
 * registered in the Consul stand-in ({@link ConsulStandIn}, test code: no real Consul can be installed here) is
 * relayed to, follows its Consul check, and the gateway registers itself with an HTTP check the stand-in runs.
 */
class ConsulGatewayTest {
    private static ConsulStandIn consul;
    private static NodeUpstream node;
    private static TestGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        consul = ConsulStandIn.start();
        node = NodeUpstream.start();
        // registered as `consul services register nodeecho.json` would: routes in Meta, one TTL check
        consul.register("""
                {"ID": "nodeecho-1", "Name": "nodeecho", "Address": "127.0.0.1", "Port": %d,
                 "Tags": ["apiml.routes.ws_v1.serviceUrl=/svc"],
                 "Meta": {"apiml_routes_ws_v1_gatewayUrl": "ws/v1"},
                 "Check": {"TTL": "30s", "Status": "passing"}}
                """.formatted(node.port()));
        gateway = TestGateway.start(consulConfig());
    }

    static String consulConfig() {
        return ("""
                gateway:
                  instance:
                    host: 127.0.0.1
                """ + ClusterSecret.yaml("") + """
                discovery:
                  type: consul
                  consul:
                    url: %s
                    wait: PT5S
                    retry:
                      initial-delay: PT0.1S
                      max-delay: PT1S
                    check:
                      interval: PT0.5S
                """).formatted(consul.url());
    }

    @AfterAll
    static void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (node != null) {
            node.close();
        }
        if (consul != null) {
            consul.close();
        }
    }

    @AfterEach
    void noSessionLeaks() {
        gateway.awaitNoSessions(Duration.ofSeconds(8));
    }

    @Test
    void nodeServiceRegisteredInConsulIsRelayedAndFollowsItsCheck() throws Exception {
        awaitStatus("nodeecho", InstanceStatus.UP);
        try (JdkClient client = JdkClient.connect(gateway.ws("/ws/v1/nodeecho/chat?room=1"))) {
            client.sendText("handshake?");
            String handshake = client.nextText();
            assertThat(handshake, containsString("\"path\":\"/svc/chat\""));
            client.sendText("through Consul discovery");
            assertThat(client.nextText(), is("through Consul discovery"));
        }
        consul.checkStatus("nodeecho-1", "critical");
        awaitStatus("nodeecho", InstanceStatus.DOWN);
        assertThat(JdkClient.refusedStatus(gateway.ws("/ws/v1/nodeecho/chat"), Map.of()), is(503));
        consul.checkStatus("nodeecho-1", "passing");
        awaitStatus("nodeecho", InstanceStatus.UP);
        try (JdkClient client = JdkClient.connect(gateway.ws("/ws/v1/nodeecho/chat"))) {
            client.sendText("back");
            assertThat(client.nextText(), is("back"));
        }
    }

    @Test
    void theGatewayRegistersWithAReadinessCheckAndIsGoneAfterShutdown() {
        String id = "127.0.0.1:gateway:" + gateway.port();
        TestGateway.await(() -> consul.serviceStatus(id).orElse("").equals("passing"), Duration.ofSeconds(10),
                          "gateway registered and its readiness check passing");
        JsonObject registration = consul.registration(id).orElseThrow();
        assertThat(registration.getJsonObject("Check").getString("HTTP"),
                   is("http://127.0.0.1:" + gateway.port() + "/application/health/ready"));
        assertThat(registration.getJsonObject("Meta").getString("apiml_service_title"), is("WebSocket gateway"));
        // where its observe endpoints are, for the other gateways' cluster view
        assertThat(registration.getJsonObject("Meta").getString("wsgateway-observe-port"),
                   is(String.valueOf(gateway.port())));
        assertThat(registration.getJsonObject("Meta").getString("wsgateway-observe-scheme"), is("http"));
        assertThat(gateway.gateway().registry().registration().orElseThrow().instanceId(), is(id));

        TestGateway second = TestGateway.start(consulConfig());
        String secondId = "127.0.0.1:gateway:" + second.port();
        TestGateway.await(() -> consul.serviceStatus(secondId).orElse("").equals("passing"), Duration.ofSeconds(10),
                          "second gateway registered and passing");
        // the two find each other in Consul: the cluster view of the first lists both
        TestGateway.await(() -> clusterView(gateway).contains("\"gateway\":\"" + secondId + "\",\"url\":\"http://127.0.0.1:"
                                                               + second.port() + "/\",\"status\":\"UP\",\"self\":false"),
                          Duration.ofSeconds(10), "the second gateway answers in the first one's cluster view");
        second.close();
        assertThat("deregistered on shutdown", consul.registration(secondId).isPresent(), is(false));
        assertThat(consul.registration(id).isPresent(), is(true));
    }

    private static String clusterView(TestGateway of) {
        try {
            return HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(of.http("/application/websockets?scope=cluster")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            return "";
        }
    }

    private static void awaitStatus(String serviceId, InstanceStatus status) {
        TestGateway.await(() -> gateway.gateway().registry().instances(serviceId).stream()
                                  .anyMatch(i -> i.status() == status),
                          Duration.ofSeconds(5), serviceId + " " + status + " seen by the gateway");
    }
}
