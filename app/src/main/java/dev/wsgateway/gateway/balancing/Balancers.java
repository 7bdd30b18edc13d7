package dev.wsgateway.gateway.balancing;

import java.util.List;

import dev.wsgateway.discovery.ServiceInstance;
import dev.wsgateway.gateway.config.BalancingSettings;
import dev.wsgateway.gateway.instances.ActiveSessions;

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
        Balancer user = new UserAffinityBalancer(roundRobin);
        return new Balancer() {
            @Override
            public List<ServiceInstance> order(String serviceId, List<ServiceInstance> candidates) {
                return strategy(serviceId).order(serviceId, candidates);
            }

            @Override
            public List<ServiceInstance> order(String serviceId, String userName, List<ServiceInstance> candidates) {
                return strategy(serviceId).order(serviceId, userName, candidates);
            }

            private Balancer strategy(String serviceId) {
                return switch (settings.strategy(serviceId)) {
                    case BalancingSettings.LEAST_SESSIONS -> least;
                    case BalancingSettings.USER_AFFINITY -> user;
                    default -> roundRobin;
                };
            }
        };
    }
}
