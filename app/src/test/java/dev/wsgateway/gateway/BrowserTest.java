package dev.wsgateway.gateway;

import java.io.IOException;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpServer;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;

/**
 * A real browser through the gateway: Debian's Chromium, headless, driven by {@code puppeteer-core}
 * ({@code src/test/node/browser.js}), loads a page served here ({@code browser-page.html}) that opens WebSockets
 * through the gateway to the Node {@code ws} service and checks what comes back. The page's results table is saved
 * as {@code target/browser-test.png} (docs/ROUTING.md shows a copy, {@code docs/browser-test.png}).
 */
class BrowserTest {
    private static final Path NODE_DIR = Path.of("src/test/node").toAbsolutePath();
    private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
    private static final List<String> CHECKS = List.of(
            "text message", "binary message (256 bytes)", "512 KiB binary message", "100 messages in order",
            "subprotocol offer", "permessage-deflate end to end", "close 4001 with a reason",
            "origin outside allowed-origins refused", "ws://user:pass@ on an auth: gateway route");

    @Test
    void chromiumTalksThroughTheGateway() throws Exception {
        if (!Files.isExecutable(CHROMIUM)) {
            throw new AssertionError(CHROMIUM + " not found: install the Debian package 'chromium' "
                                             + "(apt-get install chromium; .ci/run does it), or set CHROMIUM");
        }
        if (!Files.isDirectory(NODE_DIR.resolve("node_modules/puppeteer-core"))) {
            throw new AssertionError("puppeteer-core missing: run 'npm ci --prefix app/src/test/node' (test.sh does)");
        }
        HttpServer pages = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] page = Files.readAllBytes(NODE_DIR.resolve("browser-page.html"));
        pages.createContext("/", exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, page.length);
            exchange.getResponseBody().write(page);
            exchange.close();
        });
        pages.start();
        String pageOrigin = "http://127.0.0.1:" + pages.getAddress().getPort();
        try (NodeUpstream upstream = NodeUpstream.start();
             TestGateway gateway = TestGateway.start("""
                     gateway:
                       security:
                         users:
                           - login: user
                             password: pass
                             roles: [ws]
                         services:
                           node:
                             allowed-origins: ["%1$s"]
                           strict:
                             allowed-origins: ["https://app.example.com"]
                           secure:
                             auth: gateway
                             allowed-origins: ["%1$s"]
                     """.formatted(pageOrigin)
                                                         + TestGateway.services()
                                                                 .add("node", upstream.port(), "/echo")
                                                                 .add("strict", upstream.port(), "/echo")
                                                                 .add("secure", upstream.port(), "/echo")
                                                                 .yaml())) {
            String metrics = ObserveTest.scrape(gateway.http("/application/metrics"));
            double challenges = challenges(metrics);
            double unauthorized = ObserveTest.sample(metrics, "wsgateway_handshake_rejections_total",
                                                     "status=\"401\"", "reason=\"unauthorized\"");
            double originRefused = ObserveTest.sample(metrics, "wsgateway_handshake_rejections_total",
                                                      "status=\"403\"", "reason=\"origin_forbidden\"");

            Path screenshot = Path.of("target/browser-test.png").toAbsolutePath();
            List<JsonObject> results = runBrowser(pageOrigin + "/?gateway=127.0.0.1:" + gateway.port(), screenshot);

            List<String> names = new ArrayList<>();
            List<String> failed = new ArrayList<>();
            for (JsonObject result : results) {
                names.add(result.getString("name"));
                if (!result.getBoolean("ok")) {
                    failed.add(result.getString("name") + ": " + result.getString("detail"));
                }
            }
            assertThat(names, contains(CHECKS.toArray()));
            assertThat(String.join("\n", failed), failed, is(empty()));
            assertThat(Files.size(screenshot) > 0, is(true));

            // what the service saw of the browser's close
            assertThat(upstream.lastCloseSeen("/close-4001"), is("{\"code\":4001,\"reason\":\"bye from the browser\"}"));
            // Chromium's first, credential-less handshake got the 401 challenge: counted as a challenge, not as a
            // refusal of bad credentials
            metrics = ObserveTest.scrape(gateway.http("/application/metrics"));
            assertThat(challenges(metrics), greaterThanOrEqualTo(challenges + 1));
            assertThat(ObserveTest.sample(metrics, "wsgateway_handshake_rejections_total",
                                          "status=\"401\"", "reason=\"unauthorized\""), is(unauthorized));
            assertThat(ObserveTest.sample(metrics, "wsgateway_handshake_rejections_total",
                                          "status=\"403\"", "reason=\"origin_forbidden\""), is(originRefused + 1));
            gateway.awaitNoSessions(java.time.Duration.ofSeconds(10));
        } finally {
            pages.stop(0);
        }
    }

    private static double challenges(String metrics) {
        return ObserveTest.sample(metrics, "wsgateway_handshake_rejections_total", "status=\"401\"",
                                  "reason=\"challenge\"");
    }

    private static List<JsonObject> runBrowser(String pageUrl, Path screenshot) throws Exception {
        Process node = new ProcessBuilder("node", "browser.js", pageUrl, screenshot.toString())
                .directory(NODE_DIR.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        if (!node.waitFor(120, TimeUnit.SECONDS)) {
            node.destroyForcibly();
            throw new AssertionError("Chromium did not finish the page within 120 s");
        }
        String line = output.get(10, TimeUnit.SECONDS).strip();
        assertThat("browser.js exit code (its errors are above), output: " + line, node.exitValue(), is(0));
        List<JsonObject> results = new ArrayList<>();
        try (JsonReader reader = Json.createReader(new StringReader(line))) {
            for (JsonValue value : reader.readArray()) {
                results.add(value.asJsonObject());
            }
        }
        return results;
    }
}
