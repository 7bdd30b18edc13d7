package dev.wsgateway.gateway.balancing;

import java.util.List;

import dev.wsgateway.discovery.ServiceInstance;

/**
 * Orders the UP instances of a service for a new session; the gateway tries them in that order.
 */
public interface Balancer {
    /**
     * Order candidates, preferred first.
     *
     * @param serviceId  service id
     * @param candidates UP instances with the requested route (not empty)
     * @return the same instances, reordered
     */
    List<ServiceInstance> order(String serviceId, List<ServiceInstance> candidates);

    /**
     * Order candidates for a session of a known user (strategies that ignore the user order as above).
     *
     * @param serviceId  service id
     * @param user       authenticated user, empty when the session has none
     * @param candidates UP instances with the requested route (not empty)
     * @return the same instances, reordered
     */
    default List<ServiceInstance> order(String serviceId, String user, List<ServiceInstance> candidates) {
        return order(serviceId, candidates);
    }
}
