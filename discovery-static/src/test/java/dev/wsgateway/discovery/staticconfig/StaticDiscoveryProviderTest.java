package dev.wsgateway.discovery.staticconfig;

import java.util.List;
import java.util.Map;

import dev.wsgateway.discovery.Discovery;
import dev.wsgateway.discovery.InstanceStatus;
import dev.wsgateway.discovery.ServiceInstance;
import dev.wsgateway.discovery.ServiceRegistry;
import dev.wsgateway.discovery.ServiceRoute;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

class StaticDiscoveryProviderTest {

    private static Config yaml(String text) {
        return Config.just(ConfigSources.create(text, io.helidon.common.media.type.MediaTypes.APPLICATION_X_YAML));
    }

    @Test
    void readsTheSeedsEurekaBlockPastedAsIs() {
        Config config = yaml("""
                discovery:
                  type: static
                  static:
                    services:
                      - serviceId: DiscoverableClient
                        instances:
                          - host: localhost
                            port: 10012
                            secure: false
                            metadata-map:
                              apiml:
                                routes:
                                  ws_v1:
                                    gatewayUrl: "ws/v1"
                                    serviceUrl: /discoverableclient/ws
                          - host: otherhost
                            port: 10013
                            secure: true
                            status: OUT_OF_SERVICE
                            instanceId: second
                            metadata-map:
                              apiml.routes.ws_v1.gatewayUrl: "ws/v1"
                              apiml.routes.ws_v1.serviceUrl: /discoverableclient/ws
                """);

        ServiceRegistry registry = Discovery.create(config.get("discovery.type").asString().get(),
                                                    config.get("discovery.static"));

        List<ServiceInstance> instances = registry.instances("discoverableclient");
        assertThat(instances, hasSize(2));
        ServiceInstance first = instances.get(0);
        assertThat(first.serviceId(), is("discoverableclient"));
        assertThat(first.host(), is("localhost"));
        assertThat(first.port(), is(10012));
        assertThat(first.secure(), is(false));
        assertThat(first.status(), is(InstanceStatus.UP));
        assertThat(first.metadata(), is(Map.of("apiml.routes.ws_v1.gatewayUrl", "ws/v1",
                                               "apiml.routes.ws_v1.serviceUrl", "/discoverableclient/ws")));
        assertThat(ServiceRoute.fromMetadata(first.metadata()),
                   contains(new ServiceRoute("ws_v1", "ws/v1", "/discoverableclient/ws")));
        ServiceInstance second = instances.get(1);
        assertThat(second.instanceId(), is("second"));
        assertThat(second.secure(), is(true));
        assertThat(second.status(), is(InstanceStatus.OUT_OF_SERVICE));
        assertThat(second.metadata(), is(first.metadata()));
    }

    @Test
    void missingPortIsAClearError() {
        Config config = yaml("""
                services:
                  - serviceId: a
                    instances:
                      - host: localhost
                """);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                                                  () -> new StaticDiscoveryProvider().create(config));
        assertThat(e.getMessage(), containsString("port is required"));
    }

    @Test
    void unknownTypeNamesTheAvailableOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                                                  () -> Discovery.create("consul", yaml("a: b")));
        assertThat(e.getMessage(), containsString("static"));
    }

    @Test
    void aServiceUrlThatIsNotAnAbsolutePathStopsTheStart() {
        Config config = yaml("""
                services:
                  - serviceId: chat
                    instances:
                      - host: localhost
                        port: 10012
                        metadata-map:
                          apiml.routes.ws_v1.gatewayUrl: ws/v1
                          apiml.routes.ws_v1.serviceUrl: http://localhost:10012/chat
                """);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                                                  () -> new StaticDiscoveryProvider().validate(config));
        assertThat(e.getMessage(), is("services.0.instances.0.metadata-map: apiml.routes.ws_v1.serviceUrl "
                + "'http://localhost:10012/chat' is a full URL, not a path: announce the path only, such as /service/ws"));
        IllegalArgumentException port = assertThrows(IllegalArgumentException.class, () -> new StaticDiscoveryProvider()
                .validate(yaml("services:\n  - serviceId: chat\n    instances:\n      - host: h\n        port: abc\n")));
        assertThat(port.getMessage(), is("services.0.instances.0.port = 'abc': expected a port from 1 to 65535"));
    }
}
