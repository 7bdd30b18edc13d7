package dev.wsgateway.gateway.observe;

import java.io.StringReader;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.time.ZoneId;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;
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

    @AfterEach
    void textAgain() {
        LogLineFormatter.useFormat("text");
    }

    @Test
    void controlCharactersFromPeersAreEscapedSoARecordIsOneLine() {
        LogRecord record = new LogRecord(Level.INFO, "client close 1000 bye\n2099-01-01T00:00:00.000 SEVERE x - forged"
                + "\r\u001b[31mred\u001b[0m\t\u0000\u007f\u009b\u2028\u202e");
        record.setLoggerName("x");
        String line = formatter.format(record);
        assertThat(line.indexOf('\n'), is(line.length() - 1));
        assertThat(line, endsWith(" - client close 1000 bye\\n2099-01-01T00:00:00.000 SEVERE x - forged"
                + "\\r\\e[31mred\\e[0m\\t\\x00\\x7f\\x9b\\u2028\\u202e\n"));
    }

    @Test
    void aLongMessageIsCutAndSaysHowMuchWasLeftOut() {
        LogRecord record = new LogRecord(Level.INFO, "p".repeat(LogLineFormatter.MAX_MESSAGE + 500));
        record.setLoggerName("x");
        String line = formatter.format(record);
        assertThat(line, endsWith("p...[500 more characters]\n"));
        assertThat(line.length(), lessThan(LogLineFormatter.MAX_MESSAGE + 100));
    }

    @Test
    void anExceptionMessageWithALineFeedStaysInItsLine() {
        LogRecord record = new LogRecord(Level.WARNING, "failed");
        record.setLoggerName("x");
        record.setThrown(new IllegalStateException("outer", new IllegalArgumentException("bad\nSEVERE forged")));
        String[] lines = formatter.format(record).split("\n");
        assertThat(lines[1], is("java.lang.IllegalStateException: outer"));
        String cause = java.util.Arrays.stream(lines).filter(l -> l.startsWith("Caused by: ")).findFirst().orElseThrow();
        assertThat(cause, is("Caused by: java.lang.IllegalArgumentException: bad\\nSEVERE forged"));
        assertThat(java.util.Arrays.stream(lines).filter(l -> l.startsWith("SEVERE")).count(), is(0L));
    }

    @Test
    void jsonIsOneObjectPerLineWithTheMessageEscaped() {
        LogLineFormatter.useFormat("json");
        LogRecord record = new LogRecord(Level.WARNING, "close \"bye\"\n\u001b[2J");
        record.setLoggerName("dev.wsgateway.gateway.relay.RelaySession");
        record.setThrown(new IllegalStateException("boom"));
        String line = formatter.format(record);
        assertThat(line.indexOf('\n'), is(line.length() - 1));
        JsonObject json = Json.createReader(new StringReader(line)).readObject();
        assertThat(json.getString("level"), is("WARNING"));
        assertThat(json.getString("logger"), is("dev.wsgateway.gateway.relay.RelaySession"));
        assertThat(json.getString("message"), is("close \"bye\"\\n\\e[2J"));
        assertThat(json.getString("thrown"), containsString("java.lang.IllegalStateException: boom\n\tat "));
        assertThat(json.getString("time"), containsString("T"));
    }

    @Test
    void anAccessLineInJsonHasItsFieldsNumbersAsNumbers() {
        LogLineFormatter.useFormat("json");
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("session", "ab12");
        fields.put("user", "eve\nSEVERE");
        fields.put("bytes_in", 1234L);
        LogRecord record = new LogRecord(Level.INFO, "access session=ab12 path={0}'x");
        record.setLoggerName(AccessLog.LOGGER_NAME);
        record.setParameters(new Object[] {new AccessLog.Fields(fields)});
        String line = formatter.format(record);
        JsonObject json = Json.createReader(new StringReader(line)).readObject();
        assertThat(json.getString("message"), is("access session=ab12 path={0}'x"));
        assertThat(json.getString("session"), is("ab12"));
        assertThat(json.getString("user"), is("eve\\nSEVERE"));
        assertThat(json.getJsonNumber("bytes_in").longValue(), is(1234L));
    }

    @Test
    void anUnknownFormatIsRefusedWithOneClearLine() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> LogLineFormatter.useFormat("yaml"));
        assertThat(e.getMessage(), is("gateway.log.format: 'yaml' is not a log format; expected text or json"));
        assertThat(e.getMessage(), not(containsString("\n")));
    }
}
