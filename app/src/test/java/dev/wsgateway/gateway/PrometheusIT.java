package dev.wsgateway.gateway;

import java.io.IOException;
import java.io.StringReader;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import dev.wsgateway.testsupport.JdkClient;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * The packaged gateway scraped by a real Prometheus (Debian package) every second: the scrape passes
 * {@code promtool check metrics}, and every expression of {@code docs/grafana-dashboard.json} parses and returns the
 * series its panel expects, with Grafana's variables replaced as Grafana would ({@code $service} = All).
 */
class PrometheusIT {
    private static final Path DASHBOARD = Path.of("../docs/grafana-dashboard.json");
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** Any value: the label must be there. */
    private static final String ANY = "*";

    /**
     * What each panel target (title / refId) must return after the traffic of the test: every listed label set is
     * matched by a series of the result ({@code Map.of()}: any series).
     */
    private static final Map<String, List<Map<String, String>>> EXPECTED = Map.ofEntries(
            Map.entry("Active sessions/A", List.of(Map.of("service", "echo"))),
            Map.entry("Sessions opened / s/A", List.of(Map.of("service", "echo"), Map.of("service", "secure"))),
            Map.entry("Sessions closed / s by close code (sent to the client)/A", List.of(Map.of("code", "1000"))),
            Map.entry("Handshake rejections / s by status and reason/A",
                      List.of(Map.of("status", "404", "reason", "unknown_service"),
                              Map.of("status", "401", "reason", "unauthorized"))),
            Map.entry("Handshake rejections / s by status and reason/B", List.of(Map.of())),
            Map.entry("Messages / s by direction/A", List.of(Map.of("direction", "in"), Map.of("direction", "out"))),
            Map.entry("Bytes / s by direction/A", List.of(Map.of("direction", "in"), Map.of("direction", "out"))),
            Map.entry("Upstream connect latency p50 / p99/A", List.of(Map.of("service", "echo"))),
            Map.entry("Upstream connect latency p50 / p99/B", List.of(Map.of("service", "echo"))),
            Map.entry("Upstream connects / s by outcome/A", List.of(Map.of("outcome", "success"))),
            Map.entry("Failovers/A", List.of(Map.of("service", "echo"))),
            Map.entry("Instances by status (discovery)/A", List.of(Map.of("service", "echo", "status", "UP"),
                                                                   Map.of("service", "idle", "status", "UP"))),
            Map.entry("Discovery: seconds since the last successful refresh/A", List.of(Map.of())),
            Map.entry("JVM heap/A", List.of(Map.of())),
            Map.entry("JVM heap/B", List.of(Map.of())),
            Map.entry("CPU/A", List.of(Map.of())),
            Map.entry("CPU/B", List.of(Map.of())),
            Map.entry("GC pause time / s/A", List.of(Map.of("gc", ANY))),
            Map.entry("JVM threads/A", List.of(Map.of())));

    @Test
    void dashboardExpressionsReturnTheirSeriesFromARealPrometheus(@TempDir Path dir) throws Exception {
        int gatewayPort = MainIT.freePort();
        int echoPort = MainIT.freePort();
        Path config = dir.resolve("gateway.yaml");
        Files.writeString(config, """
                server:
                  port: %1$d
                  host: 127.0.0.1
                demo:
                  echo:
                    enabled: true
                    port: %2$d
                gateway:
                  security:
                    users:
                      - login: user
                        password: pass
                        roles: [ws]
                    services:
                      secure:
                        auth: gateway
                """.formatted(gatewayPort, echoPort) + TestGateway.services()
                .add("echo", echoPort, "/echo")
                .add("idle", echoPort, "/echo")
                .add("secure", echoPort, "/echo")
                .yaml());
        Process gateway = startGateway(dir, config);
        try (PrometheusServer prometheus = PrometheusServer.start(dir, "127.0.0.1:" + gatewayPort,
                                                                  "/application/metrics")) {
            MainIT.awaitReady(gatewayPort);
            // two rounds of traffic with a scrape between them, so that every rate() sees an increase
            traffic(gatewayPort, 1);
            awaitScraped(prometheus, "sum(wsgateway_sessions_opened_total) >= 2");
            try (JdkClient held = JdkClient.connect(URI.create("ws://127.0.0.1:" + gatewayPort + "/ws/v1/echo/held"))) {
                held.sendText("held");
                assertThat(held.nextText(), is("held"));
                traffic(gatewayPort, 2);
                awaitScraped(prometheus, "sum(wsgateway_sessions_opened_total) >= 5 "
                        + "and sum(wsgateway_handshake_rejections_total{reason=\"challenge\"}) >= 2 "
                        + "and sum(wsgateway_sessions_active) >= 1");

                List<String> failures = new ArrayList<>();
                Set<String> covered = new TreeSet<>();
                for (Target target : targets()) {
                    covered.add(target.key());
                    check(prometheus, target, failures);
                }
                assertThat("dashboard targets without an expectation in this test",
                           new TreeSet<>(covered).containsAll(EXPECTED.keySet()) ? List.of() : missing(covered),
                           is(empty()));
                assertThat(String.join("\n", failures), failures, is(empty()));

                // the service filter lists every service discovery knows, also one that never opened a session
                String variable = serviceVariableQuery();
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("label_values\\((\\w+), service\\)")
                        .matcher(variable);
                assertThat(variable, m.matches(), is(true));
                List<String> services = strings(prometheus.labelValues("service", m.group(1)));
                assertThat(services, hasItems("echo", "idle", "secure"));
                assertThat(strings(prometheus.labelValues("service", "wsgateway_sessions_opened_total")),
                           not(hasItems("idle")));

                // Prometheus' own linter accepts the scrape with every family present (histogram included)
                assertThat(PrometheusServer.lint(scrape(gatewayPort)), is(empty()));
            }
        } finally {
            MainIT.stop(gateway);
        }
    }

