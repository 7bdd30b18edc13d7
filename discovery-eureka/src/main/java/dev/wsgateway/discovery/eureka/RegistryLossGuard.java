package dev.wsgateway.discovery.eureka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import dev.wsgateway.discovery.ServiceInstance;

/**
 * Tells a Eureka server that lost its registry from a fleet that left. A Eureka server that restarts (without a peer
 * to copy from) answers an empty or nearly empty registry until the instances' next heartbeats register them again:
 * up to a heartbeat interval, 30 s with Java clients. Taken at its word, that fetch makes every service unknown and
 * the gateway refuses every new session meanwhile. So when one fetch loses more than half of the instances of the
 * view before it, the missing ones are kept (as they were) until they are registered again or {@code grace} has
 * passed, whichever comes first. Instances leaving one by one, or a minority at once, leave the view at once as
 * before. Not thread-safe: the registry calls it under its lock.
 */
final class RegistryLossGuard {
    private static final System.Logger LOGGER = System.getLogger(RegistryLossGuard.class.getName());

    private final long graceNanos;
    private Map<String, ServiceInstance> accepted = Map.of();
    private Map<String, ServiceInstance> kept = Map.of();
    private long keptSince;

    /**
     * @param grace how long missing instances are kept at most after a loss; zero turns the guard off
     */
    RegistryLossGuard(Duration grace) {
        this.graceNanos = grace.toNanos();
    }

    /**
     * The view to publish after a successful fetch.
     *
     * @param fetched   the instances the fetch returned
     * @param nowNanos  {@link System#nanoTime()}
     * @return the fetched instances, plus the kept ones while a loss is being waited out
     */
    List<ServiceInstance> view(List<ServiceInstance> fetched, long nowNanos) {
        Map<String, ServiceInstance> byKey = fetched.stream()
                .collect(Collectors.toMap(RegistryLossGuard::key, i -> i, (a, b) -> b, LinkedHashMap::new));
        if (kept.isEmpty() && graceNanos > 0) {
            Map<String, ServiceInstance> missing = missing(accepted, byKey.keySet());
            if (missing.size() * 2 > accepted.size()) {
                kept = missing;
                keptSince = nowNanos;
                LOGGER.log(System.Logger.Level.WARNING, "Eureka returned " + fetched.size() + " instances where it had "
                        + accepted.size() + ": taken as a registry that lost its state (a restarted server), not as "
                        + missing.size() + " instances leaving at once; they stay in the view until they register "
                        + "again, for " + Duration.ofNanos(graceNanos).toSeconds() + " s at most");
            }
        } else if (!kept.isEmpty()) {
            kept = missing(kept, byKey.keySet());
            if (kept.isEmpty()) {
                LOGGER.log(System.Logger.Level.INFO, "Every instance kept after the Eureka registry loss is registered "
                        + "again");
            } else if (nowNanos - keptSince >= graceNanos) {
                LOGGER.log(System.Logger.Level.WARNING, "Instances kept after the Eureka registry loss did not register "
                        + "again within the grace period; dropped: " + kept.keySet());
                kept = Map.of();
            }
        }
        accepted = byKey;
        if (kept.isEmpty()) {
            return fetched;
        }
        List<ServiceInstance> view = new ArrayList<>(fetched);
        view.addAll(kept.values());
        return view;
    }

    /**
     * @return whether instances missing from the last fetch are being kept
     */
    boolean keeping() {
        return !kept.isEmpty();
    }

    private static Map<String, ServiceInstance> missing(Map<String, ServiceInstance> from, Set<String> present) {
        Map<String, ServiceInstance> missing = new LinkedHashMap<>();
        from.forEach((k, v) -> {
            if (!present.contains(k)) {
                missing.put(k, v);
            }
        });
        return missing;
    }

    private static String key(ServiceInstance instance) {
        return instance.serviceId() + '/' + instance.instanceId();
    }
}
