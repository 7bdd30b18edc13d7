package dev.wsgateway.gateway.instances;

import java.util.HashSet;
import java.util.Set;

import dev.wsgateway.discovery.ServiceInstance;
import dev.wsgateway.discovery.ServiceRegistry;

/**
 * With {@code gateway.failover.on-drain: migrate}, the sessions of an instance that should get no more of them move to
 * another instance: one that discovery no longer lists as UP (draining, or gone), and one that its active health
 * checks made unhealthy. This class decides which instance's sessions move and why; moving them is the relay's
 * business, reached through the narrow {@link SessionMover} the wiring gives it (so this package knows nothing of
 * sessions, and the relay, which uses this package through {@code upstream}, is not used by it).
 */
public final class InstanceMigration {
    private final ServiceRegistry registry;
    private final ActiveSessions active;
    private final SessionMover mover;

    /**
     * Moves the sessions of one instance elsewhere.
     */
    @FunctionalInterface
    public interface SessionMover {
        /**
         * Move every session on this instance to another instance (the session's failover, with its old instance
         * closed with 1001).
         *
         * @param serviceId  service
         * @param instanceId instance
         * @param reason     why, for the log and the old instance's close
         */
        void migrate(String serviceId, String instanceId, String reason);
    }

    private InstanceMigration(ServiceRegistry registry, ActiveSessions active, SessionMover mover) {
        this.registry = registry;
        this.active = active;
        this.mover = mover;
    }

    /**
     * Start migrating: on every discovery change and every instance that turns unhealthy.
     *
     * @param registry discovery
     * @param health   active health check results
     * @param active   which instances hold sessions
     * @param mover    moves an instance's sessions
     */
    public static void listen(ServiceRegistry registry, InstanceHealth health, ActiveSessions active,
                              SessionMover mover) {
        InstanceMigration migration = new InstanceMigration(registry, active, mover);
        registry.addListener(migration::discoveryChanged);
        health.addListener(new InstanceHealth.Listener() {
            @Override
            public void transition(String serviceId, String instanceId, boolean healthy) {
                if (!healthy) {
                    mover.migrate(serviceId, instanceId, "Instance " + instanceId + " fails its health checks");
                }
            }
        });
    }

    /**
     * Discovery changed these services: instances holding sessions that are no longer UP are draining.
     */
    void discoveryChanged(Set<String> services) {
        for (String serviceId : services) {
            Set<String> holding = active.instances(serviceId);
            if (holding.isEmpty()) {
                continue;
            }
            Set<String> up = new HashSet<>();
            for (ServiceInstance instance : registry.instances(serviceId)) {
                if (instance.isUp()) {
                    up.add(instance.instanceId());
                }
            }
            for (String instanceId : holding) {
                if (!up.contains(instanceId)) {
                    mover.migrate(serviceId, instanceId, "Instance " + instanceId + " is draining");
                }
            }
        }
    }
}
