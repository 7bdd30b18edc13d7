package dev.wsgateway.gateway.balancing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import dev.wsgateway.discovery.ServiceInstance;
import dev.wsgateway.gateway.instances.ActiveSessions;

/**
 * The instance with the fewest active sessions first; ties go round robin.
 */
final class LeastSessionsBalancer implements Balancer {
    private final ActiveSessions active;
    private final RoundRobinBalancer ties = new RoundRobinBalancer();

    LeastSessionsBalancer(ActiveSessions active) {
        this.active = active;
    }

    @Override
    public List<ServiceInstance> order(String serviceId, List<ServiceInstance> candidates) {
        List<ServiceInstance> ordered = new ArrayList<>(ties.order(serviceId, candidates));
        ordered.sort(Comparator.comparingInt(i -> active.count(i.serviceId(), i.instanceId())));
        return ordered;
    }
}
