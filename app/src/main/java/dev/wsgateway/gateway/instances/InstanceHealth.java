package dev.wsgateway.gateway.instances;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What the active health checks found, per instance: the upstream route resolver gives no new sessions to an instance that
 * is unhealthy here. Instances never checked (checks off, or not yet run) are admitted.
 */
public final class InstanceHealth {
    private static final System.Logger LOGGER = System.getLogger(InstanceHealth.class.getName());

    private final Map<String, HealthState> states = new ConcurrentHashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    /**
     * Told about check results and transitions (metrics, migration). Called on the checking thread; never throws.
     */
    public interface Listener {
        /**
         * A check ended.
         *
         * @param serviceId  service
         * @param instanceId instance
         * @param passed     whether it passed
         */
        default void checked(String serviceId, String instanceId, boolean passed) {
        }

        /**
         * An instance became healthy or unhealthy.
         *
         * @param serviceId  service
         * @param instanceId instance
         * @param healthy    its new state
         */
        default void transition(String serviceId, String instanceId, boolean healthy) {
        }
    }

    /**
     * An instance's health as shown by {@code /application/instances}.
     *
     * @param state               {@code unchecked}, {@code healthy} or {@code unhealthy}
     * @param since               when it entered that state (first seen, for {@code unchecked})
     * @param consecutiveFailures failed checks in a row
     * @param consecutivePasses   passed checks in a row
     * @param lastFailure         why the last failed check failed (empty if none)
     */
    public record Status(String state, Instant since, int consecutiveFailures, int consecutivePasses,
                         String lastFailure) {
    }

    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    /**
     * Whether the instance may get new sessions.
     *
     * @param serviceId  service
     * @param instanceId instance
     * @return {@code false} only when its checks made it unhealthy
     */
    public boolean admits(String serviceId, String instanceId) {
        if (states.isEmpty()) {
            return true;
        }
        HealthState state = states.get(key(serviceId, instanceId));
        if (state == null) {
            return true;
        }
        synchronized (state) {
            return state.healthy();
        }
    }

    /**
     * The instance's health, if it is checked.
     *
     * @param serviceId  service
     * @param instanceId instance
     * @return status, empty when never checked
     */
    public Optional<Status> status(String serviceId, String instanceId) {
        HealthState state = states.get(key(serviceId, instanceId));
        if (state == null) {
            return Optional.empty();
        }
        synchronized (state) {
            return Optional.of(state.status());
        }
    }

    /**
     * Record the result of a check.
     */
    void record(String serviceId, String instanceId, int unhealthyThreshold, int healthyThreshold, boolean passed,
                String failure) {
        Instant now = Instant.now();
        HealthState state = states.computeIfAbsent(key(serviceId, instanceId),
                                                   k -> new HealthState(unhealthyThreshold, healthyThreshold, now));
        boolean changed;
        boolean healthy;
        synchronized (state) {
            changed = state.record(passed, failure, now);
            healthy = state.healthy();
        }
        listeners.forEach(l -> l.checked(serviceId, instanceId, passed));
        if (changed) {
            if (healthy) {
                LOGGER.log(System.Logger.Level.INFO, () -> "instance " + instanceId + " of " + serviceId
                        + " is healthy again after " + healthyThreshold + " passed health checks");
            } else {
                LOGGER.log(System.Logger.Level.WARNING, () -> "instance " + instanceId + " of " + serviceId
                        + " is unhealthy after " + unhealthyThreshold + " failed health checks (last: " + failure
                        + "); it gets no new sessions");
            }
            listeners.forEach(l -> l.transition(serviceId, instanceId, healthy));
        }
    }

    /**
     * Forget the instances of a service that discovery no longer lists.
     */
    void retain(String serviceId, Set<String> instanceIds) {
        String prefix = serviceId + "/";
        states.keySet().removeIf(k -> k.startsWith(prefix) && !instanceIds.contains(k.substring(prefix.length())));
    }

    private static String key(String serviceId, String instanceId) {
        return serviceId + "/" + instanceId;
    }
}
