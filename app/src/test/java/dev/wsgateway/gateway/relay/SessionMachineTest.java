package dev.wsgateway.gateway.relay;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

import org.junit.jupiter.api.Test;

import dev.wsgateway.gateway.relay.SessionMachine.End;
import dev.wsgateway.gateway.relay.SessionMachine.Event;
import dev.wsgateway.gateway.relay.SessionMachine.Offence;
import dev.wsgateway.gateway.relay.SessionMachine.Overdue;
import dev.wsgateway.gateway.relay.SessionState.Phase;

import io.helidon.websocket.WsCloseCodes;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;

/**
 * Every (phase, event) pair of {@link SessionMachine}, table-driven: each table is enumerated over every phase and
 * every combination of the facts the event carries, and a pair that no row (or more than one row) answers fails the
 * test. Patterns are one character per fact, in the order named above the table: {@code 1} true, {@code 0} false,
 * {@code -} either.
 */
class SessionMachineTest {
    private static final Set<Phase> ALL = EnumSet.allOf(Phase.class);
    private static final Set<Phase> LIVE = EnumSet.of(Phase.OPEN, Phase.MIGRATING, Phase.FAILING_OVER);
    private static final Set<Phase> ENDING = EnumSet.of(Phase.CLOSING, Phase.CLOSED);

    /** Phase events: from, event, the phase after it ({@code null}: refused, the phase stays). */
    private static final Object[][] TRANSITIONS = {
        {Phase.OPEN, Event.RESUMED, null},
        {Phase.OPEN, Event.MIGRATE, Phase.MIGRATING},
        {Phase.OPEN, Event.UPSTREAM_LOST, Phase.FAILING_OVER},
        {Phase.OPEN, Event.CLOSE, Phase.CLOSING},
        {Phase.OPEN, Event.BOTH_ENDED, Phase.CLOSED},
        {Phase.MIGRATING, Event.RESUMED, null},
        {Phase.MIGRATING, Event.MIGRATE, null},
        {Phase.MIGRATING, Event.UPSTREAM_LOST, Phase.FAILING_OVER},
        {Phase.MIGRATING, Event.CLOSE, Phase.CLOSING},
        {Phase.MIGRATING, Event.BOTH_ENDED, Phase.CLOSED},
        {Phase.FAILING_OVER, Event.RESUMED, Phase.OPEN},
        {Phase.FAILING_OVER, Event.MIGRATE, null},
        {Phase.FAILING_OVER, Event.UPSTREAM_LOST, null},
        {Phase.FAILING_OVER, Event.CLOSE, Phase.CLOSING},
        {Phase.FAILING_OVER, Event.BOTH_ENDED, Phase.CLOSED},
        {Phase.CLOSING, Event.RESUMED, null},
        {Phase.CLOSING, Event.MIGRATE, null},
        {Phase.CLOSING, Event.UPSTREAM_LOST, null},
        {Phase.CLOSING, Event.CLOSE, null},
        {Phase.CLOSING, Event.BOTH_ENDED, Phase.CLOSED},
        {Phase.CLOSED, Event.RESUMED, null},
        {Phase.CLOSED, Event.MIGRATE, null},
        {Phase.CLOSED, Event.UPSTREAM_LOST, null},
        {Phase.CLOSED, Event.CLOSE, null},
        {Phase.CLOSED, Event.BOTH_ENDED, null},
    };

    /** failoverPossible: failover enabled, client close sent, client close received. */
    private static final List<Row<Boolean>> FAILOVER_POSSIBLE = List.of(
            new Row<>(LIVE, "100", true),
            new Row<>(LIVE, "0--", false),
            new Row<>(LIVE, "11-", false),
            new Row<>(LIVE, "101", false),
            new Row<>(ENDING, "---", false));

    /**
     * failoverOnClose: failover enabled, the code is 1001 or 1012 (else 1000, 1002, 1011, 4000), client close sent,
     * client close received.
     */
    private static final List<Row<Boolean>> FAILOVER_ON_CLOSE = List.of(
            new Row<>(EnumSet.of(Phase.MIGRATING), "----", true),
            new Row<>(ENDING, "----", false),
            new Row<>(EnumSet.of(Phase.OPEN, Phase.FAILING_OVER), "1100", true),
            new Row<>(EnumSet.of(Phase.OPEN, Phase.FAILING_OVER), "10--", false),
            new Row<>(EnumSet.of(Phase.OPEN, Phase.FAILING_OVER), "111-", false),
            new Row<>(EnumSet.of(Phase.OPEN, Phase.FAILING_OVER), "1101", false),
            new Row<>(EnumSet.of(Phase.OPEN, Phase.FAILING_OVER), "0---", false));

