package dev.wsgateway.gateway.instances;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import dev.wsgateway.discovery.ServiceInstance;

/**
 * Passive health (like Envoy's outlier detection): an instance whose connects fail is ejected for a cool-down and
 * tried only after the others; at most a share of a service's instances is ejected at once.
 */
public final class Ejections {
    private static final System.Logger LOGGER = System.getLogger(Ejections.class.getName());

    private final Duration cooldown;
    private final int maxEjectedPercent;
    private final Map<String, Long> ejectedUntil = new ConcurrentHashMap<>();

    /**
     * @param cooldown          how long an instance stays ejected after a failed connect
     * @param maxEjectedPercent the largest share (percent) of a service's instances ejected at once
     */
    public Ejections(Duration cooldown, int maxEjectedPercent) {
        this.cooldown = cooldown;
        this.maxEjectedPercent = maxEjectedPercent;
    }

    /**
     * Put ejected instances last, keeping the order of the others.
     *
     * @param targets  candidates in balancer order
     * @param instance the instance of a candidate
     * @param <T>      what the candidates are
     * @return reordered candidates
     */
    public <T> List<T> order(List<T> targets, Function<? super T, ServiceInstance> instance) {
        if (ejectedUntil.isEmpty()) {
            return targets;
        }
        long now = System.nanoTime();
        List<T> healthy = new ArrayList<>(targets.size());
        List<T> ejected = new ArrayList<>();
        for (T target : targets) {
            (isEjected(key(instance.apply(target)), now) ? ejected : healthy).add(target);
        }
        healthy.addAll(ejected);
        return healthy;
    }

    /**
     * A connect to this instance failed: eject it unless the service already has its share ejected.
     *
     * @param target     the instance
     * @param candidates all UP instances of the service with the route
     */
    public void failed(ServiceInstance target, List<ServiceInstance> candidates) {
        long now = System.nanoTime();
        long ejectedNow = candidates.stream().filter(t -> isEjected(key(t), now)).count();
        long allowed = candidates.size() * (long) maxEjectedPercent / 100;
        String key = key(target);
        if (isEjected(key, now) || ejectedNow < allowed) {
            ejectedUntil.put(key, now + cooldown.toNanos());
            LOGGER.log(System.Logger.Level.INFO, () -> "instance " + key + " ejected for " + cooldown.toMillis()
                    + " ms after a failed connect");
        }
    }

    /**
     * A connect to this instance succeeded: it is healthy again.
     *
     * @param target the instance
     */
    public void succeeded(ServiceInstance target) {
        if (!ejectedUntil.isEmpty()) {
            ejectedUntil.remove(key(target));
        }
    }

    /**
     * Whether the instance is ejected now.
     *
     * @param target the instance
     * @return whether ejected
     */
    public boolean isEjected(ServiceInstance target) {
        return isEjected(key(target), System.nanoTime());
    }

    /**
     * Until when the instance is ejected (for {@code /application/instances}).
     *
     * @param serviceId  service
     * @param instanceId instance
     * @return the end of its ejection, empty when not ejected
     */
    public Optional<Instant> ejectedUntil(String serviceId, String instanceId) {
        long now = System.nanoTime();
        String key = serviceId + "/" + instanceId;
        Long until = ejectedUntil.get(key);
        if (until == null || !isEjected(key, now)) {
            return Optional.empty();
        }
        return Optional.of(Instant.now().plusNanos(until - now));
    }

    private boolean isEjected(String key, long now) {
        Long until = ejectedUntil.get(key);
        if (until == null) {
            return false;
        }
        if (now - until > 0) {
            ejectedUntil.remove(key, until);
            return false;
        }
        return true;
    }

    private static String key(ServiceInstance instance) {
        return instance.serviceId() + "/" + instance.instanceId();
    }
}
