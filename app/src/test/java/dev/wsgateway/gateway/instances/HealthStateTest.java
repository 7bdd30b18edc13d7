package dev.wsgateway.gateway.instances;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

class HealthStateTest {
    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

    @Test
    void unhealthyAfterNFailuresInARowHealthyAfterMPasses() {
        HealthState state = new HealthState(3, 2, T0);
        assertThat(state.status().state(), is("unchecked"));
        assertThat(state.record(false, "a", T0.plusSeconds(1)), is(false));
        assertThat(state.record(false, "b", T0.plusSeconds(2)), is(false));
        assertThat(state.healthy(), is(true));
        assertThat(state.status().state(), is("healthy"));
        assertThat(state.record(false, "c", T0.plusSeconds(3)), is(true));
        assertThat(state.healthy(), is(false));
        assertThat(state.status().since(), is(T0.plusSeconds(3)));
        assertThat(state.status().lastFailure(), is("c"));
        // more failures change nothing; one pass is not enough
        assertThat(state.record(false, "d", T0.plusSeconds(4)), is(false));
        assertThat(state.record(true, "", T0.plusSeconds(5)), is(false));
        assertThat(state.healthy(), is(false));
        assertThat(state.record(true, "", T0.plusSeconds(6)), is(true));
        assertThat(state.healthy(), is(true));
        assertThat(state.status().since(), is(T0.plusSeconds(6)));
    }

    @Test
    void aPassResetsTheFailureCountAndAFailureThePassCount() {
        HealthState state = new HealthState(2, 2, T0);
        state.record(false, "x", T0);
        state.record(true, "", T0);
        assertThat(state.record(false, "x", T0), is(false));
        assertThat(state.healthy(), is(true));
        assertThat(state.record(false, "x", T0), is(true));
        state.record(true, "", T0);
        state.record(false, "x", T0);
        assertThat(state.record(true, "", T0), is(false));
        assertThat(state.healthy(), is(false));
        assertThat(state.status().consecutivePasses(), is(1));
    }

    @Test
    void instanceHealthAdmitsUncheckedInstancesAndForgetsGoneOnes() {
        InstanceHealth health = new InstanceHealth();
        assertThat(health.admits("svc", "a"), is(true));
        health.record("svc", "a", 1, 1, false, "down");
        health.record("svc", "b", 1, 1, true, "");
        assertThat(health.admits("svc", "a"), is(false));
        assertThat(health.admits("svc", "b"), is(true));
        health.retain("svc", java.util.Set.of("b"));
        assertThat(health.admits("svc", "a"), is(true));
        assertThat(health.status("svc", "a").isPresent(), is(false));
    }
}