    private static List<String> missing(Set<String> covered) {
        List<String> missing = new ArrayList<>(EXPECTED.keySet());
        missing.removeAll(covered);
        return missing;
    }

    /**
     * One round: two echo sessions with messages, one on the auth route (a credential-less challenge first, as a
     * browser does, then wrong credentials, then the right ones), one unknown service.
     */
    private static void traffic(int port, int round) throws Exception {
        for (int i = 0; i < 2; i++) {
            try (JdkClient client = JdkClient.connect(URI.create("ws://127.0.0.1:" + port + "/ws/v1/echo/r" + round))) {
                client.sendText("round " + round);
                assertThat(client.nextText(), is("round " + round));
            }
        }
        URI secure = URI.create("ws://127.0.0.1:" + port + "/ws/v1/secure/r" + round);
        assertThat(JdkClient.refusedStatus(secure, Map.of()), is(401));
        assertThat(JdkClient.refusedStatus(secure, Map.of("Authorization", basic("user", "wrong"))), is(401));
        try (JdkClient client = JdkClient.connect(secure, Map.of("Authorization", basic("user", "pass")), List.of())) {
            client.sendText("secure");
            assertThat(client.nextText(), is("secure"));
        }
        assertThat(JdkClient.refusedStatus(URI.create("ws://127.0.0.1:" + port + "/ws/v1/nosuch/x"), Map.of()),
                   is(404));
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static void awaitScraped(PrometheusServer prometheus, String condition) {
        TestGateway.await(() -> {
            try {
                JsonObject answer = prometheus.query(condition);
                return "success".equals(answer.getString("status"))
                        && !answer.getJsonObject("data").getJsonArray("result").isEmpty();
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }, Duration.ofSeconds(30), "Prometheus to see: " + condition);
    }

    private static void check(PrometheusServer prometheus, Target target, List<String> failures) throws Exception {
        // Grafana's substitutions: All selected for a multi-value variable with allValue ".*"; a rate window that
        // holds many one-second scrapes
        String promql = target.expr().replace("$service", ".*").replace("$__rate_interval", "1m");
        JsonObject answer = prometheus.query(promql);
        if (!"success".equals(answer.getString("status"))) {
            failures.add(target.key() + ": " + promql + " -> " + answer.getString("errorType", "") + " "
                                 + answer.getString("error", ""));
            return;
        }
        List<Map<String, String>> series = new ArrayList<>();
        for (JsonValue value : answer.getJsonObject("data").getJsonArray("result")) {
            JsonObject sample = value.asJsonObject();
            String number = sample.getJsonArray("value").getString(1);
            if (number.equals("NaN")) {
                failures.add(target.key() + ": " + promql + " -> NaN for " + sample.getJsonObject("metric"));
            }
            Map<String, String> labels = new LinkedHashMap<>();
            sample.getJsonObject("metric").forEach((k, v) -> labels.put(k, ((JsonString) v).getString()));
            series.add(labels);
        }
        List<Map<String, String>> expected = EXPECTED.get(target.key());
        if (expected == null) {
            failures.add(target.key() + ": no expectation in PrometheusIT for " + target.expr());
            return;
        }
        for (Map<String, String> want : expected) {
            boolean found = series.stream().anyMatch(labels -> want.entrySet().stream().allMatch(
                    e -> labels.containsKey(e.getKey())
                            && (e.getValue().equals(ANY) || e.getValue().equals(labels.get(e.getKey())))));
            if (!found) {
                failures.add(target.key() + ": " + promql + " -> no series with " + want + " in " + series);
            }
        }
    }

    private record Target(String title, String refId, String expr) {
        String key() {
            return title + "/" + refId;
        }
    }

    private static List<Target> targets() throws IOException {
        List<Target> targets = new ArrayList<>();
        for (JsonValue value : dashboard().getJsonArray("panels")) {
            JsonObject panel = value.asJsonObject();
            if (panel.containsKey("targets")) {
                for (JsonValue t : panel.getJsonArray("targets")) {
                    JsonObject target = t.asJsonObject();
                    targets.add(new Target(panel.getString("title"), target.getString("refId"),
                                           target.getString("expr")));
                }
            }
        }
        return targets;
    }

    private static String serviceVariableQuery() throws IOException {
        for (JsonValue value : dashboard().getJsonObject("templating").getJsonArray("list")) {
            JsonObject variable = value.asJsonObject();
            if (variable.getString("name").equals("service")) {
                return variable.getString("definition");
            }
        }
        throw new AssertionError("no service variable in " + DASHBOARD);
    }

    private static JsonObject dashboard() throws IOException {
        try (JsonReader reader = Json.createReader(new StringReader(Files.readString(DASHBOARD)))) {
            return reader.readObject();
        }
    }

    private static List<String> strings(JsonObject answer) {
        assertThat(answer.toString(), answer.getString("status"), is("success"));
        return answer.getJsonArray("data").getValuesAs(JsonString.class).stream().map(JsonString::getString).toList();
    }

    private static String scrape(int port) throws Exception {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/application/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode(), is(200));
        return response.body();
    }

    private static Process startGateway(Path dir, Path config) throws IOException {
        String jar = System.getProperty("gateway.jar");
        String java = ProcessHandle.current().info().command().orElse("java");
        // a small young generation: young collections happen during the test, so GC pause series exist
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-Xmn8m", "-jar", jar, config.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("gateway.log").toFile());
        builder.environment().remove("GATEWAY_CONFIG");
        return builder.start();
    }
}
