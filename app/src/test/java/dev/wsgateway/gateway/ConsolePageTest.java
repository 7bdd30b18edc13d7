package dev.wsgateway.gateway;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.wsgateway.testsupport.JdkClient;

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
                .yaml()));
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
