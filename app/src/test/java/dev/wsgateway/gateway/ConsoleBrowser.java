package dev.wsgateway.gateway;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;

/**
 * Debian's Chromium, headless, driven through {@code src/test/node/console.js} (puppeteer-core): the test sends it
 * one command at a time (open a page, read what a page shows, type, click, screenshot) and reads its answer.
 */
final class ConsoleBrowser implements AutoCloseable {
    private static final Path NODE_DIR = Path.of("src/test/node").toAbsolutePath();
    private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
    private static final Duration ANSWER = Duration.ofSeconds(60);

    private final Process node;
    private final Writer commands;
    private final BufferedReader answers;
    private final Set<String> pages = new HashSet<>();

    private ConsoleBrowser(Process node) {
        this.node = node;
        this.commands = node.outputWriter(StandardCharsets.UTF_8);
        this.answers = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
    }

    static ConsoleBrowser start() throws IOException {
        if (!Files.isExecutable(CHROMIUM)) {
            throw new AssertionError(CHROMIUM + " not found: install the Debian package 'chromium' "
                                             + "(apt-get install chromium; .ci/run does it), or set CHROMIUM");
        }
        if (!Files.isDirectory(NODE_DIR.resolve("node_modules/puppeteer-core"))) {
            throw new AssertionError("puppeteer-core missing: run 'npm ci --prefix app/src/test/node' (test.sh does)");
        }
        return new ConsoleBrowser(new ProcessBuilder("node", "console.js")
                                          .directory(NODE_DIR.toFile())
                                          .redirectError(ProcessBuilder.Redirect.INHERIT)
                                          .start());
    }

    /**
     * Open a page (named for later commands) on a URL, answering the Basic challenge with these credentials (none:
     * {@code null}).
     *
     * @return {@code status} of the page's response and its {@code csp} header
     */
    JsonObject open(String page, URI url, String user, String password) {
        pages.add(page);
        var open = Json.createObjectBuilder().add("cmd", "open").add("page", page).add("url", url.toString());
        if (user != null) {
            open.add("user", user).add("password", password);
        }
        return send(open.build());
    }

    /**
     * What the page shows now (see {@code snapshot()} in console.js).
     */
    JsonObject state(String page) {
        return send(Json.createObjectBuilder().add("cmd", "state").add("page", page).build());
    }

    /**
     * Read the page until it shows what the test waits for, or fail with the last state read.
     */
    JsonObject await(String page, Predicate<JsonObject> shows, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonObject state = state(page);
        while (!shows.test(state)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for the console to show " + what + "; it shows " + state);
            }
            LockSupport.parkNanos(150_000_000);
            state = state(page);
        }
        return state;
    }

    void type(String page, String selector, String text) {
        send(Json.createObjectBuilder().add("cmd", "type").add("page", page).add("selector", selector)
                     .add("text", text).build());
    }

    void click(String page, String selector) {
        send(Json.createObjectBuilder().add("cmd", "click").add("page", page).add("selector", selector).build());
    }

    /**
     * The page's widths (see {@code layout()} in console.js).
     */
    JsonObject layout(String page) {
        return send(Json.createObjectBuilder().add("cmd", "layout").add("page", page).build());
    }

    void screenshot(String page, Path png) {
        send(Json.createObjectBuilder().add("cmd", "screenshot").add("page", page).add("path", png.toString())
                     .build());
    }

    /**
     * Close every open page.
     */
    void closePages() {
        for (String page : pages) {
            send(Json.createObjectBuilder().add("cmd", "close").add("page", page).build());
        }
        pages.clear();
    }

    /**
     * The shown sessions' values of one column, top to bottom.
     */
    static List<String> column(JsonObject state, String column) {
        List<String> values = new ArrayList<>();
        for (JsonValue row : state.getJsonArray("sessions")) {
            values.add(row.asJsonObject().getString(column));
        }
        return values;
    }

    /**
     * The shown row of a session, or null.
     */
    static JsonObject row(JsonObject state, String sessionId) {
        for (JsonValue row : state.getJsonArray("sessions")) {
            if (row.asJsonObject().getString("sessionId").equals(sessionId)) {
                return row.asJsonObject();
            }
        }
        return null;
    }

    /**
     * The ids of the shown sessions.
     */
    static Set<String> shownIds(JsonObject state) {
        return Set.copyOf(column(state, "sessionId"));
    }

    /**
     * A shown session's cell, or null when the session is not shown.
     */
    static String cell(JsonObject state, String sessionId, String column) {
        JsonObject row = row(state, sessionId);
        return row == null ? null : row.getString(column);
    }

    /**
     * A shown instance's cell, or empty.
     */
    static String instance(JsonObject state, String service, String instanceId, String column) {
        for (JsonValue svc : state.getJsonArray("instances")) {
            if (svc.asJsonObject().getString("service").equals(service)) {
                for (JsonValue row : svc.asJsonObject().getJsonArray("instances")) {
                    if (row.asJsonObject().getString("instanceId").equals(instanceId)) {
                        return row.asJsonObject().getString(column);
                    }
                }
            }
        }
        return "";
    }

    private JsonObject send(JsonObject command) {
        String line;
        try {
            commands.write(command.toString() + "\n");
            commands.flush();
            CompletableFuture<String> read = CompletableFuture.supplyAsync(() -> {
                try {
                    return answers.readLine();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            line = read.get(ANSWER.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("console.js did not answer " + command + " within " + ANSWER.toSeconds() + " s");
        } catch (Exception e) {
            throw new AssertionError("console.js failed on " + command + " (its errors are above)", e);
        }
        if (line == null) {
            throw new AssertionError("console.js ended on " + command + " (its errors are above)");
        }
        JsonObject answer;
        try (JsonReader reader = Json.createReader(new StringReader(line))) {
            answer = reader.readObject();
        }
        if (!answer.getBoolean("ok")) {
            throw new AssertionError("console.js: " + command + " failed: " + answer.getString("error"));
        }
        return answer;
    }

    @Override
    public void close() throws Exception {
        commands.close();
        if (!node.waitFor(20, TimeUnit.SECONDS)) {
            node.destroyForcibly();
        }
    }
}
