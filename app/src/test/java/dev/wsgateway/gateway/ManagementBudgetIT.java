package dev.wsgateway.gateway;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * The management listener under the descriptor budget, on the packaged gateway with {@code ulimit -n 400}: 330 idle
 * connections to the management port for 3 s do not end the listener ("Too many open files ... this server socket
 * is terminating"): it accepts at most its share of the budget, the head deadline closes the idle ones, and health
 * answers during and after.
 */
class ManagementBudgetIT {
    private static final int FD_LIMIT = 400;
    private static final int IDLE = 330;

    @Test
    void manyIdleConnectionsDoNotEndTheManagementListener(@TempDir Path dir) throws Exception {
        int port = PackagedGateway.freePort();
        int management = PackagedGateway.freePort();
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, """
                server:
                  port: %d
                  host: 127.0.0.1
                demo:
                  echo:
                    enabled: false
                gateway:
                  management:
                    port: %d
                  security:
                    limits:
                      handshake-timeout: PT2S
                """.formatted(port, management) + TestGateway.service("none", "/none", 1));
        try (PackagedGateway gateway = PackagedGateway.start(Map.of(), List.of(file.toString()),
                                                             "management-budget-it.log", FD_LIMIT)) {
            PackagedGateway.awaitReady(management);
            List<Socket> idle = new ArrayList<>();
            try {
                for (int i = 0; i < IDLE; i++) {
                    idle.add(new Socket("127.0.0.1", management));
                }
                Thread.sleep(3_000);
                // the idle ones are closed at the head deadline; health gets its turn
                assertThat(health(management), is(200));
            } finally {
                for (Socket socket : idle) {
                    socket.close();
                }
            }
            assertThat(health(management), is(200));
            String log = Files.readString(gateway.log());
            assertThat(log, containsString("accepts at most"));
            assertThat(log, not(containsString("Too many open files")));
            assertThat(log, not(containsString("terminating")));
        }
    }

    private static int health(int port) throws IOException, InterruptedException {
        HttpResponse<String> response = PackagedGateway.HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/application/health/ready"))
                        .timeout(Duration.ofSeconds(15)).build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode();
    }
}
