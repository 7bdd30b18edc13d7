package dev.wsgateway.gateway;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import dev.wsgateway.gateway.observe.LogLineFormatter;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

/**
 * Log forging through the real gateway: a client and a service each close with a reason that holds a line feed and
 * a forged log line, and ANSI escape sequences. Every record the gateway logged, written by the gateway's own
 * {@link LogLineFormatter}, is one line, with the reason escaped and no escape character left.
 */
class LogForgingTest {
    private static final String FORGED = "bye\n2099-01-01T00:00:00.000 SEVERE dev.wsgateway.gateway.Main - forged";
    private static final String ANSI = "\u001b[31mred\u001b[0m\r";

    @RegisterExtension
    static final Teardown TEARDOWN = new Teardown();

    private static RawWsService service;
    private static TestGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        service = TEARDOWN.closeAfterAll(RawWsService.start());
        gateway = TEARDOWN.gateway(TestGateway.start("""
                gateway:
                  failover:
                    enabled: false
                """ + TestGateway.services().add("raw", service.port(), "/raw").yaml()));
    }

    @Test
    void aClientsCloseReasonIsOneEscapedLine() throws Exception {
        try (LogCapture capture = LogCapture.attach()) {
            try (RawWsClient client = RawWsClient.connect(gateway.port(), "/ws/v1/raw/sink/forge-client")) {
                RawWsService.Conn conn = service.await("/sink/forge-client");
                client.sendClose(1000, FORGED + ANSI);
                client.readUntil(0x8);
                TestGateway.await(conn::ended, Duration.ofSeconds(5), "service connection not ended");
            }
            List<String> lines = awaitSessionClosedLines(capture);
            assertOneEscapedLineEach(lines);
            assertThat(lines, hasItem(containsString("client close 1000 bye\\n2099-01-01T00:00:00.000 SEVERE")));
            assertThat(lines, hasItem(containsString("\\e[31mred\\e[0m\\r")));
        }
    }

    @Test
    void aServicesCloseReasonIsOneEscapedLine() throws Exception {
        byte[] reason = (FORGED + ANSI).getBytes(StandardCharsets.UTF_8);
        byte[] payload = new byte[2 + reason.length];
        payload[0] = (byte) (1000 >> 8);
        payload[1] = (byte) (1000 & 0xff);
        System.arraycopy(reason, 0, payload, 2, reason.length);
        service.script("forge-service", RawWsClient.encode(true, 0x8, payload, false));
        try (LogCapture capture = LogCapture.attach()) {
            try (RawWsClient client = RawWsClient.connect(gateway.port(), "/ws/v1/raw/script/forge-service")) {
                RawWsClient.Frame close = client.readUntil(0x8);
                assertThat("the reason reaches the client unchanged", close.closeReason(), is(FORGED + ANSI));
            }
            List<String> lines = awaitSessionClosedLines(capture);
            assertOneEscapedLineEach(lines);
            assertThat(lines, hasItem(containsString("upstream close 1000 bye\\n2099-01-01T00:00:00.000 SEVERE")));
        }
    }

    /** Every captured record, formatted as the gateway's log handler writes it, once a session-closed line is in. */
    private static List<String> awaitSessionClosedLines(LogCapture capture) {
        LogLineFormatter formatter = new LogLineFormatter();
        TestGateway.await(() -> capture.records().stream()
                                  .anyMatch(r -> formatter.formatMessage(r).contains(" closed after ")),
                          Duration.ofSeconds(10), "no session-closed line");
        return capture.records().stream().map(formatter::format).toList();
    }

    private static void assertOneEscapedLineEach(List<String> lines) {
        List<String> forged = lines.stream()
                .filter(l -> l.indexOf('\n') != l.length() - 1 || l.indexOf('\r') >= 0 || l.indexOf('\u001b') >= 0)
                .toList();
        assertThat("log lines with a raw line break or escape character", forged, is(empty()));
        assertThat(lines, not(hasItem(containsString("\n2099"))));
    }
}
