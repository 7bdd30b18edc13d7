package dev.wsgateway.discovery.eureka;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.wsgateway.discovery.InstanceStatus;
import dev.wsgateway.discovery.ServiceInstance;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.is;

class RegistryLossGuardTest {
    private static final long S = 1_000_000_000L;
    private static final ServiceInstance A1 = instance("a", "a1");
    private static final ServiceInstance A2 = instance("a", "a2");
    private static final ServiceInstance B1 = instance("b", "b1");
    private static final ServiceInstance GW = instance("gateway", "gw1");

    private final RegistryLossGuard guard = new RegistryLossGuard(Duration.ofSeconds(90));

    @Test
    void aMinorityLeavingLeavesAtOnce() {
        guard.view(List.of(A1, A2, B1, GW), 0);
        assertThat(guard.view(List.of(A1, B1, GW), S), is(List.of(A1, B1, GW)));
        assertThat(guard.view(List.of(A1, GW), 2 * S), is(List.of(A1, GW)));
        assertThat(guard.keeping(), is(false));
    }

    @Test
    void exactlyHalfLeavingIsNotALoss() {
        guard.view(List.of(A1, GW), 0);
        assertThat(guard.view(List.of(GW), S), is(List.of(GW)));
    }

    @Test
    void anEmptiedRegistryKeepsTheLostInstancesUntilTheyRegisterAgain() {
        guard.view(List.of(A1, A2, B1, GW), 0);
        assertThat(guard.view(List.of(), S), containsInAnyOrder(A1, A2, B1, GW));
        assertThat(guard.keeping(), is(true));
        // they come back one by one; each is then listed once, as Eureka now has it
        ServiceInstance a1Down = new ServiceInstance("a", "a1", "127.0.0.1", 8000, false, InstanceStatus.DOWN, Map.of());
        assertThat(guard.view(List.of(a1Down, GW), 2 * S), containsInAnyOrder(a1Down, GW, A2, B1));
        assertThat(guard.view(List.of(a1Down, GW, A2, B1), 3 * S), is(List.of(a1Down, GW, A2, B1)));
        assertThat(guard.keeping(), is(false));
        // and a later minority loss leaves at once again
        assertThat(guard.view(List.of(a1Down, GW, A2), 4 * S), is(List.of(a1Down, GW, A2)));
    }

    @Test
    void whatDidNotComeBackIsDroppedAfterTheGracePeriod() {
        guard.view(List.of(A1, A2, B1), 0);
        assertThat(guard.view(List.of(B1), S), containsInAnyOrder(A1, A2, B1));
        assertThat(guard.view(List.of(B1, A1), 60 * S), containsInAnyOrder(A1, A2, B1));
        assertThat(guard.view(List.of(B1, A1), 91 * S), containsInAnyOrder(A1, B1));
        assertThat(guard.keeping(), is(false));
    }

    @Test
    void aGraceOfZeroTurnsTheGuardOff() {
        RegistryLossGuard off = new RegistryLossGuard(Duration.ZERO);
        off.view(List.of(A1, A2), 0);
        assertThat(off.view(List.of(), S), is(List.of()));
    }

    @Test
    void theFirstFetchIsTakenAsItIs() {
        assertThat(guard.view(List.of(A1), 0), is(List.of(A1)));
        assertThat(guard.view(List.of(), S), is(List.of(A1)));
    }

    private static ServiceInstance instance(String service, String id) {
        return new ServiceInstance(service, id, "127.0.0.1", 8000, false, InstanceStatus.UP, Map.of());
    }
}
