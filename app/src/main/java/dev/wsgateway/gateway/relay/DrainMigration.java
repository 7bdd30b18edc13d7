package dev.wsgateway.gateway.relay;

import java.util.Set;

import dev.wsgateway.discovery.ServiceRegistry;

/**
 * With {@code gateway.failover.on-drain: migrate}: when discovery changes, sessions on instances that are no longer UP
 * (or gone) move to another instance.
 */
public final class DrainMigration {
    private final ServiceRegistry registry;
    private final SessionRegistry sessions;

    private DrainMigration(ServiceRegistry registry, SessionRegistry sessions) {
        this.registry = registry;
        this.sessions = sessions;
    }

    /**
     * Listen to discovery changes.
     *
     * @param registry discovery
     * @param sessions active sessions
     */
    public static void listen(ServiceRegistry registry, SessionRegistry sessions) {
        DrainMigration migration = new DrainMigration(registry, sessions);
        registry.addListener(migration::changed);
    }

    private void changed(Set<String> services) {
        for (RelaySession session : sessions.sessions()) {
            SessionInfo info = session.info();
            if (services.contains(info.serviceId())) {
                boolean up = registry.instances(info.serviceId()).stream()
                        .anyMatch(i -> i.instanceId().equals(info.instanceId()) && i.isUp());
                if (!up) {
                    session.migrate("Instance " + info.instanceId() + " is draining");
                }
            }
        }
    }
}
