package dev.wsgateway.discovery.consul;

import java.io.StringReader;
import java.util.List;
import java.util.Map;

import dev.wsgateway.discovery.InstanceStatus;
import dev.wsgateway.discovery.ServiceInstance;
import dev.wsgateway.discovery.ServiceRoute;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.hasEntry;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * Consul's JSON (shaped as in the {@code /v1/health/service/:service} documentation) to instances, routes and status.
 */
class ConsulMappingTest {

    /** One entry of /v1/health/service/:service, with the fields Consul documents. */
    private static String entry(String node, String nodeAddress, String id, String serviceAddress, int port,
                                String tags, String meta, String checks) {
        return """
                {
                  "Node": {"ID": "40e4a748-2192-161a-0510-9bf59fe950b5", "Node": "%s", "Address": "%s",
                           "Datacenter": "dc1", "TaggedAddresses": {"lan": "%2$s", "wan": "%2$s"},
                           "Meta": {"instance_type": "t2.medium"}},
                  "Service": {"ID": "%s", "Service": "discoverableclient", "Tags": [%s], "Address": "%s",
                              "Meta": {%s}, "Port": %d, "Weights": {"Passing": 10, "Warning": 1}},
                  "Checks": [%s]
                }
                """.formatted(node, nodeAddress, id, tags, serviceAddress, meta, port, checks);
    }

    private static String check(String checkId, String status) {
        return """
                {"Node": "foobar", "CheckID": "%s", "Name": "Service check", "Status": "%s", "Notes": "",
                 "Output": "", "ServiceID": "dc-1", "ServiceName": "discoverableclient", "ServiceTags": []}
                """.formatted(checkId, status);
    }

    private static final String SERF = check("serfHealth", "passing");

    private static JsonArray array(String... entries) {
        return Json.createReader(new StringReader("[" + String.join(",", entries) + "]")).readArray();
    }

    private static ServiceInstance only(String entry) {
        List<ServiceInstance> instances = ConsulMapping.instances("discoverableclient", array(entry), InstanceStatus.UP);
        assertThat(instances.size(), is(1));
        return instances.getFirst();
    }

    @Test
    void metaRouteKeysBecomeApimlRoutes() {
        ServiceInstance instance = only(entry("foobar", "10.1.10.12", "dc-1", "10.1.10.99", 10012, "",
                                              "\"apiml_routes_ws_v1_gatewayUrl\": \"ws/v1\","
                                                      + "\"apiml_routes_ws_v1_serviceUrl\": \"/discoverableclient/ws\","
                                                      + "\"apiml_routes_ws_v1_failover\": \"false\","
                                                      + "\"version\": \"4.0\"",
                                              SERF));
        assertThat(instance.serviceId(), is("discoverableclient"));
        assertThat(instance.instanceId(), is("dc-1"));
        assertThat(instance.metadata(), hasEntry("apiml.routes.ws_v1.failover", "false"));
        assertThat(instance.metadata(), hasEntry("version", "4.0"));
        assertThat(instance.metadata(), hasEntry("apiml_routes_ws_v1_gatewayUrl", "ws/v1"));
        assertThat(ServiceRoute.fromMetadata(instance.metadata()),
                   is(List.of(new ServiceRoute("ws_v1", "ws/v1", "/discoverableclient/ws"))));
    }

    @Test
    void tagRoutesWorkAndMetaWinsOverATag() {
        ServiceInstance instance = only(entry("foobar", "10.1.10.12", "dc-1", "", 10012,
                                              "\"primary\", \"apiml.routes.ws_v2.gatewayUrl=ws/v2\","
                                                      + "\"apiml.routes.ws_v2.serviceUrl=/from-tag\","
                                                      + "\"apiml.routes.api_v1.gatewayUrl = api/v1\","
                                                      + "\"apiml.routes.api_v1.serviceUrl=/api\"",
                                              "\"apiml_routes_ws_v2_serviceUrl\": \"/from-meta\"",
                                              SERF));
        assertThat(ServiceRoute.fromMetadata(instance.metadata()),
                   is(List.of(new ServiceRoute("api_v1", "api/v1", "/api"),
                              new ServiceRoute("ws_v2", "ws/v2", "/from-meta"))));
        assertThat(instance.metadata(), not(hasKey("primary")));
    }

