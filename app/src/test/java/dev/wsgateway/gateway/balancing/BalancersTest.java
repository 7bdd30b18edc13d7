package dev.wsgateway.gateway.balancing;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.wsgateway.discovery.InstanceStatus;
import dev.wsgateway.discovery.ServiceInstance;
import dev.wsgateway.gateway.config.BalancingSettings;
import dev.wsgateway.gateway.instances.ActiveSessions;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.is;

class BalancersTest {
    private final ActiveSessions active = new ActiveSessions();

    private static ServiceInstance instance(String service, String id) {
        return new ServiceInstance(service, id, "host-" + id, 8080, false, InstanceStatus.UP, Map.of());
    }

    private static final ServiceInstance A = instance("echo", "a");
    private static final ServiceInstance B = instance("echo", "b");
    private static final ServiceInstance C = instance("echo", "c");

    private static BalancingSettings settings(String strategy, Map<String, String> services) {
        return new BalancingSettings(strategy, services, 3, Duration.ofSeconds(15), Duration.ofSeconds(10), 50);
    }

    private static List<String> ids(List<ServiceInstance> instances) {
        return instances.stream().map(ServiceInstance::instanceId).toList();
    }

    @Test
    void roundRobinStartsEachSessionAtTheNextInstanceWithTheOthersAsFallbacks() {
        Balancer balancer = Balancers.create(settings(BalancingSettings.ROUND_ROBIN, Map.of()), active);
        List<ServiceInstance> candidates = List.of(A, B, C);
        assertThat(ids(balancer.order("echo", candidates)), contains("a", "b", "c"));
        assertThat(ids(balancer.order("echo", candidates)), contains("b", "c", "a"));
        assertThat(ids(balancer.order("echo", candidates)), contains("c", "a", "b"));
        assertThat(ids(balancer.order("echo", candidates)), contains("a", "b", "c"));
        assertThat("candidates are not changed", ids(candidates), contains("a", "b", "c"));
    }

    @Test
    void roundRobinRotatesPerService() {
        Balancer balancer = Balancers.create(settings(BalancingSettings.ROUND_ROBIN, Map.of()), active);
        ServiceInstance x = instance("chat", "x");
        ServiceInstance y = instance("chat", "y");
        assertThat(ids(balancer.order("echo", List.of(A, B))), contains("a", "b"));
        assertThat(ids(balancer.order("chat", List.of(x, y))), contains("x", "y"));
        assertThat(ids(balancer.order("echo", List.of(A, B))), contains("b", "a"));
        assertThat(ids(balancer.order("chat", List.of(x, y))), contains("y", "x"));
    }

    @Test
    void roundRobinFollowsAChangingInstanceList() {
        Balancer balancer = Balancers.create(settings(BalancingSettings.ROUND_ROBIN, Map.of()), active);
        assertThat(ids(balancer.order("echo", List.of(A))), contains("a"));
        assertThat(ids(balancer.order("echo", List.of(A, B, C))), contains("a", "b", "c"));
        assertThat(ids(balancer.order("echo", List.of(A, B))), contains("b", "a"));
        assertThat(ids(balancer.order("echo", List.of(A, B, C))), contains("c", "a", "b"));
    }

    @Test
    void leastSessionsPutsTheEmptiestFirst() {
        Balancer balancer = Balancers.create(settings(BalancingSettings.LEAST_SESSIONS, Map.of()), active);
        active.add("echo", "a");
        active.add("echo", "a");
        active.add("echo", "b");
        assertThat(ids(balancer.order("echo", List.of(A, B, C))), contains("c", "b", "a"));
        active.add("echo", "c");
        active.add("echo", "c");
        active.add("echo", "c");
        assertThat(ids(balancer.order("echo", List.of(A, B, C))), contains("b", "a", "c"));
        active.remove("echo", "a");
        active.remove("echo", "a");
        assertThat(active.count("echo", "a"), is(0));
        assertThat(ids(balancer.order("echo", List.of(A, B, C))).getFirst(), is("a"));
    }

    @Test
    void leastSessionsBreaksTiesRoundRobin() {
        Balancer balancer = Balancers.create(settings(BalancingSettings.LEAST_SESSIONS, Map.of()), active);
        active.add("echo", "c");
        assertThat(ids(balancer.order("echo", List.of(A, B, C))), contains("a", "b", "c"));
        assertThat(ids(balancer.order("echo", List.of(A, B, C))), contains("b", "a", "c"));
        assertThat(ids(balancer.order("echo", List.of(A, B, C))), contains("a", "b", "c"));
    }

    @Test
    void activeSessionsAreCountedPerServiceAndInstance() {
        active.add("echo", "a");
        active.add("chat", "a");
        active.add("chat", "a");
        assertThat(active.count("echo", "a"), is(1));
        assertThat(active.count("chat", "a"), is(2));
        active.remove("echo", "a");
        active.remove("echo", "a");
        assertThat("never negative", active.count("echo", "a"), is(0));
        active.add("echo", "a");
        assertThat(active.count("echo", "a"), is(1));
    }

    @Test
    void aServiceMayHaveItsOwnStrategy() {
        Balancer balancer = Balancers.create(
                settings(BalancingSettings.ROUND_ROBIN, Map.of("echo", BalancingSettings.LEAST_SESSIONS)), active);
        active.add("echo", "a");
        // least sessions for echo: b stays ahead of a however often asked
        assertThat(ids(balancer.order("echo", List.of(A, B))), contains("b", "a"));
        assertThat(ids(balancer.order("echo", List.of(A, B))), contains("b", "a"));
        ServiceInstance x = instance("chat", "x");
        ServiceInstance y = instance("chat", "y");
        active.add("chat", "x");
        // round robin for the others, sessions or not
        assertThat(ids(balancer.order("chat", List.of(x, y))), contains("x", "y"));
        assertThat(ids(balancer.order("chat", List.of(x, y))), contains("y", "x"));
    }
}
