package dev.wsgateway.gateway;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.logging.LogRecord;

import dev.wsgateway.gateway.observe.AccessLog;
import dev.wsgateway.gateway.observe.LogLineFormatter;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The access log through the real gateway: one line per session end on its own logger, with client, service,
 * instance, path (query redacted), duration, messages and bytes both ways, the close code sent to the client and the
 * failovers.
 */
class AccessLogTest {
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
    void oneLinePerSessionEndWithItsCountersBothWays() throws Exception {
        try (LogCapture capture = LogCapture.attach()) {
            try (RawWsClient client = RawWsClient.connect(gateway.port(), "/ws/v1/raw/sink/access?token=secret")) {
                RawWsService.Conn conn = service.await("/sink/access?token=secret");
                for (int i = 0; i < 3; i++) {
                    client.send(true, 0x1, "hello".getBytes(StandardCharsets.UTF_8));
                }
                client.sendClose(4001, "done");
                assertThat(client.readUntil(0x8).closeCode(), is(4001));
                TestGateway.await(conn::ended, Duration.ofSeconds(5), "service connection not ended");
            }
            TestGateway.await(() -> !access(capture).isEmpty(), Duration.ofSeconds(10), "no access line");
            List<LogRecord> lines = access(capture);
            assertThat(lines, hasSize(1));
            LogRecord record = lines.get(0);
            String text = new LogLineFormatter().format(record);
            assertTrue(text.matches("\\S+ INFO dev\\.wsgateway\\.access - access session=[0-9a-f]{12} "
                    + "client=127\\.0\\.0\\.1:\\d+ user=\"\" service=raw instance=\\S+ "
                    + "path=/ws/v1/raw/sink/access\\?token=\\*\\*\\* subprotocol=\"\" duration_ms=\\d+ "
                    + "messages_in=3 messages_out=0 bytes_in=15 bytes_out=0 close_from_client=4001 close_to_client=4001 "
                    + "close_from_service=4001 close_to_service=4001 failovers=0 "
                    + "end=\"client sent close 4001 done\"\\n"), text);
            assertThat(text, containsString("service=raw"));
            LogLineFormatter.useFormat("json");
            try {
                String json = new LogLineFormatter().format(record);
                assertThat(json, containsString("\"messages_in\":3,\"messages_out\":0,\"bytes_in\":15,"
                                                        + "\"bytes_out\":0,\"close_from_client\":4001,\"close_to_client\":4001,"
                                                        + "\"close_from_service\":4001,\"close_to_service\":4001,"
                                                        + "\"failovers\":0"));
            } finally {
                LogLineFormatter.useFormat("text");
            }
        }
    }

    private static List<LogRecord> access(LogCapture capture) {
        return capture.records().stream().filter(r -> AccessLog.LOGGER_NAME.equals(r.getLoggerName())).toList();
    }
}
