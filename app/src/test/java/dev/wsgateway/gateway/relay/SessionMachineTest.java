package dev.wsgateway.gateway.relay;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;

import org.junit.jupiter.api.Test;

import dev.wsgateway.gateway.relay.SessionMachine.Deadline;
import dev.wsgateway.gateway.relay.SessionMachine.Side;
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
        {Phase.OPEN, PhaseEvent.RESUMED, null},
        {Phase.OPEN, PhaseEvent.MIGRATE, Phase.MIGRATING},
        {Phase.OPEN, PhaseEvent.UPSTREAM_LOST, Phase.FAILING_OVER},
        {Phase.OPEN, PhaseEvent.CLOSE, Phase.CLOSING},
        {Phase.OPEN, PhaseEvent.BOTH_ENDED, Phase.CLOSED},
        {Phase.MIGRATING, PhaseEvent.RESUMED, null},
        {Phase.MIGRATING, PhaseEvent.MIGRATE, null},
        {Phase.MIGRATING, PhaseEvent.UPSTREAM_LOST, Phase.FAILING_OVER},
        {Phase.MIGRATING, PhaseEvent.CLOSE, Phase.CLOSING},
        {Phase.MIGRATING, PhaseEvent.BOTH_ENDED, Phase.CLOSED},
        {Phase.FAILING_OVER, PhaseEvent.RESUMED, Phase.OPEN},
        {Phase.FAILING_OVER, PhaseEvent.MIGRATE, null},
        {Phase.FAILING_OVER, PhaseEvent.UPSTREAM_LOST, null},
        {Phase.FAILING_OVER, PhaseEvent.CLOSE, Phase.CLOSING},
        {Phase.FAILING_OVER, PhaseEvent.BOTH_ENDED, Phase.CLOSED},
        {Phase.CLOSING, PhaseEvent.RESUMED, null},
        {Phase.CLOSING, PhaseEvent.MIGRATE, null},
        {Phase.CLOSING, PhaseEvent.UPSTREAM_LOST, null},
        {Phase.CLOSING, PhaseEvent.CLOSE, null},
        {Phase.CLOSING, PhaseEvent.BOTH_ENDED, Phase.CLOSED},
        {Phase.CLOSED, PhaseEvent.RESUMED, null},
        {Phase.CLOSED, PhaseEvent.MIGRATE, null},
        {Phase.CLOSED, PhaseEvent.UPSTREAM_LOST, null},
        {Phase.CLOSED, PhaseEvent.CLOSE, null},
        {Phase.CLOSED, PhaseEvent.BOTH_ENDED, null},
    };

    private static final String CLOSING = "CLOSING DROP_HELD";

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

    /*
     * The event tables answer "next phase, then the actions in order": "=" when the phase stays; SEND_CLOSE(side code)
     * is a close claimed for the caller.
     */

    /** clientEnded: failover enabled, client close received, upstream close sent, upstream close received. */
    private static final List<Row<String>> CLIENT_ENDED = List.of(
            new Row<>(LIVE, "-000", CLOSING + " SEND_CLOSE(UPSTREAM 1001) CLOSE_CONNECTION(CLIENT)"),
            new Row<>(LIVE, "-001", CLOSING + " SEND_CLOSE(UPSTREAM 1001) CLOSE_CONNECTION(CLIENT)"
                    + " CLOSE_CONNECTION(UPSTREAM)"),
            new Row<>(LIVE, "-010", CLOSING + " CLOSE_CONNECTION(CLIENT)"),
            new Row<>(LIVE, "-011", CLOSING + " CLOSE_CONNECTION(CLIENT) CLOSE_CONNECTION(UPSTREAM)"),
            new Row<>(LIVE, "-1-0", CLOSING + " CLOSE_CONNECTION(CLIENT)"),
            new Row<>(LIVE, "-1-1", CLOSING + " CLOSE_CONNECTION(CLIENT) CLOSE_CONNECTION(UPSTREAM)"),
            new Row<>(ENDING, "---0", "= CLOSE_CONNECTION(CLIENT)"),
            new Row<>(ENDING, "---1", "= CLOSE_CONNECTION(CLIENT) CLOSE_CONNECTION(UPSTREAM)"));

    private static final String ORDERLY = " CLOSE_CONNECTION(UPSTREAM)";
    private static final String ANSWERED = ORDERLY + " SEND_CLOSE(CLIENT 4000) CLOSE_CONNECTION(CLIENT)";
    private static final String BOTH_CLOSED = ORDERLY + " CLOSE_CONNECTION(CLIENT)";
    private static final String LOST = CLOSING + " SEND_CLOSE(CLIENT 1001)" + ORDERLY;

    /**
     * upstreamEnded: failover enabled, upstream close received, that close asked for failover, a message to the
     * client was cut, client close sent, client close received (its code 4000).
     */
    private static final List<Row<String>> UPSTREAM_ENDED = List.of(
            new Row<>(ENDING, "----00", "=" + ORDERLY),
            new Row<>(ENDING, "----10", "=" + ORDERLY),
            new Row<>(ENDING, "----01", "=" + ANSWERED),
            new Row<>(ENDING, "----11", "=" + BOTH_CLOSED),
            new Row<>(LIVE, "-10-00", "=" + ORDERLY),
            new Row<>(LIVE, "-10-10", "=" + ORDERLY),
            new Row<>(LIVE, "-10-01", "=" + ANSWERED),
            new Row<>(LIVE, "-10-11", "=" + BOTH_CLOSED),
            new Row<>(LIVE, "10-100", CLOSING + " SEND_CLOSE(CLIENT 1011)" + ORDERLY),
            new Row<>(LIVE, "111100", CLOSING + " SEND_CLOSE(CLIENT 1011)" + ORDERLY),
            new Row<>(LIVE, "10-000", "= FAIL_OVER"),
            new Row<>(LIVE, "111000", "= FAIL_OVER"),
            new Row<>(LIVE, "00--00", LOST),
            new Row<>(LIVE, "011-00", LOST),
            new Row<>(LIVE, "00--01", LOST + " CLOSE_CONNECTION(CLIENT)"),
            new Row<>(LIVE, "011-01", LOST + " CLOSE_CONNECTION(CLIENT)"),
            new Row<>(LIVE, "10--01", LOST + " CLOSE_CONNECTION(CLIENT)"),
            new Row<>(LIVE, "111-01", LOST + " CLOSE_CONNECTION(CLIENT)"),
            new Row<>(LIVE, "00--10", CLOSING + ORDERLY),
            new Row<>(LIVE, "011-10", CLOSING + ORDERLY),
            new Row<>(LIVE, "10--10", CLOSING + ORDERLY),
            new Row<>(LIVE, "111-10", CLOSING + ORDERLY),
            new Row<>(LIVE, "00--11", CLOSING + BOTH_CLOSED),
            new Row<>(LIVE, "011-11", CLOSING + BOTH_CLOSED),
            new Row<>(LIVE, "10--11", CLOSING + BOTH_CLOSED),
            new Row<>(LIVE, "111-11", CLOSING + BOTH_CLOSED));

    /** terminate (shutdown: 1001 to both): failover enabled, client close sent, upstream close sent. */
    private static final List<Row<String>> TERMINATE = List.of(
            new Row<>(LIVE, "-00", CLOSING + " SEND_CLOSE(CLIENT 1001) SEND_CLOSE(UPSTREAM 1001)"),
            new Row<>(LIVE, "-01", CLOSING + " SEND_CLOSE(CLIENT 1001)"),
            new Row<>(LIVE, "-10", CLOSING + " SEND_CLOSE(UPSTREAM 1001)"),
            new Row<>(LIVE, "-11", CLOSING),
            new Row<>(ENDING, "-00", "= SEND_CLOSE(CLIENT 1001) SEND_CLOSE(UPSTREAM 1001)"),
            new Row<>(ENDING, "-01", "= SEND_CLOSE(CLIENT 1001)"),
            new Row<>(ENDING, "-10", "= SEND_CLOSE(UPSTREAM 1001)"),
            new Row<>(ENDING, "-11", "="));

    /** offence (a protocol error): failover enabled, the client is the offender. */
    private static final List<Row<String>> PROTOCOL_ERROR = List.of(
            new Row<>(LIVE, "-1", CLOSING + " SEND_CLOSE(CLIENT 1002) SEND_CLOSE(UPSTREAM 1001)"
                    + " CLOSE_CONNECTION(CLIENT)"),
            new Row<>(LIVE, "-0", CLOSING + " SEND_CLOSE(CLIENT 1011) SEND_CLOSE(UPSTREAM 1002)" + ORDERLY),
            new Row<>(ENDING, "-1", "= SEND_CLOSE(CLIENT 1002) SEND_CLOSE(UPSTREAM 1001) CLOSE_CONNECTION(CLIENT)"),
            new Row<>(ENDING, "-0", "= SEND_CLOSE(CLIENT 1011) SEND_CLOSE(UPSTREAM 1002)" + ORDERLY));

    /** offence (a message too big): failover enabled, the client is the offender; no connection closed. */
    private static final List<Row<String>> TOO_BIG = List.of(
            new Row<>(LIVE, "-1", CLOSING + " SEND_CLOSE(CLIENT 1009) SEND_CLOSE(UPSTREAM 1001)"),
            new Row<>(LIVE, "-0", CLOSING + " SEND_CLOSE(CLIENT 1009) SEND_CLOSE(UPSTREAM 1009)"),
            new Row<>(ENDING, "-1", "= SEND_CLOSE(CLIENT 1009) SEND_CLOSE(UPSTREAM 1001)"),
            new Row<>(ENDING, "-0", "= SEND_CLOSE(CLIENT 1009) SEND_CLOSE(UPSTREAM 1009)"));

    /** failoverFailed (no instance: 1013 to the client): failover enabled, client close sent, client close received. */
    private static final List<Row<String>> FAILOVER_FAILED = List.of(
            new Row<>(LIVE, "-00", CLOSING + " SEND_CLOSE(CLIENT 1013)" + ORDERLY),
            new Row<>(LIVE, "-01", CLOSING + " SEND_CLOSE(CLIENT 1013)" + BOTH_CLOSED),
            new Row<>(LIVE, "-10", CLOSING + ORDERLY),
            new Row<>(LIVE, "-11", CLOSING + BOTH_CLOSED),
            new Row<>(ENDING, "-00", "= SEND_CLOSE(CLIENT 1013)" + ORDERLY),
            new Row<>(ENDING, "-01", "= SEND_CLOSE(CLIENT 1013)" + BOTH_CLOSED),
            new Row<>(ENDING, "-10", "=" + ORDERLY),
            new Row<>(ENDING, "-11", "=" + BOTH_CLOSED));

    /** closeReceived: failover enabled, from the client (else the service). */
    private static final List<Row<String>> CLOSE_RECEIVED = List.of(
            new Row<>(LIVE, "--", CLOSING),
            new Row<>(ENDING, "--", "="));

    /**
     * drain: failover enabled, a message open toward the upstream, client close sent, client close received, upstream
     * close sent.
     */
    private static final List<Row<String>> DRAIN = List.of(
            new Row<>(EnumSet.of(Phase.OPEN), "10000", "MIGRATING SEND_CLOSE(UPSTREAM 1001)"),
            new Row<>(EnumSet.of(Phase.OPEN), "10001", "MIGRATING"),
            new Row<>(EnumSet.of(Phase.OPEN), "0----", "="),
            new Row<>(EnumSet.of(Phase.OPEN), "11---", "="),
            new Row<>(EnumSet.of(Phase.OPEN), "101--", "="),
            new Row<>(EnumSet.of(Phase.OPEN), "1001-", "="),
            new Row<>(EnumSet.of(Phase.MIGRATING, Phase.FAILING_OVER, Phase.CLOSING, Phase.CLOSED), "-----", "="));

    /** deadlineExpired(CLOSE_TIMEOUT): failover enabled, client connection closed, upstream connection closed. */
    private static final List<Row<String>> CLOSE_TIMEOUT = List.of(
            new Row<>(ENDING, "-11", "="),
            new Row<>(ENDING, "-0-", "= DROP_CONNECTION(CLIENT) DROP_CONNECTION(UPSTREAM)"),
            new Row<>(ENDING, "-10", "= DROP_CONNECTION(CLIENT) DROP_CONNECTION(UPSTREAM)"),
            new Row<>(EnumSet.of(Phase.MIGRATING), "--0", "=" + ORDERLY),
            new Row<>(EnumSet.of(Phase.MIGRATING), "--1", "="),
            new Row<>(EnumSet.of(Phase.OPEN, Phase.FAILING_OVER), "---", "="));

    /** deadlineExpired(CLIENT_SILENT): failover enabled, client connection closed, upstream connection closed. */
    private static final List<Row<String>> CLIENT_SILENT = List.of(
            new Row<>(LIVE, "-0-", "= DROP_CONNECTION(CLIENT)"),
            new Row<>(LIVE, "-1-", "="),
            new Row<>(ENDING, "---", "="));

    /** deadlineExpired(UPSTREAM_SILENT): failover enabled, client connection closed, upstream connection closed. */
    private static final List<Row<String>> UPSTREAM_SILENT = List.of(
            new Row<>(EnumSet.of(Phase.OPEN), "--0", "= DROP_CONNECTION(UPSTREAM)"),
            new Row<>(EnumSet.of(Phase.OPEN), "--1", "="),
            new Row<>(EnumSet.of(Phase.MIGRATING, Phase.FAILING_OVER, Phase.CLOSING, Phase.CLOSED), "---", "="));

    /** offence rules: failover enabled, the client is the offender (else the service); one table per offence. */
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
        case MIGRATING -> machine.on(PhaseEvent.MIGRATE);
        case FAILING_OVER -> machine.on(PhaseEvent.UPSTREAM_LOST);
        case CLOSING -> machine.on(PhaseEvent.CLOSE);
        case CLOSED -> machine.on(PhaseEvent.BOTH_ENDED);
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
            for (PhaseEvent event : PhaseEvent.values()) {
                String pair = phase + " " + event;
                assertThat(pair + ": rows answering it", seen.stream().filter(pair::equals).count(), is(1L));
            }
        }
    }

    @Test
    void upstreamLostInEveryPhase() {
        Object[][] table = {
                {Phase.OPEN, SessionMachine.Lost.RESEND, Phase.FAILING_OVER},
                {Phase.MIGRATING, SessionMachine.Lost.KEEP_HELD, Phase.FAILING_OVER},
                {Phase.FAILING_OVER, SessionMachine.Lost.KEEP_HELD, Phase.FAILING_OVER},
                {Phase.CLOSING, SessionMachine.Lost.ENDED, Phase.CLOSING},
                {Phase.CLOSED, SessionMachine.Lost.ENDED, Phase.CLOSED},
        };
        assertThat("a row per phase", table.length, is(ALL.size()));
        for (Object[] row : table) {
            SessionMachine machine = in((Phase) row[0], true);
            assertThat("upstream lost in " + row[0], machine.upstreamLost(), is(row[1]));
            assertThat("upstream lost in " + row[0] + ": phase after", machine.phase(), is(row[2]));
        }
    }

    @Test
    void phaseEvents() {
        for (Object[] row : TRANSITIONS) {
            Phase from = (Phase) row[0];
            PhaseEvent event = (PhaseEvent) row[1];
            Phase to = (Phase) row[2];
            SessionMachine machine = in(from, true);
            assertThat(from + " " + event, machine.on(event), is(to != null));
            assertThat(from + " " + event, machine.phase(), is(to == null ? from : to));
            assertThat(PhaseEvent.entering(event.target()), is(event));
        }
    }

    /** The answer of an event: the next phase ("=" when it stays) and the actions, in order. */
    private static String answer(Phase before, SessionMachine machine, List<SessionAction> actions) {
        StringBuilder text = new StringBuilder(machine.phase() == before ? "=" : machine.phase().name());
        for (SessionAction action : actions) {
            text.append(' ').append(action);
        }
        return text.toString();
    }

    /** An event table: the phase may change; a query table: it must not. */
    private static int event(String name, List<Row<String>> table, int width,
                             BiFunction<SessionMachine, boolean[], List<SessionAction>> event) {
        return check(name, table, width, (m, f) -> answer(m.phase(), m, event.apply(m, f)));
    }

    private static <T> int query(String name, List<Row<T>> table, int width,
                                 BiFunction<SessionMachine, boolean[], T> decide) {
        return check(name, table, width, (m, f) -> {
            Phase before = m.phase();
            T answer = decide.apply(m, f);
            assertThat(name + " leaves the phase alone", m.phase(), is(before));
            return answer;
        });
    }

    private static void clientFlags(SessionMachine m, boolean sent, boolean received) {
        if (sent) {
            m.flags(Side.CLIENT).claim(1000);
        }
        if (received) {
            m.flags(Side.CLIENT).received(4000);
        }
    }

    @Test
    void failoverPossible() {
        assertThat(query("failoverPossible", FAILOVER_POSSIBLE, 3, (m, f) -> {
            clientFlags(m, f[1], f[2]);
            return m.failoverPossible();
        }), is(40));
    }

    @Test
    void failoverOnClose() {
        // the second fact picks the code class; every code of the class must give the same answer
        int pairs = query("failoverOnClose", FAILOVER_ON_CLOSE, 4, (m, f) -> {
            clientFlags(m, f[2], f[3]);
            Boolean answer = null;
            for (int code : f[1] ? RESTART_CODES : OTHER_CODES) {
                boolean one = m.failoverOnClose(code);
                assertThat("code " + code, answer == null || answer == one, is(true));
                answer = one;
            }
            return answer;
        });
        assertThat(pairs, is(80));
    }

    @Test
    void clientEnded() {
        assertThat(event("clientEnded", CLIENT_ENDED, 4, (m, f) -> {
            clientFlags(m, false, f[1]);
            if (f[2]) {
                m.flags(Side.UPSTREAM).claim(1000);
            }
            if (f[3]) {
                m.flags(Side.UPSTREAM).received(1000);
            }
            boolean live = !m.ending();
            assertThat(m.clientLost(), is(false));
            List<SessionAction> actions = m.clientEnded();
            assertThat("client lost remembered", m.clientLost(), is(live && !f[1]));
            return actions;
        }), is(80));
    }

    @Test
    void upstreamEnded() {
        assertThat(event("upstreamEnded", UPSTREAM_ENDED, 6, (m, f) -> {
            if (f[1]) {
                m.flags(Side.UPSTREAM).received(1001);
            }
            clientFlags(m, f[4], f[5]);
            return m.upstreamEnded(f[2], f[3]);
        }), is(320));
    }

    @Test
    void terminate() {
        assertThat(event("terminate", TERMINATE, 3, (m, f) -> {
            clientFlags(m, f[1], false);
            if (f[2]) {
                m.flags(Side.UPSTREAM).claim(1000);
            }
            return m.terminate(GatewayClose.SHUTDOWN, GatewayClose.SHUTDOWN.clientCode());
        }), is(40));
    }

    @Test
    void offenceEvents() {
        assertThat(event("protocol error", PROTOCOL_ERROR, 2, (m, f) -> m.offence(Offence.PROTOCOL_ERROR, f[1])),
                   is(20));
        assertThat(event("too big", TOO_BIG, 2, (m, f) -> m.offence(Offence.TOO_BIG, f[1])), is(20));
    }

    @Test
    void failoverFailed() {
        assertThat(event("failoverFailed", FAILOVER_FAILED, 3, (m, f) -> {
            clientFlags(m, f[1], f[2]);
            return m.failoverFailed(GatewayClose.FAILOVER_NO_INSTANCE);
        }), is(40));
    }

    @Test
    void closeReceived() {
        assertThat(event("closeReceived", CLOSE_RECEIVED, 2, (m, f) -> {
            Side side = f[1] ? Side.CLIENT : Side.UPSTREAM;
            List<SessionAction> actions = m.closeReceived(side, 4001);
            assertThat(m.flags(side).codeReceived(), is(4001));
            return actions;
        }), is(20));
    }

    @Test
    void drain() {
        assertThat(event("drain", DRAIN, 5, (m, f) -> {
            clientFlags(m, f[2], f[3]);
            if (f[4]) {
                m.flags(Side.UPSTREAM).claim(1000);
            }
            return m.drain(f[1]);
        }), is(160));
    }

    @Test
    void deadlines() {
        Map<Deadline, List<Row<String>>> tables = Map.of(Deadline.CLOSE_TIMEOUT, CLOSE_TIMEOUT,
                                                         Deadline.CLIENT_SILENT, CLIENT_SILENT,
                                                         Deadline.UPSTREAM_SILENT, UPSTREAM_SILENT);
        assertThat(tables.keySet(), is(EnumSet.allOf(Deadline.class)));
        int pairs = 0;
        for (Deadline deadline : Deadline.values()) {
            pairs += event("deadline " + deadline, tables.get(deadline), 3, (m, f) -> {
                if (f[1]) {
                    m.flags(Side.CLIENT).close();
                }
                if (f[2]) {
                    m.flags(Side.UPSTREAM).close();
                }
                return m.deadlineExpired(deadline);
            });
        }
        assertThat(pairs, is(120));
        for (Phase phase : ALL) {
            assertThat(phase + ": upstream watched", in(phase, true).upstreamWatched(), is(phase == Phase.OPEN));
        }
    }

    @Test
    void offences() {
        assertThat(OFFENCES.keySet(), is(EnumSet.allOf(Offence.class)));
        int pairs = 0;
        for (Offence offence : Offence.values()) {
            pairs += query("offence " + offence, OFFENCES.get(offence), 2, (m, f) -> offence.rule(f[1]));
        }
        assertThat(pairs, is(80));
    }

    @Test
    void aResumedUpstreamHasFreshCloseFlagsTheClientKeepsItsOwn() {
        SessionMachine machine = in(Phase.FAILING_OVER, true);
        CloseFlags old = machine.flags(Side.UPSTREAM);
        old.claim(1001);
        old.received(1001);
        old.close();
        machine.flags(Side.CLIENT).claim(1000);
        assertThat(machine.on(PhaseEvent.RESUMED), is(true));
        CloseFlags fresh = machine.flags(Side.UPSTREAM);
        assertThat(fresh == old, is(false));
        assertThat(fresh.sent() || fresh.received() || fresh.closed(), is(false));
        assertThat(machine.flags(Side.CLIENT).codeSent(), is(1000));
    }

    @Test
    void aClientCloseWithoutCodeIsAnsweredWith1000() {
        SessionMachine machine = in(Phase.CLOSING, true);
        machine.flags(Side.CLIENT).received(0);
        machine.flags(Side.UPSTREAM).received(1000);
        assertThat(answer(Phase.CLOSING, machine, machine.upstreamEnded(false, false)),
                   is("=" + ORDERLY + " SEND_CLOSE(CLIENT 1000) CLOSE_CONNECTION(CLIENT)"));
    }

    @Test
    void exactlyOneThreadOwnsTheCloseOfAConnection() throws InterruptedException {
        for (int round = 0; round < 200; round++) {
            SessionMachine machine = new SessionMachine(true);
            ReentrantLock lock = new ReentrantLock();
            AtomicInteger owners = new AtomicInteger();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                int code = 4000 + i;
                boolean pump = i % 2 == 0;
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    // a pump forwarding a peer's close claims without the lock; an event is given under it
                    if (pump ? machine.closeClaimed(Side.CLIENT, code) : terminated(machine, lock, code)) {
                        owners.incrementAndGet();
                    }
                }));
            }
            start.countDown();
            for (Thread thread : threads) {
                thread.join();
            }
            assertThat("round " + round, owners.get(), is(1));
        }
    }

    private static boolean terminated(SessionMachine machine, ReentrantLock lock, int code) {
        lock.lock();
        try {
            return machine.terminate(GatewayClose.IDLE, code).stream().anyMatch(a -> a.side() == Side.CLIENT);
        } finally {
            lock.unlock();
        }
    }
}
