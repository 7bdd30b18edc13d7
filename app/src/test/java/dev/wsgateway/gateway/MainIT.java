package dev.wsgateway.gateway;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.wsgateway.testsupport.JdkClient;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;

/**
 * The packaged gateway as a user starts it: {@code java -jar wsgateway.jar} on the embedded default (demo echo
 * service, static discovery), with environment variables overriding the bundled configuration, and a user file.
 */
class MainIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void startsOnTheEmbeddedDefaultAndEnvironmentVariablesOverrideIt() throws Exception {
        int gatewayPort = freePort();
        int echoPort = freePort();
        Process process = startOnTheDefault(gatewayPort, echoPort, Map.of());
        try {
            awaitReady(gatewayPort);
            try (JdkClient client = JdkClient.connect(URI.create("ws://127.0.0.1:" + gatewayPort
                                                                         + "/ws/v1/echo/anything"))) {
                client.sendText("echo me");
                assertThat(client.nextText(), is("echo me"));
            }
            // one line per session event, in the bundled logging layout
            Path log = Path.of(System.getProperty("gateway.jar")).resolveSibling("main-it.log");
            java.util.regex.Pattern closedLine = java.util.regex.Pattern.compile(
                    "(?m)^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO "
                            + "dev\\.wsgateway\\.gateway\\.relay\\.RelaySession - session [0-9a-f]+ closed after \\d+ ms: "
                            + "echo/");
            TestGateway.await(() -> {
                try {
                    return closedLine.matcher(Files.readString(log)).find();
                } catch (IOException e) {
                    return false;
                }
            }, Duration.ofSeconds(5), "session close logged");
        } finally {
            stop(process);
        }
    }

    @Test
    void aUserFileIsLayeredOverTheDefaults(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        int gatewayPort = freePort();
        int echoPort = freePort();
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, """
                server:
                  port: %d
                demo:
                  echo:
                    enabled: true      # a user file turns the demo off unless it asks for it
                    port: %d
                """.formatted(gatewayPort, echoPort) + TestGateway.services().add("renamed", echoPort, "/echo").yaml());
        Process process = start(Map.of(), List.of(file.toString()));
        try {
            awaitReady(gatewayPort);
            try (JdkClient client = JdkClient.connect(URI.create("ws://127.0.0.1:" + gatewayPort + "/renamed/ws/v1/x"))) {
                client.sendText("layered");
                assertThat(client.nextText(), is("layered"));
            }
            HttpResponse<String> health = HTTP.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort + "/application/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode(), is(200));
            assertThat(health.body(), containsString("\"status\":\"UP\""));
        } finally {
            stop(process);
        }
    }

    @Test
    void sigtermDrainsOpenSessionsThenClosesThemWith1001() throws Exception {
        int gatewayPort = freePort();
        int echoPort = freePort();
        Process process = startOnTheDefault(gatewayPort, echoPort, Map.of("GATEWAY_SHUTDOWN_DRAIN_DASH_PERIOD", "PT2S"));
        try {
            awaitReady(gatewayPort);
            try (JdkClient client = JdkClient.connect(URI.create("ws://127.0.0.1:" + gatewayPort + "/ws/v1/echo/x"))) {
                client.sendText("before");
                assertThat(client.nextText(), is("before"));
                long start = System.nanoTime();
                process.destroy();
                // during the drain period the session still works
                client.sendText("draining");
                assertThat(client.nextText(), is("draining"));
                JdkClient.Received close = client.awaitClose(Duration.ofSeconds(15));
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertThat(close.closeCode(), is(1001));
                // the drain period set by the environment (PT2S), not the default PT5S
                assertThat("closed after " + millis + " ms", millis >= 1_900 && millis < 4_000, is(true));
                assertThat(process.waitFor(10, TimeUnit.SECONDS), is(true));
                assertThat("a drained SIGTERM is a success", process.exitValue(), is(0));
                long exitMillis = (System.nanoTime() - start) / 1_000_000;
                assertThat("exited after " + exitMillis + " ms", exitMillis < 2_000 + 5_000, is(true));
            }
        } finally {
            stop(process);
        }
    }

    /**
     * The jar on its embedded default, with the gateway's and the demo echo service's ports (and the echo instance's
     * in static discovery) set by environment variables, and more variables of the test's.
     */
    private static Process startOnTheDefault(int gatewayPort, int echoPort, Map<String, String> moreEnv)
            throws IOException {
        Map<String, String> env = new java.util.HashMap<>(moreEnv);
        env.put("SERVER_PORT", String.valueOf(gatewayPort));
        env.put("DEMO_ECHO_PORT", String.valueOf(echoPort));
        env.put("DISCOVERY_STATIC_SERVICES_0_INSTANCES_0_PORT", String.valueOf(echoPort));
        return start(env, List.of());
    }

    private static Process start(Map<String, String> env, List<String> args) throws IOException {
        return PackagedGateway.start(env, args, "main-it.log").process();
    }

    static void awaitReady(int port) {
        PackagedGateway.awaitReady(port);
    }

    static void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("gateway did not exit within 10 s of SIGTERM");
        }
    }

    static int freePort() throws IOException {
        return PackagedGateway.freePort();
    }
}
