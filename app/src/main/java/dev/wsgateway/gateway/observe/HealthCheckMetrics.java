package dev.wsgateway.gateway.observe;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.wsgateway.gateway.instances.InstanceHealth;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;

/**
 * Meters of the active health checks: checks by result and transitions by new state, per service. Like
 * {@link GatewayMetrics}, the meters are registered once per JVM and never removed.
 */
public final class HealthCheckMetrics implements InstanceHealth.Listener {
    private static final Map<String, Counter> COUNTERS = new ConcurrentHashMap<>();

    private final MeterRegistry meters;

    public HealthCheckMetrics(MeterRegistry meters) {
        this.meters = meters;
    }

    @Override
    public void checked(String serviceId, String instanceId, boolean passed) {
        counter("wsgateway.health.checks", "Active health checks of instances, by result", serviceId,
                "result", passed ? "pass" : "fail").increment();
    }

    @Override
    public void transition(String serviceId, String instanceId, boolean healthy) {
        counter("wsgateway.health.transitions", "Instances that became healthy or unhealthy by their health checks",
                serviceId, "state", healthy ? "healthy" : "unhealthy").increment();
    }

    private Counter counter(String name, String description, String serviceId, String key, String value) {
        return COUNTERS.computeIfAbsent(name + '\n' + serviceId + '\n' + value, k -> meters.getOrCreate(
                Counter.builder(name).description(description)
                        .tags(java.util.List.of(Tag.create("service", serviceId), Tag.create(key, value)))));
    }
}
