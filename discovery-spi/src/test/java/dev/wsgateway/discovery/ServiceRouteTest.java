package dev.wsgateway.discovery;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ServiceRouteTest {

    @Test
    void readsApimlAndLegacyRoutesAndNormalisesSlashes() {
        Map<String, String> metadata = Map.of(
                "apiml.routes.ws_v1.gatewayUrl", "/ws/v1/",
                "apiml.routes.ws_v1.serviceUrl", "/discoverableclient/ws/",
                "apiml.routes.api_v1.gatewayUrl", "api/v1",
                "apiml.routes.api_v1.serviceUrl", "/",
                "routed-services.ws_v2.gateway-url", "WS/V2",
                "routed-services.ws_v2.service-url", "/legacy",
                "apiml.routes.broken.gatewayUrl", "ws/v9");

        List<ServiceRoute> routes = ServiceRoute.fromMetadata(metadata);

        assertThat(routes, contains(new ServiceRoute("api_v1", "api/v1", ""),
                                    new ServiceRoute("ws_v1", "ws/v1", "/discoverableclient/ws"),
                                    new ServiceRoute("ws_v2", "ws/v2", "/legacy")));
    }

    @Test
    void apimlWinsOverLegacyWithTheSameName() {
        List<ServiceRoute> routes = ServiceRoute.fromMetadata(Map.of(
                "apiml.routes.ws_v1.gatewayUrl", "ws/v1",
                "apiml.routes.ws_v1.serviceUrl", "/new",
                "routed-services.ws_v1.gateway-url", "ws/v1",
                "routed-services.ws_v1.service-url", "/old"));
        assertThat(routes, contains(new ServiceRoute("ws_v1", "ws/v1", "/new")));
    }

    @Test
    void flattensNestedMetadataAsEurekaKeys() {
        Map<String, String> flat = Metadata.flatten(Map.of("apiml", Map.of("routes",
                Map.of("ws_v1", Map.of("gatewayUrl", "ws/v1", "serviceUrl", "/x")))));
        assertThat(flat, is(Map.of("apiml.routes.ws_v1.gatewayUrl", "ws/v1", "apiml.routes.ws_v1.serviceUrl", "/x")));
    }

    @Test
    void serviceIdsAreCaseInsensitiveAndListenersSeeOnlyChangedServices() {
        InMemoryRegistry registry = new InMemoryRegistry();
        AtomicReference<Set<String>> seen = new AtomicReference<>();
        registry.addListener(seen::set);
        ServiceInstance a = new ServiceInstance("ECHO", null, "h", 1, false, InstanceStatus.UP, Map.of());
        ServiceInstance b = new ServiceInstance("other", "o1", "h", 2, false, InstanceStatus.UP, Map.of());
        registry.update(List.of(a, b));
        assertThat(registry.instances("Echo"), contains(a));
        assertThat(seen.get(), is(Set.of("echo", "other")));

        seen.set(null);
        registry.update(List.of(a, b));
        assertThat(seen.get(), nullValue());

        ServiceInstance bDown = new ServiceInstance("other", "o1", "h", 2, false, InstanceStatus.DOWN, Map.of());
        registry.update(List.of(a, bDown));
        assertThat(seen.get(), is(Set.of("other")));
    }

    @Test
    void rejectsInvalidInstances() {
        assertThrows(IllegalArgumentException.class,
                     () -> new ServiceInstance("s", null, "h", 0, false, InstanceStatus.UP, Map.of()));
        assertThrows(IllegalArgumentException.class,
                     () -> new ServiceInstance(" ", null, "h", 80, false, InstanceStatus.UP, Map.of()));
        assertThat(InstanceStatus.parse("out-of-service"), is(InstanceStatus.OUT_OF_SERVICE));
        assertThat(InstanceStatus.parse("weird"), is(InstanceStatus.UNKNOWN));
    }

    @Test
    void aServiceUrlMustBeAnAbsolutePath() {
        assertThat(ServiceRoute.problem("/discoverableclient/ws").isPresent(), is(false));
        assertThat(ServiceRoute.problem("/").isPresent(), is(false));
        assertThat("empty is the root", ServiceRoute.problem("").isPresent(), is(false));
        assertThat(ServiceRoute.problem("/a%20b/~x;v=1/@:!$&'()*+,=").isPresent(), is(false));
        assertThat(ServiceRoute.problem("/my service").orElseThrow(), is("a character a URI path cannot hold at "
                                                                          + "position 3 (a space: write %20)"));
        assertThat(ServiceRoute.problem("http://host:80/ws").orElseThrow(),
                   is("a full URL, not a path: announce the path only, such as /service/ws"));
        assertThat(ServiceRoute.problem("ws").orElseThrow(), is("not an absolute path such as /service/ws"));
        assertThat(ServiceRoute.problem("//host/ws").isPresent(), is(true));
        assertThat(ServiceRoute.problem("/ws?x=1").isPresent(), is(true));
        assertThat(ServiceRoute.problem("/ws%2").isPresent(), is(true));
        assertThat(ServiceRoute.problem("/w\u00e9").isPresent(), is(true));
    }

    @Test
    void anInstanceWithAnUnusableServiceUrlIsSkippedAndCountedOncePerValue() {
        InMemoryRegistry registry = new InMemoryRegistry();
        ServiceInstance good = new ServiceInstance("svc", "good", "h", 1, false, InstanceStatus.UP,
                                                   Map.of("apiml.routes.ws_v1.gatewayUrl", "ws/v1",
                                                          "apiml.routes.ws_v1.serviceUrl", "/ok"));
        ServiceInstance bad = new ServiceInstance("svc", "bad", "h", 2, false, InstanceStatus.UP,
                                                  Map.of("apiml.routes.ws_v1.gatewayUrl", "ws/v1",
                                                         "apiml.routes.ws_v1.serviceUrl", "/with space"));
        registry.update(List.of(good, bad));
        assertThat(registry.instances("svc"), contains(good));
        assertThat(registry.skippedInstances(), is(1L));
        // the next refresh with the same bad value: no new warning, no new count
        registry.update(List.of(good, bad));
        assertThat(registry.skippedInstances(), is(1L));
        ServiceInstance worse = new ServiceInstance("svc", "bad", "h", 2, false, InstanceStatus.UP,
                                                    Map.of("apiml.routes.ws_v1.gatewayUrl", "ws/v1",
                                                           "apiml.routes.ws_v1.serviceUrl", "http://h:2/x"));
        registry.update(List.of(good, worse));
        assertThat(registry.skippedInstances(), is(2L));
        assertThat(registry.instances("svc"), contains(good));
    }

    @Test
    void textFromPeersIsNeutralisedForLogs() {
        assertThat(Printable.of("a\r\nINFO forged\u001b[31m"), is("a??INFO forged?[31m"));
        assertThat(Printable.of("x".repeat(400)).length(), is(303));
    }
}
