package dev.wsgateway.gateway.http;

import java.util.function.BiConsumer;

import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;

/**
 * The JSON the gateway writes (error bodies, the session and instance listings): escaped string fields, arrays, and
 * sending a document. Everything else it writes is numbers and fixed names.
 */
public final class Json {
    private Json() {
    }

    /**
     * Append a JSON array, one element per item.
     *
     * @param json    the document being written
     * @param items   the items
     * @param element writes one item's element
     * @param <T>     item type
     * @return {@code json}
     */
    public static <T> StringBuilder array(StringBuilder json, Iterable<T> items, BiConsumer<StringBuilder, T> element) {
        json.append('[');
        boolean first = true;
        for (T item : items) {
            if (!first) {
                json.append(',');
            }
            first = false;
            element.accept(json, item);
        }
        return json.append(']');
    }

    /**
     * Send a JSON document.
     *
     * @param res    the response
     * @param status its status
     * @param json   the document
     */
    public static void send(ServerResponse res, Status status, CharSequence json) {
        res.status(status)
                .header(HeaderValues.CONTENT_TYPE_JSON)
                .send(json.toString());
    }

    /**
     * Append a string field, {@code "name":"value"} with the value escaped.
     *
     * @param json  the document being written
     * @param name  field name (not escaped: a fixed name)
     * @param value field value
     * @return {@code json}
     */
    public static StringBuilder field(StringBuilder json, String name, String value) {
        return json.append('"').append(name).append("\":\"").append(escape(value)).append('"');
    }

    /**
     * Escape a value for use between double quotes in JSON.
     *
     * @param s value
     * @return escaped value (no surrounding quotes)
     */
    public static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
            case '"' -> sb.append("\\\"");
            case '\\' -> sb.append("\\\\");
            default -> {
                if (c < 0x20) {
                    sb.append(String.format("\\u%04x", (int) c));
                } else {
                    sb.append(c);
                }
            }
            }
        }
        return sb.toString();
    }
}
