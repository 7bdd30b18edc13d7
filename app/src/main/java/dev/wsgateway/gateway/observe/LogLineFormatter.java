package dev.wsgateway.gateway.observe;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.logging.Formatter;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;

import dev.wsgateway.gateway.http.Json;

/**
 * Every log line the gateway writes, in one of two formats:
 * <ul>
 *     <li>{@code text} (default): {@code 2026-11-28T07:46:10.123 INFO logger - message}, then the stack trace if any;
 *     <li>{@code json}: one object per line, {@code {"time","level","logger","message"}}, plus {@code "thrown"} (the
 *     stack trace as one string) and the fields of an {@link AccessLog} line, for log shippers.
 * </ul>
 *
 * <p>This is the one place where what peers send is made harmless in logs: messages carry close reasons, paths,
 * subprotocols, user names and header values that clients and services chose. Every control character (C0, DEL,
 * C1, the Unicode line and paragraph separators, bidirectional overrides) in a message or an exception's text is
 * written as an escape ({@code \n}, {@code \r}, {@code \t}, {@code \e}, {@code \x7f}, {@code \u2028}), so one record
 * is always one line and no terminal escape sequence reaches the log raw; a message longer than
 * {@value #MAX_MESSAGE} characters is cut and says how much was left out.
 *
 * <p>The text layout is the {@code SimpleFormatter} pattern Helidon's formatter would use, written directly: that
 * formatter asks every record for its source class, which makes JUL walk the caller's stack, and formats through
 * {@code String.format}; with two lines per session that was about 8 % of the CPU a session open costs.
 */
public final class LogLineFormatter extends Formatter {
    /** Longest message written, in characters; longer ones are cut. */
    static final int MAX_MESSAGE = 4096;
    /** Longest text of one exception (its class and message) in a stack trace. */
    static final int MAX_THROWABLE_TEXT = 1024;
    private static final String FORMAT_PROPERTY = LogLineFormatter.class.getName() + ".format";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS")
            .withZone(ZoneId.systemDefault());
    private static final DateTimeFormatter JSON_TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSXXX")
            .withZone(ZoneId.systemDefault());
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static volatile Boolean jsonForAll;

    private final boolean jsonHere;

    /**
     * A formatter; its format is {@code json} when the logging configuration says
     * {@code dev.wsgateway.gateway.observe.LogLineFormatter.format = json}, unless {@link #useFormat} decided.
     */
    public LogLineFormatter() {
        this.jsonHere = "json".equalsIgnoreCase(String.valueOf(LogManager.getLogManager().getProperty(FORMAT_PROPERTY))
                                                        .trim());
    }

    /**
     * Set the format of every gateway log line from now on (the gateway's {@code gateway.log.format}).
     *
     * @param format {@code text} or {@code json}
     * @throws IllegalArgumentException for any other value
     */
    public static void useFormat(String format) {
        switch (format.trim().toLowerCase(Locale.ROOT)) {
        case "text" -> jsonForAll = false;
        case "json" -> jsonForAll = true;
        default -> throw new IllegalArgumentException("gateway.log.format: '" + neutralise(format, 64)
                                                              + "' is not a log format; expected text or json");
        }
    }

    @Override
    public String format(LogRecord record) {
        Boolean all = jsonForAll;
        return (all == null ? jsonHere : all) ? json(record) : text(record);
    }

    private String text(LogRecord record) {
        StringBuilder line = new StringBuilder(160);
        TIME.formatTo(record.getInstant(), line);
        line.append(' ').append(record.getLevel().getName())
                .append(' ').append(record.getLoggerName())
                .append(" - ");
        appendNeutral(line, message(record), MAX_MESSAGE);
        Throwable thrown = record.getThrown();
        if (thrown != null) {
            appendTrace(line, thrown, System.lineSeparator());
        }
        return line.append(System.lineSeparator()).toString();
    }

