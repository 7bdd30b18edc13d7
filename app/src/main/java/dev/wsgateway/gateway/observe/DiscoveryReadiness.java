package dev.wsgateway.gateway.observe;

import dev.wsgateway.discovery.ServiceRegistry;
import dev.wsgateway.gateway.relay.SessionRegistry;

import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;

/**
 * Readiness: UP once discovery has its first view and while the gateway is not draining.
 */
public final class DiscoveryReadiness implements HealthCheck {
    private final String type;
    private final ServiceRegistry registry;
    private final SessionRegistry sessions;

    /**
     * @param type     discovery type, shown as a detail
     * @param registry discovery
     * @param sessions active sessions (draining on shutdown)
     */
    public DiscoveryReadiness(String type, ServiceRegistry registry, SessionRegistry sessions) {
        this.type = type;
        this.registry = registry;
        this.sessions = sessions;
    }

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
                .detail("type", type)
                .detail("services", registry.services().size())
                .build();
    }
}
