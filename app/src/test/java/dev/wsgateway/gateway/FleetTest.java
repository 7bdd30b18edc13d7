package dev.wsgateway.gateway;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * Operating a fleet, with real Node {@code ws} instances as OS processes: active health checks (an instance that
 * stops answering — SIGSTOP — gets no new sessions, keeps its open ones, and comes back after M passed checks once
 * resumed), {@code /application/instances}, {@code X-InstanceId} on the 101 and on requests, and user affinity that
 * two gateways agree on without sharing state.
 */
class FleetTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final List<String> USERS = List.of("ann", "ben", "cid", "dan", "eve", "fay", "gus", "hal");

    private static NodeUpstream a;
    private static NodeUpstream b;
    private static NodeUpstream c;

    @BeforeAll
    static void startInstances() throws Exception {
        a = NodeUpstream.start();
        b = NodeUpstream.start();
        c = NodeUpstream.start();
    }

    @AfterAll
    static void stopInstances() throws Exception {
        for (NodeUpstream u : new NodeUpstream[] {a, b, c}) {
            if (u != null) {
                signal(u, "CONT");
                u.close();
            }
        }
    }

    private static String id(String serviceId, NodeUpstream u) {
        return "127.0.0.1:" + serviceId + ":" + u.port();
    }

    private static String instance(String serviceId, int port, String status, String instanceId) {
        return "          - host: 127.0.0.1\n"
                + "            port: " + port + "\n"
                + "            status: " + status + "\n"
                + (instanceId == null ? "" : "            instanceId: " + instanceId + "\n")
                + "            metadata-map:\n"
                + "              apiml.routes.ws_v1.gatewayUrl: ws/v1\n"
                + "              apiml.routes.ws_v1.serviceUrl: /echo\n";
    }

    private static String discovery(String... serviceBlocks) {
        return "discovery:\n  type: static\n  static:\n    services:\n" + String.join("", serviceBlocks);
    }

    private static String service(String serviceId, String... instances) {
        return "      - serviceId: " + serviceId + "\n        instances:\n" + String.join("", instances);
    }

    private static void signal(NodeUpstream u, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(u.pid())).inheritIO().start();
        assertThat(kill.waitFor(), is(0));
    }

    private static String get(TestGateway gateway, String path) throws Exception {
        HttpResponse<String> res = HTTP.send(HttpRequest.newBuilder(gateway.http(path)).build(),
                                             HttpResponse.BodyHandlers.ofString());
        assertThat(res.body(), res.statusCode(), is(200));
        return res.body();
    }

    /**
     * The JSON object of one instance in {@code /application/instances} (instance objects hold no nested objects).
     */
    private static String instanceJson(TestGateway gateway, String serviceId, String instanceId) throws Exception {
        String body = get(gateway, "/application/instances?serviceId=" + serviceId);
        Matcher m = Pattern.compile("\\{\"instanceId\":\"" + Pattern.quote(instanceId) + "\"[^{}]*}").matcher(body);
        assertThat(body, m.find(), is(true));
        return m.group();
    }

    private static void awaitHealth(TestGateway gateway, String serviceId, String instanceId, String state) {
        TestGateway.await(() -> {
            try {
                return instanceJson(gateway, serviceId, instanceId).contains("\"health\":\"" + state + "\"");
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }, Duration.ofSeconds(15), instanceId + " never " + state);
    }

    /**
     * Open a session and check it relays; returns the open client (its 101 headers name the instance).
     */
    private static RawWsClient open(TestGateway gateway, String path, String extraHeaders) throws IOException {
        RawWsClient client = RawWsClient.connect(gateway.port(), path, extraHeaders);
        assertThat(client.body(), client.status(), is(101));
        client.sendText("ping-" + path);
        RawWsClient.Frame echo = client.read();
        assertThat(new String(echo.payload(), StandardCharsets.UTF_8), is("ping-" + path));
        return client;
    }

    private static String basic(String user) {
        return "Authorization: Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + user + "-pw").getBytes(StandardCharsets.UTF_8)) + "\r\n";
    }

    private static void closeAll(List<RawWsClient> clients) throws IOException {
        for (RawWsClient client : clients) {
            client.close();
        }
    }

    @Test
    void anInstanceThatStopsAnsweringItsChecksGetsNoNewSessionsUntilItPassesAgain() throws Exception {
        String ida = id("fleet", a);
        String idb = id("fleet", b);
        List<RawWsClient> clients = new ArrayList<>();
        LogCapture logs = LogCapture.attach();
        try (TestGateway gateway = TestGateway.start(discovery(service("fleet", instance("fleet", a.port(), "UP", null),
                                                                         instance("fleet", b.port(), "UP", null)))
                                                                + """
                                                                gateway:
                                                                  affinity:
                                                                    instance-id-header: true
                                                                  health-checks:
                                                                    services:
                                                                      fleet:
                                                                        enabled: true
                                                                        interval: PT0.2S
                                                                        timeout: PT0.5S
                                                                        ping: true
                                                                        unhealthy-threshold: 2
                                                                        healthy-threshold: 3
                                                                """)) {
            awaitHealth(gateway, "fleet", ida, "healthy");
            awaitHealth(gateway, "fleet", idb, "healthy");
            // a session on b, opened before b stops answering
            RawWsClient onB = null;
            while (onB == null) {
                RawWsClient client = open(gateway, "/ws/v1/fleet/before", "");
                if (client.headers().get("x-instanceid").equals(idb)) {
                    onB = client;
                } else {
                    clients.add(client);
                }
            }

            long start = System.nanoTime();
            signal(b, "STOP");
            awaitHealth(gateway, "fleet", idb, "unhealthy");
            long detectMillis = (System.nanoTime() - start) / 1_000_000;
            System.out.println("fleet: unhealthy detected after " + detectMillis + " ms");
            Set<String> during = new HashSet<>();
            for (int i = 0; i < 6; i++) {
                RawWsClient client = open(gateway, "/ws/v1/fleet/during" + i, "");
                clients.add(client);
                during.add(client.headers().get("x-instanceid"));
            }
            assertThat(during, is(Set.of(ida)));
            // b's open session was left alone
            assertThat(gateway.gateway().sessions().sessions().stream()
                               .filter(s -> s.info().instanceId().equals(idb)).count(), is(1L));
            String bJson = instanceJson(gateway, "fleet", idb);
            assertThat(bJson, containsString("\"status\":\"UP\""));
            assertThat(bJson, containsString("\"activeSessions\":1,"));
            assertThat(bJson, not(containsString("\"healthSince\":null")));
            assertThat(bJson, containsString("\"lastCheckFailure\":\""));
            String aJson = instanceJson(gateway, "fleet", ida);
            assertThat(aJson, containsString("\"health\":\"healthy\""));
            assertThat(aJson, not(containsString("\"lastConnectMillis\":null")));
            assertThat(logs.records().stream().map(r -> r.getMessage()).toList(),
                       hasItem(containsString("instance " + idb + " of fleet is unhealthy after 2 failed health checks")));
            String metrics = get(gateway, "/application/metrics");
            assertThat(metrics, Pattern.compile("(?m)^wsgateway_health_transitions_total\\{[^}]*service=\"fleet\","
                                                + "state=\"unhealthy\",} [1-9]").matcher(metrics).find(), is(true));

            start = System.nanoTime();
            signal(b, "CONT");
            awaitHealth(gateway, "fleet", idb, "healthy");
            System.out.println("fleet: healthy again after " + (System.nanoTime() - start) / 1_000_000 + " ms");
            Set<String> after = new HashSet<>();
            for (int i = 0; i < 4; i++) {
                RawWsClient client = open(gateway, "/ws/v1/fleet/after" + i, "");
                clients.add(client);
                after.add(client.headers().get("x-instanceid"));
            }
            assertThat(after, hasItem(idb));
            // the old session on b still relays
            onB.sendText("still-there");
            assertThat(new String(onB.read().payload(), StandardCharsets.UTF_8), is("still-there"));
            clients.add(onB);
            closeAll(clients);
            clients.clear();
            gateway.awaitNoSessions(Duration.ofSeconds(10));
        } finally {
            logs.close();
            signal(b, "CONT");
            closeAll(clients);
        }
    }

    @Test
    void withOnDrainMigrateTheSessionsOfAnUnhealthyInstanceMove() throws Exception {
        String idc = id("moving", c);
        try (TestGateway gateway = TestGateway.start(discovery(service("moving", instance("moving", a.port(), "UP", null),
                                                                       instance("moving", c.port(), "UP", null)))
                                                             + """
                                                             gateway:
                                                               affinity:
                                                                 instance-id-header: true
                                                               relay:
                                                                 close-timeout: PT1S
                                                               failover:
                                                                 on-drain: migrate
                                                               health-checks:
                                                                 default:
                                                                   enabled: true
                                                                   interval: PT0.2S
                                                                   timeout: PT0.5S
                                                                   unhealthy-threshold: 2
                                                             """)) {
            awaitHealth(gateway, "moving", idc, "healthy");
            List<RawWsClient> clients = new ArrayList<>();
            RawWsClient onC = null;
            while (onC == null) {
                RawWsClient client = open(gateway, "/ws/v1/moving/x", "");
                clients.add(client);
                if (client.headers().get("x-instanceid").equals(idc)) {
                    onC = client;
                }
            }
            try {
                signal(c, "STOP");
                TestGateway.await(() -> gateway.gateway().sessions().sessions().stream()
                        .anyMatch(s -> s.failovers() == 1), Duration.ofSeconds(15), "the session on c never moved");
                onC.sendText("moved");
                assertThat(new String(onC.read().payload(), StandardCharsets.UTF_8), is("moved"));
            } finally {
                signal(c, "CONT");
                closeAll(clients);
            }
            gateway.awaitNoSessions(Duration.ofSeconds(10));
        }
    }

    @Test
    void instancesListsEveryServiceAndFiltersByService() throws Exception {
        try (TestGateway gateway = TestGateway.start(discovery(
                service("one", instance("one", a.port(), "UP", null), instance("one", 1, "DOWN", "gone-1")),
                service("two", instance("two", b.port(), "OUT_OF_SERVICE", null))))) {
            // checks are off: no checking thread runs (those of earlier tests' gateways have stopped)
            TestGateway.await(() -> Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.getName().equals("wsgateway-health-checks")), Duration.ofSeconds(5),
                              "a health check timer runs with checks off");
            String all = get(gateway, "/application/instances");
            assertThat(all, containsString("\"serviceId\":\"one\""));
            assertThat(all, containsString("\"serviceId\":\"two\""));
            String one = get(gateway, "/application/instances?serviceId=ONE");
            assertThat(one, not(containsString("\"serviceId\":\"two\"")));
            try (RawWsClient client = open(gateway, "/ws/v1/one/x", "")) {
                String up = instanceJson(gateway, "one", id("one", a));
                assertThat(up, containsString("\"status\":\"UP\""));
                assertThat(up, containsString("\"health\":\"off\""));
                assertThat(up, containsString("\"ejected\":false"));
                assertThat(up, containsString("\"activeSessions\":1,"));
                assertThat(up, containsString("\"connects\":1,"));
                assertThat(up, containsString("\"connectFailures\":0,"));
            }
            assertThat(instanceJson(gateway, "one", "gone-1"), containsString("\"status\":\"DOWN\""));
            assertThat(instanceJson(gateway, "two", id("two", b)), containsString("\"status\":\"OUT_OF_SERVICE\""));
        }
    }

    @Test
    void aClientChoosesItsInstanceWhereTheServiceAllowsIt() throws Exception {
        String ida = id("pick", a);
        String idb = id("pick", b);
        try (TestGateway gateway = TestGateway.start(
                discovery(service("pick", instance("pick", a.port(), "UP", null), instance("pick", b.port(), "UP", null),
                                  instance("pick", c.port(), "DOWN", "resting")),
                          service("nopick", instance("nopick", a.port(), "UP", null),
                                  instance("nopick", b.port(), "UP", null)))
                        + """
                        gateway:
                          affinity:
                            instance-id-header: true
                            services:
                              pick:
                                client-choice: true
                        """)) {
            for (int i = 0; i < 3; i++) {
                try (RawWsClient client = open(gateway, "/ws/v1/pick/x", "X-InstanceId: " + idb + "\r\n")) {
                    assertThat(client.headers().get("x-instanceid"), is(idb));
                }
            }
            try (RawWsClient unknown = RawWsClient.connect(gateway.port(), "/ws/v1/pick/x", "X-InstanceId: nope\r\n")) {
                assertThat(unknown.status(), is(404));
                assertThat(unknown.body(), containsString("\"unknown_instance\""));
            }
            try (RawWsClient down = RawWsClient.connect(gateway.port(), "/ws/v1/pick/x", "X-InstanceId: resting\r\n")) {
                assertThat(down.status(), is(503));
                assertThat(down.body(), containsString("\"instance_unavailable\""));
            }
            // a service that does not allow the choice ignores the header (round robin over both)
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < 2; i++) {
                try (RawWsClient client = open(gateway, "/ws/v1/nopick/x", "X-InstanceId: " + ida + "\r\n")) {
                    seen.add(client.headers().get("x-instanceid"));
                }
            }
            assertThat(seen, is(Set.of(id("nopick", a), id("nopick", b))));
        }
    }

    @Test
    void aUserLandsOnTheSameInstanceThroughEitherGateway() throws Exception {
        StringBuilder users = new StringBuilder();
        for (String user : USERS) {
            users.append("      - login: ").append(user).append("\n        password: ").append(user).append("-pw\n");
        }
        users.append("      - login: ops\n        password: ops-pw\n        roles: [admin]\n");
        String yaml = discovery(service("sticky", instance("sticky", a.port(), "UP", "sticky-a"),
                                        instance("sticky", b.port(), "UP", "sticky-b"),
                                        instance("sticky", c.port(), "UP", "sticky-c")))
                + """
                gateway:
                  affinity:
                    instance-id-header: true
                  balancing:
                    services:
                      sticky: user-affinity
                  security:
                    observe:
                      protect: true
                    users:
                %s    services:
                      sticky:
                        auth: gateway
                """.formatted(users);
        try (TestGateway one = TestGateway.start(yaml); TestGateway two = TestGateway.start(yaml)) {
            Set<String> used = new HashSet<>();
            for (String user : USERS) {
                Set<String> landed = new HashSet<>();
                for (TestGateway gateway : List.of(one, two, one, two)) {
                    try (RawWsClient client = open(gateway, "/ws/v1/sticky/x", basic(user))) {
                        landed.add(client.headers().get("x-instanceid"));
                    }
                }
                assertThat(user + " landed on " + landed, landed.size(), is(1));
                used.addAll(landed);
            }
            // the users spread: not all on one instance
            assertThat(used.size(), greaterThan(1));
            // /application/instances is behind the observe protection
            URI instances = one.http("/application/instances");
            assertThat(HTTP.send(HttpRequest.newBuilder(instances).build(), HttpResponse.BodyHandlers.ofString())
                               .statusCode(), is(401));
            HttpResponse<String> allowed = HTTP.send(HttpRequest.newBuilder(instances)
                                                             .header("Authorization", basic("ops").substring(15).trim())
                                                             .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(allowed.statusCode(), is(200));
            assertThat(allowed.body(), containsString("\"instanceId\":\"sticky-a\""));
        }
    }
}
