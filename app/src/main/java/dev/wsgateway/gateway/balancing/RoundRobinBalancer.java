package dev.wsgateway.gateway.balancing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import dev.wsgateway.gateway.routing.UpstreamTarget;

/**
 * Each new session of a service starts at the next instance; the others follow as fallbacks.
 */
public final class RoundRobinBalancer implements Balancer {
    private final Map<String, AtomicInteger> next = new ConcurrentHashMap<>();

    @Override
    public List<UpstreamTarget> order(String serviceId, List<UpstreamTarget> candidates) {
        int size = candidates.size();
        if (size == 1) {
            return candidates;
        }
        int start = Math.floorMod(next.computeIfAbsent(serviceId, id -> new AtomicInteger()).getAndIncrement(), size);
        List<UpstreamTarget> ordered = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            ordered.add(candidates.get((start + i) % size));
        }
        return ordered;
    }
}
