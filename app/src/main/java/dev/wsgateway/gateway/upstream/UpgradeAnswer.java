package dev.wsgateway.gateway.upstream;

import java.nio.charset.StandardCharsets;

import io.helidon.http.HeaderNames;
import io.helidon.http.WritableHeaders;

/**
 * The head of an instance's answer to the upgrade request (RFC 9112 §4 and §5): the status code and the header
 * fields, parsed from the bytes read so far. Lines end with CRLF (a bare LF is accepted, as RFC 9112 §2.2 allows);
 * folded header lines, header names with white space, control characters other than HTAB anywhere in a line (CR,
 * NUL, ESC, DEL, ...: RFC 9110 §5.5 allows none in a field value, and the 101's headers are relayed to the client)
 * and heads over {@link #MAX_HEAD} bytes are refused.
 *
 * @param status     the status code
 * @param headers    the header fields, in order
 * @param headLength bytes of the head, the empty line included; what follows is the connection's first data
 */
record UpgradeAnswer(int status, WritableHeaders<?> headers, int headLength) {
    /**
     * Longest head accepted from an instance.
     */
    static final int MAX_HEAD = 16 * 1024;

    /**
     * Parse the head if it is complete.
     *
     * @param bytes  bytes read from the connection
     * @param length how many of them
     * @return the answer, or {@code null} when the empty line that ends the head has not arrived yet
     * @throws IllegalArgumentException when the head is malformed or longer than {@link #MAX_HEAD}
     */
    static UpgradeAnswer parse(byte[] bytes, int length) {
        int end = headEnd(bytes, length);
        if (end < 0) {
            if (length >= MAX_HEAD) {
                throw new IllegalArgumentException("response head longer than " + MAX_HEAD + " bytes");
            }
            return null;
        }
        int lineEnd = lineEnd(bytes, 0, end);
        int status = statusOf(line(bytes, 0, lineEnd));
        WritableHeaders<?> headers = WritableHeaders.create();
        int start = lineEnd + 1;
        while (start < end) {
            lineEnd = lineEnd(bytes, start, end);
            String field = line(bytes, start, lineEnd);
            if (field.isEmpty()) {
                break;
            }
            int colon = field.indexOf(':');
            if (colon <= 0 || field.charAt(0) == ' ' || field.charAt(0) == '\t'
                    || Character.isWhitespace(field.charAt(colon - 1))) {
                throw new IllegalArgumentException("malformed header line");
            }
            headers.add(HeaderNames.create(field.substring(0, colon)), field.substring(colon + 1).strip());
            start = lineEnd + 1;
        }
        return new UpgradeAnswer(status, headers, end);
    }

    private static int statusOf(String statusLine) {
        // HTTP-version SP status-code SP [ reason-phrase ]
        if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12 || statusLine.charAt(8) != ' '
                || (statusLine.length() > 12 && statusLine.charAt(12) != ' ')) {
            throw new IllegalArgumentException("malformed status line");
        }
        int code = 0;
        for (int i = 9; i < 12; i++) {
            char c = statusLine.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException("malformed status code");
            }
            code = code * 10 + (c - '0');
        }
        return code;
    }

    /**
     * Index just past the empty line that ends the head, or {@code -1}.
     */
    private static int headEnd(byte[] bytes, int length) {
        int limit = Math.min(length, MAX_HEAD);
        for (int i = 0; i < limit; i++) {
            if (bytes[i] == '\n') {
                if (i + 1 < limit && bytes[i + 1] == '\n') {
                    return i + 2;
                }
                if (i + 2 < limit && bytes[i + 1] == '\r' && bytes[i + 2] == '\n') {
                    return i + 3;
                }
            }
        }
        return -1;
    }

    /**
     * Index of the LF that ends the line starting at {@code start}.
     */
    private static int lineEnd(byte[] bytes, int start, int end) {
        for (int i = start; i < end; i++) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return end;
    }

    private static String line(byte[] bytes, int start, int lineEnd) {
        int end = lineEnd > start && bytes[lineEnd - 1] == '\r' ? lineEnd - 1 : lineEnd;
        for (int i = start; i < end; i++) {
            int b = bytes[i] & 0xff;
            if ((b < 0x20 && b != '\t') || b == 0x7f) {
                throw new IllegalArgumentException("control character in the response head");
            }
        }
        return new String(bytes, start, end - start, StandardCharsets.ISO_8859_1);
    }
}