    @Test
    void serviceAddressWinsOverTheNodeAddress() {
        assertThat(only(entry("n1", "10.1.10.12", "a", "10.9.9.9", 8000, "", "", SERF)).authority(),
                   is("10.9.9.9:8000"));
        assertThat(only(entry("n1", "10.1.10.12", "a", "", 8000, "", "", SERF)).authority(), is("10.1.10.12:8000"));
    }

    @Test
    void secureFromMetaOrTag() {
        assertThat(only(entry("n", "10.0.0.1", "a", "", 8443, "", "\"secure\": \"true\"", SERF)).secure(), is(true));
        assertThat(only(entry("n", "10.0.0.1", "a", "", 8443, "\"secure\"", "", SERF)).secure(), is(true));
        assertThat(only(entry("n", "10.0.0.1", "a", "", 8443, "\"secure=true\"", "", SERF)).secure(), is(true));
        assertThat(only(entry("n", "10.0.0.1", "a", "", 8080, "", "\"secure\": \"false\"", SERF)).secure(), is(false));
        assertThat(only(entry("n", "10.0.0.1", "a", "", 8080, "", "", SERF)).secure(), is(false));
    }

    @Test
    void statusFromAllChecks() {
        assertThat(status(SERF, check("service:a", "passing")), is(InstanceStatus.UP));
        assertThat(status(), is(InstanceStatus.UP));
        assertThat(status(SERF, check("service:a", "warning")), is(InstanceStatus.DOWN));
        assertThat(status(SERF, check("service:a", "critical")), is(InstanceStatus.DOWN));
        // a node check fails: every service on the node is down
        assertThat(status(check("serfHealth", "critical"), check("service:a", "passing")), is(InstanceStatus.DOWN));
        assertThat(status(SERF, check("service:a", "warning"), check("service:a:2", "critical")), is(InstanceStatus.DOWN));
        assertThat(status(SERF, check("_service_maintenance:a", "critical")), is(InstanceStatus.OUT_OF_SERVICE));
        assertThat(status(check("_node_maintenance", "critical"), SERF), is(InstanceStatus.OUT_OF_SERVICE));
        assertThat(status(SERF, check("service:a", "something new")), is(InstanceStatus.DOWN));
    }

    @Test
    void warningStatusIsConfigurable() {
        JsonArray checks = array(SERF, check("service:a", "warning"));
        assertThat(ConsulMapping.status(checks, InstanceStatus.UP), is(InstanceStatus.UP));
        assertThat(ConsulMapping.status(checks, InstanceStatus.OUT_OF_SERVICE), is(InstanceStatus.OUT_OF_SERVICE));
        assertThat(ConsulMapping.status(JsonValue.NULL, InstanceStatus.DOWN), is(InstanceStatus.UP));
    }

    @Test
    void sameServiceIdOnTwoNodesIsToldApartByNode() {
        List<ServiceInstance> instances = ConsulMapping.instances(
                "discoverableclient",
                array(entry("node-a", "10.0.0.1", "web", "", 80, "", "", SERF),
                      entry("node-b", "10.0.0.2", "web", "", 80, "", "", SERF),
                      entry("node-b", "10.0.0.2", "web-2", "", 81, "", "", SERF)),
                InstanceStatus.UP);
        assertThat(instances.stream().map(ServiceInstance::instanceId).toList(),
                   is(List.of("web@node-a", "web@node-b", "web-2")));
    }

    @Test
    void entriesThatCannotBeReachedAreLeftOut() {
        List<ServiceInstance> instances = ConsulMapping.instances(
                "discoverableclient",
                array(entry("n", "10.0.0.1", "no-port", "", 0, "", "", SERF),
                      entry("n", "", "no-address", "", 80, "", "", SERF),
                      entry("n", "10.0.0.1", "fine", "", 80, "", "", SERF)),
                InstanceStatus.UP);
        assertThat(instances.stream().map(ServiceInstance::instanceId).toList(), is(List.of("fine")));
    }

    @Test
    void gatewayMetadataBecomesValidMetaKeys() {
        assertThat(ConsulMapping.toMeta(Map.of("apiml.service.title", "WebSocket gateway")),
                   is(Map.of("apiml_service_title", "WebSocket gateway")));
        assertThat(ConsulMapping.toMeta(Map.of("a b/c:d-e_f", "x")), is(Map.of("a_b_c_d-e_f", "x")));
        assertThat(ConsulMapping.toMeta(Map.of("k", "v".repeat(600))).get("k").length(), is(512));
    }

    private static InstanceStatus status(String... checks) {
        return ConsulMapping.status(array(checks), InstanceStatus.DOWN);
    }
}
