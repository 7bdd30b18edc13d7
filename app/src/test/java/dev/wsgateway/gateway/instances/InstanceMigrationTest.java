package dev.wsgateway.gateway.instances;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import dev.wsgateway.discovery.InstanceStatus;
import dev.wsgateway.discovery.RegistryListener;
import dev.wsgateway.discovery.ServiceInstance;
import dev.wsgateway.discovery.ServiceRegistry;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;

/**
 * Which instance's sessions {@link InstanceMigration} moves, and why: instances holding sessions that discovery no
 * longer lists UP (draining or gone), and instances whose health checks turn them unhealthy.
 */
class InstanceMigrationTest {
    private final List<ServiceInstance> instances = new ArrayList<>();
    private final List<RegistryListener> listeners = new ArrayList<>();
    private final List<String> moved = new CopyOnWriteArrayList<>();
    private final ActiveSessions active = new ActiveSessions();
    private final InstanceHealth health = new InstanceHealth();

    private final ServiceRegistry registry = new ServiceRegistry() {
        @Override
        public List<ServiceInstance> instances(String serviceId) {
            return instances.stream().filter(i -> i.serviceId().equals(serviceId)).toList();
        }

        @Override
        public Set<String> services() {
            return Set.of("echo", "chat");
        }

        @Override
        public void addListener(RegistryListener listener) {
            listeners.add(listener);
        }

        @Override
        public void close() {
        }
    };

    private static ServiceInstance instance(String service, String id, InstanceStatus status) {
        return new ServiceInstance(service, id, "127.0.0.1", 8080, false, status, Map.of());
    }

    private void discovery(Set<String> changed, ServiceInstance... now) {
        instances.clear();
        instances.addAll(List.of(now));
        listeners.forEach(l -> l.changed(changed));
    }

    @Test
    void sessionsOfADrainingOrVanishedInstanceMove() {
        InstanceMigration.listen(registry, health, active, (s, i, why) -> moved.add(s + "/" + i + ": " + why));
        active.add("echo", "a");
        active.add("echo", "b");
        active.add("chat", "c");
        discovery(Set.of("echo", "chat"), instance("echo", "a", InstanceStatus.UP),
                  instance("echo", "b", InstanceStatus.UP), instance("chat", "c", InstanceStatus.UP));
        assertThat(moved, empty());
        // b drains, c vanishes but its service is not among the changed ones, d holds no session
        discovery(Set.of("echo"), instance("echo", "a", InstanceStatus.UP),
                  instance("echo", "b", InstanceStatus.OUT_OF_SERVICE), instance("echo", "d", InstanceStatus.DOWN));
        assertThat(moved, contains("echo/b: Instance b is draining"));
        moved.clear();
        discovery(Set.of("chat"), instance("echo", "a", InstanceStatus.UP));
        assertThat(moved, contains("chat/c: Instance c is draining"));
        moved.clear();
        // once its sessions are gone, nothing is moved any more
        active.remove("chat", "c");
        discovery(Set.of("chat"));
        assertThat(moved, empty());
    }

    @Test
    void sessionsOfAnInstanceThatTurnsUnhealthyMove() {
        InstanceMigration.listen(registry, health, active, (s, i, why) -> moved.add(s + "/" + i + ": " + why));
        health.record("echo", "a", 2, 1, false, "no pong");
        assertThat(moved, empty());
        health.record("echo", "a", 2, 1, false, "no pong");
        assertThat(moved, contains("echo/a: Instance a fails its health checks"));
        health.record("echo", "a", 2, 1, true, "");
        health.record("echo", "a", 2, 1, false, "no pong");
        assertThat(moved, contains("echo/a: Instance a fails its health checks"));
    }
}
