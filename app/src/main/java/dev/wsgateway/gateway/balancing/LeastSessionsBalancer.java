package dev.wsgateway.gateway.balancing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import dev.wsgateway.gateway.routing.UpstreamTarget;

/**
 * The instance with the fewest active sessions first; ties go round robin.
 */
public final class LeastSessionsBalancer implements Balancer {
    private final ActiveSessions active;
    private final RoundRobinBalancer ties = new RoundRobinBalancer();

    public LeastSessionsBalancer(ActiveSessions active) {
        this.active = active;
    }

    @Override
    public List<UpstreamTarget> order(String serviceId, List<UpstreamTarget> candidates) {
        List<UpstreamTarget> ordered = new ArrayList<>(ties.order(serviceId, candidates));
        ordered.sort(Comparator.comparingInt(t -> active.count(t.instance().serviceId(), t.instance().instanceId())));
        return ordered;
    }
}
