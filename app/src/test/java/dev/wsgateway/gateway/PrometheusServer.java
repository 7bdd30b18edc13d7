package dev.wsgateway.gateway;

import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;

/**
 * A real Prometheus server (Debian package {@code prometheus}) as a separate process: its own configuration and
 * storage in a temporary directory, a free port, scraping one target every second.
 */
final class PrometheusServer implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Process process;
    private final int port;

    private PrometheusServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Start Prometheus scraping {@code http://target/metricsPath} every second, and wait until it is ready.
     *
     * @param dir         temporary directory for its configuration, storage and log
     * @param target      {@code host:port} of the gateway
     * @param metricsPath path of the metrics endpoint
     */
    static PrometheusServer start(Path dir, String target, String metricsPath) throws IOException {
        String binary = binary("prometheus");
        int port = MainIT.freePort();
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                scrape_configs:
                  - job_name: wsgateway
                    metrics_path: %s
                    static_configs:
                      - targets: ["%s"]
                """.formatted(metricsPath, target));
        Process process = new ProcessBuilder(binary,
                                             "--config.file=" + config,
                                             "--storage.tsdb.path=" + dir.resolve("data"),
                                             "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("prometheus.log").toFile())
                .start();
        PrometheusServer server = new PrometheusServer(process, port);
        try {
            TestGateway.await(server::ready, Duration.ofSeconds(30), "Prometheus ready on port " + port
                    + " (log: " + dir.resolve("prometheus.log") + ")");
        } catch (AssertionError e) {
            server.close();
            throw e;
        }
        return server;
    }

    /**
     * The path of a binary of Debian's {@code prometheus} package, or a failure saying what to install: the tests
     * that need it must not pass without it.
     */
    static String binary(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new AssertionError(name + " not found on the PATH: install the Debian package 'prometheus' "
                                         + "(apt-get install prometheus; .ci/run does it)");
    }

    /**
     * Lint a scrape with {@code promtool check metrics}.
     *
     * @return promtool's findings, one per line (empty when the scrape is clean)
     */
    static List<String> lint(String scrape) throws IOException, InterruptedException {
        Process promtool = new ProcessBuilder(binary("promtool"), "check", "metrics")
                .redirectErrorStream(true)
                .start();
        try (var in = promtool.getOutputStream()) {
            in.write(scrape.getBytes(StandardCharsets.UTF_8));
        }
        String output = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!promtool.waitFor(30, TimeUnit.SECONDS)) {
            promtool.destroyForcibly();
            throw new AssertionError("promtool did not finish");
        }
        List<String> findings = output.lines().filter(line -> !line.isBlank()).toList();
        if (promtool.exitValue() != 0 && findings.isEmpty()) {
            throw new AssertionError("promtool failed with exit code " + promtool.exitValue());
        }
        return findings;
    }

    private boolean ready() {
        if (!process.isAlive()) {
            throw new AssertionError("Prometheus exited with code " + process.exitValue());
        }
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/-/ready"))
                                     .timeout(Duration.ofSeconds(2)).build(),
                             HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * An instant query through the HTTP API.
     *
     * @return the API's answer ({@code status}, {@code data} or {@code errorType}/{@code error})
     */
    JsonObject query(String promql) throws IOException, InterruptedException {
        return get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    }

    /**
     * The values a label has among the series of a metric (what Grafana's {@code label_values(metric, label)} lists).
     */
    JsonObject labelValues(String label, String metric) throws IOException, InterruptedException {
        return get("/api/v1/label/" + label + "/values?match[]=" + URLEncoder.encode(metric, StandardCharsets.UTF_8));
    }

    private JsonObject get(String pathAndQuery) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                        .timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        try (JsonReader reader = Json.createReader(new StringReader(response.body()))) {
            return reader.readObject();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
