package dev.wsgateway.discovery.staticconfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.wsgateway.discovery.DiscoveryProvider;
import dev.wsgateway.discovery.InMemoryRegistry;
import dev.wsgateway.discovery.InstanceStatus;
import dev.wsgateway.discovery.ServiceInstance;
import dev.wsgateway.discovery.ServiceRegistry;
import dev.wsgateway.discovery.ServiceRoute;

import io.helidon.common.config.Config;

/**
 * Services and instances declared in configuration ({@code discovery.static.services}), with the same metadata
 * Eureka instances carry:
 * <pre>
 * discovery:
 *   type: static
 *   static:
 *     services:
 *       - serviceId: discoverableclient
 *         instances:
 *           - host: localhost
 *             port: 10012
 *             secure: false
 *             metadata-map:
 *               apiml.routes.ws_v1.gatewayUrl: "ws/v1"    # or nested, as in a Spring metadata-map
 *               apiml.routes.ws_v1.serviceUrl: /discoverableclient/ws
 * </pre>
 * A service may also carry a {@code metadata-map} that applies to all its instances (an instance's own keys win).
 */
public class StaticDiscoveryProvider implements DiscoveryProvider {

    @Override
    public String type() {
        return "static";
    }

    @Override
    public List<String> keys() {
        return List.of("services.*.serviceId", "services.*.metadata-map.**", "services.*.instances.*.instanceId",
                       "services.*.instances.*.host", "services.*.instances.*.port", "services.*.instances.*.secure",
                       "services.*.instances.*.status", "services.*.instances.*.metadata-map.**");
    }

    /**
     * Read the services; an instance whose {@code serviceUrl} is not an absolute path stops the start here (from
     * discovery backends such an instance is skipped instead).
     */
    @Override
    public void validate(Config config) {
        read(config);
    }

    @Override
    public ServiceRegistry create(Config config) {
        InMemoryRegistry registry = new InMemoryRegistry();
        registry.update(read(config));
        return registry;
    }

    static List<ServiceInstance> read(Config config) {
        List<ServiceInstance> result = new ArrayList<>();
        List<? extends Config> services = config.get("services").asNodeList().orElse(List.of());
        for (Config service : services) {
            String serviceId = service.get("serviceId").asString()
                    .orElseThrow(() -> new IllegalArgumentException(service.key() + ".serviceId is required"));
            Map<String, String> serviceMetadata = metadata(service);
            List<? extends Config> instances = service.get("instances").asNodeList().orElse(List.of());
            if (instances.isEmpty()) {
                throw new IllegalArgumentException(service.key() + ".instances must list at least one instance of "
                                                           + serviceId);
            }
            for (Config instance : instances) {
                Map<String, String> metadata = new java.util.LinkedHashMap<>(serviceMetadata);
                metadata.putAll(metadata(instance));
                List<String> problems = ServiceRoute.problems(metadata);
                if (!problems.isEmpty()) {
                    throw new IllegalArgumentException(instance.key() + ".metadata-map: " + problems.getFirst());
                }
                result.add(new ServiceInstance(
                        serviceId,
                        instance.get("instanceId").asString().orElse(null),
                        instance.get("host").asString()
                                .orElseThrow(() -> new IllegalArgumentException(instance.key() + ".host is required")),
                        port(instance.get("port")),
                        bool(instance.get("secure")),
                        InstanceStatus.parse(instance.get("status").asString().orElse("UP")),
                        metadata));
            }
        }
        return result;
    }

    private static int port(Config node) {
        String value = node.asString()
                .orElseThrow(() -> new IllegalArgumentException(node.key() + " is required"));
        try {
            int port = Integer.parseInt(value.trim());
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException(node.key() + " = '" + value + "': expected a port from 1 to 65535");
    }

    private static boolean bool(Config node) {
        String value = node.asString().orElse("false").trim();
        if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException(node.key() + " = '" + value + "': expected true or false");
        }
        return Boolean.parseBoolean(value);
    }

    private static Map<String, String> metadata(Config node) {
        Config metadata = node.get("metadata-map");
        if (!metadata.exists()) {
            return Map.of();
        }
        return metadata.detach().asMap().orElse(Map.of());
    }
}
