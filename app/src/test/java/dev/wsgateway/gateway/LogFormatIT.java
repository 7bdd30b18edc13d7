package dev.wsgateway.gateway;

import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.wsgateway.testsupport.JdkClient;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;

/**
 * The packaged gateway with {@code GATEWAY_LOG_FORMAT=json}: every log line it writes is one JSON object, a client's
 * close reason holding a line feed, a forged log line and ANSI escapes stays escaped inside its line, and the session's
 * end has an access line with its fields as keys.
 */
class LogFormatIT {
    private static final String REASON = "bye\n2099-01-01T00:00:00.000 SEVERE forged \u001b[31mred";

    @Test
    void everyLineIsOneJsonObjectAndAPeersReasonStaysInItsLine() throws Exception {
        int gatewayPort = PackagedGateway.freePort();
        int echoPort = PackagedGateway.freePort();
        try (PackagedGateway gateway = PackagedGateway.start(Map.of(
                "GATEWAY_LOG_FORMAT", "json",
                "SERVER_PORT", String.valueOf(gatewayPort),
                "DEMO_ECHO_PORT", String.valueOf(echoPort),
                "DISCOVERY_STATIC_SERVICES_0_INSTANCES_0_PORT", String.valueOf(echoPort)), List.of(),
                                                             "log-format-it.log")) {
            PackagedGateway.awaitReady(gatewayPort);
            try (JdkClient client = JdkClient.connect(URI.create("ws://127.0.0.1:" + gatewayPort + "/ws/v1/echo/x"))) {
                client.sendText("hello");
                assertThat(client.nextText(), is("hello"));
                client.close(4000, REASON);
            }
            TestGateway.await(() -> read(gateway).contains("\"logger\":\"dev.wsgateway.access\"")
                                      && read(gateway).contains(" closed after "),
                              Duration.ofSeconds(10), "access and session-closed lines logged");
            String log = read(gateway);
            // the slf4j API's own notes on stderr are not log records
            List<String> notJson = log.lines().filter(l -> !l.isBlank() && !l.startsWith("SLF4J"))
                    .filter(l -> !isJsonObject(l)).toList();
            assertThat("lines that are not one JSON object", notJson, is(empty()));
            assertThat(log.lines().filter(l -> l.startsWith("2099")).toList(), is(empty()));
            JsonObject closed = log.lines().filter(l -> l.contains(" closed after ")).map(LogFormatIT::json)
                    .findFirst().orElseThrow();
            assertThat(closed.getString("message"),
                       containsString("client close 4000 bye\\n2099-01-01T00:00:00.000 SEVERE forged \\e[31mred"));
            JsonObject access = log.lines().filter(l -> l.contains("\"logger\":\"dev.wsgateway.access\""))
                    .map(LogFormatIT::json).findFirst().orElseThrow();
            assertThat(access.getString("service"), is("echo"));
            assertThat(access.getString("path"), is("/ws/v1/echo/x"));
            assertThat(access.getJsonNumber("messages_in").longValue(), is(1L));
            assertThat(access.getJsonNumber("messages_out").longValue(), is(1L));
            assertThat(access.getJsonNumber("bytes_in").longValue(), is(5L));
            assertThat(access.getJsonNumber("close_to_client").intValue(), is(4000));
            assertThat(access.getJsonNumber("failovers").intValue(), is(0));
        }
    }

    private static String read(PackagedGateway gateway) {
        try {
            return Files.readString(gateway.log());
        } catch (IOException e) {
            return "";
        }
    }

    private static boolean isJsonObject(String line) {
        try {
            json(line);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static JsonObject json(String line) {
        return Json.createReader(new StringReader(line)).readObject();
    }
}
