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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

import dev.wsgateway.gateway.observe.WebSocketsService;
import dev.wsgateway.gateway.relay.RelaySession;
import dev.wsgateway.testsupport.JdkClient;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.wsgateway.gateway.ConsoleBrowser.cell;
import static dev.wsgateway.gateway.ConsoleBrowser.column;
import static dev.wsgateway.gateway.ConsoleBrowser.instance;
import static dev.wsgateway.gateway.ConsoleBrowser.row;
import static dev.wsgateway.gateway.ConsoleBrowser.shownIds;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

/**
 * The operator console ({@code /application/console}) in a real browser: Debian's Chromium, headless, driven by
 * {@code puppeteer-core} ({@link ConsoleBrowser}), against two gateways with observe protection on. The page on each
 * gateway must list that gateway's sessions (ids, service, path) with live counters, the instances per service with
 * their state, filter and sort the sessions, and close a session with its close button (the client gets 1008). The
 * page runs under its own Content-Security-Policy: any violation or script error fails the test. A screenshot is saved
 * as {@code target/console.png} (the README shows a copy, {@code docs/console.png}).
 */
class ConsoleTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String ADMIN_PASSWORD = "console-pw";
    private static final String ALICE_PASSWORD = "alice-pw";
    private static final Pattern POSITIVE = Pattern.compile("[0-9.,]*[1-9][0-9.,]*( /s)?");

    @RegisterExtension
    static final Teardown TEARDOWN = new Teardown();

    private static TestGateway east;
    private static TestGateway west;
    private static ConsoleBrowser browser;
    private final List<JdkClient> clients = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        NodeUpstream a = TEARDOWN.closeAfterAll(NodeUpstream.start());
        NodeUpstream b = TEARDOWN.closeAfterAll(NodeUpstream.start());
        int unused;
        try (ServerSocket socket = new ServerSocket(0)) {
            unused = socket.getLocalPort();
        }
        String yaml = """
                gateway:
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
                  health-checks:
                    services:
                      chat:
                        enabled: true
                        interval: PT0.5S
                        timeout: PT2S
                """.formatted(ADMIN_PASSWORD, ALICE_PASSWORD)
                + TestGateway.services()
                .numbered("chat", "/chat", "", a.port(), b.port())
                .block(quotes("q0", a.port(), "UP") + quotes("q1", unused, "DOWN"))
                .yaml();
        east = TEARDOWN.gateway(TestGateway.start(yaml));
        west = TEARDOWN.gateway(TestGateway.start(yaml));
        browser = TEARDOWN.closeAfterAll(ConsoleBrowser.start());
    }

    @AfterEach
    void closeClientsAndPages() {
        clients.forEach(JdkClient::close);
        browser.closePages();
    }

    private static String quotes(String instanceId, int port, String status) {
        return (instanceId.equals("q0") ? "      - serviceId: quotes\n        instances:\n" : "") + """
                          - host: 127.0.0.1
                            port: %d
                            status: %s
                            instanceId: %s
                            metadata-map:
                              apiml.routes.ws_v1.gatewayUrl: ws/v1
                              apiml.routes.ws_v1.serviceUrl: /quotes
                """.formatted(port, status, instanceId);
    }

    @Test
    void eachGatewaysPageShowsItsSessionsCountersAndInstances() throws Exception {
        JdkClient lobby = open(east, "/ws/v1/chat/room/lobby", false);
        JdkClient ops = open(east, "/ws/v1/chat/room/ops", false);
        JdkClient eurUsd = open(east, "/ws/v1/quotes/feed/eur-usd", true);
        JdkClient gbp = open(east, "/ws/v1/quotes/feed/gbp?token=secret", true);
        open(west, "/ws/v1/chat/room/west", false);
        open(west, "/ws/v1/quotes/feed/usd-jpy", true);
        Map<String, String> eastIds = ids(east, 4);
        Map<String, String> westIds = ids(west, 2);

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
            browser.await("east", s -> positive(s.getJsonObject("rates").getJsonObject("messages").getString("value"))
                    && positive(cell(s, lobbyId, "rate")) && positive(cell(s, eurUsdId, "rate")),
                          WAIT, "messages/s above zero");
            assertThat("traffic stopped early", stop.get(), is(false));
            Path screenshot = Path.of("target/console.png").toAbsolutePath();
            browser.screenshot("east", screenshot);
            assertThat(Files.size(screenshot) > 10_000, is(true));
        } finally {
            stop.set(true);
            traffic.join();
        }

        // the page ran under its Content-Security-Policy without a violation, script error or failed request
        assertThat(browser.state("east").getJsonArray("problems"), is(empty()));
        assertThat(browser.state("west").getJsonArray("problems"), is(empty()));
    }

    @Test
    void filterNarrowsAndHeadersSort() throws Exception {
        // 1, 2 and 3 messages: a known order by messages
        String[] paths = {"/ws/v1/chat/room/alpha", "/ws/v1/quotes/feed/beta", "/ws/v1/chat/room/gamma"};
        for (int i = 0; i < paths.length; i++) {
            JdkClient client = open(east, paths[i], paths[i].contains("/quotes/"));
            for (int m = 0; m <= i; m++) {
                client.sendText("m" + m);
                client.nextText();
            }
        }
        Map<String, String> ids = ids(east, 3);
        open("sort", east, "");
        browser.await("sort", s -> shownIds(s).equals(ids.keySet())
                && column(s, "messagesIn").containsAll(List.of("1", "2", "3")), WAIT,
                      "three sessions with 1, 2 and 3 messages");

        browser.type("sort", "#filter", "quotes");
        JsonObject page = browser.await("sort", s -> s.getJsonArray("sessions").size() == 1, WAIT,
                                        "only the quotes session");
        assertThat(column(page, "gatewayPath"), contains("/ws/v1/quotes/feed/beta"));
        assertThat(page.getString("sessionCount"), is("1 of 3"));
        browser.type("sort", "#filter", "chat room");       // every word must match
        page = browser.await("sort", s -> s.getJsonArray("sessions").size() == 2, WAIT, "the two chat rooms");
        assertThat(column(page, "gatewayPath"),
                   containsInAnyOrder("/ws/v1/chat/room/alpha", "/ws/v1/chat/room/gamma"));
        browser.type("sort", "#filter", idOf(ids, "/ws/v1/chat/room/gamma"));
        page = browser.state("sort");
        assertThat(column(page, "gatewayPath"), contains("/ws/v1/chat/room/gamma"));
        browser.type("sort", "#filter", "no-such-session");
        page = browser.state("sort");
        assertThat(page.getJsonArray("sessions"), is(empty()));
        assertThat(page.getString("empty"), is("No session matches the filter."));
        browser.type("sort", "#filter", "");
        assertThat(browser.state("sort").getJsonArray("sessions").size(), is(3));

        // numbers sort largest first on the first click, then the other way
        browser.click("sort", "#sessions th[data-key=\"messagesIn\"] button");
        page = browser.state("sort");
        assertThat(column(page, "messagesIn"), contains("3", "2", "1"));
        assertThat(page.getJsonObject("sort").getString("dir"), is("descending"));
        browser.click("sort", "#sessions th[data-key=\"messagesIn\"] button");
        page = browser.state("sort");
        assertThat(column(page, "messagesIn"), contains("1", "2", "3"));
        assertThat(page.getJsonObject("sort").getString("dir"), is("ascending"));
        // text sorts A to Z first; the order holds across refreshes
        browser.click("sort", "#sessions th[data-key=\"gatewayPath\"] button");
        int polls = browser.state("sort").getInt("polls");
        page = browser.await("sort", s -> s.getInt("polls") >= polls + 2, WAIT, "two more refreshes");
        assertThat(column(page, "gatewayPath"), contains(
                "/ws/v1/chat/room/alpha", "/ws/v1/chat/room/gamma", "/ws/v1/quotes/feed/beta"));
        assertThat(page.getJsonObject("sort").getString("key"), is("gatewayPath"));
        browser.click("sort", "#sessions th[data-key=\"serviceId\"] button");
        browser.click("sort", "#sessions th[data-key=\"serviceId\"] button");
        assertThat(column(browser.state("sort"), "serviceId"), contains("quotes", "chat", "chat"));
        assertThat(browser.state("sort").getJsonArray("problems"), is(empty()));
    }

    @Test
    void closeButtonClosesTheSession() throws Exception {
        JdkClient doomed = open(west, "/ws/v1/chat/room/doomed", false);
        open(west, "/ws/v1/chat/room/spared", false);
        Map<String, String> ids = ids(west, 2);
        String doomedId = idOf(ids, "/ws/v1/chat/room/doomed");
        String sparedId = idOf(ids, "/ws/v1/chat/room/spared");
        open("close", west, "");
        browser.await("close", s -> shownIds(s).equals(ids.keySet()), WAIT, "both sessions");
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
    void scopeToggleAsksForTheClusterAndFallsBackToThisGateway() throws Exception {
        open(east, "/ws/v1/chat/room/scoped", false);
        Map<String, String> ids = ids(east, 1);
        // credentials in the URL instead of puppeteer's answer to the challenge: the page's own requests must
        // carry what the browser cached for the page
        assertThat(browser.open("scope", URI.create("http://admin:" + ADMIN_PASSWORD + "@127.0.0.1:" + east.port()
                                                            + "/application/console?refresh=500"), null, null)
                           .getInt("status"), is(200));
        // cluster scope by default: whatever the gateway answers, its own sessions are listed
        JsonObject page = browser.await("scope", s -> shownIds(s).equals(ids.keySet()), WAIT, "the session");
        assertThat(page.getString("scope"), is("cluster"));
        assertThat(page.getString("scopePressed"), is("Cluster"));
        assertThat(page.getString("cluster"), not(nullValue()));
        if (page.getString("cluster").startsWith("Cluster scope is not offered")) {
            // a gateway without the cluster view (it ignores ?scope=cluster): no gateway column
            assertThat(page.getBoolean("gatewayColumn"), is(false));
        } else {
            // the cluster view (static discovery: this gateway alone): gateways named, this one marked
            assertThat(page.getBoolean("gatewayColumn"), is(true));
            assertThat(page.getString("cluster"), containsString("(this one) · 1 session"));
        }
        browser.click("scope", "#scope-local");
        page = browser.await("scope", s -> s.getString("scope").equals("local"), WAIT, "local scope");
        assertThat(page.getString("scopePressed"), is("This gateway"));
        assertThat(page.get("cluster"), is(JsonValue.NULL));
        assertThat(page.getBoolean("gatewayColumn"), is(false));
        int polls = page.getInt("polls");
        page = browser.await("scope", s -> s.getInt("polls") > polls, WAIT, "a refresh");
        assertThat(shownIds(page), is(ids.keySet()));
        browser.click("scope", "#scope-cluster");
        page = browser.await("scope", s -> s.getString("scope").equals("cluster"), WAIT, "cluster scope");
        assertThat(shownIds(page), is(ids.keySet()));
        assertThat(page.getJsonArray("problems"), is(empty()));
    }

    @Test
    void pageIsSelfContainedAndUnderAStrictPolicy() throws Exception {
        // (its observe protection: SecurityTest)
        HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(east.http("/application/console"))
                                                  .header("Authorization", basic("admin", ADMIN_PASSWORD))
                                                  .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode(), is(200));
        assertThat(page.headers().firstValue("Content-Type").orElse(""), startsWith("text/html"));
        String csp = page.headers().firstValue("Content-Security-Policy").orElse("");
        assertThat(csp, startsWith("default-src 'none'; script-src 'sha256-"));
        assertThat(csp, containsString("connect-src 'self'"));
        assertThat(csp, not(containsString("unsafe")));
        // nothing from elsewhere: no absolute URL, no external script, style, font or image
        assertThat(page.body(), not(containsString("http://")));
        assertThat(page.body(), not(containsString("https://")));
        assertThat(page.body(), not(containsString("src=")));
        assertThat(page.body(), not(containsString("@import")));
        assertThat(page.body(), not(containsString("url(")));
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

    /**
     * The gateway's sessions: id to path (with the query), once it lists as many as the test opened.
     */
    private static Map<String, String> ids(TestGateway gateway, int opened) {
        TestGateway.await(() -> gateway.gateway().sessions().size() == opened, WAIT, opened + " sessions listed");
        Map<String, String> ids = new HashMap<>();
        for (RelaySession session : gateway.gateway().sessions().sessions()) {
            ids.put(session.info().id(), session.info().gatewayPath());
        }
        return ids;
    }

    private static String idOf(Map<String, String> ids, String path) {
        return ids.entrySet().stream().filter(e -> e.getValue().equals(path)).findFirst().orElseThrow().getKey();
    }

    private static boolean positive(String rate) {
        return rate != null && POSITIVE.matcher(rate).matches();
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
