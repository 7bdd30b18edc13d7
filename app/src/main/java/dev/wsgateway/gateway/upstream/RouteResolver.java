package dev.wsgateway.gateway.upstream;

import java.net.URI;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.wsgateway.discovery.ServiceInstance;
import dev.wsgateway.discovery.ServiceRegistry;
import dev.wsgateway.discovery.ServiceRoute;
import dev.wsgateway.gateway.balancing.Balancer;
import dev.wsgateway.gateway.config.AffinitySettings;
import dev.wsgateway.gateway.instances.InstanceHealth;

/**
 * Turns a session's request into the instances that may serve it, in the order the balancer prefers. Instances the
 * active health checks found unhealthy are skipped; a client may name its instance when the service allows it.
 *
 * <p>The routes an instance announces are read from its metadata once per view of discovery, not once per session:
 * a service's routes are kept with the very list of instances they were read from, and read again when discovery
 * hands out another list.
 */
public final class RouteResolver {
    private final Map<String, Routes> routes = new ConcurrentHashMap<>();
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
            routes.remove(request.serviceId());
            throw new UpstreamException(new ConnectFailure.UnknownService(request.serviceId()));
        }
        Routes known = routesOf(request.serviceId(), instances);
        if (!request.instanceId().isEmpty() && affinity.clientChoice(request.serviceId())) {
            return List.of(requested(request, known));
        }
        List<UpstreamTarget> routed = new ArrayList<>(instances.size());
        boolean anyRoute = false;
        for (int i = 0; i < instances.size(); i++) {
            ServiceInstance instance = instances.get(i);
            ServiceRoute route = known.route(i, request.gatewayUrl());
            if (route != null) {
                anyRoute = true;
                if (instance.isUp() && health.admits(instance.serviceId(), instance.instanceId())) {
                    routed.add(new UpstreamTarget(instance, route, uri(instance, route, request)));
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
        List<ServiceInstance> candidates = new ArrayList<>(routed.size());
        for (UpstreamTarget target : routed) {
            byInstance.put(target.instance(), target);
            candidates.add(target.instance());
        }
        List<ServiceInstance> ordered = balancer.order(request.serviceId(), request.user(), candidates);
        List<UpstreamTarget> targets = new ArrayList<>(ordered.size());
        for (ServiceInstance instance : ordered) {
            targets.add(byInstance.get(instance));
        }
        return List.copyOf(targets);
    }

    /**
     * The routes of a service's instances, read from their metadata when discovery's list is not the one seen last.
     */
    private Routes routesOf(String serviceId, List<ServiceInstance> instances) {
        Routes known = routes.get(serviceId);
        if (known == null || known.instances != instances) {
            known = new Routes(instances);
            routes.put(serviceId, known);
        }
        return known;
    }

    /**
     * The routes announced by each instance of one list of discovery (kept with that list, compared by identity).
     */
    private static final class Routes {
        private final List<ServiceInstance> instances;
        private final List<List<ServiceRoute>> byInstance;

        Routes(List<ServiceInstance> instances) {
            this.instances = instances;
            List<List<ServiceRoute>> read = new ArrayList<>(instances.size());
            for (ServiceInstance instance : instances) {
                read.add(ServiceRoute.fromMetadata(instance.metadata()));
            }
            this.byInstance = List.copyOf(read);
        }

        /**
         * The route of the {@code i}th instance for a {@code ws/vN}, {@code null} when it announces none.
         */
        ServiceRoute route(int i, String gatewayUrl) {
            for (ServiceRoute route : byInstance.get(i)) {
                if (route.gatewayUrl().equals(gatewayUrl)) {
                    return route;
                }
            }
            return null;
        }
    }

    /**
     * The instance a client asked for with {@code X-InstanceId}.
     */
    private UpstreamTarget requested(UpstreamRequest request, Routes known) {
        String id = request.instanceId();
        int i = 0;
        while (i < known.instances.size() && !known.instances.get(i).instanceId().equals(id)) {
            i++;
        }
        if (i == known.instances.size()) {
            throw new UpstreamException(new ConnectFailure.UnknownInstance(request.serviceId(), id));
        }
        ServiceInstance instance = known.instances.get(i);
        ServiceRoute route = known.route(i, request.gatewayUrl());
        if (route == null) {
            throw new UpstreamException(new ConnectFailure.UnknownRoute(request.serviceId(), request.gatewayUrl(), id));
        }
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
