package dev.wsgateway.gateway.observe;

import dev.wsgateway.discovery.ServiceRegistry;
import dev.wsgateway.gateway.relay.SessionRegistry;

import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;

/**
 * Readiness: UP once discovery has its first view and while the gateway is not draining. Its details say what
 * discovery is doing: backend, services known, last successful refresh, failed reads and skipped instances.
 *
 * @param discoveryType discovery type, shown as a detail
 * @param registry      discovery
 * @param sessions      active sessions (draining on shutdown)
 */
public record DiscoveryReadiness(String discoveryType, ServiceRegistry registry, SessionRegistry sessions)
        implements HealthCheck {
    @Override
    public HealthCheckType type() {
        return HealthCheckType.READINESS;
    }

    @Override
    public String name() {
        return "discovery";
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.builder()
                .status(registry.ready() && !sessions.draining())
                .detail("type", discoveryType)
                .detail("services", registry.services().size())
                .detail("lastRefresh", registry.lastRefresh().map(Object::toString).orElse("never"))
                .detail("failures", registry.failures())
                .detail("skippedInstances", registry.skippedInstances())
                .build();
    }
}