    private String json(LogRecord record) {
        StringBuilder line = new StringBuilder(256).append("{\"time\":\"");
        JSON_TIME.formatTo(record.getInstant(), line);
        line.append("\",");
        Json.field(line, "level", record.getLevel().getName()).append(',');
        Json.field(line, "logger", String.valueOf(record.getLoggerName())).append(',');
        Json.field(line, "message", neutralise(message(record), MAX_MESSAGE));
        if (AccessLog.fieldsOf(record) instanceof Map<?, ?> fields) {
            for (Map.Entry<?, ?> field : fields.entrySet()) {
                line.append(",\"").append(field.getKey()).append("\":");
                if (field.getValue() instanceof Number number) {
                    line.append(number);
                } else {
                    line.append('"').append(Json.escape(neutralise(String.valueOf(field.getValue()), MAX_MESSAGE)))
                            .append('"');
                }
            }
        }
        Throwable thrown = record.getThrown();
        if (thrown != null) {
            StringBuilder trace = new StringBuilder(512);
            appendTrace(trace, thrown, "\n");
            line.append(',');
            Json.field(line, "thrown", trace.substring(1));
        }
        return line.append('}').append(System.lineSeparator()).toString();
    }

    private String message(LogRecord record) {
        // an access line's text is final: MessageFormat must not read a peer's braces or quotes in it
        return AccessLog.fieldsOf(record) == null ? formatMessage(record) : record.getMessage();
    }

    /**
     * A value as it may appear in a log line: control characters escaped, at most {@code max} characters of it.
     *
     * @param value value from anywhere (a peer, an exception)
     * @param max   longest part of {@code value} kept
     * @return the neutral text
     */
    public static String neutralise(String value, int max) {
        return appendNeutral(new StringBuilder(Math.min(value.length(), max) + 16), value, max).toString();
    }

    private static StringBuilder appendNeutral(StringBuilder out, String value, int max) {
        int end = Math.min(value.length(), max);
        for (int i = 0; i < end; i++) {
            char c = value.charAt(i);
            if (needsEscape(c)) {
                escape(out, c);
            } else {
                out.append(c);
            }
        }
        if (value.length() > max) {
            out.append("...[").append(value.length() - max).append(" more characters]");
        }
        return out;
    }

    private static boolean needsEscape(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029'
                || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069');
    }

    private static void escape(StringBuilder out, char c) {
        switch (c) {
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case 0x1b -> out.append("\\e");
        default -> {
            if (c <= 0xff) {
                out.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xf]);
            } else {
                out.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xf]).append(HEX[(c >> 4) & 0xf])
                        .append(HEX[c & 0xf]);
            }
        }
        }
    }

    /**
     * A stack trace as {@code printStackTrace} writes it (causes, suppressed, "... n more"), each throwable's own text
     * neutralised: an exception message may quote what a peer sent.
     */
    private static void appendTrace(StringBuilder out, Throwable thrown, String newline) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        appendThrowable(out, thrown, new StackTraceElement[0], "", "", newline, seen);
    }

    private static void appendThrowable(StringBuilder out, Throwable t, StackTraceElement[] enclosing, String caption,
                                        String prefix, String newline, Set<Throwable> seen) {
        if (!seen.add(t)) {
            out.append(newline).append(prefix).append(caption).append("[CIRCULAR REFERENCE: ");
            appendNeutral(out, t.toString(), MAX_THROWABLE_TEXT).append(']');
            return;
        }
        StackTraceElement[] trace = t.getStackTrace();
        int m = trace.length - 1;
        int n = enclosing.length - 1;
        while (m >= 0 && n >= 0 && trace[m].equals(enclosing[n])) {
            m--;
            n--;
        }
        int inCommon = trace.length - 1 - m;
        out.append(newline).append(prefix).append(caption);
        appendNeutral(out, t.toString(), MAX_THROWABLE_TEXT);
        for (int i = 0; i <= m; i++) {
            out.append(newline).append(prefix).append("\tat ").append(trace[i]);
        }
        if (inCommon != 0) {
            out.append(newline).append(prefix).append("\t... ").append(inCommon).append(" more");
        }
        for (Throwable suppressed : t.getSuppressed()) {
            appendThrowable(out, suppressed, trace, "Suppressed: ", prefix + "\t", newline, seen);
        }
        Throwable cause = t.getCause();
        if (cause != null) {
            appendThrowable(out, cause, trace, "Caused by: ", prefix, newline, seen);
        }
    }
}
