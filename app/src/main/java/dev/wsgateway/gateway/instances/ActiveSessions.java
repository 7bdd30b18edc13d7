package dev.wsgateway.gateway.instances;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Active sessions per instance ({@code serviceId/instanceId}), kept by the relay as sessions open, move and end (through
 * a relay listener the wiring adds): the {@code least-sessions} balancer, the instance listing and the drain migration
 * read it.
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

    /**
     * The instances of a service that hold sessions now.
     *
     * @param serviceId service
     * @return instance ids
     */
    public Set<String> instances(String serviceId) {
        String prefix = serviceId + "/";
        Set<String> ids = new HashSet<>();
        counts.forEach((key, count) -> {
            if (key.startsWith(prefix) && count.get() > 0) {
                ids.add(key.substring(prefix.length()));
            }
        });
        return ids;
    }

    public int count(String serviceId, String instanceId) {
        AtomicInteger count = counts.get(serviceId + "/" + instanceId);
        return count == null ? 0 : count.get();
    }
}
