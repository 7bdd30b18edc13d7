package dev.wsgateway.gateway.routing;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.wsgateway.discovery.ServiceInstance;
import dev.wsgateway.discovery.ServiceRegistry;
import dev.wsgateway.discovery.ServiceRoute;
import dev.wsgateway.gateway.balancing.Balancer;

/**
 * Turns a gateway request path into the instances that may serve it, in the order the balancer prefers.
 */
public final class RouteResolver {
    private final ServiceRegistry registry;
    private final Balancer balancer;

    public RouteResolver(ServiceRegistry registry, Balancer balancer) {
        this.registry = registry;
        this.balancer = balancer;
    }

    /**
     * Resolve a request.
     *
     * @param path     the parsed gateway path
     * @param rawQuery raw query string, may be empty
     * @return candidate targets, best first (never empty)
     * @throws GatewayException 404 unknown service or no such route, 503 no instance UP
     */
    public List<UpstreamTarget> resolve(GatewayPath path, String rawQuery) {
        List<ServiceInstance> instances = registry.instances(path.serviceId());
        if (instances.isEmpty()) {
            throw new GatewayException(404, "unknown_service", "Service '" + path.serviceId() + "' is not known");
        }
        List<UpstreamTarget> routed = new ArrayList<>();
        boolean anyRoute = false;
        for (ServiceInstance instance : instances) {
            Optional<ServiceRoute> route = ServiceRoute.fromMetadata(instance.metadata()).stream()
                    .filter(r -> r.gatewayUrl().equals(path.gatewayUrl()))
                    .findFirst();
            if (route.isPresent()) {
                anyRoute = true;
                if (instance.isUp()) {
                    routed.add(new UpstreamTarget(instance, route.get(), uri(instance, route.get(), path, rawQuery)));
                }
            }
        }
        if (!anyRoute) {
            throw new GatewayException(404, "unknown_route",
                                       "Service '" + path.serviceId() + "' has no route for " + path.gatewayUrl());
        }
        if (routed.isEmpty()) {
            throw new GatewayException(503, "no_instance",
                                       "No instance of service '" + path.serviceId() + "' is available",
                                       java.util.Map.of("Retry-After", "5"));
        }
        return balancer.order(path.serviceId(), routed);
    }

    static URI uri(ServiceInstance instance, ServiceRoute route, GatewayPath path, String rawQuery) {
        String p = route.serviceUrl() + (path.remainder().isEmpty() ? "" : "/" + path.remainder());
        if (p.isEmpty()) {
            p = "/";
        }
        String query = rawQuery == null || rawQuery.isEmpty() ? "" : "?" + rawQuery;
        return URI.create((instance.secure() ? "wss" : "ws") + "://" + instance.authority() + p + query);
    }
}
