package dev.wsgateway.gateway;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import dev.wsgateway.discovery.InMemoryRegistry;
import dev.wsgateway.discovery.InstanceStatus;
import dev.wsgateway.discovery.ServiceInstance;
import dev.wsgateway.gateway.relay.RelaySession;
import dev.wsgateway.testsupport.JdkClient;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;

/**
 * High availability with real processes: three Node {@code ws} echo instances (separate OS processes) behind one
 * gateway on static discovery; instances are killed with SIGKILL while sessions run.
 */
class HaTest {
    private final List<NodeUpstream> upstreams = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void stopAll() throws Exception {
        for (AutoCloseable c : closeables.reversed()) {
            c.close();
        }
        for (NodeUpstream u : upstreams) {
            u.close();
        }
    }

    private NodeUpstream upstream() throws Exception {
        NodeUpstream u = NodeUpstream.start();
        upstreams.add(u);
        return u;
    }

    private TestGateway gateway(String yaml) {
        TestGateway gw = TestGateway.start(yaml);
        closeables.add(gw);
        return gw;
    }

    private JdkClient client(TestGateway gw, String path) throws Exception {
        JdkClient c = JdkClient.connect(gw.ws(path));
        closeables.add(c);
        return c;
    }

    /**
     * Static discovery for one service on route {@code /svc}: one instance per port, instance ids {@code i0, i1, ...}.
     */
    private static String service(String serviceId, String extraMetadata, int... ports) {
        return TestGateway.services().numbered(serviceId, "/svc", extraMetadata, ports).yaml();
    }

    private static Map<String, Long> sessionsPerInstance(TestGateway gw) {
        return gw.gateway().sessions().sessions().stream()
                .collect(Collectors.groupingBy(s -> s.info().instanceId(), Collectors.counting()));
    }

    @Test
    void roundRobinSpreads300SessionsEvenly() throws Exception {
        NodeUpstream a = upstream();
        NodeUpstream b = upstream();
        NodeUpstream c = upstream();
        TestGateway gw = gateway(service("ha", "", a.port(), b.port(), c.port()));
        for (int i = 0; i < 300; i++) {
            client(gw, "/ws/v1/ha/s" + i);
        }
        TestGateway.await(() -> gw.gateway().sessions().size() == 300, Duration.ofSeconds(10), "300 sessions");
        Map<String, Long> spread = sessionsPerInstance(gw);
        assertThat(spread.toString(), spread.size(), is(3));
        assertThat(spread.toString(), spread.values(), everyItem(greaterThanOrEqualTo(90L)));
        assertThat(spread.toString(), spread.values(), everyItem(lessThanOrEqualTo(110L)));
    }

