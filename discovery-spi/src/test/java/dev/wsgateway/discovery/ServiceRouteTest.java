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
                "routed-services.ws_v2.service-url", "legacy",
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
}
