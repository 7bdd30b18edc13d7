package dev.wsgateway.gateway.balancing;

import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;

import dev.wsgateway.discovery.ServiceInstance;

/**
 * {@code user-affinity}: an authenticated user's sessions go to the same instance, chosen by rendezvous (highest
 * random weight) hashing of the user over the candidates. Every gateway computes the same order from the same
 * instances without sharing state, and when an instance leaves only its users move (each to their second choice).
 * Sessions without a user are ordered by the fallback strategy.
 */
final class UserAffinityBalancer implements Balancer {
    private final Balancer anonymous;

    UserAffinityBalancer(Balancer anonymous) {
        this.anonymous = anonymous;
    }

    @Override
    public List<ServiceInstance> order(String serviceId, List<ServiceInstance> candidates) {
        return anonymous.order(serviceId, candidates);
    }

    @Override
    public List<ServiceInstance> order(String serviceId, String user, List<ServiceInstance> candidates) {
        if (user == null || user.isEmpty()) {
            return anonymous.order(serviceId, candidates);
        }
        return candidates.stream()
                .sorted(Comparator.comparingLong((ServiceInstance i) -> weight(user, i.instanceId())).reversed()
                                .thenComparing(ServiceInstance::instanceId))
                .toList();
    }

    /**
     * The rendezvous weight of a user on an instance: a 64-bit hash of both (FNV-1a over the UTF-8 bytes of
     * {@code user}, a separator and {@code instanceId}, then a finalising mix so that close inputs spread).
     *
     * @param user       user name
     * @param instanceId instance id
     * @return weight, compared as signed longs
     */
    static long weight(String user, String instanceId) {
        long h = 0xcbf29ce484222325L;
        for (byte b : (user + '\u0000' + instanceId).getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
