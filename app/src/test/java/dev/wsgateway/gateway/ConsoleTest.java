package dev.wsgateway.gateway;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

import dev.wsgateway.gateway.observe.WebSocketsService;
import dev.wsgateway.testsupport.EurekaServerProcess;
import dev.wsgateway.testsupport.JdkClient;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.wsgateway.gateway.ConsoleBrowser.cell;
import static dev.wsgateway.gateway.ConsoleBrowser.instance;
import static dev.wsgateway.gateway.ConsoleBrowser.row;
import static dev.wsgateway.gateway.ConsoleBrowser.shownIds;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.is;

/**
 * The operator console ({@code /application/console}) in a real browser: Debian's Chromium, headless, driven by
 * {@code puppeteer-core} ({@link ConsoleBrowser}), against two gateways on one Eureka (so each one's cluster view has
 * both) with observe protection on. The page on each gateway lists that gateway's sessions (ids, service, path) with
 * live counters and the instances per service with their state; in cluster scope it lists both gateways' sessions with
 * their holder, and its close button closes a session the other gateway holds (the client gets 1008). The page runs
 * under its own Content-Security-Policy: any violation or script error fails the test. The cluster page is saved as
 * {@code target/console.png} (docs/OPERATIONS.md and the README show a copy, {@code docs/console.png}). Filter and sort: {@link
 * ConsolePageTest}.
 */
class ConsoleTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String ADMIN_PASSWORD = "console-pw";
    private static final String ALICE_PASSWORD = "alice-pw";
    private static final Pattern POSITIVE = Pattern.compile("[0-9.,]*[1-9][0-9.,]*( /s)?");

    @RegisterExtension
    static final Teardown TEARDOWN = new Teardown();

    private static EurekaServerProcess eureka;
    private static TestGateway east;
    private static TestGateway west;
    private static ConsoleBrowser browser;
    private final List<JdkClient> clients = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        eureka = TEARDOWN.closeAfterAll(EurekaServerProcess.start());
        NodeUpstream a = TEARDOWN.closeAfterAll(NodeUpstream.start());
        NodeUpstream b = TEARDOWN.closeAfterAll(NodeUpstream.start());
        int unused;
        try (ServerSocket socket = new ServerSocket(0)) {
            unused = socket.getLocalPort();
        }
        register("CHAT", "i0", a.port(), "UP", "/chat");
        register("CHAT", "i1", b.port(), "UP", "/chat");
        register("QUOTES", "q0", a.port(), "UP", "/quotes");
        register("QUOTES", "q1", unused, "DOWN", "/quotes");
        // two gateways on one Eureka: each registers itself, so each one's cluster view has both
        String yaml = ("""
                gateway:
                  instance:
                    host: 127.0.0.1
                  security:
                    users:
                      - login: admin
                        password: %s
                        roles: [admin]
                      - login: alice
                        password: %s
                        roles: [trader]
                    observe:
                      protect: true
                    services:
                      quotes:
                        auth: gateway
                """ + ClusterSecret.yaml("") + """
                  health-checks:
                    services:
                      chat:
                        enabled: true
                        interval: PT0.5S
                        timeout: PT2S
                """).formatted(ADMIN_PASSWORD, ALICE_PASSWORD) + TestGateway.eureka(eureka.url(), true);
        east = TEARDOWN.gateway(TestGateway.start(yaml));
        west = TEARDOWN.gateway(TestGateway.start(yaml));
        for (TestGateway gateway : List.of(east, west)) {
            TestGateway.await(() -> gateway.gateway().registry().instances("quotes").size() == 2
                    && clusterView(gateway).contains(id(east)) && clusterView(gateway).contains(id(west)),
                              Duration.ofSeconds(60), "both gateways in each one's cluster view, with the services");
        }
        browser = TEARDOWN.closeAfterAll(ConsoleBrowser.start());
    }

    @AfterEach
    void closeClientsAndPages() {
        clients.forEach(JdkClient::close);
        browser.closePages();
    }

    @Test
    void eachGatewaysPageShowsItsSessionsCountersAndInstances() throws Exception {
        JdkClient lobby = open(east, "/ws/v1/chat/room/lobby", false);
        JdkClient ops = open(east, "/ws/v1/chat/room/ops", false);
        JdkClient eurUsd = open(east, "/ws/v1/quotes/feed/eur-usd", true);
        JdkClient gbp = open(east, "/ws/v1/quotes/feed/gbp?token=secret", true);
        open(west, "/ws/v1/chat/room/west", false);
        open(west, "/ws/v1/quotes/feed/usd-jpy", true);
        Map<String, String> eastIds = east.sessionPaths(4);
        Map<String, String> westIds = west.sessionPaths(2);

        open("east", east, "scope=local");
        open("west", west, "scope=local");
        JsonObject eastPage = browser.await("east", s -> shownIds(s).equals(eastIds.keySet()), WAIT,
                                            "east's four sessions");
        JsonObject westPage = browser.await("west", s -> shownIds(s).equals(westIds.keySet()), WAIT,
                                            "west's two sessions");
        // each row: the session's id, service and path (query values redacted as in the JSON listing)
        for (var page : List.of(Map.entry(eastPage, eastIds), Map.entry(westPage, westIds))) {
            page.getValue().forEach((id, path) -> {
                JsonObject row = row(page.getKey(), id);
                assertThat(row.getString("gatewayPath"), is(path.replace("token=secret", "token=***")));
                assertThat(row.getString("serviceId"), is(path.startsWith("/ws/v1/chat/") ? "chat" : "quotes"));
                assertThat(row.getString("user"), is(path.startsWith("/ws/v1/quotes/") ? "alice" : "–"));
                assertThat(row.getString("messagesIn"), is("0"));
                assertThat(row.getString("button"), is("Close"));
            });
        }
        assertThat(eastPage.getString("sessionCount"), is("4"));
        assertThat(eastPage.getString("scopePressed"), is("This gateway"));
        assertThat(eastPage.get("cluster"), is(JsonValue.NULL));

        // per-session counters move as messages flow
        String lobbyId = idOf(eastIds, "/ws/v1/chat/room/lobby");
        for (int i = 0; i < 5; i++) {
            lobby.sendText("hello " + i);           // 7 bytes each
            assertThat(lobby.nextText(), is("hello " + i));
        }
        eastPage = browser.await("east", s -> "5".equals(cell(s, lobbyId, "messagesOut")), WAIT,
                                 "5 messages each way on the lobby session");
        assertThat(cell(eastPage, lobbyId, "messagesIn"), is("5"));
        assertThat(cell(eastPage, lobbyId, "bytesIn"), is("35 B"));
        assertThat(cell(eastPage, lobbyId, "bytesOut"), is("35 B"));

        // instances per service with their state (chat's health checks run every 0.5 s)
        eastPage = browser.await("east", s -> instance(s, "chat", "i0", "health").equals("healthy")
                && instance(s, "chat", "i1", "health").equals("healthy"), WAIT, "chat's instances healthy");
        assertThat(instance(eastPage, "chat", "i0", "status"), is("UP"));
        assertThat(instance(eastPage, "quotes", "q0", "status"), is("UP"));
        assertThat(instance(eastPage, "quotes", "q1", "status"), is("DOWN"));
        assertThat(instance(eastPage, "quotes", "q1", "health"), is("off"));
        assertThat(instance(eastPage, "quotes", "q1", "activeSessions"), is("0"));
        int chatOnI0 = Integer.parseInt(instance(eastPage, "chat", "i0", "activeSessions"));
        int chatOnI1 = Integer.parseInt(instance(eastPage, "chat", "i1", "activeSessions"));
        assertThat(chatOnI0 + chatOnI1, is(2));
        assertThat(instance(eastPage, "quotes", "q0", "activeSessions"), is("2"));

        // the cluster view on east: both gateways' sessions, each with the gateway that holds it
        open("cluster", east, "");
        Set<String> all = new HashSet<>(eastIds.keySet());
        all.addAll(westIds.keySet());
        JsonObject cluster = browser.await("cluster", s -> shownIds(s).equals(all), WAIT, "all six sessions");
        assertThat(cluster.getBoolean("gatewayColumn"), is(true));
        assertThat(cluster.getString("cluster"), containsString(id(east) + " (this one) · 4 sessions"));
        assertThat(cluster.getString("cluster"), containsString(id(west) + " · 2 sessions"));
        for (String id : all) {
            // the holder's id shortened to where the two ids differ
            assertThat(id((westIds.containsKey(id) ? west : east)), endsWith(":" + cell(cluster, id, "gateway")));
        }

        // some traffic on the other sessions too, for the screenshot
        exchange(ops, 3, "who is on call?");
        exchange(eurUsd, 42, "{\"pair\":\"EUR/USD\",\"bid\":1.0842,\"ask\":1.0844}");
        exchange(gbp, 17, "{\"pair\":\"GBP/USD\",\"bid\":1.2671,\"ask\":1.2674}");

        // live rates: the messages/s card and the sessions' own rates are above zero while messages flow
        AtomicBoolean stop = new AtomicBoolean();
        Thread traffic = Thread.ofVirtual().start(() -> {
            try {
                while (!stop.get()) {
                    lobby.sendText("tick");
                    eurUsd.sendText("{\"pair\":\"EUR/USD\",\"bid\":1.0843,\"ask\":1.0845}");
                    Thread.sleep(20);
                }
            } catch (Exception e) {
                stop.set(true);
            }
        });
        try {
            String eurUsdId = idOf(eastIds, "/ws/v1/quotes/feed/eur-usd");
            browser.await("cluster", s -> positive(s.getJsonObject("rates").getJsonObject("messages").getString("value"))
                    && positive(cell(s, lobbyId, "rate")) && positive(cell(s, eurUsdId, "rate")),
                          WAIT, "messages/s above zero");
            assertThat("traffic stopped early", stop.get(), is(false));
            Path screenshot = Path.of("target/console.png").toAbsolutePath();
            browser.screenshot("cluster", screenshot);
            assertThat(Files.size(screenshot) > 10_000, is(true));
        } finally {
            stop.set(true);
            traffic.join();
        }

        // the page ran under its Content-Security-Policy without a violation, script error or failed request
        assertThat(browser.state("east").getJsonArray("problems"), is(empty()));
        assertThat(browser.state("west").getJsonArray("problems"), is(empty()));
        assertThat(browser.state("cluster").getJsonArray("problems"), is(empty()));
    }

    @Test
    void closeButtonClosesTheSession() throws Exception {
        JdkClient doomed = open(west, "/ws/v1/chat/room/doomed", false);
        open(west, "/ws/v1/chat/room/spared", false);
        Map<String, String> ids = west.sessionPaths(2);
        String doomedId = idOf(ids, "/ws/v1/chat/room/doomed");
        String sparedId = idOf(ids, "/ws/v1/chat/room/spared");
        // the page on east, in cluster scope: the DELETE of west's session goes through east, which forwards it
        open("close", east, "");
        browser.await("close", s -> shownIds(s).equals(ids.keySet()), WAIT, "both of west's sessions");
        String button = "#sessions tr[data-session-id=\"" + doomedId + "\"] button[data-action=\"close\"]";

        // the first click only asks for confirmation
        browser.click("close", button);
        JsonObject page = browser.state("close");
        assertThat(row(page, doomedId).getString("button"), is("Confirm"));
        assertThat(row(page, sparedId).getString("button"), is("Close"));
        Thread.sleep(1000);
        assertThat(doomed.ws().isInputClosed(), is(false));
        assertThat(west.gateway().sessions().find(doomedId).isPresent(), is(true));

        browser.click("close", button);
        doomed.assertClosed(Duration.ofSeconds(10), WebSocketsService.CLOSE_CODE,
                            is(WebSocketsService.CLOSE_REASON));
        page = browser.await("close", s -> row(s, doomedId) == null, WAIT,
                             "the closed session gone");
        assertThat(shownIds(page), is(Set.of(sparedId)));
        assertThat(page.getString("toast"), is("Session " + doomedId + " closed (1008 to the client)"));
        assertThat(west.gateway().sessions().find(doomedId).isPresent(), is(false));
        // it stays gone once the listing is read again
        int polls = page.getInt("polls");
        page = browser.await("close", s -> s.getInt("polls") >= polls + 2, WAIT, "two more refreshes");
        assertThat(shownIds(page), is(Set.of(sparedId)));
        assertThat(page.getJsonArray("problems"), is(empty()));
    }

    @Test
    void scopeToggleSwitchesBetweenTheClusterAndThisGateway() throws Exception {
        open(east, "/ws/v1/chat/room/east-side", false);
        open(west, "/ws/v1/chat/room/west-side", false);
        Set<String> eastIds = east.sessionPaths(1).keySet();
        Set<String> all = new HashSet<>(eastIds);
        all.addAll(west.sessionPaths(1).keySet());
        // credentials in the URL instead of puppeteer's answer to the challenge: the page's own requests must
        // carry what the browser cached for the page
        assertThat(browser.open("scope", URI.create("http://admin:" + ADMIN_PASSWORD + "@127.0.0.1:" + east.port()
                                                            + "/application/console?refresh=500"), null, null)
                           .getInt("status"), is(200));
        // cluster scope by default
        JsonObject page = browser.await("scope", s -> shownIds(s).equals(all), WAIT, "both sessions");
        assertThat(page.getString("scopePressed"), is("Cluster"));
        assertThat(page.getBoolean("gatewayColumn"), is(true));
        assertThat(page.getString("cluster"), containsString(id(east) + " (this one) · 1 session"));
        browser.click("scope", "#scope-local");
        page = browser.await("scope", s -> s.getString("scope").equals("local") && shownIds(s).equals(eastIds),
                             WAIT, "east's session only");
        assertThat(page.getString("scopePressed"), is("This gateway"));
        assertThat(page.get("cluster"), is(JsonValue.NULL));
        assertThat(page.getBoolean("gatewayColumn"), is(false));
        browser.click("scope", "#scope-cluster");
        page = browser.await("scope", s -> shownIds(s).equals(all), WAIT, "both sessions again");
        assertThat(page.getJsonArray("problems"), is(empty()));
    }

    private JdkClient open(TestGateway gateway, String path, boolean alice) throws Exception {
        JdkClient client = alice
                ? JdkClient.connect(gateway.ws(path), Map.of("Authorization", basic("alice", ALICE_PASSWORD)),
                                    List.of())
                : JdkClient.connect(gateway.ws(path));
        clients.add(client);
        return client;
    }

    private static void exchange(JdkClient client, int messages, String text) throws Exception {
        for (int i = 0; i < messages; i++) {
            client.sendText(text);
            assertThat(client.nextText(), is(text));
        }
    }

    private static void open(String page, TestGateway gateway, String query) {
        JsonObject opened = browser.open(page, gateway.http("/application/console?refresh=500"
                                                                    + (query.isEmpty() ? "" : "&" + query)),
                                         "admin", ADMIN_PASSWORD);
        assertThat(opened.getInt("status"), is(200));
    }

    private static String idOf(Map<String, String> ids, String path) {
        return ids.entrySet().stream().filter(e -> e.getValue().equals(path)).findFirst().orElseThrow().getKey();
    }

    /**
     * Register an instance in Eureka as a service would (its route in metadata).
     */
    private static void register(String app, String instanceId, int port, String status, String serviceUrl)
            throws Exception {
        String body = """
                {"instance":{"instanceId":"%2$s","hostName":"127.0.0.1","app":"%1$s","ipAddr":"127.0.0.1",
                "status":"%4$s","port":{"$":%3$d,"@enabled":"true"},"securePort":{"$":443,"@enabled":"false"},
                "vipAddress":"%1$s","leaseInfo":{"durationInSecs":600},
                "dataCenterInfo":{"@class":"com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo","name":"MyOwn"},
                "metadata":{"apiml.routes.ws_v1.gatewayUrl":"ws/v1","apiml.routes.ws_v1.serviceUrl":"%5$s"}}}
                """.formatted(app, instanceId, port, status, serviceUrl);
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(eureka.url() + "apps/" + app))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.body(), response.statusCode(), is(204));
    }

    /**
     * The gateway's cluster view of the sessions, as JSON text (empty unless it answers 200).
     */
    private static String clusterView(TestGateway gateway) {
        try {
            HttpResponse<String> view = HTTP.send(
                    HttpRequest.newBuilder(gateway.http("/application/websockets?scope=cluster"))
                            .header("Authorization", basic("admin", ADMIN_PASSWORD)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return view.statusCode() == 200 ? view.body() : "";
        } catch (Exception e) {
            return "";
        }
    }

    /**
     * The gateway's instance id in discovery: the {@code gateway} of its entries in a cluster view.
     */
    private static String id(TestGateway gateway) {
        return gateway.gateway().registry().registration().orElseThrow().instanceId();
    }

    private static boolean positive(String rate) {
        return rate != null && POSITIVE.matcher(rate).matches();
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
