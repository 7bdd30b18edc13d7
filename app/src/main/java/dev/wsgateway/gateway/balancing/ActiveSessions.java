package dev.wsgateway.gateway.balancing;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Active sessions per instance ({@code serviceId/instanceId}), kept by the relay as sessions open, move and end.
 */
public final class ActiveSessions {
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

    public void add(String serviceId, String instanceId) {
        counts.computeIfAbsent(serviceId + "/" + instanceId, k -> new AtomicInteger()).incrementAndGet();
    }

    public void remove(String serviceId, String instanceId) {
        AtomicInteger count = counts.get(serviceId + "/" + instanceId);
        if (count != null && count.decrementAndGet() <= 0) {
            counts.remove(serviceId + "/" + instanceId, count);
        }
    }

    public int count(String serviceId, String instanceId) {
        AtomicInteger count = counts.get(serviceId + "/" + instanceId);
        return count == null ? 0 : count.get();
    }
}
