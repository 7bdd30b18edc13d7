package dev.wsgateway.gateway.balancing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import dev.wsgateway.discovery.InstanceStatus;
import dev.wsgateway.discovery.ServiceInstance;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

class UserAffinityBalancerTest {
    private static final List<ServiceInstance> FOUR = IntStream.rangeClosed(1, 4).mapToObj(UserAffinityBalancerTest::instance)
            .toList();

    private static ServiceInstance instance(int n) {
        return new ServiceInstance("svc", "host" + n + ":svc:8080", "host" + n, 8080, false, InstanceStatus.UP,
                                   Map.of());
    }

    private static String first(Balancer balancer, String user, List<ServiceInstance> candidates) {
        return balancer.order("svc", user, candidates).getFirst().instanceId();
    }

    @Test
    void sameUserSameInstanceWhateverTheCandidateOrderAndBalancerObject() {
        Balancer one = new UserAffinityBalancer(new RoundRobinBalancer());
        Balancer other = new UserAffinityBalancer(new RoundRobinBalancer());
        List<ServiceInstance> shuffled = new ArrayList<>(FOUR);
        Collections.shuffle(shuffled);
        for (int u = 0; u < 200; u++) {
            String user = "user" + u;
            assertThat(first(one, user, FOUR), is(first(other, user, shuffled)));
            assertThat(first(one, user, FOUR), is(first(one, user, FOUR)));
        }
    }

    @Test
    void usersSpreadOverInstances() {
        Balancer balancer = new UserAffinityBalancer(new RoundRobinBalancer());
        Map<String, Integer> perInstance = new HashMap<>();
        for (int u = 0; u < 4000; u++) {
            perInstance.merge(first(balancer, "user" + u, FOUR), 1, Integer::sum);
        }
        assertThat(perInstance.size(), is(4));
        perInstance.values().forEach(n -> {
            assertThat(n, greaterThan(800));
            assertThat(n, lessThan(1200));
        });
    }

    @Test
    void onlyTheUsersOfALeavingInstanceMove() {
        Balancer balancer = new UserAffinityBalancer(new RoundRobinBalancer());
        List<ServiceInstance> three = FOUR.subList(0, 3);
        String leaving = FOUR.get(3).instanceId();
        int moved = 0;
        for (int u = 0; u < 2000; u++) {
            String user = "user" + u;
            String before = first(balancer, user, FOUR);
            String after = first(balancer, user, three);
            if (!before.equals(leaving)) {
                assertThat(user, after, is(before));
            } else {
                // its second choice among all four
                assertThat(after, is(balancer.order("svc", user, FOUR).get(1).instanceId()));
                moved++;
            }
        }
        assertThat(moved, greaterThan(0));
    }

    @Test
    void sessionsWithoutAUserFallBackToTheOtherStrategy() {
        Balancer balancer = new UserAffinityBalancer(new RoundRobinBalancer());
        assertThat(first(balancer, "", FOUR), is(FOUR.get(0).instanceId()));
        assertThat(first(balancer, "", FOUR), is(FOUR.get(1).instanceId()));
    }
}
