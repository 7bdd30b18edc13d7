package dev.wsgateway.gateway.relay;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.wsgateway.gateway.config.FailoverSettings;
import dev.wsgateway.gateway.config.RelaySettings;
import dev.wsgateway.gateway.relay.SessionMachine.Side;
import dev.wsgateway.gateway.relay.SessionState.Phase;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

/**
 * {@link SessionEvents#carryOut}: the actions a {@link SessionMachine} answered, carried out on the connection they
 * were decided on, over in-memory sockets.
 */
class SessionEventsTest {
    private static final Duration SECOND = Duration.ofSeconds(1);

    private final RelaySettings settings = new RelaySettings(1 << 20, 1 << 20, 4096, SECOND, Duration.ofSeconds(5),
                                                             SECOND, SECOND, SECOND);
    private final FailoverSettings failover = new FailoverSettings(true, SECOND, 1 << 16, SECOND, false, Duration.ZERO,
                                                                   0, FailoverSettings.Acknowledge.ANSWER, Map.of());
    private final SessionRegistry registry = new SessionRegistry(settings);
    private final MemorySocket clientSocket = new MemorySocket();
    private final MemorySocket upstreamSocket = new MemorySocket();
    private final MemorySocket nextSocket = new MemorySocket();
    private final RelaySession session = new RelaySession(
            SessionInfo.create("127.0.0.1:1", "/ws/v1/s", "s", "s:1", URI.create("ws://127.0.0.1:2/"), "", ""),
            settings, failover, true, FailoverSettings.Acknowledge.ANSWER, registry, null, null, "",
            new Leg("client", clientSocket, new byte[0], false),
            new Leg("upstream", upstreamSocket, new byte[0], true));
    private final SessionEvents events = new SessionEvents(session);

    @AfterEach
    void stop() {
        registry.close();
    }

    private static boolean wroteClose(MemorySocket socket) {
        return socket.writes().stream().anyMatch(w -> w.length > 0 && (w[0] & 0x0F) == WsFrames.OP_CLOSE);
    }

    @Test
    void aDrainsCloseGoesToTheInstanceItWasDecidedFor() {
        List<SessionAction> actions = session.upstream().beginMigration();
        assertThat(actions.toString(), is("[SEND_CLOSE(UPSTREAM 1001)]"));
        events.carryOut(actions, "", "draining");
        assertThat(wroteClose(upstreamSocket), is(true));
        assertThat(session.upstream().leg().closeCodeSent(), is(1001));
    }

    @Test
    void anActionOnAnUpstreamTheSessionLeftIsNotCarriedOutOnTheNextOne() {
        List<SessionAction> actions = session.upstream().beginMigration();
        assertThat(session.state().to(Phase.FAILING_OVER), is(true));
        Leg next = new Leg("upstream", nextSocket, new byte[0], true);
        assertThat(session.upstream().resume(next, () -> { }), is(true));
        assertThat("the next instance's close flags are fresh", next.closeSent(), is(false));
        assertThat(next.boundTo(session.state().machine().flags(Side.UPSTREAM)), is(true));

        events.carryOut(actions, "", "draining");
        assertThat("the close decided for the old instance never reaches the next", wroteClose(nextSocket), is(false));
        assertThat(next.closeSent(), is(false));
    }
}