    /** clientEnded: failover enabled, the client sent a close frame. */
    private static final List<Row<End>> CLIENT_ENDED = List.of(
            new Row<>(LIVE, "-1", End.ORDERLY),
            new Row<>(LIVE, "-0", End.LOST),
            new Row<>(ENDING, "--", End.ORDERLY));

    /**
     * upstreamEnded: failover enabled, the service sent a close frame, that close asked for failover, a message to
     * the client was cut, client close sent, client close received.
     */
    private static final List<Row<End>> UPSTREAM_ENDED = List.of(
            new Row<>(ENDING, "------", End.ORDERLY),
            new Row<>(LIVE, "-10---", End.ORDERLY),
            new Row<>(LIVE, "10-100", End.CUT),
            new Row<>(LIVE, "111100", End.CUT),
            new Row<>(LIVE, "10-000", End.FAIL_OVER),
            new Row<>(LIVE, "111000", End.FAIL_OVER),
            new Row<>(LIVE, "00----", End.LOST),
            new Row<>(LIVE, "011---", End.LOST),
            new Row<>(LIVE, "10--1-", End.LOST),
            new Row<>(LIVE, "111-1-", End.LOST),
            new Row<>(LIVE, "10--01", End.LOST),
            new Row<>(LIVE, "111-01", End.LOST));

    /** overdue: failover enabled, the phase lasted longer than the close timeout; and upstreamWatched. */
    private static final List<Row<String>> OVERDUE = List.of(
            new Row<>(ALL, "-0", "NONE"),
            new Row<>(EnumSet.of(Phase.OPEN, Phase.FAILING_OVER), "-1", "NONE"),
            new Row<>(EnumSet.of(Phase.MIGRATING), "-1", "DROP_OLD_UPSTREAM"),
            new Row<>(ENDING, "-1", "DROP_CONNECTIONS"));

    /** offence: failover enabled, the client is the offender (else the service); one table per offence. */
    private static final Map<Offence, List<Row<GatewayClose>>> OFFENCES = Map.of(
            Offence.PROTOCOL_ERROR, List.of(new Row<>(ALL, "-1", GatewayClose.CLIENT_PROTOCOL_ERROR),
                                            new Row<>(ALL, "-0", GatewayClose.UPSTREAM_PROTOCOL_ERROR)),
            Offence.BAD_CLOSE_REASON, List.of(new Row<>(ALL, "-1", GatewayClose.CLIENT_BAD_CLOSE_REASON),
                                              new Row<>(ALL, "-0", GatewayClose.UPSTREAM_BAD_CLOSE_REASON)),
            Offence.TOO_BIG, List.of(new Row<>(ALL, "-1", GatewayClose.CLIENT_TOO_BIG),
                                     new Row<>(ALL, "-0", GatewayClose.UPSTREAM_TOO_BIG)),
            Offence.TOO_MANY_FRAGMENTS, List.of(new Row<>(ALL, "-1", GatewayClose.CLIENT_TOO_MANY_FRAGMENTS),
                                                new Row<>(ALL, "-0", GatewayClose.UPSTREAM_TOO_MANY_FRAGMENTS)));

    private static final int[] RESTART_CODES = {WsCloseCodes.GOING_AWAY, WsCloseCodes.SERVICE_RESTART};
    private static final int[] OTHER_CODES = {WsCloseCodes.NORMAL_CLOSE, WsCloseCodes.PROTOCOL_ERROR,
            WsCloseCodes.UNEXPECTED_CONDITION, 4000};

    record Row<T>(Set<Phase> phases, String facts, T expected) {
        boolean matches(Phase phase, boolean[] bits) {
            if (!phases.contains(phase)) {
                return false;
            }
            for (int i = 0; i < bits.length; i++) {
                char c = facts.charAt(i);
                if (c != '-' && (c == '1') != bits[i]) {
                    return false;
                }
            }
            return true;
        }
    }

    /** A machine in the given phase, reached along its own events. */
    private static SessionMachine in(Phase phase, boolean failoverEnabled) {
        SessionMachine machine = new SessionMachine(failoverEnabled);
        switch (phase) {
        case OPEN -> { }
        case MIGRATING -> machine.on(Event.MIGRATE);
        case FAILING_OVER -> machine.on(Event.UPSTREAM_LOST);
        case CLOSING -> machine.on(Event.CLOSE);
        case CLOSED -> machine.on(Event.BOTH_ENDED);
        }
        assertThat(machine.phase(), is(phase));
        return machine;
    }