    @Test
    void leastSessionsFillsTheEmptiestInstance() throws Exception {
        NodeUpstream a = upstream();
        NodeUpstream b = upstream();
        NodeUpstream c = upstream();
        TestGateway gw = gateway(service("least", "", a.port(), b.port(), c.port()) + """
                gateway:
                  balancing:
                    services:
                      least: least-sessions
                """);
        List<JdkClient> clients = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            clients.add(client(gw, "/ws/v1/least/s" + i));
        }
        TestGateway.await(() -> gw.gateway().sessions().size() == 60, Duration.ofSeconds(10), "60 sessions");
        assertThat(sessionsPerInstance(gw).values(), everyItem(is(20L)));
        // end the 20 sessions of i0: least-sessions must send the next 20 there, round robin would spread them
        List<String> onI0 = gw.gateway().sessions().sessions().stream()
                .filter(s -> s.info().instanceId().equals("i0"))
                .map(s -> s.info().gatewayPath())
                .toList();
        for (JdkClient client : clients) {
            client.sendText("handshake?");
            String handshake = client.nextText();
            for (String path : onI0) {
                if (handshake.contains("\"path\":\"/svc/" + path.substring(path.lastIndexOf('/') + 1) + "\"")) {
                    client.close();
                }
            }
        }
        TestGateway.await(() -> gw.gateway().sessions().size() == 40, Duration.ofSeconds(10), "40 sessions left");
        for (int i = 60; i < 80; i++) {
            client(gw, "/ws/v1/least/s" + i);
        }
        TestGateway.await(() -> gw.gateway().sessions().size() == 60, Duration.ofSeconds(10), "60 sessions again");
        assertThat(sessionsPerInstance(gw).toString(), sessionsPerInstance(gw).values(), everyItem(is(20L)));
    }

    @Test
    void killedInstanceSessionsFailOverAndEveryMessageSentAfterTheKillIsEchoed() throws Exception {
        NodeUpstream a = upstream();
        NodeUpstream b = upstream();
        NodeUpstream c = upstream();
        TestGateway gw = gateway(service("ha", "", a.port(), b.port(), c.port()) + """
                gateway:
                  relay:
                    ping-interval: PT1S
                    pong-timeout: PT1S
                """);
        int sessions = 100;
        int burst = 20;
        // the clients run in a Node process of their own (as real clients do), so that what they cost is not
        // counted as the gateway's failover time
        Process clients = new ProcessBuilder("node", "burst-client.js", gw.ws("/ws/v1/ha/").toString(),
                                             String.valueOf(sessions), String.valueOf(burst))
                .directory(Path.of("src/test/node").toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(clients.getInputStream(), StandardCharsets.UTF_8));
                Writer in = new OutputStreamWriter(clients.getOutputStream(), StandardCharsets.UTF_8)) {
            assertThat(out.readLine(), is("{\"ready\":" + sessions + "}"));
            // the same round trip with nothing failing: the floor of this measurement on this machine
            in.write("probe\n");
            in.flush();
            long[] floor = Arrays.stream(out.readLine().replaceAll(".*\"probe\":\\[([^]]*)].*", "$1").split(","))
                    .mapToLong(ms -> (long) (Double.parseDouble(ms) * 1_000_000))
                    .sorted()
                    .toArray();
            assertThat(floor.length, is(sessions));
            Map<String, Long> before = sessionsPerInstance(gw);
            long killed = System.nanoTime();
            a.sigkill();
            in.write("go\n");
            in.flush();
            long go = System.nanoTime();
            String result = out.readLine();
            assertThat(result, containsString("\"errors\":[]"));
            long[] gaps = Arrays.stream(result.replaceAll(".*\"firstEcho\":\\[([^]]*)].*", "$1").split(","))
                    .mapToLong(ms -> go - killed + (long) (Double.parseDouble(ms) * 1_000_000))
                    .toArray();
            assertThat(gaps.length, is(sessions));

            assertThat(gw.gateway().sessions().size(), is(sessions));
            Map<String, Long> after = sessionsPerInstance(gw);
            assertThat(after.toString(), after.containsKey("i0"), is(false));
            long failovers = gw.gateway().sessions().sessions().stream().mapToInt(RelaySession::failovers).sum();
            assertThat(failovers, is(before.get("i0")));

            Set<Integer> movedIds = gw.gateway().sessions().sessions().stream()
                    .filter(s -> s.failovers() > 0)
                    .map(s -> Integer.parseInt(s.info().gatewayPath().substring("/ws/v1/ha/s".length())))
                    .collect(Collectors.toSet());
            long[] moved = IntStream.range(0, sessions).filter(movedIds::contains).mapToLong(i -> gaps[i]).sorted()
                    .toArray();
            long[] stayed = IntStream.range(0, sessions).filter(i -> !movedIds.contains(i)).mapToLong(i -> gaps[i])
                    .sorted().toArray();
            String report = "failover gap after SIGKILL of 1 of 3 instances (from the signal to the arrival of the "
                    + "echo of a message each session sent right after it; " + (burst - 1) + " more followed that "
                    + "echo), " + moved.length + " of " + sessions + " sessions moved: " + percentiles(moved)
                    + "; the sessions that stayed: " + percentiles(stayed) + "; the same round trip of every "
                    + "session before the kill, nothing failing: " + percentiles(floor);
            Files.writeString(Path.of("target/failover-gap.txt"), report + "\n");
            System.getLogger(HaTest.class.getName()).log(System.Logger.Level.INFO, report);
            in.write("close\n");
            in.flush();
            assertThat(clients.waitFor(10, TimeUnit.SECONDS), is(true));
        } finally {
            clients.destroyForcibly();
        }
    }

    private static String percentiles(long[] sortedNanos) {
        return "p50 " + sortedNanos[sortedNanos.length / 2] / 1_000_000 + " ms, p99 "
                + sortedNanos[(int) Math.ceil(sortedNanos.length * 0.99) - 1] / 1_000_000 + " ms, max "
                + sortedNanos[sortedNanos.length - 1] / 1_000_000 + " ms";
    }

    @Test
    void withFailoverOffSessionsOfAKilledInstanceCloseWith1001AndOthersAreUnaffected() throws Exception {
        NodeUpstream a = upstream();
        NodeUpstream b = upstream();
        TestGateway gw = gateway(service("nofail", "apiml.routes.ws_v1.failover: false", a.port(), b.port()));
        JdkClient onA = client(gw, "/ws/v1/nofail/1");
        JdkClient onB = client(gw, "/ws/v1/nofail/2");
        TestGateway.await(() -> gw.gateway().sessions().size() == 2, Duration.ofSeconds(5), "2 sessions");
        assertThat(sessionsPerInstance(gw).keySet().size(), is(2));
        JdkClient victim = instanceOf(gw, "/ws/v1/nofail/1").equals("i0") ? onA : onB;
        JdkClient survivor = victim == onA ? onB : onA;
        a.kill();
        victim.assertClosed(1001, containsString("Upstream"));
        survivor.sendText("still here");
        assertThat(survivor.nextText(), is("still here"));
    }

    @Test
    void heldMessagesOverTheBufferCloseWith1013() throws Exception {
        NodeUpstream a = upstream();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            TestGateway gw = gateway(service("held", "", a.port(), silent.getLocalPort()) + """
                    gateway:
                      relay:
                        connect-timeout: PT2S
                      failover:
                        buffer-size: 1000
                    """);
            JdkClient client = connectedTo(gw, "/ws/v1/held/x", "i0");
            a.kill();
            // the only other instance accepts TCP but never answers: the session waits for it, holding messages.
            // Its connect is the sign the gateway saw the loss; messages sent before that go to the lost instance
            silent.setSoTimeout(10_000);
            try (Socket dialed = silent.accept()) {
                char[] hundred = new char[100];
                Arrays.fill(hundred, 'x');
                for (int i = 0; i < 11 && !client.ws().isOutputClosed(); i++) {
                    try {
                        client.sendText(new String(hundred));
                    } catch (java.util.concurrent.ExecutionException e) {
                        break; // the gateway's close crossed the limit first: the client answered it, output closed
                    }
                }
                client.assertClosed(Duration.ofSeconds(10), 1013, containsString("1000 bytes"));
            }
        }
    }

    @Test
    void noInstanceWithinTheFailoverTimeoutClosesWith1013() throws Exception {
        NodeUpstream a = upstream();
        TestGateway gw = gateway(service("alone", "", a.port()) + """
                gateway:
                  failover:
                    timeout: PT1S
                """);
        JdkClient client = client(gw, "/ws/v1/alone/x");
        TestGateway.await(() -> gw.gateway().sessions().size() == 1, Duration.ofSeconds(5), "session open");
        long start = System.nanoTime();
        a.kill();
        client.assertClosed(Duration.ofSeconds(10), 1013, containsString("No instance of 'alone'"));
        assertThat((System.nanoTime() - start) / 1_000_000, greaterThanOrEqualTo(900L));
    }

    @Test
    void aFragmentedMessageCutByTheLossIsReplayedOrClosesWith1011WithoutReplay() throws Exception {
        for (String window : new String[] {"PT1S", "PT0S"}) {
            NodeUpstream a = upstream();
            NodeUpstream b = upstream();
            TestGateway gw = gateway(service("frag", "", a.port(), b.port()) + """
                    gateway:
                      failover:
                        replay-window: %s
                    """.formatted(window));
            try (RawWsClient raw = RawWsClient.connect(gw.port(), "/ws/v1/frag/x")) {
                TestGateway.await(() -> gw.gateway().sessions().size() == 1, Duration.ofSeconds(5), "session open");
                NodeUpstream victim = instanceOf(gw, "/ws/v1/frag/x").equals("i0") ? a : b;
                raw.send(false, 0x1, "first half, ".getBytes(StandardCharsets.UTF_8));
                victim.kill();
                if (window.equals("PT0S")) {
                    RawWsClient.Frame close = raw.readUntil(0x8);
                    assertThat(close.closeCode(), is(1011));
                    assertThat(close.closeReason(), containsString("cut"));
                } else {
                    // the start of the message was never answered: the new instance gets it again, then the rest
                    TestGateway.await(() -> gw.gateway().sessions().sessions().iterator().next().failovers() == 1,
                                      Duration.ofSeconds(5), "failed over");
                    raw.send(true, 0x0, "second half".getBytes(StandardCharsets.UTF_8));
                    assertThat(raw.readUntil(0x1).text(), is("first half, second half"));
                }
            }
        }
    }

    @Test
    void upstreamGoingAwayMovesTheSessionButANormalCloseReachesTheClient() throws Exception {
        NodeUpstream a = upstream();
        NodeUpstream b = upstream();
        TestGateway gw = gateway(service("away", "", a.port(), b.port()));
        JdkClient client = client(gw, "/ws/v1/away/x");
        TestGateway.await(() -> gw.gateway().sessions().size() == 1, Duration.ofSeconds(5), "session open");
        String first = instanceOf(gw, "/ws/v1/away/x");
        client.sendText("close:1001:restarting");
        // what the client sends before the gateway sees the instance's close may reach an instance that already
        // stopped reading (at most once): wait for the move, then the session carries on
        TestGateway.await(() -> !instanceOf(gw, "/ws/v1/away/x").equals(first), Duration.ofSeconds(5), "moved");
        client.sendText("after");
        assertThat(client.nextText(), is("after"));

        client.sendText("close:4001:done for good");
        client.assertClosed(4001, is("done for good"));
    }

    @Test
    void drainingInstancesKeepTheirSessionsOrMigrateThemAsConfigured() throws Exception {
        NodeUpstream a = upstream();
        NodeUpstream b = upstream();
        for (String mode : new String[] {"stay", "migrate"}) {
            TestGateway gw = gateway(service("drain", "", a.port(), b.port()) + """
                    gateway:
                      failover:
                        on-drain: %s
                    """.formatted(mode));
            JdkClient client = connectedTo(gw, "/ws/v1/drain/" + mode, "i0");
            InMemoryRegistry registry = (InMemoryRegistry) gw.gateway().registry();
            List<ServiceInstance> instances = registry.instances("drain");
            ServiceInstance i0 = instances.stream().filter(i -> i.instanceId().equals("i0")).findFirst().orElseThrow();
            registry.update(List.of(new ServiceInstance(i0.serviceId(), i0.instanceId(), i0.host(), i0.port(), false,
                                                        InstanceStatus.OUT_OF_SERVICE, i0.metadata()),
                                    instances.stream().filter(i -> i != i0).findFirst().orElseThrow()));
            if (mode.equals("migrate")) {
                TestGateway.await(() -> instanceOf(gw, "/ws/v1/drain/" + mode).equals("i1"), Duration.ofSeconds(5),
                                  "session migrated to i1");
            }
            client.sendText("handshake?");
            String expectedPort = mode.equals("stay") ? String.valueOf(a.port()) : String.valueOf(b.port());
            assertThat(client.nextText(), containsString("\"host\":\"127.0.0.1:" + expectedPort + "\""));
            assertThat(JdkClient.refusedStatus(gw.ws("/ws/v1/nosuch/x"), Map.of()), is(404));
            JdkClient fresh = client(gw, "/ws/v1/drain/new-" + mode);
            fresh.sendText("handshake?");
            assertThat(fresh.nextText(), containsString("\"host\":\"127.0.0.1:" + b.port() + "\""));
        }
    }

    @Test
    void aRefusedConnectIsRetriedOnAnotherInstanceAndTheDeadOneEjected() throws Exception {
        NodeUpstream a = upstream();
        int dead;
        try (ServerSocket s = new ServerSocket(0)) {
            dead = s.getLocalPort();
        }
        TestGateway gw = gateway(service("retry", "", dead, a.port()));
        for (int i = 0; i < 6; i++) {
            JdkClient client = client(gw, "/ws/v1/retry/" + i);
            client.sendText("ok " + i);
            assertThat(client.nextText(), is("ok " + i));
        }
        assertThat(sessionsPerInstance(gw), is(Map.of("i1", 6L)));
    }

    @Test
    void theSessionListCountsFailovers() throws Exception {
        NodeUpstream a = upstream();
        NodeUpstream b = upstream();
        TestGateway gw = gateway(service("count", "", a.port(), b.port()));
        JdkClient client = connectedTo(gw, "/ws/v1/count/x", "i0");
        a.kill();
        client.sendText("moved");
        assertThat(client.nextText(), is("moved"));
        String list = new String(java.net.http.HttpClient.newHttpClient()
                                         .send(java.net.http.HttpRequest.newBuilder(gw.http("/application/websockets"))
                                                       .build(),
                                               java.net.http.HttpResponse.BodyHandlers.ofByteArray()).body(),
                                 StandardCharsets.UTF_8);
        assertThat(list, containsString("\"instanceId\":\"i1\""));
        assertThat(list, containsString("\"failovers\":1"));
    }

    /**
     * Open sessions until one lands on the wanted instance; close the others.
     */
    private JdkClient connectedTo(TestGateway gw, String path, String instanceId) throws Exception {
        for (int i = 0; i < 10; i++) {
            JdkClient client = JdkClient.connect(gw.ws(path));
            TestGateway.await(() -> gw.gateway().sessions().sessions().stream()
                    .anyMatch(s -> s.info().gatewayPath().equals(path)), Duration.ofSeconds(5), "session listed");
            if (instanceOf(gw, path).equals(instanceId)) {
                closeables.add(client);
                return client;
            }
            client.close();
            TestGateway.await(() -> gw.gateway().sessions().sessions().stream()
                    .noneMatch(s -> s.info().gatewayPath().equals(path)), Duration.ofSeconds(5), "session gone");
        }
        throw new AssertionError("no session landed on " + instanceId);
    }

    private static String instanceOf(TestGateway gw, String path) {
        Map<String, String> byPath = new HashMap<>();
        gw.gateway().sessions().sessions().forEach(s -> byPath.put(s.info().gatewayPath(), s.info().instanceId()));
        String id = byPath.get(path);
        if (id == null) {
            throw new AssertionError("no session for " + path + " in " + byPath);
        }
        return id;
    }
}
