package dev.wsgateway.gateway.balancing;

import java.util.List;

import dev.wsgateway.discovery.ServiceInstance;
import dev.wsgateway.gateway.config.BalancingSettings;

/**
 * The gateway's balancer: each service ordered by its configured strategy.
 */
public final class Balancers {
    private Balancers() {
    }

    /**
     * Create the balancer for the configured strategies.
     *
     * @param settings balancing settings (default strategy and per-service strategies)
     * @param active   active sessions per instance, for {@code least-sessions}
     * @return balancer
     */
    public static Balancer create(BalancingSettings settings, ActiveSessions active) {
        Balancer roundRobin = new RoundRobinBalancer();
        Balancer least = new LeastSessionsBalancer(active);
        return (String serviceId, List<ServiceInstance> candidates) ->
                (settings.strategy(serviceId).equals(BalancingSettings.LEAST_SESSIONS) ? least : roundRobin)
                        .order(serviceId, candidates);
    }
}
