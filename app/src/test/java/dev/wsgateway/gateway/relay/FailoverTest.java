package dev.wsgateway.gateway.relay;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.wsgateway.discovery.InMemoryRegistry;
import dev.wsgateway.discovery.InstanceStatus;
import dev.wsgateway.discovery.ServiceInstance;
import dev.wsgateway.gateway.instances.Ejections;
import dev.wsgateway.gateway.relay.SessionState.Phase;
import dev.wsgateway.gateway.upstream.ConnectFailure;
import dev.wsgateway.gateway.upstream.ConnectListener;
import dev.wsgateway.gateway.upstream.Dialer;
import dev.wsgateway.gateway.upstream.RouteResolver;
import dev.wsgateway.gateway.upstream.UpstreamConnector;
import dev.wsgateway.gateway.upstream.UpstreamRequest;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static dev.wsgateway.gateway.relay.TestFrames.text;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.nullValue;

/**
 * {@link Failover} over in-memory legs ({@link MemorySocket}) and a {@link Dialer} whose instances are loopback
 * ports (one closed, one that answers the upgrade with a status): which close a client gets when no instance
 * continues its session, from the type of the last attempt's failure; nothing is dialled when the loss is fatal or
 * the session ended.
 */
class FailoverTest {
    private static final UpstreamRequest REQUEST = new UpstreamRequest("echo", "ws/v1", "", "", Map.of(), List.of());

    private final SessionState state = new SessionState(true);
    private final MemorySocket socket = new MemorySocket();
    private final Leg leg = new Leg("upstream", socket, new byte[0], true);
    private final UpstreamSide side = new UpstreamSide(state, new HeldFrames(1 << 16, Duration.ofSeconds(10)), null,
                                                       new UpstreamOwner() {
                                                           @Override
                                                           public boolean failoverPossible() {
                                                               return true;
                                                           }

                                                           @Override
                                                           public void failClientLater(Loss loss, String detail) {
                                                           }

                                                           @Override
                                                           public void answerClientClose(int code) {
                                                           }
                                                       }, leg);
    private final FramePump lost = new FramePump(new RecordingEvents(), leg, new RecordingSink(), false, 1 << 20,
                                                 1 << 20, 4096, ReservedBits.NONE);
    private final UpstreamConnector connector = new UpstreamConnector(Duration.ofSeconds(2), null);
    private ServerSocket answering;

    @AfterEach
    void close() throws IOException {
        connector.close();
        if (answering != null) {
            answering.close();
        }
    }

    private Failover failover(ServiceInstance... instances) {
        return failover(Duration.ofMillis(150), instances);
    }

    /**
     * @param timeout failover.timeout: short where the test waits for it to pass, long where one answer must arrive
     *                before it (a loaded machine took 170 ms for one dial and answer)
     */
    private Failover failover(Duration timeout, ServiceInstance... instances) {
        InMemoryRegistry registry = new InMemoryRegistry();
        registry.update(List.of(instances));
        Dialer dialer = new Dialer(new RouteResolver(registry, (serviceId, candidates) -> candidates), connector,
                                   new Ejections(Duration.ofSeconds(10), 100), new ConnectListener() {
                                   }, new Dialer.ConnectPolicy(1, Duration.ofSeconds(1), Duration.ofMillis(10),
                                                               Duration.ofMillis(20)));
        return new Failover(state, side, dialer, REQUEST, timeout, "", "");
    }

    private static ServiceInstance instance(String id, int port) {
        return new ServiceInstance("echo", id, "127.0.0.1", port, false, InstanceStatus.UP,
                                   Map.of("apiml.routes.ws_v1.gatewayUrl", "ws/v1",
                                          "apiml.routes.ws_v1.serviceUrl", "/echo"));
    }