    /**
     * Check a table against every phase and every combination of {@code width} facts; the first fact is whether
     * failover is enabled for the session's route.
     *
     * @return how many (phase, facts) pairs were checked
     */
    private static <T> int check(String name, List<Row<T>> table, int width,
                                 BiFunction<SessionMachine, boolean[], T> decide) {
        int pairs = 0;
        for (Phase phase : ALL) {
            for (int combination = 0; combination < 1 << width; combination++) {
                boolean[] bits = new boolean[width];
                for (int i = 0; i < width; i++) {
                    bits[i] = (combination >> (width - 1 - i) & 1) == 1;
                }
                List<Row<T>> rows = new ArrayList<>();
                for (Row<T> row : table) {
                    if (row.matches(phase, bits)) {
                        rows.add(row);
                    }
                }
                String pair = name + " in " + phase + " with " + Integer.toBinaryString(combination | 1 << width)
                        .substring(1);
                assertThat(pair + ": rows answering it", rows, hasSize(1));
                SessionMachine machine = in(phase, bits[0]);
                assertThat(pair, decide.apply(machine, bits), is(rows.getFirst().expected()));
                assertThat(pair + " leaves the phase alone", machine.phase(), is(phase));
                pairs++;
            }
        }
        return pairs;
    }

    @Test
    void everyPhaseEventHasARow() {
        List<String> seen = new ArrayList<>();
        for (Object[] row : TRANSITIONS) {
            seen.add(row[0] + " " + row[1]);
        }
        for (Phase phase : ALL) {
            for (Event event : Event.values()) {
                String pair = phase + " " + event;
                assertThat(pair + ": rows answering it", seen.stream().filter(pair::equals).count(), is(1L));
            }
        }
    }

    @Test
    void phaseEvents() {
        for (Object[] row : TRANSITIONS) {
            Phase from = (Phase) row[0];
            Event event = (Event) row[1];
            Phase to = (Phase) row[2];
            SessionMachine machine = in(from, true);
            assertThat(from + " " + event, machine.on(event), is(to != null));
            assertThat(from + " " + event, machine.phase(), is(to == null ? from : to));
            assertThat(Event.entering(event.target()), is(event));
        }
    }

    @Test
    void failoverPossible() {
        assertThat(check("failoverPossible", FAILOVER_POSSIBLE, 3,
                         (m, f) -> m.failoverPossible(f[1], f[2])), is(40));
    }

    @Test
    void failoverOnClose() {
        // the second fact picks the code class; every code of the class must give the same answer
        int pairs = check("failoverOnClose", FAILOVER_ON_CLOSE, 4, (m, f) -> {
            Boolean answer = null;
            for (int code : f[1] ? RESTART_CODES : OTHER_CODES) {
                boolean one = m.failoverOnClose(code, f[2], f[3]);
                assertThat("code " + code, answer == null || answer == one, is(true));
                answer = one;
            }
            return answer;
        });
        assertThat(pairs, is(80));
    }

    @Test
    void clientEnded() {
        assertThat(check("clientEnded", CLIENT_ENDED, 2, (m, f) -> {
            assertThat(m.clientLost(), is(false));
            End end = m.clientEnded(f[1]);
            assertThat("client lost remembered", m.clientLost(), is(end == End.LOST));
            return end;
        }), is(20));
    }

    @Test
    void upstreamEnded() {
        assertThat(check("upstreamEnded", UPSTREAM_ENDED, 6,
                         (m, f) -> m.upstreamEnded(f[1], f[2], f[3], f[4], f[5])), is(320));
    }

    @Test
    void overdue() {
        long timeout = 1_000_000_000L;
        assertThat(check("overdue", OVERDUE, 2,
                         (m, f) -> m.overdue(f[1] ? timeout + 1 : timeout, timeout).name()), is(20));
        for (Phase phase : ALL) {
            assertThat(phase + ": upstream watched", in(phase, true).upstreamWatched(), is(phase == Phase.OPEN));
            assertThat(in(phase, true).overdue(0, 0), is(Overdue.NONE));
        }
    }

    @Test
    void offences() {
        assertThat(OFFENCES.keySet(), is(EnumSet.allOf(Offence.class)));
        int pairs = 0;
        for (Offence offence : Offence.values()) {
            pairs += check("offence " + offence, OFFENCES.get(offence), 2, (m, f) -> m.offence(offence, f[1]));
        }
        assertThat(pairs, is(80));
    }
}
