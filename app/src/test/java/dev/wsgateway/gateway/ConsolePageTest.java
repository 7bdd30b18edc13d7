package dev.wsgateway.gateway;

import java.io.StringReader;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.wsgateway.testsupport.JdkClient;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.wsgateway.gateway.ConsoleBrowser.column;
import static dev.wsgateway.gateway.ConsoleBrowser.shownIds;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

/**
 * The console page on one gateway: filtering and sorting its sessions in Debian's Chromium ({@link ConsoleBrowser}),
 * and the page as served over HTTP, self-contained and under a Content-Security-Policy that allows exactly its own
 * script and style. The console across gateways: {@link ConsoleTest}; its observe protection: {@link SecurityTest}.
 */
class ConsolePageTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String ADMIN = "Basic " + Base64.getEncoder()
            .encodeToString("admin:page-pw".getBytes(StandardCharsets.UTF_8));

    @RegisterExtension
    static final Teardown TEARDOWN = new Teardown();

    private static TestGateway gateway;
    private static ConsoleBrowser browser;
    private final List<JdkClient> clients = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        NodeUpstream node = TEARDOWN.closeAfterAll(NodeUpstream.start());
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        gateway = TEARDOWN.gateway(TestGateway.start("""
                gateway:
                  security:
                    users:
                      - login: admin
                        password: page-pw
                        roles: [admin]
                    observe:
                      protect: true
                """ + TestGateway.services().add("chat", node.port(), "/chat").add("quotes", node.port(), "/quotes")
                .add("dead", closedPort, "/dead").yaml()));
        browser = TEARDOWN.closeAfterAll(ConsoleBrowser.start());
    }

    @AfterEach
    void closeClientsAndPages() {
        clients.forEach(JdkClient::close);
        browser.closePages();
    }

    @Test
    void filterNarrowsAndHeadersSort() throws Exception {
        // 1, 2 and 3 messages: a known order by messages
        String[] paths = {"/ws/v1/chat/room/alpha", "/ws/v1/quotes/feed/beta", "/ws/v1/chat/room/gamma"};
        for (int i = 0; i < paths.length; i++) {
            open(paths[i]);
            for (int m = 0; m <= i; m++) {
                clients.get(i).sendText("m" + m);
                clients.get(i).nextText();
            }
        }
        Map<String, String> ids = gateway.sessionPaths(3);
        assertThat(browser.open("sort", gateway.http("/application/console?refresh=500"), "admin", "page-pw")
                           .getInt("status"), is(200));
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

    /**
     * The page an operator opens on a 1366x768 screen: the session table fits (no sideways scrolling, no header cut,
     * every Close button on screen) with long paths; an instance listed UP whose connects fail is shown failing, not
     * healthy; refusals by reason, closes by code, per-service totals, discovery's state and the history lines.
     */
    @Test
    void fitsA1366ScreenAndShowsEvidenceTotalsAndHistory() throws Exception {
        open("/ws/v1/chat/room/a-rather-long-room-name-that-does-not-fit-in-its-column?token=secret&user=someone");
        open("/ws/v1/quotes/feed/eur-usd");
        JdkClient closing = JdkClient.connect(gateway.ws("/ws/v1/chat/room/short-lived"));
        closing.close(1000, "bye");
        assertThat(JdkClient.refusedStatus(gateway.ws("/ws/v1/dead/anything"), Map.of()), is(502));
        assertThat(JdkClient.refusedStatus(gateway.ws("/ws/v1/nosuch/anything"), Map.of()), is(404));
        gateway.sessionPaths(2);

        assertThat(browser.open("ops", gateway.http("/application/console?refresh=500"), "admin", "page-pw")
                           .getInt("status"), is(200));
        JsonObject page = browser.await("ops", s -> s.getJsonArray("sessions").size() == 2
                && !s.getJsonArray("refusals").isEmpty() && !s.getJsonArray("closes").isEmpty()
                && s.getJsonObject("sparks").getInt("active") >= 2, WAIT, "sessions, refusals, closes, history");

        JsonObject layout = browser.layout("ops");
        assertThat("page wider than the screen: " + layout, layout.getInt("document") <= layout.getInt("viewport"),
                   is(true));
        assertThat("session table wider than its panel: " + layout,
                   layout.getInt("tableScroll") <= layout.getInt("panel"), is(true));
        List<String> cut = layout.getJsonArray("headers").getValuesAs(JsonObject.class).stream()
                .filter(h -> h.getBoolean("clipped")
                        || h.getJsonNumber("right").doubleValue() > layout.getInt("viewport"))
                .map(h -> h.getString("text")).toList();
        assertThat("headers cut or off screen: " + layout, cut, is(empty()));
        assertThat("Close button off screen: " + layout,
                   layout.getJsonNumber("closeRight").doubleValue() <= layout.getInt("viewport"), is(true));

        // the dead instance: UP in discovery, its connects refused: failing, with the evidence
        JsonObject dead = deadInstance(page);
        assertThat(dead.getString("status"), is("UP"));
        assertThat(dead.getString("evidence"), startsWith("failing"));
        assertThat(dead.getString("evidence"), containsString("last connect failed (refused)"));
        // and why, in /application/instances: the kind of failure, from its type
        JsonObject deadJson = Json.createReader(new StringReader(HTTP.send(
                HttpRequest.newBuilder(gateway.http("/application/instances?serviceId=dead&scope=local"))
                        .header("Authorization", ADMIN).build(), HttpResponse.BodyHandlers.ofString()).body()))
                .readArray().getJsonObject(0).getJsonArray("instances").getJsonObject(0);
        assertThat(deadJson.getString("lastConnectFailureReason"), is("refused"));
        assertThat(deadJson.getBoolean("lastConnectOk"), is(false));
        assertThat(rowWith(page, "refusals", "0", "upstream_refused").getString("1"), is("502"));
        assertThat(rowWith(page, "refusals", "0", "unknown_service").getString("1"), is("404"));
        assertThat(rowWith(page, "closes", "0", "1000").getString("1"), is("normal"));
        JsonObject chat = rowWith(page, "services", "service", "chat");
        assertThat(chat.getString("active"), is("1"));
        assertThat(chat.getString("instancesUp"), is("1 of 1"));
        assertThat(rowWith(page, "services", "service", "dead").getString("instancesUp"), is("1 of 1"));
        assertThat(page.getJsonObject("discovery").getString("state"), is("ready"));
        assertThat(page.getJsonObject("discovery").getString("text"), containsString("static"));
        browser.screenshot("ops", Path.of("target/console-1366.png").toAbsolutePath());
        assertThat(browser.state("ops").getJsonArray("problems"), is(empty()));
    }

    private static JsonObject deadInstance(JsonObject page) {
        for (JsonObject service : page.getJsonArray("instances").getValuesAs(JsonObject.class)) {
            if (service.getString("service").equals("dead")) {
                return service.getJsonArray("instances").getJsonObject(0);
            }
        }
        throw new AssertionError("no dead service on the page: " + page);
    }

    private static JsonObject rowWith(JsonObject page, String table, String column, String value) {
        return page.getJsonArray(table).getValuesAs(JsonObject.class).stream()
                .filter(r -> r.getString(column, "").equals(value)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + value + " in " + table + ": " + page.get(table)));
    }

    @Test
    void pageIsSelfContainedAndUnderAStrictPolicy() throws Exception {
        HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(gateway.http("/application/console"))
                                                      .header("Authorization", ADMIN).build(),
                                              HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode(), is(200));
        assertThat(page.headers().firstValue("Content-Type").orElse(""), startsWith("text/html"));
        assertThat(page.headers().firstValue("Cache-Control").orElse(""), is("no-store"));
        assertThat(page.headers().firstValue("Content-Security-Policy").orElse(""),
                   is("default-src 'none'; script-src " + hash("script", page.body()) + "; style-src "
                              + hash("style", page.body()) + "; connect-src 'self'; img-src data:; base-uri 'none'; "
                              + "form-action 'none'; frame-ancestors 'none'"));
        // nothing from elsewhere: no absolute URL, no external script, style, font or image, no inline handler
        for (String outside : List.of("http://", "https://", "src=", "@import", "url(", " onclick=", " onload=",
                                      "style=\"")) {
            assertThat(page.body(), not(containsString(outside)));
        }
    }

    private void open(String path) throws Exception {
        clients.add(JdkClient.connect(gateway.ws(path)));
    }

    private static String idOf(Map<String, String> ids, String path) {
        return ids.entrySet().stream().filter(e -> e.getValue().equals(path)).findFirst().orElseThrow().getKey();
    }

    /**
     * The CSP source of the page's one element of this name, as the browser computes it.
     */
    private static String hash(String element, String page) throws Exception {
        Matcher m = Pattern.compile("<" + element + ">(.*?)</" + element + ">", Pattern.DOTALL).matcher(page);
        assertThat("one <" + element + "> in the page", m.find(), is(true));
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(m.group(1).getBytes(StandardCharsets.UTF_8));
        return "'sha256-" + Base64.getEncoder().encodeToString(digest) + "'";
    }
}
