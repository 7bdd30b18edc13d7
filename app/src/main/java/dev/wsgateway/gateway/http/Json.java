package dev.wsgateway.gateway.http;

/**
 * The one JSON helper the gateway needs: a string value escaped for a JSON document (error bodies, the session
 * listing). Everything else it writes is numbers and fixed names.
 */
public final class Json {
    private Json() {
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
