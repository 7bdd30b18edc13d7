package dev.wsgateway.discovery.zowestatic;

import java.util.List;
import java.util.Map;

import dev.wsgateway.discovery.InstanceStatus;
import dev.wsgateway.discovery.ServiceInstance;
import dev.wsgateway.discovery.ServiceRoute;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasEntry;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ZoweDefinitionsTest {
    /** A file as an operator keeps it for Zowe: catalog, API info, authentication, custom metadata, tiles. */
    static final String SAMPLE = """
            # static definition of a service with a WebSocket API
            services:
                - serviceId: staticclient
                  catalogUiTileId: static
                  title: A statically defined service
                  description: Its REST, UI and WebSocket routes
                  instanceBaseUrls:
                    - https://localhost:10012/discoverableclient
                    - http://127.0.0.1:10013/discoverableclient
                  homePageRelativeUrl: /api/v1
                  statusPageRelativeUrl: /application/info
                  healthCheckRelativeUrl: /application/health
                  routes:
                    - gatewayUrl: api/v1
                      serviceRelativeUrl: /api/v1
                    - gatewayUrl: ui/v1
                      serviceRelativeUrl: /
                    - gatewayUrl: ws/v1
                      serviceRelativeUrl: /ws
                  authentication:
                      scheme: httpBasicPassTicket
                      applid: TSTAPPL
                  apiInfo:
                    - apiId: zowe.apiml.discoverableclient
                      gatewayUrl: api/v1
                      swaggerUrl: https://localhost:10012/discoverableclient/v2/api-docs
                  customMetadata:
                      apiml:
                          okToRetryOnAllOperations: true
                  someKeyZoweAddsLater: ignored
            additionalServiceMetadata:
                - serviceId: staticclient
                  mode: UPDATE
                  authentication:
                    scheme: bypass
                  customMetadata:
                    team: websockets
            catalogUiTiles:
                static:
                    title: Static API services
                    description: Services defined in YAML
            """;

    @Test
    void zoweSampleMapsToInstancesAndRoutesAsZoweMetadata() {
        ZoweDefinitions d = ZoweDefinitions.parse(SAMPLE);
        List<ServiceInstance> instances = ZoweDefinitions.amend(d.instances(), d.amendments());
        assertThat(instances, hasSize(2));
        ServiceInstance tls = instances.getFirst();
        assertThat(tls.serviceId(), is("staticclient"));
        assertThat(tls.instanceId(), is("STATIC-localhost:staticclient:10012"));
        assertThat(tls.host(), is("localhost"));
        assertThat(tls.port(), is(10012));
        assertThat(tls.secure(), is(true));
        assertThat(tls.status(), is(InstanceStatus.UP));
        assertThat(tls.metadata(), hasEntry("apiml.routes.ws-v1.gatewayUrl", "ws/v1"));
        assertThat(tls.metadata(), hasEntry("apiml.routes.ws-v1.serviceUrl", "/discoverableclient/ws"));
        assertThat(ServiceRoute.fromMetadata(tls.metadata()),
                   org.hamcrest.Matchers.hasItem(new ServiceRoute("ws-v1", "ws/v1", "/discoverableclient/ws")));
        // customMetadata flattened; authentication as Zowe's metadata; UPDATE leaves the service's own scheme
        assertThat(tls.metadata(), hasEntry("apiml.okToRetryOnAllOperations", "true"));
        assertThat(tls.metadata(), hasEntry("apiml.authentication.scheme", "httpBasicPassTicket"));
        assertThat(tls.metadata(), hasEntry("apiml.authentication.applid", "TSTAPPL"));
        assertThat(tls.metadata(), hasEntry("team", "websockets"));
        // catalog-only keys are not metadata
        assertThat(tls.metadata().keySet().stream().anyMatch(k -> k.contains("catalog") || k.contains("swagger")),
                   is(false));
        ServiceInstance plain = instances.get(1);
        assertThat(plain.secure(), is(false));
        assertThat(plain.port(), is(10013));
    }

    @Test
    void forceUpdateReplacesKeys() {
        ZoweDefinitions d = ZoweDefinitions.parse(SAMPLE.replace("mode: UPDATE", "mode: FORCE_UPDATE"));
        ServiceInstance i = ZoweDefinitions.amend(d.instances(), d.amendments()).getFirst();
        assertThat(i.metadata(), hasEntry("apiml.authentication.scheme", "bypass"));
    }

    @Test
    void routedServicesIsAnAliasOfRoutes() {
        ZoweDefinitions d = ZoweDefinitions.parse("""
                services:
                  - serviceId: old
                    instanceBaseUrls: [ "http://h:1/" ]
                    routedServices:
                      - gatewayUrl: /ws/v2/
                        serviceRelativeUrl: /socket
                """);
        Map<String, String> m = d.instances().getFirst().metadata();
        assertThat(m, hasEntry("apiml.routes.ws-v2.gatewayUrl", "ws/v2"));
        assertThat(m, hasEntry("apiml.routes.ws-v2.serviceUrl", "/socket"));
        assertThat(ServiceRoute.fromMetadata(m).getFirst().serviceUrl(), is("/socket"));
    }

    @Test
    void emptyFileHasNoServices() {
        assertThat(ZoweDefinitions.parse("# nothing yet\n").instances(), hasSize(0));
    }

    @Test
    void invalidFilesSayWhyInOneLine() {
        String[][] cases = {
                {"services:\n  - serviceId: a\n    instanceBaseUrls: [ http://h:1 ]\n   bad indent: x\n", "not valid YAML"},
                {"services:\n  - instanceBaseUrls: [ http://h:1 ]\n", "serviceId is missing"},
                {"services:\n  - serviceId: Upper_Case\n    instanceBaseUrls: [ http://h:1 ]\n", "not a Zowe service id"},
                {"services:\n  - serviceId: a\n", "instanceBaseUrls must list"},
                {"services:\n  - serviceId: a\n    instanceBaseUrls: [ http://h/ctx ]\n", "no port number"},
                {"services:\n  - serviceId: a\n    instanceBaseUrls: [ ftp://h:1/ctx ]\n", "http:// or https://"},
                {"services:\n  - serviceId: a\n    instanceBaseUrls: [ http://h:1 ]\n    routes:\n      - serviceRelativeUrl: /x\n",
                        "gatewayUrl is missing"},
                {"services: just a string\n", "services must be a list"},
                {"additionalServiceMetadata:\n  - serviceId: a\n    mode: SOMETIMES\n", "UPDATE or FORCE_UPDATE"},
        };
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ZoweDefinitions.parse(c[0]),
                                                      c[0]);
            assertThat(e.getMessage(), containsString(c[1]));
            assertThat(e.getMessage(), not(containsString("\n")));
        }
    }
}
