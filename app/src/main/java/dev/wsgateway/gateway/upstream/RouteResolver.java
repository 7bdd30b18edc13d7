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
import dev.wsgateway.gateway.config.AffinitySettings;
import dev.wsgateway.gateway.instances.InstanceHealth;

/**
 * Turns a session's request into the instances that may serve it, in the order the balancer prefers. Instances the
 * active health checks found unhealthy are skipped; a client may name its instance when the service allows it.
 */
public final class RouteResolver {
    private final ServiceRegistry registry;
    private final Balancer balancer;
    private final InstanceHealth health;
    private final AffinitySettings affinity;

    public RouteResolver(ServiceRegistry registry, Balancer balancer) {
        this(registry, balancer, new InstanceHealth(), new AffinitySettings(false, false, Map.of()));
    }

    /**
     * @param registry discovery
     * @param balancer orders the candidates
     * @param health   active health check results
     * @param affinity whether clients may choose an instance
     */
    public RouteResolver(ServiceRegistry registry, Balancer balancer, InstanceHealth health, AffinitySettings affinity) {
        this.registry = registry;
        this.balancer = balancer;
        this.health = health;
        this.affinity = affinity;
    }

    /**
     * Resolve a request.
     *
     * @param request the session's request
     * @return candidate targets, best first (never empty)
     * @throws UpstreamException unknown service, no such route, unknown requested instance, no instance UP and
     *                           healthy, or requested instance not available
     */
    public List<UpstreamTarget> resolve(UpstreamRequest request) {
        List<ServiceInstance> instances = registry.instances(request.serviceId());
        if (instances.isEmpty()) {
            throw new UpstreamException(new ConnectFailure.UnknownService(request.serviceId()));
        }
        if (!request.instanceId().isEmpty() && affinity.clientChoice(request.serviceId())) {
            return List.of(requested(request, instances));
        }
        List<UpstreamTarget> routed = new ArrayList<>();
        boolean anyRoute = false;
        for (ServiceInstance instance : instances) {
            Optional<ServiceRoute> route = ServiceRoute.fromMetadata(instance.metadata()).stream()
                    .filter(r -> r.gatewayUrl().equals(request.gatewayUrl()))
                    .findFirst();
            if (route.isPresent()) {
                anyRoute = true;
                if (instance.isUp() && health.admits(instance.serviceId(), instance.instanceId())) {
                    routed.add(new UpstreamTarget(instance, route.get(), uri(instance, route.get(), request)));
                }
            }
        }
        if (!anyRoute) {
            throw new UpstreamException(new ConnectFailure.UnknownRoute(request.serviceId(), request.gatewayUrl(), ""));
        }
        if (routed.isEmpty()) {
            throw new UpstreamException(new ConnectFailure.NoInstance(request.serviceId()));
        }
        Map<ServiceInstance, UpstreamTarget> byInstance = new IdentityHashMap<>();
        routed.forEach(target -> byInstance.put(target.instance(), target));
        return balancer.order(request.serviceId(), request.user(),
                              routed.stream().map(UpstreamTarget::instance).toList()).stream()
                .map(byInstance::get)
                .toList();
    }

    /**
     * The instance a client asked for with {@code X-InstanceId}.
     */
    private UpstreamTarget requested(UpstreamRequest request, List<ServiceInstance> instances) {
        String id = request.instanceId();
        ServiceInstance instance = instances.stream()
                .filter(i -> i.instanceId().equals(id))
                .findFirst()
                .orElseThrow(() -> new UpstreamException(new ConnectFailure.UnknownInstance(request.serviceId(), id)));
        ServiceRoute route = ServiceRoute.fromMetadata(instance.metadata()).stream()
                .filter(r -> r.gatewayUrl().equals(request.gatewayUrl()))
                .findFirst()
                .orElseThrow(() -> new UpstreamException(new ConnectFailure.UnknownRoute(request.serviceId(),
                                                                                          request.gatewayUrl(), id)));
        if (!instance.isUp() || !health.admits(instance.serviceId(), id)) {
            throw new UpstreamException(new ConnectFailure.InstanceUnavailable(
                    request.serviceId(), id, instance.isUp() ? "failing its health checks"
                            : String.valueOf(instance.status())));
        }
        return new UpstreamTarget(instance, route, uri(instance, route, request));
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
