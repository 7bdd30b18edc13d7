package dev.wsgateway.gateway.observe;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import dev.wsgateway.gateway.relay.CloseReason;
import dev.wsgateway.gateway.relay.RelayListener;
import dev.wsgateway.gateway.relay.RelaySession;
import dev.wsgateway.gateway.relay.SessionInfo;

/**
 * One access-log line per session end, on the logger {@value #LOGGER_NAME} (level INFO; set that logger to
 * {@code OFF} to turn it off): {@code access session=.. client=.. user=.. service=.. instance=.. path=..
 * duration_ms=.. messages_in=.. messages_out=.. bytes_in=.. bytes_out=.. close_from_client=.. close_to_client=..
 * close_from_service=.. close_to_service=.. failovers=.. end=..}: the close codes both ways on both legs, {@code 0}
 * where no close frame went that way (a connection that ended without one).
 * In the JSON log format the same names are fields of the line's object (numbers as numbers). Query values are
 * redacted as in the session listing; the formatter neutralises what peers chose (paths, user names, reasons).
 */
public final class AccessLog implements RelayListener {
    /** The access log's logger. */
    public static final String LOGGER_NAME = "dev.wsgateway.access";
    private static final Logger LOGGER = Logger.getLogger(LOGGER_NAME);

    /**
     * The fields of an access-log record, carried as its only parameter.
     *
     * @param fields names and values, in the order written
     */
    record Fields(Map<String, Object> fields) {
    }

    @Override
    public void sessionClosed(RelaySession session) {
        if (!LOGGER.isLoggable(Level.INFO)) {
            return;
        }
        SessionInfo info = session.info();
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("session", info.id());
        fields.put("client", info.clientAddress());
        fields.put("user", info.user());
        fields.put("service", info.serviceId());
        fields.put("instance", info.instanceId());
        fields.put("path", info.redactedGatewayPath());
        fields.put("subprotocol", info.subprotocol());
        fields.put("duration_ms", Duration.between(info.openedAt(), Instant.now()).toMillis());
        fields.put("messages_in", session.messagesIn());
        fields.put("messages_out", session.messagesOut());
        fields.put("bytes_in", session.bytesIn());
        fields.put("bytes_out", session.bytesOut());
        fields.put("close_from_client", code(session.clientClose()));
        fields.put("close_to_client", session.closeCodeToClient());
        fields.put("close_from_service", code(session.upstreamClose()));
        fields.put("close_to_service", session.closeCodeToService());
        fields.put("failovers", session.failovers());
        String end = session.endReason();
        fields.put("end", end == null ? "" : end);
        LogRecord record = new LogRecord(Level.INFO, text(fields));
        record.setLoggerName(LOGGER_NAME);
        record.setParameters(new Object[] {new Fields(fields)});
        LOGGER.log(record);
    }

    private static int code(CloseReason close) {
        return close == null ? 0 : close.code();
    }

    /**
     * The fields of an access-log record, for the JSON format.
     *
     * @param record any record
     * @return its fields, or {@code null} when it is not an access-log record
     */
    static Map<String, Object> fieldsOf(LogRecord record) {
        Object[] parameters = record.getParameters();
        if (parameters != null && parameters.length == 1 && parameters[0] instanceof Fields access) {
            return access.fields();
        }
        return null;
    }

    private static String text(Map<String, Object> fields) {
        StringBuilder line = new StringBuilder(256).append("access");
        for (Map.Entry<String, Object> field : fields.entrySet()) {
            line.append(' ').append(field.getKey()).append('=');
            String value = String.valueOf(field.getValue());
            if (value.isEmpty() || value.indexOf(' ') >= 0 || value.indexOf('"') >= 0) {
                line.append('"').append(value.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            } else {
                line.append(value);
            }
        }
        return line.toString();
    }
}
