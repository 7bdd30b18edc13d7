package dev.wsgateway.gateway;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

/**
 * The descriptor budget: sessions (two descriptors each) and accepted connections (one each) fit in what
 * {@code ulimit -n} leaves after the descriptors open at start and the reserve, with room for a 503 beyond
 * {@code max-sessions}.
 */
class DescriptorBudgetTest {
    @Test
    void lowersLimitsThatDoNotFit() {
        DescriptorBudget budget = new DescriptorBudget(384, 137);
        int sessions = budget.maxSessions(20_000);
        int connections = budget.maxConnections(-1, 1, sessions);
        // 183 spare: 18 for connections that are not sessions, 82 sessions (164 descriptors)
        assertThat(sessions, is(82));
        assertThat(connections, is(101));
        // sessions' client sockets are accepted connections too: a client beyond max-sessions is still accepted
        assertThat(connections > sessions, is(true));
        assertThat(137L + connections + sessions, lessThanOrEqualTo(384L - DescriptorBudget.RESERVE));
        // no limit configured: still bounded
        assertThat(budget.maxSessions(0), is(82));
    }

    @Test
    void atTwentyThousandNineThousandSessionsFit() {
        // the bench's idle-capacity run opens 9,000 sessions under ulimit -n 20000
        DescriptorBudget budget = new DescriptorBudget(20_000, 140);
        int sessions = budget.maxSessions(0);
        assertThat(sessions, is(9_386));
        assertThat(budget.maxConnections(-1, 1, sessions), is(9_386 + 1_024));
    }

    @Test
    void keepsLimitsThatFit() {
        DescriptorBudget budget = new DescriptorBudget(1_048_576, 150);
        assertThat(budget.maxSessions(20_000), is(20_000));
        assertThat(budget.maxConnections(5_000, 1, 20_000), is(5_000));
    }

    @Test
    void listenersShareTheConnections() {
        DescriptorBudget budget = new DescriptorBudget(1_000, 100);
        int sessions = budget.maxSessions(20_000);
        int perListener = budget.maxConnections(-1, 2, sessions);
        assertThat(100L + 2L * perListener + sessions, lessThanOrEqualTo(1_000L - DescriptorBudget.RESERVE));
    }
}
