package dev.wsgateway.gateway.relay;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.wsgateway.gateway.relay.SessionState.Phase;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

class SessionStateTest {
    /** The arrows of the state diagram in docs/ARCHITECTURE.md, written out again independently. */
    private static final Map<Phase, Set<Phase>> ARROWS = Map.of(
            Phase.OPEN, EnumSet.of(Phase.MIGRATING, Phase.FAILING_OVER, Phase.CLOSING, Phase.CLOSED),
            Phase.MIGRATING, EnumSet.of(Phase.FAILING_OVER, Phase.CLOSING, Phase.CLOSED),
            Phase.FAILING_OVER, EnumSet.of(Phase.OPEN, Phase.CLOSING, Phase.CLOSED),
            Phase.CLOSING, EnumSet.of(Phase.CLOSED),
            Phase.CLOSED, EnumSet.noneOf(Phase.class));

    /** A state in the given phase, reached along allowed arrows. */
    private static SessionState in(Phase phase) {
        SessionState state = new SessionState(true);
        switch (phase) {
        case OPEN -> { }
        case MIGRATING -> state.to(Phase.MIGRATING);
        case FAILING_OVER -> state.to(Phase.FAILING_OVER);
        case CLOSING -> state.to(Phase.CLOSING);
        case CLOSED -> state.to(Phase.CLOSED);
        default -> throw new IllegalArgumentException(phase.name());
        }
        assertThat(state.phase(), is(phase));
        return state;
    }

    @Test
    void startsOpenAndAttached() {
        SessionState state = new SessionState(true);
        assertThat(state.phase(), is(Phase.OPEN));
        assertThat(state.attached(), is(true));
        assertThat(state.holding(), is(false));
        assertThat(state.ending(), is(false));
        assertThat(state.endReason(), nullValue());
    }

    @Test
    void everyArrowIsAllowedAndEveryOtherRefused() {
        for (Phase from : Phase.values()) {
            for (Phase next : Phase.values()) {
                SessionState state = in(from);
                boolean allowed = ARROWS.get(from).contains(next);
                assertThat(from + " -> " + next, state.to(next), is(allowed));
                assertThat(from + " -> " + next, state.phase(), is(allowed ? next : from));
            }
        }
    }

    @Test
    void aTransitionRestartsTheClockARefusedOneDoesNot() throws InterruptedException {
        SessionState state = new SessionState(true);
        long opened = state.sinceNanos();
        Thread.sleep(2);
        state.to(Phase.FAILING_OVER);
        long failing = state.sinceNanos();
        assertThat(failing, greaterThan(opened));
        Thread.sleep(2);
        state.to(Phase.MIGRATING);
        assertThat(state.sinceNanos(), is(failing));
    }

    @Test
    void attachedHoldingAndEndingFollowThePhase() {
        SessionState state = new SessionState(true);
        state.to(Phase.MIGRATING);
        assertThat(state.attached(), is(false));
        assertThat(state.holding(), is(true));
        state.to(Phase.FAILING_OVER);
        assertThat(state.attached(), is(false));
        assertThat(state.holding(), is(true));
        assertThat(state.ending(), is(false));
        state.to(Phase.OPEN);
        assertThat(state.attached(), is(true));
        assertThat(state.holding(), is(false));
        state.to(Phase.CLOSING);
        assertThat("closing while open keeps the upstream", state.attached(), is(true));
        assertThat(state.ending(), is(true));
        assertThat(state.holding(), is(false));
        state.to(Phase.CLOSED);
        assertThat(state.ending(), is(true));
        assertThat(state.toString(), is("CLOSED"));
    }

    @Test
    void closingWhileFailingOverHasNoUpstream() {
        SessionState state = in(Phase.FAILING_OVER);
        assertThat(state.closing("failover timed out"), is(true));
        assertThat(state.attached(), is(false));
        assertThat(state.holding(), is(false));
    }

    @Test
    void closingKeepsTheFirstReasonOnce() {
        SessionState state = new SessionState(true);
        assertThat(state.closing("client closed"), is(true));
        assertThat(state.closing("shutdown"), is(false));
        state.endReasonIfNone("later");
        assertThat(state.endReason(), is("client closed"));
        assertThat(state.phase(), is(Phase.CLOSING));
    }

    @Test
    void aReasonGivenBeforeClosingIsKept() {
        SessionState state = new SessionState(true);
        state.endReasonIfNone("upstream lost");
        assertThat(state.closing("client closed"), is(true));
        assertThat(state.endReason(), is("upstream lost"));
    }

    @Test
    void closingAfterClosedIsRefusedAndRecordsNothing() {
        SessionState state = in(Phase.CLOSED);
        assertThat(state.closing("too late"), is(false));
        assertThat(state.endReason(), nullValue());
        assertThat(state.phase(), is(Phase.CLOSED));
    }
}