    private static int closedPort() throws IOException {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return probe.getLocalPort();
        }
    }

    /**
     * A loopback port that answers every upgrade with this status and closes.
     */
    private int answeringWith(String statusLine) throws IOException {
        answering = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        ServerSocket server = answering;
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    s.getInputStream().read(new byte[4096]);
                    OutputStream out = s.getOutputStream();
                    out.write((statusLine + "\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                } catch (IOException e) {
                    // closed by the test
                }
            }
        });
        return answering.getLocalPort();
    }

    private Failover.Outcome runFrom(Failover failover, String lostInstance) {
        return failover.run("s1", lost, lostInstance, (newLeg, dialed) -> {
        });
    }

    @Test
    void aSessionAlreadyEndingIsNotFailedOverAndNothingIsDialled() {
        state.closing("test");
        Failover.Outcome outcome = new Failover(state, side, null, REQUEST, Duration.ofMillis(150), "", "")
                .run("s1", lost, "lost", (newLeg, dialed) -> {
                });
        assertThat(outcome.dialed(), nullValue());
        assertThat(outcome.close(), nullValue());
    }

    @Test
    void aClientMessageCutByTheLossClosesWith1011WithoutDialling() {
        byte[] m = text(false, "0123456789");
        side.write(m, 0, 4, true, false, false, true);
        Failover.Outcome outcome = new Failover(state, side, null, REQUEST, Duration.ofMillis(150), "", "")
                .run("s1", lost, "lost", (newLeg, dialed) -> {
                });
        assertThat(outcome.close(), is(GatewayClose.MESSAGE_CUT));
        assertThat(state.phase(), is(Phase.FAILING_OVER));
    }

    @Test
    void anInstanceThatRefusesUntilTheTimeoutCloses1013() throws Exception {
        long start = System.nanoTime();
        Failover.Outcome outcome = runFrom(failover(instance("lost", closedPort()), instance("other", closedPort())),
                                           "lost");
        assertThat(outcome.close(), is(GatewayClose.FAILOVER_NO_INSTANCE));
        assertThat(outcome.detail(), containsString("'echo' to continue the session: Upstream "));
        assertThat(outcome.detail(), containsString("refused the connection"));
        assertThat("bounded by failover.timeout (ms)", (System.nanoTime() - start) / 1_000_000, lessThan(900L));
    }

    @Test
    void anInstanceThatRefusesTheCredentialsCloses1008() throws Exception {
        Failover.Outcome outcome = runFrom(failover(Duration.ofSeconds(5), instance("other", answeringWith("HTTP/1.1 403 Forbidden"))),
                                           "lost");
        assertThat(outcome.close(), is(GatewayClose.FAILOVER_CREDENTIALS_REFUSED));
        assertThat(outcome.close().clientCode(), is(1008));
    }

    @Test
    void anInstanceThatAnswersWithAnother4xxCloses1014() throws Exception {
        Failover.Outcome outcome = runFrom(failover(Duration.ofSeconds(5), instance("other", answeringWith("HTTP/1.1 404 Not Found"))),
                                           "lost");
        assertThat(outcome.close(), is(GatewayClose.FAILOVER_BAD_UPSTREAM));
    }
    @Test
    void eachConnectFailureClosesTheClientWithItsRule() {
        Map<ConnectFailure, Integer> expected = Map.ofEntries(
                Map.entry(new ConnectFailure.NoInstance("s"), 1013),
                Map.entry(new ConnectFailure.NoOtherInstance("s"), 1013),
                Map.entry(new ConnectFailure.InstanceUnavailable("s", "i", "DOWN"), 1013),
                Map.entry(new ConnectFailure.UnknownService("s"), 1013),
                Map.entry(new ConnectFailure.UnknownRoute("s", "ws/v1", ""), 1013),
                Map.entry(new ConnectFailure.UnknownInstance("s", "i"), 1013),
                Map.entry(new ConnectFailure.Refused("i"), 1013),
                Map.entry(new ConnectFailure.UnknownHost("i"), 1013),
                Map.entry(new ConnectFailure.TimedOut("i"), 1013),
                Map.entry(new ConnectFailure.Broken("i"), 1013),
                Map.entry(new ConnectFailure.Rejected("i", 503, Optional.empty()), 1013),
                Map.entry(new ConnectFailure.Rejected("i", 401, Optional.of("Basic")), 1008),
                Map.entry(new ConnectFailure.Rejected("i", 403, Optional.empty()), 1008),
                Map.entry(new ConnectFailure.Rejected("i", 404, Optional.empty()), 1014),
                Map.entry(new ConnectFailure.TlsFailed("i", "PKIX path building failed"), 1014),
                Map.entry(new ConnectFailure.BadAnswer("i", "sent no Upgrade"), 1014),
                Map.entry(new ConnectFailure.Incompatible("i"), 1014));
        expected.forEach((failure, code) -> assertThat(failure.toString(), Failover.close(failure).clientCode(),
                                                       is(code)));
        assertThat(Failover.close(new ConnectFailure.Refused("i")), is(GatewayClose.FAILOVER_NO_INSTANCE));
        assertThat(Failover.close(new ConnectFailure.Rejected("i", 401, Optional.empty())),
                   is(GatewayClose.FAILOVER_CREDENTIALS_REFUSED));
        assertThat(Failover.close(new ConnectFailure.TlsFailed("i", "x")), is(GatewayClose.FAILOVER_BAD_UPSTREAM));
    }

    @Test
    void noRuleOfAFailedFailoverSendsTheLostServiceAnything() {
        for (GatewayClose rule : new GatewayClose[] {GatewayClose.FAILOVER_NO_INSTANCE,
                GatewayClose.FAILOVER_CREDENTIALS_REFUSED, GatewayClose.FAILOVER_BAD_UPSTREAM}) {
            assertThat(rule.toString(), rule.serviceCode(), is(0));
            assertThat(rule + " is a code a client may receive", WsFrames.isWireCloseCode(rule.clientCode()), is(true));
        }
    }
}
