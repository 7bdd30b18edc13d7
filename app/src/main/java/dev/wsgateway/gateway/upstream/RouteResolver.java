package dev.wsgateway.gateway.upstream;

import java.net.URI;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.wsgateway.discovery.ServiceInstance;
import dev.wsgateway.discovery.ServiceRegistry;
import dev.wsgateway.discovery.ServiceRoute;
import dev.wsgateway.gateway.balancing.Balancer;
import dev.wsgateway.gateway.http.Refusal;

/**
 * Turns a session's request into the instances that may serve it, in the order the balancer prefers.
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
     * @param request the session's request
     * @return candidate targets, best first (never empty)
     * @throws Refusal 404 unknown service or no such route, 503 no instance UP
     */
    public List<UpstreamTarget> resolve(UpstreamRequest request) {
        List<ServiceInstance> instances = registry.instances(request.serviceId());
        if (instances.isEmpty()) {
            throw new Refusal(404, "unknown_service", "Service '" + request.serviceId() + "' is not known");
        }
        List<UpstreamTarget> routed = new ArrayList<>();
        boolean anyRoute = false;
        for (ServiceInstance instance : instances) {
            Optional<ServiceRoute> route = ServiceRoute.fromMetadata(instance.metadata()).stream()
                    .filter(r -> r.gatewayUrl().equals(request.gatewayUrl()))
                    .findFirst();
            if (route.isPresent()) {
                anyRoute = true;
                if (instance.isUp()) {
                    routed.add(new UpstreamTarget(instance, route.get(), uri(instance, route.get(), request)));
                }
            }
        }
        if (!anyRoute) {
            throw new Refusal(404, "unknown_route",
                                       "Service '" + request.serviceId() + "' has no route for " + request.gatewayUrl());
        }
        if (routed.isEmpty()) {
            throw new Refusal(503, "no_instance",
                                       "No instance of service '" + request.serviceId() + "' is available",
                                       Map.of("Retry-After", "5"));
        }
        Map<ServiceInstance, UpstreamTarget> byInstance = new IdentityHashMap<>();
        routed.forEach(target -> byInstance.put(target.instance(), target));
        return balancer.order(request.serviceId(), routed.stream().map(UpstreamTarget::instance).toList()).stream()
                .map(byInstance::get)
                .toList();
    }

    static URI uri(ServiceInstance instance, ServiceRoute route, UpstreamRequest request) {
        String p = route.serviceUrl() + (request.remainder().isEmpty() ? "" : "/" + request.remainder());
        if (p.isEmpty()) {
            p = "/";
        }
        String rawQuery = request.rawQuery();
        String query = rawQuery == null || rawQuery.isEmpty() ? "" : "?" + rawQuery;
        return URI.create((instance.secure() ? "wss" : "ws") + "://" + instance.authority() + p + query);
    }
}
