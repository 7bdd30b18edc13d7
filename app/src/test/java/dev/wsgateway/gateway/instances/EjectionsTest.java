package dev.wsgateway.gateway.instances;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.wsgateway.discovery.InstanceStatus;
import dev.wsgateway.discovery.ServiceInstance;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.sameInstance;

class EjectionsTest {
    private static ServiceInstance target(String service, String id) {
        return new ServiceInstance(service, id, "host-" + id, 8080, false, InstanceStatus.UP, Map.of());
    }

    private static final ServiceInstance A = target("echo", "a");
    private static final ServiceInstance B = target("echo", "b");
    private static final ServiceInstance C = target("echo", "c");
    private static final ServiceInstance D = target("echo", "d");
    private static final List<ServiceInstance> ALL = List.of(A, B, C, D);

    private static List<String> ids(List<ServiceInstance> targets) {
        return targets.stream().map(ServiceInstance::instanceId).toList();
    }

    @Test
    void withoutEjectionsTheOrderIsKept() {
        Ejections ejections = new Ejections(Duration.ofSeconds(10), 50);
        assertThat(ejections.order(ALL, i -> i), sameInstance(ALL));
    }

    @Test
    void aFailedInstanceGoesLastKeepingTheOrderOfTheOthers() {
        Ejections ejections = new Ejections(Duration.ofSeconds(10), 50);
        ejections.failed(B, ALL);
        assertThat(ejections.isEjected(B), is(true));
        assertThat(ejections.isEjected(A), is(false));
        assertThat(ids(ejections.order(ALL, i -> i)), contains("a", "c", "d", "b"));
        assertThat(ids(ejections.order(List.of(D, C, B, A), i -> i)), contains("d", "c", "a", "b"));
    }

    @Test
    void ejectedInstancesKeepTheirOrderAmongThemselves() {
        Ejections ejections = new Ejections(Duration.ofSeconds(10), 50);
        ejections.failed(C, ALL);
        ejections.failed(A, ALL);
        assertThat(ids(ejections.order(ALL, i -> i)), contains("b", "d", "a", "c"));
    }

    @Test
    void aSuccessfulConnectClearsTheEjection() {
        Ejections ejections = new Ejections(Duration.ofSeconds(10), 50);
        ejections.failed(A, ALL);
        ejections.succeeded(A);
        assertThat(ejections.isEjected(A), is(false));
        assertThat(ids(ejections.order(ALL, i -> i)), contains("a", "b", "c", "d"));
        ejections.succeeded(B); // never ejected: nothing happens
        assertThat(ejections.isEjected(B), is(false));
    }

    @Test
    void theEjectionEndsAfterTheCooldown() throws InterruptedException {
        Ejections ejections = new Ejections(Duration.ofMillis(30), 50);
        ejections.failed(A, ALL);
        assertThat(ejections.isEjected(A), is(true));
        Thread.sleep(60);
        assertThat(ejections.isEjected(A), is(false));
        assertThat(ids(ejections.order(ALL, i -> i)), contains("a", "b", "c", "d"));
    }

    @Test
    void atMostTheShareOfInstancesIsEjected() {
        Ejections ejections = new Ejections(Duration.ofSeconds(10), 50);
        ejections.failed(A, ALL);
        ejections.failed(B, ALL);
        ejections.failed(C, ALL); // 2 of 4 ejected already: 50 % reached
        assertThat(ejections.isEjected(C), is(false));
        assertThat(ids(ejections.order(ALL, i -> i)), contains("c", "d", "a", "b"));
        // an ejected instance failing again is ejected anew (its cooldown restarts)
        ejections.failed(A, ALL);
        assertThat(ejections.isEjected(A), is(true));
        // once one is healthy again, there is room for another
        ejections.succeeded(B);
        ejections.failed(C, ALL);
        assertThat(ejections.isEjected(C), is(true));
    }

    @Test
    void theShareRoundsDownSoAOneInstanceServiceIsNeverEjectedAtFifty() {
        Ejections ejections = new Ejections(Duration.ofSeconds(10), 50);
        ejections.failed(A, List.of(A));
        assertThat(ejections.isEjected(A), is(false));
        Ejections all = new Ejections(Duration.ofSeconds(10), 100);
        all.failed(A, List.of(A));
        assertThat(all.isEjected(A), is(true));
        Ejections none = new Ejections(Duration.ofSeconds(10), 0);
        none.failed(A, ALL);
        assertThat(none.isEjected(A), is(false));
    }

    @Test
    void ejectionsArePerService() {
        Ejections ejections = new Ejections(Duration.ofSeconds(10), 100);
        ServiceInstance otherA = target("chat", "a");
        ejections.failed(A, ALL);
        assertThat(ejections.isEjected(otherA), is(false));
    }
}
