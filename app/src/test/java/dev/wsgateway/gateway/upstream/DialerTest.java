package dev.wsgateway.gateway.upstream;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import dev.wsgateway.discovery.InMemoryRegistry;
import dev.wsgateway.discovery.InstanceStatus;
import dev.wsgateway.discovery.ServiceInstance;
import dev.wsgateway.discovery.ServiceRegistry;
import dev.wsgateway.gateway.balancing.Balancer;
import dev.wsgateway.gateway.instances.Ejections;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@link Dialer} over loopback upstreams: the round (order, ejections, attempts, which failures try the next
 * instance), its deadline ending an attempt in progress, and failover rounds.
 */
class DialerTest {
    private static final UpstreamConnector CONNECTOR = new UpstreamConnector(Duration.ofSeconds(10), null);
    private static final Balancer AS_LISTED = (serviceId, candidates) -> candidates;
    private static final UpstreamRequest REQUEST = new UpstreamRequest("echo", "ws/v1", "", "", Map.of(), List.of());

    /** A deadline of 150 ms ends an attempt well before this even on a loaded machine (not cut, it took 10 s). */
    private static final long WELL_BEFORE_MILLIS = 2000;

    private final List<String> attempts = new CopyOnWriteArrayList<>();
    private final Ejections ejections = new Ejections(Duration.ofSeconds(10), 100);

    @AfterAll
    static void closeConnector() {
        CONNECTOR.close();
    }

    private static ServiceInstance instance(String id, int port) {
        return new ServiceInstance("echo", id, "127.0.0.1", port, false, InstanceStatus.UP,
                                   Map.of("apiml.routes.ws_v1.gatewayUrl", "ws/v1",
                                          "apiml.routes.ws_v1.serviceUrl", "/echo"));
    }

    private static ServiceRegistry registry(ServiceInstance... instances) {
        InMemoryRegistry registry = new InMemoryRegistry();
        registry.update(List.of(instances));
        return registry;
    }

    private Dialer dialer(int attempts, Duration roundDeadline, ServiceInstance... instances) {
        return new Dialer(new RouteResolver(registry(instances), AS_LISTED), CONNECTOR, ejections,
                          new ConnectListener() {
                              @Override
                              public void upstreamConnect(String serviceId, String instanceId, long nanos,
                                                          Optional<ConnectFailure> failure) {
                                  DialerTest.this.attempts.add(instanceId + failure.map(f -> "-" + f.reason())
                                          .orElse("+"));
                              }
                          },
                          new Dialer.ConnectPolicy(attempts, roundDeadline, Duration.ofMillis(20),
                                                   Duration.ofMillis(100)));
    }

