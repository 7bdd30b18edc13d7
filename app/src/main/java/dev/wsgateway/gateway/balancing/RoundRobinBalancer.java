package dev.wsgateway.gateway.balancing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import dev.wsgateway.discovery.ServiceInstance;

/**
 * Each new session of a service starts at the next instance; the others follow as fallbacks.
 */
final class RoundRobinBalancer implements Balancer {
    private final Map<String, AtomicInteger> next = new ConcurrentHashMap<>();

    @Override
    public List<ServiceInstance> order(String serviceId, List<ServiceInstance> candidates) {
        int size = candidates.size();
        if (size == 1) {
            return candidates;
        }
        int start = Math.floorMod(next.computeIfAbsent(serviceId, id -> new AtomicInteger()).getAndIncrement(), size);
        List<ServiceInstance> ordered = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            ordered.add(candidates.get((start + i) % size));
        }
        return ordered;
    }
}
