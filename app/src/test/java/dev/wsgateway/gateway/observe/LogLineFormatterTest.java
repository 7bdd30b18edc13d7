package dev.wsgateway.gateway.observe;

import java.time.Instant;
import java.time.ZoneId;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

class LogLineFormatterTest {
    private final LogLineFormatter formatter = new LogLineFormatter();

    @Test
    void oneLineWithLocalTimeLevelLoggerAndMessage() {
        LogRecord record = new LogRecord(Level.INFO, "session {0} opened");
        record.setParameters(new Object[] {"ab12"});
        record.setLoggerName("dev.wsgateway.gateway.relay.RelaySession");
        Instant at = java.time.LocalDateTime.of(2026, 11, 28, 7, 46, 10, 123_456_789)
                .atZone(ZoneId.systemDefault()).toInstant();
        record.setInstant(at);
        assertThat(formatter.format(record), is("2026-11-28T07:46:10.123 INFO dev.wsgateway.gateway.relay.RelaySession"
                                                        + " - session ab12 opened" + System.lineSeparator()));
    }

    @Test
    void aThrowableFollowsOnTheNextLines() {
        LogRecord record = new LogRecord(Level.WARNING, "failed");
        record.setLoggerName("x");
        record.setThrown(new IllegalStateException("boom"));
        String[] lines = formatter.format(record).split(System.lineSeparator());
        assertThat(lines[0].substring("2026-11-28T07:46:10.123".length()), is(" WARNING x - failed"));
        assertThat(lines[1], is("java.lang.IllegalStateException: boom"));
        assertThat(lines[2], startsWith("\tat dev.wsgateway.gateway.observe.LogLineFormatterTest"));
    }
}