    private static int closedPort() throws IOException {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return probe.getLocalPort();
        }
    }

    private static ScriptedUpstream answering(String statusLine) throws IOException {
        return ScriptedUpstream.start((key, out) -> out.write((statusLine + "\r\n\r\n")
                                                                      .getBytes(StandardCharsets.ISO_8859_1)));
    }

    private static ScriptedUpstream silent() throws IOException {
        return ScriptedUpstream.start((key, out) -> Thread.sleep(30_000));
    }

    @Test
    void aRefusedInstanceIsEjectedAndTheNextOneTried() throws Exception {
        try (ScriptedUpstream good = ScriptedUpstream.switching("", new byte[0])) {
            ServiceInstance dead = instance("dead", closedPort());
            Dialer dialer = dialer(3, Duration.ofSeconds(5), dead, instance("good", good.port()));
            Dialer.Dialed dialed = dialer.dial(REQUEST, Set.of());
            dialed.link().close();
            assertThat(dialed.target().instance().instanceId(), is("good"));
            assertThat(attempts, contains("dead-refused", "good+"));
            // the ejected instance goes last next time
            attempts.clear();
            dialer.dial(REQUEST, Set.of()).link().close();
            assertThat(attempts, contains("good+"));
        }
    }

    @Test
    void aServiceRefusalEndsTheRoundButA5xxTriesTheNextInstance() throws Exception {
        try (ScriptedUpstream forbidding = answering("HTTP/1.1 403 Forbidden");
                ScriptedUpstream failing = answering("HTTP/1.1 503 Busy");
                ScriptedUpstream good = ScriptedUpstream.switching("", new byte[0])) {
            UpstreamException e = assertThrows(UpstreamException.class, () -> dialer(
                    3, Duration.ofSeconds(5), instance("forbidding", forbidding.port()),
                    instance("good", good.port())).dial(REQUEST, Set.of()));
            assertThat(e.failure(), is(new ConnectFailure.Rejected("forbidding", 403, Optional.empty())));
            assertThat(good.accepted(), is(0));
            Dialer.Dialed dialed = dialer(3, Duration.ofSeconds(5), instance("failing", failing.port()),
                                          instance("good", good.port())).dial(REQUEST, Set.of());
            dialed.link().close();
            assertThat(dialed.target().instance().instanceId(), is("good"));
            // the listener hears why each attempt failed
            assertThat(attempts, contains("forbidding-HTTP 403", "failing-HTTP 503", "good+"));
        }
    }

    @Test
    void aRoundTriesAtMostConnectAttemptsInstances() throws Exception {
        try (ScriptedUpstream good = ScriptedUpstream.switching("", new byte[0])) {
            UpstreamException e = assertThrows(UpstreamException.class, () -> dialer(
                    2, Duration.ofSeconds(5), instance("a", closedPort()), instance("b", closedPort()),
                    instance("good", good.port())).dial(REQUEST, Set.of()));
            assertThat(e.failure(), is(new ConnectFailure.Refused("b")));
            assertThat(good.accepted(), is(0));
        }
    }

    @Test
    void connectDeadlineEndsTheAttemptInProgress() throws Exception {
        try (ScriptedUpstream silent = silent(); ScriptedUpstream good = ScriptedUpstream.switching("", new byte[0])) {
            long start = System.nanoTime();
            UpstreamException e = assertThrows(UpstreamException.class, () -> dialer(
                    3, Duration.ofMillis(150), instance("silent", silent.port()),
                    instance("good", good.port())).dial(REQUEST, Set.of()));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(e.failure(), is(new ConnectFailure.TimedOut("silent")));
            assertThat(millis, lessThan(WELL_BEFORE_MILLIS));
            assertThat(good.accepted(), is(0));
            assertThat(attempts, contains("silent-timed out"));
        }
    }

    @Test
    void theFailoverDeadlineEndsTheAttemptInProgress() throws Exception {
        try (ScriptedUpstream silent = silent()) {
            Dialer dialer = dialer(3, Duration.ofSeconds(10), instance("silent", silent.port()));
            long start = System.nanoTime();
            UpstreamException e = assertThrows(UpstreamException.class, () -> dialer.redial(
                    REQUEST, new HashSet<>(), start + Duration.ofMillis(150).toNanos(), () -> false, d -> true));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(e.failure(), is(new ConnectFailure.TimedOut("silent")));
            assertThat(millis, lessThan(WELL_BEFORE_MILLIS));
        }
    }

    @Test
    void aFailoverRedialsTheOnlyInstanceAndSkipsOnesTheCallerRefuses() throws Exception {
        try (ScriptedUpstream a = ScriptedUpstream.switching("", new byte[0]);
                ScriptedUpstream b = ScriptedUpstream.switching("", new byte[0])) {
            Set<String> exclude = new HashSet<>(Set.of("a"));
            Dialer.Dialed dialed = dialer(3, Duration.ofSeconds(5), instance("a", a.port()))
                    .redial(REQUEST, exclude, System.nanoTime() + Duration.ofSeconds(5).toNanos(), () -> false,
                            d -> true);
            dialed.link().close();
            assertThat(dialed.target().instance().instanceId(), is("a"));

            List<String> offered = new ArrayList<>();
            Set<String> none = new HashSet<>();
            dialed = dialer(3, Duration.ofSeconds(5), instance("a", a.port()), instance("b", b.port()))
                    .redial(REQUEST, none, System.nanoTime() + Duration.ofSeconds(5).toNanos(), () -> false,
                            d -> offered.add(d.target().instance().instanceId()) && offered.size() > 1);
            dialed.link().close();
            assertThat(offered, contains("a", "b"));
            assertThat(none, contains("a"));
        }
    }

    @Test
    void anAbandonedFailoverStopsAndRoutingFailuresPassThrough() {
        Dialer dialer = dialer(3, Duration.ofSeconds(5));
        assertThat(dialer.redial(REQUEST, new HashSet<>(), System.nanoTime() + 1_000_000_000L, () -> true,
                                 d -> true) == null, is(true));
        UpstreamException e = assertThrows(UpstreamException.class, () -> dialer.dial(REQUEST, Set.of()));
        assertThat(e.failure(), is(new ConnectFailure.UnknownService("echo")));
        assertThat(attempts, empty());
    }

    @Test
    void onlyFailuresAnotherInstanceMightNotRepeatAreRetried() {
        assertThat(Dialer.retryable(new ConnectFailure.Refused("a")), is(true));
        assertThat(Dialer.retryable(new ConnectFailure.TimedOut("a")), is(true));
        assertThat(Dialer.retryable(new ConnectFailure.TlsFailed("a", "x")), is(true));
        assertThat(Dialer.retryable(new ConnectFailure.BadAnswer("a", "x")), is(true));
        assertThat(Dialer.retryable(new ConnectFailure.Rejected("a", 502, Optional.empty())), is(true));
        assertThat(Dialer.retryable(new ConnectFailure.Rejected("a", 401, Optional.empty())), is(false));
        assertThat(Dialer.retryable(new ConnectFailure.Rejected("a", 404, Optional.empty())), is(false));
        assertThat(Dialer.retryable(new ConnectFailure.NoInstance("echo")), is(false));
    }
}
