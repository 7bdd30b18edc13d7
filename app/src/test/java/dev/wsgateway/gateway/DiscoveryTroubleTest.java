package dev.wsgateway.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import dev.wsgateway.testsupport.EurekaServerProcess;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

/**
 * Discovery trouble is visible, with a real Eureka server process: down when the gateway starts, started, killed,
 * restarted, and killed again before the gateway stops. Each change of state is one log line with its cause, the
 * failures are counted, handshakes get 503 {@code discovery_not_ready} until the first registry read, the Netflix
 * client's own lines reach the gateway's log, and the shutdown line says whether the deregistration got through.
 */
class DiscoveryTroubleTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void eurekaDownAtStartKilledAndRestartedIsLoggedOncePerChange() throws Exception {
        int eurekaPort = EurekaServerProcess.freePort();
        String url = "http://127.0.0.1:" + eurekaPort + "/eureka/";
        TestGateway gateway = null;
        try (LogCapture log = LogCapture.attach()) {
            gateway = TestGateway.start(TestGateway.eureka(url, true) + """
                        connect-timeout: PT1S
                        read-timeout: PT1S
                    """);
            TestGateway gw = gateway;
            // down at start: not ready, and a handshake is told so (not 404 unknown_service)
            String refused = handshake(gw.port(), "/ws/v1/anything/x");
            assertThat(refused, startsWith("HTTP/1.1 503"));
            assertThat(refused, containsString("\"error\":\"discovery_not_ready\""));
            assertThat(refused.toLowerCase(), containsString("retry-after: "));
            TestGateway.await(() -> count(log, Level.WARNING, "Eureka does not answer") == 1, WAIT,
                              "one WARNING: Eureka down at start");
            assertThat(message(log, "Eureka does not answer"), containsString("no registry read yet"));
            assertThat("the Netflix client's own lines reach the gateway's log",
                       log.records().stream().anyMatch(r -> r.getLoggerName().startsWith("com.netflix")), is(true));

            try (EurekaServerProcess eureka = EurekaServerProcess.start(eurekaPort)) {
                TestGateway.await(() -> count(log, Level.INFO, "Eureka answers again") == 1, WAIT,
                                  "one INFO: Eureka answers");
                TestGateway.await(() -> handshake(gw.port(), "/ws/v1/anything/x").startsWith("HTTP/1.1 404"),
                                  WAIT, "an unknown service is a 404 once discovery is ready");
                long failuresWhileDown = gw.gateway().registry().failures();
                assertThat(failuresWhileDown, greaterThan(0L));

                eureka.stop();
                TestGateway.await(() -> count(log, Level.WARNING, "Eureka does not answer") == 2, WAIT,
                                  "one WARNING: Eureka killed");
                assertThat(messages(log, "Eureka does not answer").get(1), containsString("routing from the last view"));
                long failuresAfterKill = gw.gateway().registry().failures();
                // several fetch intervals later: still one line for this outage, more failures counted
                Thread.sleep(3_000);
                assertThat(count(log, Level.WARNING, "Eureka does not answer"), is(2L));
                assertThat(gw.gateway().registry().failures(), greaterThan(failuresAfterKill));
                assertThat("handshakes keep being answered from the last view",
                           handshake(gw.port(), "/ws/v1/anything/x"), startsWith("HTTP/1.1 404"));

                eureka.restart();
                TestGateway.await(() -> count(log, Level.INFO, "Eureka answers again") == 2, WAIT,
                                  "one INFO: Eureka restarted");
                eureka.stop();
                TestGateway.await(() -> count(log, Level.WARNING, "Eureka does not answer") == 3, WAIT,
                                  "one WARNING: Eureka killed again");
            }
            gateway.close();
            gateway = null;
            assertThat("no claim of a deregistration Eureka never got",
                       count(log, Level.INFO, "Deregistered from Eureka"), is(0L));
            assertThat(message(log, "Could not deregister from Eureka"), containsString("until its lease expires"));
        } finally {
            if (gateway != null) {
                gateway.close();
            }
        }
    }

    private static long count(LogCapture log, Level level, String text) {
        return log.records().stream().filter(r -> r.getLevel().equals(level) && text(r).contains(text)).count();
    }

    private static String message(LogCapture log, String text) {
        return messages(log, text).getFirst();
    }

    private static List<String> messages(LogCapture log, String text) {
        return log.records().stream().map(DiscoveryTroubleTest::text).filter(m -> m.contains(text)).toList();
    }

    private static String text(LogRecord record) {
        return new java.util.logging.SimpleFormatter().formatMessage(record);
    }

    /** A WebSocket handshake over a raw socket; answers the status line and headers and body as text. */
    private static String handshake(int port, String path) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                              .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[4096];
            StringBuilder answer = new StringBuilder();
            int n;
            while (!answer.toString().contains("}") && (n = in.read(buffer)) > 0) {
                answer.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
            }
            return answer.toString();
        } catch (IOException e) {
            return "no answer: " + e;
        }
    }
}
